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

One provider's workbook (``needs template --data DIR --provider NAME``,
:func:`write_provider_template`) is the same workbook made from the council's data folder
for one provider (:class:`ProviderDetails`):

* only the sheets a provider fills (:data:`PROVIDER_TABLES`: ``referrals``; ``services``
  on request, pre-filled with the provider's rows from the council's services table);
* ``service_id`` is a drop-down of the provider's services and ``origin_area_code`` of the
  council's area codes (both from the hidden ``Lists`` sheet, with the name beside each code
  there; the drop-down's input message and the About sheet show the names beside the codes);
* the About sheet's row 2 is ``Provider | NAME`` (and row 3 ``Council | AUTHORITY``), and
  the cell holding the provider's name has the workbook-level defined name ``provider``
  (:data:`PROVIDER_NAME`), for the loader to read; the About sheet lists the provider's
  services and the area codes with their names, and explains how ``household_id`` is made
  with ``needs pseudonymise`` (:mod:`needs.inputs.pseudonymise`).

Output is deterministic: the same toolkit version writes byte-identical files
(:func:`save_workbook` fixes the zip timestamps and the document dates). Like every workbook
the toolkit writes, every text cell is stored as text, never as a formula
(:func:`needs.outputs.files.safe_text`, applied by :func:`save_workbook`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.outputs.files import save_workbook
from needs.reference import categories as cat
from needs.reference import schema
from needs.version import __version__

__all__ = [
    "ABOUT_SHEET",
    "DICTIONARY_SHEET",
    "LAST_DATA_ROW",
    "LISTS_SHEET",
    "PROVIDER_NAME",
    "PROVIDER_TABLES",
    "ProviderDetails",
    "build_template",
    "list_ranges",
    "provider_details",
    "write_provider_template",
    "write_template",
]

ABOUT_SHEET, DICTIONARY_SHEET, LISTS_SHEET = schema.TEMPLATE_SHEETS
#: Last row of each table sheet that carries the data validations (row 1 is the header).
LAST_DATA_ROW = 100_000
#: The tables of one provider's workbook unless others are asked for.
PROVIDER_TABLES: tuple[str, ...] = ("referrals",)
#: Workbook-level defined name of the About sheet's cell holding the provider's name.
PROVIDER_NAME = "provider"
#: Where that cell is: the About sheet's row 2 is ``Provider | NAME``.
PROVIDER_CELL = "B2"


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
    "every referral of one household: make it with 'needs pseudonymise' and your "
    "partnership's key (below), never by typing or shortening personal details.",
    "7. Save the workbook as .xlsx and return it by the secure route your council gave you.",
    "",
    "Checking",
    "Your council checks the workbook with 'needs validate', which lists every problem with "
    "its sheet, row and column, so it can be corrected in one go.",
    "",
    "Household ids (pseudonymisation)",
    "One household helped by two organisations must have the same household_id at both, so "
    "that it is counted once and so that the council can tell who was supported nowhere. Keep "
    "your own sheet with the columns name, date_of_birth and postcode (the fields your "
    "partnership agreed) on your own computer, and run 'needs pseudonymise YOUR-SHEET --key "
    "KEYFILE --out RETURN.xlsx'. It makes household_id with a keyed hash (HMAC-SHA256) of those "
    "fields, tidied first so that case, spaces, accents and date formats do not matter, and "
    "writes the sheet without them. Without the key nobody can work out who an id belongs to.",
    "The key comes from your partnership lead by a secure route, once each financial year. "
    "Never email it, never keep it in the folder you send, and never paste names, dates of "
    "birth or postcodes into this workbook.",
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


# --------------------------------------------------------------------------------------
# One provider's workbook
# --------------------------------------------------------------------------------------

#: The columns given a drop-down of a provider workbook's own lists: (table, column) -> list.
PROVIDER_LIST_COLUMNS: dict[tuple[str, str], str] = {
    ("referrals", "service_id"): "service_id",
    ("referrals", "origin_area_code"): "area_code",
    ("services", "host_area_code"): "area_code",
}


@dataclass(frozen=True)
class ProviderDetails:
    """What a council fills in for one provider (:func:`provider_details`).

    Parameters
    ----------
    provider
        The provider's name as the council's services table spells it.
    authority
        The council (``authority`` of ``dataset.yaml``), or ``""``.
    services
        The provider's rows of the council's services table, typed as loaded.
    areas
        ``area_code`` and ``area_name`` of every area of the council's data.
    """

    provider: str
    authority: str
    services: pd.DataFrame
    areas: pd.DataFrame

    def lists(self) -> dict[str, list[tuple[str, str]]]:
        """The drop-down lists, each as (code, name) pairs: the provider's service ids and the areas."""
        return {
            "service_id": list(zip(self.services["service_id"], self.services["name"], strict=True)),
            "area_code": list(zip(self.areas["area_code"], self.areas["area_name"], strict=True)),
        }


def provider_details(dataset: Dataset, provider: str) -> ProviderDetails:
    """The services and areas of ``provider`` in the council's loaded ``dataset``.

    The provider is matched with the ``provider`` column of the services table, ignoring case and
    surrounding spaces.

    Raises
    ------
    InputError
        No service of the dataset is run by ``provider`` (naming the nearest providers).
    """
    services = dataset.tables["services"]
    wanted = " ".join(str(provider).split()).casefold()
    names = services["provider"].astype(str).str.split().str.join(" ")
    mine = services[names.str.casefold() == wanted].reset_index(drop=True)
    if mine.empty:
        known = sorted(set(names))
        close = difflib.get_close_matches(str(provider), known, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(name) for name in close)}? " if close else ""
        raise InputError(
            f"--provider {provider!r}: no service of the data folder's services table is run by it; {hint}"
            f"the providers are {', '.join(repr(name) for name in known)}"
        )
    areas = dataset.tables["areas"][["area_code", "area_name"]].astype(str).reset_index(drop=True)
    return ProviderDetails(
        provider=str(mine["provider"].iloc[0]),
        authority=str(dataset.metadata.get("authority") or ""),
        services=mine,
        areas=areas,
    )


