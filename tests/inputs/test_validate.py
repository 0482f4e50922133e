"""`needs validate` on bad data folders: every kind of problem, in CSV and XLSX.

Each case starts from the small valid fixture ``tests/data/valid_minimal`` (a county with
two districts, a unitary, population, prevalence, characteristics, two services, six
referrals and funding), breaks one thing, and runs the real command. The command must
exit 2, print no traceback, name the file, row and column of the problem, and write
nothing. Row numbers are as the user sees them: the header is row 1, so the first data
row (pandas index 0) is row 2.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import TEST_DATA

import needs
from needs.cli import main
from needs.reference import schema

FIXTURE = TEST_DATA / "valid_minimal"
WORKBOOK = "data.xlsx"

Tables = dict[str, pd.DataFrame]


def read_fixture() -> Tables:
    """The fixture's tables as text (exactly as in the files)."""
    return {
        path.stem: pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted(FIXTURE.glob("*.csv"))
    }


def _typed_for_excel(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns into numbers and real dates where every cell parses, as Excel would hold them."""
    columns = []
    for position, name in enumerate(frame.columns):
        text = frame.iloc[:, position]
        filled = text != ""
        kind = schema.TABLES[table].column(name).kind if name in schema.TABLES[table].column_names else "text"
        if kind == "date":
            dates = pd.to_datetime(text.where(filled), format="%Y-%m-%d", errors="coerce")
            if dates[filled].notna().all():
                text = dates
        elif kind in ("int", "number"):
            numbers = pd.to_numeric(text.where(filled), errors="coerce")
            if numbers[filled].notna().all():
                text = numbers
        columns.append(text)
    return pd.concat(columns, axis=1)


def write_folder(folder: Path, tables: Tables, fmt: str) -> None:
    """Write ``tables`` as ``<table>.csv`` files or as sheets of one workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE / "dataset.yaml", folder / "dataset.yaml")
    if fmt == "csv":
        for name, frame in tables.items():
            frame.to_csv(folder / f"{name}.csv", index=False)
    else:
        with pd.ExcelWriter(folder / WORKBOOK, engine="openpyxl") as writer:
            for name, frame in tables.items():
                _typed_for_excel(name, frame).to_excel(writer, sheet_name=name, index=False)


def source(table: str, fmt: str) -> str:
    return f"{table}.csv" if fmt == "csv" else f"{WORKBOOK}, sheet '{table}'"


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def run_validate(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    before = listing(folder)
    code = main(["validate", str(folder)])
    captured = capsys.readouterr()
    assert listing(folder) == before, "validate must not write anything"
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err


def problem_line(stderr: str, *parts: str) -> str:
    """The one line of ``stderr`` that contains every part (fails with the output if none)."""
    lines = [line for line in stderr.splitlines() if all(part in line for part in parts)]
    assert lines, f"no line with {parts!r} in:\n{stderr}"
    return lines[0]


def cell(table: str, index: int, column: str, value: str) -> Callable[[Tables], None]:
    def mutate(tables: Tables) -> None:
        tables[table].loc[index, column] = value

    return mutate


def append_row(table: str, **values: str) -> Callable[[Tables], None]:
    def mutate(tables: Tables) -> None:
        frame = tables[table]
        row = {**frame.iloc[0].to_dict(), **values}
        tables[table] = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)

    return mutate


def drop_column(table: str, column: str) -> Callable[[Tables], None]:
    def mutate(tables: Tables) -> None:
        tables[table] = tables[table].drop(columns=[column])

    return mutate


