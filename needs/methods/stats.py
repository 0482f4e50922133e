"""Confidence intervals and tests, computed the way OHID computes them for Fingertips.

Every interval here reproduces the R package *PHEindicatormethods* (Office for Health
Improvement and Disparities / UKHSA, v2.1.0, repository
``ukhsa-collaboration/PHEindicatormethods``), whose own validation workbooks are the reference
values of ``tests/test_stats.py``:

=====================  ==============================================  =====================
function               method                                          PHEindicatormethods
=====================  ==============================================  =====================
:func:`proportion_ci`  Wilson score interval (Wilson 1927)             ``phe_proportion``
:func:`rate_ci`        exact Poisson below 10 events, Byar above       ``phe_rate``
:func:`dsr`            directly standardised rate, Dobson et al. 1991  ``calculate_dsr``
:func:`isr_rate`       indirectly standardised rate                    ``calculate_ISRate``
:func:`isr_ratio`      indirectly standardised ratio (SMR)             ``calculate_ISRatio``
:func:`mean_ci`        Student's t interval                            ``phe_mean``
=====================  ==============================================  =====================

and the helpers the assessment adds on top: :func:`representation_ratio`,
:func:`rate_ratio`, :func:`goodness_of_fit` and :func:`goodness_of_fit_grouped`.

Conventions
-----------
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
Analysis of Cohort Studies*. IARC Scientific Publications 82 (Byar's approximation, p. 69;
conditional binomial comparison of two rates, section 2.2 and 3.4).
Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted sums of
Poisson parameters. *Statistics in Medicine* 10:457-462.
Public Health England (2018). *Technical Guide: Confidence Intervals*; *Technical Guide:
Age-standardised rates* (Fingertips methods, OHID).
Eurostat (2013). *Revision of the European Standard Population*, Report of Eurostat's task
force, Luxembourg (ESP 2013, Annex F).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from needs.reference.constants import MIN_EXPECTED_COUNT_FOR_GOF

__all__ = [
    "ESP2013",
    "SmallExpectedCountWarning",
    "byars_lower",
    "byars_upper",
    "dsr",
    "goodness_of_fit",
    "goodness_of_fit_grouped",
    "isr_rate",
    "isr_ratio",
    "mean_ci",
    "poisson_limits",
    "proportion_ci",
    "rate_ci",
    "rate_ratio",
    "representation_ratio",
    "sum_by",
    "wilson_lower",
    "wilson_upper",
]

#: Threshold below which Poisson limits are exact (chi-square) rather than Byar's, and below
#: which OHID does not publish a DSR (PHEindicatormethods ``phe_rate``/``calculate_dsr``).
SMALL_COUNT = 10

#: European Standard Population 2013, 19 five-year bands (0-4 ... 85-89, 90+), summing to
#: 100,000 (Eurostat 2013, Annex F; the ``esp2013`` vector of PHEindicatormethods).
ESP2013: pd.DataFrame = pd.DataFrame(
    {
        "age_band": [
            "0-4",
            "5-9",
            "10-14",
            "15-19",
            "20-24",
            "25-29",
            "30-34",
            "35-39",
            "40-44",
            "45-49",
            "50-54",
            "55-59",
            "60-64",
            "65-69",
            "70-74",
            "75-79",
            "80-84",
            "85-89",
            "90+",
        ],  # fmt: skip
        "age_from": np.arange(0, 95, 5, dtype="int64"),
        "age_to": pd.array([*range(4, 90, 5), None], dtype="Int64"),
        "population": np.array(
            [
                5000,
                5500,
                5500,
                5500,
                6000,
                6000,
                6500,
                7000,
                7000,
                7000,
                7000,
                6500,
                6000,
                5500,
                5000,
                4000,
                2500,
                1500,
                1000,
            ],
            dtype="int64",
        ),  # fmt: skip
    }
)


class SmallExpectedCountWarning(UserWarning):
    """A chi-square goodness-of-fit test has an expected count below
    :data:`needs.reference.constants.MIN_EXPECTED_COUNT_FOR_GOF` (Cochran's rule), so its p-value is
    unreliable."""


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------

ArrayLike = Any


def _to_float(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a float64 array (at least 1-D) with missing values as NaN."""
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name} must be a scalar, array or Series, not a DataFrame")
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        try:
            series = pd.Series(values).astype("Float64")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric") from exc
        return series.to_numpy(dtype="float64", na_value=np.nan)
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        try:
            arr = (
                pd.Series(np.atleast_1d(np.asarray(values, dtype=object)))
                .astype("Float64")
                .to_numpy(dtype="float64", na_value=np.nan)
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric") from exc
    return np.atleast_1d(arr)


def _broadcast(**arrays: ArrayLike) -> list[np.ndarray]:
    """Convert each named argument to float and broadcast them together to one flat shape."""
    converted = [_to_float(value, name) for name, value in arrays.items()]
    try:
        out = np.broadcast_arrays(*converted)
    except ValueError as exc:
        raise ValueError(f"{', '.join(arrays)} must have the same length (or be scalars)") from exc
    return [np.ravel(a) for a in out]


def _check_nonnegative(arr: np.ndarray, name: str) -> None:
    if np.any(arr < 0):
        raise ValueError(f"{name} must not be negative")


def _check_positive(arr: np.ndarray, name: str) -> None:
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be greater than zero")


def _check_confidence(confidence: float) -> float:
    try:
        level = float(confidence)
    except (TypeError, ValueError) as exc:
        raise ValueError("confidence must be a number in (0, 1)") from exc
    if not 0 < level < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return level


def _levels(confidence: float | Sequence[float]) -> tuple[list[float], bool]:
    """Validated confidence levels and whether a single level (``lower``/``upper``) was given."""
    if np.ndim(confidence) == 0:
        return [_check_confidence(confidence)], True  # type: ignore[arg-type]
    levels = [_check_confidence(c) for c in confidence]  # type: ignore[union-attr]
    if not levels:
        raise ValueError("confidence must contain at least one level")
    if len({_suffix(level) for level in levels}) != len(levels):
        raise ValueError("confidence must not repeat a level")
    return levels, False


def _suffix(level: float) -> str:
    """Column suffix for a level: 0.95 -> ``95_0``, 0.998 -> ``99_8``."""
    text = f"{level * 100:.10g}"
    if "." not in text:
        text += ".0"
    return text.replace(".", "_")


def _limit_columns(level: float, single: bool) -> tuple[str, str]:
    if single:
        return "lower", "upper"
    suffix = _suffix(level)
    return f"lower_{suffix}", f"upper_{suffix}"


def _z(level: float) -> float:
    """Two-sided standard normal quantile: ``qnorm(level + (1 - level) / 2)``."""
    return float(special.ndtri(level + (1.0 - level) / 2.0))


def _by_list(by: Hashable | Sequence[Hashable] | None) -> list[Hashable]:
    if by is None:
        return []
    if isinstance(by, str) or not isinstance(by, Sequence):
        return [by]
    return list(by)


def _column(data: pd.DataFrame, name: Hashable, argument: str) -> np.ndarray:
    if name not in data.columns:
        raise ValueError(f"{argument}: column {name!r} is not in data")
    return _to_float(data[name], argument)


def _group_codes(data: pd.DataFrame, by: list[Hashable]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of each row and the table of groups (sorted, missing keys kept)."""
    for column in by:
        if column not in data.columns:
            raise ValueError(f"by: column {column!r} is not in data")
    if not by:
        return np.zeros(len(data), dtype="int64"), pd.DataFrame(index=pd.RangeIndex(1))
    grouped = data.groupby(by, sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[by]
    return codes, keys


def _group_sum(values: np.ndarray, codes: np.ndarray, ngroups: int, *, skipna: bool) -> np.ndarray:
    """Sum per group; with ``skipna=False`` a missing value makes the group's sum missing (R ``sum``)."""
    missing = np.isnan(values)
    total = np.bincount(codes, weights=np.where(missing, 0.0, values), minlength=ngroups)
    if not skipna:
        has_missing = np.bincount(codes, weights=missing.astype(float), minlength=ngroups) > 0
        total = np.where(has_missing, np.nan, total)
    return total


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
# Standardised rates
# --------------------------------------------------------------------------------------


def _reference_vector(
    data: pd.DataFrame, spec: Hashable | ArrayLike, codes: np.ndarray, argument: str
) -> np.ndarray:
    """A per-row reference column: a column name, or a vector repeated for every group.

    A vector is matched to rows by position within their group (PHEindicatormethods
    ``refpoptype = "vector"``), so every group must have exactly ``len(vector)`` rows.
    """
    if isinstance(spec, Hashable) and not isinstance(spec, tuple) and np.ndim(spec) == 0:
        return _column(data, spec, argument)
    vector = _to_float(spec, argument).ravel()
    sizes = np.bincount(codes)
    if np.any(sizes != len(vector)):
        raise ValueError(
            f"{argument}: a vector of {len(vector)} values needs exactly {len(vector)} rows "
            f"in every group (found {sorted(set(sizes.tolist()))})"
        )
    position = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    return vector[position]


def _dobson_limits(
    value: np.ndarray, variance: np.ndarray, total: np.ndarray, level: float, multiplier: float
) -> tuple[np.ndarray, np.ndarray]:
    """Dobson et al. (1991) limits for a weighted sum of Poisson counts (PHE ``calculate_dsr``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(variance / total) * multiplier
        lower = value + scale * (byars_lower(total, level) - total)
        upper = value + scale * (byars_upper(total, level) - total)
    return lower, upper


def dsr(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    standard: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    independent_events: bool = True,
    event_frequency: Hashable | None = None,
    unique_individuals: Hashable | None = None,
    age_band: Hashable | None = None,
) -> pd.DataFrame:
    """Directly standardised rate with Dobson limits (PHEindicatormethods ``calculate_dsr``).

    For each group, with age bands :math:`i`, counts :math:`x_i`, populations :math:`n_i` and
    standard populations :math:`w_i` (:math:`W = \\sum w_i`):

    .. math::

        \\text{DSR} = \\frac{m}{W} \\sum_i \\frac{w_i x_i}{n_i}, \\qquad
        \\operatorname{Var}(\\text{DSR}) = \\frac{1}{W^2} \\sum_i \\frac{w_i^2 x_i}{n_i^2}

    and with :math:`O = \\sum_i x_i` the limits of Dobson et al. (1991),

    .. math::

        \\text{DSR} + \\sqrt{\\operatorname{Var}/O}\\,(O_{L,U} - O)\\, m

    where :math:`O_L, O_U` are Byar's limits for :math:`O` (:func:`byars_lower`,
    :func:`byars_upper`). OHID does not publish a DSR for :math:`O < 10`: value and limits are
    NaN then. A missing count is treated as zero, as in ``calculate_dsr``.

    **Non-independent events** (``independent_events=False``; PHEindicatormethods 2.0,
    following the Fingertips technical guidance): rows are (band, event frequency :math:`f`,
    number of unique individuals :math:`u_{if}` with :math:`f` events; missing = 0). The events
    are :math:`x_i = \\sum_f f u_{if}`, the DSR is as above, and the variance allows for people
    contributing several events:

    .. math::

        \\operatorname{Var} = \\sum_f f^2 \\, \\frac{1}{W_f^2} \\sum_i \\frac{w_i^2 u_{if}}{n_i^2}

    Parameters
    ----------
    data : DataFrame
        One row per group × age band (× event frequency for non-independent events).
    count : column name or None
        Event counts (independent events); for non-independent events the unique-individuals
        column if ``unique_individuals`` is not given.
    population : column name
        Population of each band (must be > 0).
    standard : column name or array-like
        Standard population: a column, or a vector repeated for every group (each group then
        needs exactly ``len(standard)`` rows in the same band order), e.g.
        ``ESP2013["population"]``.
    by : column name(s) or None
        Grouping columns; one output row per group.
    confidence : float or sequence of floats
    multiplier : float
        Rate per ``multiplier`` (default 100,000).
    independent_events : bool
    event_frequency, unique_individuals : column names
        For non-independent events.
    age_band : column name, optional
        For non-independent events: identifies the bands so that populations are counted once
        per band. Without it each event frequency must list the same bands (as in the OHID
        input format) and the totals are taken from one frequency.

    Returns
    -------
    DataFrame
        ``by`` columns, ``total_count`` (events), ``total_population``, ``value``, ``lower``,
        ``upper``.
    """
    by_cols = _by_list(by)
    levels, single = _levels(confidence)
    codes, keys = _group_codes(data, by_cols)
    ngroups = len(keys)
    pop = _column(data, population, "population")
    _check_positive(pop, "population")
    std = _reference_vector(data, standard, codes, "standard")
    _check_nonnegative(std, "standard")

    if independent_events:
        if count is None:
            raise ValueError("count must name the column of event counts")
        x = _column(data, count, "count")
        _check_nonnegative(x, "count")
        x = np.nan_to_num(x, nan=0.0)
        total_count = _group_sum(x, codes, ngroups, skipna=True)
        total_pop = _group_sum(pop, codes, ngroups, skipna=False)
        total_std = _group_sum(std, codes, ngroups, skipna=False)
        weighted = _group_sum(x * std / pop, codes, ngroups, skipna=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = _group_sum(x * (std / pop) ** 2, codes, ngroups, skipna=False) / total_std**2
    else:
        if event_frequency is None:
            raise ValueError("event_frequency must name a column when independent_events=False")
        individuals_col = unique_individuals if unique_individuals is not None else count
        if individuals_col is None:
            raise ValueError("unique_individuals must name a column when independent_events=False")
        freq = _column(data, event_frequency, "event_frequency")
        _check_nonnegative(freq, "event_frequency")
        people = np.nan_to_num(_column(data, individuals_col, "unique_individuals"), nan=0.0)
        _check_nonnegative(people, "unique_individuals")
        events = freq * people
        total_count = _group_sum(events, codes, ngroups, skipna=True)
        weighted = _group_sum(events * std / pop, codes, ngroups, skipna=False)

        # Per (group, frequency): the frequency-specific variance and band totals.
        frame = pd.DataFrame({"g": codes, "f": freq})
        sub = frame.groupby(["g", "f"], sort=True, dropna=False).ngroup().to_numpy()
        nsub = int(sub.max()) + 1 if len(sub) else 0
        sub_group = np.zeros(nsub, dtype="int64")
        sub_group[sub] = codes
        sub_freq = np.zeros(nsub)
        sub_freq[sub] = freq
        sub_std = _group_sum(std, sub, nsub, skipna=False)
        sub_pop = _group_sum(pop, sub, nsub, skipna=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            sub_var = _group_sum(people * (std / pop) ** 2, sub, nsub, skipna=False) / sub_std**2
        variance = _group_sum(sub_freq**2 * sub_var, sub_group, ngroups, skipna=False)

        if age_band is not None:
            if age_band not in data.columns:
                raise ValueError(f"age_band: column {age_band!r} is not in data")
            first = ~pd.DataFrame({"g": codes, "b": data[age_band].to_numpy()}).duplicated().to_numpy()
            total_pop = _group_sum(np.where(first, pop, 0.0), codes, ngroups, skipna=False)
            total_std = _group_sum(np.where(first, std, 0.0), codes, ngroups, skipna=False)
        else:
            agg = pd.DataFrame({"g": sub_group, "pop": sub_pop, "std": sub_std}).groupby("g")
            low, high = agg.min(), agg.max()
            differs = (low != high) & ~(low.isna() & high.isna())
            if differs.to_numpy().any():
                raise ValueError(
                    "age_band: the event frequencies of a group list different bands; "
                    "name the age band column"
                )
            total_pop = high["pop"].reindex(range(ngroups)).to_numpy()
            total_std = high["std"].reindex(range(ngroups)).to_numpy()

    with np.errstate(invalid="ignore", divide="ignore"):
        value = weighted / total_std * multiplier
    small = total_count < SMALL_COUNT
    out = keys.reset_index(drop=True).copy()
    out["total_count"] = total_count
    out["total_population"] = total_pop
    out["value"] = np.where(small, np.nan, value)
    for level in levels:
        lo, up = _limit_columns(level, single)
        lower, upper = _dobson_limits(value, variance, total_count, level, multiplier)
        out[lo] = np.where(small, np.nan, lower)
        out[up] = np.where(small, np.nan, upper)
    return out


def _isr(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    ref_count: Hashable | ArrayLike,
    ref_population: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None,
    observed_totals: pd.DataFrame | float | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Observed and expected counts per group, plus the reference rate (per 1)."""
    by_cols = _by_list(by)
    codes, keys = _group_codes(data, by_cols)
    ngroups = len(keys)
    pop = _column(data, population, "population")
    _check_nonnegative(pop, "population")
    rx = _reference_vector(data, ref_count, codes, "ref_count")
    _check_nonnegative(rx, "ref_count")
    rn = _reference_vector(data, ref_population, codes, "ref_population")
    _check_positive(rn, "ref_population")

    expected = _group_sum(rx / rn * pop, codes, ngroups, skipna=False)
    ref_rate = _group_sum(rx, codes, ngroups, skipna=False) / _group_sum(rn, codes, ngroups, skipna=False)

    out = keys.reset_index(drop=True).copy()
    if observed_totals is None:
        if count is None:
            raise ValueError("count must name the observed counts column (or give observed_totals)")
        x = _column(data, count, "count")
        _check_nonnegative(x, "count")
        observed = _group_sum(np.nan_to_num(x, nan=0.0), codes, ngroups, skipna=True)
    elif isinstance(observed_totals, pd.DataFrame):
        column = count if count is not None else "count"
        missing = [c for c in [*by_cols, column] if c not in observed_totals.columns]
        if missing:
            raise ValueError(f"observed_totals: missing column(s) {missing}")
        if observed_totals.duplicated(by_cols).any() if by_cols else len(observed_totals) != 1:
            raise ValueError("observed_totals must have one row per group")
        if by_cols:
            merged = out.merge(observed_totals[[*by_cols, column]], on=by_cols, how="left")
            observed = _to_float(merged[column], "observed_totals")
        else:
            observed = _to_float(observed_totals[column], "observed_totals")
        _check_nonnegative(observed, "observed_totals")
    else:
        if by_cols:
            raise ValueError("observed_totals must be a DataFrame with the by columns")
        observed = _to_float(observed_totals, "observed_totals").ravel()
        _check_nonnegative(observed, "observed_totals")
    return out, observed, expected, ref_rate


def _isr_output(
    out: pd.DataFrame,
    observed: np.ndarray,
    expected: np.ndarray,
    scale: np.ndarray,
    confidence: float | Sequence[float],
) -> pd.DataFrame:
    levels, single = _levels(confidence)
    defined = expected > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(defined, scale / expected, np.nan)
    out["observed"] = observed
    out["expected"] = expected
    out["value"] = observed * factor
    for level in levels:
        lo, up = _limit_columns(level, single)
        lower, upper = poisson_limits(observed, level)
        out[lo] = lower * factor
        out[up] = upper * factor
    return out


def isr_rate(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    ref_count: Hashable | ArrayLike,
    ref_population: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    observed_totals: pd.DataFrame | float | None = None,
) -> pd.DataFrame:
    """Indirectly standardised rate (PHEindicatormethods ``calculate_ISRate``).

    With observed events :math:`O = \\sum_i x_i`, expected events
    :math:`E = \\sum_i n_i X_i / N_i` from reference counts :math:`X_i` and populations
    :math:`N_i`, and the crude reference rate :math:`R = m \\sum_i X_i / \\sum_i N_i`:

    .. math::

        \\text{ISR} = \\frac{O}{E} R, \\qquad
        \\text{lower, upper} = \\frac{O_{L,U}}{E} R

    where :math:`O_L, O_U` are exact Poisson limits for :math:`O < 10` and Byar's from 10
    (:func:`poisson_limits`; PHE *Technical Guide: Confidence Intervals*). A band with zero
    population contributes nothing to :math:`E`; a missing count is treated as zero (as
    OHID does).

    Parameters
    ----------
    data : DataFrame
        One row per group × age band.
    count : column name or None
        Observed events per band; or, with ``observed_totals``, the name of the totals column
        there (default ``"count"``).
    population : column name
        Population per band (>= 0).
    ref_count, ref_population : column name or array-like
        Reference events and population per band: columns, or vectors repeated for every
        group (each group then needs exactly that many rows, in the same order).
    by : column name(s) or None
    confidence : float or sequence of floats
    multiplier : float
        Rate per ``multiplier``.
    observed_totals : DataFrame or number, optional
        Observed totals per group (the ``by`` columns and ``count``) when band-level counts
        are not available; a number when ``by`` is None.

    Returns
    -------
    DataFrame
        ``by`` columns, ``observed``, ``expected``, ``ref_rate``, ``value``, ``lower``,
        ``upper``. Value and limits are NaN when ``expected`` is 0.
    """
    out, observed, expected, ref_rate = _isr(
        data, count, population, ref_count, ref_population, by, observed_totals
    )
    rate = ref_rate * multiplier
    result = _isr_output(out, observed, expected, rate, confidence)
    result.insert(result.columns.get_loc("expected") + 1, "ref_rate", rate)
    return result


def isr_ratio(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    ref_count: Hashable | ArrayLike,
    ref_population: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    refvalue: float = 1,
    observed_totals: pd.DataFrame | float | None = None,
) -> pd.DataFrame:
    """Indirectly standardised ratio, e.g. the SMR (PHEindicatormethods ``calculate_ISRatio``).

    .. math::

        \\text{ratio} = \\frac{O}{E} r, \\qquad
        \\text{lower, upper} = \\frac{O_{L,U}}{E} r

    with :math:`O`, :math:`E` as in :func:`isr_rate`, :math:`r` the ``refvalue`` (1, or 100
    for a ratio expressed per 100) and :math:`O_L, O_U` exact Poisson limits for :math:`O < 10`,
    Byar's from 10 (Breslow & Day 1987).

    Returns
    -------
    DataFrame
        ``by`` columns, ``observed``, ``expected``, ``value``, ``lower``, ``upper``.
    """
    out, observed, expected, _ = _isr(data, count, population, ref_count, ref_population, by, observed_totals)
    return _isr_output(out, observed, expected, np.full(len(out), float(refvalue)), confidence)


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

    where :math:`W_L, W_U` are the Wilson limits of :math:`x/n` (:func:`wilson_lower`,
    :func:`wilson_upper`) and :math:`e` the expected share. The expected share (e.g. from the
    2021 Census) is **treated as known**: its own sampling error is ignored, which is
    reasonable when it comes from a census or a far larger population than ``n``. A ratio
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
        As :func:`proportion_ci`, or ``expected_share`` outside [0, 1].
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
