"""How precisely a modelled estimate is quoted: one rule for the tables and the sentences.

A modelled cost comes with an interval many thousands of pounds wide, so quoting it to the
pound claims a precision it does not have (Government Analysis Function, *Communicating
quality, uncertainty and change*, 2023: round to a precision the uncertainty supports).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["estimate_step", "ratio_in_words", "round_estimate", "round_money_estimate", "round_significant"]


def round_money_estimate(value: float) -> float:
    """A modelled amount of money rounded to the nearest £1,000 from £10,000, else to the
    nearest £100 (halves away from zero); NaN stays NaN.

    Examples
    --------
    >>> round_money_estimate(174_166.67), round_money_estimate(8_333.3)
    (174000.0, 8300.0)
    """
    if value is None or math.isnan(value):
        return math.nan
    step = 1_000.0 if abs(value) >= 10_000 else 100.0
    return math.copysign(math.floor(abs(value) / step + 0.5) * step, value)


def round_significant(value: float, figures: int = 2) -> float:
    """``value`` rounded to ``figures`` significant figures (halves away from zero); NaN stays NaN.

    A ratio with a 95% interval such as 0.33 to 0.46 supports two significant figures at most
    (Government Analysis Function 2023, above), so ratios are quoted to two.

    Examples
    --------
    >>> round_significant(0.3874), round_significant(1.2345), round_significant(12.6)
    (0.39, 1.2, 13.0)
    """
    if value is None or math.isnan(value):
        return math.nan
    if value == 0 or math.isinf(value):
        return float(value)
    exponent = math.floor(math.log10(abs(value))) - figures + 1
    step = 10.0**exponent
    # Round on the decimal text of value / step, so 0.125 / 0.01 = 12.499999... still rounds up.
    scaled = float(f"{abs(value) / step:.9g}")
    return math.copysign(round(math.floor(scaled + 0.5) * step, max(0, -exponent)), value)


def estimate_step(lower: ArrayLike, upper: ArrayLike) -> np.ndarray:
    """The step a modelled estimate with interval ``lower`` to ``upper`` is rounded to.

    The largest power of ten not above a tenth of the interval's half-width, at least 1:
    step = 10 ** floor(log10((upper - lower) / 20)). An estimate of 47,130 with interval 44,000
    to 50,300 is quoted to the nearest 100 (half-width 3,150), one of 1,234 with interval 1,100
    to 1,370 to the nearest 10 (half-width 135): rounding moves a figure by at most a twentieth
    of its half-width and never claims digits the interval does not support. Element-wise; NaN
    where the interval is missing.

    Examples
    --------
    >>> estimate_step([44_000, 1_100, 9.0], [50_300, 1_370, 11.0]).tolist()
    [100.0, 10.0, 1.0]
    """
    tenth = (np.asarray(upper, dtype=float) - np.asarray(lower, dtype=float)) / 20
    with np.errstate(divide="ignore", invalid="ignore"):
        step = 10.0 ** np.floor(np.log10(np.maximum(tenth, 1.0)))
    return np.where(np.isnan(tenth), np.nan, step)


def round_estimate(value: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> tuple[np.ndarray, ...]:
    """Modelled estimates and their intervals, each rounded to the :func:`estimate_step` of its
    interval (halves away from zero); an estimate without an interval to three significant
    figures (:func:`round_significant`). Element-wise; NaN stays NaN. The tables
    (:mod:`needs.publish.table_specs`) and the sentences quote estimates through this rule.

    Examples
    --------
    >>> [x.tolist() for x in round_estimate([47_134.6, 1_234.4], [44_012.2, 1_101.0], [50_288.9, 1_372.0])]
    [[47100.0, 1230.0], [44000.0, 1100.0], [50300.0, 1370.0]]
    """
    values, lowers, uppers = (np.asarray(x, dtype=float) for x in (value, lower, upper))
    step = estimate_step(lowers, uppers)

    def to_step(x: np.ndarray) -> np.ndarray:
        return np.sign(x) * np.floor(np.abs(x) / step + 0.5) * step

    fallback = np.vectorize(round_significant, otypes=[float])(values, 3) if values.size else values
    without = np.isnan(step)
    return (
        np.where(without, fallback, to_step(values)),
        np.where(without, lowers, to_step(lowers)),
        np.where(without, uppers, to_step(uppers)),
    )


def ratio_in_words(ratio: float) -> str:
    """A ratio of observed to expected said in words ("" for NaN).

    The ratio is first rounded to one decimal place (half up): 0 is "none of the number
    expected", below 0.05 "under 1 in 20 of the number expected", 0.1 to 0.9 "about N in
    10 of the number expected" (N = 10 x the rounded ratio), 1.0 "about the number expected",
    1.1 to 9.9 "about R times the number expected", and from 10 the ratio to the nearest whole
    number.

    Examples
    --------
    >>> ratio_in_words(0.39), ratio_in_words(1.02), ratio_in_words(1.46)
    ('about 4 in 10 of the number expected', 'about the number expected', 'about 1.5 times the number expected')
    """
    if ratio is None or math.isnan(ratio):
        return ""
    if ratio < 0:
        raise ValueError(f"ratio: expected a ratio of at least 0, got {ratio!r}")
    if ratio == 0:
        return "none of the number expected"
    tenths = math.floor(float(f"{ratio * 10:.9g}") + 0.5)
    if tenths == 0:
        return "under 1 in 20 of the number expected"
    if tenths < 10:
        return f"about {tenths} in 10 of the number expected"
    if tenths == 10:
        return "about the number expected"
    if tenths < 100:
        return f"about {tenths / 10:g} times the number expected"
    return f"about {math.floor(ratio + 0.5):,} times the number expected"
