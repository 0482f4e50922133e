"""The provider template: sheets, headers, drop-downs from the validator's lists, and the
round trip template -> filled by a provider -> ``needs.load`` -> the same dataset as the CSVs."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures import ROOT, TEST_DATA
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

import needs
from needs.cli import main
from needs.errors import InputError
from needs.inputs.pseudonymise import pseudonymise, read_key
from needs.inputs.template import (
    LAST_DATA_ROW,
    LISTS_SHEET,
    PROVIDER_NAME,
    build_template,
    list_ranges,
    write_provider_template,
    write_template,
)
from needs.reference import schema

EXAMPLE = ROOT / "data" / "example"
MINIMAL = TEST_DATA / "valid_minimal"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx")


@pytest.fixture(scope="module")
def workbook(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


# --------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------


def test_sheet_names_are_about_dictionary_tables_then_lists(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == ["About", "Data dictionary", *schema.TABLES, "Lists"]
    assert set(workbook.sheetnames) - set(schema.TABLES) == set(schema.TEMPLATE_SHEETS)
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    assert workbook["About"].sheet_state == "visible"


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_header_row_is_the_schema_columns_bold_and_frozen(workbook: openpyxl.Workbook, table: str) -> None:
    sheet = workbook[table]
    header = [cell.value for cell in sheet[1]]
    assert header == list(schema.TABLES[table].column_names)
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    for position, cell in enumerate(sheet[1], start=1):
        assert sheet.column_dimensions[get_column_letter(position)].width >= len(cell.value)
        assert schema.TABLES[table].columns[position - 1].description in cell.comment.text


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_row_two_is_the_example_row_in_grey_italics_with_a_note(
    workbook: openpyxl.Workbook, table: str
) -> None:
    sheet = workbook[table]
    example = schema.example_row(table)
    values = ["" if cell.value is None else cell.value for cell in sheet[2]]
    assert values == list(example.values())
    assert all(isinstance(value, str) for value in values)  # text, as the loader compares it
    assert all(cell.font.i and cell.font.color.rgb.endswith("808080") for cell in sheet[2])
    assert "example" in sheet["A2"].comment.text.lower()
    assert "overwrite" in sheet["A2"].comment.text.lower()
    assert sheet.max_row == 2


def _validations(sheet: Worksheet) -> dict[str, DataValidation]:
    """Column letter -> the data validation covering rows 2..LAST_DATA_ROW of that column."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            min_col, min_row, max_col, max_row = range_boundaries(str(cell_range))
            assert (min_row, max_row) == (2, LAST_DATA_ROW)
            assert min_col == max_col
            found[get_column_letter(min_col)] = validation
    return found


def _range_values(workbook: openpyxl.Workbook, formula: str) -> list[str]:
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet, first_col, first_row, last_col, last_row = match.groups()
    assert first_col == last_col
    column = column_index_from_string(first_col)
    cells = workbook[sheet].iter_rows(
        min_row=int(first_row), max_row=int(last_row), min_col=column, max_col=column, values_only=True
    )
    return [row[0] for row in cells]


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_drop_downs_list_exactly_the_validators_categories(workbook: openpyxl.Workbook, table: str) -> None:
    sheet = workbook[table]
    validations = _validations(sheet)
    for position, column in enumerate(schema.TABLES[table].columns, start=1):
        letter = get_column_letter(position)
        if column.categories is not None:
            validation = validations[letter]
            assert validation.type == "list"
            assert validation.formula1.startswith("'Lists'!") or validation.formula1.startswith("Lists!")
            assert _range_values(workbook, validation.formula1) == list(column.categories.codes)
            # and the header above the list names the list
            header_formula = re.sub(r"\$(\d+):", "$1:", validation.formula1)
            assert _range_values(workbook, header_formula)[0] == column.categories.name
            assert validation.showErrorMessage
        elif column.kind == "bool":
            assert validations[letter].type == "list"
            assert validations[letter].formula1 == '"true,false"'
        elif column.kind in ("int", "number"):
            validation = validations[letter]
            assert validation.type == ("whole" if column.kind == "int" else "decimal")
            if column.minimum is not None:
                assert float(validation.formula1) == column.minimum
            if column.maximum is not None:
                assert float(validation.formula2) == column.maximum
        elif column.kind == "date":
            assert validations[letter].type == "date"
            assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
        else:
            assert letter not in validations
            assert sheet.column_dimensions[letter].number_format == "@"