def _cell_value(value: object) -> object:
    """A loaded value as a cell: blanks as ``None``, booleans as ``true``/``false``, dates as dates."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def list_ranges(
    tables: Sequence[str] | None = None, provider: ProviderDetails | None = None
) -> dict[str, str]:
    """The ``Lists`` sheet range holding each category list's codes.

    Parameters
    ----------
    tables
        Tables in the template (default: all of :data:`needs.reference.schema.TABLES`).

    provider
        A provider's workbook: also the lists ``service_id`` (the provider's services) and
        ``area_code`` (the council's areas), each followed by a column of their names.

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
    if provider is not None:
        for offset, (name, codes) in enumerate(provider.lists().items()):
            letter = get_column_letter(len(lists) + 1 + 2 * offset)
            ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${max(len(codes), 1) + 1}"
    return ranges


def _write_lists(
    worksheet: Worksheet, lists: dict[str, cat.CategoryList], provider: ProviderDetails | None = None
) -> None:
    for position, (name, categories) in enumerate(lists.items(), start=1):
        worksheet.cell(row=1, column=position, value=name).font = HEADER_FONT
        for row, code in enumerate(categories.codes, start=2):
            worksheet.cell(row=row, column=position, value=code)
        width = max(len(name), *(len(code) for code in categories.codes)) + 2
        worksheet.column_dimensions[get_column_letter(position)].width = width
    if provider is not None:  # a provider's lists: codes, and their names in the column beside
        for offset, (name, pairs) in enumerate(provider.lists().items()):
            position = len(lists) + 1 + 2 * offset
            worksheet.cell(row=1, column=position, value=name).font = HEADER_FONT
            worksheet.cell(row=1, column=position + 1, value="name").font = HEADER_FONT
            for row, (code, label) in enumerate(pairs, start=2):
                worksheet.cell(row=row, column=position, value=str(code)).number_format = "@"
                worksheet.cell(row=row, column=position + 1, value=str(label))
            worksheet.column_dimensions[get_column_letter(position)].width = 14
            worksheet.column_dimensions[get_column_letter(position + 1)].width = 40
    worksheet.sheet_state = "hidden"


# --------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------


def _write_about(
    worksheet: Worksheet, tables: Sequence[str], provider: ProviderDetails | None = None
) -> None:
    lines: list[str | tuple[str, str]] = [ABOUT_TEXT[0]]
    if provider is not None:
        lines += [("Provider", provider.provider), ("Council", provider.authority)]
    lines += [
        *ABOUT_TEXT[1:],
        "",
        "Sheets in this workbook",
        *(f"{name}: {schema.TABLES[name].description}" for name in tables),
        f"{DICTIONARY_SHEET}: every column, what it holds and the values it accepts; every code list.",
        "",
        f"Generated by needs {__version__} from its data dictionary.",
    ]
    if provider is not None:
        lines += ["", "Your services (the service_id drop-down)"]
        lines += [(str(code), str(name)) for code, name in provider.lists()["service_id"]]
        lines += ["", "Area codes (the origin_area_code drop-down)"]
        lines += [(str(code), str(name)) for code, name in provider.lists()["area_code"]]
    headings = (
        "How to fill it in",
        "Checking",
        "Sheets in this workbook",
        "Household ids (pseudonymisation)",
        "Your services (the service_id drop-down)",
        "Area codes (the origin_area_code drop-down)",
    )
    for row, line in enumerate(lines, start=1):
        label, value = (line, None) if isinstance(line, str) else line
        cell = worksheet.cell(row=row, column=1, value=label)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if value is not None:
            worksheet.cell(row=row, column=2, value=value).number_format = "@"
            cell.font = HEADER_FONT
        if row == 1 or label in headings:
            cell.font = Font(bold=True, size=14 if row == 1 else 11)
    worksheet.column_dimensions["A"].width = 120 if provider is None else 90
    if provider is not None:
        worksheet.column_dimensions["B"].width = 50


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


def _provider_validation(
    column: schema.Column, name: str, provider: ProviderDetails, formula: str
) -> DataValidation:
    """A drop-down of a provider's list (:data:`PROVIDER_LIST_COLUMNS`), its names in the prompt."""
    pairs = provider.lists()[name]
    shown = "; ".join(f"{code} {label}" for code, label in pairs)
    prompt = (
        f"Choose from the list: {shown}"
        if len(shown) <= 200
        else "Choose from the list (About sheet: codes with names)."
    )
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        promptTitle=column.name[:32],
        prompt=prompt[:250],
        errorTitle=column.name[:32],
        error="Choose a code from the drop-down list (the About sheet gives each code with its name).",
    )


