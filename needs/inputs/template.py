"""The Excel data-collection template for providers (``needs template``).

The workbook is generated from the data dictionary (:data:`needs.reference.schema.TABLES`) and the
category lists (:mod:`needs.reference.categories`), the same definitions the validator uses, so a
provider filling it in cannot pick a value the loader would refuse.

Layout
------
* ``About``: what the workbook is for and how to fill it in.
* ``Data dictionary``: every column of every table (:func:`needs.reference.schema.data_dictionary`),
  then every category list with its codes and labels.
* One sheet per input table, named after the table (the name :func:`needs.load` looks
  for): a bold, frozen header row with a comment describing each column; row 2 holds
  :func:`needs.reference.schema.example_row` in grey italics with a comment saying it is an example
  to overwrite (the loader drops a first row equal to it, with a warning); rows
  2 to :data:`LAST_DATA_ROW` carry data validations:

  - category columns: a drop-down list (``list`` validation) whose source is a range of the
    hidden ``Lists`` sheet, because a list typed into the validation itself is limited to
    255 characters;
  - ``bool`` columns: a ``true``/``false`` drop-down;
  - ``int`` / ``number`` columns: whole-number / decimal validations with the schema's
    minimum and maximum;
  - ``date`` columns: a date validation (1 January 1990 to 31 December 2100) and the
    ``yyyy-mm-dd`` display format;
  - identifier, code, text and period columns are formatted as text, so Excel keeps leading
    zeros and does not turn ``2024-25`` into something else.

* ``Lists`` (hidden): one column per category list, header = list name, codes below.

The sheets ``About``, ``Data dictionary`` and ``Lists`` are
:data:`needs.reference.schema.TEMPLATE_SHEETS`, which the loader skips.

Output is deterministic: the same toolkit version writes byte-identical files
(:func:`save_workbook` fixes the zip timestamps and the document dates). Like every workbook
the toolkit writes, every text cell is stored as text, never as a formula
(:func:`needs.outputs.files.safe_text`, applied by :func:`save_workbook`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from needs.errors import InputError
from needs.outputs.files import save_workbook
from needs.reference import categories as cat
from needs.reference import schema
from needs.version import __version__

__all__ = [
    "ABOUT_SHEET",
    "DICTIONARY_SHEET",
    "LAST_DATA_ROW",
    "LISTS_SHEET",
    "list_ranges",
    "write_template",
]

ABOUT_SHEET, DICTIONARY_SHEET, LISTS_SHEET = schema.TEMPLATE_SHEETS
#: Last row of each table sheet that carries the data validations (row 1 is the header).
LAST_DATA_ROW = 100_000


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_FONT = Font(italic=True, color="808080")
EXAMPLE_NOTE = (
    "Example row: overwrite it with your first record, or delete the row. If it is left "
    "unchanged, needs does not load it (and says so)."
)
_COMMENT_AUTHOR = "needs"
_TEXT_KINDS = ("id", "code", "text", "period", "category", "bool")
_MIN_DATE, _MAX_DATE = "DATE(1990,1,1)", "DATE(2100,12,31)"

ABOUT_TEXT: tuple[str, ...] = (
    "Domestic abuse safe accommodation: data collection template",
    "",
    "This workbook collects the data your council needs for its safe-accommodation needs "
    "assessment under Part 4 of the Domestic Abuse Act 2021.",
    "",
    "How to fill it in",
    "1. Each table has its own sheet, named after the table (for example 'services' and "
    "'referrals'). Do not rename the sheets or the column headings in row 1.",
    "2. Row 2 of each sheet is a grey example. Type your first record over it (or delete the "
    "row) and carry on in the rows below. An example row left unchanged is not loaded.",
    "3. Columns with a drop-down accept only the codes in the list. The 'Data dictionary' "
    "sheet explains every column and lists every code with its meaning. Use 'not_known' "
    "when the information was not recorded; do not leave it blank.",
    "4. Write dates as dates (for example 2024-05-02), financial years as YYYY-YY (for "
    "example 2024-25), counts as whole numbers and money in pounds without the £ sign.",
    "5. Fill in only the sheets you were asked for and delete the others, so that they "
    "do not clash with tables your council holds elsewhere.",
    "6. Referrals are pseudonymised records: never enter names, addresses, dates of birth "
    "or any other information that identifies a person. household_id must be the same on "
    "every referral of one household, and must not be derived from personal details.",
    "7. Save the workbook as .xlsx and return it by the secure route your council gave you.",
    "",
    "Checking",
    "Your council checks the workbook with 'needs validate', which lists every problem with "
    "its sheet, row and column, so it can be corrected in one go.",
)


# --------------------------------------------------------------------------------------
# The lists
# --------------------------------------------------------------------------------------


def _category_lists(tables: Sequence[str]) -> dict[str, cat.CategoryList]:
    """Every category list used by a column of ``tables``, by list name, in schema order."""
    lists: dict[str, cat.CategoryList] = {}
    for name in tables:
        for column in schema.TABLES[name].columns:
            if column.categories is not None:
                lists.setdefault(column.categories.name, column.categories)
    return lists


def list_ranges(tables: Sequence[str] | None = None) -> dict[str, str]:
    """The ``Lists`` sheet range holding each category list's codes.

    Parameters
    ----------
    tables
        Tables in the template (default: all of :data:`needs.reference.schema.TABLES`).

    Returns
    -------
    dict
        List name to an absolute range such as ``Lists!$A$2:$A$11`` (the list's codes,
        below a header cell holding the list name), in the order of the sheet's columns.
    """
    lists = _category_lists(list(tables or schema.TABLES))
    ranges = {}
    for position, (name, categories) in enumerate(lists.items(), start=1):
        letter = get_column_letter(position)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(categories) + 1}"
    return ranges


def _write_lists(worksheet: Worksheet, lists: dict[str, cat.CategoryList]) -> None:
    for position, (name, categories) in enumerate(lists.items(), start=1):
        worksheet.cell(row=1, column=position, value=name).font = HEADER_FONT
        for row, code in enumerate(categories.codes, start=2):
            worksheet.cell(row=row, column=position, value=code)
        width = max(len(name), *(len(code) for code in categories.codes)) + 2
        worksheet.column_dimensions[get_column_letter(position)].width = width
    worksheet.sheet_state = "hidden"


# --------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------


def _write_about(worksheet: Worksheet, tables: Sequence[str]) -> None:
    lines = [
        *ABOUT_TEXT,
        "",
        "Sheets in this workbook",
        *(f"{name}: {schema.TABLES[name].description}" for name in tables),
        f"{DICTIONARY_SHEET}: every column, what it holds and the values it accepts; every code list.",
        "",
        f"Generated by needs {__version__} from its data dictionary.",
    ]
    for row, line in enumerate(lines, start=1):
        cell = worksheet.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1 or line in ("How to fill it in", "Checking", "Sheets in this workbook"):
            cell.font = Font(bold=True, size=14 if row == 1 else 11)
    worksheet.column_dimensions["A"].width = 120


def _write_dictionary(
    worksheet: Worksheet, tables: Sequence[str], lists: dict[str, cat.CategoryList]
) -> None:
    dictionary = schema.data_dictionary()
    dictionary = dictionary[dictionary["table"].isin(list(tables))]
    headers = list(dictionary.columns)
    worksheet.append(headers)
    for values in dictionary.itertuples(index=False):
        worksheet.append(["yes" if value is True else "no" if value is False else value for value in values])
    for cell in worksheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    worksheet.freeze_panes = "A2"
    widths = {
        "table": 16,
        "table_required": 15,
        "column": 26,
        "kind": 10,
        "column_required": 16,
        "blank_allowed": 14,
        "allowed_values": 60,
        "description": 90,
    }
    for position, name in enumerate(headers, start=1):
        worksheet.column_dimensions[get_column_letter(position)].width = widths.get(name, 16)
    # The code lists with their meanings, below the columns.
    start = worksheet.max_row + 2
    worksheet.cell(row=start, column=1, value="Code lists").font = Font(bold=True, size=12)
    worksheet.append(["list", "code", "label"])
    for cell in worksheet[start + 1][:3]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for name, categories in lists.items():
        for code, label in categories.labels.items():
            worksheet.append([name, code, label])


def _validation(column: schema.Column, ranges: dict[str, str]) -> DataValidation | None:
    """The data validation for ``column``'s data cells, or ``None``."""
    prompt = column.description[:250]
    options = dict(
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        promptTitle=column.name[:32],
        prompt=prompt,
        errorTitle=f"{column.name}"[:32],
    )
    if column.categories is not None:
        return DataValidation(
            type="list",
            formula1=ranges[column.categories.name],
            error="Choose a code from the drop-down list (the Data dictionary sheet explains each code).",
            **options,
        )
    if column.kind == "bool":
        return DataValidation(type="list", formula1='"true,false"', error="Enter true or false.", **options)
    if column.kind in ("int", "number"):
        kind = "whole" if column.kind == "int" else "decimal"
        low = column.minimum
        high = column.maximum
        noun = "a whole number" if column.kind == "int" else "a number"
        if low is not None and high is not None:
            return DataValidation(
                type=kind,
                operator="between",
                formula1=f"{low:g}",
                formula2=f"{high:g}",
                error=f"Enter {noun} from {low:g} to {high:g}.",
                **options,
            )
        if low is not None:
            return DataValidation(
                type=kind,
                operator="greaterThanOrEqual",
                formula1=f"{low:g}",
                error=f"Enter {noun} of at least {low:g}.",
                **options,
            )
        return DataValidation(
            type=kind,
            operator="between",
            formula1="-1E+300",
            formula2="1E+300",
            error=f"Enter {noun}.",
            **options,
        )
    if column.kind == "date":
        return DataValidation(
            type="date",
            operator="between",
            formula1=_MIN_DATE,
            formula2=_MAX_DATE,
            error="Enter a date, for example 2024-05-02.",
            **options,
        )
    return None