def test_referrals_outcome_drop_down_by_hand(workbook: openpyxl.Workbook) -> None:
    """Worked by hand: referrals column F is 'outcome', whose list has six codes."""
    sheet = workbook["referrals"]
    assert sheet["F1"].value == "outcome"
    validation = _validations(sheet)["F"]
    assert _range_values(workbook, validation.formula1) == [
        "accepted_supported", "unable_to_support", "withdrawn_by_referrer", "survivor_declined", "pending",
        "not_known",
    ]  # fmt: skip


def test_category_lists_come_from_the_lists_sheet_not_inline_text(workbook: openpyxl.Workbook) -> None:
    """Inline lists are limited to 255 characters, so every category list is a range of the
    Lists sheet (only the two-value true/false list is inline)."""
    for table in schema.TABLES:
        for validation in workbook[table].data_validations.dataValidation:
            if validation.type == "list" and validation.formula1 != '"true,false"':
                assert "Lists" in validation.formula1


def test_list_ranges_cover_every_category_list_once() -> None:
    ranges = list_ranges()
    names = {
        column.categories.name
        for table in schema.TABLES.values()
        for column in table.columns
        if column.categories is not None
    }
    assert set(ranges) == names
    assert len(set(ranges.values())) == len(ranges)


def test_data_dictionary_sheet_explains_every_column(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["Data dictionary"]
    rows = list(sheet.iter_rows(values_only=True))
    dictionary = schema.data_dictionary()
    assert list(rows[0][: len(dictionary.columns)]) == list(dictionary.columns)
    body = pd.DataFrame(
        [row[: len(dictionary.columns)] for row in rows[1 : len(dictionary) + 1]], columns=dictionary.columns
    )
    assert body["table"].tolist() == dictionary["table"].tolist()
    assert body["column"].tolist() == dictionary["column"].tolist()
    assert body["description"].tolist() == dictionary["description"].tolist()
    # the code lists with labels follow
    codes = {(row[0], row[1]): row[2] for row in rows[len(dictionary) + 1 :] if row[0] and row[1]}
    assert codes[("referral_outcome", "unable_to_support")] == "Unable to support"
    assert codes[("accommodation_type", "sanctuary")] == "Sanctuary scheme"


def test_about_sheet_has_instructions(workbook: openpyxl.Workbook) -> None:
    text = "\n".join(str(row[0]) for row in workbook["About"].iter_rows(values_only=True) if row[0])
    assert "How to fill it in" in text
    assert "not_known" in text
    assert "pseudonymised" in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = write_template(tmp_path / "a.xlsx").read_bytes()
    second = write_template(tmp_path / "b.xlsx").read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_subset_of_tables(tmp_path: Path) -> None:
    path = write_template(tmp_path / "providers.xlsx", ["services", "referrals"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Data dictionary", "services", "referrals", "Lists"]
    with pytest.raises(ValueError, match="tables"):
        build_template(["nonsense"])


def test_refuses_a_name_that_is_not_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=".xlsx"):
        write_template(tmp_path / "template.csv")
    assert not (tmp_path / "template.csv").exists()


def test_command_line_writes_the_template(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "t.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "needs.cli", "template", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(out).sheetnames[0] == "About"
    assert [p.name for p in out.parent.iterdir()] == ["t.xlsx"]  # no temporary file left


# --------------------------------------------------------------------------------------
# Round trip: template -> provider fills it -> needs.load == the CSV folder
# --------------------------------------------------------------------------------------


def _typed(value: str, kind: str) -> object:
    """A CSV text value as a provider would type it into Excel."""
    if value == "":
        return None
    if kind == "int":
        return int(float(value))
    if kind == "number":
        return float(value)
    if kind == "date":
        return dt.datetime.strptime(value, "%Y-%m-%d")
    if kind == "bool" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def fill_template(template: Path, csv_folder: Path, out: Path, append: tuple[str, ...] = ()) -> Path:
    """Fill the template with every CSV table of ``csv_folder`` and save it as ``out``.

    Data start in row 2 (over the example row), or in row 3 for tables in ``append``
    (leaving the example row in place for the loader to drop). Sheets of tables the folder
    does not hold are deleted, as the About sheet tells providers.
    """
    book = openpyxl.load_workbook(template)
    present = {path.stem for path in csv_folder.glob("*.csv")}
    for name in schema.TABLES:
        if name not in present:
            del book[name]
            continue
        table = schema.TABLES[name]
        frame = pd.read_csv(csv_folder / f"{name}.csv", dtype=str, keep_default_na=False)
        sheet = book[name]
        # A provider with no values for an optional column deletes it (an entirely blank
        # optional column currently loads as a column of missing values, while a CSV
        # without it has no such column). Work from the right so positions stay valid.
        header = [cell.value for cell in sheet[1]]
        for position in range(len(header), 0, -1):
            if header[position - 1] not in frame.columns:
                sheet.delete_cols(position)
        header = [cell.value for cell in sheet[1]]
        first = 3 if name in append else 2
        if first == 2:  # overwrite the whole example row
            for cell in sheet[2]:
                cell.value = None
        kinds = {column.name: column.kind for column in table.columns}
        for offset, record in enumerate(frame.itertuples(index=False)):
            for column_name, value in zip(frame.columns, record, strict=True):
                position = header.index(column_name) + 1
                sheet.cell(row=first + offset, column=position, value=_typed(value, kinds[column_name]))
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _csv_tables(folder: Path, tmp_path: Path) -> needs.Dataset:
    """The folder's CSV tables alone, loaded (the example's providers' workbooks left out: the
    template is filled from the CSV files)."""
    copy = tmp_path / "csv-only"
    copy.mkdir()
    for path in [*folder.glob("*.csv"), *folder.glob("*.yaml")]:
        shutil.copy(path, copy / path.name)
    return needs.load(copy)


def _assert_same_tables(from_workbook: needs.Dataset, from_csv: needs.Dataset) -> None:
    assert set(from_workbook.tables) == set(from_csv.tables)
    for name, frame in from_csv.tables.items():
        pd.testing.assert_frame_equal(from_workbook.tables[name], frame, check_like=False, obj=name)


@pytest.mark.parametrize("folder", [MINIMAL, EXAMPLE], ids=["valid_minimal", "data_example"])
def test_round_trip_template_filled_with_data_loads_the_same_dataset(
    template: Path, tmp_path: Path, folder: Path
) -> None:
    filled = fill_template(template, folder, tmp_path / "provider" / "returned.xlsx")
    from_workbook = needs.load(filled.parent)
    from_csv = _csv_tables(folder, tmp_path)
    _assert_same_tables(from_workbook, from_csv)
    assert [file.path.name for file in from_workbook.files] == ["returned.xlsx"]
    assert set(from_workbook.files[0].tables) == set(from_csv.tables)


@pytest.mark.parametrize("folder", [MINIMAL, EXAMPLE], ids=["valid_minimal", "data_example"])
def test_round_trip_with_the_example_row_left_in_place(template: Path, tmp_path: Path, folder: Path) -> None:
    """A provider who keeps the example row and adds referrals below it: the loader drops the
    example (with a warning) and the data are the same."""
    filled = fill_template(template, folder, tmp_path / "provider" / "returned.xlsx", append=("referrals",))
    book = openpyxl.load_workbook(filled, read_only=True)
    second_row = next(book["referrals"].iter_rows(min_row=2, max_row=2, values_only=True))
    book.close()
    assert second_row[0] == schema.example_row("referrals")["referral_id"]
    from_workbook = needs.load(filled.parent)
    _assert_same_tables(from_workbook, _csv_tables(folder, tmp_path))
    assert any("example row" in warning and "referrals" in warning for warning in from_workbook.warnings)


def test_untouched_template_does_not_load_examples_as_data(template: Path, tmp_path: Path) -> None:
    """Left as generated, every sheet holds only the example row: nothing is loaded as data,
    so the required tables are reported empty rather than the examples being taken as records."""
    folder = tmp_path / "blank"
    folder.mkdir()
    shutil.copy(template, folder / "template.xlsx")
    with pytest.raises(needs.errors.DataValidationError) as caught:
        needs.load(folder)
    warnings = [issue for issue in caught.value.issues if issue.severity == "warning"]
    assert any("example row" in issue.message for issue in warnings)
    assert not any("R000001" in str(issue) for issue in caught.value.issues if issue.severity == "error")


def test_example_values_are_valid_codes() -> None:
    for table in schema.TABLES.values():
        example = schema.example_row(table.name)
        for column in table.columns:
            if column.categories is not None:
                assert example[column.name] in column.categories or (
                    column.nullable and example[column.name] == ""
                )


# --------------------------------------------------------------------------------------
# One provider's workbook (needs template --data DIR --provider NAME)
# --------------------------------------------------------------------------------------

DEMO_KEY = ROOT / "data" / "demonstration-partnership.key"
#: The example's services run by FreeVa (data/example/services.csv, provider column), by hand.
FREEVA_SERVICES = ["S07", "S08", "S09", "S10"]


@pytest.fixture(scope="module")
def example_dataset() -> needs.Dataset:
    return needs.load(EXAMPLE)


@pytest.fixture(scope="module")
def provider_book(example_dataset: needs.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_provider_template(
        tmp_path_factory.mktemp("provider") / "freeva.xlsx", example_dataset, " freeva "
    )


def test_provider_workbook_has_only_the_provider_sheets_and_its_name(provider_book: Path) -> None:
    book = openpyxl.load_workbook(provider_book)
    assert book.sheetnames == ["About", "Data dictionary", "referrals", "Lists"]
    about = book["About"]
    assert (about["A2"].value, about["B2"].value) == ("Provider", "FreeVa")  # as services.csv spells it
    assert (about["A3"].value, about["B3"].value) == ("Council", "Leicestershire County Council")
    name = book.defined_names[PROVIDER_NAME]
    assert name.attr_text == "'About'!$B$2"
    (sheet, cell), *_ = name.destinations
    assert book[sheet][cell.replace("$", "")].value == "FreeVa"
    text = "\n".join(str(row[0]) for row in about.iter_rows(values_only=True) if row[0])
    assert "needs pseudonymise" in text and "key" in text


def test_provider_workbook_drop_downs_are_its_services_and_the_areas(
    provider_book: Path, example_dataset: needs.Dataset
) -> None:
    book = openpyxl.load_workbook(provider_book)
    sheet = book["referrals"]
    validations = _validations(sheet)
    assert (sheet["D1"].value, sheet["E1"].value) == ("service_id", "origin_area_code")
    service = validations["D"]
    assert service.type == "list" and "Lists" in service.formula1
    assert _range_values(book, service.formula1) == FREEVA_SERVICES
    # the names beside the codes in the Lists sheet, and in the drop-down's message
    names = _range_values(
        book,
        re.sub(
            r"\$([A-Z]+)\$",
            lambda m: f"${get_column_letter(column_index_from_string(m.group(1)) + 1)}$",
            service.formula1,
        ),
    )
    assert names[1] == "BAME advisor"  # S08 in services.csv
    assert "S08 BAME advisor" in service.prompt
    areas = _range_values(book, validations["E"].formula1)
    assert areas == example_dataset.tables["areas"]["area_code"].tolist()
    assert "E10000018" in areas and len(areas) == 17
    # the category drop-downs are those of the blank template
    assert _range_values(book, validations["F"].formula1)[0] == "accepted_supported"


def test_provider_workbook_with_services_is_prefilled_with_its_services(
    example_dataset: needs.Dataset, tmp_path: Path
) -> None:
    path = write_provider_template(tmp_path / "p.xlsx", example_dataset, "FreeVa", ["services", "referrals"])
    book = openpyxl.load_workbook(path)
    rows = list(book["services"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == FREEVA_SERVICES
    assert {row[2] for row in rows} == {"FreeVa"}
    csv = pd.read_csv(EXAMPLE / "services.csv", dtype=str).set_index("service_id")
    assert rows[1][1] == csv.loc["S08", "name"] and rows[1][7] == int(csv.loc["S08", "units"])


def test_unknown_provider_is_refused_with_the_nearest_name(
    example_dataset: needs.Dataset, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="did you mean 'FreeVa'"):
        write_provider_template(tmp_path / "p.xlsx", example_dataset, "Free VA")
    assert not (tmp_path / "p.xlsx").exists()


def test_provider_workbook_round_trip(provider_book: Path, tmp_path: Path) -> None:
    """Generated for FreeVa from the example, filled by the provider (household ids made with the
    demonstration key from a local sheet), returned in place of referrals.csv, and loaded."""
    local = pd.DataFrame(
        {
            "name": ["Ann O'Neil", "ANN ONEIL", "Bo Khan"],
            "date_of_birth": ["07/03/1985", "1985-03-07", "31/12/2001"],
            "postcode": ["LE1 6TH", "le16th", "LE2 1AA"],
        }
    )
    ids = pseudonymise(local, read_key(DEMO_KEY)).tolist()
    assert ids[0] == ids[1] != ids[2]
    rows = [
        ["F1", ids[0], dt.datetime(2023, 5, 2), "S07", "E07000129", "accepted_supported", None],
        ["F2", ids[1], dt.datetime(2023, 9, 14), "S09", "E06000016", "pending", None],
        [
            "F3",
            ids[2],
            dt.datetime(2023, 10, 1),
            "S08",
            "E07000135",
            "unable_to_support",
            "no_capacity_space",
        ],
    ]
    book = openpyxl.load_workbook(provider_book)
    sheet = book["referrals"]
    header = [cell.value for cell in sheet[1]]
    example = schema.example_row("referrals")
    for offset, start in enumerate(rows):
        record = dict(zip(header[:7], start, strict=True))
        for position, column in enumerate(header, start=1):
            value = record.get(column, example[column])
            if column == "support_start":
                value = dt.datetime(2023, 5, 9) if offset == 0 else None
            if column in ("support_end", "end_reason", "decline_reason") and column not in record:
                value = None
            if column == "children":
                value = offset
            sheet.cell(row=2 + offset, column=position, value=value if value != "" else None)
    folder = tmp_path / "council"
    shutil.copytree(EXAMPLE, folder)
    for referrals in [folder / "referrals.csv", *folder.glob("referrals-*.xlsx")]:
        referrals.unlink()  # the example's own referrals: this council has only FreeVa's return
    book.save(folder / "freeva-return.xlsx")
    dataset = needs.load(folder)
    referrals = dataset.tables["referrals"].set_index("referral_id")
    assert referrals.index.tolist() == ["F1", "F2", "F3"]
    assert referrals.loc["F3", "service_id"] == "S08"
    assert referrals.loc["F3", "decline_reason"] == "no_capacity_space"
    assert referrals.loc["F1", "household_id"] == referrals.loc["F2", "household_id"] == ids[0]
    assert referrals["household_id"].nunique() == 2
    assert "freeva-return.xlsx" in [file.path.name for file in dataset.files]


def test_command_line_writes_a_provider_workbook(tmp_path: Path) -> None:
    out = tmp_path / "wall.xlsx"
    assert (
        main(["template", "--data", str(EXAMPLE), "--provider", "Living without Abuse", "--out", str(out)])
        == 0
    )
    assert openpyxl.load_workbook(out)["About"]["B2"].value == "Living without Abuse"
    assert main(["template", "--provider", "Living without Abuse", "--out", str(out)]) == 2
