"""Tests for needs.assessment.representation on the hand-listed dataset of tests/fixtures.py.

Counts are read off the fixture's referral list by hand. Shire (E10000001), 2024-25:

- referred (referrals made in 2024-25 to Shire services): H01-H09, nine households. H02 was
  referred twice; its later referral (R03) gives its characteristics.
- supported (accepted, support overlapping 2024-25): H01, H02, H03, H05, H09 and H10 (referred
  in 2023-24, supported until 1 May 2024): six households.

Expected shares for sex and age band are shares of the expected victims of
:func:`needs.assessment.population.expected_victims_by_band` (hand-worked in that module's tests);
for the Census characteristics they are worked by hand from the Census profile (disability:
disabled (300 + 150) x 2 = 900 against not disabled 1000 + 650 = 1650).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fixtures import NEIGHBOUR, NORTHTON, SHIRE, tiny_dataset
from scipy.stats import chi2, norm

from needs.assessment.population import expected_victims_by_band
from needs.assessment.representation import (
    NOT_WEIGHTED,
    expected_shares,
    flag_rows,
    relative_prevalence_weights,
    representation,
)
from needs.inputs.dataset import Dataset
from needs.inputs.load import load
from needs.reference import categories as cat


def wilson(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    z = norm.ppf(1 - (1 - confidence) / 2)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


@pytest.fixture(scope="module")
def parts():
    return representation(tiny_dataset(), "2024-25")


def victims(by: str, area: str = SHIRE) -> pd.Series:
    """Expected victims of ``area`` by sex or age band, as population.py gives them."""
    bands = expected_victims_by_band(tiny_dataset(), "2024-25")
    return bands[bands["tier_one_code"] == area].groupby(by)["value"].sum()


def pick(
    frame: pd.DataFrame, area: str, characteristic: str, basis: str, category: str | None = None
) -> pd.Series:
    chosen = frame[
        (frame["area_code"] == area) & (frame["characteristic"] == characteristic) & (frame["basis"] == basis)
    ]
    if category is not None:
        chosen = chosen[chosen["category"] == category]
    assert len(chosen) == 1
    return chosen.iloc[0]


def test_columns(parts):
    rep, fit, not_known = parts
    assert list(rep.columns) == [
        "area_code", "characteristic", "category", "basis", "expected_share", "weight", "weight_basis",
        "observed_count", "observed_total", "observed_share", "lower", "upper", "ratio", "ratio_lower",
        "ratio_upper", "significance", "majority", "under_reached",
    ]  # fmt: skip
    assert list(fit.columns) == [
        "area_code", "characteristic", "basis", "statistic", "dof", "p_value", "small_expected"
    ]  # fmt: skip
    assert list(not_known.columns) == ["area_code", "characteristic", "basis", "count", "total", "share"]
    assert set(rep["area_code"]) == {SHIRE, NEIGHBOUR}
    assert rep["under_reached"].dtype == bool


def test_sex_shares_against_expected_victims(parts):
    rep, _, _ = parts
    by_sex = victims("sex")
    expected_male = by_sex["male"] / by_sex.sum()
    male = pick(rep, SHIRE, "sex", "supported", "male")
    assert male["observed_count"] == 1 and male["observed_total"] == 6
    assert male["observed_share"] == pytest.approx(1 / 6)
    low, high = wilson(1, 6)
    assert (male["lower"], male["upper"]) == pytest.approx((low, high))
    assert male["expected_share"] == pytest.approx(expected_male)
    assert male["ratio"] == pytest.approx((1 / 6) / expected_male)
    assert male["ratio_lower"] == pytest.approx(low / expected_male)
    assert male["ratio_upper"] == pytest.approx(high / expected_male)
    assert not male["under_reached"]  # upper limit 1.56 is above 1

    # Referred: H08's sex is not known, so shares are among the 8 known.
    female = pick(rep, SHIRE, "sex", "referred", "female")
    assert (female["observed_count"], female["observed_total"]) == (6, 8)
    assert female["expected_share"] == pytest.approx(by_sex["female"] / by_sex.sum())
    assert female["weight_basis"] == "CSEW rates by sex, new question set"


def test_household_counted_once_with_latest_referral(parts):
    rep, _, not_known = parts
    # H02: R02 disability not known, R03 disabled -> disabled. Disabled referred: H01, H02, H06, H09.
    disabled = pick(rep, SHIRE, "disability", "referred", "disabled")
    assert (disabled["observed_count"], disabled["observed_total"]) == (4, 9)
    assert pick(not_known, SHIRE, "disability", "referred")["count"] == 0
    assert disabled["expected_share"] == pytest.approx(900 / 2550)


def test_census_profile_weighted_by_relative_prevalence(parts):
    rep, _, _ = parts
    # white_british 1600, asian (200 + 100) x 0.8 = 240, black 150, mixed 50, other 50: total 2090
    asian = pick(rep, SHIRE, "ethnic_group", "referred", "asian")
    assert asian["expected_share"] == pytest.approx(240 / 2090)
    assert (asian["observed_count"], asian["observed_total"]) == (1, 8)  # H04 not known
    irish = pick(rep, SHIRE, "ethnic_group", "referred", "white_irish")
    assert irish["expected_share"] == 0 and np.isnan(irish["ratio"])
    assert asian["weight"] == 0.8 and asian["weight_basis"] == "relative prevalence given in the dataset"
    # The dataset gives ethnic-group weights, so the shipped ones are not used: black is not weighted.
    black = pick(rep, SHIRE, "ethnic_group", "referred", "black")
    assert black["expected_share"] == pytest.approx(150 / 2090) and black["weight_basis"] == NOT_WEIGHTED
    # Neighbourton has no ethnic-group profile: no expected share. Its own disability rows carry
    # no relative prevalence, so it takes the shipped CSEW weights (disabled 1.9357, not disabled
    # 0.8057), whatever another area gives: 0.2 x 1.9357 / (0.2 x 1.9357 + 0.8 x 0.8057).
    assert np.isnan(pick(rep, NEIGHBOUR, "ethnic_group", "referred", "white_british")["expected_share"])
    disabled = pick(rep, NEIGHBOUR, "disability", "supported", "disabled")
    assert disabled["expected_share"] == pytest.approx(0.2 * 1.9357 / (0.2 * 1.9357 + 0.8 * 0.8057))
    assert disabled["weight_basis"].startswith("CSEW YE Mar 2022")


def test_age_band_expected_from_band_rates(parts):
    rep, _, _ = parts
    by_band = victims("age_band")
    band = pick(rep, SHIRE, "age_band", "referred", "25-34")
    assert band["expected_share"] == pytest.approx(by_band["25-34"] / by_band.sum())
    assert (band["observed_count"], band["observed_total"]) == (6, 8)  # H07 not known
    young = pick(rep, SHIRE, "age_band", "referred", "16-19")
    assert young["expected_share"] == pytest.approx(by_band["16-19"] / by_band.sum())
    # The fixture publishes a 16-19 rate for women (18%): that band is weighted by age.
    assert young["weight_basis"] == "CSEW rates by age band, new question set"


def test_no_population_profile_for_pregnancy_and_needs(parts):
    rep, _, _ = parts
    pregnant = pick(rep, SHIRE, "pregnant", "supported", "yes")
    assert (pregnant["observed_count"], pregnant["observed_total"]) == (1, 6)
    assert np.isnan(pregnant["expected_share"]) and np.isnan(pregnant["ratio"])
    assert not pregnant["under_reached"]
    # Mental health: H01 and H05 yes; H02, H03, H10 no; H09 not known.
    mental = pick(rep, SHIRE, "need_mental_health", "supported", "yes")
    assert (mental["observed_count"], mental["observed_total"]) == (2, 5)
    low, high = wilson(2, 5)
    assert (mental["lower"], mental["upper"]) == pytest.approx((low, high))


def test_not_known_reported(parts):
    _, _, not_known = parts
    ethnic = pick(not_known, SHIRE, "ethnic_group", "referred")
    assert (ethnic["count"], ethnic["total"]) == (1, 9)
    assert ethnic["share"] == pytest.approx(1 / 9)
    religion = pick(not_known, SHIRE, "religion", "supported")
    assert (religion["count"], religion["total"], religion["share"]) == (6, 6, 1.0)
    # Neighbourton: H16, H17, H19 referred; H16, H19 supported (H18's support ended March 2024).
    assert pick(not_known, NEIGHBOUR, "religion", "referred")["total"] == 3
    assert pick(not_known, NEIGHBOUR, "religion", "supported")["total"] == 2


def test_all_values_not_known_gives_missing_shares(parts):
    rep, fit, _ = parts
    religion = rep[(rep["area_code"] == SHIRE) & (rep["characteristic"] == "religion")]
    assert (religion["observed_total"] == 0).all()
    assert religion["observed_share"].isna().all()
    assert not (fit["characteristic"] == "religion").any()
    assert not (fit["characteristic"] == "pregnant").any()


def test_goodness_of_fit(parts):
    _, fit, _ = parts
    sex = pick(fit, SHIRE, "sex", "supported")
    by_sex = victims("sex")
    expected = np.array([by_sex["female"], by_sex["male"]]) / by_sex.sum() * 6
    statistic = (5 - expected[0]) ** 2 / expected[0] + (1 - expected[1]) ** 2 / expected[1]
    assert sex["statistic"] == pytest.approx(statistic)
    assert sex["dof"] == 1
    assert sex["p_value"] == pytest.approx(chi2.sf(statistic, 1))
    assert bool(sex["small_expected"])  # 6 x about 0.37 = 2.2 < 5
    # Age bands with expected share 0 and nobody observed are left out.
    rep = parts[0]
    age_rows = rep[
        (rep["area_code"] == SHIRE) & (rep["characteristic"] == "age_band") & (rep["basis"] == "referred")
    ]
    tested = age_rows[(age_rows["expected_share"] > 0) | (age_rows["observed_count"] > 0)]
    age = pick(fit, SHIRE, "age_band", "referred")
    assert age["dof"] == len(tested) - 1
    weights = tested["expected_share"].to_numpy() * 8
    observed = tested["observed_count"].to_numpy()
    assert age["statistic"] == pytest.approx(((observed - weights) ** 2 / weights).sum())
    assert pick(fit, SHIRE, "ethnic_group", "referred")["dof"] == 4


def test_categorical_columns_give_the_same_result(parts):
    data = tiny_dataset()
    tables = dict(data.tables)
    referrals = tables["referrals"].copy()
    for column in ("sex", "age_band", "ethnic_group", "disability", "outcome", "pregnant"):
        referrals[column] = referrals[column].astype("category")
    tables["referrals"] = referrals
    tables["services"] = tables["services"].astype(
        {"accommodation_type": "category", "specialism": "category"}
    )
    rep, fit, not_known = representation(Dataset(tables=tables), "2024-25")
    pd.testing.assert_frame_equal(rep, parts[0])
    pd.testing.assert_frame_equal(fit, parts[1])
    pd.testing.assert_frame_equal(not_known, parts[2])


def test_under_reached_flag():
    data = tiny_dataset()
    tables = dict(data.tables)
    referrals = tables["referrals"].copy()
    # Make every 2024-25 household referred to Shire female: men expected 36%, observed 0 of 8.
    referrals.loc[referrals["household_id"].isin(["H03", "H06", "H08"]), "sex"] = "female"
    tables["referrals"] = referrals
    rep, _, _ = representation(Dataset(tables=tables), "2024-25")
    male = pick(rep, SHIRE, "sex", "referred", "male")
    assert male["observed_count"] == 0 and male["observed_total"] == 9
    _, high = wilson(0, 9)
    by_sex = victims("sex")
    assert male["ratio_upper"] == pytest.approx(high / (by_sex["male"] / by_sex.sum()))  # 0.30 / 0.37
    assert male["ratio"] == 0 and male["significance"] == "below at 95%"
    _, high_998 = wilson(0, 9, 0.998)
    assert high_998 / (by_sex["male"] / by_sex.sum()) > 1  # 0.51 / 0.37: not below at 99.8%
    assert male["under_reached"]
    # Women are the larger of two groups: their ratio mirrors the men's and is never flagged.
    female = pick(rep, SHIRE, "sex", "referred", "female")
    assert female["majority"] and not male["majority"] and not female["under_reached"]


def test_example_lists_gypsy_or_irish_traveller_roma_and_other_white_apart(example_folder):
    """The example's ethnic-group rows have the three White groups the 8 Census categories merge.
    They carry the same relative prevalence weight, so their expected shares are in the ratio of
    the seven districts' Census 16+ counts in characteristics.csv."""
    rep, _, _ = representation(load(example_folder), "2023-24")
    ethnic = rep[
        (rep["area_code"] == "E10000018")
        & (rep["characteristic"] == "ethnic_group")
        & (rep["basis"] == "referred")
    ].set_index("category")
    assert set(cat.WHITE_OTHER_SUBGROUPS) <= set(ethnic.index)
    assert "white_gypsy_roma_other" not in ethnic.index
    chars = pd.read_csv(example_folder / "characteristics.csv")
    county = chars[chars["area_code"].str.startswith("E07")].groupby("category")["count"].sum()
    for code in ("white_gypsy_irish_traveller", "white_roma"):
        ratio = ethnic.loc[code, "expected_share"] / ethnic.loc["white_other", "expected_share"]
        assert ratio == pytest.approx(county[code] / county["white_other"])
    assert (ethnic.loc[list(cat.WHITE_OTHER_SUBGROUPS), "observed_count"] > 0).all()


