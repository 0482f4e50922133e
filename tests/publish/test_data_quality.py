"""The report's "Data quality" section: tables used, warnings by kind, no user text published."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from fixtures import ROOT, TEST_DATA

import needs
from needs.cli import main
from needs.inputs.dataset import Dataset
from needs.inputs.snapshot import read_snapshot, write_snapshot
from needs.inputs.validate import IGNORED_FILE, UNKNOWN_COLUMN
from needs.publish.data_quality import NO_WARNINGS, data_quality
from needs.reference import schema

EXAMPLE = ROOT / "data" / "example"
MINIMAL = TEST_DATA / "valid_minimal"
STRAY = "Jane Doe DOB 1980-01-01 referral.docx"


def copy_minimal(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    return folder


def items(markup: str) -> list[str]:
    """The text of each list item, unescaped."""
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", markup)]


def add_columns(folder: Path, table: str, headings: list[str]) -> None:
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    extra = pd.DataFrame({heading: "x" for heading in headings}, index=frame.index)
    pd.concat([frame, extra], axis=1).to_csv(path, index=False)


def test_example_names_its_tables_and_passed_every_check():
    markup = data_quality(needs.load(EXAMPLE)).markup
    assert NO_WARNINGS in markup
    assert "passed every validation check" in markup
    assert "<li>" not in markup
    tables = sorted(path.stem for path in EXAMPLE.glob("*.csv"))  # one CSV file per table
    assert f"This assessment used {len(tables)} input tables: " in markup
    for table in tables:
        assert table in markup
    # No input file's name (the tables' own CSV downloads aside).
    shown = re.sub(r'<p class="table-download">.*?</p>', "", markup, flags=re.S)
    assert ".csv" not in shown and "dataset.yaml" not in shown and "intentions.yaml" not in shown


def test_stray_file_is_counted_never_named(tmp_path):
    folder = copy_minimal(tmp_path)
    (folder / STRAY).write_bytes(b"PK\x03\x04 a referral letter")
    dataset = needs.load(folder)
    assert any("Jane Doe" in warning for warning in dataset.warnings)  # the analyst still sees it
    markup = data_quality(dataset).markup
    assert "Jane" not in markup and ".docx" not in markup and "1980" not in markup
    assert items(markup) == ["1 other file in the data folder was ignored (it is not an input table)."]
    assert "raised 1 warning;" in markup


def test_500_unknown_columns_are_one_line_with_their_count(tmp_path):
    folder = copy_minimal(tmp_path)
    add_columns(folder, "referrals", [f"Jane Doe note {number}" for number in range(500)])
    dataset = needs.load(folder)
    assert len(dataset.warnings) == 500
    markup = data_quality(dataset).markup
    lines = items(markup)
    assert len(lines) < 10
    assert lines == ["Columns not in the data dictionary were ignored: 500 columns in 1 table (referrals)."]
    assert "raised 500 warnings" in markup
    assert "Jane" not in markup and "note" not in markup


def test_warnings_of_every_kind_publish_no_user_text(tmp_path):
    folder = copy_minimal(tmp_path)
    hostile = "<b onmouseover=alert('Jane')>"
    (folder / f"{hostile} {STRAY}").write_text("letter")
    (folder / "Jane Doe caseload.csv").write_text("a,b\n1,2\n")
    add_columns(folder, "referrals", [hostile, "Jane Doe phone"])
    add_columns(folder, "services", ["Jane's keyworker"])
    with pd.ExcelWriter(folder / "Jane Doe workbook.xlsx", engine="openpyxl") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Jane Doe", index=False)
    (folder / "dataset.yaml").write_text(
        (folder / "dataset.yaml").read_text() + "jane_doe_contact: 07700 900000\n"
    )
    dataset = needs.load(folder)
    assert len(dataset.warnings) == len(dataset.warning_kinds) == 7
    markup = data_quality(dataset).markup
    for text in (
        "Jane",
        "jane",
        "onmouseover",
        "alert",
        "docx",
        "caseload",
        "phone",
        "keyworker",
        "07700",
        "xlsx",
    ):
        assert text not in markup
    assert "<b" not in markup
    assert items(markup) == [
        "Columns not in the data dictionary were ignored: 3 columns in 2 tables (services, referrals).",
        "Workbook sheets that are not input tables were ignored: 1 sheet.",
        "2 other files in the data folder were ignored (they are not input tables).",
        "Settings in the dataset description (dataset.yaml) that are not known were ignored: 1 setting.",
    ]


def test_template_example_row_and_unnamed_column(tmp_path):
    folder = copy_minimal(tmp_path)
    referrals = pd.read_csv(folder / "referrals.csv", dtype=str, keep_default_na=False)
    example = pd.DataFrame([schema.example_row("referrals")])[referrals.columns]
    pd.concat([example, referrals], ignore_index=True).to_csv(folder / "referrals.csv", index=False)
    services = (folder / "services.csv").read_text().splitlines()
    services = [services[0] + ","] + [line + ",Jane Doe" for line in services[1:]]
    (folder / "services.csv").write_text("\n".join(services) + "\n")
    markup = data_quality(needs.load(folder)).markup
    assert items(markup) == [
        "Columns with values but no heading were ignored: 1 column in 1 table (services).",
        "The data-collection template's example row was not loaded: 1 row in 1 table (referrals).",
    ]
    assert "Jane" not in markup


def test_warnings_without_kinds_are_counted_not_printed():
    tables = needs.load(MINIMAL).tables
    dataset = Dataset(tables=tables, warnings=("Jane Doe.docx: not a data file", "x.csv: <b>odd</b>"))
    markup = data_quality(dataset).markup
    assert items(markup) == ["Other warnings: 2 warnings."]
    assert "Jane" not in markup and "<b>" not in markup


def test_unknown_kinds_and_tables_are_never_printed():
    tables = needs.load(MINIMAL).tables
    dataset = Dataset(
        tables={**tables, "<i>Jane</i>": pd.DataFrame()},
        warnings=("a", "b"),
        warning_kinds=(("<b>Jane</b>", "<i>Jane</i>"), (UNKNOWN_COLUMN, "<i>Jane</i>")),
    )
    markup = data_quality(dataset).markup
    assert "Jane" not in markup and "<b>" not in markup and "<i>" not in markup
    assert "and 1 other table." in markup
    assert items(markup) == [
        "Columns not in the data dictionary were ignored: 1 column.",
        "Other warnings: 1 warning.",
    ]


def test_no_dataset_is_an_empty_section():
    assert data_quality(None).markup == ""


def test_warning_kinds_survive_a_snapshot(tmp_path):
    folder = copy_minimal(tmp_path)
    (folder / STRAY).write_text("letter")
    dataset = needs.load(folder)
    assert dataset.warning_kinds == ((IGNORED_FILE, None),)
    (tmp_path / "snap").mkdir()
    again = read_snapshot(write_snapshot(dataset, tmp_path / "snap"))
    assert again.warning_kinds == dataset.warning_kinds
    assert again.warnings == dataset.warnings
    assert data_quality(again).markup == data_quality(dataset).markup


@pytest.mark.parametrize("folder", [EXAMPLE, MINIMAL])
def test_validate_output_still_names_files_for_the_analyst(tmp_path, folder, capsys):
    copy = tmp_path / "data"
    shutil.copytree(folder, copy)
    (copy / STRAY).write_text("letter")
    assert main(["validate", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"  - {STRAY}: not a data file (expected <table>.csv, <table>.xlsx or a workbook); ignored" in out
