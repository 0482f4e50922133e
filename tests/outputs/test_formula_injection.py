"""Text from the user's data never becomes a spreadsheet formula (issue 17).

Formula-like text (OWASP's CSV-injection payloads) is put where a user controls it: an area
name, a service name, the data folder's name, a data file's name and a scenario's name. Every
XLSX and CSV file the toolkit writes from it (``needs return``, ``needs template``,
``needs scenarios compare --csv``) is then read back: no cell is a formula, every text that
starts like a formula starts with an apostrophe, numbers are still numbers. A file name that
is not valid UTF-8 gives a workbook Excel can open. The return's workbook and CSV are
written together or not at all (:func:`needs.outputs.files.atomic_write_together`).
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures import TEST_DATA

import needs.outputs.files as files
import needs.reference.spreadsheet_text as spreadsheet_text
from needs.cli import main
from needs.inputs.dataset import InputFile
from needs.inputs.load import load
from needs.outputs.annual_return import build_return
from needs.outputs.files import (
    FORMULA_TRIGGERS,
    atomic_write_csv,
    atomic_write_together,
    csv_bytes,
    neutralise,
    safe_text,
    workbook_bytes,
)
from needs.outputs.return_workbook import write_return

MINIMAL = TEST_DATA / "valid_minimal"
AREA = "E10000018"
PERIOD = "2023-24"

#: OWASP's payloads: each starts with one of the formula triggers.
PAYLOADS = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
)
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _assert_safe(text: str, where: str) -> None:
    """``text`` does not start like a formula (unless it is a plain number)."""
    assert not text.startswith(FORMULA_TRIGGERS) or _NUMBER.fullmatch(text), f"{where}: {text!r}"
    assert not re.search("[\ud800-\udfff]", text), f"{where}: {text!r} holds a surrogate"


def _check_workbook(path: Path) -> list[str]:
    """Every cell of the workbook at ``path`` is safe; returns every text cell."""
    book = openpyxl.load_workbook(path)  # not data_only: formulas would show as formulas
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    _assert_safe(cell.value, f"{path.name}!{sheet.title}!{cell.coordinate}")
                    texts.append(cell.value)
    return texts


def _check_csv(path: Path) -> list[list[str]]:
    """Every field of the CSV at ``path`` is safe; returns the rows."""
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    for number, row in enumerate(rows, start=1):
        for field in row:
            _assert_safe(field, f"{path.name} row {number}")
    return rows


def _file_name(payload: str) -> str:
    """The payload as a file or folder name (no slash)."""
    return payload.replace("/", "_")


def _data_folder(root: Path, payload: str) -> Path:
    """The minimal data folder, named ``payload``, with ``payload`` as the area's and a
    service's name, and the funding table in a workbook named ``payload``."""
    folder = root / _file_name(payload)
    shutil.copytree(MINIMAL, folder)
    areas = pd.read_csv(folder / "areas.csv", dtype=str, keep_default_na=False)
    areas.loc[areas["area_code"] == AREA, "area_name"] = payload
    areas.to_csv(folder / "areas.csv", index=False, quoting=csv.QUOTE_ALL)
    services = pd.read_csv(folder / "services.csv", dtype=str, keep_default_na=False)
    services.loc[0, "name"] = payload
    services.to_csv(folder / "services.csv", index=False, quoting=csv.QUOTE_ALL)
    funding = pd.read_csv(folder / "funding.csv", dtype=str, keep_default_na=False)
    (folder / "funding.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "funding"
    sheet.append(list(funding.columns))
    for row in funding.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in row])
    book.save(folder / f"{_file_name(payload)}.xlsx")
    return folder


# --------------------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_text_gets_an_apostrophe(payload: str) -> None:
    assert safe_text(payload) == "'" + payload
    assert safe_text(safe_text(payload)) == safe_text(payload)  # idempotent


