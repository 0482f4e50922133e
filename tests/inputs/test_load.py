"""Loading data folders: types, encodings, workbooks, metadata, provenance, the example."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from fixtures import ROOT, TEST_DATA, TESTS

import needs
from needs.errors import DataValidationError
from needs.inputs.validate import validate_tables
from needs.reference import categories as cat
from needs.reference import schema

FIXTURE = TEST_DATA / "valid_minimal"
EXAMPLE = ROOT / "data" / "example"


def copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    return folder


def as_workbook(csv_folder: Path, out: Path, typed: bool = True) -> Path:
    """Every table of a CSV folder as a sheet of one workbook, with real numbers and dates."""
    out.mkdir(parents=True, exist_ok=True)
    for extra in [*csv_folder.glob("*.yaml"), *csv_folder.glob("*.xlsx")]:  # and the providers' returns
        shutil.copy(extra, out / extra.name)
    with pd.ExcelWriter(out / "tables.xlsx", engine="openpyxl") as writer:
        for path in sorted(csv_folder.glob("*.csv")):
            table = schema.TABLES[path.stem]
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            if typed:
                for name in frame.columns:
                    kind = table.column(name).kind if name in table.column_names else "text"
                    filled = frame[name] != ""
                    if kind == "date":
                        frame[name] = pd.to_datetime(frame[name].where(filled), format="%Y-%m-%d")
                    elif kind in ("int", "number"):  # as floats: Excel often holds counts as 3.0
                        frame[name] = pd.to_numeric(frame[name].where(filled)).astype(float)
            frame.to_excel(writer, sheet_name=path.stem, index=False)
    return out


def assert_same_dataset(left: needs.Dataset, right: needs.Dataset) -> None:
    assert set(left.tables) == set(right.tables)
    for name in left.tables:
        pd.testing.assert_frame_equal(left.tables[name], right.tables[name], obj=name)


# --- types ------------------------------------------------------------------------------


def test_fixture_loads_with_dictionary_types():
    dataset = needs.load(FIXTURE)
    referrals = dataset.referrals
    assert len(referrals) == 6
    assert isinstance(referrals["outcome"].dtype, pd.CategoricalDtype)
    assert list(referrals["outcome"].cat.categories) == list(cat.REFERRAL_OUTCOMES.codes)
    assert list(referrals["age_band"].cat.categories) == list(cat.AGE_BANDS.codes)
    assert referrals["date"].dtype == "datetime64[ns]"
    assert referrals["children"].dtype == "int64"
    assert referrals["support_end"].isna().sum() == 4
    assert referrals["decline_reason"].isna().sum() == 5
    assert dataset.services["annual_cost"].dtype == "float64"
    assert dataset.services["annual_cost"].tolist() == [120000.0, 45000.5]
    assert pd.isna(dataset.services.loc[1, "end"])
    assert dataset.population["age"].dtype == "int64"
    assert dataset.prevalence["lower"].isna().tolist() == [False, False, True]
    assert dataset.areas["parent_code"].isna().tolist() == [True, False, False, True]
    assert list(dataset.referrals.columns) == list(schema.TABLES["referrals"].column_names)
    assert dataset.warnings == ()


def test_optional_nullable_int_and_bool_columns(tmp_path):
    folder = copy_fixture(tmp_path)
    prevalence = pd.read_csv(folder / "prevalence.csv", dtype=str, keep_default_na=False)
    prevalence["unweighted_base"] = ["12000", "", "23000"]
    prevalence.to_csv(folder / "prevalence.csv", index=False)
    areas = pd.read_csv(folder / "areas.csv", dtype=str, keep_default_na=False)
    areas["synthetic"] = ["TRUE", "false", "", "yes"]
    areas.to_csv(folder / "areas.csv", index=False)
    dataset = needs.load(folder)
    assert dataset.prevalence["unweighted_base"].dtype == "Int64"
    assert dataset.prevalence["unweighted_base"].tolist() == [12000, pd.NA, 23000]
    assert dataset.areas["synthetic"].dtype == "boolean"
    assert dataset.areas["synthetic"].tolist() == [True, False, pd.NA, True]


def test_provenance_and_metadata():
    dataset = needs.load(FIXTURE)
    by_name = {file.path.name: file for file in dataset.files}
    assert set(by_name) == {path.name for path in FIXTURE.iterdir()}
    for name, file in by_name.items():
        assert file.sha256 == hashlib.sha256((FIXTURE / name).read_bytes()).hexdigest()
    assert by_name["referrals.csv"].tables == ("referrals",)
    assert by_name["dataset.yaml"].tables == ()
    assert dataset.metadata == {
        "title": "Minimal valid test dataset",
        "authority": "Leicestershire",
        "data_date": "2024-06-30",
        "demonstration": True,
        "description": "Hand-made fixture for the loader tests.",
    }
    assert dataset.demonstration


def test_unknown_metadata_key_is_a_warning(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "dataset.yaml").write_text("title: t\ndemonstration: false\nowner: me\n")
    dataset = needs.load(folder)
    assert dataset.metadata == {"title": "t", "demonstration": False}
    assert any("unknown key 'owner'" in warning for warning in dataset.warnings)


# --- what Excel writes ------------------------------------------------------------------------


def test_bom_cp1252_whitespace_and_excel_formats(tmp_path):
    folder = copy_fixture(tmp_path)
    services = pd.read_csv(folder / "services.csv", dtype=str, keep_default_na=False)
    services.loc[0, "provider"] = "Women\u2019s Aid"  # a curly apostrophe: byte 0x92 in cp1252
    services.loc[0, "annual_cost"] = "\u00a3120,000"  # what Excel's CSV holds for a currency cell
    services.loc[1, "start"] = "01/04/2023"  # UK Excel re-saves ISO dates as DD/MM/YYYY
    services.loc[1, "name"] = "  Outreach  "
    services.loc[1, "units"] = "0.0"
    (folder / "services.csv").write_bytes(services.to_csv(index=False).encode("cp1252"))
    areas = (folder / "areas.csv").read_bytes()
    (folder / "areas.csv").write_bytes(b"\xef\xbb\xbf" + areas)  # UTF-8 with a byte-order mark
    dataset = needs.load(folder)
    loaded = dataset.services
    assert loaded.loc[0, "provider"] == "Women\u2019s Aid"
    assert loaded.loc[0, "annual_cost"] == 120000.0
    assert loaded.loc[1, "start"] == pd.Timestamp("2023-04-01")
    assert loaded.loc[1, "name"] == "Outreach"
    assert loaded.loc[1, "units"] == 0
    assert list(dataset.areas.columns)[0] == "area_code"
    assert dataset.warnings == ()


def test_workbook_loads_the_same_as_csv(tmp_path):
    csv = needs.load(FIXTURE)
    xlsx = needs.load(as_workbook(FIXTURE, tmp_path / "xlsx"))
    assert_same_dataset(csv, xlsx)
    assert [file.tables for file in xlsx.files if file.path.suffix == ".xlsx"] == [
        tuple(sorted(path.stem for path in FIXTURE.glob("*.csv")))
    ]


def test_workbook_of_text_cells_loads_the_same(tmp_path):
    csv = needs.load(FIXTURE)
    xlsx = needs.load(as_workbook(FIXTURE, tmp_path / "xlsx", typed=False))
    assert_same_dataset(csv, xlsx)


def test_one_workbook_per_table_with_sheet1_and_template_sheets(tmp_path):
    folder = copy_fixture(tmp_path)
    referrals = pd.read_csv(folder / "referrals.csv", dtype=str, keep_default_na=False)
    (folder / "referrals.csv").unlink()
    with pd.ExcelWriter(folder / "referrals.xlsx", engine="openpyxl") as writer:
        pd.DataFrame({"x": ["about the template"]}).to_excel(writer, sheet_name="About", index=False)
        referrals.to_excel(writer, sheet_name="Sheet1", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Lists", index=False)
    dataset = needs.load(folder)
    assert_same_dataset(dataset, needs.load(FIXTURE))
    assert dataset.warnings == ()


def test_unknown_sheets_and_files_are_warnings(tmp_path):
    folder = copy_fixture(tmp_path)
    with pd.ExcelWriter(folder / "extra.xlsx", engine="openpyxl") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Pivot", index=False)
    (folder / "lookup.json").write_text("{}")
    (folder / "README.md").write_text("# about this data\n")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "~$referrals.xlsx").write_bytes(b"lock")
    (folder / "services.csv").write_text(
        (folder / "services.csv")
        .read_text()
        .replace("status", "status,comment")
        .replace("in_place\n", "in_place,ok\n")
    )
    dataset = needs.load(folder)
    warnings = "\n".join(dataset.warnings)
    assert "extra.xlsx: sheet 'Pivot' is not a table name" in warnings
    assert "lookup.json: not a data file" in warnings
    assert "services.csv, column 'comment': unknown column, ignored" in warnings
    assert "README" not in warnings and "DS_Store" not in warnings and "~$" not in warnings
    assert "comment" not in dataset.services.columns


def test_sheet_row_numbers_skip_title_rows(tmp_path):
    folder = copy_fixture(tmp_path)
    funding = pd.read_csv(folder / "funding.csv", dtype=str, keep_default_na=False)
    funding.loc[2, "amount"] = "-5"
    (folder / "funding.csv").unlink()
    with pd.ExcelWriter(folder / "funding.xlsx", engine="openpyxl") as writer:
        funding.to_excel(writer, sheet_name="funding", index=False, startrow=2)  # header on sheet row 3
    with pytest.raises(DataValidationError) as caught:
        needs.load(folder)
    messages = [str(issue) for issue in caught.value.issues if issue.severity == "error"]
    assert messages == [
        "funding.xlsx, sheet 'funding', row 6, column 'amount': found '-5'; expected a value of at least 0"
    ]


# --- the template's example row ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_example_row_is_dropped_with_a_warning(tmp_path, fmt):
    folder = copy_fixture(tmp_path)
    referrals = pd.read_csv(folder / "referrals.csv", dtype=str, keep_default_na=False)
    example = pd.DataFrame([schema.example_row("referrals")])[referrals.columns]
    with_example = pd.concat([example, referrals], ignore_index=True)
    with_example.to_csv(folder / "referrals.csv", index=False)
    if fmt == "xlsx":
        folder = as_workbook(folder, tmp_path / "xlsx")
    dataset = needs.load(folder)
    assert_same_dataset(dataset, needs.load(FIXTURE))
    assert len(dataset.warnings) == 1
    assert "row 2: this is the template's example row" in dataset.warnings[0]


# --- validating frames in memory -------------------------------------------------------------


def test_validate_tables_in_memory():
    text = {path.stem: pd.read_csv(path, dtype=str, keep_default_na=False) for path in FIXTURE.glob("*.csv")}
    typed = validate_tables(text)
    assert_same_dataset(needs.Dataset(typed), needs.load(FIXTURE))
    # typed frames (dates, numbers, categoricals) round-trip too
    again = validate_tables(typed)
    assert_same_dataset(needs.Dataset(again), needs.Dataset(typed))
    text["referrals"].loc[0, "outcome"] = "maybe"
    with pytest.raises(DataValidationError, match="referrals.csv, row 2, column 'outcome': found 'maybe'"):
        validate_tables(text)


# --- the embedded example ---------------------------------------------------------------------


def test_example_validates_and_prints_a_summary():
    result = subprocess.run(
        [sys.executable, "-m", "needs.cli", "validate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for table in schema.REQUIRED_TABLES:
        assert f"  {table} " in out
    assert "Leicestershire (E10000018)" in out
    assert "Referrals cover: " in out and "2023-24" in out.split("Referrals cover: ")[1].splitlines()[0]
    assert "Funding covers: " in out
    assert "example row" not in out
    assert "No problems found." in out


def test_example_as_one_workbook_loads_the_same(tmp_path):
    csv = needs.load(EXAMPLE)
    tables = [path for path in EXAMPLE.iterdir() if path.suffix == ".csv"]
    assert tables, "the example is a folder of CSV files"
    xlsx = needs.load(as_workbook(EXAMPLE, tmp_path / "xlsx"))
    assert_same_dataset(csv, xlsx)
    assert xlsx.metadata == csv.metadata


def test_one_million_rows_scale_linearly_enough():
    """A coarse guard (the benchmark measures properly): 50,000 rows load in well under 10 s."""
    sys.path.insert(0, str(TESTS / "benchmarks"))
    from bench_validate import referrals_frame

    frame = referrals_frame(50_000)
    assert np.all(frame["referral_id"].str.len() == 8)
    raw = {path.stem: pd.read_csv(path, dtype=str, keep_default_na=False) for path in FIXTURE.glob("*.csv")}
    raw["referrals"] = frame
    import time

    started = time.perf_counter()
    typed = validate_tables(raw)
    assert time.perf_counter() - started < 10
    assert len(typed["referrals"]) == 50_000


def test_workbook_cell_types(tmp_path):
    """Real date cells, whole floats for counts and booleans load as the dictionary types."""
    folder = copy_fixture(tmp_path)
    areas = pd.read_csv(folder / "areas.csv", dtype=str, keep_default_na=False)
    (folder / "areas.csv").unlink()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "areas"
    sheet.append([*areas.columns, "synthetic"])
    for row, flag in zip(areas.itertuples(index=False), [True, False, None, True], strict=True):
        sheet.append([*(value or None for value in row), flag])
    workbook.save(folder / "areas.xlsx")
    dataset = needs.load(folder)
    assert dataset.areas["synthetic"].tolist() == [True, False, pd.NA, True]
    assert dataset.areas["parent_code"].isna().tolist() == [True, False, False, True]


def test_untouched_template_sheet_beside_the_csv_files_is_ignored(tmp_path):
    # A provider returns the template with the referrals sheet left as it came (header and
    # example row only): the council's own referrals.csv is the table, not a duplicate.
    from needs.inputs.template import write_template

    folder = copy_fixture(tmp_path)
    write_template(folder / "provider-return.xlsx", tables=["referrals"])
    dataset = needs.load(folder)
    assert_same_dataset(dataset, needs.load(FIXTURE))
    assert any(
        "provider-return.xlsx" in warning and "holds only the template's example row" in warning
        for warning in dataset.warnings
    )
