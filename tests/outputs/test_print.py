"""The published report printed to A4 PDF by real Chromium, read back with ``pdftotext``.

Issue 14 asks the printed report to keep every table whole ("wide tables in landscape or reflowed
without losing columns"), with the report title and page numbers in the margins. The PDF is made
the way a reader's browser makes it: ``chromium --headless --print-to-pdf`` on the rendered HTML
(the report rendered once for the session, shared with ``test_report.py``/``test_browser.py``),
with Chromium's own header and footer off so only the report's ``@page`` margin boxes print.
Then, for every table read from the HTML with the standard library's parser, its last column
heading and the first cell of its last row must be in the PDF's text: a column cut off at the
page edge, or a table that lost its last rows, fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_PERIOD

from needs.cli import main
from needs.outputs.report import to_html

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NAME = f"{DEFAULT_AREA}-{DEFAULT_PERIOD}"
TITLE = "Safe accommodation needs assessment: Leicestershire, 2023-24"
#: A4 in PostScript points (210 x 297 mm at 72 / 25.4 points per mm), as pdfinfo reports it.
A4 = (595.28, 841.89)
#: A sane length for the default report: its main body and appendices hold about 50 tables and
#: a dozen charts, which cannot fit 10 pages at a legible size; beyond 60 pages something is
#: broken (a table one row per page, a chart per page). Issue 14 measured 23 pages before the
#: appendices were added.
PAGES = range(10, 61)


def default_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the default report once per session (the same folder as test_report uses)."""
    out = tmp_path_factory.getbasetemp() / "default-report"
    html = out / f"{NAME}.html"
    if not html.exists():
        assert main(["report", "--out", str(out)]) == 0
    return html


def normalise(text: str) -> str:
    """Runs of whitespace (spaces, line breaks, non-breaking spaces) as one space, and none after
    a hyphen (a cell wrapped after "16-" prints "16-" and "24" on two lines)."""
    return re.sub(r"- ", "-", " ".join(text.split()))


class Tables(HTMLParser):
    """Each table's caption, last column heading and the first cell of its last body row.

    Text a sighted reader does not see (``class="visually-hidden"``) is left out.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._stack: list[tuple[str, bool]] = []  # open elements: (tag, hidden)
        self._table: dict | None = None
        self._part: str | None = None
        self._row: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self._stack)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag not in ("br", "img", "wbr", "meta", "link", "input", "hr", "col"):
            self._stack.append((tag, "visually-hidden" in classes))
        if tag == "table":
            self._table = {"caption": "", "head": [], "body": []}
        elif self._table is None:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break
        if self._table is None:
            return
        if tag in ("th", "td") and self._cell is not None:
            self._row.append(normalise("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table["head" if self._part == "thead" else "body"].append(self._row)
            self._row = None
        elif tag == "caption":
            self._table["caption"] = normalise("".join(self._caption))
            self._caption = None
        elif tag == "table":
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._hidden():
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def print_to_pdf(html: Path, pdf: Path) -> None:
    """Print ``html`` to ``pdf`` with headless Chromium, as a reader's browser would."""
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            f"--print-to-pdf={pdf}", html.as_uri(),
        ],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip


def pdf_text(pdf: Path) -> str:
    """The PDF's text in the order Chromium drew it, cell by cell (``-raw``: the default layout
    mode merges the lines of neighbouring heading cells and drops the hyphen of a wrapped word)."""
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The report's HTML tables, the PDF's page sizes and its text (from pdftotext)."""
    report = default_report(tmp_path_factory)
    pdf = tmp_path_factory.getbasetemp() / f"{NAME}.pdf"
    print_to_pdf(report, pdf)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "1000", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = [
        (float(w), float(h)) for w, h in re.findall(r"^Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info, re.M)
    ]
    tables = Tables()
    tables.feed(report.read_text(encoding="utf-8"))
    return tables.tables, sizes, pdf_text(pdf)


def test_pdf_is_a4_of_a_sane_length(printed):
    tables, sizes, text = printed
    assert len(sizes) in PAGES
    assert text.count("\f") == len(sizes)  # pdftotext ends every page with a form feed
    for width, height in sizes:
        assert sorted((width, height)) == pytest.approx(A4, abs=1.0)
    # A table of 13 or more columns is printed on a landscape page; the rest are portrait.
    widest = max(len(t["head"][-1]) for t in tables if t["head"])
    landscape = sum(width > height for width, height in sizes)
    assert (landscape > 0) == (widest >= 13)
    assert landscape < len(sizes) / 4


def test_every_page_has_the_title_and_its_number(printed):
    _, sizes, text = printed
    pages = text.split("\f")[: len(sizes)]
    for number, page in enumerate(pages, start=1):
        assert TITLE in normalise(page), number
        assert f"Page {number} of {len(sizes)}" in normalise(page), number


def test_every_table_prints_its_last_column_and_last_row(printed):
    tables, _, text = printed
    shown = normalise(text)
    assert len(tables) >= 20
    missing = []
    for table in tables:
        assert table["head"] and table["body"], table["caption"]
        last_heading = table["head"][-1][-1]
        last_row = table["body"][-1][0]
        for expected in (table["caption"], last_heading, last_row):
            if expected not in shown:
                missing.append((table["caption"][:60], expected))
    assert missing == [], missing


def test_navigation_and_downloads_are_not_printed(printed):
    _, _, text = printed
    shown = normalise(text)
    assert "Skip to main content" not in shown
    assert "Download this table as CSV" not in shown
    assert "Data table for this chart" not in shown


def test_a_title_with_quotes_and_markup_prints_as_written(tmp_path):
    """The title is written into the page's CSS (the @page margin box) as a CSS string: quotes,
    a backslash and "</style>" in it neither end the string nor the style sheet."""
    title = 'Assessment: St Mary\'s "Old" Town \\ </style><script>alert(1)</script> & Co, 2023-24'
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("## A section\n\nSome text.")]
    notebook.metadata = {"needs": {"title": title, "authority": "Somewhere", "period": "2023-24"}}
    page = to_html(notebook)
    assert "<script" not in page
    assert page.count("</style>") == 1
    html = tmp_path / "title.html"
    html.write_text(page, encoding="utf-8")
    pdf = tmp_path / "title.pdf"
    print_to_pdf(html, pdf)
    pages = pdf_text(pdf).split("\f")
    assert len(pages) == 2 and pages[1] == ""  # one page
    lines = [line.strip() for line in pages[0].splitlines() if line.strip()]
    # The margin boxes: the title on a line of its own (the h1 wraps), then the page number.
    assert title in lines, lines
    assert lines[lines.index(title) + 1] == "Page 1 of 1"