# --- Relative prevalence weights and OHID flags (issue 15, items 3 and 7) -----------------------


def _with_characteristics(rows: list[tuple], relative: bool = True) -> Dataset:
    """The fixture dataset with its Census profile replaced by ``rows`` (all in Northton, a
    district of Shire): ``(characteristic, category, count, relative_prevalence)``."""
    tables = dict(tiny_dataset().tables)
    frame = pd.DataFrame(rows, columns=["characteristic", "category", "count", "relative_prevalence"])
    frame.insert(0, "area_code", NORTHTON)
    frame["source"] = "hand-made"
    if not relative:
        frame = frame.drop(columns="relative_prevalence")
    tables["characteristics"] = frame
    return Dataset(tables=tables)


def _shares(data: Dataset, characteristic: str) -> pd.DataFrame:
    out = expected_shares(data, "2024-25")
    return out[(out["area_code"] == SHIRE) & (out["characteristic"] == characteristic)].set_index("category")


def test_weighted_expected_share_two_group_toy():
    # Disabled 20% of residents with relative prevalence 2, not disabled 80% with none (1):
    # 0.2 x 2 / (0.2 x 2 + 0.8 x 1) = 1/3.
    nan = float("nan")
    data = _with_characteristics(
        [("disability", "disabled", 200, 2.0), ("disability", "not_disabled", 800, nan)]
    )
    shares = _shares(data, "disability")
    assert shares.loc["disabled", "expected_share"] == pytest.approx(1 / 3)
    assert shares.loc["not_disabled", "expected_share"] == pytest.approx(2 / 3)
    assert shares.loc["disabled", "weight_basis"] == "relative prevalence given in the dataset"
    assert shares.loc["not_disabled", "weight_basis"] == NOT_WEIGHTED


