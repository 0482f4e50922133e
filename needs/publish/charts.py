"""Accessible charts for the published report, as inline SVG that stays legible from a phone to print.

Every chart function takes **published** values (the output of :mod:`needs.methods.disclosure`
via :mod:`needs.publish.publication`, where hidden cells hold ``[c]``) and returns ``(figure,
alt_text)``. A hidden value is never drawn: its place is left empty and labelled ``[c]``,
and the alt text says it is hidden without giving any number for it.

Design rules (WCAG 2.2 1.1.1 non-text content, 1.4.1 use of colour, 1.4.4 resize text, 1.4.11
non-text contrast):

* the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design");
* series told apart by hatching or marker shape as well as colour, with direct labels, so
  the chart reads in greyscale;
* category labels above their bars (never squeezed beside them), legends above the data
  area (outside the axes), axes labelled in the unit shown (a share axis in %);
* alt text generated from the numbers, stating what the chart shows, and a link to the
  published table the chart draws;
* every text is drawn literally (:func:`literal_text`): an area, category or scenario name
  holding ``$...$`` is shown as written, never parsed as mathtext or TeX.

Sizes. A chart is drawn :data:`WIDTH_INCHES` wide (``72 * WIDTH_INCHES`` SVG units) with no text
smaller than :data:`MIN_FONT_PT` units, and embedded at its natural width of ``96 * WIDTH_INCHES``
CSS px, narrowed to the column (``max-width: 100%``). At a 390 px phone the main column is about 358 px wide, so a
text of ``f`` units is drawn ``f * 358 / 360`` px high: 13 units give 12.9 px, at least the
12 CSS px the report promises. At its natural width (desktop, print) the same text is
``13 * 4 / 3 = 17.3`` px, about the body text.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot state, no GUI); :func:`embed`
writes SVG with text as ``<text>`` (``svg.fonttype: none``), a fixed hash salt and no metadata,
so the same numbers give the same bytes; it strips the XML prologue, the document type and
matplotlib's global style rule, and prefixes every id with the chart's own id so that many
charts can share one page.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import re
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
from matplotlib.ticker import FuncFormatter, MaxNLocator

from needs.publish.formatting import category_label
from needs.reference import categories as cat
from needs.reference.constants import SYMBOL_CONFIDENTIAL, SYMBOL_NOT_APPLICABLE, SYMBOL_NOT_AVAILABLE

__all__ = [
    "OKABE_ITO",
    "Chart",
    "capacity_chart",
    "decline_reasons_chart",
    "embed",
    "figure_id",
    "funding_chart",
    "literal_text",
    "projection_chart",
    "render",
    "representation_chart",
    "table_id",
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

#: Points per inch of matplotlib's figure units (an SVG user unit is one point).
DPI = 72
#: Width of every chart in inches: 360 SVG units, shown at most 480 CSS px wide.
WIDTH_INCHES = 5.0
#: Smallest text of any chart, in SVG units (points): 12.9 CSS px in a 358 px column.
MIN_FONT_PT = 13.0
#: CSS px per SVG unit at the chart's natural size (96 px per inch / 72 points per inch).
_PX_PER_UNIT = 96 / 72
#: Height of one line of chart text, in inches (13 pt x 1.25).
LINE = MIN_FONT_PT * 1.25 / 72
#: Characters of 13 pt text that fit across a chart (DejaVu Sans averages about 0.6 em).
_CHARS_ACROSS = int((WIDTH_INCHES - 0.3) * 72 / (MIN_FONT_PT * 0.6))

#: Left margin of banded charts (inches): room for the first tick label, "0%".
_LEFT = 0.3

_FONTS = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": MIN_FONT_PT,
    "axes.titlesize": MIN_FONT_PT,
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "figure.titlesize": MIN_FONT_PT + 1,
    "svg.fonttype": "none",
    "svg.hashsalt": "needs",
    "svg.image_inline": True,
    "hatch.linewidth": 0.8,
    # Text is drawn as written (see literal_text); texts made while drawing (tick labels) too.
    "text.parse_math": False,
    "text.usetex": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#0b0c0c",
    "xtick.color": "#0b0c0c",
    "ytick.color": "#0b0c0c",
    "text.color": "#0b0c0c",
}

_HIDDEN = (SYMBOL_CONFIDENTIAL, SYMBOL_NOT_AVAILABLE, SYMBOL_NOT_APPLICABLE)
_TITLE_GID = "needs-chart-title"
_INK = "#0b0c0c"


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


def _wrap(text: str, width: int = _CHARS_ACROSS) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _new_figure(height: float, *, left: float = 0.8, title_lines: int = 1):
    """A figure of fixed size with fixed margins (inches), without layout engines.

    Fixed margins keep drawing to one pass (constrained layout draws twice), which matters
    when a report holds a dozen charts. Room is kept at the top for ``title_lines`` lines of a
    title drawn in the chart (``axes.set_title``); one set by :func:`_title` is shown as the
    caption by :func:`embed` instead.
    """
    matplotlib.use("Agg", force=False)

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
    top = 0.15 + 0.26 * title_lines
    bottom = 0.75
    figure.subplots_adjust(
        left=left / WIDTH_INCHES,
        right=1 - 0.3 / WIDTH_INCHES,
        top=1 - top / height,
        bottom=bottom / height,
    )
    return figure, axes


@dataclass(frozen=True)
class _Layout:
    """Vertical layout of a chart in inches, top to bottom: legend rows, value-axis label, axes,
    tick labels and the axis label."""

    height: float
    axes_bottom: float
    axes_height: float
    legend_top: float
    axis_label_top: float


def _layout(body: float, *, legend_rows: int = 0, value_label: bool = False, bottom_lines: int = 1) -> _Layout:
    top_pad = 0.1
    legend = legend_rows * (LINE + 0.06) + (0.1 if legend_rows else 0.0)
    label = LINE + 0.12 if value_label else 0.0
    bottom = 0.22 + LINE * (1 + bottom_lines) + 0.08
    height = top_pad + legend + label + body + 0.12 + bottom
    return _Layout(
        height=height,
        axes_bottom=bottom,
        axes_height=body + 0.12,
        legend_top=height - top_pad,
        axis_label_top=height - top_pad - legend,
    )


def _figure(layout: _Layout, *, inches: bool = True):
    """A figure laid out by ``layout`` (inches); with ``inches`` the axes' y runs in inches from 0
    at its foot, so rows can be placed in inches."""
    matplotlib.use("Agg", force=False)
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH_INCHES, layout.height), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_axes(
            (
                _LEFT / WIDTH_INCHES,
                layout.axes_bottom / layout.height,
                1 - (_LEFT + 0.38) / WIDTH_INCHES,
                layout.axes_height / layout.height,
            )
        )
    if inches:
        axes.set_ylim(0, layout.axes_height)
    return figure, axes


def _legend(figure, layout: _Layout, handles: Sequence[Any]) -> None:
    """The legend above the data area, one entry per line, left-aligned with the axes."""
    if not handles:
        return
    with matplotlib.rc_context(_RC):
        figure.legend(
            handles=list(handles),
            loc="upper left",
            bbox_to_anchor=(0.1 / WIDTH_INCHES, layout.legend_top / layout.height),
            ncols=1,
            frameon=False,
            borderaxespad=0.0,
            borderpad=0.0,
            labelspacing=0.3,
            handlelength=1.8,
            fontsize=MIN_FONT_PT,
        )


def _value_axis_label(figure, layout: _Layout, text: str) -> None:
    """The value axis's label written across, above the axes (a rotated label would not fit)."""
    figure.text(
        0.12 / WIDTH_INCHES, layout.axis_label_top / layout.height, text, ha="left", va="top",
        fontsize=MIN_FONT_PT,
    )  # fmt: skip