def test_plain_text_and_numbers_written_as_text_are_unchanged() -> None:
    for text in ("Leicestershire", "Women's Aid", "-12.50", "-5", "+5", "1e-3", "", "2023-24", "x=1"):
        assert safe_text(text) == text


def test_surrogates_and_control_characters_become_the_replacement_character() -> None:
    assert safe_text("data-\udcff.csv") == "data-\ufffd.csv"
    assert safe_text("a\x00b\x1fc") == "a\ufffdb\ufffdc"
    assert safe_text("=\udcff") == "'=\ufffd"
    assert safe_text("line\nbreak\tand tab") == "line\nbreak\tand tab"


def test_neutralise_touches_text_only() -> None:
    frame = pd.DataFrame(
        {
            "name": ["=1+2", "-5", None, "ok"],
            "category": pd.Categorical(["@x", "@x", "b", "b"]),
            "count": [-5, 3, 0, 1],
            "share": [-0.5, 0.1, float("nan"), 1.0],
            "=heading": ["a", "b", "c", "d"],
        }
    )
    safe = neutralise(frame)
    assert safe["name"].tolist()[:2] == ["'=1+2", "-5"] and pd.isna(safe["name"].iloc[2])
    assert safe["category"].tolist() == ["'@x", "'@x", "b", "b"]
    pd.testing.assert_series_equal(safe["count"], frame["count"])
    pd.testing.assert_series_equal(safe["share"], frame["share"])
    assert list(safe.columns) == ["name", "category", "count", "share", "'=heading"]
    assert frame["name"].iloc[0] == "=1+2"  # a copy: the table given is not changed
    text = csv_bytes(frame).decode("utf-8")
    assert "\r\n'=1+2,'@x,-5,-0.5,a\r\n" in text and "\r\n-5,'@x,3,0.1,b\r\n" in text


def test_long_and_short_columns_are_made_safe_alike() -> None:
    """Long columns are made safe once per distinct value, short ones value by value: the
    same cells either way (missing values and numbers in a text column kept as they were)."""
    values = ["=1+2", None, "ok", 5, "-5", float("nan"), "@x"]
    expected = ["'=1+2", None, "ok", 5, "-5", None, "'@x"]
    for repeat in (1, 100):  # 7 rows, then 700
        safe = neutralise(pd.DataFrame({"a": values * repeat, "n": range(7 * repeat)}))
        cells = [None if isinstance(v, float) else v for v in safe["a"].tolist()]
        assert cells == expected * repeat, repeat
        assert safe["n"].tolist() == list(range(7 * repeat))


def test_one_writer_for_every_stage() -> None:
    """The rule is defined once (needs.reference.spreadsheet_text, importable by the published
    page) and the file writers use that very definition."""
    for name in ("FORMULA_TRIGGERS", "clean_text", "safe_text", "neutralise", "csv_bytes"):
        assert getattr(files, name) is getattr(spreadsheet_text, name), name
    assert "def safe_text" not in Path(files.__file__).read_text(encoding="utf-8")


def test_csv_bytes_with_a_byte_order_mark_for_excel() -> None:
    frame = pd.DataFrame({"area": ["=cmd", "Bournemouth, Christchurch & Poole"], "grant": ["£1,000", "-5"]})
    data = csv_bytes(frame, bom=True)
    assert data == (
        b"\xef\xbb\xbfarea,grant\r\n'=cmd,\"\xc2\xa31,000\"\r\n\"Bournemouth, Christchurch & Poole\",-5\r\n"
    )
    assert csv_bytes(frame) == data[3:]  # no mark unless asked


def test_workbook_cells_are_stored_as_text_never_formulas(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(['=HYPERLINK("http://x","y")', -5, 2.5, "-7", "bad \udcff byte", "@SUM(A1)"])
    book.properties.title = "title \udcff"
    assert book.active["A1"].data_type == "f"  # openpyxl takes it for a formula...
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(book))
    texts = _check_workbook(path)  # ...but it is written as text
    assert texts == ['\'=HYPERLINK("http://x","y")', "-7", "bad \ufffd byte", "'@SUM(A1)"]
    values = [cell.value for cell in openpyxl.load_workbook(path).active[1]]
    assert values[1:3] == [-5, 2.5]  # numbers stay numbers


