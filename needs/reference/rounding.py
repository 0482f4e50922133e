"""How precisely a modelled estimate is quoted: one rule for the tables and the sentences.

A modelled cost comes with an interval many thousands of pounds wide, so quoting it to the
pound claims a precision it does not have (Government Analysis Function, *Communicating
quality, uncertainty and change*, 2023: round to a precision the uncertainty supports).
"""

from __future__ import annotations

import math

__all__ = ["round_money_estimate"]


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
