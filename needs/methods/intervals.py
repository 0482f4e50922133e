"""Confidence intervals of proportions, rates and means, computed the way OHID computes them.

Every interval here reproduces the R package *PHEindicatormethods* (Office for Health
Improvement and Disparities / UKHSA, v2.1.0, repository
``ukhsa-collaboration/PHEindicatormethods``), whose own validation workbooks are the reference
values of ``tests/methods/test_intervals.py``:

=====================  ==============================================  =====================
function               method                                          PHEindicatormethods
=====================  ==============================================  =====================
:func:`proportion_ci`  Wilson score interval (Wilson 1927)             ``phe_proportion``
:func:`rate_ci`        exact Poisson below 10 events, Byar above       ``phe_rate``
:func:`mean_ci`        Student's t interval                            ``phe_mean``
=====================  ==============================================  =====================

with the primitive limits they are built from (:func:`wilson_lower`, :func:`wilson_upper`,
:func:`byars_lower`, :func:`byars_upper`, :func:`poisson_limits`) and :func:`sum_by`, R's
grouped ``sum``. Standardised rates are in :mod:`needs.methods.standardised`; the ratios and
tests the assessment adds are in :mod:`needs.methods.comparisons`.

Conventions
-----------
(shared by :mod:`needs.methods.standardised` and :mod:`needs.methods.comparisons`)

* Inputs are scalars, array-likes or Series; outputs are DataFrames with columns ``value``,
  ``lower``, ``upper`` (one row per input, index ``0..k-1``), or one row per group for the
  grouped functions (the ``by`` columns first).
* ``confidence`` is a level in (0, 1); OHID publishes 0.95 and 0.998
  (:data:`needs.reference.constants.OHID_CONFIDENCE_LEVELS`). A sequence of levels gives one pair of
  columns per level, named ``lower_95_0``/``upper_95_0``, ``lower_99_8``/``upper_99_8`` (the
  level in percent, ``.`` written ``_``), instead of ``lower``/``upper``.
* Missing values behave as in R: a missing input gives a missing output for its row, and
  grouped sums propagate a missing value to the group (R ``sum`` without ``na.rm``), except
  where OHID treats a missing count as zero (DSR and ISR observed counts; stated there).
* Misuse (negative counts, a numerator above its denominator for a proportion, a denominator
  that is not positive, a confidence level outside (0, 1)) raises ``ValueError`` naming the
  argument.

References
----------
Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22:209-212.
Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, Volume II: The Design and
Analysis of Cohort Studies*. IARC Scientific Publications 82 (Byar's approximation, p. 69).
Garwood F (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28:437-442.
Public Health England (2018). *Technical Guide: Confidence Intervals* (Fingertips methods, OHID).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import special

from needs.methods._arrays import (
    ArrayLike,
    _broadcast,
    _by_list,
    _check_confidence,
    _check_nonnegative,
    _check_positive,
    _column,
    _group_codes,
    _group_sum,
    _levels,
    _limit_columns,
    _to_float,
    _z,
)

__all__ = [
    "SMALL_COUNT",
    "byars_lower",
    "byars_upper",
    "mean_ci",
    "poisson_limits",
    "proportion_ci",
    "rate_ci",
    "sum_by",
    "wilson_lower",
    "wilson_upper",
]

#: Threshold below which Poisson limits are exact (chi-square) rather than Byar's, and below
#: which OHID does not publish a DSR (PHEindicatormethods ``phe_rate``/``calculate_dsr``).
SMALL_COUNT = 10


# --------------------------------------------------------------------------------------
# Primitive limits
# --------------------------------------------------------------------------------------


def wilson_lower(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Lower Wilson score limit for a proportion ``x / n``.

    .. math:: L = \\frac{2x + z^2 - z\\sqrt{z^2 + 4x(1 - x/n)}}{2(n + z^2)}

    with :math:`z` the ``(1 + confidence) / 2`` standard normal quantile (Wilson 1927; PHE
    *Technical Guide: Confidence Intervals*; PHEindicatormethods ``wilson_lower``). Clipped to
    [0, 1] against rounding, and exactly 0 when ``x = 0``. ``x`` need not be an integer.
    """
    xa, na = _broadcast(x=x, n=n)
    z = _z(_check_confidence(confidence))
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = (2 * xa + z**2 - z * np.sqrt(z**2 + 4 * xa * (1 - xa / na))) / (2 * (na + z**2))
    # exactly 0 at x = 0 (the square root is then z), whatever the rounding
    return np.where(xa == 0, 0.0, np.clip(lower, 0.0, 1.0))


