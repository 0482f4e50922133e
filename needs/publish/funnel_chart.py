"""Funnel plots: every English authority's value against its denominator, with OHID's limits.

Drawn from :mod:`needs.assessment.comparators` (the points) and :func:`needs.methods.funnel`
(the limits): the average as a solid line, the 95% limits dashed, the 99.8% limits dotted,
every authority as a grey dot, the assessed area as a large orange diamond and its nearest
authorities as blue squares (Okabe-Ito colours; shapes as well as colours).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import MaxNLocator

from needs.publish.charts import OKABE_ITO, _figure, _layout, _legend, _value_axis_label, embed, literal_text

__all__ = ["funnel_chart"]


def funnel_chart(
    points: pd.DataFrame, limits: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, alt_position: str
):
    """A funnel plot and its alt text, ``(figure, alt)``.

    Parameters
    ----------
    points
        One indicator's rows of the ``partner_comparators`` part for one area: ``comparator_name``,
        ``denominator``, ``value``, ``is_area``, ``is_neighbour``.
    limits
        That indicator's rows of ``partner_funnels``: ``level``, ``side``, ``denominator``, ``limit``,
        ``average``.
    title, xlabel, ylabel
        Words of the chart (the title is not drawn: :func:`funnel_figure` makes it the caption).
    alt_position
        Where the area falls, in words, for the alt text.
    """
    # Legend (5 entries) and the value axis's label above the data area, as every chart has them.
    layout = _layout(3.2, legend_rows=5, value_label=True)
    figure, axes = _figure(layout, inches=False)
    box = axes.get_position()  # room on the left for the value axis's numbers
    axes.set_position(
        (box.x0 + 0.35 / figure.get_figwidth(), box.y0, box.width - 0.35 / figure.get_figwidth(), box.height)
    )
    styles = {0.95: "--", 0.998: ":"}
    for (level, side), line in limits.groupby(["level", "side"], sort=True):
        line = line.sort_values("denominator")
        label = f"{level * 100:g}% limits" if side == "lower" else None
        axes.plot(
            line["denominator"],
            line["limit"],
            color=OKABE_ITO["black"],
            linestyle=styles.get(level, "-"),
            linewidth=1,
            label=label,
        )
    average = float(limits["average"].iloc[0]) if len(limits) else float("nan")
    if len(limits):
        axes.axhline(
            average, color=OKABE_ITO["black"], linewidth=1.2, label=f"Average of all ({average:,.1f})"
        )
    others = points[~points["is_area"] & ~points["is_neighbour"]]
    axes.scatter(others["denominator"], others["value"], s=14, color="#7f7f7f", label="Other authorities")
    near = points[points["is_neighbour"]]
    axes.scatter(
        near["denominator"],
        near["value"],
        s=30,
        marker="s",
        color=OKABE_ITO["blue"],
        label="Nearest authorities",
    )
    own = points[points["is_area"]]
    axes.scatter(
        own["denominator"],
        own["value"],
        s=90,
        marker="D",
        color=OKABE_ITO["orange"],
        edgecolor=OKABE_ITO["black"],
        zorder=5,
        label=str(own["comparator_name"].iloc[0]) if len(own) else "This area",
    )
    if len(points):
        top = max(
            points["value"].max(),
            limits["limit"].where(limits["denominator"] >= points["denominator"].min()).max()
            if len(limits)
            else 0,
        )
        axes.set_ylim(0, top * 1.1)
        axes.set_xlim(0, points["denominator"].max() * 1.05)
    axes.set_xlabel(xlabel)
    _value_axis_label(figure, layout, ylabel)
    axes.xaxis.set_major_locator(MaxNLocator(3))
    axes.yaxis.set_major_locator(MaxNLocator(5))
    axes.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    handles, _ = axes.get_legend_handles_labels()
    _legend(figure, layout, handles)
    name = str(own["comparator_name"].iloc[0]) if len(own) else "The area"
    value = float(own["value"].iloc[0]) if len(own) else float("nan")
    alt = (
        f"Funnel chart of {len(points)} authorities: {ylabel.lower()} against {xlabel.lower()}, with the average "
        f"of all ({average:,.1f}) and 95% and 99.8% control limits. {name}: {value:,.1f}, {alt_position.lower()}. "
        "Nearest authorities: "
        + "; ".join(f"{r.comparator_name} {r.value:,.1f}" for r in near.itertuples())
        + ". The data table gives the values of this area and its nearest authorities."
    )
    return literal_text(figure), alt


def funnel_figure(points: pd.DataFrame, limits: pd.DataFrame, *, table_id: str | None = None, **words: str):
    """:func:`funnel_chart` embedded as a :class:`needs.publish.charts.Chart`, linked to the
    published table ``table_id`` it draws."""
    figure, alt = funnel_chart(points, limits, **words)
    return embed(figure, alt, caption=words.get("title"), table_id=table_id)
