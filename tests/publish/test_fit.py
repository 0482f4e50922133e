"""needs.publish.fit: the goodness-of-fit test computed only on what the table publishes.

Expected values are worked by hand here or come from ``scipy.stats.chisquare``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fixtures import ROOT
from scipy import stats

import needs
from needs.methods import comparisons
from needs.methods.disclosure import suppress
from needs.publish.fit import FIT_COLUMNS, published_goodness_of_fit
from needs.publish.publication import Publication
from needs.reference.categories import NOT_KNOWN

C = "[c]"
KEYS = ["area_code", "characteristic", "basis"]


def _table(
    counts, shares, total, *, categories=None, characteristic="religion", area="E1", basis="supported"
):
    """A published representation part for one group."""
    if categories is None:
        categories = ["no_religion", "christian", "buddhist", "jewish"][: len(counts)]
    return pd.DataFrame(
        {
            "area_code": area,
            "characteristic": characteristic,
            "category": categories,
            "basis": basis,
            "expected_share": shares,
            "observed_count": pd.Series(counts, dtype=object),
            "observed_total": pd.Series([total] * len(counts), dtype=object),
        }
    )


# ----------------------------------------------------------------------------------------
# (a) A hand-worked example
# ----------------------------------------------------------------------------------------


def test_hidden_categories_are_merged_into_one_worked_by_hand():
    # Raw counts 50, 30, 6, 4 (n = 90) with shares 0.4, 0.3, 0.2, 0.1; 6 and 4 are hidden.
    # Merged: 90 - 50 - 30 = 10 households, share 0.2 + 0.1 = 0.3.
    # Expected: 0.4 * 90 = 36, 0.3 * 90 = 27, 0.3 * 90 = 27.
    # X^2 = (50-36)^2/36 + (30-27)^2/27 + (10-27)^2/27 = 196/36 + 9/27 + 289/27 = 445/27.
    # dof = 3 - 1 = 2; the chi-square(2) survival function is exp(-x/2).
    table = _table([50, 30, C, C], [0.4, 0.3, 0.2, 0.1], 90)
    # The "Not known" category is not part of the test (observed_total excludes it).
    not_known = table.iloc[[0]].assign(category=NOT_KNOWN, expected_share=np.nan, observed_count=7)
    out = published_goodness_of_fit(pd.concat([table, not_known], ignore_index=True))

    assert list(out.columns) == list(FIT_COLUMNS)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["statistic"] == pytest.approx(445 / 27, rel=1e-12)
    assert row["statistic"] == pytest.approx(
        5.444444444444445 + 0.3333333333333333 + 10.703703703703704, rel=1e-12
    )
    assert row["dof"] == 2
    assert row["p_value"] == pytest.approx(math.exp(-445 / 54), rel=1e-12)
    # Smallest expected count 27: Cochran's rule is met.
    assert not row["small_expected"]
    assert row["merged"] == "Buddhist, Jewish combined"

    # The same numbers from scipy on the merged profile.
    reference = stats.chisquare([50, 30, 10], f_exp=[36, 27, 27])
    assert row["statistic"] == pytest.approx(reference.statistic, rel=1e-12)
    assert row["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)


def test_nothing_hidden_is_the_ordinary_test():
    # 50, 30, 6, 4 against 36, 27, 18, 9 (shares 0.4, 0.3, 0.2, 0.1 of 90):
    # 196/36 + 9/27 + 144/18 + 25/9 = 49/9 + 1/3 + 8 + 25/9 = 74/9 + 1/3 + 8 = 149/9.
    out = published_goodness_of_fit(_table([50, 30, 6, 4], [0.4, 0.3, 0.2, 0.1], 90))
    assert out["statistic"].iloc[0] == pytest.approx(149 / 9, rel=1e-12)
    assert out["dof"].iloc[0] == 3
    assert out["p_value"].iloc[0] == pytest.approx(stats.chi2.sf(149 / 9, 3), rel=1e-12)
    # Expected count 9 for Jewish: fine; nothing merged.
    assert out["merged"].iloc[0] == ""


def test_a_single_hidden_category_is_worked_out_from_the_total():
    # Not possible in a protected table, but derivable anyway: 90 - 50 - 30 - 6 = 4.
    out = published_goodness_of_fit(_table([50, 30, 6, C], [0.4, 0.3, 0.2, 0.1], 90))
    assert out["statistic"].iloc[0] == pytest.approx(149 / 9, rel=1e-12)
    assert out["dof"].iloc[0] == 3
    assert out["merged"].iloc[0] == "Jewish worked out from the total"


def test_missing_and_not_available_counts_count_as_hidden():
    out = published_goodness_of_fit(_table([50, 30, np.nan, "[x]"], [0.4, 0.3, 0.2, 0.1], 90))
    assert out["statistic"].iloc[0] == pytest.approx(445 / 27, rel=1e-12)
    assert out["merged"].iloc[0] == "Buddhist, Jewish combined"


def test_small_expected_is_judged_on_the_merged_profile():
    # n = 40: expected 16, 12, 8, 4 unmerged (4 < 5); merged 16, 12, 12 (all at least 5).
    unmerged = published_goodness_of_fit(_table([20, 12, 5, 3], [0.4, 0.3, 0.2, 0.1], 40))
    merged = published_goodness_of_fit(_table([20, 12, C, C], [0.4, 0.3, 0.2, 0.1], 40))
    assert bool(unmerged["small_expected"].iloc[0])
    assert not bool(merged["small_expected"].iloc[0])


def test_categorical_columns_give_the_same_result():
    table = _table([50, 30, C, C], [0.4, 0.3, 0.2, 0.1], 90)
    categorical = table.astype({c: "category" for c in ["area_code", "characteristic", "category", "basis"]})
    plain = published_goodness_of_fit(table)
    coded = published_goodness_of_fit(categorical)
    assert coded["statistic"].iloc[0] == plain["statistic"].iloc[0]
    assert coded["merged"].iloc[0] == plain["merged"].iloc[0]


# ----------------------------------------------------------------------------------------
# (b) The attack: the statistic no longer tells the hidden split
# ----------------------------------------------------------------------------------------


def _protect(raw: list[int]) -> pd.DataFrame:
    """The raw line as the report publishes it: primary and secondary suppression."""
    table = _table(raw, [0.4, 0.3, 0.2, 0.1], sum(raw))
    table = table.astype({"observed_count": "int64", "observed_total": "int64"})
    return suppress(table, ["observed_count", "observed_total"], within=KEYS)


SPLITS = [(6, 4), (4, 6), (7, 3), (8, 2), (9, 1)]


def test_the_hidden_split_does_not_change_the_statistic():
    # Five raw tables that differ only in how the 10 hidden households split.
    results = []
    for split in SPLITS:
        published = _protect([50, 30, *split])
        assert published["observed_count"].tolist() == [50, 30, C, C]
        results.append(published_goodness_of_fit(published).iloc[0])
    assert len({r["statistic"] for r in results}) == 1
    assert len({r["p_value"] for r in results}) == 1
    assert results[0]["statistic"] == pytest.approx(445 / 27, rel=1e-12)


def test_the_raw_statistic_would_give_the_split_away():
    # Why the rule exists: on the raw counts each split gives its own statistic, so the
    # published statistic and the visible cells would pin the split down.
    raw = [
        comparisons.goodness_of_fit([50, 30, *split], [0.4, 0.3, 0.2, 0.1])["statistic"] for split in SPLITS
    ]
    assert len(set(raw)) == len(SPLITS)
    # 6/4 by hand: 149/9 (see test_nothing_hidden_is_the_ordinary_test), not 445/27.
    assert raw[0] == pytest.approx(149 / 9, rel=1e-12)


# ----------------------------------------------------------------------------------------
# (c) The demonstration data
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demonstration():
    dataset = needs.load(ROOT / "data" / "example")
    return needs.assess(dataset, "E10000018", "2023-24")


def _hide_small(representation: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Primary suppression only: counts 1 to 4 become ``[c]``."""
    counts = representation["observed_count"]
    small = (counts >= 1) & (counts <= 4)
    return representation.assign(observed_count=counts.astype(object).mask(small, C)), small