# (id, mutation, table, row, column, text the message must contain)
CELL_CASES = [
    (
        "missing column",
        drop_column("referrals", "outcome"),
        "referrals",
        None,
        "outcome",
        "required column is missing",
    ),
    (
        "text in number",
        cell("services", 1, "units", "eight"),
        "services",
        3,
        "units",
        "found 'eight'; expected a whole number",
    ),
    (
        "text in money",
        cell("services", 0, "annual_cost", "lots"),
        "services",
        2,
        "annual_cost",
        "found 'lots'; expected a number",
    ),
    (
        "bad date",
        cell("referrals", 2, "date", "2023-02-30"),
        "referrals",
        4,
        "date",
        "expected a date written YYYY-MM-DD",
    ),
    (
        "date words",
        cell("referrals", 2, "date", "last Tuesday"),
        "referrals",
        4,
        "date",
        "found 'last Tuesday'",
    ),
    (
        "not in list",
        cell("referrals", 4, "outcome", "acepted"),
        "referrals",
        6,
        "outcome",
        "found 'acepted'; expected one of accepted_supported, unable_to_support",
    ),
    ("negative count", cell("referrals", 0, "children", "-1"), "referrals", 2, "children", "at least 0"),
    (
        "not whole",
        cell("services", 0, "bedspaces", "2.5"),
        "services",
        2,
        "bedspaces",
        "found '2.5'; expected a whole number",
    ),
    (
        "above maximum",
        cell("prevalence", 1, "rate", "120"),
        "prevalence",
        3,
        "rate",
        "found '120'; expected a value of at most 100",
    ),
    ("blank required", cell("areas", 1, "area_name", ""), "areas", 3, "area_name", "blank"),
    (
        "end before start",
        cell("services", 0, "end", "2021-03-31"),
        "services",
        2,
        "end",
        "end 2021-03-31 is before start 2022-04-01",
    ),
    (
        "support end before start",
        cell("referrals", 0, "support_end", "2023-05-01"),
        "referrals",
        2,
        "support_end",
        "is before support_start",
    ),
    (
        "duplicate key",
        cell("referrals", 3, "referral_id", "R000001"),
        "referrals",
        5,
        "referral_id",
        "duplicate referral_id 'R000001' on rows 2, 5",
    ),
    (
        "unknown service",
        cell("referrals", 1, "service_id", "S99"),
        "referrals",
        3,
        "service_id",
        "found 'S99'; expected a service_id listed in",
    ),
    (
        "unknown area",
        cell("referrals", 5, "origin_area_code", "E07000999"),
        "referrals",
        7,
        "origin_area_code",
        "found 'E07000999'; expected an area_code listed in",
    ),
    (
        "malformed area code",
        cell("funding", 2, "area_code", "E1000018"),
        "funding",
        4,
        "area_code",
        "expected an ONS GSS area code",
    ),
    (
        "period slash",
        cell("funding", 0, "period", "2023/24"),
        "funding",
        2,
        "period",
        "did you mean '2023-24'",
    ),
    (
        "period not consecutive",
        cell("funding", 1, "period", "2023-25"),
        "funding",
        3,
        "period",
        "found '2023-25'; expected a financial year written YYYY-YY",
    ),
    (
        "decline reason required",
        cell("referrals", 1, "decline_reason", ""),
        "referrals",
        3,
        "decline_reason",
        "because outcome is 'unable_to_support'",
    ),
    (
        "support start required",
        cell("referrals", 0, "support_start", ""),
        "referrals",
        2,
        "support_start",
        "because outcome is 'accepted_supported'",
    ),
    (
        "population for county",
        append_row("population", area_code="E10000018"),
        "population",
        18,
        "area_code",
        "child area",
    ),
    (
        "census category",
        cell("characteristics", 0, "category", "asain"),
        "characteristics",
        2,
        "category",
        "did you mean 'asian'",
    ),
    ("bad yes/no", cell("referrals", 3, "pregnant", "maybe"), "referrals", 5, "pregnant", "found 'maybe'"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("mutate", "table", "row", "column", "text"),
    [case[1:] for case in CELL_CASES],
    ids=[case[0] for case in CELL_CASES],
)
def test_bad_cell_is_reported(tmp_path, capsys, fmt, mutate, table, row, column, text):
    tables = read_fixture()
    mutate(tables)
    write_folder(tmp_path, tables, fmt)
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    parts = [source(table, fmt), f"column '{column}'", text]
    if row is not None:
        parts.append(f"row {row},")
    problem_line(err, *parts)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_missing_required_table(tmp_path, capsys, fmt):
    tables = read_fixture()
    del tables["services"]
    write_folder(tmp_path, tables, fmt)
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "services.csv", "required table 'services' not found")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_only_required_table(tmp_path, capsys, fmt):
    tables = read_fixture()
    tables["funding"] = tables["funding"].iloc[0:0]
    write_folder(tmp_path, tables, fmt)
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, source("funding", fmt), "no data rows")


