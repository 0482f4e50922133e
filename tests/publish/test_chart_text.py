"""Text from the user's data is drawn literally on every chart, never as mathtext (issue 17).

matplotlib parses text between two ``$`` as mathtext: an area named ``Cost $x^2$ and
$\\alpha$`` would be drawn as a formula, and one holding text that is not valid mathtext
(``$\\frac{$``) stopped the report, though ``needs validate`` accepts the name. Every chart
of the report (:mod:`needs.publish.charts`) and of the scenarios (:mod:`needs.scenarios.charts`)
now draws it as written (:func:`needs.publish.charts.literal_text`).
"""

from __future__ import annotations

import html

import pandas as pd
import pytest
from fixtures import SHIRE, tiny_dataset
from matplotlib.figure import Figure
from matplotlib.text import Text

import needs
from needs.publish import charts
from needs.publish.publication import Publication
from needs.scenarios import charts as scenario_charts
from needs.scenarios.comparison import compare, sensitivity

NAMES = (
    r"Cost $x^2$ and $\alpha$",  # valid mathtext: would be drawn as a formula
    r"Cost $x^2$ and $\frac{$ <b>&",  # not valid mathtext: stopped the report
)
C = "[c]"


def _assert_literal(figure: Figure, name: str) -> None:
    """Some text of ``figure`` holds ``name`` as written; no text of it is mathtext or TeX."""
    texts = figure.findobj(Text)
    assert any(name in text.get_text().replace("\n", " ") for text in texts)
    for text in texts:
        assert not text.get_usetex()
        assert text._preprocess_math(text.get_text()) == (text.get_text(), False)  # drawn as written
    figure.canvas.draw()  # draws without error; tick labels made while drawing are literal too
    for text in figure.findobj(Text):
        assert text._preprocess_math(text.get_text())[1] is False


def _published_charts(name: str) -> list[tuple]:
    """Each report chart function called on small published tables, ``name`` in its title."""
    representation = pd.DataFrame(
        {
            "characteristic": ["sex", "sex"],
            "category": ["female", "male"],
            "expected_share": [0.7, 0.3],
            "observed_share": [0.9, C],
            "lower": [0.85, C],
            "upper": [0.94, C],
        }
    )
    declines = pd.DataFrame(
        {"reason": ["no_capacity_space", "other"], "share": [0.25, 0.1], "capacity_related": [True, False]}
    )
    funding = pd.DataFrame({"period": ["2023-24"], "grant": [1_100_000], "committed_total": [900_000]})
    trends = pd.DataFrame(
        {
            "measure": ["households_supported"] * 2,
            "period": ["2022-23", "2023-24"],
            "value": [12.5, 15.0],
            "lower": [10.0, 12.0],
            "upper": [15.0, 18.0],
        }
    )
    erlang = pd.DataFrame({"units": [30], "units_needed": [35]})
    return [
        charts.representation_chart(representation, name, where=name),
        charts.decline_reasons_chart(declines, where=name),
        charts.capacity_chart({"counted_units": 40, "coe_target_units": 71.2}, erlang, where=name),
        charts.funding_chart(funding, where=name),
        charts.trends_chart(trends, where=name, ylabel=name),
    ]


@pytest.mark.parametrize("name", NAMES)
def test_every_report_chart_draws_the_name_literally(name: str) -> None:
    for figure, alt in _published_charts(name):
        _assert_literal(figure, name)
        chart = charts.embed(figure, alt)
        assert chart.svg.startswith("<svg ")
        assert name in chart.caption and name in chart.alt
        markup = chart.to_html()
        assert f">{html.escape(chart.alt)}</title>" in markup  # alt text is escaped
        assert f'<span class="chart-caption">{html.escape(chart.caption)}</span>' in markup
        assert "<b>" not in markup


@pytest.mark.parametrize("name", NAMES)
def test_the_report_renders_every_chart_for_an_area_so_named(name: str) -> None:
    dataset = tiny_dataset()
    areas = dataset.tables["areas"]
    names = areas["area_name"].astype(object).where(areas["area_code"].astype(str) != SHIRE, name)
    dataset.tables["areas"] = areas.assign(area_name=names)
    assert dataset.area_name(SHIRE) == name
    publication = Publication(needs.assess(dataset, SHIRE, "2024-25"), dataset)
    rendered = [
        publication.decline_chart(),
        publication.capacity_chart(),
        publication.funding_chart(),
        publication.trends_chart(),
        *(publication.representation_chart(c) for c in ("sex", "age_band")),
    ]
    for chart in rendered:
        assert chart.svg.startswith("<svg ")
        assert name in chart.caption
        assert chart.table_id and chart.table_id.startswith("table-")  # linked to the table it draws


@pytest.mark.parametrize("name", NAMES)
def test_scenario_charts_draw_names_literally(name: str) -> None:
    dataset = tiny_dataset()
    scenario = {"name": name, "services": {"resize": [{"service_id": "S1", "units": 8}]}}
    table = compare(dataset, SHIRE, "2024-25", [scenario])
    figure, alt = scenario_charts.comparison(table, where=name)
    _assert_literal(figure, name)
    assert html.escape(name) in charts.embed(figure, alt).svg
    table = sensitivity(dataset, SHIRE, "2024-25", scenario, figures=("units_short",))
    figure, alt = scenario_charts.tornado(table, "units_short", where=name)
    _assert_literal(figure, name)
    assert html.escape(name) in charts.embed(figure, alt).svg


def test_literal_text_leaves_other_figures_alone() -> None:
    """Only the toolkit's figures are changed: matplotlib's defaults stay as they were."""
    import matplotlib

    before = matplotlib.rcParams["text.parse_math"]
    _published_charts(NAMES[0])
    assert matplotlib.rcParams["text.parse_math"] == before
    assert Text(0, 0, "$x$").get_parse_math() == before