def wilson_upper(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Upper Wilson score limit for a proportion ``x / n``.

    .. math:: U = \\frac{2x + z^2 + z\\sqrt{z^2 + 4x(1 - x/n)}}{2(n + z^2)}

    (Wilson 1927; PHEindicatormethods ``wilson_upper``). Clipped to [0, 1] against rounding,
    and exactly 1 when ``x = n``.
    """
    xa, na = _broadcast(x=x, n=n)
    z = _z(_check_confidence(confidence))
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = (2 * xa + z**2 + z * np.sqrt(z**2 + 4 * xa * (1 - xa / na))) / (2 * (na + z**2))
    # exactly 1 at x = n (the square root is then z), whatever the rounding
    return np.where(xa == na, 1.0, np.clip(upper, 0.0, 1.0))


def byars_lower(x: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Byar's approximate lower limit for a Poisson count ``x``.

    .. math:: L = x\\left(1 - \\frac{1}{9x} - \\frac{z}{3\\sqrt{x}}\\right)^3

    (Breslow & Day 1987, p. 69; PHEindicatormethods ``byars_lower``). A negative result (very
    small ``x`` at high confidence) is returned as NaN, as in PHEindicatormethods.
    """
    xa = _to_float(x, "x").ravel()
    z = _z(_check_confidence(confidence))
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = xa * (1 - 1 / (9 * xa) - z / (3 * np.sqrt(xa))) ** 3
    return np.where(lower < 0, np.nan, lower)


def byars_upper(x: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Byar's approximate upper limit for a Poisson count ``x``.

    .. math:: U = (x + 1)\\left(1 - \\frac{1}{9(x + 1)} + \\frac{z}{3\\sqrt{x + 1}}\\right)^3

    (Breslow & Day 1987, p. 69; PHEindicatormethods ``byars_upper``).
    """
    xa = _to_float(x, "x").ravel() + 1
    z = _z(_check_confidence(confidence))
    return xa * (1 - 1 / (9 * xa) + z / (3 * np.sqrt(xa))) ** 3


def poisson_limits(x: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Limits for a Poisson count: exact below 10, Byar's from 10 (OHID's rule).

    For ``x < 10`` the exact limits are chi-square quantiles,
    :math:`L = \\chi^2_{2x}(\\alpha/2)/2` and :math:`U = \\chi^2_{2x+2}(1-\\alpha/2)/2`
    with :math:`\\alpha = 1 - \\text{confidence}` (Garwood 1936; computed as the inverse
    regularised incomplete gamma function, since :math:`\\chi^2_{2k}/2 \\sim \\Gamma(k)`);
    :math:`L = 0` when ``x = 0``. For ``x >= 10``, :func:`byars_lower` and :func:`byars_upper`.
    This is PHEindicatormethods ``phe_rate``'s rule.

    Returns
    -------
    (lower, upper) : two float arrays (counts, not yet divided by a denominator)
    """
    xa = _to_float(x, "x").ravel()
    level = _check_confidence(confidence)
    alpha = 1.0 - level
    lower = np.full(xa.shape, np.nan)
    upper = np.full(xa.shape, np.nan)
    # exact limits only where needed: the inverse incomplete gamma is the costly part
    # (computed once per distinct small count, usually just 0..9)
    small = np.flatnonzero(xa < SMALL_COUNT)
    xs, position = np.unique(xa[small], return_inverse=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        exact_lower = np.where(xs > 0, special.gammaincinv(np.where(xs > 0, xs, 1.0), alpha / 2), 0.0)
        exact_upper = special.gammaincinv(xs + 1, 1 - alpha / 2)
    lower[small] = exact_lower[position]
    upper[small] = exact_upper[position]
    large = np.flatnonzero(xa >= SMALL_COUNT)
    lower[large] = byars_lower(xa[large], level)
    upper[large] = byars_upper(xa[large], level)
    return lower, upper


# --------------------------------------------------------------------------------------
# Proportions and rates
# --------------------------------------------------------------------------------------


def proportion_ci(
    x: ArrayLike,
    n: ArrayLike,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Proportion with a Wilson score interval (PHEindicatormethods ``phe_proportion``).

    .. math::

        \\text{value} = \\frac{x}{n} m, \\qquad
        \\text{lower, upper} = \\frac{2x + z^2 \\mp z\\sqrt{z^2 + 4x(1 - x/n)}}{2(n + z^2)}\\, m

    with :math:`m` the multiplier (1 for a proportion, 100 for a percentage) and :math:`z` the
    two-sided normal quantile for ``confidence`` (Wilson 1927).

    Parameters
    ----------
    x, n : scalar, array-like or Series
        Numerators and denominators (broadcast together). Missing -> missing output.
    confidence : float or sequence of floats
        Level(s) in (0, 1). A sequence gives ``lower_95_0``-style columns per level.
    multiplier : float
        Scale of the output.

    Returns
    -------
    DataFrame
        ``value``, ``lower``, ``upper``; index ``0..k-1``.

    Raises
    ------
    ValueError
        ``x`` negative or greater than ``n``, ``n`` not positive, ``confidence`` not in (0, 1).
    """
    xa, na = _broadcast(x=x, n=n)
    _check_nonnegative(xa, "x")
    _check_positive(na, "n")
    if np.any(xa > na):
        raise ValueError("x must not be greater than n for a proportion")
    levels, single = _levels(confidence)
    out = {"value": xa / na * multiplier}
    for level in levels:
        lo, up = _limit_columns(level, single)
        out[lo] = wilson_lower(xa, na, level) * multiplier
        out[up] = wilson_upper(xa, na, level) * multiplier
    return pd.DataFrame(out)


def rate_ci(
    x: ArrayLike,
    n: ArrayLike,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Crude rate with exact Poisson limits below 10 events and Byar's from 10 (``phe_rate``).

    .. math::

        \\text{value} = \\frac{x}{n} m, \\qquad
        \\text{lower} = \\frac{L(x)}{n} m, \\quad \\text{upper} = \\frac{U(x)}{n} m

    where :math:`L, U` are :func:`poisson_limits`: for :math:`x < 10`
    :math:`L = \\chi^2_{2x}(\\alpha/2)/2`, :math:`U = \\chi^2_{2x+2}(1 - \\alpha/2)/2`;
    for :math:`x \\ge 10` Byar's approximation
    :math:`L = x(1 - 1/(9x) - z/(3\\sqrt{x}))^3`,
    :math:`U = (x+1)(1 - 1/(9(x+1)) + z/(3\\sqrt{x+1}))^3` (Breslow & Day 1987; PHE
    *Technical Guide: Confidence Intervals*). The numerator may exceed the denominator.

    Parameters
    ----------
    x, n : scalar, array-like or Series
        Event counts and person-time/population (broadcast). Missing -> missing output.
    confidence : float or sequence of floats
    multiplier : float
        Rate per ``multiplier`` (default per 100,000).

    Returns
    -------
    DataFrame
        ``value``, ``lower``, ``upper``; index ``0..k-1``.

    Raises
    ------
    ValueError
        ``x`` negative, ``n`` not positive, ``confidence`` not in (0, 1).
    """
    xa, na = _broadcast(x=x, n=n)
    _check_nonnegative(xa, "x")
    _check_positive(na, "n")
    levels, single = _levels(confidence)
    out = {"value": xa / na * multiplier}
    for level in levels:
        lo, up = _limit_columns(level, single)
        lower, upper = poisson_limits(xa, level)
        out[lo] = lower / na * multiplier
        out[up] = upper / na * multiplier
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------
# Means
# --------------------------------------------------------------------------------------


def mean_ci(
    data: pd.DataFrame,
    value: Hashable,
    by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
) -> pd.DataFrame:
    """Mean with a Student's t interval (PHEindicatormethods ``phe_mean``).

    .. math::

        \\bar{x} \\pm t_{n-1}\\!\\left(\\tfrac{1 + \\text{confidence}}{2}\\right)
        \\frac{s}{\\sqrt{n}}, \\qquad s^2 = \\frac{1}{n-1}\\sum (x - \\bar{x})^2

    (Student 1908; PHE *Technical Guide: Confidence Intervals*). A group with a missing value
    has a missing sum, mean and interval (R ``sum``/``sd`` without ``na.rm``); a group of one
    value has no interval.

    Returns
    -------
    DataFrame
        ``by`` columns, ``value_sum``, ``value_count``, ``stdev``, ``value``, ``lower``,
        ``upper``.
    """
    by_cols = _by_list(by)
    levels, single = _levels(confidence)
    codes, keys = _group_codes(data, by_cols)
    ngroups = len(keys)
    x = _column(data, value, "value")
    total = _group_sum(x, codes, ngroups, skipna=False)
    count = np.bincount(codes, minlength=ngroups).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        deviation = x - mean[codes]
        sd = np.sqrt(_group_sum(deviation**2, codes, ngroups, skipna=False) / (count - 1))
        sd = np.where(count > 1, sd, np.nan)
    out = keys.reset_index(drop=True).copy()
    out["value_sum"] = total
    out["value_count"] = count.astype("int64")
    out["stdev"] = sd
    out["value"] = mean
    for level in levels:
        lo, up = _limit_columns(level, single)
        with np.errstate(invalid="ignore"):
            t = special.stdtrit(np.maximum(count - 1, 1), 1 - (1 - level) / 2)
            half = t * sd / np.sqrt(count)
        out[lo] = mean - half
        out[up] = mean + half
    return out


# --------------------------------------------------------------------------------------
# Grouped input
# --------------------------------------------------------------------------------------


def sum_by(
    data: pd.DataFrame,
    columns: Hashable | Sequence[Hashable],
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Sum columns by group the way R's ``sum`` does: a missing value makes the sum missing.

    This is how PHEindicatormethods aggregates grouped input before computing an interval
    (``phe_proportion``/``phe_rate`` on grouped data), so that a group with any missing
    numerator or denominator gets a missing value and interval.

    Parameters
    ----------
    data : DataFrame
    columns : column name or list of names
        Numeric columns to sum.
    by : column name, list of names or None
        Grouping columns (groups sorted; missing keys form their own group).

    Returns
    -------
    DataFrame
        The ``by`` columns and one summed column per entry of ``columns`` (float).
    """
    by_cols = _by_list(by)
    cols = _by_list(columns)
    codes, keys = _group_codes(data, by_cols)
    out = keys.reset_index(drop=True).copy()
    for column in cols:
        out[column] = _group_sum(_column(data, column, "columns"), codes, len(out), skipna=False)
    return out