def test_shipped_weights_are_group_rate_over_all_rate_and_flag_the_question_set():
    weights = relative_prevalence_weights().set_index(["characteristic", "category"])
    disabled = weights.loc[("disability", "disabled")]
    # CSEW YE Mar 2022, partner abuse of women 16+: disabled 9.235190% against 4.770983% overall.
    assert disabled["weight"] == pytest.approx(9.235190 / 4.770983, abs=1e-4)
    assert (
        weights["weight"].dropna() == (weights["rate"] / weights["reference_rate"]).round(4).dropna()
    ).all()
    assert set(weights["question_set"]) == {"old"}
    # No relative_prevalence column: the shipped weights apply. Bisexual 10% x 2.3844 against
    # heterosexual 90% x 0.9561; gay or lesbian was suppressed by ONS, so it is not weighted.
    data = _with_characteristics(
        [
            ("sexual_orientation", "heterosexual", 900, 0),
            ("sexual_orientation", "bisexual", 100, 0),
            ("sexual_orientation", "gay_or_lesbian", 50, 0),
        ],
        relative=False,
    )
    shares = _shares(data, "sexual_orientation")
    total = 900 * 0.9561 + 100 * 2.3844 + 50 * 1
    assert shares.loc["bisexual", "expected_share"] == pytest.approx(100 * 2.3844 / total)
    assert shares.loc["gay_or_lesbian", "expected_share"] == pytest.approx(50 / total)
    assert shares.loc["gay_or_lesbian", "weight_basis"] == NOT_WEIGHTED
    # The fixture's rates are the new question set; the weights the old: flagged.
    assert (
        shares.loc["bisexual", "weight_basis"]
        == "CSEW YE Mar 2022, old question set (rates: new question set)"
    )