def _write_table(worksheet: Worksheet, table: schema.Table, ranges: dict[str, str]) -> None:
    example = schema.example_row(table.name)
    for position, column in enumerate(table.columns, start=1):
        letter = get_column_letter(position)
        header = worksheet.cell(row=1, column=position, value=column.name)
        header.font = HEADER_FONT
        header.fill = HEADER_FILL
        required = "Required column" if column.required else "Optional column"
        blank = "; may be blank" if column.nullable else "; must be filled"
        header.comment = Comment(
            f"{column.description}\n{required}{blank}.\nAllowed: {column.allowed_values}",
            _COMMENT_AUTHOR,
            width=320,
            height=140,
        )
        value = example[column.name]
        cell = worksheet.cell(row=2, column=position, value=value if value != "" else None)
        cell.font = EXAMPLE_FONT
        if column.kind in _TEXT_KINDS:
            worksheet.column_dimensions[letter].number_format = "@"
            cell.number_format = "@"
        elif column.kind == "date":
            worksheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        width = max(len(column.name), len(value), 10) + 3
        worksheet.column_dimensions[letter].width = min(width, 40)
        validation = _validation(column, ranges)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_DATA_ROW}")
            worksheet.add_data_validation(validation)
    worksheet.cell(row=2, column=1).comment = Comment(EXAMPLE_NOTE, _COMMENT_AUTHOR, width=320, height=100)
    worksheet.freeze_panes = "A2"


