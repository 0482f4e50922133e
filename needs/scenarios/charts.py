"""Accessible charts of scenario comparisons and sensitivity (tornado) analyses.

Each function returns ``(figure, alt_text)`` like :mod:`needs.publish.charts`, so
:func:`needs.publish.charts.render` embeds it with a caption. The same design rules apply (WCAG 2.2
1.1.1, 1.4.1, 1.4.11): the Okabe-Ito palette (Okabe & Ito 2008,
:data:`needs.publish.charts.OKABE_ITO`); every series also has its own hatching and a direct value
label, so the chart reads in greyscale; labelled axes and titles; alt text built from the
numbers, saying what the chart shows; legends outside the data area; no text smaller than
:data:`needs.publish.charts.MIN_FONT_PT` on a chart :data:`~needs.publish.charts.WIDTH_INCHES` wide
(one panel under another), so the inline SVG of :func:`needs.publish.charts.embed` stays legible
on a phone; every text drawn literally
(:func:`needs.publish.charts.literal_text`: a scenario or area name holding ``$...$`` is
never parsed as mathtext).

The figures drawn are modelled estimates for the whole area (not counts of people), so
they are not disclosive; the comparison table's own rules are in :mod:`needs.scenarios.display`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from needs.publish.charts import DPI, MIN_FONT_PT, OKABE_ITO, WIDTH_INCHES, literal_text
from needs.scenarios.display import format_value
from needs.scenarios.figures import FIGURES

__all__ = ["comparison", "tornado"]

#: Colour and hatching of each series, in order: distinct in colour and in greyscale.
_SERIES: tuple[tuple[str, str], ...] = (
    (OKABE_ITO["blue"], ""),
    (OKABE_ITO["orange"], "//"),
    (OKABE_ITO["bluish_green"], ".."),
    (OKABE_ITO["reddish_purple"], "xx"),
    (OKABE_ITO["sky_blue"], "\\\\"),
    (OKABE_ITO["vermillion"], "++"),
    (OKABE_ITO["yellow"], "oo"),
    (OKABE_ITO["black"], "--"),
)

#: Short panel titles (the full label is in the alt text).
_SHORT_TITLES: dict[str, str] = {
    "turnaways": "Turned away for lack of space a year",
    "units_short": "Units short of need at the target rate",
    "coe_gap": "Gap to Council of Europe benchmark",
    "committed_spend": "Spend committed in the period",
    "throughput": "Households that can be supported a year",
    "cost_per_household": "Accommodation cost per household",
    "turnaway_rate": "Share turned away for lack of space",
    "balance": "Grant balance after committed spend",
}

#: Figures shown by :func:`comparison` by default.
COMPARISON_FIGURES: tuple[str, ...] = ("turnaways", "units_short", "coe_gap", "committed_spend")

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": MIN_FONT_PT,
    "axes.titlesize": MIN_FONT_PT,
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "svg.fonttype": "none",
    "hatch.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "needs",
    # Scenario and area names are drawn as written, never as mathtext (literal_text).
    "text.parse_math": False,
    "text.usetex": False,
}


def _figure(height: float, rows: int = 1, columns: int = 1):
    matplotlib.use("Agg", force=False)
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots(rows, columns, squeeze=False)
    return figure, axes


def _text(value: float, unit: str) -> str:
    return format_value(value, unit, missing="not available")


def comparison(
    table: pd.DataFrame, figures: Sequence[str] = COMPARISON_FIGURES, *, where: str = ""
) -> tuple[object, str]:
    """Small multiples: one horizontal bar chart per key figure, one bar per scenario.

    Parameters
    ----------
    table
        The long table of :func:`needs.scenarios.comparison.compare`. Monte Carlo intervals, where
        present, are drawn as error bars and stated in the alt text.
    figures
        Figures to show (default turn-aways, units short, CoE gap, annual cost).
    where
        Area and period for the title and alt text, e.g. ``"Leicestershire, 2023-24"``.

    Returns
    -------
    tuple
        ``(matplotlib.figure.Figure, alt_text)``.
    """
    unknown = [f for f in figures if f not in set(table["figure"])]
    if unknown:
        raise ValueError(f"figures: {unknown} are not in the comparison table")
    scenarios = list(dict.fromkeys(table["scenario"]))
    columns = 1
    rows = math.ceil(len(figures) / columns)
    height = max(2.4, 1.4 + 0.42 * len(scenarios)) * rows + 0.6
    figure, grid = _figure(height, rows, columns)
    described = []
    for index, key in enumerate(figures):
        axes = grid[index // columns][index % columns]
        part = table[table["figure"] == key].set_index("scenario").reindex(scenarios)
        label, unit = str(part["label"].iloc[0]), str(part["unit"].iloc[0])
        values = part["value"].to_numpy(dtype=float)
        lower = part["lower"].to_numpy(dtype=float)
        upper = part["upper"].to_numpy(dtype=float)
        positions = np.arange(len(scenarios))[::-1]
        shown = np.nan_to_num(values, nan=0.0)
        for i, (position, value) in enumerate(zip(positions, shown, strict=True)):
            colour, hatch = _SERIES[i % len(_SERIES)]
            axes.barh(position, value, color=colour, hatch=hatch, edgecolor="#0b0c0c", linewidth=0.6)
        has_interval = np.isfinite(lower) & np.isfinite(upper)
        if has_interval.any():
            errors = np.vstack(
                [shown - np.where(has_interval, lower, shown), np.where(has_interval, upper, shown) - shown]
            )
            axes.errorbar(
                shown, positions, xerr=np.clip(errors, 0, None), fmt="none", ecolor="#0b0c0c", capsize=3
            )
        span = max(np.nanmax(np.abs(np.concatenate([shown, np.where(has_interval, upper, 0)]))), 1e-9)
        ends = np.where(has_interval, np.where(shown >= 0, upper, lower), shown)
        for position, value, raw, end in zip(positions, shown, values, ends, strict=True):
            text = _text(raw, unit)
            axes.annotate(
                text,
                (end, position),
                xytext=(4 if value >= 0 else -4, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=MIN_FONT_PT,
            )
        axes.axvline(0, color="#0b0c0c", linewidth=0.8)
        axes.set_yticks(positions, [textwrap.fill(str(name), 16) for name in scenarios])
        axes.xaxis.set_major_locator(MaxNLocator(nbins=3))
        axes.set_title(textwrap.fill(_SHORT_TITLES.get(key, label), 40), loc="left", fontsize=MIN_FONT_PT)
        if unit == "pounds":
            axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"£{x / 1000:,.0f}k"))
            axes.tick_params(axis="x", labelrotation=0)
        axes.set_xlabel(
            {"pounds": "Pounds a year", "units": "Units", "households": "Households a year"}.get(unit, unit)
        )
        low = min(0.0, float(np.nanmin(shown)))
        high = max(0.0, float(np.nanmax(np.where(has_interval, upper, shown))))
        axes.set_xlim(low - 0.3 * span if low < 0 else 0, high + 0.4 * span)
        parts = []
        for name, raw, lo, hi in zip(scenarios, values, lower, upper, strict=True):
            piece = f"{name} {_text(raw, unit)}"
            if math.isfinite(lo) and math.isfinite(hi):
                piece += f" (interval {_text(lo, unit)} to {_text(hi, unit)})"
            parts.append(piece)
        described.append(f"{label}: " + ", ".join(parts))
    for index in range(len(figures), rows * columns):
        grid[index // columns][index % columns].set_visible(False)
    title = "Scenarios compared with the baseline" + (f", {where}" if where else "")
    figure.suptitle(textwrap.fill(title, 40), x=0.01, ha="left", fontsize=MIN_FONT_PT + 1)
    alt = (
        f"Bar charts comparing {len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''} "
        f"(the baseline first){', ' + where if where else ''}. " + "; ".join(described) + "."
    )
    return literal_text(figure), alt


def tornado(sensitivity: pd.DataFrame, figure: str = "units_short", *, where: str = "") -> tuple[object, str]:
    """Tornado chart: how far one key figure moves as each assumption goes low and high.

    Bars start at the central value; the bar for the low setting is blue without hatching,
    the one for the high setting orange with diagonal hatching; assumptions are sorted by
    their swing, the largest at the top. Each bar end is labelled with its value.

    Parameters
    ----------
    sensitivity
        The table of :func:`needs.scenarios.comparison.sensitivity`.
    figure
        Which figure to show (one of the table's ``figure`` values).

    Returns
    -------
    tuple
        ``(matplotlib.figure.Figure, alt_text)``.
    """
    rows = sensitivity[sensitivity["figure"] == figure].sort_values("swing", ascending=False, kind="stable")
    if rows.empty:
        raise ValueError(f"figure: '{figure}' is not in the sensitivity table")
    label, unit = FIGURES.get(figure, (figure, ""))
    base = float(rows["base"].iloc[0])
    chart, grid = _figure(max(3.2, 2.2 + 0.75 * len(rows)))
    axes = grid[0][0]
    positions = np.arange(len(rows))[::-1]
    (low_colour, low_hatch), (high_colour, high_hatch) = _SERIES[0], _SERIES[1]
    lows = rows["low"].to_numpy(dtype=float)
    highs = rows["high"].to_numpy(dtype=float)
    axes.barh(
        positions - 0.18,
        lows - base,
        left=base,
        height=0.36,
        color=low_colour,
        hatch=low_hatch,
        edgecolor="#0b0c0c",
        linewidth=0.6,
        label="Low setting",
    )
    axes.barh(
        positions + 0.18,
        highs - base,
        left=base,
        height=0.36,
        color=high_colour,
        hatch=high_hatch,
        edgecolor="#0b0c0c",
        linewidth=0.6,
        label="High setting",
    )
    for position, low, high in zip(positions, lows, highs, strict=True):
        if low == base and high == base:
            axes.annotate(
                "no effect",
                (base, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=MIN_FONT_PT,
            )
            continue
        for offset, value in ((-0.18, low), (0.18, high)):
            right = value >= base
            axes.annotate(
                _text(value, unit),
                (value, position + offset),
                xytext=(4 if right else -4, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=MIN_FONT_PT,
            )
    axes.axvline(base, color="#0b0c0c", linewidth=1.0)
    span = max(float(np.nanmax(np.abs(np.concatenate([lows, highs]) - base))), 1e-9)
    axes.set_xlim(base - 1.5 * span, base + 1.5 * span)
    axes.set_yticks(positions, [textwrap.fill(str(name), 18) for name in rows["label"]])
    axes.xaxis.set_major_locator(MaxNLocator(nbins=3))
    axes.set_xlabel(textwrap.fill(f"{label} (central value {_text(base, unit)})", 30))
    # Above the data area, never over the bars.
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncols=1, frameon=False, borderaxespad=0)
    scenario = str(rows["scenario"].iloc[0])
    title = f"Sensitivity of {_SHORT_TITLES.get(figure, label).lower()}: {scenario}" + (
        f", {where}" if where else ""
    )
    chart.suptitle(textwrap.fill(title, 40), x=0.01, ha="left", fontsize=MIN_FONT_PT + 1)
    described = []
    for _, row in rows.iterrows():
        if row["swing"] == 0:
            described.append(f"{row['label']}: no effect")
        else:
            described.append(
                f"{row['label']}: {_text(row['low'], unit)} at the low setting, {_text(row['high'], unit)} at the high"
            )
    top = rows.iloc[0]
    lead = (
        f"{top['label']} moves it most (a swing of {_text(top['swing'], unit)})"
        if top["swing"] > 0
        else "none of the assumptions moves it"
    )
    alt = (
        f"Tornado chart of how {label.lower()} ({scenario}{', ' + where if where else ''}) changes when each "
        f"assumption is set low and high, from a central value of {_text(base, unit)}. {lead}. "
        + "; ".join(described)
        + "."
    )
    return literal_text(chart), alt