def test_demonstration_data(demonstration):
    assessed = demonstration.goodness_of_fit
    published, small = _hide_small(demonstration.representation)
    assert small.any()  # something is hidden, or this test shows nothing
    out = published_goodness_of_fit(published)

    # One row per group the assessment tests (every characteristic with an expected profile).
    assert out[KEYS].astype(str).values.tolist() == assessed[KEYS].astype(str).values.tolist()
    assert out["statistic"].notna().all()
    # Characteristics with no expected profile (pregnancy, additional needs) have no test.
    no_profile = set(published["characteristic"]) - set(assessed["characteristic"])
    assert no_profile and not no_profile & set(out["characteristic"])

    hidden_groups = published.loc[small, KEYS].drop_duplicates()
    flags = out.merge(hidden_groups.assign(hidden=True), on=KEYS, how="left")["hidden"].fillna(False)
    flags = flags.astype(bool).to_numpy()
    assert flags.any() and not flags.all()

    # Where nothing is hidden: exactly the unprotected computation.
    same = out[~flags].reset_index(drop=True)
    reference = assessed[~flags].reset_index(drop=True)
    assert same["statistic"].tolist() == reference["statistic"].tolist()
    assert same["p_value"].tolist() == reference["p_value"].tolist()
    assert same["dof"].tolist() == reference["dof"].tolist()
    assert same["small_expected"].tolist() == reference["small_expected"].tolist()
    assert (same["merged"] == "").all()

    # Where something is hidden: scipy on the merged profile, worked out from the raw part.
    raw = demonstration.representation
    for (area, characteristic, basis), group in raw.groupby(KEYS, sort=False):
        row = out[
            (out["area_code"] == area) & (out["characteristic"] == characteristic) & (out["basis"] == basis)
        ]
        if row.empty or not small[group.index].any():
            continue
        hide = small[group.index].to_numpy()
        counts = group["observed_count"].to_numpy(dtype=float)
        shares = group["expected_share"].to_numpy(dtype=float)
        observed = np.append(counts[~hide], counts[hide].sum())
        share = np.append(shares[~hide], shares[hide].sum())
        keep = (share > 0) | (observed > 0)
        observed, share = observed[keep], share[keep]
        reference = stats.chisquare(observed, f_exp=share / share.sum() * observed.sum())
        assert row["statistic"].iloc[0] == pytest.approx(reference.statistic, rel=1e-10)
        assert row["p_value"].iloc[0] == pytest.approx(reference.pvalue, rel=1e-10, abs=1e-300)
        assert row["dof"].iloc[0] == len(observed) - 1
        assert row["merged"].iloc[0] != ""

    # Religion among households supported: only Jewish (4) is below 5, so with primary
    # suppression alone it is the single hidden cell, derivable from the total (738 - 734):
    # the test is the unprotected one, 8 categories.
    religion = out[(out["characteristic"] == "religion") & (out["basis"] == "supported")].iloc[0]
    unprotected = assessed[(assessed["characteristic"] == "religion") & (assessed["basis"] == "supported")]
    assert religion["merged"] == "Jewish worked out from the total"
    assert religion["dof"] == 7
    assert religion["statistic"] == pytest.approx(unprotected["statistic"].iloc[0], rel=1e-12)


