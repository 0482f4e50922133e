"""The report's open data (issue 14, item 6): CSV downloads on the page and the zip beside it.

Fast tests write the zip from hand-built notebooks (:func:`needs.outputs.open_data.write_open_data`).
The slow tests take the default report (rendered once per session, the folder test_report
and test_browser share) and check, for every table on the page, that its CSV download holds
exactly the cells the HTML table shows, cell by cell; then write the zip from the executed
(audit) notebook and check its contents and metadata.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_PERIOD

from needs import __version__
from needs.cli import main
from needs.outputs.open_data import open_data_path, published_tables, write_open_data
from needs.publish.open_data import MIMETYPE
from needs.publish.tables import Html, PublishedTable

NAME = f"{DEFAULT_AREA}-{DEFAULT_PERIOD}"
BOM = b"\xef\xbb\xbf"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
META = {"title": "Safe accommodation needs assessment: Shire, 2024-25", "area": "E10000001",
        "authority": "Shire County Council", "period": "2024-25", "data_date": "2025-05-01"}


def _display(obj) -> nbformat.NotebookNode:
    """A code cell displaying ``obj`` as IPython would store it (its mime bundle)."""
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=obj._repr_mimebundle_())]
    return cell


def _notebook(*objects) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title"), *(_display(o) for o in objects)]
    return nbformat.from_dict(json.loads(nbformat.writes(notebook)))  # as read back from disk


def _tables() -> tuple[PublishedTable, PublishedTable]:
    one = PublishedTable(
        pd.DataFrame({"Service": ["=HYPERLINK(\"http://x\")", "Refuge"], "Households": ["12", "[c]"]}),
        "Households by service, Shire, 2024-25", name="by_service", note="Services open in the year",
    )
    two = PublishedTable(pd.DataFrame({"Age band": ["16-19"], "Share": ["5.0%"]}), "Age, Shire", name="age")
    return one, two


# ---------------------------------------------------------------------------------------------
# The zip, from hand-built notebooks
# ---------------------------------------------------------------------------------------------


def test_the_zip_holds_each_tables_download_and_metadata(tmp_path: Path):
    one, two = _tables()
    notebook = _notebook(one, Html("<p>Lead</p>" + two.to_html() + one.to_html()), Html("<p>x</p>"))
    path = write_open_data(notebook, tmp_path / "report.html", META)
    assert path == tmp_path / "report-data.zip" == open_data_path(tmp_path / "report.html")
    archive = zipfile.ZipFile(path)
    assert archive.namelist() == ["metadata.json", "table-age.csv", "table-by-service.csv"]  # sorted, once each
    assert archive.read("table-by-service.csv") == one.csv()
    assert archive.read("table-age.csv") == two.csv()
    service = archive.read("table-by-service.csv")
    assert service.startswith(BOM) and b'\r\n"\'=HYPERLINK(""http://x"")",12\r\n' in service  # neutralised
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["title"] == META["title"] and metadata["area"] == "E10000001"
    assert metadata["period"] == "2024-25" and "Shire County Council" in metadata["source"]
    assert "2025-05-01" in metadata["source"]
    assert metadata["licence"] == {"name": "Open Government Licence v3.0", "url": OGL}
    assert metadata["generated_by"] == {"name": "needs", "version": __version__}
    assert metadata["tables"] == [
        {
            "file": "table-by-service.csv",
            "caption": "Households by service, Shire, 2024-25",
            "columns": ["service", "households"],
            "notes": "Notes: Services open in the year. Symbols: [c] hidden to protect confidentiality; "
            "[x] not available; [z] not applicable.",
        },
        {
            "file": "table-age.csv",
            "caption": "Age, Shire",
            "columns": ["age_band", "share"],
            "notes": "Notes: Symbols: [c] hidden to protect confidentiality; [x] not available; "
            "[z] not applicable.",
        },
    ]


def test_the_zip_is_reproducible_and_replaced_atomically(tmp_path: Path):
    notebook = _notebook(*_tables())
    first = write_open_data(notebook, tmp_path / "r.html", META).read_bytes()
    assert write_open_data(notebook, tmp_path / "r.html", META).read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-data.zip"]  # no temporary left


def test_two_different_tables_with_one_name_are_refused():
    one, _ = _tables()
    other = PublishedTable(pd.DataFrame({"A": ["1"]}), "Other", name="by_service")
    with pytest.raises(ValueError, match="table-by-service.csv"):
        published_tables(_notebook(one, other))


def test_a_notebook_without_tables_gives_metadata_only(tmp_path: Path):
    path = write_open_data(_notebook(Html("<p>Nothing</p>")), tmp_path / "r.html", {})
    archive = zipfile.ZipFile(path)
    assert archive.namelist() == ["metadata.json"]
    assert json.loads(archive.read("metadata.json"))["tables"] == []


# ---------------------------------------------------------------------------------------------
# The default report
# ---------------------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every published table of a page: id, caption, headings, the text of each body cell
    (``<abbr>`` read as its text), its note and its download link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.downloads: dict[str, tuple[str, str]] = {}
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._where = ""
        self._note: list[str] | None = None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self.tables.append({"id": attrs["id"], "caption": "", "headings": [], "rows": [], "labels": []})
            self._inside = True
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "p" and attrs.get("class") == "table-note":
            self._note = []
        elif tag == "a" and "download" in attrs:
            self.downloads[attrs["download"]] = (table["id"], attrs["href"])
        if not self._inside:
            return
        if tag == "caption":
            self._where = "caption"
        elif tag == "thead":
            self._where = "head"
        elif tag == "tbody":
            self._where = "body"
        elif tag == "tr" and self._where == "body":
            self._row = []
        elif tag in ("th", "td") and self._where in ("head", "body"):
            self._cell = []
            if self._where == "body":
                table["labels"].append(attrs.get("data-label"))

    def handle_endtag(self, tag):
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "caption":
            self._where = ""
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            if self._where == "head":
                table["headings"].append(text)
            elif self._row is not None:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self._where = ""
            self._inside = False
        elif tag == "p" and self._note is not None:
            table["note"] = "".join(self._note)
            self._note = None

    def handle_data(self, data):
        if self._where == "caption" and self.tables:
            self.tables[-1]["caption"] += data
        if self._cell is not None:
            self._cell.append(data)
        if self._note is not None:
            self._note.append(data)


def default_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the default report once per session (the same folder as test_report uses)."""
    out = tmp_path_factory.getbasetemp() / "default-report"
    html = out / f"{NAME}.html"
    if not html.exists():
        assert main(["report", "--out", str(out)]) == 0
    return html


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    return default_report(tmp_path_factory)