def build_template(tables: Sequence[str] | None = None) -> Workbook:
    """The provider template as an openpyxl workbook (see the module docstring).

    Parameters
    ----------
    tables
        Tables to include, in the given order (default: every table of
        :data:`needs.reference.schema.TABLES`, in schema order).

    Raises
    ------
    ValueError
        If ``tables`` names a table that does not exist, or is empty.
    """
    names = list(tables) if tables is not None else list(schema.TABLES)
    unknown = [name for name in names if name not in schema.TABLES]
    if unknown or not names:
        raise ValueError(
            f"tables must name tables of the data dictionary ({', '.join(schema.TABLES)}); got {names!r}"
        )
    lists = _category_lists(names)
    ranges = list_ranges(names)
    workbook = Workbook()
    about = workbook.active
    about.title = ABOUT_SHEET
    _write_about(about, names)
    _write_dictionary(workbook.create_sheet(DICTIONARY_SHEET), names, lists)
    for name in names:
        _write_table(workbook.create_sheet(name), schema.TABLES[name], ranges)
    _write_lists(workbook.create_sheet(LISTS_SHEET), lists)
    workbook.active = workbook.sheetnames.index(names[0])
    workbook.properties.creator = "needs"
    workbook.properties.title = "Safe accommodation needs assessment: data collection template"
    return workbook


def write_template(path: str | Path, tables: Sequence[str] | None = None) -> Path:
    """Write the provider template to ``path`` (an ``.xlsx`` file), atomically.

    Parameters
    ----------
    path
        Output file; its folder is created if needed.
    tables
        Tables to include (default: all), for example ``["services", "referrals"]`` for a
        provider who reports only its services and referrals.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"the template is an Excel workbook: give a file name ending .xlsx (got '{path}')")
    return save_workbook(build_template(tables), path)
