"""Funnel plot control limits, computed the way OHID computes them (PHEindicatormethods).

A funnel plot places every area's value (a proportion or a rate) against its denominator,
with control limits around the average of all areas that narrow as the denominator grows. An
area outside the 95% limits differs from the average by more than chance would usually give,
outside the 99.8% limits by far more ("2 sigma" and "3 sigma" limits).

This module follows the R package *PHEindicatormethods* (OHID / UKHSA, repository
``ukhsa-collaboration/PHEindicatormethods``, ``R/Funnels.R``: ``calculate_funnel_limits``,
``assign_funnel_significance``, and the helpers ``sigma_adjustment`` and ``poisson_funnel`` of
``R/utils.R``), which in turn reproduces APHO's Excel funnel plot tools (Association of Public
Health Observatories, *Technical briefing 2: Statistical process control methods in public
health intelligence*, 2008). The methods were read and re-derived, not translated:

* **Proportions** (:func:`proportion_limits`): the limit at denominator :math:`n` is the
  observed proportion whose Wilson score interval (Wilson 1927) has the average :math:`\\bar p`
  as its end point. Solving ``wilson_upper(x, n) = p̄`` (lower limit) or
  ``wilson_lower(x, n) = p̄`` (upper limit) for :math:`x` gives PHEindicatormethods'
  closed form (its ``sigma_adjustment``), with :math:`z` the normal quantile
  (1.959964 for 95%, 3.090232 for 99.8%):

  .. math::
      A = \\bar p\\,(n/z^2 + 1), \\quad B = 1/z^2 + 1/n, \\\\
      D = \\sqrt{64A^2 - 64B\\,\\bar p\\,[n(\\bar p(n/z^2 + 2) - 1) + z^2(\\bar p - 1)]}, \\\\
      \\text{limit} = \\frac{(A \\mp D/8)/B}{n}\\, m

  clipped to ``[0, m]`` (``m`` the multiplier: 100 for a percentage).
* **Rates** (:func:`rate_limits`): for a whole number of events :math:`E`, the lower limit is
  reached at the population where :math:`E` is the most events the average rate :math:`r`
  would give with probability :math:`\\alpha/2`; that population is
  :math:`U_\\alpha(E)/r` with :math:`U_\\alpha(E) = \\chi^2_{2E+2}(1-\\alpha/2)/2` the exact
  (Garwood) upper Poisson limit of :math:`E`, and the limit is :math:`E / (U_\\alpha(E)/r)` per
  multiplier; the upper limit likewise with the exact lower Poisson limit
  :math:`L_\\alpha(E) = \\chi^2_{2E}(\\alpha/2)/2` (PHEindicatormethods' ``poisson_funnel``
  finds the same roots by bisection). Each limit is therefore a line through points
  (population, rate) of its own.
* **Significance** (:func:`funnel_significance`): a proportion is compared with the limits at
  its own denominator; a rate's own interval (exact Poisson below 10 events, Byar's from 10:
  :func:`needs.methods.intervals.poisson_limits`) is compared with the average, as
  ``assign_funnel_significance`` does.
* **Range of denominators** (:func:`funnel_axis`, :func:`funnel_denominators`): from 0 (or
  the smallest denominator rounded down, when the largest is less than twice the smallest) to
  the largest rounded up, in 100 steps that grow geometrically, so that the curved part near
  small denominators is drawn finely.

References
----------
Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. *Statistics in
Medicine* 24:1185-1202.
APHO (2008). *Technical briefing 2: Statistical process control methods in public health
intelligence*.
Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22:209-212.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from needs.methods.intervals import poisson_limits
from needs.reference.constants import OHID_CONFIDENCE_LEVELS

__all__ = [
    "FUNNEL_POSITIONS",
    "funnel_axis",
    "funnel_denominators",
    "funnel_significance",
    "proportion_funnel",
    "proportion_limits",
    "rate_funnel",
    "rate_limits",
]

#: Where a value falls against the funnel's limits, from highest to lowest (codes and labels).
FUNNEL_POSITIONS: dict[str, str] = {
    "above_99_8": "Above the 99.8% limit (far higher than average)",
    "above_95": "Above the 95% limit (higher than average)",
    "within": "Within the 95% limits (similar to average)",
    "below_95": "Below the 95% limit (lower than average)",
    "below_99_8": "Below the 99.8% limit (far lower than average)",
}


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return float(special.ndtri(0.5 + confidence / 2))


def proportion_limits(
    denominators: Sequence[float] | np.ndarray,
    average: float,
    confidence: float = 0.95,
    multiplier: float = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits of a proportion at each denominator.

    The limit at ``n`` is the observed proportion ``x / n`` whose Wilson score interval at
    ``confidence`` ends exactly at ``average``: the closed form of the module docstring
    (PHEindicatormethods ``sigma_adjustment``), times ``multiplier``, clipped to
    ``[0, multiplier]``.

    Parameters
    ----------
    denominators
        Positive denominators.
    average
        The average proportion of all areas (a fraction: total numerators over total
        denominators).
    confidence
        0.95 for the 95% ("2 sigma") limits, 0.998 for the 99.8% ("3 sigma") ones.
    multiplier
        100 for percentages.
    """
    n = np.asarray(denominators, dtype=float)
    if np.any(n <= 0):
        raise ValueError("denominators must be positive")
    if not 0 <= average <= 1:
        raise ValueError(f"average must be a proportion between 0 and 1, got {average!r}")
    z2 = _z(confidence) ** 2
    p = float(average)
    a = p * (n / z2 + 1)
    b = 1 / z2 + 1 / n
    d = np.sqrt(np.maximum((8 * a) ** 2 - 64 * b * p * (n * (p * (n / z2 + 2) - 1) + z2 * (p - 1)), 0.0))
    lower = (a - d / 8) / b / n * multiplier
    upper = (a + d / 8) / b / n * multiplier
    return np.clip(lower, 0, multiplier), np.clip(upper, 0, multiplier)