@pytest.fixture(scope="module")
def page_tables(report) -> Tables:
    parser = Tables()
    parser.feed(report.read_text(encoding="utf-8"))
    return parser


def _csv_rows(href: str) -> tuple[bytes, list[list[str]]]:
    prefix = "data:text/csv;charset=utf-8;base64,"
    assert href.startswith(prefix)
    data = base64.b64decode(href[len(prefix) :], validate=True)
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.slow
def test_each_csv_download_holds_exactly_the_cells_of_its_html_table(page_tables):
    tables = page_tables.tables
    assert len(tables) > 30  # the default report publishes dozens of tables
    ids = [table["id"] for table in tables]
    assert len(set(ids)) == len(ids)
    assert set(page_tables.downloads) == {f"{i}.csv" for i in ids}  # one download per table
    for table in tables:
        _, href = page_tables.downloads[f"{table['id']}.csv"]
        data, rows = _csv_rows(href)
        assert data.startswith(BOM), table["id"]
        assert data.count(b"\n") == data.count(b"\r\n") == len(rows), table["id"]  # CR LF
        header, body, notes = rows[0], rows[1:-1], rows[-1]
        # tidy names, one per heading shown
        assert len(header) == len(table["headings"]), table["id"]
        assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", name) for name in header), (table["id"], header)
        assert len(set(header)) == len(header), table["id"]
        # every cell shown, in order, as shown (formula-like text marked with an apostrophe)
        assert len(body) == len(table["rows"]), table["id"]
        for shown_row, csv_row in zip(table["rows"], body, strict=True):
            assert len(csv_row) == len(shown_row), table["id"]
            for shown, written in zip(shown_row, csv_row, strict=True):
                if shown.startswith(FORMULA_START) and not re.fullmatch(r"-?\d+(\.\d+)?", shown):
                    assert written == "'" + shown, (table["id"], shown, written)
                else:
                    assert written == shown, (table["id"], shown, written)
        # the notes row: the note under the table, then the symbols
        assert notes[0].startswith("Notes: ") and all(cell == "" for cell in notes[1:]), table["id"]
        assert "[c] hidden to protect confidentiality" in notes[0]
        if table.get("note"):
            assert " ".join(table["note"].split()) in notes[0], table["id"]
        # every body cell is labelled with its column's heading
        expected_labels = [h for row in table["rows"] for h in table["headings"][: len(row)]]
        assert table["labels"] == expected_labels, table["id"]


@pytest.mark.slow
def test_the_zip_from_the_executed_notebook_holds_every_tables_download(report, page_tables, tmp_path):
    audit = report.with_name(f"{NAME}.audit.ipynb")
    executed = nbformat.read(str(audit), as_version=4)
    metadata = {"title": "T", "area": DEFAULT_AREA, "period": DEFAULT_PERIOD}
    path = write_open_data(executed, tmp_path / report.name, metadata)
    archive = zipfile.ZipFile(path)
    files = {f"{t['id']}.csv" for t in page_tables.tables}
    assert set(archive.namelist()) == files | {"metadata.json"}
    for name in files:  # byte for byte what the page's link gives
        data, _ = _csv_rows(page_tables.downloads[name][1])
        assert archive.read(name) == data, name
    metadata = json.loads(archive.read("metadata.json"))
    captions = {f"{t['id']}.csv": " ".join(t["caption"].split()) for t in page_tables.tables}
    assert {entry["file"]: entry["caption"] for entry in metadata["tables"]} == captions
    assert metadata["licence"]["name"] == "Open Government Licence v3.0"
    # the page never shows the open-data output, and the audit notebook carries it once per display
    assert MIMETYPE not in report.read_text(encoding="utf-8")
    outputs = [output for cell in executed.cells for output in cell.get("outputs", [])]
    carried = sum(len(json.dumps(output.get("data", {}).get(MIMETYPE, ""))) for output in outputs)
    assert carried < 0.25 * audit.stat().st_size