@dataclass(frozen=True)
class _Band:
    """One row of a banded chart: its label's top-left corner and its bar's centre, in inches."""

    label_y: float
    centre: float


def _bands(label_lines: Sequence[int], bar: float) -> tuple[float, list[_Band]]:
    """Rows top to bottom, each a label of ``label_lines`` lines over a bar ``bar`` inches high.

    Returns the body height (inches) and each row's positions measured from the body's foot.
    """
    heights = [lines * LINE + 0.04 + bar + 0.14 for lines in label_lines]
    body = sum(heights)
    bands, top = [], body
    for lines, height in zip(label_lines, heights, strict=True):
        bands.append(_Band(label_y=top + 0.12, centre=top - lines * LINE - 0.04 - bar / 2 + 0.12))
        top -= height
    return body, bands


def _band_labels(axes, bands: Sequence[_Band], labels: Sequence[str]) -> None:
    """Each row's label above its bar, from the axes' left edge."""
    transform = axes.get_yaxis_transform()
    for band, label in zip(bands, labels, strict=True):
        axes.text(0, band.label_y, label, transform=transform, ha="left", va="top", fontsize=MIN_FONT_PT)
    axes.set_yticks([])
    axes.spines["left"].set_visible(True)


def _percent_axis(axes, label: str, top: float) -> None:
    """A horizontal share axis from 0 to ``top`` (percent), ticks and label in %."""
    axes.set_xlim(0, top)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}%"))
    axes.set_xlabel(label)


