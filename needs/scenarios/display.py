"""Scenario comparisons for people: a wide table, a fixed-width text table, a formatted table.

:func:`to_wide` turns the long table of :func:`needs.scenarios.comparison.compare` into one row
per scenario; :func:`format_table` prints it for the command line; :func:`display_table` formats
it for the notebook and the report, hiding the figures computed from a small observed demand
(:func:`needs.methods.disclosure.is_disclosive`). :func:`format_value` is the one formatter of
a figure's value, shared with the chart alt text (:mod:`needs.scenarios.charts`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs.methods.disclosure import is_disclosive
from needs.reference.constants import DEFAULT_CONFIDENCE, SYMBOL_CONFIDENTIAL

__all__ = ["display_table", "format_table", "format_value", "to_wide"]


def to_wide(table: pd.DataFrame, *, intervals: bool = False) -> pd.DataFrame:
    """One row per scenario, one column per figure (``<figure>_lower``/``_upper`` too when
    ``intervals``), scenarios in the order of ``table``."""
    order = list(dict.fromkeys(table["scenario"]))
    figures = list(dict.fromkeys(table["figure"]))
    columns = ["value", "lower", "upper"] if intervals else ["value"]
    wide = table.pivot(index="scenario", columns="figure", values=columns).reindex(order)
    out = wide["value"][figures].copy()
    if intervals:
        for figure in figures:
            out[f"{figure}_lower"] = wide["lower"][figure]
            out[f"{figure}_upper"] = wide["upper"][figure]
    out.columns.name = None
    return out.reset_index()


def format_value(value: float | None, unit: str, missing: str = "-") -> str:
    """A figure as text for its unit (pounds, share, units, households...)."""
    if value is None or not np.isfinite(value):
        return missing
    if unit == "pounds":
        return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"
    if unit in ("share", "probability"):
        return f"{value:.1%}"
    if unit == "units" and float(value).is_integer():
        return f"{value:,.0f}"
    if 0 < abs(value) < 0.95:
        return f"{value:.2g}"
    return f"{value:,.1f}"


def format_table(table: pd.DataFrame) -> str:
    """The comparison as a fixed-width text table: one line per figure, one column per
    scenario (as wide as its name or its longest cell); ``(lower to upper)`` on a second line
    when there are intervals; notes listed below, once for every scenario they apply to."""
    order = list(dict.fromkeys(table["scenario"]))
    label_width = max(len(label) for label in table["label"]) + 2
    has_intervals = table["lower"].notna().any()
    lines_by_figure = []
    for _, rows in table.groupby("figure", sort=False):
        rows = rows.set_index("scenario").reindex(order)
        unit = rows["unit"].iloc[0]
        cells = [format_value(v, unit) for v in rows["value"]]
        ranges = None
        if has_intervals and rows["lower"].notna().any():
            ranges = [
                f"({format_value(lo, unit)} to {format_value(hi, unit)})" if np.isfinite(lo) else ""
                for lo, hi in zip(rows["lower"], rows["upper"], strict=True)
            ]
        lines_by_figure.append((rows["label"].iloc[0], cells, ranges))
    widths = [len(name) for name in order]
    for _, cells, ranges in lines_by_figure:
        for i, cell in enumerate(cells + (ranges or [])):
            widths[i % len(order)] = max(widths[i % len(order)], len(cell))
    widths = [w + 2 for w in widths]
    head = "".ljust(label_width) + "".join(name.rjust(w) for name, w in zip(order, widths, strict=True))
    lines = [head, "-" * len(head)]
    for label, cells, ranges in lines_by_figure:
        lines.append(
            label.ljust(label_width) + "".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )
        if ranges is not None:
            lines.append(
                "".ljust(label_width) + "".join(r.rjust(w) for r, w in zip(ranges, widths, strict=True))
            )
    notes = table[table["note"] != ""]
    if len(notes):
        lines += ["", "Notes:"]
        for (label, note), part in notes.groupby(["label", "note"], sort=False):
            names = list(dict.fromkeys(part["scenario"]))
            who = "all scenarios" if len(names) == len(order) else ", ".join(names)
            lines.append(f"  {label} ({who}): {note}")
    draws = table.attrs.get("draws", 0)
    if draws:
        level = table.attrs.get("confidence", DEFAULT_CONFIDENCE)
        lines.append(
            f"Intervals: {level:.0%} of {draws:,} Monte Carlo draws (seed {table.attrs.get('seed')})."
        )
    return "\n".join(lines)


#: Figures computed from the baseline's observed demand (a count of households): hidden
#: with it when that count is small (:func:`needs.methods.disclosure.is_disclosive`).
_DEMAND_FIGURES: tuple[str, ...] = (
    "demand",
    "accommodated",
    "turnaways",
    "turnaway_rate",
    "cost_per_household",
)


def display_table(table: pd.DataFrame, *, suppress_below: int | None = None) -> pd.DataFrame:
    """The comparison for people: one row per figure (its label), one column per scenario,
    formatted text (money in pounds, shares as percentages, ``value (lower to upper)`` with
    intervals).

    With ``suppress_below``, the figures computed from the baseline's observed demand are
    shown as ``[c]`` when that demand is a disclosive count
    (:func:`needs.methods.disclosure.is_disclosive`); the other figures are modelled or financial
    totals, not counts of people.
    """
    order = list(dict.fromkeys(table["scenario"]))
    hidden = False
    if suppress_below is not None:
        demand = table[(table["scenario"] == order[0]) & (table["figure"] == "demand")]["value"]
        hidden = bool(len(demand)) and bool(is_disclosive(round(float(demand.iloc[0])), suppress_below))
    rows = []
    for figure, part in table.groupby("figure", sort=False):
        part = part.set_index("scenario").reindex(order)
        unit = part["unit"].iloc[0]
        row = {"Figure": part["label"].iloc[0]}
        for name, value, low, high in zip(order, part["value"], part["lower"], part["upper"], strict=True):
            if hidden and figure in _DEMAND_FIGURES:
                row[name] = SYMBOL_CONFIDENTIAL
                continue
            text = format_value(value, unit)
            if np.isfinite(low) and np.isfinite(high):
                text += f" ({format_value(low, unit)} to {format_value(high, unit)})"
            row[name] = text
        rows.append(row)
    return pd.DataFrame(rows)
