"""Writing the annual return (:mod:`needs.outputs.annual_return`) as files for MHCLG.

:func:`write_return` writes an Excel workbook (``Cover``, then one sheet per section of
:data:`~needs.outputs.annual_return.SECTIONS`) and, beside it, the tidy CSV of
:func:`~needs.outputs.annual_return.tidy_return`. The cover names the authority, the period,
the input files with their SHA-256, the definitions and the rules of each specialist
characteristic, and carries :data:`~needs.outputs.annual_return.UNSUPPRESSED_NOTICE`: the
figures are not suppressed and not for publication. Counts are written as integers, money
to the penny (``£#,##0.00``).

Both files follow the toolkit's rule for text in spreadsheets
(:func:`needs.outputs.files.safe_text`): an area, folder or file name that looks like a
formula is written as text with a leading apostrophe, never as a formula, and a file name
that is not valid UTF-8 is written with U+FFFD for its bad bytes. They are written
together or not at all (:func:`needs.outputs.files.atomic_write_together`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.outputs.annual_return import (
    LARGE_FAMILY_CHILDREN,
    OLDER_AGE,
    RETURN_LABELS,
    SECTION_COLUMNS,
    SECTIONS,
    SPECIALIST_CHARACTERISTICS,
    TOTAL,
    UNSUPPRESSED_NOTICE,
    tidy_return,
)
from needs.outputs.files import atomic_write_together, csv_bytes, workbook_bytes
from needs.reference.periods import period_end, period_start
from needs.version import __version__

__all__ = ["SHEET_HEADINGS", "default_output", "return_workbook", "write_return"]

COVER_SHEET = "Cover"
#: Headings of the columns of every section sheet (:data:`~needs.outputs.annual_return.SECTION_COLUMNS`).
SHEET_HEADINGS: tuple[str, ...] = ("Breakdown", "Line", "Code", "Unit", "Value")

#: Definitions printed on the cover sheet.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Area", "Services hosted in the authority's area (the service's host area or its districts)."),
    ("Period", "The financial year, 1 April to 31 March."),
    (
        "Household supported",
        "A household with an accepted referral whose support (start to end, open if no "
        "end) overlaps the period; counted once however many referrals it made.",
    ),
    (
        "Individuals",
        "One lead victim per household supported plus the household's children (the largest "
        "number recorded on its supported referrals): children are victims in their own right (DA Act 2021 s.3).",
    ),
    (
        "Women, men, trans adults",
        "Lead victims: trans adult when gender identity differs from sex registered at "
        "birth; otherwise woman or man by sex; sex not known on its own line.",
    ),
    (
        "Household characteristics",
        "Taken from the household's latest supported referral (latest referral date, then referral id).",
    ),
    (
        "Specialist characteristics",
        "Black and minoritised = every ethnic group except White British (and not "
        f"known); LGBT+ = gay or lesbian, bisexual, other orientation, or trans; older = aged {OLDER_AGE}+; young "
        f"= 16-24; male victims = men as counted above; large family = flagged or {LARGE_FAMILY_CHILDREN}+ "
        "children; others from the household's need flags (yes).",
    ),
    (
        "Could not be supported",
        "Households with a referral made in the period that a service in the area "
        "was unable to support; each reason counts a household once, the total counts it once.",
    ),
    (
        "Support ended",
        "Households with support at a service in the area ending in the period; each reason "
        "once per household, the total once.",
    ),
    (
        "Capacity",
        "Services whose contract overlaps the period, whatever their status; sanctuary units are "
        "households, not beds.",
    ),
    ("Spend", "Annual contract cost x days of the contract in the period / days in the period."),
)

#: What each section sheet holds, listed on the cover.
_SECTION_NOTES: dict[str, str] = {
    "individuals": "Individuals supported: women, men, trans adults, sex not known, children; households.",
    "households": "Households and individuals supported, by accommodation type.",
    "characteristics": "Households supported with each specialist characteristic.",
    "unable_to_support": "Households that could not be supported, by reason (each reason once per household).",
    "support_ended": "Households whose support ended in the period, by reason.",
    "capacity": "Commissioned services, units and bedspaces, by accommodation type.",
    "spend": "Spend in the period by accommodation type, support type and funding source.",
    "children": "Children in households referred, supported and unable to be supported; older sons, large "
    "families and young victims aged 16 to 24.",
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_MONEY_FORMAT = '"£"#,##0.00'
_COUNT_FORMAT = "#,##0"


def _csv_bytes(tidy: pd.DataFrame) -> bytes:
    """The tidy return as UTF-8 CSV: money to two decimals, counts as integers, text made
    safe for spreadsheets (:func:`needs.outputs.files.csv_bytes`)."""
    money = tidy["unit"].eq("pounds").to_numpy()
    values = tidy["value"].astype(float)
    text = np.where(money, values.round(2).map("{:.2f}".format), values.round().astype("int64").astype(str))
    return csv_bytes(tidy.assign(value=text))


def _write_cover(worksheet: Worksheet, dataset: Dataset, area: str, period: str) -> None:
    start, end = period_start(period), period_end(period)
    rows: list[tuple] = [
        ("Domestic abuse safe accommodation: annual local authority return",),
        (UNSUPPRESSED_NOTICE,),
        (),
        ("Authority", f"{dataset.area_name(area)} ({area})"),
        ("Period", f"{period} ({start.day} {start:%B %Y} to {end.day} {end:%B %Y})"),
        ("Produced by", f"needs {__version__}"),
        ("Data folder", str(dataset.folder.name) if dataset.folder is not None else "(in memory)"),
    ]
    if dataset.demonstration:
        rows.append(
            ("Demonstration data", "These figures come from demonstration (synthetic) data: do not submit.")
        )
    rows += [(), ("Sheets",), *((sheet, _SECTION_NOTES[key]) for key, sheet in SECTIONS.items())]
    rows += [(), ("Data files", "SHA-256", "Tables")]
    rows += [(file.path.name, file.sha256, ", ".join(file.tables)) for file in dataset.files]
    if not dataset.files:
        rows.append(("(none: data built in memory)",))
    rows += [(), ("Definitions",), *DEFINITIONS]
    rows += [(), ("Specialist characteristic", "Counted when any of", "Line in the return")]
    rows += [
        (
            code,
            "; or ".join(f"{column} in ({', '.join(values)})" for column, values in rules),
            RETURN_LABELS["specialist_characteristic"][code],
        )
        for code, rules in SPECIALIST_CHARACTERISTICS.items()
    ]
    for row in rows:
        worksheet.append(list(row))
    worksheet["A1"].font = Font(bold=True, size=14)
    worksheet["A2"].font = Font(bold=True, color="C00000", size=12)
    bold = {"Sheets", "Data files", "Definitions", "Specialist characteristic"}
    for (cell,) in worksheet.iter_rows(min_col=1, max_col=1):
        if cell.value in bold:
            for heading in worksheet[cell.row]:
                heading.font = _HEADER_FONT
        cell.alignment = Alignment(vertical="top")
    for (cell,) in worksheet.iter_rows(min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.column_dimensions["A"].width = 34
    worksheet.column_dimensions["B"].width = 100
    worksheet.column_dimensions["C"].width = 50


def _write_section(worksheet: Worksheet, frame: pd.DataFrame) -> None:
    worksheet.append(list(SHEET_HEADINGS))
    for cell in worksheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    money = frame["unit"].eq("pounds").to_numpy()
    values = frame["value"].astype(float).to_numpy()
    for row, is_money, value in zip(
        frame[list(SECTION_COLUMNS[:-1])].itertuples(index=False), money, values, strict=True
    ):
        worksheet.append([*row, round(float(value), 2) if is_money else int(value)])
        last = worksheet.cell(row=worksheet.max_row, column=len(SECTION_COLUMNS))
        last.number_format = _MONEY_FORMAT if is_money else _COUNT_FORMAT
        if row.code == TOTAL:
            for cell in worksheet[worksheet.max_row]:
                cell.font = _HEADER_FONT
    worksheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (52, 70, 36, 12, 16), strict=True):
        worksheet.column_dimensions[letter].width = width


def return_workbook(
    sections: Mapping[str, pd.DataFrame], dataset: Dataset, area: str, period: str
) -> Workbook:
    """The return as an openpyxl workbook: ``Cover`` then one sheet per section."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = COVER_SHEET
    _write_cover(cover, dataset, area, period)
    for key, frame in sections.items():
        _write_section(workbook.create_sheet(SECTIONS.get(key, key)[:31]), frame)
    workbook.properties.creator = "needs"
    workbook.properties.title = f"Annual return {area} {period}: {UNSUPPRESSED_NOTICE}"
    return workbook


