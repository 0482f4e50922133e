"""Every report chart measured in a real browser: text at least 12 CSS px on a 390 px phone.

Issue 14: at 390 px the chart text was about 5 px high. The charts are inline SVG that scale
with the column up to their natural width (:mod:`needs.publish.charts`); this test puts every
chart on a small page laid out like the report (a 390 px viewport, 16 px side padding, so a
358 px column) and asks Chromium for the rendered size of every visible ``<text>``: its
computed font size times the scale the SVG is drawn at (``getScreenCTM``). Uses Debian's
Chromium (``/usr/bin/chromium``) through Playwright, as ``tests/outputs/test_browser.py`` does.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from needs.publish import charts

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
C = "[c]"

#: The rendered size of each visible chart text, in CSS px: font size x the SVG's scale.
MEASURE = """() => [...document.querySelectorAll('figure.chart svg text')]
  .filter(t => t.getBoundingClientRect().width > 0)
  .map(t => {
    const m = t.getScreenCTM();
    return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)};
  })"""


def _ethnic_groups() -> pd.DataFrame:
    """Nine groups with the longest labels of the report (shares made up, one hidden)."""
    codes = [
        "asian", "black", "mixed", "white_british", "white_irish", "white_gypsy_irish_traveller",
        "white_roma", "white_other", "other",
    ]  # fmt: skip
    observed = [0.05, 0.03, C, 0.7, 0.01, 0.01, 0.01, 0.08, 0.03]
    return pd.DataFrame(
        {
            "characteristic": "ethnic_group",
            "category": codes,
            "expected_share": [0.07, 0.03, 0.03, 0.72, 0.01, 0.005, 0.005, 0.1, 0.03],
            "observed_share": observed,
            "lower": [v if v == C else v * 0.7 for v in observed],
            "upper": [v if v == C else v * 1.3 for v in observed],
        }
    )


def _page() -> str:
    benchmark = {"counted_units": 13, "coe_target_units": 72.3}
    erlang = pd.DataFrame({"units": [6, 7], "units_needed": [18, C], "planned_units": [6, 0]})
    declines = pd.DataFrame(
        {
            "reason": ["no_capacity_space", "unable_to_meet_needs", "nrpf_no_funding_route", "other"],
            "share": [0.052, 0.026, C, 0.021],
            "capacity_related": [True, False, False, False],
        }
    )
    periods = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    funding = pd.DataFrame(
        {
            "period": periods,
            "grant": [1.1e6, 1.12e6, 1.13e6, 1.15e6, 1.17e6],
            "committed_total": [0, 3e5, 9e5, 1e6, 6.9e5],
        }
    )
    trends = pd.DataFrame(
        {
            "measure": ["households_supported"] * 5,
            "period": periods,
            "value": [C, 1.0, 6.5, 13.4, 12.0],
            "lower": [C, 0.8, 5.0, 12.5, 11.0],
            "upper": [C, 1.3, 8.0, 14.4, 13.0],
        }
    )
    projection = pd.DataFrame(
        {
            "period": ["2023-24", "2024-25", "2025-26", "2026-27"],
            "basis": ["current", "projected", "projected", "projected"],
            "expected_victims": [47_110.0, 48_499.0, 49_040.0, 49_579.0],
            "expected_lower": [44_158.0, 45_460.0, 45_900.0, 46_400.0],
            "expected_upper": [50_062.0, 51_538.0, 52_100.0, 52_700.0],
        }
    )
    where = "Leicestershire and Rutland Combined Authority Area, 2023-24"
    rendered = [
        charts.render(
            charts.representation_chart(_ethnic_groups(), "Ethnic group", where=where), table_id="table-a"
        ),
        charts.render(charts.decline_reasons_chart(declines, where=where), table_id="table-b"),
        charts.render(charts.capacity_chart(benchmark, erlang, where=where), table_id="table-c"),
        charts.render(charts.funding_chart(funding, where=where), table_id="table-d"),
        charts.render(charts.trends_chart(trends, where=where), table_id="table-e"),
        charts.render(charts.projection_chart(projection, where=where)),
    ]
    style = (
        "body { margin: 0; font: 100%/1.5 sans-serif; } main { max-width: 62rem; margin: 0 auto; padding: 0 16px; }"
        " figure.chart { margin: 1.5rem 0; } .visually-hidden { position: absolute; width: 1px; height: 1px;"
        " overflow: hidden; clip-path: inset(50%); white-space: nowrap; }"
    )
    figures = "\n".join(chart.to_html() for chart in rendered)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Charts</title><style>{style}</style></head><body><main>{figures}</main></body></html>"
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    path = tmp_path_factory.mktemp("charts") / "charts.html"
    path.write_text(_page(), encoding="utf-8")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium, path.as_uri()
        chromium.close()


def test_every_chart_text_is_at_least_12_px_on_a_phone(browser):
    chromium, uri = browser
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.goto(uri, wait_until="load")
    sizes = page.evaluate(MEASURE)
    assert len(sizes) > 60  # every chart's labels, ticks, legends and values
    small = [s for s in sizes if s["px"] < 12]
    assert small == [], small
    # Each chart fits the column: no sideways scroll of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = page.eval_on_selector_all(
        "figure.chart svg",
        "s => s.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height, e.viewBox.baseVal.width,"
        " e.viewBox.baseVal.height])",
    )
    assert len(boxes) == 6 and all(abs(width - 358) < 0.5 for width, *_ in boxes)
    for width, height, view_width, view_height in boxes:  # narrowed, not squashed
        assert height / width == pytest.approx(view_height / view_width, rel=0.01)
    page.close()


def test_charts_keep_their_natural_size_on_a_wide_screen(browser):
    """At 1280 px the chart stops at its natural width (480 px), its text about body size."""
    chromium, uri = browser
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(uri, wait_until="load")
    sizes = [s["px"] for s in page.evaluate(MEASURE)]
    assert min(sizes) >= 17 and max(sizes) <= 19.5  # 13 to 14 units x 4/3
    widths = page.eval_on_selector_all("figure.chart svg", "s => s.map(e => e.getBoundingClientRect().width)")
    assert all(abs(w - 480) < 0.5 for w in widths)
    page.close()