def test_zero_byte_csv(tmp_path, capsys):
    write_folder(tmp_path, read_fixture(), "csv")
    (tmp_path / "referrals.csv").write_bytes(b"")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "referrals.csv", "the file is empty")


def test_zero_byte_xlsx(tmp_path, capsys):
    write_folder(tmp_path, read_fixture(), "csv")
    (tmp_path / "referrals.csv").unlink()
    (tmp_path / "referrals.xlsx").write_bytes(b"")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "referrals.xlsx", "the file is empty")


def test_empty_sheet(tmp_path, capsys):
    tables = read_fixture()
    write_folder(tmp_path, tables, "xlsx")
    import openpyxl

    workbook = openpyxl.load_workbook(tmp_path / WORKBOOK)
    del workbook["funding"]
    workbook.create_sheet("funding")
    workbook.save(tmp_path / WORKBOOK)
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, f"{WORKBOOK}, sheet 'funding'", "the sheet is empty")


def test_junk_named_xlsx(tmp_path, capsys):
    write_folder(tmp_path, read_fixture(), "csv")
    (tmp_path / "referrals.csv").unlink()
    (tmp_path / "referrals.xlsx").write_bytes(np.random.default_rng(1).bytes(2000))
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "referrals.xlsx", "cannot be read as an Excel workbook")


def test_workbook_named_csv(tmp_path, capsys):
    tables = read_fixture()
    write_folder(tmp_path, tables, "csv")
    with pd.ExcelWriter(tmp_path / "referrals.csv", engine="openpyxl") as writer:
        tables["referrals"].to_excel(writer, sheet_name="referrals", index=False)
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "referrals.csv", "rename it to .xlsx")


def test_binary_csv(tmp_path, capsys):
    write_folder(tmp_path, read_fixture(), "csv")
    (tmp_path / "services.csv").write_bytes(b"service_id,name\x00\x01\x02\n\x00S01,\xff\xfe")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "services.csv", "not a text CSV file")


def test_unparseable_csv(tmp_path, capsys):
    write_folder(tmp_path, read_fixture(), "csv")
    path = tmp_path / "services.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2] + ",an extra value,and another"
    path.write_text("\n".join(lines) + "\n")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    line = problem_line(err, "services.csv", "row 3:", "values but the heading row has 14")
    assert "16 values" in line


@pytest.mark.parametrize("suffix", [".ods", ".txt", ".xls"])
def test_unsupported_file_type(tmp_path, capsys, suffix):
    write_folder(tmp_path, read_fixture(), "csv")
    (tmp_path / "referrals.csv").rename(tmp_path / f"referrals{suffix}")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, f"referrals{suffix}", "files are not supported", "referrals.csv")


def test_table_supplied_twice_is_stacked_and_its_repeated_rows_loaded_once(tmp_path):
    # several files may supply a table (one per provider): rows supplied twice are loaded once
    tables = read_fixture()
    write_folder(tmp_path, tables, "csv")
    with pd.ExcelWriter(tmp_path / "referrals.xlsx", engine="openpyxl") as writer:
        tables["referrals"].to_excel(writer, sheet_name="referrals", index=False)
    dataset = needs.load(tmp_path)
    assert len(dataset.referrals) == len(tables["referrals"])
    repeated = [text for text in dataset.warnings if "supplied twice, loaded once" in text]
    assert len(repeated) == len(tables["referrals"])
    assert repeated[0].startswith(
        "referrals.xlsx, sheet 'referrals', row 2: the same row as referrals.csv row 2 (every column "
        "equal except referral_id)"
    )


