"""The published report in a real browser: headless Chromium, console, screenshot, axe-core.

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright; browser downloads are not
reachable, so ``playwright install`` is never run. The report is the one rendered for the
session by the command line (shared with ``test_report.py`` through the session's temporary
folder, so it is rendered once).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures import DEFAULT_AREA, DEFAULT_PERIOD

from needs.cli import main

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NAME = f"{DEFAULT_AREA}-{DEFAULT_PERIOD}"


def default_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the default report once per session (the same folder as test_report uses)."""
    out = tmp_path_factory.getbasetemp() / "default-report"
    html = out / f"{NAME}.html"
    if not html.exists():
        assert main(["report", "--out", str(out)]) == 0
    return html


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    report = default_report(tmp_path_factory)
    messages: list[str] = []
    failed: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(report.as_uri(), wait_until="load")
        yield page, messages, failed, tmp_path_factory.getbasetemp()
        browser.close()


def test_page_renders_without_console_errors_or_requests(browser_page):
    page, messages, failed, _ = browser_page
    assert page.title().startswith("Safe accommodation needs assessment: Leicestershire")
    assert [m for m in messages if m.startswith(("error", "pageerror", "warning"))] == []
    assert failed == []
    # Every chart image decoded (naturalWidth > 0).
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)


def test_screenshot_is_not_blank(browser_page):
    from PIL import Image

    page, _, _, base = browser_page
    path = base / "report-screenshot.png"
    page.screenshot(path=str(path), full_page=False)
    image = Image.open(path).convert("L")
    low, high = image.getextrema()
    assert high - low > 100  # dark text on a light page
    histogram = image.histogram()
    dark = sum(histogram[:128]) / sum(histogram)
    assert 0.01 < dark < 0.6


def test_no_wcag_a_or_aa_violations(browser_page):
    from axe_playwright_python.sync_playwright import Axe

    page, _, _, _ = browser_page
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def test_print_stylesheet_hides_navigation(browser_page):
    page, _, _, _ = browser_page
    page.emulate_media(media="print")
    try:
        assert page.eval_on_selector("nav.contents", "n => getComputedStyle(n).display") == "none"
    finally:
        page.emulate_media(media="screen")