def test_demonstration_data_as_the_publication_suppresses_it(demonstration):
    # The part exactly as the report's suppression step leaves it (secondary suppression too).
    published = Publication(demonstration)._representation
    out = published_goodness_of_fit(published)
    assert len(out) == len(demonstration.goodness_of_fit)
    assert out["statistic"].notna().all()
    # Secondary suppression hides Buddhist (5) with Jewish (3): the two are merged, 7 categories
    # remain, and the statistic is no longer the unprotected one (which gave 5/3 away).
    religion = out[(out["characteristic"] == "religion") & (out["basis"] == "supported")].iloc[0]
    assert published.loc[
        (published["characteristic"] == "religion") & (published["basis"] == "supported"), "observed_count"
    ].tolist() == [336, 343, C, 22, C, 18, 8, 6]
    assert religion["merged"] == "Buddhist, Jewish combined"
    assert religion["dof"] == 6
    raw = demonstration.goodness_of_fit
    raw_religion = raw[(raw["characteristic"] == "religion") & (raw["basis"] == "supported")]
    assert religion["statistic"] != pytest.approx(raw_religion["statistic"].iloc[0], rel=1e-3)
    # scipy on the merged profile: 741 - (336 + 343 + 22 + 18 + 8 + 6) = 8 households.
    part = demonstration.representation
    line = part[(part["characteristic"] == "religion") & (part["basis"] == "supported")]
    expected = line.set_index("category")["expected_share"]
    share = np.array(
        [
            *expected[["no_religion", "christian", "hindu", "muslim", "sikh", "other"]],
            expected["buddhist"] + expected["jewish"],
        ]
    )
    observed = np.array([336, 343, 22, 18, 8, 6, 8])
    reference = stats.chisquare(observed, f_exp=share / share.sum() * 741)
    assert religion["statistic"] == pytest.approx(reference.statistic, rel=1e-10)
    assert religion["p_value"] == pytest.approx(reference.pvalue, rel=1e-10)