def _write_table(
    worksheet: Worksheet,
    table: schema.Table,
    ranges: dict[str, str],
    provider: ProviderDetails | None = None,
) -> None:
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
        own_list = PROVIDER_LIST_COLUMNS.get((table.name, column.name)) if provider is not None else None
        if own_list is not None:
            validation = _provider_validation(column, own_list, provider, ranges[own_list])
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_DATA_ROW}")
            worksheet.add_data_validation(validation)
    worksheet.cell(row=2, column=1).comment = Comment(EXAMPLE_NOTE, _COMMENT_AUTHOR, width=320, height=100)
    worksheet.freeze_panes = "A2"
    if provider is not None and table.name == "services":  # the provider's services, over the example
        rows = provider.services.reindex(columns=list(table.column_names))
        for offset, record in enumerate(rows.itertuples(index=False)):
            for position, value in enumerate(record, start=1):
                cell = worksheet.cell(row=2 + offset, column=position, value=_cell_value(value))
                cell.font = Font()
        if len(rows):
            worksheet.cell(row=2, column=1).comment = None


def build_template(tables: Sequence[str] | None = None, provider: ProviderDetails | None = None) -> Workbook:
    """The provider template as an openpyxl workbook (see the module docstring).

    Parameters
    ----------
    tables
        Tables to include, in the given order (default: every table of
        :data:`needs.reference.schema.TABLES`, in schema order).
    provider
        One provider's workbook: its name in the About sheet (defined name
        :data:`PROVIDER_NAME`), drop-downs of its services and the council's areas, its
        services pre-filled.

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
    ranges = list_ranges(names, provider)
    workbook = Workbook()
    about = workbook.active
    about.title = ABOUT_SHEET
    _write_about(about, names, provider)
    _write_dictionary(workbook.create_sheet(DICTIONARY_SHEET), names, lists)
    for name in names:
        _write_table(workbook.create_sheet(name), schema.TABLES[name], ranges, provider)
    _write_lists(workbook.create_sheet(LISTS_SHEET), lists, provider)
    workbook.active = workbook.sheetnames.index(names[0])
    workbook.properties.creator = "needs"
    workbook.properties.title = "Safe accommodation needs assessment: data collection template"
    if provider is not None:
        column, row = PROVIDER_CELL[0], PROVIDER_CELL[1:]
        workbook.defined_names[PROVIDER_NAME] = DefinedName(
            PROVIDER_NAME, attr_text=f"{quote_sheetname(ABOUT_SHEET)}!${column}${row}"
        )
        workbook.properties.title += f" for {provider.provider}"
    return workbook


def write_template(
    path: str | Path, tables: Sequence[str] | None = None, provider: ProviderDetails | None = None
) -> Path:
    """Write the provider template to ``path`` (an ``.xlsx`` file), atomically.

    Parameters
    ----------
    path
        Output file; its folder is created if needed.
    tables
        Tables to include (default: all), for example ``["services", "referrals"]`` for a
        provider who reports only its services and referrals.
    provider
        One provider's workbook (:func:`write_provider_template`).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"the template is an Excel workbook: give a file name ending .xlsx (got '{path}')")
    return save_workbook(build_template(tables, provider), path)


def write_provider_template(
    path: str | Path, dataset: Dataset, provider: str, tables: Sequence[str] | None = None
) -> Path:
    """Write one provider's workbook, made from the council's loaded ``dataset`` (module docstring).

    Parameters
    ----------
    path
        Output ``.xlsx`` file.
    dataset
        The council's data folder, loaded (:func:`needs.load`).
    provider
        The provider's name as the services table spells it (case and spaces ignored).
    tables
        The sheets (default :data:`PROVIDER_TABLES`).

    Raises
    ------
    InputError
        No service is run by ``provider``, or ``path`` does not end ``.xlsx``.
    """
    details = provider_details(dataset, provider)
    return write_template(path, list(tables) if tables else list(PROVIDER_TABLES), details)