def rate_limits(
    events: Sequence[float] | np.ndarray,
    average: float,
    confidence: float = 0.95,
    multiplier: float = 10_000,
) -> dict[str, np.ndarray]:
    """Funnel limits of a rate at each whole number of events: where each limit is reached.

    For ``E`` events and average rate ``r`` (events per person, not per multiplier):

    * lower limit: population ``U(E) / r``, rate ``E / (U(E) / r) x multiplier``, with
      ``U(E) = chi2.ppf(1 - alpha/2, 2E + 2) / 2`` (exact upper Poisson limit);
    * upper limit: population ``L(E) / r``, rate ``E / (L(E) / r) x multiplier``, with
      ``L(E) = chi2.ppf(alpha/2, 2E) / 2`` (exact lower Poisson limit);

    ``alpha = 1 - confidence`` (PHEindicatormethods ``calculate_funnel_limits``,
    ``statistic = "rate"``, one year of data).

    Returns
    -------
    dict
        ``lower_population``, ``lower``, ``upper_population``, ``upper`` (arrays).
    """
    e = np.asarray(events, dtype=float)
    if np.any(e < 1):
        raise ValueError("events must be at least 1")
    if not average > 0:
        raise ValueError(f"average rate must be positive, got {average!r}")
    alpha = 1 - confidence
    _z(confidence)
    upper_events = special.gammaincinv(e + 1, 1 - alpha / 2)  # chi2(2E+2)/2 quantile
    lower_events = special.gammaincinv(e, alpha / 2)  # chi2(2E)/2 quantile
    lower_population = upper_events / average
    upper_population = lower_events / average
    return {
        "lower_population": lower_population,
        "lower": e / lower_population * multiplier,
        "upper_population": upper_population,
        "upper": e / upper_population * multiplier,
    }


def _floor_significant(x: float, share: float = 0.95) -> float:
    """``x x 0.95`` rounded down to its leading digit (PHEindicatormethods ``signif.floor``)."""
    if x == 0:
        return 0.0
    scaled = np.floor(x * share)
    power = 10.0 ** (len(str(int(scaled))) - 1)
    return float(np.floor(x * share / power) * power)


def _ceil_significant(x: float, share: float = 1.05) -> float:
    """``x x 1.05`` rounded up to two significant digits (PHEindicatormethods ``signif.ceiling``)."""
    if x == 0:
        return 0.0
    scaled = np.ceil(x * share)
    power = 10.0 ** (len(str(int(scaled))) - 2)
    return float(np.ceil(x * share / power) * power)


def funnel_axis(smallest: float, largest: float) -> tuple[float, float]:
    """The range of denominators a funnel is drawn over.

    From 0 when the largest denominator is more than twice the smallest, otherwise from the
    smallest times 0.95 rounded down to its leading digit; to the largest times 1.05 rounded
    up to two significant digits (PHEindicatormethods ``calculate_funnel_limits``).
    """
    minimum = 0.0 if largest > 2 * smallest else _floor_significant(smallest)
    return minimum, _ceil_significant(largest)


def funnel_denominators(minimum: float, maximum: float, points: int = 100) -> np.ndarray:
    """``points`` whole denominators from ``max(1, minimum)`` to about ``maximum``, growing geometrically.

    Each step multiplies by ``(maximum / previous) ** (1 / (points + 1 - j))`` for the j-th
    point (j = 2, ..., points), rounded, and adds at least 1 (PHEindicatormethods).
    """
    values = [max(1.0, float(minimum))]
    for j in range(2, points + 1):
        previous = values[-1]
        step = np.round((maximum / previous) ** (1 / (points + 1 - j)) * previous)
        values.append(float(max(step, previous + 1)))
    return np.asarray(values)