def _rows(rows: list[tuple], basis: str = "CSEW YE Mar 2022, old question set") -> pd.DataFrame:
    """Representation rows ``(characteristic, category, observed_count, observed_total,
    expected_share)`` of one area and basis, with the ratio."""
    frame = pd.DataFrame(
        rows, columns=["characteristic", "category", "observed_count", "observed_total", "expected_share"]
    )
    frame.insert(0, "area_code", SHIRE)
    frame["basis"] = "supported"
    frame["weight_basis"] = basis
    frame["ratio"] = frame["observed_count"] / frame["observed_total"] / frame["expected_share"]
    return frame


def test_flags_at_95_and_99_8_percent_hand_worked():
    # Expected 20% in each of five groups, 100 households. 11 observed: Wilson upper limits
    # 0.1863 (95%) and 0.2424 (99.8%), ratio limits 0.93 and 1.21: below at 95% only.
    # 4 observed: 0.0984 and 0.1505, ratio limits 0.49 and 0.75: below at 99.8%.
    frame = flag_rows(
        _rows(
            [
                ("disability", "a", 11, 100, 0.2),
                ("disability", "b", 4, 100, 0.2),
                ("disability", "c", 20, 100, 0.2),
                ("disability", "d", 30, 100, 0.2),
                ("disability", "e", 35, 100, 0.2),
            ]
        )
    ).set_index("category")
    for x in (11, 4):
        assert wilson(x, 100, 0.95)[1] / 0.2 < 1
    assert wilson(11, 100, 0.998)[1] / 0.2 > 1 > wilson(4, 100, 0.998)[1] / 0.2
    assert frame.loc["a", "significance"] == "below at 95%"
    assert frame.loc["b", "significance"] == "below at 99.8%"
    assert frame.loc["c", "significance"] == "not significant"
    assert wilson(30, 100, 0.95)[0] / 0.2 > 1 > wilson(30, 100, 0.998)[0] / 0.2
    assert frame.loc["d", "significance"] == "above at 95%"
    assert frame.loc["e", "significance"] == "above at 99.8%"
    # Both below-1 groups are at most 0.8 (0.55, 0.20): under-reached; none is a majority.
    assert frame["under_reached"].tolist() == [True, True, False, False, False]
    assert not frame["majority"].any()


