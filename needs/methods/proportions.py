"""The ratio of two independent proportions, with interval methods made for it.

A share that changes from :math:`x_2/n_2` in one year to :math:`x_1/n_1` in the next is a
ratio of two **binomial** proportions, not of two Poisson rates: treating the shares as rates
(:func:`needs.methods.comparisons.rate_ratio`) ignores that a share cannot exceed 1, and gives
intervals far too wide when a share is near 1 (52/52 -> 645/761: the rate method gives
0.85, 0.64 to 1.12, where Fisher's exact test gives p = 0.0004).

* :func:`proportion_ratio_ci`: Koopman's asymptotic score interval (Koopman 1984; the interval
  of R ``PropCIs::riskscoreci`` and of ``DescTools::BinomRatioCI(method = "koopman")``), the
  default; it is defined when either count is 0 and keeps its coverage for small counts
  (Fagerland, Lydersen & Laake 2015);
* the Katz log interval (Katz et al. 1978; ``scipy.stats.contingency.relative_risk``), with
  ``method="katz"``, for comparison.

Inputs, confidence levels, missing values and misuse follow the conventions of
:mod:`needs.methods.intervals` (scalars or arrays, vectorised; one pair of limit columns per
confidence level).

References
----------
Koopman PAR (1984). Confidence intervals for the ratio of two binomial proportions.
*Biometrics* 40:513-517.
Miettinen O, Nurminen M (1985). Comparative analysis of two rates. *Statistics in Medicine*
4:213-226.
Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for the risk ratio
in cohort studies. *Biometrics* 34:469-474.
Fagerland MW, Lydersen S, Laake P (2015). Recommended confidence intervals for two independent
binomial proportions. *Statistical Methods in Medical Research* 24:224-254.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from needs.methods._arrays import (
    ArrayLike,
    _broadcast,
    _check_nonnegative,
    _check_positive,
    _levels,
    _limit_columns,
    _z,
)

__all__ = ["PROPORTION_RATIO_METHODS", "koopman_statistic", "proportion_ratio_ci"]

#: Interval methods of :func:`proportion_ratio_ci`.
PROPORTION_RATIO_METHODS: tuple[str, ...] = ("koopman", "katz")

#: Bisection steps of the Koopman limits, on log(ratio) over a bracket of width 2 x 60: the
#: limits are found to within 120 / 2**100 on the log scale (machine precision).
_STEPS = 100
_LOG_BRACKET = 60.0


def koopman_statistic(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, ratio: ArrayLike
) -> np.ndarray:
    """Koopman's score statistic for the hypothesis :math:`p_1 / p_2 = \\theta`.

    Under :math:`p_1 = \\theta p_2` the maximum-likelihood estimate of :math:`p_2` is the smaller
    root of

    .. math:: \\theta (n_1 + n_2)\\, \\tilde p_2^2 - \\{\\theta (n_1 + x_2) + x_1 + n_2\\}\\, \\tilde p_2
              + (x_1 + x_2) = 0,

    :math:`\\tilde p_1 = \\theta \\tilde p_2`, and

    .. math:: U(\\theta) = \\frac{(\\hat p_1 - \\theta \\hat p_2)^2}
              {\\tilde p_1 (1 - \\tilde p_1) / n_1 + \\theta^2 \\tilde p_2 (1 - \\tilde p_2) / n_2}

    (Koopman 1984; Miettinen & Nurminen 1985 without their :math:`N / (N - 1)` factor), referred
    to :math:`\\chi^2_1`. A 0/0 (the hypothesis fits a table on its boundary exactly) is 0.
    """
    a1, m1, a2, m2, theta = _broadcast(x1=x1, n1=n1, x2=x2, n2=n2, ratio=ratio)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        a = theta * (m1 + m2)
        b = -(theta * (m1 + a2) + a1 + m2)
        c = a1 + a2
        p2 = (-b - np.sqrt(np.maximum(b * b - 4 * a * c, 0.0))) / (2 * a)
        p1 = theta * p2
        variance = p1 * (1 - p1) / m1 + theta**2 * p2 * (1 - p2) / m2
        difference = a1 / m1 - theta * a2 / m2
        statistic = difference**2 / variance
    return np.where((difference == 0), 0.0, np.where(variance <= 0, np.inf, statistic))


def _bisect(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray,
    low: np.ndarray, high: np.ndarray, critical: float, rising: bool,
) -> np.ndarray:
    """The log ratio in ``[low, high]`` where the Koopman statistic crosses ``critical``:
    inside the interval (statistic below ``critical``) at ``low`` when ``rising``, at ``high``
    otherwise."""
    low, high = low.copy(), high.copy()
    for _ in range(_STEPS):
        middle = (low + high) / 2
        inside = koopman_statistic(x1, n1, x2, n2, np.exp(middle)) <= critical
        move_low = inside if rising else ~inside
        low = np.where(move_low, middle, low)
        high = np.where(move_low, high, middle)
    return (low + high) / 2


def _koopman_limits(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    critical = _z(level) ** 2
    ok = ~(np.isnan(x1) | np.isnan(n1) | np.isnan(x2) | np.isnan(n2)) & ((x1 > 0) | (x2 > 0))
    # Fill missing or all-zero rows with a harmless table so the bisection runs on every row.
    f1, g1 = np.where(ok, x1, 1.0), np.where(ok, n1, 2.0)
    f2, g2 = np.where(ok, x2, 1.0), np.where(ok, n2, 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.log((f1 / g1) / (f2 / g2))
    finite = np.isfinite(estimate)
    # The estimate is inside the interval; x1 = 0 puts it at -inf (lower limit 0), x2 = 0 at
    # +inf (upper limit infinite); the other limit is then searched over the whole bracket.
    bottom = np.full(len(f1), -_LOG_BRACKET)
    top = np.full(len(f1), _LOG_BRACKET)
    pivot_low = np.where(finite, estimate, top)
    pivot_high = np.where(finite, estimate, bottom)
    lower = np.exp(_bisect(f1, g1, f2, g2, bottom, pivot_low, critical, rising=False))
    upper = np.exp(_bisect(f1, g1, f2, g2, pivot_high, top, critical, rising=True))
    lower = np.where(f1 == 0, 0.0, lower)
    upper = np.where(f2 == 0, np.inf, upper)
    # A limit at the edge of the bracket is no limit: 0 below, infinite above.
    lower = np.where(np.log(np.where(lower > 0, lower, 1.0)) <= -_LOG_BRACKET + 1e-6, 0.0, lower)
    upper = np.where(np.log(np.where(np.isfinite(upper), upper, 1.0)) >= _LOG_BRACKET - 1e-6, np.inf, upper)
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def _katz_limits(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log((x1 / n1) / (x2 / n2))
        se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
        defined = (x1 > 0) & (x2 > 0)
        lower = np.where(defined, np.exp(log_ratio - _z(level) * se), np.nan)
        upper = np.where(defined, np.exp(log_ratio + _z(level) * se), np.nan)
    return lower, upper


def proportion_ratio_ci(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    confidence: float | Sequence[float] = 0.95,
    method: str = "koopman",
) -> pd.DataFrame:
    """Ratio of two independent binomial proportions, :math:`\\hat\\theta = (x_1/n_1)/(x_2/n_2)`,
    with its confidence interval.

    ``method="koopman"`` (default): the asymptotic score interval of Koopman (1984), the set of
    :math:`\\theta` with :math:`U(\\theta) \\le z^2_{1-\\alpha/2}`
    (:func:`koopman_statistic`), its two ends found by bisection on :math:`\\log\\theta`
    (vectorised). It reproduces Koopman's worked example (36/40 against 16/80: 4.5, 95% CI
    2.94 to 7.15) and R ``PropCIs::riskscoreci``. With :math:`x_1 = 0` the lower limit is 0;
    with :math:`x_2 = 0` the ratio and the upper limit are infinite.

    ``method="katz"``: the log (Katz) interval,

    .. math:: \\exp\\left\\{\\log\\hat\\theta \\pm z \\sqrt{\\tfrac{1}{x_1} - \\tfrac{1}{n_1}
              + \\tfrac{1}{x_2} - \\tfrac{1}{n_2}}\\right\\}

    (Katz et al. 1978; ``scipy.stats.contingency.relative_risk``), undefined (NaN) when a count
    is 0.

    Parameters
    ----------
    x1, n1 : array-like
        Numerator proportion: events and trials (e.g. this year's households in the group and
        households with a known value).
    x2, n2 : array-like
        Denominator proportion (e.g. the previous year's).
    confidence : float or sequence of float
        Confidence level(s) in (0, 1).
    method : {"koopman", "katz"}

    Returns
    -------
    DataFrame
        ``value``, ``lower``, ``upper`` (or one pair of limits per level, as
        :mod:`needs.methods.intervals`); index ``0..k-1``. A row with a missing input, or with
        :math:`x_1 = x_2 = 0`, is NaN.

    Raises
    ------
    ValueError
        Negative counts, a count above its trials, trials not positive, a confidence level
        outside (0, 1), or an unknown method.
    """
    if method not in PROPORTION_RATIO_METHODS:
        raise ValueError(f"method must be one of {PROPORTION_RATIO_METHODS}, got {method!r}")
    a1, m1, a2, m2 = _broadcast(x1=x1, n1=n1, x2=x2, n2=n2)
    _check_nonnegative(a1, "x1")
    _check_nonnegative(a2, "x2")
    _check_positive(m1, "n1")
    _check_positive(m2, "n2")
    if np.any(a1 > m1) or np.any(a2 > m2):
        raise ValueError("x1 and x2 must not exceed n1 and n2")
    levels, single = _levels(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (a1 / m1) / (a2 / m2)
    value = np.where((a1 == 0) & (a2 == 0), np.nan, value)
    out = {"value": value}
    limits = _koopman_limits if method == "koopman" else _katz_limits
    for level in levels:
        lo, up = _limit_columns(level, single)
        out[lo], out[up] = limits(a1, m1, a2, m2, level)
    return pd.DataFrame(out)