# ----------------------------------------------------------------------------------------
# (d), (e) Tests that are not available
# ----------------------------------------------------------------------------------------


def test_fewer_than_two_categories_after_merging_is_not_available():
    # Both categories of a two-category characteristic hidden: one merged category, dof 0.
    out = published_goodness_of_fit(
        _table([C, C], [0.6, 0.4], 5, characteristic="sex", categories=["female", "male"])
    )
    assert np.isnan(out["statistic"].iloc[0])
    assert np.isnan(out["p_value"].iloc[0])
    assert out["dof"].isna().iloc[0]
    assert not out["small_expected"].iloc[0]
    assert out["merged"].iloc[0] == ""


def test_a_single_category_is_not_available_even_when_shown():
    out = published_goodness_of_fit(
        _table([40, 0], [1.0, 0.0], 40, characteristic="sex", categories=["female", "male"])
    )
    assert np.isnan(out["statistic"].iloc[0])
    assert out["dof"].isna().iloc[0]


def test_two_categories_left_after_merging_is_available():
    # 50 shown, 3 + 2 hidden -> merged 5; expected 0.5 * 55 = 27.5 each.
    # X^2 = 2 * (50 - 27.5)^2 / 27.5 = 2 * 506.25 / 27.5 = 36.81818...
    out = published_goodness_of_fit(_table([50, C, C], [0.5, 0.3, 0.2], 55))
    assert out["statistic"].iloc[0] == pytest.approx(2 * 506.25 / 27.5, rel=1e-12)
    assert out["dof"].iloc[0] == 1


def test_hidden_total_is_not_available():
    out = published_goodness_of_fit(_table([C, C, C, C], [0.4, 0.3, 0.2, 0.1], C))
    assert len(out) == 1
    assert np.isnan(out["statistic"].iloc[0])
    assert np.isnan(out["p_value"].iloc[0])
    assert out["dof"].isna().iloc[0]
    assert out["merged"].iloc[0] == ""


def test_one_group_not_available_leaves_the_others():
    table = pd.concat(
        [
            _table([50, 30, C, C], [0.4, 0.3, 0.2, 0.1], 90, basis="supported"),
            _table([C, C, C, C], [0.4, 0.3, 0.2, 0.1], C, basis="referred"),
        ],
        ignore_index=True,
    )
    out = published_goodness_of_fit(table)
    assert out["basis"].tolist() == ["supported", "referred"]
    assert out["statistic"].iloc[0] == pytest.approx(445 / 27, rel=1e-12)
    assert np.isnan(out["statistic"].iloc[1])


def test_groups_without_an_expected_profile_have_no_row():
    table = _table([30, 10], [np.nan, np.nan], 40, characteristic="pregnant", categories=["yes", "no"])
    out = published_goodness_of_fit(table)
    assert out.empty
    assert list(out.columns) == list(FIT_COLUMNS)


# ----------------------------------------------------------------------------------------
# Misuse
# ----------------------------------------------------------------------------------------


def test_inconsistent_tables_are_refused():
    with pytest.raises(ValueError, match="add up"):
        published_goodness_of_fit(_table([50, 30, 6, 4], [0.4, 0.3, 0.2, 0.1], 95))
    with pytest.raises(ValueError, match="add up"):
        published_goodness_of_fit(_table([50, 30, C, C], [0.4, 0.3, 0.2, 0.1], 70))
    with pytest.raises(ValueError, match="observed_count"):
        published_goodness_of_fit(_table([50, 30, "six", C], [0.4, 0.3, 0.2, 0.1], 90))
    with pytest.raises(ValueError, match="missing column"):
        published_goodness_of_fit(
            _table([50, 30, 6, 4], [0.4, 0.3, 0.2, 0.1], 90).drop(columns="observed_total")
        )