def _room_for_labels(top: float, label_inches: float = 0.75) -> float:
    """An axis end that leaves ``label_inches`` after the longest bar for its value label."""
    width = WIDTH_INCHES - _LEFT - 0.38
    return max(top, 1e-9) * width / max(width - label_inches, 0.5)


def _title(axes, text: str) -> None:
    """The chart's title: kept on the figure and shown as the caption by :func:`embed` (HTML
    text reflows on a phone; a title drawn in the chart would not)."""
    figure = axes.get_figure()
    height = figure.get_size_inches()[1]
    figure.text(
        0.1 / WIDTH_INCHES, 1 - 0.05 / height, text.replace("\n", " "), ha="left", va="top",
        fontsize=MIN_FONT_PT + 1, weight="bold", gid=_TITLE_GID,
    )  # fmt: skip


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
    axes.tick_params(colors=_INK)


# --------------------------------------------------------------------------------------------
# Embedding: SVG in, one <figure> out
# --------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def table_id(table: Any, fallback: str) -> str:
    """The HTML id of the published table a chart draws: the table's own ``html_id`` or ``id``
    when it has one (set by :mod:`needs.publish.tables`), else ``table-<slug of fallback>``."""
    for attribute in ("html_id", "id", "table_id"):
        value = getattr(table, attribute, None)
        if isinstance(value, str) and value:
            return value
    return "table-" + _slug(fallback)


def figure_id(table: str | None, caption: str, alt: str) -> str:
    """``chart-<slug>``: the slug of the table drawn (``table-<slug>``), else of the caption
    with a short hash of the alt text (unique on the page, the same for the same chart)."""
    if table:
        return "chart-" + _slug(table.removeprefix("table-"))
    digest = hashlib.sha1(alt.encode("utf-8")).hexdigest()[:6]
    return f"chart-{_slug(caption)[:48].strip('-') or 'figure'}-{digest}"


_ID = re.compile(r' id="([^"]+)"')
_REF = re.compile(r'(xlink:href="#|href="#|url\(#)([^")]+)')


