"""Reading an Excel workbook as text, within limits checked before openpyxl opens it.

The zip directory is checked first (unpacked size, shared strings, every part read whole),
then each sheet is read in openpyxl's read-only mode with its declared dimension ignored:
the heading row before the body, and rows, columns and cell lengths as the rows arrive.
Sheets of the provider template that are not tables are skipped.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import posixpath
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import openpyxl
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from needs.errors import Issue
from needs.inputs.limits import (
    DEFAULT_LIMITS,
    LimitExceeded,
    ReadLimits,
    quote_start,
)
from needs.inputs.text_columns import (
    _TABLE_NAMES,
    _cell_text,
    _cell_texts,
    _check_heading,
    _chunk_rows,
    _column_letter,
    _ColumnPool,
    _frame_to_raw,
    _heading_issues,
    _pad,
    table_and_provider,
)
from needs.inputs.validate import (
    IGNORED_SHEET,
    MAX_NAME_CHARS,
    RawTable,
    warning,
)
from needs.reference import schema

_TEMPLATE_SHEETS = {name.strip().lower() for name in schema.TEMPLATE_SHEETS}
#: How many sheets of a workbook that are not tables are named one by one in warnings.
MAX_LISTED_SHEETS = 10
#: How many rows of a sheet may hold (empty) cells beyond the column limit.
MAX_WIDE_ROWS = 1_000


# --------------------------------------------------------------------------------------
# Excel workbooks
# --------------------------------------------------------------------------------------

#: Content type of a workbook's shared-strings part (``[Content_Types].xml``).
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
#: Relationship types whose targets openpyxl reads row by row (sheets) or never parses when it
#: opens a workbook read-only (pictures, embedded files): not bounded by ``part_bytes``.
_UNPARSED_RELATIONSHIPS = (
    "/worksheet",
    "/image",
    "/oleObject",
    "/package",
    "/printerSettings",
    "/vbaProject",
    "/media",
    "/audio",
    "/video",
)
#: Parts openpyxl reads whole by their fixed names.
_FIXED_PARTS = frozenset(
    {
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "docProps/custom.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/theme/theme1.xml",
    }
)
#: Errors openpyxl and the zip and XML readers raise on a damaged workbook.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    EOFError,
    OSError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
)


def _xml_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ReadLimits
) -> ElementTree.Element | None:
    """A small XML part parsed (expat refuses entity bombs); ``None`` if too large or damaged."""
    if info.file_size > limits.part_bytes:
        return None
    try:
        return ElementTree.fromstring(archive.read(info))
    except _DAMAGED:
        return None


def _workbook_parts(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ReadLimits
) -> tuple[set[str], set[str]]:
    """The shared-strings parts, and the parts exempt from ``part_bytes``.

    Shared strings are the parts ``[Content_Types].xml`` declares so (openpyxl finds them
    there) or so named. A part is exempt when every relationship naming it is of a type
    openpyxl does not read whole (:data:`_UNPARSED_RELATIONSHIPS`: sheets, pictures,
    embedded files) and nothing else names it (no other relationship, no content type but a
    sheet's, not a fixed name): a part named both a sheet and a chartsheet, say, is bounded.
    """
    shared = {info.filename for info in infos if "sharedstrings" in info.filename.lower()}
    named, unparsed = set(_FIXED_PARTS), set()
    for info in infos:
        if info.filename == "[Content_Types].xml":
            for element in _xml_part(archive, info, limits) or ():
                part, kind = element.get("PartName", "").lstrip("/"), element.get("ContentType", "")
                if part and kind == _SHARED_STRINGS_TYPE:
                    shared.add(part)
                elif part and not kind.endswith("worksheet+xml"):
                    named.add(part)
        elif info.filename.lower().endswith(".rels"):
            base = posixpath.dirname(posixpath.dirname(info.filename))  # xl/_rels/x.rels -> xl
            for element in _xml_part(archive, info, limits) or ():
                target = element.get("Target", "")
                if not target or element.get("TargetMode") == "External":
                    continue
                part = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
                kind = element.get("Type", "")
                (unparsed if kind.endswith(_UNPARSED_RELATIONSHIPS) else named).add(posixpath.normpath(part))
    return shared, unparsed - named - shared


def check_workbook_size(data: bytes, source: str, limits: ReadLimits) -> None:
    """Refuse a workbook that unpacks to more than the limits, from its zip directory alone.

    The zip directory states each part's uncompressed size, and the zip reader stops at that
    size (a part that inflates further fails its CRC check), so the sizes are checked
    before a sheet or the shared strings are decompressed (only the small relationship and
    content-type parts are read, to tell the parts apart). Data that is not a zip file is
    left to the workbook reader's own message.

    Raises
    ------
    LimitExceeded
        The parts together exceed ``limits.unpacked_bytes``, the shared-strings part
        exceeds ``limits.shared_strings_bytes``, or another part that openpyxl reads whole
        (styles, the sheet list, relationships) exceeds ``limits.part_bytes``.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > limits.unpacked_bytes:
                raise LimitExceeded(
                    source,
                    "unpacked_bytes",
                    f"the workbook unpacks to {total:,} bytes",
                    limits.unpacked_bytes,
                )
            shared, exempt = _workbook_parts(archive, infos, limits)
            for info in infos:
                if info.filename in shared:
                    if info.file_size > limits.shared_strings_bytes:
                        raise LimitExceeded(
                            source,
                            "shared_strings_bytes",
                            f"its shared strings ({quote_start(info.filename)}) unpack to {info.file_size:,} bytes",
                            limits.shared_strings_bytes,
                        )
                elif info.filename not in exempt and info.file_size > limits.part_bytes:
                    raise LimitExceeded(
                        source,
                        "part_bytes",
                        f"its part {quote_start(info.filename)} unpacks to {info.file_size:,} bytes",
                        limits.part_bytes,
                    )
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        return


#: openpyxl's own way of sizing a read-only sheet as it opens a workbook (restored after each
#: use of :func:`_unsized_sheets`).
_GET_SIZE = getattr(ReadOnlyWorksheet, "_get_size", None)
_UNSIZED = threading.Lock()


@contextlib.contextmanager
def _unsized_sheets() -> Iterator[None]:
    """Open workbooks without sizing their sheets.

    When openpyxl opens a workbook read-only it looks for each sheet's declared dimension,
    and a sheet that declares none is parsed to its end: a million rows take 18 seconds
    before a single heading can be checked. The declared dimension is ignored here anyway
    (a sheet is read as stored), so while a workbook opens the sizing is skipped.
    """
    if _GET_SIZE is None:  # a later openpyxl that no longer sizes sheets on opening
        yield
        return
    with _UNSIZED:
        ReadOnlyWorksheet._get_size = lambda self: None
        try:
            yield
        finally:
            ReadOnlyWorksheet._get_size = _GET_SIZE


def _within_columns(row: tuple, source: str, number: int, limits: ReadLimits) -> tuple:
    """``row`` cut to ``limits.columns`` cells, refused if a cell beyond holds a value.

    openpyxl gives each row up to its last cell, empty or not; empty cells beyond the limit
    (formatting with no value) are dropped.
    """
    beyond = row[limits.columns :]
    if beyond.count(None) == len(beyond):
        return row[: limits.columns]
    filled = [value is not None and (not isinstance(value, str) or bool(value.strip())) for value in beyond]
    if any(filled):
        column = limits.columns + filled.index(True)
        raise LimitExceeded(
            f"{source}, row {number}",
            "columns",
            f"the row has a value in column {_column_letter(column)} (column {column + 1:,})",
            limits.columns,
        )
    return row[: limits.columns]


def _checked_rows(rows: Iterable[tuple], source: str, limits: ReadLimits) -> Iterator[tuple[int, tuple]]:
    """The rows of a sheet numbered from 1, each cut to ``limits.columns`` cells.

    A value beyond the limit is refused (:func:`_within_columns`). Empty cells beyond it
    are dropped, but openpyxl builds every one of them, so more than
    :data:`MAX_WIDE_ROWS` such rows are refused too: a few kilobytes of XML could otherwise
    keep openpyxl padding rows to 16,384 cells for many minutes.
    """
    wide = 0
    for number, row in enumerate(rows, start=1):
        if len(row) > limits.columns:
            row = _within_columns(row, source, number, limits)
            wide += 1
            if wide > MAX_WIDE_ROWS:
                raise LimitExceeded(
                    f"{source}, row {number}",
                    "columns",
                    f"{wide:,} rows hold cells beyond column {_column_letter(limits.columns - 1)} "
                    "(empty ones, but each is read)",
                    limits.columns,
                )
        yield number, row


def _sheet_columns(rows: list[tuple]) -> list[np.ndarray]:
    """The cells of a chunk of rows (of any lengths) as one object array per column."""
    return [np.fromiter(column, dtype=object, count=len(rows)) for column in itertools.zip_longest(*rows)]


def _read_sheet(
    worksheet: object,
    table: str,
    source: str,
    limits: ReadLimits,
    issues: list[Issue],
    refused: set[str] | None,
) -> RawTable | None:
    """Read one sheet: its heading row first, checked, then its body in chunks.

    The sheet's declared dimension is ignored (a sheet may claim a million rows and 16,384
    columns and hold three cells): rows are read as they are stored, cut at the heading
    row's width when the cells beyond are empty, and every limit is checked as the rows
    arrive.
    """
    worksheet.reset_dimensions()
    rows = _checked_rows(worksheet.iter_rows(values_only=True), source, limits)
    header: list[str] | None = None
    number = 0
    for number, row in rows:
        if number > limits.rows:
            break
        texts = [_cell_text(value).strip() for value in row]
        if any(texts):
            header = texts
            break
    if header is None:
        if number > limits.rows:
            raise LimitExceeded(source, "rows", f"the first {limits.rows:,} rows are blank", limits.rows)
        issues.append(Issue(source, "the sheet is empty; expected a heading row and data rows"))
        return None
    _check_heading(header, source, limits)
    problems = _heading_issues(table, source, header)
    if problems:
        issues.extend(problems)
        if refused is not None:
            refused.add(table)
        return None
    header_row, width = number, len(header)
    pool = _ColumnPool(source, limits, header_row + 1, header)
    size = _chunk_rows(width)
    chunk: list[tuple] = []
    for count, (_, row) in enumerate(rows, start=1):
        if count > limits.rows:
            raise LimitExceeded(
                source,
                "rows",
                f"the sheet has more than {limits.rows:,} rows after its heading row",
                limits.rows,
            )
        if len(row) > width and row[width:].count(None) == len(row) - width:
            row = row[:width]  # empty cells past the heading (formatting): not kept
        chunk.append(row)
        if len(chunk) >= size:
            pool.add(_sheet_columns(chunk), len(chunk))
            chunk = []
    if chunk:
        pool.add(_sheet_columns(chunk), len(chunk))
    header, columns = _pad(header, pool.finish(_cell_texts), pool.rows)
    return _frame_to_raw(table, source, header, columns, header_row + 1, issues)


#: The name of the cell holding the provider's name (a workbook-scoped defined name), and the
#: label beside it in column A of the ``About`` sheet (:mod:`needs.inputs.template` writes both).
PROVIDER_NAME = "provider"
#: Rows of the ``About`` sheet searched for the provider's label.
MAX_ABOUT_ROWS = 200


def _defined_cell(workbook: object) -> tuple[str, str] | None:
    """The sheet and cell of the workbook's defined name :data:`PROVIDER_NAME`, if any."""
    names = getattr(workbook, "defined_names", None)
    if names is None:
        return None
    defined = next((item for key, item in names.items() if key.strip().lower() == PROVIDER_NAME), None)
    if defined is None:
        return None
    for sheet, cell in defined.destinations:
        return sheet, cell.replace("$", "")
    return None


def workbook_provider(workbook: object, source: str, issues: list[Issue]) -> str | None:
    """The provider a workbook names, or ``None`` when it names none.

    Read from the cell of the workbook's defined name ``provider`` if it has one, else from
    column B of the first row of the ``About`` sheet whose column A reads ``Provider`` (a
    trailing colon allowed; the first :data:`MAX_ABOUT_ROWS` rows are searched). The name is
    stripped and its spaces collapsed; a name longer than
    :data:`~needs.inputs.validate.MAX_NAME_CHARS` is an error.
    """
    value: object = None
    try:
        found = _defined_cell(workbook)
        if found is not None and found[0] in workbook.sheetnames:
            letters, row = coordinate_from_string(found[1].split(":")[0])
            if row > MAX_ABOUT_ROWS:  # a provider's name is near the top of its sheet
                return None
            column = column_index_from_string(letters)
            cells = workbook[found[0]].iter_rows(
                min_row=row, max_row=row, min_col=column, max_col=column, values_only=True
            )
            value = next(iter(next(iter(cells), ())), None)
        else:
            about = next(
                (
                    name
                    for name in workbook.sheetnames
                    if name.strip().lower() == schema.TEMPLATE_SHEETS[0].lower()
                ),
                None,
            )
            if about is None:
                return None
            for row in workbook[about].iter_rows(max_row=MAX_ABOUT_ROWS, max_col=2, values_only=True):
                if len(row) >= 2 and str(row[0] or "").strip().rstrip(":").strip().lower() == PROVIDER_NAME:
                    value = row[1]
                    break
    except _DAMAGED:
        return None
    name = " ".join(_cell_text(value).split())
    if not name:
        return None
    if len(name) > MAX_NAME_CHARS:
        issues.append(
            Issue(
                source,
                f"the provider's name is {len(name):,} characters ({quote_start(name, 40)}); expected at most "
                f"{MAX_NAME_CHARS} characters (the organisation's name)",
            )
        )
        return None
    return name


def read_workbook(
    path: Path,
    data: bytes,
    issues: list[Issue],
    limits: ReadLimits = DEFAULT_LIMITS,
    refused: set[str] | None = None,
) -> list[RawTable]:
    """Read every table sheet of an Excel workbook as text.

    A sheet is a table when its name is a table name (any case). A workbook named after a
    table (``referrals.xlsx``) with a single other sheet (``Sheet1``) holds that table.
    Template sheets are skipped; other sheets are warnings. The zip directory is checked
    against ``limits`` before the workbook is opened (:func:`check_workbook_size`), and each
    table sheet's heading row before its body (see :func:`read_csv`).

    Raises
    ------
    LimitExceeded
        The workbook or a table sheet exceeds one of ``limits``.
    """
    source = path.name
    if not data:
        issues.append(Issue(source, "the file is empty (0 bytes); expected an Excel workbook"))
        return []
    check_workbook_size(data, source, limits)
    try:
        with _unsized_sheets():
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _DAMAGED as error:
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            hint = "it looks like an old-format Excel (.xls) or password-protected workbook; save it as .xlsx"
        elif not data.startswith(b"PK"):
            hint = "it is not an Excel workbook (if it is a CSV file, rename it to .csv)"
        else:
            hint = f"the workbook is damaged ({type(error).__name__})"
        issues.append(Issue(source, f"cannot be read as an Excel workbook (.xlsx): {hint}"))
        return []
    try:
        stem_table, stem_provider = table_and_provider(path.stem)
        provider = workbook_provider(workbook, source, issues)
        provider = stem_provider if provider is None else provider
        sheets = [name for name in workbook.sheetnames if name.strip().lower() not in _TEMPLATE_SHEETS]
        chosen: dict[str, str] = {}
        for name in sheets:
            table = _TABLE_NAMES.get(name.strip().lower())
            if table:
                chosen[name] = table
        others = [name for name in sheets if name not in chosen]
        if stem_table and stem_table not in chosen.values() and len(others) == 1:
            chosen[others[0]] = stem_table
            others = []
        for name in others[:MAX_LISTED_SHEETS]:
            issues.append(
                warning(
                    source,
                    f"sheet {quote_start(name)} is not a table name and was ignored (table sheets are "
                    f"named {', '.join(schema.TABLES)})",
                    IGNORED_SHEET,
                )
            )
        if len(others) > MAX_LISTED_SHEETS:
            more = len(others) - MAX_LISTED_SHEETS
            issues.append(
                warning(
                    source, f"and {more:,} more sheets that are not table names were ignored", IGNORED_SHEET
                )
            )
        if provider == stem_provider and stem_table is None and len(set(chosen.values())) > 1:
            # A workbook of several tables whose name names none (the council's own
            # ``data.xlsx``) names no provider: its file name is not an organisation's.
            provider = ""
        tables = []
        for name, table in chosen.items():
            sheet_source = f"{source}, sheet {quote_start(name)}"
            try:
                raw = _read_sheet(workbook[name], table, sheet_source, limits, issues, refused)
            except _DAMAGED as error:
                detail = f"{type(error).__name__}: {quote_start(str(error))}"
                issues.append(Issue(sheet_source, f"cannot be read: the sheet is damaged ({detail})"))
                continue
            if raw is not None:
                raw.provider = provider
                tables.append(raw)
        return tables
    finally:
        workbook.close()
