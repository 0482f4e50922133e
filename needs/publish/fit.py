"""The goodness-of-fit test as it may be published: computed only on the published counts.

The assessment's chi-square test (:func:`needs.methods.comparisons.goodness_of_fit_grouped`,
part ``goodness_of_fit``) uses every raw count. Published next to a table whose small counts
are hidden (``[c]``), that statistic can give the hidden counts back: the visible counts fix
the sum of the hidden ones, and usually only one split of that sum reproduces the published
statistic. :func:`published_goodness_of_fit` computes the test on what the table publishes
instead: the hidden groups are merged into one, whose count is the known total minus the
visible counts (already derivable from the table), so the statistic reveals nothing new.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from needs.methods import comparisons
from needs.publish.formatting import SYMBOLS, category_label
from needs.reference.categories import NOT_KNOWN

__all__ = ["FIT_COLUMNS", "published_goodness_of_fit"]

_KEYS: list[str] = ["area_code", "characteristic", "basis"]
_REQUIRED: tuple[str, ...] = (*_KEYS, "category", "expected_share", "observed_count", "observed_total")

#: Columns of :func:`published_goodness_of_fit`.
FIT_COLUMNS: tuple[str, ...] = (*_KEYS, "statistic", "dof", "p_value", "small_expected", "merged")


def _published_numbers(values: pd.Series, name: str) -> pd.Series:
    """Published figures as floats: ONS symbols (``[c]``, ``[x]``, ``[z]``) and blanks as NaN."""
    text = values.astype(object)
    symbol = text.isin(SYMBOLS)
    try:
        numbers = pd.to_numeric(text.mask(symbol), errors="raise")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"representation: column {name!r} must hold numbers or ONS symbols") from exc
    return pd.Series(np.asarray(numbers, dtype="float64"), index=values.index)


def published_goodness_of_fit(representation: pd.DataFrame) -> pd.DataFrame:
    """Chi-square goodness of fit per area x characteristic x basis, on published counts only.

    Within each group (``area_code``, ``characteristic``, ``basis``) every category whose
    count is hidden (``observed_count`` is an ONS symbol such as ``[c]``, or missing) is
    merged into **one** category with

    .. math::

        O_h = n - \\sum_{k \\text{ visible}} O_k, \\qquad
        p_h = \\sum_{k \\text{ hidden}} p_k

    where :math:`n` is the known total ``observed_total`` and :math:`p_k` the expected shares.
    :math:`O_h` is already derivable from the published table (total minus visible cells),
    so a statistic computed on the merged profile reveals nothing the table does not; one
    computed on the raw counts can (only one split of :math:`O_h` may reproduce it). On the
    :math:`K'` merged categories, Pearson's statistic is

    .. math::

        X^2 = \\sum_{k=1}^{K'} \\frac{(O_k - E_k)^2}{E_k}, \\qquad
        E_k = n \\, \\frac{p_k}{\\sum_j p_j}, \\qquad \\text{dof} = K' - 1

    referred to :math:`\\chi^2_{K'-1}` (Pearson 1900), computed by
    :func:`needs.methods.comparisons.goodness_of_fit_grouped` exactly as the assessment's
    ``goodness_of_fit`` part: where no category is hidden the result is that part's. As
    there, categories with expected share 0 and no households are left out, and the
    ``not_known`` category (:data:`needs.reference.categories.NOT_KNOWN`) is not part of the
    test (``observed_total`` counts the households whose value is known).

    A single hidden category cannot occur in a correctly protected table (secondary
    suppression hides at least two, :mod:`needs.methods.disclosure`); if it does, its
    "merge" is the category itself, whose count is derivable anyway, and the test uses it.
    The merged count may be non-zero and below the suppression threshold: it is derivable
    from the table, so publishing a statistic that depends on it reveals nothing more.

    The test is **not available** (``statistic``, ``dof`` and ``p_value`` missing, published
    as ``[x]``) where ``observed_total`` is hidden, missing or 0, where a hidden category has
    no expected share, or where fewer than two categories remain after merging (less than one
    degree of freedom; also when no category is hidden, unlike the assessment's part, which
    reports a one-category group with statistic 0 and dof 0).

    Parameters
    ----------
    representation : DataFrame
        The ``representation`` part as published: one row per area x characteristic x
        category x basis with at least ``area_code``, ``characteristic``, ``category``,
        ``basis``, ``expected_share``, ``observed_count`` and ``observed_total``.
        ``observed_count`` and ``observed_total`` may hold ONS symbols (``[c]``, ``[x]``) or
        missing values; ``observed_total`` is the same on every row of a group.

    Returns
    -------
    DataFrame
        One row per area x characteristic x basis that has an expected profile (groups with
        no expected share at all, such as pregnancy and the additional needs, have no test,
        as in the assessment), in the order of the input, with columns :data:`FIT_COLUMNS`:
        ``statistic``, ``dof`` (nullable integer), ``p_value``; ``small_expected`` True when
        an expected count of the merged profile is below
        :data:`needs.reference.constants.MIN_EXPECTED_COUNT_FOR_GOF` (Cochran's rule, as in the
        assessment); ``merged`` the labels of the merged categories
        (:mod:`needs.reference.categories`), e.g. ``"Buddhist, Jewish combined"``, or ``""``
        when nothing was merged or the test is not available.

    Raises
    ------
    ValueError
        A required column is missing; a count or total is neither a number nor an ONS
        symbol; ``observed_total`` differs within a group; or the visible counts of a group
        exceed its total, or fall short of it with nothing hidden (the table is inconsistent).

    References
    ----------
    Pearson K (1900). On the criterion that a given system of deviations from the probable in
    the case of a correlated system of variables is such that it can be reasonably supposed
    to have arisen from random sampling. *Philosophical Magazine* (5th series) 50:157-175.
    Government Statistical Service. *Statistical disclosure control for tables produced from
    administrative data sources* (GSS/GSR guidance); Office for National Statistics. *Policy
    on protecting confidentiality in tables of birth and death statistics*: a published
    figure, derived statistics included, must not allow a suppressed cell to be recovered.
    Hundepool A et al. (2012). *Statistical Disclosure Control*. Wiley, chapter 5
    (frequency tables).
    """
    missing = [c for c in _REQUIRED if c not in representation.columns]
    if missing:
        raise ValueError(f"representation: missing column(s) {', '.join(map(repr, missing))}")
    known = representation["category"].astype(str) != NOT_KNOWN
    data = representation.loc[known, list(_REQUIRED)].reset_index(drop=True)
    count = _published_numbers(data["observed_count"], "observed_count")
    total = _published_numbers(data["observed_total"], "observed_total")
    share = _published_numbers(data["expected_share"], "expected_share")
    hidden = count.isna()

    rows = data[_KEYS].assign(
        _visible=count.where(~hidden, 0.0),
        _hidden=hidden.astype("int64"),
        _hidden_share=share.where(hidden, 0.0),
        _unshared=hidden & share.isna(),
        _profile=share.notna(),
        _total=total,
        _total_missing=total.isna(),
    )
    groups = (
        rows.groupby(_KEYS, sort=False, observed=True, dropna=False)
        .agg(
            visible=("_visible", "sum"),
            n_hidden=("_hidden", "sum"),
            hidden_share=("_hidden_share", "sum"),
            unshared=("_unshared", "any"),
            profile=("_profile", "any"),
            total=("_total", "max"),
            total_low=("_total", "min"),
            total_missing=("_total_missing", "any"),
        )
        .reset_index()
    )
    groups = groups[groups["profile"]].reset_index(drop=True)

    known_total = ~groups["total_missing"] & (groups["total"] > 0)
    if (known_total & (groups["total"] != groups["total_low"])).any():
        raise ValueError("representation: observed_total must be the same on every row of a group")
    remainder = groups["total"] - groups["visible"]
    inconsistent = known_total & ((remainder < 0) | ((groups["n_hidden"] == 0) & (remainder != 0)))
    if inconsistent.any():
        first = groups.loc[inconsistent, _KEYS].iloc[0].tolist()
        raise ValueError(
            "representation: the visible observed_count values do not add up to observed_total "
            f"(first in group {first})"
        )
    available = known_total & ~groups["unshared"]
    groups["_available"] = available

    # The test's rows: visible categories with an expected share, then one merged category.
    in_test = data[_KEYS].merge(groups[[*_KEYS, "_available"]], on=_KEYS, how="left")["_available"]
    shown = in_test.fillna(False).astype(bool) & ~hidden & share.notna() & ((share > 0) | (count > 0))
    visible_rows = data.loc[shown, _KEYS].assign(observed_count=count[shown], expected_share=share[shown])
    merging = available & (groups["n_hidden"] > 0)
    merged_rows = groups.loc[merging, _KEYS].assign(
        observed_count=remainder[merging], expected_share=groups.loc[merging, "hidden_share"]
    )
    merged_rows = merged_rows[(merged_rows["expected_share"] > 0) | (merged_rows["observed_count"] > 0)]
    tested = pd.concat([visible_rows, merged_rows], ignore_index=True)

    out = groups[_KEYS].copy()
    if tested.empty:
        out["statistic"] = np.nan
        out["dof"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["p_value"] = np.nan
        out["small_expected"] = False
    else:
        with warnings.catch_warnings():
            # Reported in the ``small_expected`` column instead, as in the assessment.
            warnings.simplefilter("ignore", comparisons.SmallExpectedCountWarning)
            fit = comparisons.goodness_of_fit_grouped(
                tested, observed="observed_count", expected_share="expected_share", by=_KEYS
            )
        out = out.merge(
            fit[[*_KEYS, "statistic", "dof", "p_value", "small_expected"]], on=_KEYS, how="left", sort=False
        )
    testable = (out["dof"] >= 1).fillna(False).astype(bool).to_numpy()
    out["statistic"] = np.where(testable, out["statistic"].astype("float64"), np.nan)
    out["p_value"] = np.where(testable, out["p_value"].astype("float64"), np.nan)
    out["dof"] = out["dof"].astype("Int64").where(testable, pd.NA)
    out["small_expected"] = out["small_expected"].fillna(False).astype(bool).to_numpy() & testable

    # Labels of the merged categories: looked up once per distinct code, joined per group.
    cells = data.loc[hidden, [*_KEYS, "category"]]
    pairs = pd.MultiIndex.from_arrays([cells["characteristic"].astype(str), cells["category"].astype(str)])
    codes = pairs.unique()
    labels = pd.Series([category_label(c, k) for c, k in codes], index=codes, dtype=object)
    cells = cells.assign(label=labels.reindex(pairs).to_numpy())
    joined = cells.groupby(_KEYS, sort=False, observed=True, dropna=False)["label"].agg([", ".join, "size"])
    joined.columns = ["labels", "n"]
    joined["merged"] = joined["labels"] + np.where(joined["n"] > 1, " combined", " worked out from the total")
    out = out.merge(joined["merged"].reset_index(), on=_KEYS, how="left", sort=False)
    out["merged"] = out["merged"].where(testable, "").fillna("")
    return out[list(FIT_COLUMNS)].reset_index(drop=True)
