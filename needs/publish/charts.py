"""Accessible charts for the published report.

Every chart function takes **published** values (the output of :mod:`needs.methods.disclosure`
via :mod:`needs.publish.publication`, where hidden cells hold ``[c]``) and returns ``(figure,
alt_text)``. A hidden value is never drawn: its place is left empty and labelled ``[c]``,
and the alt text says it is hidden without giving any number for it.

Design rules (WCAG 2.2 1.1.1 non-text content, 1.4.1 use of colour, 1.4.11 non-text
contrast):

* the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design");
* series told apart by hatching or marker shape as well as colour, with direct labels, so
  the chart reads in greyscale;
* labelled axes and a title;
* alt text generated from the numbers, stating what the chart shows;
* every text is drawn literally (:func:`literal_text`): an area, category or scenario name
  holding ``$...$`` is shown as written, never parsed as mathtext or TeX (which would
  draw something else, or fail on text that is not valid mathtext).

Figures are built with :class:`matplotlib.figure.Figure` and the Agg canvas (no pyplot
state, no GUI), and :func:`embed` writes PNG bytes with a fixed size, resolution and no
metadata, so the same numbers give the same bytes.
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from needs.publish.formatting import category_label
from needs.reference import categories as cat
from needs.reference.constants import SYMBOL_CONFIDENTIAL, SYMBOL_NOT_APPLICABLE, SYMBOL_NOT_AVAILABLE

__all__ = [
    "OKABE_ITO",
    "Chart",
    "capacity_chart",
    "decline_reasons_chart",
    "embed",
    "funding_chart",
    "literal_text",
    "representation_chart",
    "trends_chart",
]

#: Okabe-Ito palette (Okabe & Ito 2008): safe for the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Resolution of embedded PNGs (fixed, for identical bytes).
DPI = 100
WIDTH_INCHES = 8.0

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "svg.hashsalt": "needs",
    "hatch.linewidth": 0.8,
    # Text is drawn as written (see literal_text); texts made while drawing (tick labels) too.
    "text.parse_math": False,
    "text.usetex": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

_HIDDEN = (SYMBOL_CONFIDENTIAL, SYMBOL_NOT_AVAILABLE, SYMBOL_NOT_APPLICABLE)


def _value(value: Any) -> float | None:
    """A published number as float, or None when hidden or missing."""
    if isinstance(value, str) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _new_figure(height: float, *, left: float = 0.8, title_lines: int = 1):
    """A figure of fixed size with fixed margins (inches), without layout engines.

    Fixed margins keep drawing to one pass (constrained layout draws twice), which matters
    when a report holds a dozen charts.
    """
    matplotlib.use("Agg", force=False)

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
    top = 0.25 + 0.22 * title_lines
    bottom = 0.6
    figure.subplots_adjust(
        left=left / WIDTH_INCHES,
        right=1 - 0.5 / WIDTH_INCHES,
        top=1 - top / height,
        bottom=bottom / height,
    )
    return figure, axes


def _left_margin(labels: Sequence[str]) -> float:
    """Left margin in inches for wrapped tick labels (about 0.075 in per character)."""
    longest = max((len(line) for label in labels for line in label.split("\n")), default=4)
    return min(3.4, 0.35 + 0.075 * longest)


def _title(axes, text: str) -> None:
    """The chart title, left-aligned to the figure (not the axes) so long titles fit."""
    figure = axes.get_figure()
    height = figure.get_size_inches()[1]
    figure.text(0.1 / WIDTH_INCHES, 1 - 0.12 / height, text, ha="left", va="top", fontsize=11, weight="bold")


def literal_text(figure):
    """Draw every text of ``figure`` literally: no mathtext, no TeX; returns ``figure``.

    Titles, labels, tick labels, legends and annotations carry names from the user's data
    (areas, scenarios, services). matplotlib would parse text between two ``$`` as mathtext
    (or TeX with ``usetex``): ``Cost $x^2$`` would be drawn as a formula, and text that is
    not valid mathtext would stop the report. Every :class:`matplotlib.text.Text` of the
    figure is set to ``parse_math=False`` and ``usetex=False`` (matplotlib >= 3.5), so the
    text is drawn character for character; texts created while drawing (tick labels) are
    covered by ``text.parse_math: False`` in the charts' style. Every chart function returns
    its figure through here, and :func:`embed` calls it again before drawing.
    """
    for text in figure.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    return figure


def _style(axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(colors="#0b0c0c")


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes, alt text and a caption, displayable in a notebook."""

    png: bytes
    alt: str
    caption: str
    width: int
    height: int

    def to_html(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            '<figure class="chart">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
            f'width="{self.width}" height="{self.height}">'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def embed(figure, alt: str, caption: str | None = None) -> Chart:
    """Turn a figure and its alt text into a :class:`Chart` with deterministic PNG bytes.

    Parameters
    ----------
    figure
        A matplotlib figure (closed afterwards is not needed: it holds no pyplot state).
    alt
        Alt text: what the chart shows, from the published numbers.
    caption
        Visible caption (default: the figure's title).
    """
    buffer = io.BytesIO()
    literal_text(figure)
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    width, height = (int(round(v * DPI)) for v in figure.get_size_inches())
    if caption is None:
        caption = figure.texts[0].get_text().replace("\n", " ") if figure.texts else ""
    return Chart(buffer.getvalue(), alt, caption, width, height)


def _hidden_label(axes, x: float, y: float, *, horizontal: bool = True) -> None:
    axes.annotate(
        SYMBOL_CONFIDENTIAL,
        (x, y),
        xytext=(4, 0) if horizontal else (0, 4),
        textcoords="offset points",
        va="center" if horizontal else "bottom",
        ha="left" if horizontal else "center",
        color="#0b0c0c",
        fontsize=9,
    )


# --------------------------------------------------------------------------------------------
# Expected against observed profile
# --------------------------------------------------------------------------------------------


def representation_chart(
    data: pd.DataFrame,
    characteristic_label: str,
    *,
    basis: str = "supported",
    where: str = "",
    confidence: float = 0.95,
):
    """Expected share of victims against observed share of households, with intervals.

    Parameters
    ----------
    data
        Published representation rows for one characteristic and basis: ``category``,
        ``characteristic``, ``expected_share``, ``observed_share``, ``lower``, ``upper``
        (``[c]`` where hidden).
    characteristic_label
        Heading, e.g. ``"Ethnic group"``.
    basis
        ``"supported"`` or ``"referred"``.
    where
        Area and period for the title.
    confidence
        Confidence level of the intervals (for the legend).

    Returns
    -------
    Chart
        Expected shares are open diamonds, observed shares filled circles with interval bars;
        hidden observed shares are labelled ``[c]`` and not drawn.
    """
    who = "households supported" if basis == "supported" else "households referred"
    rows = data.reset_index(drop=True)
    labels = [category_label(str(r.characteristic), r.category) for r in rows.itertuples()]
    wrapped = [_wrap(label, 30) for label in labels]
    title = _wrap(
        f"{characteristic_label}: {who} against expected victims" + (f", {where}" if where else ""), 80
    )
    height = max(2.5, 0.5 * len(rows) + 1.4 + 0.22 * title.count("\n"))
    figure, axes = _new_figure(height, left=_left_margin(wrapped) + 0.3, title_lines=title.count("\n") + 1)
    positions = list(range(len(rows)))[::-1]
    described = []
    top = 0.0
    for y, label, row in zip(positions, labels, rows.itertuples(), strict=True):
        expected = _value(row.expected_share)
        observed = _value(row.observed_share)
        lower, upper = _value(row.lower), _value(row.upper)
        if expected is not None:
            axes.plot(
                [100 * expected],
                [y + 0.15],
                marker="D",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=OKABE_ITO["vermillion"],
                markeredgewidth=1.6,
                linestyle="none",
            )
            top = max(top, expected)
        if observed is not None:
            if lower is not None and upper is not None:
                axes.plot([100 * lower, 100 * upper], [y - 0.15] * 2, color=OKABE_ITO["blue"], linewidth=1.6)
                top = max(top, upper)
            axes.plot(
                [100 * observed],
                [y - 0.15],
                marker="o",
                markersize=6,
                color=OKABE_ITO["blue"],
                linestyle="none",
            )
            top = max(top, observed)
            described.append(
                f"{label}: {_pct(observed)} of {who}"
                + (f" against {_pct(expected)} of expected victims" if expected is not None else "")
            )
        else:
            _hidden_label(axes, 0, y - 0.15)
            described.append(
                f"{label}: share of {who} hidden to protect confidentiality"
                + (f", {_pct(expected)} of expected victims" if expected is not None else "")
            )
    axes.set_yticks(positions, wrapped)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlim(0, min(100, 100 * top * 1.15 + 2))
    axes.set_xlabel("Percentage")
    axes.set_ylabel(characteristic_label)
    _title(axes, title)
    handles = [
        Line2D(
            [],
            [],
            marker="D",
            markerfacecolor="white",
            markeredgecolor=OKABE_ITO["vermillion"],
            markeredgewidth=1.6,
            linestyle="none",
            label="Expected victims",
        ),
        Line2D(
            [],
            [],
            marker="o",
            color=OKABE_ITO["blue"],
            linestyle="-",
            label=f"Observed, with {100 * confidence:g}% interval",
        ),
    ]
    axes.legend(handles=handles, loc="lower right", frameon=True, fontsize=9)
    _style(axes)
    alt = (
        f"Dot chart comparing, by {characteristic_label.lower()}, the share of {who} with the "
        f"share of expected victims{', ' + where if where else ''}. " + "; ".join(described) + "."
    )
    return literal_text(figure), alt


# --------------------------------------------------------------------------------------------
# Decline reasons
# --------------------------------------------------------------------------------------------


def decline_reasons_chart(data: pd.DataFrame, *, where: str = ""):
    """Horizontal bars of decline reasons as a share of decided referrals.

    Capacity-related reasons are solid orange; others are sky blue with diagonal hatching.
    Each bar carries its value; a hidden value has no bar and the label ``[c]``.

    Parameters
    ----------
    data
        Published decline-reason rows for all accommodation types: ``reason``, ``share``,
        ``capacity_related``.
    where
        Area and period for the title.
    """
    rows = data.reset_index(drop=True)
    labels = [cat.DECLINE_REASONS.label(str(r)) for r in rows.get("reason", [])]
    wrapped = [_wrap(label, 30) for label in labels]
    title = _wrap("Why services were unable to support" + (f", {where}" if where else ""), 90)
    height = max(2.5, 0.5 * len(rows) + 1.4 + 0.22 * title.count("\n"))
    figure, axes = _new_figure(height, left=_left_margin(wrapped) + 0.3, title_lines=title.count("\n") + 1)
    positions = list(range(len(rows)))[::-1]
    described = []
    top = 0.0
    for y, label, row in zip(positions, labels, rows.itertuples(), strict=True):
        share = _value(row.share)
        capacity = bool(row.capacity_related) if not isinstance(row.capacity_related, str) else False
        if share is None:
            _hidden_label(axes, 0, y)
            described.append(f"{label}: hidden to protect confidentiality")
            continue
        axes.barh(
            y,
            100 * share,
            color=OKABE_ITO["orange"] if capacity else OKABE_ITO["sky_blue"],
            hatch=None if capacity else "//",
            edgecolor="#0b0c0c",
            linewidth=0.8,
        )
        axes.annotate(
            f"{100 * share:.1f}%",
            (100 * share, y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
        top = max(top, share)
        described.append(f"{label}: {_pct(share)}" + (" (capacity-related)" if capacity else ""))
    axes.set_yticks(positions, wrapped)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlim(0, 100 * top * 1.25 + 1)
    axes.set_xlabel("Percentage of referrals with a decision")
    axes.set_ylabel("Reason")
    _title(axes, title)
    axes.legend(
        handles=[
            Patch(facecolor=OKABE_ITO["orange"], edgecolor="#0b0c0c", label="No space (capacity-related)"),
            Patch(facecolor=OKABE_ITO["sky_blue"], edgecolor="#0b0c0c", hatch="//", label="Other reasons"),
        ],
        loc="lower right",
        fontsize=9,
    )
    _style(axes)
    alt = (
        "Bar chart of the reasons services were unable to support referred households, as a "
        f"percentage of referrals with a decision{', ' + where if where else ''}. "
        + ("; ".join(described) if described else "No decline reasons were recorded")
        + "."
    )
    return literal_text(figure), alt


# --------------------------------------------------------------------------------------------
# Capacity against demand and the benchmark
# --------------------------------------------------------------------------------------------


def capacity_chart(benchmark: Mapping[str, Any], erlang: pd.DataFrame, *, where: str = ""):
    """Units in place against the modelled need, with the Council of Europe benchmark as context.

    The capacity story in bars, each hatched differently: units in place of the bedded types
    (the loss model's units), units planned (the pipeline, not counted; drawn only when there
    are some), the units the Erlang loss model needs to keep turn-aways at the target (summed
    over bedded types whose figures are published), then as context the units in place of the
    benchmark's types and the Council of Europe benchmark (one family place, counted as a unit,
    per 10,000 population). Each bar is labelled with its value; a hidden or missing figure has
    no bar.

    Parameters
    ----------
    benchmark
        The published benchmark row: ``counted_units``, ``coe_target_units``.
    erlang
        Published Erlang rows: ``units``, ``units_needed`` (``[c]`` where hidden) and
        optionally ``planned_units``.
    where
        Area and period for the title.
    """
    counted = _value(benchmark.get("counted_units"))
    target = _value(benchmark.get("coe_target_units"))
    needed: float | None = None
    units_in_model: float | None = None
    needed_hidden = False
    if erlang is not None and len(erlang) and "units_needed" in erlang.columns:
        values = [_value(v) for v in erlang["units_needed"]]
        needed_hidden = any(isinstance(v, str) and v == SYMBOL_CONFIDENTIAL for v in erlang["units_needed"])
        units_in_model = float(sum(_value(v) or 0.0 for v in erlang["units"]))
        if all(v is not None for v in values):
            needed = float(sum(values))
    planned = 0.0
    if erlang is not None and len(erlang) and "planned_units" in erlang.columns:
        planned = float(sum(_value(v) or 0.0 for v in erlang["planned_units"]))
    pipeline = [("Units planned (pipeline, not counted)", planned, OKABE_ITO["yellow"], "--")] if planned else []
    bars = [
        ("Units in place (bedded types, in the loss model)", units_in_model, OKABE_ITO["sky_blue"], "\\\\"),
        *pipeline,
        ("Units needed for the target turn-away rate (loss model)", needed, OKABE_ITO["bluish_green"], "xx"),
        ("Context: units in place of the benchmark's types", counted, OKABE_ITO["blue"], None),
        ("Context: Council of Europe benchmark (1 family place per 10,000)", target, OKABE_ITO["orange"], ".."),
    ]
    wrapped = [_wrap(b[0], 30) for b in bars]
    title = _wrap(
        "Units in place against the modelled need, and the benchmark" + (f", {where}" if where else ""), 80
    )
    figure, axes = _new_figure(
        3.4 + 0.22 * title.count("\n"), left=_left_margin(wrapped), title_lines=title.count("\n") + 1
    )
    positions = list(range(len(bars)))[::-1]
    top = max([v for _, v, _, _ in bars if v is not None] or [1.0])
    described = []
    for y, (label, value, colour, hatch) in zip(positions, bars, strict=True):
        if value is None:
            hidden = needed_hidden and "needed" in label
            text = SYMBOL_CONFIDENTIAL if hidden else "not available"
            axes.annotate(text, (0, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
            described.append(
                f"{label.lower()}: {'hidden to protect confidentiality' if hidden else 'not available'}"
            )
            continue
        axes.barh(y, value, color=colour, hatch=hatch, edgecolor="#0b0c0c", linewidth=0.8)
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        axes.annotate(shown, (value, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
        described.append(f"{label.lower()}: {shown}")
    axes.set_yticks(positions, wrapped)
    axes.set_ylim(-0.6, len(bars) - 0.4)
    axes.set_xlim(0, top * 1.2 + 1)
    axes.set_xlabel("Units (household places)")
    _title(axes, title)
    _style(axes)
    alt = (
        "Bar chart comparing safe accommodation units in place with the units modelled as needed, "
        f"and with the Council of Europe benchmark as context{', ' + where if where else ''}: "
        + "; ".join(described) + "."
    )
    return literal_text(figure), alt


# --------------------------------------------------------------------------------------------
# Funding by year
# --------------------------------------------------------------------------------------------


def funding_chart(data: pd.DataFrame, *, where: str = ""):
    """Grant against committed spend by financial year (grouped bars with value labels).

    Parameters
    ----------
    data
        Rows by ``period`` with ``grant`` and ``committed_total`` (pounds).
    where
        Area for the title.
    """
    rows = data.reset_index(drop=True) if data is not None else pd.DataFrame()
    title = _wrap("Grant against committed spend by year" + (f", {where}" if where else ""), 90)
    figure, axes = _new_figure(3.8, title_lines=title.count("\n") + 1)
    series = [
        ("grant", "Safe accommodation grant", OKABE_ITO["blue"], None),
        ("committed_total", "Committed spend", OKABE_ITO["orange"], "//"),
    ]
    series = [s for s in series if s[0] in rows.columns]
    width = 0.8 / max(1, len(series))
    periods = [str(p) for p in rows.get("period", [])]
    described = []
    top = 0.0
    for k, (column, label, colour, hatch) in enumerate(series):
        for i, value in enumerate(rows[column]):
            number = _value(value)
            x = i - 0.4 + width * (k + 0.5)
            if number is None:
                continue
            axes.bar(
                x,
                number / 1e6,
                width=width,
                color=colour,
                hatch=hatch,
                edgecolor="#0b0c0c",
                linewidth=0.8,
                label=label if i == 0 else None,
            )
            axes.annotate(
                f"£{number / 1e6:.2f}m",
                (x, number / 1e6),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
            top = max(top, number / 1e6)
    for i, period in enumerate(periods):
        parts = []
        for column, label, _, _ in series:
            number = _value(rows[column].iloc[i])
            parts.append(
                f"{label.lower()} £{number / 1e6:.2f} million"
                if number is not None
                else f"{label.lower()} not available"
            )
        described.append(f"{period}: " + ", ".join(parts))
    axes.set_xticks(range(len(periods)), periods)
    axes.set_ylim(0, top * 1.2 + 0.1)
    axes.set_xlabel("Financial year")
    axes.set_ylabel("£ million")
    _title(axes, title)
    if series:
        axes.legend(loc="upper left", fontsize=9)
    _style(axes)
    alt = (
        f"Grouped bar chart of the safe accommodation grant and committed spend by financial year"
        f"{', ' + where if where else ''}. "
        + ("; ".join(described) if described else "No funding data")
        + "."
    )
    return literal_text(figure), alt


# --------------------------------------------------------------------------------------------
# Trends
# --------------------------------------------------------------------------------------------


def trends_chart(data: pd.DataFrame, *, where: str = "", ylabel: str = "Per 10,000 residents aged 16+"):
    """Each overall trend measure by year, with intervals (one line and marker per measure).

    Parameters
    ----------
    data
        Published trend rows: ``measure``, ``period``, ``value``, ``lower``, ``upper``.
        Hidden values are not plotted and are labelled ``[c]``.
    where
        Area for the title.
    ylabel
        Label of the value axis.
    """
    rows = data.reset_index(drop=True) if data is not None else pd.DataFrame()
    title = _wrap("Households supported by financial year" + (f", {where}" if where else ""), 90)
    figure, axes = _new_figure(3.8, title_lines=title.count("\n") + 1)
    markers = ["o", "s", "^", "D", "v", "P"]
    colours = [
        OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange", "black")
    ]
    styles = ["-", "--", ":", "-."]
    periods = sorted({str(p) for p in rows.get("period", [])})
    index = {p: i for i, p in enumerate(periods)}
    described = []
    measures = list(dict.fromkeys(str(m) for m in rows.get("measure", [])))
    for k, measure in enumerate(measures):
        subset = rows[rows["measure"].astype(str) == measure]
        label = measure.replace("_", " ").capitalize()
        xs, ys, parts = [], [], []
        for row in subset.itertuples():
            x = index[str(row.period)]
            value = _value(row.value)
            if value is None:
                _hidden_label(axes, x, 0, horizontal=False)
                parts.append(f"{row.period} hidden")
                continue
            xs.append(x)
            ys.append(value)
            lower, upper = _value(row.lower), _value(row.upper)
            if lower is not None and upper is not None:
                axes.plot([x, x], [lower, upper], color=colours[k % 6], linewidth=1.2)
            parts.append(f"{row.period} {value:,.1f}")
        axes.plot(xs, ys, marker=markers[k % 6], color=colours[k % 6], linestyle=styles[k % 4], label=label)
        if xs:
            axes.annotate(
                f"{ys[-1]:,.1f}",
                (xs[-1], ys[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        described.append(f"{label}: " + ", ".join(parts))
    axes.set_xticks(range(len(periods)), periods)
    axes.set_xlim(-0.4, max(len(periods) - 1, 0) + 0.4)
    axes.set_xlabel("Financial year")
    axes.set_ylabel(ylabel)
    axes.set_ylim(bottom=0)
    _title(axes, title)
    if measures:
        axes.legend(loc="upper left", fontsize=9)
    _style(axes)
    alt = (
        f"Line chart of trend measures by financial year{', ' + where if where else ''}. "
        + ("; ".join(described) if described else "No trend data")
        + "."
    )
    return literal_text(figure), alt


def render(result: tuple[Any, str], caption: str | None = None) -> Chart:
    """Embed the ``(figure, alt)`` result of a chart function as a :class:`Chart`."""
    figure, alt = result
    return embed(figure, alt, caption)


# --------------------------------------------------------------------------------------------
# Projected need for the strategy period
# --------------------------------------------------------------------------------------------


def projection_chart(data: pd.DataFrame, *, where: str = ""):
    """Expected adult victims in the assessed year and the projected years, with intervals.

    ``data`` is the published ``projection`` table's data (rows ``accommodation_type`` ``all``;
    columns ``period``, ``basis``, ``expected_victims``, ``expected_lower``, ``expected_upper``).
    One point per financial year with its interval (national survey sampling error of the rates
    only); the assessed year is drawn as a filled circle, projected years as open squares.
    Expected victims are modelled estimates (no record behind them), so none is hidden; a
    missing value is left out and said so in the alt text.
    """
    rows = data.reset_index(drop=True) if data is not None else pd.DataFrame()
    title = _wrap(
        "Expected adult victims, assessed year and projection" + (f", {where}" if where else ""), 90
    )
    figure, axes = _new_figure(3.6, title_lines=title.count("\n") + 1)
    periods = [str(p) for p in rows.get("period", [])]
    described = []
    for x, row in enumerate(rows.itertuples()):
        value = _value(getattr(row, "expected_victims", None))
        projected = str(getattr(row, "basis", "")) != "current"
        kind = "projected" if projected else "assessed year"
        if value is None:
            described.append(f"{row.period} ({kind}) not available")
            continue
        lower = _value(getattr(row, "expected_lower", None))
        upper = _value(getattr(row, "expected_upper", None))
        colour = OKABE_ITO["vermillion"] if projected else OKABE_ITO["blue"]
        if lower is not None and upper is not None:
            axes.plot([x, x], [lower, upper], color=colour, linewidth=1.5)
            interval = f" (interval {lower:,.0f} to {upper:,.0f})"
        else:
            interval = ""
        axes.plot(
            [x], [value], marker="s" if projected else "o", markersize=8, color=colour,
            markerfacecolor="white" if projected else colour, linestyle="none",
        )  # fmt: skip
        axes.annotate(
            f"{value:,.0f}", (x, value), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9
        )
        described.append(f"{row.period} ({kind}) {value:,.0f}{interval}")
    axes.set_xticks(range(len(periods)), periods)
    axes.set_xlim(-0.5, max(len(periods) - 1, 0) + 0.6)
    axes.set_xlabel("Financial year (projected years use ONS population projections)")
    axes.set_ylabel("Expected adult victims in a year")
    axes.set_ylim(bottom=0)
    handles = [
        Line2D([], [], marker="o", color=OKABE_ITO["blue"], linestyle="none", label="Assessed year"),
        Line2D([], [], marker="s", color=OKABE_ITO["vermillion"], markerfacecolor="white", linestyle="none",
               label="Projected (population change only)"),
    ]  # fmt: skip
    if described:
        axes.legend(handles=handles, loc="lower right", fontsize=9)
    _title(axes, title)
    _style(axes)
    alt = (
        f"Chart of expected adult victims of domestic abuse by financial year{', ' + where if where else ''}, "
        "with intervals covering national survey sampling error of the prevalence rates only. "
        + ("; ".join(described) if described else "No projection provided")
        + "."
    )
    return literal_text(figure), alt