def _clean_svg(svg: str, prefix: str) -> str:
    """matplotlib's SVG made fit to sit inline in a page beside others.

    Drops the XML prologue and document type (an external reference), the metadata and the
    global ``*`` style rule (it would apply to the whole page); keeps only ids that something
    references, prefixed with ``prefix`` (matplotlib numbers ``figure_1``, ``axes_1`` ... afresh
    in every chart); shortens the font list to fonts with DejaVu Sans' metrics and a generic
    fallback.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\s*<style type="text/css">[^<]*</style>', "", svg)
    svg = re.sub(r"\s*<defs>\s*</defs>", "", svg)
    referenced = {m.group(2) for m in _REF.finditer(svg)}

    def keep(match: re.Match[str]) -> str:
        name = match.group(1)
        return f' id="{prefix}-{name}"' if name in referenced else ""

    svg = _ID.sub(keep, svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    svg = re.sub(r"font-family: [^;\"]+", f"font-family: {_FONTS}", svg)
    return re.sub(r">\s+<", "><", svg).strip()


def _root(svg: str, width: float, height: float, labelled_by: str, title: str) -> str:
    """The root ``<svg>`` element: its natural size in CSS px, narrowed to the column
    (``max-width: 100%``, its height following the view box), named by its ``<title>`` (role
    ``img``)."""
    natural_w, natural_h = width * _PX_PER_UNIT, height * _PX_PER_UNIT
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    view_box = re.search(r'viewBox="([^"]+)"', head)
    attributes = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1"'
        f' viewBox="{view_box.group(1) if view_box else f"0 0 {width:g} {height:g}"}"'
        f' width="{natural_w:.0f}" height="{natural_h:.0f}" role="img" aria-labelledby="{labelled_by}"'
        f' focusable="false" style="max-width: 100%; height: auto">'
    )
    return attributes + f'<title id="{labelled_by}">{html.escape(title)}</title>' + svg[head_end:]


@dataclass(frozen=True)
class Chart:
    """A rendered chart: inline SVG, alt text, a caption and the table it draws; displayable in
    a notebook.

    ``to_html`` gives ``<figure class="chart" id="chart-<slug>">`` holding the ``<svg
    role="img">`` (named by a ``<title>`` holding the alt text), then a ``<figcaption>`` with the
    caption and, when the chart draws a published table, the link "Data table for this chart"
    to ``#table-<slug>``.
    """

    svg: str
    alt: str
    caption: str
    width: int
    height: int
    chart_id: str = "chart"
    table_id: str | None = None

    def to_html(self) -> str:
        caption = html.escape(self.caption)
        link = (
            f' <a class="chart-table-link" href="#{html.escape(self.table_id, quote=True)}">Data table for this chart'
            f'<span class="visually-hidden">: {caption}</span></a>'
            if self.table_id
            else ""
        )
        return (
            f'<figure class="chart" id="{html.escape(self.chart_id, quote=True)}">{self.svg}'
            f'<figcaption><span class="chart-caption">{caption}</span>{link}</figcaption></figure>'
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _floor_fonts(figure) -> None:
    """No text smaller than :data:`MIN_FONT_PT` (a safety net for callers' own sizes)."""
    for text in figure.findobj(Text):
        if text.get_fontsize() < MIN_FONT_PT:
            text.set_fontsize(MIN_FONT_PT)


def embed(
    figure, alt: str, caption: str | None = None, *, table_id: str | None = None, chart_id: str | None = None
) -> Chart:
    """Turn a figure and its alt text into a :class:`Chart` with deterministic inline SVG.

    Parameters
    ----------
    figure
        A matplotlib figure (it holds no pyplot state; nothing to close).
    alt
        Alt text: what the chart shows, from the published numbers (the SVG's accessible name).
    caption
        Visible caption (default: the title set by :func:`_title`, which is then not drawn in
        the chart, else the figure's first text).
    table_id
        HTML id of the published table the chart draws (``table-<slug>``): the caption links to it.
    chart_id
        HTML id of the ``<figure>`` (default :func:`figure_id` of ``table_id``, caption and alt).
    """
    literal_text(figure)
    titles = [t for t in figure.texts if t.get_gid() == _TITLE_GID]
    if caption is None:
        if titles:
            caption = titles[0].get_text()
        else:
            caption = figure.texts[0].get_text().replace("\n", " ") if figure.texts else ""
    for title in titles:
        title.set_visible(False)
    _floor_fonts(figure)
    identifier = chart_id or figure_id(table_id, caption, alt)
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(
            buffer, format="svg", facecolor="white",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )  # fmt: skip
    width, height = (float(v) * 72 for v in figure.get_size_inches())
    svg = _root(_clean_svg(buffer.getvalue(), identifier), width, height, f"{identifier}-alt", alt)
    return Chart(
        svg, alt, caption, round(width * _PX_PER_UNIT), round(height * _PX_PER_UNIT), identifier, table_id
    )


def render(result: tuple[Any, str], caption: str | None = None, *, table_id: str | None = None) -> Chart:
    """Embed the ``(figure, alt)`` result of a chart function as a :class:`Chart`."""
    figure, alt = result
    return embed(figure, alt, caption, table_id=table_id)


def _hidden_label(axes, x: float, y: float, *, horizontal: bool = True) -> None:
    axes.annotate(
        SYMBOL_CONFIDENTIAL,
        (x, y),
        xytext=(4, 0) if horizontal else (0, 4),
        textcoords="offset points",
        va="center" if horizontal else "bottom",
        ha="left" if horizontal else "center",
        color=_INK,
        fontsize=MIN_FONT_PT,
    )


def _end_label(axes, text: str, x: float, y: float) -> None:
    axes.annotate(text, (x, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=MIN_FONT_PT)


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
    tuple
        ``(figure, alt)``. Each group is a row headed by its name: expected shares are open
        diamonds, observed shares filled circles with interval bars; hidden observed shares
        are labelled ``[c]`` and not drawn. The share axis runs in %.
    """
    who = "households supported" if basis == "supported" else "households referred"
    rows = data.reset_index(drop=True)
    labels = [category_label(str(r.characteristic), r.category) for r in rows.itertuples()]
    wrapped = [_wrap(label) for label in labels]
    title = f"{characteristic_label}: {who} against expected victims" + (f", {where}" if where else "")
    body, bands = _bands([_lines(w) for w in wrapped], 0.44)
    layout = _layout(body, legend_rows=2, bottom_lines=1)
    figure, axes = _figure(layout)
    described = []
    top = 0.0
    for band, label, row in zip(bands, labels, rows.itertuples(), strict=True):
        expected = _value(row.expected_share)
        observed = _value(row.observed_share)
        lower, upper = _value(row.lower), _value(row.upper)
        if expected is not None:
            axes.plot(
                [100 * expected], [band.centre + 0.1], marker="D", markersize=8, markerfacecolor="white",
                markeredgecolor=OKABE_ITO["vermillion"], markeredgewidth=1.8, linestyle="none", clip_on=False,
            )  # fmt: skip
            top = max(top, expected)
        if observed is not None:
            if lower is not None and upper is not None:
                axes.plot(
                    [100 * lower, 100 * upper], [band.centre - 0.1] * 2, color=OKABE_ITO["blue"], linewidth=1.8,
                    clip_on=False,
                )
                top = max(top, upper)
            axes.plot(
                [100 * observed], [band.centre - 0.1], marker="o", markersize=7, color=OKABE_ITO["blue"],
                linestyle="none", clip_on=False,
            )  # fmt: skip
            top = max(top, observed)
            described.append(
                f"{label}: {_pct(observed)} of {who}"
                + (f" against {_pct(expected)} of expected victims" if expected is not None else "")
            )
        else:
            _hidden_label(axes, 0, band.centre - 0.1)
            described.append(
                f"{label}: share of {who} hidden to protect confidentiality"
                + (f", {_pct(expected)} of expected victims" if expected is not None else "")
            )
    _band_labels(axes, bands, wrapped)
    _percent_axis(axes, "Share of each group (%)", min(100, 100 * top * 1.1 + 2))
    _title(axes, title)
    _legend(
        figure,
        layout,
        [
            Line2D([], [], marker="D", markerfacecolor="white", markeredgecolor=OKABE_ITO["vermillion"],
                   markeredgewidth=1.8, linestyle="none", label="Expected victims"),
            Line2D([], [], marker="o", color=OKABE_ITO["blue"], linestyle="-",
                   label=f"Observed, with {100 * confidence:g}% interval"),
        ],
    )  # fmt: skip
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
    """Horizontal bars of decline reasons as a percentage of decided referrals.

    Capacity-related reasons are solid orange; others are sky blue with diagonal hatching.
    Each bar is headed by its reason and carries its value; a hidden value has no bar and the
    label ``[c]``. The axis runs in % (0% to a little above the largest share).

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
    wrapped = [_wrap(label) for label in labels]
    title = "Why services were unable to support" + (f", {where}" if where else "")
    body, bands = _bands([_lines(w) for w in wrapped], 0.26)
    layout = _layout(body, legend_rows=2)
    figure, axes = _figure(layout)
    described = []
    top = 0.0
    for band, label, row in zip(bands, labels, rows.itertuples(), strict=True):
        share = _value(row.share)
        capacity = bool(row.capacity_related) if not isinstance(row.capacity_related, str) else False
        if share is None:
            _hidden_label(axes, 0, band.centre)
            described.append(f"{label}: hidden to protect confidentiality")
            continue
        axes.barh(
            band.centre, 100 * share, height=0.26,
            color=OKABE_ITO["orange"] if capacity else OKABE_ITO["sky_blue"],
            hatch=None if capacity else "//", edgecolor=_INK, linewidth=0.8,
        )  # fmt: skip
        _end_label(axes, f"{100 * share:.1f}%", 100 * share, band.centre)
        top = max(top, share)
        described.append(f"{label}: {_pct(share)}" + (" (capacity-related)" if capacity else ""))
    _band_labels(axes, bands, wrapped)
    _percent_axis(axes, "Share of referrals with a decision (%)", _room_for_labels(100 * top))
    _title(axes, title)
    _legend(
        figure,
        layout,
        [
            Patch(facecolor=OKABE_ITO["orange"], edgecolor=_INK, label="No space (capacity-related)"),
            Patch(facecolor=OKABE_ITO["sky_blue"], edgecolor=_INK, hatch="//", label="Other reasons"),
        ],
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

    The capacity story in bars, each hatched differently and headed by what it counts: units in
    place of the bedded types (the loss model's units), units planned (the pipeline, not
    counted; drawn only when there are some), the units the Erlang loss model needs to keep
    turn-aways at the target (summed over bedded types whose figures are published), then as
    context the units in place of the benchmark's types and the Council of Europe benchmark
    (one family place, counted as a unit, per 10,000 population). Each bar is labelled with its
    value; a hidden or missing figure has no bar.

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
    wrapped = [_wrap(b[0]) for b in bars]
    title = "Units in place against the modelled need, and the benchmark" + (f", {where}" if where else "")
    body, bands = _bands([_lines(w) for w in wrapped], 0.26)
    layout = _layout(body)
    figure, axes = _figure(layout)
    top = max([v for _, v, _, _ in bars if v is not None] or [1.0])
    described = []
    for band, (label, value, colour, hatch) in zip(bands, bars, strict=True):
        if value is None:
            hidden = needed_hidden and "needed" in label
            _end_label(axes, SYMBOL_CONFIDENTIAL if hidden else "not available", 0, band.centre)
            described.append(
                f"{label.lower()}: {'hidden to protect confidentiality' if hidden else 'not available'}"
            )
            continue
        axes.barh(band.centre, value, height=0.26, color=colour, hatch=hatch, edgecolor=_INK, linewidth=0.8)
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        _end_label(axes, shown, value, band.centre)
        described.append(f"{label.lower()}: {shown}")
    _band_labels(axes, bands, wrapped)
    axes.set_xlim(0, _room_for_labels(top, 0.6))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
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
    """Grant against committed spend by financial year: a pair of bars under each year, each
    labelled with its value in £ million.

    Parameters
    ----------
    data
        Rows by ``period`` with ``grant`` and ``committed_total`` (pounds).
    where
        Area for the title.
    """
    rows = data.reset_index(drop=True) if data is not None else pd.DataFrame()
    title = "Grant against committed spend by year" + (f", {where}" if where else "")
    series = [
        ("grant", "Safe accommodation grant", OKABE_ITO["blue"], None),
        ("committed_total", "Committed spend", OKABE_ITO["orange"], "//"),
    ]
    series = [s for s in series if s[0] in rows.columns]
    bar = 0.24
    periods = [str(p) for p in rows.get("period", [])]
    body, bands = _bands([1] * len(periods), bar * max(1, len(series)))
    layout = _layout(body, legend_rows=len(series))
    figure, axes = _figure(layout)
    described = []
    top = 0.0
    for k, (column, label, colour, hatch) in enumerate(series):
        for band, value in zip(bands, rows[column], strict=True):
            number = _value(value)
            if number is None:
                continue
            y = band.centre + bar * (len(series) / 2 - k - 0.5)
            axes.barh(
                y, number / 1e6, height=bar, color=colour, hatch=hatch, edgecolor=_INK, linewidth=0.8,
                label=label if band is bands[0] else None,
            )  # fmt: skip
            _end_label(axes, f"£{number / 1e6:.2f}m", number / 1e6, y)
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
    _band_labels(axes, bands, periods)
    axes.set_xlim(0, _room_for_labels(top + 0.01, 0.8))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=4))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"£{x:g}m"))
    axes.set_xlabel("£ million")
    _title(axes, title)
    _legend(
        figure,
        layout,
        [Patch(facecolor=colour, edgecolor=_INK, hatch=hatch, label=label) for _, label, colour, hatch in series],
    )
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


