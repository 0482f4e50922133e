"""Comparisons the assessment adds on top of OHID's intervals: ratios and goodness of fit.

* :func:`representation_ratio`: an observed share against an expected (population) share,
  with the Wilson interval of the share;
* :func:`rate_ratio`: two rates compared by the conditional binomial (Wilson) method;
* :func:`goodness_of_fit` and :func:`goodness_of_fit_grouped`: Pearson's chi-square test of a
  category profile against expected shares, warning (:class:`SmallExpectedCountWarning`) when
  an expected count breaks Cochran's rule.

Inputs, confidence levels, missing values and misuse follow the conventions of
:mod:`needs.methods.intervals`, whose Wilson limits these build on.

References
----------
Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22:209-212.
Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, Volume II: The Design and
Analysis of Cohort Studies*. IARC Scientific Publications 82 (conditional binomial comparison
of two rates, section 2.2 and 3.4).
Pearson K (1900). On the criterion that a given system of deviations from the probable in
the case of a correlated system of variables is such that it can be reasonably supposed to
have arisen from random sampling. *Philosophical Magazine* (5th series) 50:157-175.
Cochran WG (1954). Some methods for strengthening the common chi-square tests.
*Biometrics* 10:417-451.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from needs.methods._arrays import (
    ArrayLike,
    _broadcast,
    _by_list,
    _check_nonnegative,
    _check_positive,
    _column,
    _group_codes,
    _group_sum,
    _levels,
    _limit_columns,
)
from needs.methods.intervals import proportion_ci, wilson_lower, wilson_upper
from needs.reference.constants import MIN_EXPECTED_COUNT_FOR_GOF

__all__ = [
    "SmallExpectedCountWarning",
    "goodness_of_fit",
    "goodness_of_fit_grouped",
    "rate_ratio",
    "representation_ratio",
    "significance_against",
]


class SmallExpectedCountWarning(UserWarning):
    """A chi-square goodness-of-fit test has an expected count below
    :data:`needs.reference.constants.MIN_EXPECTED_COUNT_FOR_GOF` (Cochran's rule), so its p-value is
    unreliable."""


# --------------------------------------------------------------------------------------
# Assessment helpers
# --------------------------------------------------------------------------------------


def representation_ratio(
    x: ArrayLike,
    n: ArrayLike,
    expected_share: ArrayLike,
    confidence: float | Sequence[float] = 0.95,
) -> pd.DataFrame:
    """Observed share against an expected (population) share, with a Wilson-based interval.

    .. math::

        \\text{value} = \\frac{x / n}{e}, \\qquad
        \\text{lower, upper} = \\frac{W_{L,U}(x, n)}{e}

    where :math:`W_L, W_U` are the Wilson limits of :math:`x/n`
    (:func:`~needs.methods.intervals.wilson_lower`, :func:`~needs.methods.intervals.wilson_upper`)
    and :math:`e` the expected share. The expected share (e.g. from the 2021 Census) is
    **treated as known**: its own sampling error is ignored, which is reasonable when it
    comes from a census or a far larger population than ``n``. A ratio
    below 1 whose upper limit is below 1 means the group is under-represented. The ratio is
    NaN where the expected share is 0 (undefined).

    Returns
    -------
    DataFrame
        ``share``, ``share_lower``, ``share_upper`` (the Wilson interval of ``x/n``) and
        ``value``, ``lower``, ``upper`` (the ratio); index ``0..k-1``.

    Raises
    ------
    ValueError
        As :func:`~needs.methods.intervals.proportion_ci`, or ``expected_share`` outside [0, 1].
    """
    xa, na, ea = _broadcast(x=x, n=n, expected_share=expected_share)
    if np.any((ea < 0) | (ea > 1)):
        raise ValueError("expected_share must be in [0, 1]")
    share = proportion_ci(xa, na, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        inverse = np.where(ea > 0, 1.0 / ea, np.nan)
    out = pd.DataFrame({"share": share["value"].to_numpy()})
    limit_cols = [c for c in share.columns if c != "value"]
    for column in limit_cols:
        out[f"share_{column}"] = share[column].to_numpy()
    out["value"] = out["share"].to_numpy() * inverse
    for column in limit_cols:
        out[column] = share[column].to_numpy() * inverse
    return out


def rate_ratio(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    confidence: float | Sequence[float] = 0.95,
) -> pd.DataFrame:
    """Ratio of two rates with a conditional-binomial (Wilson) interval.

    .. math:: \\text{RR} = \\frac{x_1 / n_1}{x_2 / n_2}

    Conditional on the total :math:`x_1 + x_2`, :math:`x_1` is binomial with probability
    :math:`\\pi = \\text{RR}\\, n_1 / (\\text{RR}\\, n_1 + n_2)` (Breslow & Day 1987, section
    3.4; OpenEpi "Compare two rates"). The Wilson interval :math:`(\\pi_L, \\pi_U)` of
    :math:`x_1 / (x_1 + x_2)` is transformed back:

    .. math:: \\text{RR}_{L,U} = \\frac{\\pi_{L,U}}{1 - \\pi_{L,U}} \\cdot \\frac{n_2}{n_1}

    Proportions can be passed as rates (counts and denominators); the method then treats them
    as Poisson rates, which is accurate when the proportions are small.

    Undefined cases: no events at all (:math:`x_1 = x_2 = 0`) -> all NaN;
    :math:`x_2 = 0` -> value and upper NaN (infinite), lower finite; :math:`x_1 = 0` -> value
    and lower 0.

    Returns
    -------
    DataFrame
        ``value``, ``lower``, ``upper``; index ``0..k-1``.

    Raises
    ------
    ValueError
        Negative counts, denominators not positive, ``confidence`` not in (0, 1).
    """
    a, na, b, nb = _broadcast(x1=x1, n1=n1, x2=x2, n2=n2)
    _check_nonnegative(a, "x1")
    _check_nonnegative(b, "x2")
    _check_positive(na, "n1")
    _check_positive(nb, "n2")
    levels, single = _levels(confidence)
    m = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = nb / na
        value = np.where(b > 0, (a / b) * scale, np.nan)
        value = np.where(m > 0, value, np.nan)
        out = {"value": value}
        m_safe = np.where(m > 0, m, 1.0)
        for level in levels:
            lo, up = _limit_columns(level, single)
            pl = wilson_lower(a, m_safe, level)
            pu = wilson_upper(a, m_safe, level)
            lower = np.where(pl >= 1, np.nan, pl / (1 - pl) * scale)
            upper = np.where((b == 0) | (pu >= 1), np.nan, pu / (1 - pu) * scale)
            out[lo] = np.where(m > 0, lower, np.nan)
            out[up] = np.where(m > 0, upper, np.nan)
    return pd.DataFrame(out)


def _warn_small(count: int) -> None:
    warnings.warn(
        f"{count} goodness-of-fit test(s) have an expected count below "
        f"{MIN_EXPECTED_COUNT_FOR_GOF}; their p-values are unreliable (Cochran's rule)",
        SmallExpectedCountWarning,
        stacklevel=3,
    )


def goodness_of_fit(observed: ArrayLike, expected_share: ArrayLike) -> dict[str, Any]:
    """Chi-square goodness-of-fit of an observed category profile against expected shares.

    The expected counts are the shares rescaled to the observed total,
    :math:`E_k = N s_k / \\sum_j s_j`, and

    .. math:: X^2 = \\sum_k \\frac{(O_k - E_k)^2}{E_k}, \\qquad \\text{dof} = K - 1

    referred to the :math:`\\chi^2_{K-1}` distribution (Pearson 1900; ``scipy.stats.chisquare``).
    Categories with expected share 0 and no observations are left out (they carry no
    information); an observation in a category with expected share 0 gives an infinite
    statistic and p-value 0. When an expected count is below
    :data:`needs.reference.constants.MIN_EXPECTED_COUNT_FOR_GOF` (Cochran's rule) a
    :class:`SmallExpectedCountWarning` is emitted and ``small_expected`` is True.

    Parameters
    ----------
    observed : array-like
        Counts per category (non-negative).
    expected_share : array-like
        Expected shares (any non-negative scale; rescaled to sum to 1).

    Returns
    -------
    dict
        ``statistic``, ``dof``, ``p_value``, ``min_expected``, ``small_expected``. All NaN
        (``small_expected`` False) if an input is missing or nothing was observed.
    """
    obs, share = _broadcast(observed=observed, expected_share=expected_share)
    _check_nonnegative(obs, "observed")
    _check_nonnegative(share, "expected_share")
    result: dict[str, Any] = {
        "statistic": np.nan,
        "dof": np.nan,
        "p_value": np.nan,
        "min_expected": np.nan,
        "small_expected": False,
    }
    if np.isnan(obs).any() or np.isnan(share).any() or obs.sum() == 0:
        return result
    if share.sum() <= 0:
        raise ValueError("expected_share must have a positive total")
    keep = (share > 0) | (obs > 0)
    obs, share = obs[keep], share[keep]
    expected = share / share.sum() * obs.sum()
    if np.any(expected == 0):
        statistic, p_value = np.inf, 0.0
    else:
        # Pearson's statistic; chdtrc is the chi-square survival function (as scipy.stats.chisquare).
        statistic = float(np.sum((obs - expected) ** 2 / expected))
        p_value = float(special.chdtrc(len(obs) - 1, statistic)) if len(obs) > 1 else np.nan
    result.update(
        statistic=float(statistic),
        dof=int(len(obs) - 1),
        p_value=float(p_value),
        min_expected=float(expected.min()),
        small_expected=bool(expected.min() < MIN_EXPECTED_COUNT_FOR_GOF),
    )
    if result["small_expected"]:
        _warn_small(1)
    return result


def goodness_of_fit_grouped(
    data: pd.DataFrame,
    observed: Hashable,
    expected_share: Hashable,
    by: Hashable | Sequence[Hashable],
) -> pd.DataFrame:
    """:func:`goodness_of_fit` for every group of a tidy long table at once.

    Per group: :math:`E_k = N s_k / \\sum_j s_j`, :math:`X^2 = \\sum_k (O_k - E_k)^2 / E_k`,
    dof = number of categories - 1, p-value from ``scipy.stats.chi2.sf`` (vectorised over
    groups; Pearson 1900). Categories with expected share 0 and no observations are left
    out; an observation where the expected share is 0 gives an infinite statistic. A group
    with a missing count or share, nothing observed, or no positive expected share gets NaN
    (``dof`` missing, ``small_expected`` False); a group with a single category has dof 0 and
    p-value NaN.
    One :class:`SmallExpectedCountWarning` is emitted if any group has an expected count
    below :data:`needs.reference.constants.MIN_EXPECTED_COUNT_FOR_GOF`.

    Parameters
    ----------
    data : DataFrame
        One row per group × category.
    observed, expected_share : column names
    by : column name(s)
        Group columns (e.g. ``["area_code", "characteristic", "basis"]``).

    Returns
    -------
    DataFrame
        ``by`` columns, ``observed_total``, ``statistic``, ``dof``, ``p_value``,
        ``min_expected``, ``small_expected``.
    """
    by_cols = _by_list(by)
    codes, keys = _group_codes(data, by_cols)
    ngroups = len(keys)
    obs = _column(data, observed, "observed")
    share = _column(data, expected_share, "expected_share")
    _check_nonnegative(obs, "observed")
    _check_nonnegative(share, "expected_share")

    keep = (share > 0) | (obs > 0) | np.isnan(share) | np.isnan(obs)
    weight = keep.astype(float)
    total = _group_sum(obs, codes, ngroups, skipna=False)
    share_total = _group_sum(share, codes, ngroups, skipna=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = share / share_total[codes] * total[codes]
        contribution = np.where(keep, (obs - expected) ** 2 / expected, 0.0)
    statistic = _group_sum(contribution, codes, ngroups, skipna=False)
    categories = np.bincount(codes, weights=weight, minlength=ngroups)
    min_expected = (
        pd.Series(np.where(keep, expected, np.inf)).groupby(codes).min().reindex(range(ngroups)).to_numpy()
    )
    valid = np.isfinite(total) & np.isfinite(share_total) & (total > 0) & (share_total > 0)
    dof = categories - 1
    with np.errstate(invalid="ignore"):
        p_value = np.where(valid & (dof >= 1), special.chdtrc(np.maximum(dof, 1), statistic), np.nan)
    out = keys.reset_index(drop=True).copy()
    out["observed_total"] = total
    out["statistic"] = np.where(valid, statistic, np.nan)
    out["dof"] = pd.array(np.where(valid, dof, 0).astype("int64"), dtype="Int64")
    out.loc[~valid, "dof"] = pd.NA
    out["p_value"] = p_value
    out["min_expected"] = np.where(valid, min_expected, np.nan)
    small = valid & (min_expected < MIN_EXPECTED_COUNT_FOR_GOF)
    out["small_expected"] = small
    if small.any():
        _warn_small(int(small.sum()))
    return out


def significance_against(
    limits: dict[float, tuple[ArrayLike, ArrayLike]],
    null: float = 1.0,
) -> np.ndarray:
    """OHID-style significance of a ratio against ``null`` at several confidence levels.

    For each level (e.g. 95% and 99.8%, :data:`needs.reference.constants.OHID_CONFIDENCE_LEVELS`)
    the interval ``(lower, upper)`` is compared with ``null``: **below** when ``upper < null``,
    **above** when ``lower > null``. Each value is labelled by the highest level at which it
    differs: ``"below at 99.8%"``, ``"below at 95%"``, ``"not significant"``, ``"above at 95%"``,
    ``"above at 99.8%"`` (Fingertips compares every value with its benchmark at 95% and 99.8%,
    the latter about three standard errors, so that among many comparisons few are flagged by
    chance; PHE (2018) *Technical guide: confidence intervals*, Fingertips "Compared with
    benchmark"). A value with a missing limit gets ``None``.

    Parameters
    ----------
    limits
        Confidence level -> ``(lower, upper)`` arrays of the same length.
    null
        The value of no difference (1 for a ratio).

    Returns
    -------
    numpy.ndarray
        Object array of labels.
    """
    if not limits:
        raise ValueError("limits: give at least one confidence level")
    levels = sorted(limits)
    first = np.asarray(limits[levels[0]][0], dtype=float)
    out = np.full(first.shape, "not significant", dtype=object)
    missing = np.zeros(first.shape, dtype=bool)
    for level in levels:  # ascending: a higher level overwrites a lower one
        lower = np.asarray(limits[level][0], dtype=float)
        upper = np.asarray(limits[level][1], dtype=float)
        if lower.shape != first.shape or upper.shape != first.shape:
            raise ValueError("limits: every level needs lower and upper arrays of the same length")
        label = f"{100 * level:g}%"
        missing |= np.isnan(lower) | np.isnan(upper)
        with np.errstate(invalid="ignore"):
            out = np.where(upper < null, f"below at {label}", out)
            out = np.where(lower > null, f"above at {label}", out)
    out = out.astype(object)
    out[missing] = None
    return out
