"""Text cells of the loss model and gap tables: ranges and the consistency check in words.

The loss model (:func:`needs.assessment.capacity.erlang_model`) and the gap table
(:func:`needs.assessment.capacity.gap_table`) carry intervals and a verdict as numbers and
codes; the published tables show them as ranges ("12 to 25", "£120,000 to £310,000") and
words. These columns are added by the parts' ``prepare`` (:mod:`needs.publish.part_specs`)
and listed there as derived from the counts they come from, so they are hidden with them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from needs.publish.formatting import format_money, format_number, format_percent
from needs.reference.rounding import round_money_estimate

__all__ = ["SUSPECT_WORDS", "erlang_text", "gap_text", "verdict"]

#: What a failed check says about the suspect input (:data:`needs.methods.queueing.SUSPECT_INPUTS`).
SUSPECT_WORDS: dict[str, str] = {
    "capacity_declines": "capacity declines may be over-recorded (more households turned away than "
    "the model implies while the units were less busy than it implies)",
    "units": "units may be under-recorded (fewer turned away while the units were busier than the "
    "model implies)",
    "stays": "the stays may be mis-recorded (their number or length does not match the load the "
    "units carried)",
}


def _range(low: Any, high: Any, fmt) -> str:
    if pd.isna(low) or pd.isna(high):
        return ""
    first, last = fmt(low), fmt(high)
    return first if first == last else f"{first} to {last}"


def _ranges(frame: pd.DataFrame, low: str, high: str, fmt) -> list[str]:
    return [_range(a, b, fmt) for a, b in zip(frame[low], frame[high], strict=True)]


def verdict(consistent: Any, suspect: Any) -> str:
    """The consistency check in words: "consistent with the model", or "not consistent: " and
    what the suspect input suggests (:data:`SUSPECT_WORDS`)."""
    if pd.isna(consistent) or bool(consistent):
        return "consistent with the model"
    return "not consistent: " + SUSPECT_WORDS.get(str(suspect), "an input is suspect")


def _whole(value: Any) -> str:
    return format_number(value, 0)


def erlang_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The loss model's ranges and verdict as text: ``turnaway_year_range`` and
    ``occupancy_year_range`` (what one simulated year of the model shows, 95%),
    ``units_needed_range`` and ``check_verdict``."""
    if frame.empty:
        return frame.assign(
            turnaway_year_range=pd.Series(dtype=object), occupancy_year_range=pd.Series(dtype=object),
            units_needed_range=pd.Series(dtype=object), check_verdict=pd.Series(dtype=object),
        )
    pct = lambda v: format_percent(v, 0)  # noqa: E731
    return frame.assign(
        turnaway_year_range=_ranges(frame, "simulated_turnaway_lower", "simulated_turnaway_upper", pct),
        occupancy_year_range=_ranges(frame, "simulated_occupancy_lower", "simulated_occupancy_upper", pct),
        units_needed_range=_ranges(frame, "units_needed_lower", "units_needed_upper", _whole),
        check_verdict=[verdict(c, s) for c, s in zip(frame["consistent"], frame["suspect_input"], strict=True)],
    )


def gap_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The gap table's ranges as text: ``units_needed_range``, ``gap_range`` and ``cost_range``
    (annual support cost to close the gap, "£a to £b"); where the check failed the gap and
    cost say "not costed: " and why."""
    if frame.empty:
        return frame.assign(
            units_needed_range=pd.Series(dtype=object), gap_range=pd.Series(dtype=object),
            cost_range=pd.Series(dtype=object),
        )
    failed = ~frame["consistent"].astype(bool).to_numpy()
    why = np.array(["not costed: the loss model fails its check; " + SUSPECT_WORDS.get(str(s), "an input is "
                    "suspect") for s in frame["suspect_input"]], dtype=object)
    gap = np.array(_ranges(frame, "gap_units_lower", "gap_units_upper", _whole), dtype=object)
    cost = np.array(_ranges(frame, "annual_cost_to_close_lower", "annual_cost_to_close_upper",
                            lambda v: format_money(round_money_estimate(float(v)))), dtype=object)
    return frame.assign(
        units_needed_range=_ranges(frame, "units_needed_lower", "units_needed_upper", _whole),
        gap_range=np.where(failed, why, gap),
        cost_range=np.where(failed, "not costed", cost),
    )