# --------------------------------------------------------------------------------------
# Every writer
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_return_writes_user_text_as_text(tmp_path: Path, payload: str, capsys) -> None:
    folder = _data_folder(tmp_path, payload)
    out = tmp_path / "out" / "return.xlsx"
    code = main(["return", "--data", str(folder), "--area", AREA, "--period", PERIOD, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    texts = _check_workbook(out)
    # the payload reached the file (as text): the folder and the workbook's names are never
    # stripped (XML reads a carriage return in a cell as a line feed)
    name = _file_name(payload).replace("\r", "\n")
    assert "'" + name in texts and "'" + name + ".xlsx" in texts
    area_name = payload.strip()  # the loader strips surrounding whitespace
    if area_name.startswith(FORMULA_TRIGGERS):
        assert f"'{area_name} ({AREA})" in texts
    book = openpyxl.load_workbook(out)
    for sheet in book.sheetnames[1:]:
        values = [row[-1] for row in book[sheet].iter_rows(min_row=2, values_only=True)]
        assert all(isinstance(value, int | float) for value in values)  # numbers stay numbers
    rows = _check_csv(out.with_suffix(".csv"))
    assert rows[0][0] == "area_code" and all(row[0] == AREA for row in rows[1:])


def test_the_template_has_no_formula(tmp_path: Path, capsys) -> None:
    out = tmp_path / "template.xlsx"
    assert main(["template", "--out", str(out)]) == 0, capsys.readouterr().err
    assert _check_workbook(out)


def test_the_scenario_csv_writes_user_text_as_text(tmp_path: Path, capsys) -> None:
    folder = _data_folder(tmp_path, PAYLOADS[0])
    scenario_files = []
    for number, payload in enumerate(PAYLOADS[:4]):
        path = tmp_path / f"s{number}.yaml"
        quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
        path.write_text(f'name: "{quoted}"\nfunding:\n  grant_change: -0.5\n', encoding="utf-8")
        scenario_files.append(str(path))
    out = tmp_path / "comparison.csv"
    arguments = ["scenarios", "compare", *scenario_files, "--data", str(folder)]
    code = main([*arguments, "--area", AREA, "--period", PERIOD, "--csv", str(out)])
    assert code == 0, capsys.readouterr().err
    rows = _check_csv(out)
    header = rows[0]
    names = {row[header.index("scenario")] for row in rows[1:]}
    assert {"'" + payload for payload in PAYLOADS[:4]} <= names
    table = pd.read_csv(out)
    numbers = table["value"].dropna()
    assert pd.api.types.is_float_dtype(table["value"]) and (numbers < 0).any()  # negatives stay numbers


def test_atomic_write_csv_neutralises_every_csv(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    atomic_write_csv(pd.DataFrame({"a": list(PAYLOADS), "b": range(-3, 3)}), path)
    rows = _check_csv(path)
    assert [row[0] for row in rows[1:]] == ["'" + payload for payload in PAYLOADS]
    assert [row[1] for row in rows[1:]] == ["-3", "-2", "-1", "0", "1", "2"]


def test_a_file_name_that_is_not_utf8_gives_a_workbook_excel_can_open(tmp_path: Path, capsys) -> None:
    folder = _data_folder(tmp_path, "plain")
    source = folder / "plain.xlsx"
    bad = os.path.join(os.fsencode(folder), b"funding-\xff\xfe.xlsx")
    os.rename(source, bad)
    out = tmp_path / "out" / "return.xlsx"
    code = main(["return", "--data", str(folder), "--area", AREA, "--period", PERIOD, "--out", str(out)])
    captured = capsys.readouterr()
    if code == 2:  # the loader may refuse such a name, as bad input
        assert "Traceback" not in captured.err
        assert not out.exists()
        return
    assert code == 0, captured.err
    texts = _check_workbook(out)  # opens: valid XML
    assert "funding-\ufffd\ufffd.xlsx" in texts


def test_the_return_writer_replaces_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """Whatever the loader accepts, the writer never writes invalid XML: a folder or file
    name holding undecodable bytes (lone surrogates) is written with U+FFFD."""
    dataset = load(MINIMAL)
    odd = InputFile(Path("funding-\udcff\udcfe.xlsx"), "0" * 64, ("funding",))
    dataset = dataclasses.replace(dataset, folder=Path("data-\udce9"), files=(*dataset.files, odd))
    sections = build_return(dataset, AREA, PERIOD)
    workbook, csv_path = write_return(
        sections, tmp_path / "r.xlsx", dataset=dataset, area=AREA, period=PERIOD
    )
    texts = _check_workbook(workbook)  # opens: valid XML
    assert "funding-\ufffd\ufffd.xlsx" in texts and "data-\ufffd" in texts
    _check_csv(csv_path)


# --------------------------------------------------------------------------------------
# Written together or not at all
# --------------------------------------------------------------------------------------


def _second_write_fails(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the second temporary file fail with a full disk; returns the temporaries made."""
    made: list[str] = []
    real = files._write_temporary

    def write(path: Path, data: bytes) -> str:
        if made:
            raise OSError(errno.ENOSPC, "No space left on device")
        made.append(real(path, data))
        return made[-1]

    monkeypatch.setattr(files, "_write_temporary", write)
    return made


def test_together_or_nothing_on_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = tmp_path / "a.xlsx", tmp_path / "a.csv"
    made = _second_write_fails(monkeypatch)
    with pytest.raises(OSError) as raised:
        atomic_write_together({one: b"new workbook", two: b"new csv"})
    assert raised.value.errno == errno.ENOSPC
    assert made and not one.exists() and not two.exists()  # neither new file
    assert list(tmp_path.iterdir()) == []  # no temporary left
    # with old files in place, they are left as they were
    one.write_bytes(b"old workbook")
    two.write_bytes(b"old csv")
    with pytest.raises(OSError):
        atomic_write_together({one: b"new workbook", two: b"new csv"})
    assert one.read_bytes() == b"old workbook" and two.read_bytes() == b"old csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.xlsx"]


def test_a_failed_rename_puts_the_old_files_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = tmp_path / "a.xlsx", tmp_path / "a.csv"
    one.write_bytes(b"old workbook")
    two.write_bytes(b"old csv")
    real = os.replace
    calls = []

    def replace(source, target) -> None:
        if Path(target) == two and str(source).endswith(".tmp"):  # e.g. the CSV is open in Excel
            raise PermissionError(errno.EACCES, "in use")
        calls.append(target)
        real(source, target)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(PermissionError):
        atomic_write_together({one: b"new workbook", two: b"new csv"})
    assert one in calls  # the workbook had been renamed into place ...
    assert one.read_bytes() == b"old workbook" and two.read_bytes() == b"old csv"  # ... and put back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.xlsx"]
    monkeypatch.setattr(files.os, "replace", real)
    atomic_write_together({one: b"new workbook", two: b"new csv"})
    assert one.read_bytes() == b"new workbook" and two.read_bytes() == b"new csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.xlsx"]


def test_the_return_is_written_together_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    out = tmp_path / "out" / "return.xlsx"
    arguments = ["return", "--data", str(MINIMAL), "--area", AREA, "--period", PERIOD, "--out", str(out)]
    assert main(arguments) == 0
    old = out.read_bytes(), out.with_suffix(".csv").read_bytes()
    _second_write_fails(monkeypatch)
    assert main(arguments) == 1  # a full disk is not the user's mistake
    assert "No space left" in capsys.readouterr().err
    assert (out.read_bytes(), out.with_suffix(".csv").read_bytes()) == old
    assert sorted(p.name for p in out.parent.iterdir()) == ["return.csv", "return.xlsx"]