def test_table_in_two_workbooks_is_stacked(tmp_path):
    tables = read_fixture()
    write_folder(tmp_path, tables, "xlsx")
    with pd.ExcelWriter(tmp_path / "extra.xlsx", engine="openpyxl") as writer:
        tables["funding"].to_excel(writer, sheet_name="Funding", index=False)
    dataset = needs.load(tmp_path)
    assert len(dataset.funding) == len(tables["funding"])
    assert (
        f"extra.xlsx, sheet 'Funding', row 2: the same row as {WORKBOOK}, sheet 'funding' row 2 "
        "(every column equal): supplied twice, loaded once"
    ) in dataset.warnings


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_duplicate_heading(tmp_path, capsys, fmt):
    tables = read_fixture()
    services = tables["services"]
    tables["services"] = pd.concat([services, services[["units"]]], axis=1)
    write_folder(tmp_path, tables, fmt)
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, source("services", fmt), "column 'units'", "appears twice")


def test_bad_metadata(tmp_path, capsys):
    write_folder(tmp_path, read_fixture(), "csv")
    (tmp_path / "dataset.yaml").write_text("title: x\ndemonstration: perhaps\ncolour: blue\n")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "dataset.yaml", "'perhaps'", "expected true or false")
    problem_line(err, "dataset.yaml", "unknown key 'colour'")


def test_every_problem_reported_in_one_pass(tmp_path, capsys):
    tables = read_fixture()
    # cases that touch the same cell or hide each other (a blank support_start has no order) are left out
    cases = [case for case in CELL_CASES if case[0] not in ("missing column", "support start required")]
    for case in cases:
        case[1](tables)
    write_folder(tmp_path, tables, "csv")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    for _, _, table, row, column, text in cases:
        problem_line(err, f"{table}.csv", f"row {row},", f"column '{column}'", text)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_many_bad_rows_are_capped(tmp_path, capsys, fmt):
    tables = read_fixture()
    referrals = tables["referrals"]
    many = referrals.loc[np.repeat(np.arange(len(referrals)), 50)].reset_index(drop=True)
    many["referral_id"] = [f"R{i:06d}" for i in range(len(many))]
    many["sex"] = "femail"
    tables["referrals"] = many
    write_folder(tmp_path, tables, fmt)
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    listed = [line for line in err.splitlines() if "column 'sex': found 'femail'" in line]
    assert len(listed) == 20
    assert "did you mean 'female'" in listed[0]
    problem_line(err, source("referrals", fmt), "column 'sex'", f"and {len(many) - 20} more rows")


def test_unknown_column_is_a_warning_not_an_error(tmp_path, capsys):
    tables = read_fixture()
    tables["services"]["notes"] = "x"
    write_folder(tmp_path, tables, "csv")
    code = main(["validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    problem_line(out, "services.csv", "column 'notes'", "unknown column, ignored")


def test_blank_line_keeps_row_numbers(tmp_path, capsys):
    write_folder(tmp_path, read_fixture(), "csv")
    path = tmp_path / "referrals.csv"
    lines = path.read_text().splitlines()
    lines.insert(2, "")  # a blank line 3 after the first data row: the records below keep their line numbers
    lines[4] = lines[4].replace("accepted_supported", "acepted")  # line 5 of the file
    path.write_text("\n".join(lines) + "\n")
    code, err = run_validate(tmp_path, capsys)
    assert code == 2
    problem_line(err, "referrals.csv", "row 5,", "column 'outcome'", "found 'acepted'")


def test_missing_folder(tmp_path, capsys):
    code = main(["validate", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2
    assert "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "nowhere").exists()


def test_real_command_in_a_subprocess(tmp_path):
    tables = read_fixture()
    tables["referrals"].loc[13 % len(tables["referrals"]), "outcome"] = "acepted"
    write_folder(tmp_path, tables, "csv")
    before = listing(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "needs.cli", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    problem_line(result.stderr, "referrals.csv", "row 3,", "column 'outcome'", "found 'acepted'")
    assert listing(tmp_path) == before
    missing = subprocess.run(
        [sys.executable, "-m", "needs.cli", "validate", str(tmp_path / "absent")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr and "Traceback" not in missing.stderr