def proportion_funnel(
    numerators: Sequence[float] | np.ndarray,
    denominators: Sequence[float] | np.ndarray,
    *,
    multiplier: float = 100,
    levels: Sequence[float] = OHID_CONFIDENCE_LEVELS,
    points: int = 100,
) -> pd.DataFrame:
    """Funnel limits of a proportion over the range of the areas' denominators.

    The average is ``sum(numerators) / sum(denominators)``; the limits are
    :func:`proportion_limits` at :func:`funnel_denominators` over :func:`funnel_axis`.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``level`` (0.95, 0.998), ``side`` (``lower``/``upper``), ``denominator``,
        ``limit``, ``average`` (times the multiplier).
    """
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    average = float(x.sum() / n.sum())
    grid = funnel_denominators(*funnel_axis(float(n.min()), float(n.max())), points=points)
    frames = []
    for level in levels:
        lower, upper = proportion_limits(grid, average, level, multiplier)
        for side, limit in (("lower", lower), ("upper", upper)):
            frames.append(pd.DataFrame({"level": level, "side": side, "denominator": grid, "limit": limit}))
    return pd.concat(frames, ignore_index=True).assign(average=average * multiplier)


def rate_funnel(
    numerators: Sequence[float] | np.ndarray,
    denominators: Sequence[float] | np.ndarray,
    *,
    multiplier: float = 10_000,
    levels: Sequence[float] = OHID_CONFIDENCE_LEVELS,
    points: int = 100,
    years_of_data: int = 1,
) -> pd.DataFrame:
    """Funnel limits of a crude rate over the range of the areas' denominators.

    The average is ``sum(numerators) / sum(denominators)``; the range of denominators
    (:func:`funnel_axis` of the denominators per year, times ``years_of_data``) is turned into
    a range of events by the average, and the limits are :func:`rate_limits` at
    :func:`funnel_denominators` numbers of events; the populations where the limits are
    reached are per year (divided by ``years_of_data``), as PHEindicatormethods gives them.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``level``, ``side``, ``events``, ``denominator`` (the population where the limit
        is reached), ``limit`` (per ``multiplier``), ``average`` (per ``multiplier``).
    """
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    average = float(x.sum() / n.sum())
    low, high = (years_of_data * v for v in funnel_axis(float(n.min()) / years_of_data, float(n.max()) / years_of_data))
    events = funnel_denominators(np.floor(low * average), np.ceil(high * average), points=points)
    frames = []
    for level in levels:
        limits = rate_limits(events, average, level, multiplier)
        for side in ("lower", "upper"):
            frames.append(
                pd.DataFrame(
                    {
                        "level": level,
                        "side": side,
                        "events": events,
                        "denominator": limits[f"{side}_population"] / years_of_data,
                        "limit": limits[side],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True).assign(average=average * multiplier)


def funnel_significance(
    numerators: Sequence[float] | np.ndarray | pd.Series,
    denominators: Sequence[float] | np.ndarray | pd.Series,
    statistic: str,
) -> np.ndarray:
    """Where each area falls against the funnel of all areas: a code of :data:`FUNNEL_POSITIONS`.

    * ``statistic="proportion"``: ``x/n`` against :func:`proportion_limits` at ``n``
      (strictly below the lower or above the upper limit is outside);
    * ``statistic="rate"``: the area's own interval (exact Poisson below 10 events, Byar's
      from 10: :func:`needs.methods.intervals.poisson_limits`, divided by ``n``) against the
      average rate: lower limit above the average is "above", upper limit below it "below".

    The average is ``sum(x) / sum(n)`` over all the areas given (PHEindicatormethods
    ``assign_funnel_significance``).
    """
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    if np.any(n <= 0) or np.any(x < 0):
        raise ValueError("numerators must be non-negative and denominators positive")
    average = float(x.sum() / n.sum())
    position = np.full(x.shape, "within", dtype=object)
    # the wider (99.8%) limits are tested last so that they win
    for level, suffix in ((0.95, "95"), (0.998, "99_8")):
        if statistic == "proportion":
            lower, upper = proportion_limits(n, average, level, multiplier=1)
            value = x / n
            above, below = value > upper, value < lower
        elif statistic == "rate":
            low, high = poisson_limits(x, level)
            above, below = low / n > average, high / n < average
        else:
            raise ValueError(f"statistic must be 'proportion' or 'rate', got {statistic!r}")
        position[above] = f"above_{suffix}"
        position[below] = f"below_{suffix}"
    return position
