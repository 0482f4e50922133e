"""End-to-end tests of ``needs report``: the real papermill kernel and nbconvert.

One default report is rendered per test session (through the command line) and shared by
the structure tests; the leak, determinism and failure tests render their own. Checks are
made on the published HTML itself, parsed with the standard library's HTML parser.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, notebook_with_cell

from needs import __version__
from needs.cli import main
from needs.outputs import report as report_module
from needs.reference.constants import DEFAULT_SUPPRESS_BELOW
from needs.settings import RunSettings

pytestmark = pytest.mark.slow

NAME = f"{DEFAULT_AREA}-{DEFAULT_PERIOD}"
MARKER = "ZZLEAKMARKER"


def default_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the default report once per session (shared with test_browser via the folder)."""
    out = tmp_path_factory.getbasetemp() / "default-report"
    html = out / f"{NAME}.html"
    if not html.exists():
        assert main(["report", "--out", str(out)]) == 0
    return html


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    return default_report(tmp_path_factory)


@pytest.fixture(scope="session")
def page(rendered) -> str:
    return rendered.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def parsed(page) -> Page:
    parser = Page()
    parser.feed(page)
    return parser


class Page(HTMLParser):
    """Collects headings, tables (with caption, header scopes and count cells), images, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[tuple[int, str]] = []
        self.tables: list[dict] = []
        self.images: list[dict] = []
        self._heading: list | None = None
        self._cell: dict | None = None
        self._caption: list | None = None
        self.html_lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag == "table":
            self.tables.append({"caption": None, "th": [], "cells": []})
        if tag == "caption":
            self._caption = [""]
        if tag in ("td", "th") and self.tables:
            self._cell = {"tag": tag, "attrs": attrs, "text": ""}
        if tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = self._caption[0].strip()
            self._caption = None
        if tag in ("td", "th") and self._cell is not None:
            cell = self._cell
            cell["text"] = cell["text"].strip()
            (self.tables[-1]["th"] if cell["tag"] == "th" else self.tables[-1]["cells"]).append(cell)
            if cell["tag"] == "td" and "data-count" in cell["attrs"]:
                self.tables[-1].setdefault("counts", []).append(cell["text"])
            self._cell = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._caption is not None:
            self._caption[0] += data
        if self._cell is not None:
            self._cell["text"] += data


def published_counts(parsed: Page) -> list[tuple[str, str]]:
    """(caption, text) of every count cell of every table."""
    return [(t["caption"], text) for t in parsed.tables for text in t.get("counts", [])]


def small_counts(parsed: Page, threshold: int) -> list[tuple[str, str]]:
    """Count cells showing a number from 1 to threshold - 1."""
    found = []
    for caption, text in published_counts(parsed):
        number = text.replace(",", "")
        if re.fullmatch(r"\d+(\.\d+)?", number) and 0 < float(number) < threshold:
            found.append((caption, text))
    return found


# --------------------------------------------------------------------------------------------
# The default report
# --------------------------------------------------------------------------------------------


def test_default_report_and_audit_notebook_written(rendered):
    assert rendered.name == f"{NAME}.html"
    audit = rendered.with_name(f"{NAME}.audit.ipynb")
    assert audit.is_file()
    nb = nbformat.read(str(audit), as_version=4)
    assert "Internal audit log: not for publication" in nb.cells[0].source
    assert nb.metadata["needs_audit"] == {"internal": True, "publication": False}
    # No temporary files left beside them.
    assert sorted(p.name for p in rendered.parent.iterdir()) == [
        f"{NAME}-data.zip",
        f"{NAME}.audit.ipynb",
        f"{NAME}.html",
    ]


def test_html_is_one_self_contained_page_without_code(page, parsed):
    assert parsed.html_lang == "en"
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", page)  # no external resources
    assert "<script" not in page and "<link" not in page
    for code_sign in ("import needs", "pub.", "In&nbsp;[", "jp-InputArea", "input_prompt", "Traceback"):
        assert code_sign not in page
    assert "No description has been provided" not in page


def test_landmarks_title_block_and_demonstration_notice(page, parsed):
    tags = [tag for tag, _ in parsed.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert tags.count(landmark) == 1
    assert "Leicestershire County Council" in page
    assert f"Financial year {DEFAULT_PERIOD}" in page
    assert "Date of data</dt><dd>2024-03-31" in page
    assert f"needs version {__version__}" in page
    assert "Demonstration data." in page
    assert "Generated</dt>" not in page  # no wall-clock time by default


SECTIONS = [
    "About this assessment",
    "How to read this report",
    "Summary of key findings and gaps",
    "The duty and the data",
    "Population and expected need",
    "Households and individuals supported",
    "Who is supported and who is missing",
    "Referrals, declines and unmet need",
    "Children and young people",
    "Cross-border",
    "Demand seen by partners",
    "Provision and capacity against benchmarks",
    "Funding and spend",
    "Trends",
    "Projected need, the next three financial years",
    "Survivor and stakeholder voice",
    "Commissioning intentions",
    "Methods, data quality and caveats",
    "Glossary",
]
APPENDICES = [
    "Appendix A: Expected need by district and sex",
    "Appendix B: Who is supported, by characteristic",
    "Appendix C: Referrals, outcomes and declines in detail",
    "Appendix D: Children by scope of support and accommodation type",
    "Appendix E: Cross-border referrals by area of origin",
    "Appendix F: Provision, capacity and the loss model",
    "Appendix G: Funding by year and spend by service",
    "Appendix H: Trends: when the services ran, and each group's reach",
    "Appendix I: Projected units needed by accommodation type",
    "Appendix J: Partner data in detail",
]


def test_headings_in_order_and_contents_list(parsed, page):
    levels = [level for level, _ in parsed.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"skipped heading level: h{before} then h{after}"
    sections = [text for level, text in parsed.headings if level == 2]
    # no scenarios section without scenarios; the appendices after the glossary
    assert sections == ["Contents", *SECTIONS, *APPENDICES, "Provenance"]
    nav = page[page.index("<nav") : page.index("</nav>")]
    listed = nav[: nav.index("Appendices</h3>")]
    for section in SECTIONS:
        anchor = re.search(rf'<a href="#([^"]+)">{re.escape(section.replace("&", "&amp;"))}</a>', listed)
        assert anchor, section
        assert f'id="{anchor.group(1)}"' in page
    appendices = nav[nav.index("Appendices</h3>") :]
    for title in APPENDICES:
        anchor = re.search(rf'<a href="#([^"]+)">{re.escape(html.escape(title, quote=False))}</a>', appendices)
        assert anchor, title
        assert f'<h2 id="{anchor.group(1)}" class="appendix">' in page


def test_sections_lead_with_a_key_sentence_and_link_their_appendix(page):
    main = page[page.index('<main id="main">') : page.index("</main>")]
    titles = [*SECTIONS, *APPENDICES]
    starts = [main.index(f">{html.escape(title, quote=False)}</h2>") for title in titles]
    bodies = {t: main[a:b] for t, a, b in zip(titles, starts, [*starts[1:], len(main)], strict=True)}
    for section in ("Population and expected need", "Who is supported and who is missing",
                    "Referrals, declines and unmet need", "Provision and capacity against benchmarks",
                    "Funding and spend", "Trends", "Demand seen by partners"):  # fmt: skip
        body = bodies[section]
        assert '<p class="key-sentence">' in body, section
        links = re.findall(r'<p class="see-appendix"><a href="#(appendix-[a-z]-[^"]+)">', body)
        assert len(links) == 1, section
        assert f'<h2 id="{links[0]}" class="appendix">' in main
    # The long listings are in the appendices, not the main body.
    long_tables = ("Share of households supported in each group by year", "Referrals services were unable to "
                   "support, by group", "Modelled units needed by accommodation type", "Sex: households supported")
    first_appendix = main.index(">Appendix A:")
    for caption in long_tables:
        assert first_appendix < main.index(caption), caption
    assert main.count('class="how-to-read"') == 1


def test_words_for_numbers(page):
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "p-value" in text and "0.000" not in text and "< 0.001" in text
    assert "about 4 in 10 of the number expected" in text  # male victims, ratio 0.41


def test_finish_html_lists_sections_then_appendices():
    page = (
        '<nav><!-- needs:contents --></nav><main id="main"><h2 id="x">Trends<a class="anchor-link" '
        'href="#x">¶</a></h2><h2>Glossary</h2><h2>Appendix A: Trends &amp; groups</h2><h3>Sex</h3></main>'
    )
    out = report_module.finish_html(page)
    assert '<ol>\n<li><a href="#trends">Trends</a></li>\n<li><a href="#glossary">Glossary</a></li>\n</ol>' in out
    assert '<h3 class="contents-heading" id="contents-appendices">Appendices</h3>' in out
    assert '<li><a href="#appendix-a-trends-groups">Appendix A: Trends &amp; groups</a></li>' in out
    assert '<h2 id="appendix-a-trends-groups" class="appendix">' in out and '<h3 id="sex">' in out
    assert "anchor-link" not in out
    # Without appendices, no second list.
    assert "Appendices" not in report_module.finish_html('<!-- needs:contents --><main id="main"><h2>A</h2></main>')


def test_tables_have_captions_and_scoped_headers(parsed):
    assert len(parsed.tables) >= 25
    for table in parsed.tables:
        assert table["caption"], table
        assert table["th"], table["caption"]
        for header in table["th"]:
            assert header["attrs"].get("scope") in ("col", "row"), table["caption"]


def test_every_chart_has_generated_alt_text(page):
    """Every chart is inline SVG (role img) named by a <title> holding generated alt text, and
    links to the published table it draws ("Data table for this chart")."""
    figures = re.findall(r'<figure class="chart" id="chart-[^"]+">(.*?)</figure>', page, flags=re.S)
    assert len(figures) >= 12  # 8 characteristics + declines, capacity, funding, trends
    assert "data:image/png" not in page
    for figure in figures:
        svg = re.match(r"<svg ([^>]*)>", figure)
        assert svg and 'role="img"' in svg.group(1)
        name = re.search(r'aria-labelledby="([^"]+)"', svg.group(1)).group(1)
        alt = html.unescape(re.search(rf'<title id="{re.escape(name)}">([^<]*)</title>', figure).group(1))
        assert len(alt) > 60 and "chart" in alt.lower()
        assert "No description" not in alt
        assert not re.search(r"\[c\]", alt)  # hidden values are described in words, not shown
    ids = set(re.findall(r' id="([^"]+)"', page))
    links = re.findall(r'href="#([^"]+)">Data table for this chart', page)
    assert len(links) >= 12 and set(links) <= ids  # every link lands on a published table


def test_no_small_count_in_published_tables(parsed):
    assert published_counts(parsed)  # the check looks at real cells
    assert small_counts(parsed, DEFAULT_SUPPRESS_BELOW) == []
    assert any(text == "[c]" for _, text in published_counts(parsed))  # suppression happened


def test_suppression_note_and_provenance_footer(page):
    assert "[c] A count from 1 to 4" in page
    footer = page[page.index("<footer") :]
    for path in sorted(DEFAULT_DATA.iterdir()):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert f'<th scope="row">{path.name}</th><td><code>{digest}</code>' in footer, path.name
    assert "Suppress counts below</th><td>5" in footer
    assert str(DEFAULT_DATA) not in page and str(Path.cwd()) not in page and "/tmp/" not in page


# --------------------------------------------------------------------------------------------
# Privacy: no record-level value, no small count
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def marked_data(tmp_path_factory) -> Path:
    """The example data with a marker in every referral and household identifier."""
    folder = tmp_path_factory.mktemp("marked") / "data"
    shutil.copytree(DEFAULT_DATA, folder)
    referrals = pd.read_csv(folder / "referrals.csv", dtype=str, keep_default_na=False)
    referrals["referral_id"] = MARKER + referrals["referral_id"]
    referrals["household_id"] = MARKER + referrals["household_id"]
    referrals.to_csv(folder / "referrals.csv", index=False)
    return folder


@pytest.mark.parametrize("threshold", [DEFAULT_SUPPRESS_BELOW, 10])
def test_leak_no_record_level_values_and_no_small_counts(marked_data, tmp_path, threshold):
    html = report_module.render(
        marked_data, DEFAULT_AREA, DEFAULT_PERIOD, tmp_path, suppress_below=threshold, progress=False
    )
    page = html.read_text(encoding="utf-8")
    assert MARKER not in page
    audit = html.with_name(f"{NAME}.audit.ipynb").read_text(encoding="utf-8")
    assert MARKER not in audit  # the notebook never displays a record either
    parsed = Page()
    parsed.feed(page)
    assert small_counts(parsed, threshold) == []
    assert f"[c] A count from 1 to {threshold - 1}" in page


# --------------------------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------------------------


def test_same_inputs_give_byte_identical_report(rendered, tmp_path):
    again = report_module.render(out_dir=tmp_path, progress=False)
    assert again.read_bytes() == rendered.read_bytes()


def test_timestamp_only_when_asked():
    # The timestamp is added to the title block; check the metadata builder without a render.
    import needs

    dataset = needs.load(DEFAULT_DATA)
    settings = RunSettings(DEFAULT_DATA, DEFAULT_AREA, DEFAULT_PERIOD)
    with_time = report_module._report_metadata(dataset, settings.replace(timestamp=True))
    without = report_module._report_metadata(dataset, settings)
    assert with_time["generated"] and without["generated"] is None
    json.dumps(without)  # notebook metadata must be JSON


# --------------------------------------------------------------------------------------------
# Failures: atomic output, clear messages, exit codes
# --------------------------------------------------------------------------------------------


def broken_notebook(tmp_path: Path, section: str) -> Path:
    """The assessment notebook with a failing cell in ``section``."""
    return notebook_with_cell(
        report_module.NOTEBOOK,
        tmp_path / "broken.ipynb",
        "raise RuntimeError('deliberate failure for the test')",
        "deliberate-failure",
        after=lambda cell: cell.cell_type == "markdown" and f"## {section}" in cell.source,
    )


def test_failing_cell_exits_1_names_section_and_leaves_no_report(tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    old = out / f"{NAME}.html"
    old.write_text("previous report", encoding="utf-8")
    monkeypatch.setattr(report_module, "NOTEBOOK", broken_notebook(tmp_path, "Funding and spend"))
    assert main(["report", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the report failed in the section 'Funding and spend'" in err
    assert "deliberate failure for the test" in err
    assert "Traceback" not in err
    # The previous report is untouched; nothing new or half-written is left.
    assert old.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in out.iterdir()) == [old.name]


def test_interrupted_conversion_leaves_nothing(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module, "to_html", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report_module.render(out_dir=tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_bad_data_exits_2_before_any_kernel(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "bad"
    shutil.copytree(DEFAULT_DATA, folder)
    referrals = pd.read_csv(folder / "referrals.csv", dtype=str, keep_default_na=False)
    referrals.loc[0, "outcome"] = "lost_in_the_post"
    referrals.to_csv(folder / "referrals.csv", index=False)

    def no_kernel(*args, **kwargs):
        raise AssertionError("the kernel must not start for bad data")

    monkeypatch.setattr(report_module, "_execute", no_kernel)
    out = tmp_path / "out"
    start = time.perf_counter()
    assert main(["report", "--data", str(folder), "--out", str(out)]) == 2
    assert time.perf_counter() - start < 30
    err = capsys.readouterr().err
    assert "referrals" in err and "lost_in_the_post" in err and "row 2" in err
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--area", "E99999999"], "area 'E99999999' is not a tier-one area"),
        (["--period", "2023"], "period '2023' is not a financial year"),
        (["--suppress-below", "0"], "--suppress-below must be a whole number of at least 1"),
        (["--scenario", "no-such-file.yaml"], "scenario file not found"),
        (["--coe-types", "refuge", "castle"], "--coe-types: unknown accommodation types castle"),
        (["--target-turnaway", "1.5"], "--target-turnaway must be between 0 and 1"),
        (["--confidence", "95"], "confidence must be between 0 and 1"),
    ],
)
def test_bad_arguments_exit_2(argv, message, tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "out"), *argv]) == 2
    assert message in capsys.readouterr().err


def test_section_of_maps_cells_to_the_nearest_heading():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell("## Population and expected need\n\nText."),
            nbformat.v4.new_code_cell("y = 2"),
            nbformat.v4.new_markdown_cell("Narrative without a heading."),
            nbformat.v4.new_code_cell("z = 3"),
            nbformat.v4.new_markdown_cell("### Methods\n"),
        ]
    )
    assert report_module.section_of(nb, 0) == "start of the notebook"
    assert report_module.section_of(nb, 2) == "Population and expected need"
    assert report_module.section_of(nb, 4) == "Population and expected need"
    assert report_module.section_of(nb, 5) == "Methods"


def test_committed_notebook_is_stripped_and_parameterised():
    nb = nbformat.read(str(report_module.NOTEBOOK), as_version=4)
    assert nb.cells[0].metadata.get("tags") == ["parameters"]
    for name in (
        "data_dir",
        "area",
        "period",
        "scenarios",
        "suppress_below",
        "confidence",
        "coe_types",
        "target_turnaway",
        "timestamp",
    ):
        assert re.search(rf"^{name} = ", nb.cells[0].source, re.MULTILINE), name
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    source = "\n".join(cell.source for cell in nb.cells)
    assert "needs.load(data_dir)" in source and "needs.assess(" in source


def test_scenarios_section_appears_when_given(tmp_path):
    scenario = report_module.TEMPLATES / "scenarios" / "male-units.yaml"
    html = report_module.render(out_dir=tmp_path, scenarios=[scenario], progress=False)
    parsed = Page()
    parsed.feed(html.read_text(encoding="utf-8"))
    sections = [text for level, text in parsed.headings if level == 2]
    assert sections.index("Scenarios") == sections.index("Survivor and stakeholder voice") + 1
    assert sections.index("Commissioning intentions") == sections.index("Scenarios") + 1
    captions = [table["caption"] for table in parsed.tables]
    comparison = next(
        t for t in parsed.tables if t["caption"].startswith("Scenarios compared with the baseline")
    )
    assert [h["text"] for h in comparison["th"][:3]] == [
        "Figure",
        "Baseline",
        "Six dispersed units for male victims",
    ]
    assert small_counts(parsed, DEFAULT_SUPPRESS_BELOW) == []
    assert any(c.startswith("Scenarios compared") for c in captions)
    assert "scenario: male-units.yaml" in html.read_text(encoding="utf-8")  # its hash is in the footer


def test_report_reconciles_with_the_annual_return(page: str) -> None:
    """Issue 13: the rendered report shows the return's 1,257 individuals = 800 adults and 457
    children, safe accommodation apart from community-based support, and the flows."""
    text = re.sub(r"<[^>]+>", " ", page)
    assert "1,257 individuals = 800 adults and 457 children in 800 households" in text
    assert "61 individuals (30 households) in safe accommodation" in text
    assert "Households supported in safe accommodation" in text
    assert "What became of the households referred in the period" in text
    assert "not supported by any service in this dataset" in text
