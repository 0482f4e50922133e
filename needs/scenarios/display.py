"""Scenario comparisons for people: the one displayed table, its text layout, a wide table.

:func:`display_table` is **the** comparison people see: it turns the long table of
:func:`needs.scenarios.comparison.compare` into one row per figure (its label) and one column per
scenario, with a first row saying what each scenario changes, formatted values (``value (lower
to upper)`` with Monte Carlo intervals), "not meaningful" where a ratio's denominator is near
zero, and the notes that explain a figure. The command line (:func:`format_table`, the same
cells laid out as fixed-width text), the notebooks and the published report
(:meth:`needs.publish.publication.Publication.scenario_table`, which passes the figures its
disclosure control hides as ``hide``) all show it. :func:`to_wide` gives one row per scenario
of numbers; :func:`format_value` is the one formatter of a figure's value, shared with the
chart alt text (:mod:`needs.scenarios.charts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs.methods.disclosure import is_disclosive
from needs.reference.constants import DEFAULT_CONFIDENCE, SYMBOL_CONFIDENTIAL
from needs.scenarios.figures import CHANGES_LABEL, NOT_MEANINGFUL

__all__ = ["CHANGES", "display_table", "format_table", "format_value", "to_wide"]

#: The ``figure`` key of the first row of :func:`display_table`: what each scenario changes.
CHANGES = "changes"


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


def format_value(value: float | None, unit: str, missing: str = "-", *, whole: bool = False) -> str:
    """A figure as text for its unit (pounds, share, units, households...); ``whole`` rounds
    households to whole numbers (as the published report does)."""
    if value is None or not np.isfinite(value):
        return missing
    if unit == "pounds":
        return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"
    if unit in ("share", "probability"):
        return f"{value:.1%}"
    if (unit == "units" and float(value).is_integer()) or (whole and unit == "households"):
        return f"{value:,.0f}"
    if 0 < abs(value) < 0.95:
        return f"{value:.2g}"
    return f"{value:,.1f}"


#: Figures computed from the baseline's observed demand (a count of households): hidden
#: with it by ``suppress_below`` when that count is small (:func:`needs.methods.disclosure.is_disclosive`).
_DEMAND_FIGURES: tuple[str, ...] = (
    "demand",
    "accommodated",
    "turnaways",
    "turnaway_rate",
    "cost_per_household",
    "cost_per_turnaway_avoided",
    "prob_meets_target",
)


@dataclass(frozen=True)
class _Row:
    figure: str
    label: str
    unit: str
    values: list[str]
    ranges: list[str] | None


def _cells(
    table: pd.DataFrame, hide: set[str], whole: bool
) -> tuple[list[str], list[str], list[_Row], list[str]]:
    """The scenarios, what each changes, the formatted rows and the notes of ``table``."""
    order = [str(s) for s in dict.fromkeys(table["scenario"])]
    has = set(table.columns)
    scenario = table["scenario"].astype(str)
    changes = [
        str(table.loc[scenario == name, "changes"].iloc[0]) if "changes" in has else "" for name in order
    ]
    rows: list[_Row] = []
    notes: list[str] = []
    for figure, part in table.groupby("figure", sort=False):
        part = part.set_index(part["scenario"].astype(str)).reindex(order)
        if figure == "prob_meets_target" and part["value"].isna().all():
            continue  # computed from Monte Carlo draws, or not shown
        unit, label = str(part["unit"].iloc[0]), str(part["label"].iloc[0])
        status = part["status"].fillna("") if "status" in has else pd.Series("", index=order)
        values, ranges = [], []
        for name in order:
            if figure in hide:
                values.append(SYMBOL_CONFIDENTIAL)
                ranges.append("")
                continue
            if status[name] == NOT_MEANINGFUL:
                values.append(NOT_MEANINGFUL)
                ranges.append("")
                continue
            values.append(format_value(part.at[name, "value"], unit, whole=whole))
            low, high = part.at[name, "lower"], part.at[name, "upper"]
            ranges.append(
                f"({format_value(low, unit, whole=whole)} to {format_value(high, unit, whole=whole)})"
                if np.isfinite(low) and np.isfinite(high)
                else ""
            )
        rows.append(_Row(str(figure), label, unit, values, ranges if any(ranges) else None))
        if figure in hide:
            continue  # a note on a hidden figure quotes what is hidden
        said = part["note"].fillna("").astype(str)
        for note, names in said[said != ""].groupby(said, sort=False):
            who = "every scenario" if len(names) == len(order) else ", ".join(names.index)
            notes.append(f"{label} ({who}): {note}")
    return order, changes, rows, notes


def display_table(
    table: pd.DataFrame,
    *,
    suppress_below: int | None = None,
    hide: Iterable[str] = (),
    whole_households: bool = False,
) -> pd.DataFrame:
    """The scenario comparison people see, in the CLI, the notebooks and the report.

    One row per figure (column ``Figure``: its label), one column per scenario. The first row
    (:data:`CHANGES`, labelled :data:`~needs.scenarios.figures.CHANGES_LABEL`) says what each
    scenario changes; then each figure of :data:`~needs.scenarios.figures.FIGURES` formatted for
    its unit (:func:`format_value`), with ``(lower to upper)`` when it has a Monte Carlo interval,
    and ``not meaningful`` when its status says so (a ratio over fewer than
    :data:`~needs.scenarios.figures.MIN_AVOIDED` turn-aways avoided). The probability row is left
    out when it was not computed (no draws).

    Parameters
    ----------
    table
        The long table of :func:`needs.scenarios.comparison.compare`.
    suppress_below
        Hide (``[c]``) the figures computed from the baseline's observed demand when that demand
        is a disclosive count (:func:`needs.methods.disclosure.is_disclosive`).
    hide
        Figures to show as ``[c]`` in every scenario (the report's disclosure control passes
        those modelled from a count or a mean stay the page hides). Their notes are left out.
    whole_households
        Households to whole numbers (the report) rather than to one decimal place.

    Returns
    -------
    pandas.DataFrame
        ``Figure`` and one column per scenario, text. ``attrs``: ``figures`` (the figure key of
        each row), ``units`` (each row's unit), ``hidden`` (the figures hidden) and ``notes``
        (``"<label> (<scenarios>): <note>"``, figures shown only).
    """
    hidden = set(hide)
    if suppress_below is not None and len(table):
        first = table["scenario"].iloc[0]
        demand = table[(table["scenario"] == first) & (table["figure"] == "demand")]["value"]
        if len(demand) and bool(is_disclosive(round(float(demand.iloc[0])), suppress_below)):
            hidden |= set(_DEMAND_FIGURES)
    order, changes, rows, notes = _cells(table, hidden, whole_households)
    records = [{"Figure": CHANGES_LABEL, **dict(zip(order, changes, strict=True))}]
    for row in rows:
        cells = [
            f"{value} {extra}" if extra else value
            for value, extra in zip(row.values, row.ranges or [""] * len(order), strict=True)
        ]
        records.append({"Figure": row.label, **dict(zip(order, cells, strict=True))})
    shown = pd.DataFrame(records, columns=["Figure", *order])
    shown.attrs["figures"] = [CHANGES, *(row.figure for row in rows)]
    shown.attrs["units"] = ["", *(row.unit for row in rows)]
    shown.attrs["hidden"] = sorted(hidden & {row.figure for row in rows})
    shown.attrs["notes"] = notes
    return shown


def format_table(table: pd.DataFrame, **options) -> str:
    """The comparison of :func:`display_table` (same cells, ``options`` passed to it) as
    fixed-width text for the command line: what each scenario changes first, one line per
    scenario; then one line per figure, one column per scenario, ``(lower to upper)`` on a
    second line when there are intervals; then the notes and the Monte Carlo settings."""
    hidden = set(options.pop("hide", ()))
    suppress_below = options.pop("suppress_below", None)
    if suppress_below is not None:
        hidden |= set(display_table(table, suppress_below=suppress_below).attrs["hidden"])
    order, changes, rows, notes = _cells(table, hidden, bool(options.pop("whole_households", False)))
    if options:
        raise TypeError(f"format_table: unknown options {sorted(options)}")
    lines = [f"{CHANGES_LABEL}:"]
    lines += [f"  {name}: {change}" for name, change in zip(order, changes, strict=True)]
    lines.append("")
    label_width = max(len(row.label) for row in rows) + 2
    widths = [len(name) for name in order]
    for row in rows:
        for i, cell in enumerate(row.values + (row.ranges or [])):
            widths[i % len(order)] = max(widths[i % len(order)], len(cell))
    widths = [w + 2 for w in widths]
    head = "".ljust(label_width) + "".join(name.rjust(w) for name, w in zip(order, widths, strict=True))
    lines += [head, "-" * len(head)]
    for row in rows:
        lines.append(
            row.label.ljust(label_width)
            + "".join(c.rjust(w) for c, w in zip(row.values, widths, strict=True))
        )
        if row.ranges is not None:
            lines.append(
                "".ljust(label_width) + "".join(r.rjust(w) for r, w in zip(row.ranges, widths, strict=True))
            )
    if notes:
        lines += ["", "Notes:"] + [f"  {note}" for note in notes]
    draws = table.attrs.get("draws", 0)
    if draws:
        level = table.attrs.get("confidence", DEFAULT_CONFIDENCE)
        lines.append(
            f"Intervals: {level:.0%} of {draws:,} Monte Carlo draws (seed {table.attrs.get('seed')})."
        )
    return "\n".join(lines)