def default_output(area: str, period: str, folder: Path = Path("reports")) -> Path:
    """``reports/<area>-<period>-return.xlsx``."""
    return Path(folder) / f"{area}-{period}-return.xlsx"


def write_return(
    sections: Mapping[str, pd.DataFrame], path: str | Path, *, dataset: Dataset, area: str, period: str
) -> tuple[Path, Path]:
    """Write the return as an Excel workbook at ``path`` and a tidy CSV beside it.

    Both files are built first, then written together or not at all
    (:func:`needs.outputs.files.atomic_write_together`): a failure (a full disk, a file
    held open) leaves the previous workbook and CSV as they were and no temporary file.
    Every text cell of both follows :func:`needs.outputs.files.safe_text`.

    Parameters
    ----------
    sections
        From :func:`build_return`.
    path
        Workbook file (``.xlsx``); the CSV is the same name with ``.csv``.
    dataset, area, period
        For the cover sheet: authority, period, input files and their SHA-256.

    Returns
    -------
    tuple of pathlib.Path
        The workbook and the CSV file.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"the return is an Excel workbook: give a file name ending .xlsx (got '{path}')")
    csv_path = path.with_suffix(".csv")
    workbook = workbook_bytes(return_workbook(sections, dataset, area, period))
    csv = _csv_bytes(tidy_return(sections, area, period))
    atomic_write_together({path: workbook, csv_path: csv})
    return path, csv_path