def test_no_flag_without_a_weight_or_below_the_minimum_difference():
    # 2,700 of 10,000 against 30%: ratio 0.90, below 1 at 99.8% (upper 0.95) but not at most 0.8.
    small = flag_rows(_rows([("religion", "a", 2700, 10000, 0.3), ("religion", "b", 3700, 10000, 0.35),
                             ("religion", "c", 3600, 10000, 0.35)]))  # fmt: skip
    assert small.loc[0, "significance"] == "below at 99.8%" and small.loc[0, "ratio"] == pytest.approx(0.9)
    assert not small.loc[0, "under_reached"]
    # 4 of 100 against 20% (ratio 0.20, below at 99.8%) but the expected share is a population share.
    unweighted = flag_rows(
        _rows([("religion", "a", 4, 100, 0.2), ("religion", "b", 46, 100, 0.4), ("religion", "c", 50, 100, 0.4)],
              basis=NOT_WEIGHTED)
    )  # fmt: skip
    assert unweighted.loc[0, "significance"] == "below at 99.8%"
    assert not unweighted["under_reached"].any()


def test_majority_mirror_flags_suppressed():
    # Two groups, expected 60% / 40%: women observed 150 of 500 (ratio 0.5, below at 99.8%)
    # only mirrors men's 350 of 500 (ratio 1.75): the larger group is not flagged.
    binary = flag_rows(_rows([("sex", "female", 150, 500, 0.6), ("sex", "male", 350, 500, 0.4)])).set_index(
        "category"
    )
    assert binary.loc["female", "significance"] == "below at 99.8%" and binary.loc["female", "majority"]
    assert not binary["under_reached"].any()
    assert binary.loc["male", "significance"] == "above at 99.8%"
    # Three groups, one with 70% expected: it is the majority; a small group below is flagged.
    three = flag_rows(
        _rows([("ethnic_group", "a", 300, 500, 0.7), ("ethnic_group", "b", 20, 500, 0.2),
               ("ethnic_group", "c", 180, 500, 0.1)])
    ).set_index("category")  # fmt: skip
    assert three["majority"].tolist() == [True, False, False]
    assert not three.loc["a", "under_reached"] and three.loc["b", "under_reached"]
    # Three groups with none above 50%: no majority.
    even = flag_rows(_rows([("x", "a", 10, 100, 0.4), ("x", "b", 45, 100, 0.4), ("x", "c", 45, 100, 0.2)]))
    assert not even["majority"].any() and even.loc[0, "under_reached"]


def test_example_flags_follow_the_rule(example_folder):
    """On the example: every flagged row meets the stated rule; no unweighted or majority row
    is flagged; and the disability weights move the expected share of disabled victims above
    their Census share (relative prevalence above 1)."""
    rep, _, _ = representation(load(example_folder), "2023-24")
    flagged = rep[rep["under_reached"]]
    assert (flagged["ratio"] <= 0.8).all() and (flagged["ratio_upper"] < 1).all()
    assert flagged["significance"].str.startswith("below at").all()
    assert (flagged["weight_basis"] != NOT_WEIGHTED).all() and not flagged["majority"].any()
    assert rep.loc[rep["weight_basis"] == NOT_WEIGHTED, "under_reached"].eq(False).all()
    chars = pd.read_csv(example_folder / "characteristics.csv")
    county = chars[chars["area_code"].str.startswith("E07") & (chars["characteristic"] == "disability")]
    census_share = county.loc[county["category"] == "disabled", "count"].sum() / county["count"].sum()
    disabled = rep[(rep["area_code"] == "E10000018") & (rep["category"] == "disabled")]
    assert (disabled["expected_share"] > census_share).all()
