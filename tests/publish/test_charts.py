"""Tests for needs.publish.charts and needs.publish.publication: accessible, published-only, deterministic output.

Inputs are small hand-made published tables ("[c]" where a count is hidden); expected alt
text figures and table cells are worked out by hand from them.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from needs.methods.disclosure import check_published, suppress
from needs.publish import charts
from needs.publish.formatting import format_count, format_interval, format_money, format_percent
from needs.publish.tables import Column, PublishedTable, html_table, publish

C = "[c]"


def representation_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "characteristic": ["sex", "sex", "sex"],
            "category": ["female", "male", "not_known"],
            "expected_share": [0.7, 0.3, 0.0],
            "observed_share": [0.9, C, C],
            "lower": [0.85, C, C],
            "upper": [0.94, C, C],
        }
    )


def decline_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reason": ["no_capacity_space", "risk_location_unsafe", "other"],
            "share": [0.25, C, 0.1],
            "capacity_related": [True, False, False],
        }
    )


def texts(figure: Figure) -> list[str]:
    found = [t.get_text() for t in figure.texts]
    for axes in figure.axes:
        found += [t.get_text() for t in axes.texts]
    return found


def funding_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2022-23", "2023-24"],
            "grant": [1_100_000, 1_174_689],
            "committed_total": [900_000, 1_250_000],
        }
    )


def trend_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": ["households_supported"] * 3,
            "period": ["2021-22", "2022-23", "2023-24"],
            "value": [C, 12.5, 15.0],
            "lower": [C, 10.0, 12.0],
            "upper": [C, 15.0, 18.0],
        }
    )


def projection_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2023-24", "2024-25"],
            "basis": ["current", "projected"],
            "expected_victims": [47_110.0, 48_499.0],
            "expected_lower": [44_158.0, 45_460.0],
            "expected_upper": [50_062.0, 51_538.0],
        }
    )


def every_chart(where: str = "Testshire, 2023-24") -> list[tuple[Figure, str]]:
    """Every chart of the report on the small tables above."""
    benchmark = {"counted_units": 40, "coe_target_units": 71.2}
    erlang = pd.DataFrame({"units": [30, 10], "units_needed": [35, 12], "planned_units": [6, 0]})
    return [
        charts.representation_chart(representation_rows(), "Sex", where=where),
        charts.decline_reasons_chart(decline_rows(), where=where),
        charts.capacity_chart(benchmark, erlang, where=where),
        charts.funding_chart(funding_rows(), where=where),
        charts.trends_chart(trend_rows(), where=where),
        charts.projection_chart(projection_rows(), where=where),
    ]


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


def test_representation_chart_alt_text_states_published_numbers_only():
    figure, alt = charts.representation_chart(representation_rows(), "Sex", where="Testshire, 2023-24")
    assert isinstance(figure, Figure)
    # Female: 90.0% observed against 70.0% expected (hand-computed from the rows).
    assert "Female: 90.0% of households supported against 70.0% of expected victims" in alt
    # Male is hidden: no observed number for it, and the alt text says so.
    assert "Male: share of households supported hidden to protect confidentiality" in alt
    male_part = alt.split("Male:")[1].split(";")[0]
    assert "%" not in male_part.replace("30.0% of expected victims", "")
    assert "Testshire, 2023-24" in alt
    # Hidden values are labelled [c] on the chart, once per hidden row.
    assert texts(figure).count(C) == 2
    # Each group's name heads its row.
    assert {"Female", "Male", "Not known"} <= set(texts(figure))


def test_representation_chart_draws_no_point_for_hidden_values():
    figure, _ = charts.representation_chart(representation_rows(), "Sex")
    axes = figure.axes[0]
    observed_points = [line for line in axes.lines if line.get_marker() == "o" and len(line.get_xdata()) == 1]
    # Only the female row is published.
    assert [float(line.get_xdata()[0]) for line in observed_points] == pytest.approx([90.0])


def _tick_labels(axes) -> list[str]:
    axes.get_figure().canvas.draw()
    return [t.get_text() for t in axes.get_xticklabels() if t.get_text()]


@pytest.mark.parametrize("which", ["representation", "decline"])
def test_share_axes_run_in_percent(which):
    """Issue 14: the decline-reason axis said "Percentage" but ran from 0.0 to 1.0."""
    if which == "representation":
        figure, _ = charts.representation_chart(representation_rows(), "Sex")
        largest = 94.0  # the upper end of the female interval, 0.94
    else:
        figure, _ = charts.decline_reasons_chart(decline_rows())
        largest = 25.0  # the largest published share, 0.25
    axes = figure.axes[0]
    assert axes.get_xlabel().endswith("(%)")
    labels = _tick_labels(axes)
    assert labels[0] == "0%" and all(label.endswith("%") for label in labels)
    low, high = axes.get_xlim()
    assert low == 0 and largest < high <= 100  # the axis holds the data in percent, not 0 to 1


def test_decline_chart_gap_for_hidden_bar_and_hatching_for_greyscale():
    figure, alt = charts.decline_reasons_chart(decline_rows(), where="Testshire")
    axes = figure.axes[0]
    bars = axes.patches
    assert len(bars) == 2  # the hidden reason has no bar
    widths = sorted(round(bar.get_width(), 6) for bar in bars)
    assert widths == [10.0, 25.0]  # shares 0.1 and 0.25 drawn in percent
    hatches = {round(bar.get_width()): bar.get_hatch() for bar in bars}
    assert hatches[25] is None and hatches[10] == "//"  # told apart without colour
    assert C in texts(figure)
    assert "No space or capacity: 25.0% (capacity-related)" in alt
    assert "Risk: location unsafe: hidden to protect confidentiality" in alt
    assert "25.0%" in texts(figure) and "10.0%" in texts(figure)  # direct labels


def test_capacity_chart_labels_and_hidden_need():
    benchmark = {"counted_units": 40, "coe_target_units": 71.2}
    erlang = pd.DataFrame({"units": [30, 10], "units_needed": [35, C]})
    figure, alt = charts.capacity_chart(benchmark, erlang, where="Testshire")
    assert "context: units in place of the benchmark's types: 40" in alt
    assert "context: council of europe benchmark (1 family place per 10,000): 71.2" in alt
    assert "units in place (bedded types, in the loss model): 40" in alt
    assert "units needed for the target turn-away rate (loss model): hidden to protect confidentiality" in alt
    assert "planned" not in alt  # no pipeline, no bar
    hatches = [bar.get_hatch() for bar in figure.axes[0].patches]
    assert len(hatches) == 3 and len(set(hatches)) == 3
    assert figure.axes[0].get_xlabel() == "Units (household places)"
    # the story's order: in place, planned, needed, then the benchmark as context
    planned = erlang.assign(planned_units=[6, 0], units_needed=[35, 12])
    figure, alt = charts.capacity_chart(benchmark, planned, where="Testshire")
    assert alt.index("units in place (bedded") < alt.index("units planned (pipeline, not counted): 6")
    assert alt.index("units planned") < alt.index("units needed") < alt.index("context: council of europe")
    assert "units needed for the target turn-away rate (loss model): 47" in alt
    assert len({bar.get_hatch() for bar in figure.axes[0].patches}) == 5


def test_funding_chart_alt_text_in_millions():
    figure, alt = charts.funding_chart(funding_rows(), where="Testshire")
    assert "2023-24: safe accommodation grant £1.17 million, committed spend £1.25 million" in alt
    axes = figure.axes[0]
    assert len(axes.patches) == 4
    assert axes.get_xlabel() == "£ million"
    assert sorted(round(bar.get_width(), 6) for bar in axes.patches) == [0.9, 1.1, 1.174689, 1.25]
    assert "£1.17m" in texts(figure) and "£1.25m" in texts(figure)
    assert all(label.startswith("£") and label.endswith("m") for label in _tick_labels(axes))


def test_trends_chart_hidden_year_not_plotted():
    figure, alt = charts.trends_chart(trend_rows(), where="Testshire")
    line = [ln for ln in figure.axes[0].lines if ln.get_label() == "Households supported"][0]
    assert list(line.get_ydata()) == [12.5, 15.0]
    assert "2021-22 hidden" in alt and "2023-24 15.0" in alt
    assert C in texts(figure)
    assert "Per 10,000 residents aged 16+" in texts(figure)  # the value axis's unit, written across


def _legends(figure: Figure) -> list:
    return list(figure.legends) + [axes.get_legend() for axes in figure.axes if axes.get_legend()]


def test_legends_sit_outside_the_data_area():
    """Issue 14: legends covered data points ("Not disabled", pregnancy "No")."""
    with_legend = 0
    for figure, _ in every_chart():
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        data_areas = [axes.get_window_extent(renderer) for axes in figure.axes]
        for legend in _legends(figure):
            box = legend.get_window_extent(renderer)
            with_legend += 1
            for area in data_areas:
                assert not box.overlaps(area), figure.texts[-1].get_text()
    assert with_legend == 5  # every chart but the capacity chart, whose bars are labelled


def test_every_text_is_at_least_the_minimum_size():
    """13 SVG units on a chart 360 units wide: 13 x 358 / 360 = 12.9 CSS px in a phone's 358 px
    column, at least the 12 px the report promises (the browser test measures it)."""
    assert charts.MIN_FONT_PT * 358 / (72 * charts.WIDTH_INCHES) >= 12
    for figure, alt in every_chart():
        markup = charts.embed(figure, alt).svg
        assert 'viewBox="0 0 360 ' in markup
        sizes = [float(size) for size in re.findall(r"font-size: ([0-9.]+)px", markup)]
        assert sizes and min(sizes) >= 13
        assert markup.count("<text") == len(sizes)  # text drawn as text, each with its size


def test_embed_raises_small_text_of_other_callers():
    figure, axes = charts._new_figure(3.0)
    axes.annotate("tiny", (0.5, 0.5), fontsize=6)
    chart = charts.embed(figure, "A chart with a tiny label.", "Tiny")
    assert min(float(s) for s in re.findall(r"font-size: ([0-9.]+)px", chart.svg)) >= 13


def test_embed_is_deterministic_inline_svg_without_scripts_or_external_references():
    first = charts.render(charts.decline_reasons_chart(decline_rows()), table_id="table-decline-reason-shares")
    second = charts.render(charts.decline_reasons_chart(decline_rows()), table_id="table-decline-reason-shares")
    assert first.to_html().encode() == second.to_html().encode()  # the same bytes twice
    markup = first.to_html()
    assert markup.startswith('<figure class="chart" id="chart-decline-reason-shares"><svg ')
    for absent in ("<script", "<?xml", "<!DOCTYPE", "<metadata", "<style", "<image", "<foreignObject", "dc:date"):
        assert absent not in markup
    # The only URIs are the two namespace names; every reference is to an id inside the chart.
    assert re.findall(r"https?://[^\"]+", markup) == ["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"]
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', markup)
    ids = re.findall(r' id="([^"]+)"', markup)
    assert len(ids) == len(set(ids))
    assert set(references) - {"table-decline-reason-shares"} <= set(ids)
    assert all(i.startswith("chart-decline-reason-shares") for i in ids)
    # Text is text: the labels can be found, selected and read.
    assert ">No space or capacity</text>" in markup and ">25.0%</text>" in markup


def test_embed_names_the_chart_and_links_its_table():
    figure, alt = charts.decline_reasons_chart(decline_rows(), where="Testshire")
    chart = charts.embed(figure, alt, table_id="table-decline-reason-shares")
    markup = chart.to_html()
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="chart-decline-reason-shares-alt"', markup)
    assert f'<title id="chart-decline-reason-shares-alt">{html.escape(alt)}</title>' in markup
    assert alt.startswith("Bar chart of the reasons")
    assert (
        '<figcaption><span class="chart-caption">Why services were unable to support, Testshire</span> '
        '<a class="chart-table-link" href="#table-decline-reason-shares">Data table for this chart'
    ) in markup
    # The title is the caption, not drawn a second time in the chart.
    assert "Why services were unable" not in chart.svg.split("</title>", 1)[1]
    # Scales with the column up to its natural size (360 units = 480 CSS px).
    assert 'width="480"' in markup and 'style="max-width: 100%; height: auto"' in markup
    # Without a table, no link, and an id of its own.
    plain = charts.embed(*charts.decline_reasons_chart(decline_rows()))
    assert "Data table" not in plain.to_html() and plain.chart_id.startswith("chart-why-services")


def test_table_id_from_the_published_table():
    class Named:
        id = "table-representation-sex-supported"

    assert charts.table_id(Named(), "ignored") == "table-representation-sex-supported"
    assert charts.table_id(object(), "decline_reason_shares") == "table-decline-reason-shares"
    assert charts.figure_id("table-representation-sex-supported", "x", "y") == "chart-representation-sex-supported"


def test_text_from_the_data_cannot_break_out_of_the_chart():
    name = 'Evil</title></svg><script>alert(1)</script><img src=x onerror="y">'
    for figure, alt in every_chart(where=name):
        markup = charts.embed(figure, alt, table_id='table-x" onclick="z').to_html()
        assert "<script" not in markup and "<img" not in markup and "</title></svg>" not in markup
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
        assert 'href="#table-x&quot; onclick=&quot;z"' in markup


def test_palette_is_okabe_ito():
    assert charts.OKABE_ITO["orange"] == "#E69F00"
    assert charts.OKABE_ITO["blue"] == "#0072B2"
    assert len(set(charts.OKABE_ITO.values())) == 8


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def test_formatting():
    assert format_count(1257) == "1,257"
    assert format_count(C) == C
    assert format_count(float("nan")) == "[x]"
    assert format_percent(0.1234) == "12.3%"
    assert format_money(1174689.4) == "£1,174,689"
    assert format_interval(0.1, 0.2) == "10.0% to 20.0%"
    assert format_interval(C, 0.2) == C


def test_html_table_is_accessible_and_marks_counts():
    table = PublishedTable(
        frame=pd.DataFrame({"Group": ["Female", "Male"], "Households": ["12", C]}),
        caption="Households by sex",
        counts=("Households",),
        row_header="Group",
    )
    markup = html_table(table)
    # The shared HTML contract of issue 14 (ids from the caption when the table has no name).
    assert '<caption id="table-households-by-sex-caption">Households by sex</caption>' in markup
    assert '<table id="table-households-by-sex">' in markup
    assert re.search(r'<th scope="col"[^>]*>Group</th><th scope="col" class="num">Households</th>', markup)
    assert re.search(r'<th scope="row" data-label="Group">Female</th>', markup)
    assert re.search(r'<td data-label="Households" data-count="" class="num">12</td>', markup)
    assert '<abbr title="hidden to protect confidentiality">[c]</abbr>' in markup
    assert 'role="region" aria-labelledby="table-households-by-sex-caption" tabindex="0"' in markup


def test_empty_table_becomes_a_sentence():
    markup = html_table(PublishedTable(pd.DataFrame(), "Cross-border flows", empty_message="None."))
    assert "<table" not in markup and "Cross-border flows" in markup and "None." in markup


def test_publish_labels_codes_and_hides_derived_figures():
    raw = pd.DataFrame(
        {
            "area_code": ["E1"] * 3,
            "characteristic": ["sex"] * 3,
            "category": ["female", "male", "not_known"],
            "observed_count": [40, 3, 7],
            "observed_share": [0.8, 0.06, 0.14],
        }
    )
    suppressed = suppress(
        raw, ["observed_count"], derived={"observed_count": ["observed_share"]}, within=["area_code"]
    )
    table = publish(
        suppressed,
        [
            Column("Group", "category", "category"),
            Column("Households", "observed_count", "count", count=True),
            Column("Share", "observed_share", "percent"),
        ],
        "Households by sex",
        row_header="Group",
    )
    # 3 is primary-suppressed; 7 (the smallest other) secondary-suppressed; 40 shown.
    assert table.frame.to_dict("list") == {
        "Group": ["Female", "Male", "Not known"],
        "Households": ["40", C, C],
        "Share": ["80.0%", C, C],
    }
    assert check_published(table.data) == []