def _period_axis(axes, periods: Sequence[str], label: str) -> None:
    axes.set_xticks(range(len(periods)), periods, rotation=0 if len(periods) <= 4 else 45,
                    ha="center" if len(periods) <= 4 else "right")  # fmt: skip
    axes.set_xlim(-0.5, max(len(periods) - 1, 0) + 0.7)
    axes.set_xlabel(label)


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
        Label of the value axis (written across, above the axes).
    """
    rows = data.reset_index(drop=True) if data is not None else pd.DataFrame()
    title = "Households supported by financial year" + (f", {where}" if where else "")
    markers = ["o", "s", "^", "D", "v", "P"]
    colours = [
        OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange", "black")
    ]
    styles = ["-", "--", ":", "-."]
    periods = sorted({str(p) for p in rows.get("period", [])})
    index = {p: i for i, p in enumerate(periods)}
    measures = list(dict.fromkeys(str(m) for m in rows.get("measure", [])))
    bottom_lines = 1 if len(periods) <= 4 else 3
    layout = _layout(2.3, legend_rows=len(measures), value_label=True, bottom_lines=bottom_lines)
    figure, axes = _figure(layout, inches=False)
    handles = []
    described = []
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
                axes.plot([x, x], [lower, upper], color=colours[k % 6], linewidth=1.4)
            parts.append(f"{row.period} {value:,.1f}")
        (line,) = axes.plot(
            xs, ys, marker=markers[k % 6], color=colours[k % 6], linestyle=styles[k % 4], label=label
        )
        handles.append(line)
        if xs:
            axes.annotate(
                f"{ys[-1]:,.1f}", (xs[-1], ys[-1]), xytext=(8, 0), textcoords="offset points", va="center",
                fontsize=MIN_FONT_PT,
            )  # fmt: skip
        described.append(f"{label}: " + ", ".join(parts))
    _period_axis(axes, periods, "Financial year")
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4))
    axes.set_position(
        (0.75 / WIDTH_INCHES, layout.axes_bottom / layout.height, 1 - 1.05 / WIDTH_INCHES,
         layout.axes_height / layout.height)
    )  # fmt: skip
    _value_axis_label(figure, layout, ylabel)
    _title(axes, title)
    _legend(figure, layout, handles)
    _style(axes)
    alt = (
        f"Line chart of trend measures by financial year{', ' + where if where else ''}. "
        + ("; ".join(described) if described else "No trend data")
        + "."
    )
    return literal_text(figure), alt


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
    title = "Expected adult victims, assessed year and projection" + (f", {where}" if where else "")
    periods = [str(p) for p in rows.get("period", [])]
    x_label = _wrap("Financial year (projected years use ONS population projections)")
    layout = _layout(2.3, legend_rows=2, value_label=True, bottom_lines=_lines(x_label) + (len(periods) > 4) * 2)
    figure, axes = _figure(layout, inches=False)
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
            f"{value:,.0f}", (x, upper if upper is not None else value), xytext=(0, 5), textcoords="offset points",
            ha="center", va="bottom", fontsize=MIN_FONT_PT,
        )  # fmt: skip
        described.append(f"{row.period} ({kind}) {value:,.0f}{interval}")
    _period_axis(axes, periods, x_label)
    axes.set_xlim(-0.5, max(len(periods) - 1, 0) + 0.5)
    axes.set_ylim(0, max([_value(v) or 0.0 for v in rows.get("expected_upper", [])] + [1.0]) * 1.18)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    axes.set_position(
        (0.95 / WIDTH_INCHES, layout.axes_bottom / layout.height, 1 - 1.25 / WIDTH_INCHES,
         layout.axes_height / layout.height)
    )  # fmt: skip
    _value_axis_label(figure, layout, "Expected adult victims in a year")
    if described:
        _legend(
            figure,
            layout,
            [
                Line2D([], [], marker="o", color=OKABE_ITO["blue"], linestyle="none", label="Assessed year"),
                Line2D([], [], marker="s", color=OKABE_ITO["vermillion"], markerfacecolor="white",
                       linestyle="none", label="Projected (population change only)"),
            ],
        )  # fmt: skip
    _title(axes, title)
    _style(axes)
    alt = (
        f"Chart of expected adult victims of domestic abuse by financial year{', ' + where if where else ''}, "
        "with intervals covering national survey sampling error of the prevalence rates only. "
        + ("; ".join(described) if described else "No projection provided")
        + "."
    )
    return literal_text(figure), alt
