"""Tests for needs.publish.charts and needs.publish.publication: accessible, published-only, deterministic output.

Inputs are small hand-made published tables ("[c]" where a count is hidden); expected alt
text figures and table cells are worked out by hand from them.
"""

from __future__ import annotations

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


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, i = [], 8
    while i < len(data):
        length = int.from_bytes(data[i : i + 4], "big")
        chunks.append(data[i + 4 : i + 8])
        i += 12 + length
    return chunks


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
    axes = figure.axes[0]
    assert axes.get_xlabel() == "Percentage"
    assert axes.get_ylabel() == "Sex"


def test_representation_chart_draws_no_point_for_hidden_values():
    figure, _ = charts.representation_chart(representation_rows(), "Sex")
    axes = figure.axes[0]
    observed_points = [line for line in axes.lines if line.get_marker() == "o" and len(line.get_xdata()) == 1]
    # Only the female row is published.
    assert [float(line.get_xdata()[0]) for line in observed_points] == pytest.approx([90.0])


def test_decline_chart_gap_for_hidden_bar_and_hatching_for_greyscale():
    figure, alt = charts.decline_reasons_chart(decline_rows(), where="Testshire")
    axes = figure.axes[0]
    bars = axes.patches
    assert len(bars) == 2  # the hidden reason has no bar
    widths = sorted(round(bar.get_width(), 6) for bar in bars)
    assert widths == [10.0, 25.0]
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
    data = pd.DataFrame(
        {
            "period": ["2022-23", "2023-24"],
            "grant": [1_100_000, 1_174_689],
            "committed_total": [900_000, 1_250_000],
        }
    )
    figure, alt = charts.funding_chart(data, where="Testshire")
    assert "2023-24: safe accommodation grant £1.17 million, committed spend £1.25 million" in alt
    assert len(figure.axes[0].patches) == 4
    assert figure.axes[0].get_ylabel() == "£ million"


def test_trends_chart_hidden_year_not_plotted():
    data = pd.DataFrame(
        {
            "measure": ["households_supported"] * 3,
            "period": ["2021-22", "2022-23", "2023-24"],
            "value": [C, 12.5, 15.0],
            "lower": [C, 10.0, 12.0],
            "upper": [C, 15.0, 18.0],
        }
    )
    figure, alt = charts.trends_chart(data, where="Testshire")
    line = [ln for ln in figure.axes[0].lines if ln.get_label() == "Households supported"][0]
    assert list(line.get_ydata()) == [12.5, 15.0]
    assert "2021-22 hidden" in alt and "2023-24 15.0" in alt
    assert C in texts(figure)


def test_embed_is_deterministic_and_has_real_alt_text():
    first = charts.render(charts.decline_reasons_chart(decline_rows()))
    second = charts.render(charts.decline_reasons_chart(decline_rows()))
    assert first.png == second.png
    chunks = png_chunks(first.png)
    assert b"tEXt" not in chunks and b"tIME" not in chunks  # no software or time stamps
    markup = first.to_html()
    assert re.search(
        r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="Bar chart of the reasons', markup
    )
    assert "No description has been provided" not in markup
    assert "<figcaption>Why services were unable to support</figcaption>" in markup


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
    assert "<caption>Households by sex</caption>" in markup
    assert '<th scope="col">Group</th><th scope="col">Households</th>' in markup
    assert '<th scope="row">Female</th>' in markup
    assert '<td data-count="" class="num">12</td>' in markup
    assert '<abbr title="hidden to protect confidentiality">[c]</abbr>' in markup
    assert 'role="region" aria-label="Households by sex" tabindex="0"' in markup


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
