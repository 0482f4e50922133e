"""Loading a data folder: CSV files, Excel workbooks and ``dataset.yaml`` metadata.

A data folder holds one file per table, named ``<table>.csv`` or ``<table>.xlsx``, and/or
workbooks whose sheets are named after tables (one workbook may hold several tables).
Sheets of the provider template that are not tables (``About``, ``Data dictionary``,
``Lists``) are skipped. An optional ``dataset.yaml`` gives the dataset's ``title``,
``authority``, ``data_date``, ``demonstration`` flag and ``description``.

Everything is read as text and then validated in one pass by :mod:`needs.inputs.validate`, so a
data folder with problems produces one list of every problem, each naming the file, row
and column. Files are read the way Excel writes them: UTF-8 with or without a byte-order
mark, or Windows-1252 (Excel's "CSV" default); numbers stored as ``3.0``; real date cells.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import yaml
from openpyxl.utils.exceptions import InvalidFileException

from needs.errors import DataValidationError, InputError, Issue
from needs.inputs.dataset import Dataset, InputFile
from needs.inputs.validate import (
    EXAMPLE_ONLY_SHEET,
    EXAMPLE_ROW,
    IGNORED_FILE,
    IGNORED_SHEET,
    UNKNOWN_METADATA_KEY,
    UNNAMED_COLUMN,
    RawTable,
    text_categorical,
    validate_raw,
    warning,
    warning_kind,
)
from needs.reference import schema
from needs.reference.periods import period_of_dates

#: Keys allowed in ``dataset.yaml``.
METADATA_KEYS: tuple[str, ...] = (
    "title",
    "authority",
    "area_code",
    "data_date",
    "demonstration",
    "description",
)
METADATA_FILES: tuple[str, ...] = ("dataset.yaml", "dataset.yml")
CSV_SUFFIXES: tuple[str, ...] = (".csv",)
XLSX_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
#: Files that are documentation, not data: ignored without a warning.
_DOCUMENTATION = re.compile(
    r"^(readme|licen[cs]e|notes?|sources?)(\..*)?$|\.(md|rst|html?|pdf)$", re.IGNORECASE
)
_TABLE_NAMES = {name.lower(): name for name in schema.TABLES}
_TEMPLATE_SHEETS = {name.strip().lower() for name in schema.TEMPLATE_SHEETS}
_CSV_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


# --------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _binary_problem(data: bytes, suffix: str) -> str | None:
    """A message if ``data`` is clearly not a text CSV file, else ``None``."""
    if data.startswith(b"PK\x03\x04"):
        return "is an Excel workbook (or other zip file) named .csv; rename it to .xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "is an old-format Excel (.xls) or password-protected workbook; save it as CSV UTF-8 or .xlsx"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "is saved as 'Unicode text' (UTF-16); save it from Excel as 'CSV UTF-8 (Comma delimited)'"
    if b"\x00" in data:
        return "is not a text CSV file (it contains binary data); save it from Excel as 'CSV UTF-8 (Comma delimited)'"
    return None


def _frame_to_raw(
    table: str,
    source: str,
    header: list[str],
    columns: list[pd.Categorical],
    first_row: int,
    issues: list[Issue],
) -> RawTable:
    """Build a :class:`RawTable` from a heading row and text columns (data rows only).

    ``first_row`` is the file row number of the first data row. Columns with no heading are
    dropped (with a warning if they hold values); repeated headings are errors; rows that
    are entirely blank are dropped.
    """
    n_rows = len(columns[0]) if columns else 0
    rows = np.arange(n_rows) + first_row
    kept: dict[str, pd.Categorical] = {}
    letters: dict[str, str] = {}
    for position, (name, column) in enumerate(zip(header, columns, strict=True)):
        letter = _column_letter(position)
        blank_u = np.asarray(column.categories, dtype=object) == ""
        if name == "":
            if not blank_u[column.codes].all():
                issues.append(
                    warning(
                        source, f"column {letter} has values but no heading; ignored", UNNAMED_COLUMN, table
                    )
                )
            continue
        if name in kept:
            issues.append(
                Issue(
                    source,
                    f"the heading '{name}' appears twice (columns {letters[name]} and "
                    f"{letter}); each column must appear once",
                    None,
                    name,
                )
            )
            continue
        kept[name] = column
        letters[name] = letter
    frame = pd.DataFrame(kept, index=pd.RangeIndex(n_rows))
    if n_rows and kept:
        blank = np.ones(n_rows, dtype=bool)
        for column in kept.values():
            blank &= (np.asarray(column.categories, dtype=object) == "")[column.codes]
        if blank.any():
            frame = frame.loc[~blank].reset_index(drop=True)
            rows = rows[~blank]
    return RawTable(table, source, frame, rows)


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _is_example_row(raw: RawTable) -> bool:
    """True if the first data row equals the template's example row (as text)."""
    if len(raw.frame) == 0:
        return False
    example = schema.example_row(raw.table)
    table = schema.TABLES[raw.table]
    shared = [name for name in example if name in raw.frame.columns]
    required = [column.name for column in table.columns if column.required]
    if not shared or any(name not in raw.frame.columns for name in required):
        return False
    return all(str(raw.frame[name].iloc[0]) == example[name] for name in shared)


def _drop_example_row(raw: RawTable, issues: list[Issue]) -> bool:
    """Drop a first row equal to the template's example row, with a warning.

    Returns False when nothing but the example row was there: the sheet was left as the
    template gave it, so it does not supply the table at all.
    """
    if not _is_example_row(raw):
        return True
    example_row = int(raw.rows[0])
    raw.frame = raw.frame.iloc[1:].reset_index(drop=True)
    raw.rows = raw.rows[1:]
    if raw.frame.empty:
        message = "holds only the template's example row, so this sheet was ignored"
        kind = EXAMPLE_ONLY_SHEET
    else:
        message = (
            "this is the template's example row, so it was not loaded; delete it to silence this warning"
        )
        kind = EXAMPLE_ROW
    issues.append(warning(raw.source, message, kind, raw.table, example_row))
    return not raw.frame.empty


def _csv_columns(data: bytes, encoding: str, chunksize: int = 250_000) -> list[pd.Categorical]:
    """Every column of a CSV file (heading row included) as a categorical of stripped text.

    The file is parsed in chunks; each chunk's columns are factorised at once, so memory
    holds the distinct values and integer codes rather than one string object per cell.
    """
    codes: list[list[np.ndarray]] = []
    uniques: list[list[np.ndarray]] = []
    reader = pd.read_csv(
        io.BytesIO(data),
        encoding=encoding,
        header=None,
        dtype=object,
        na_filter=False,
        keep_default_na=False,
        skip_blank_lines=False,
        chunksize=chunksize,
    )
    with reader:
        for chunk in reader:
            if not codes:
                codes = [[] for _ in range(chunk.shape[1])]
                uniques = [[] for _ in range(chunk.shape[1])]
            for position in range(len(codes)):
                chunk_codes, chunk_uniques = pd.factorize(chunk.iloc[:, position].to_numpy(dtype=object))
                codes[position].append(chunk_codes)
                uniques[position].append(np.asarray(chunk_uniques, dtype=object))
    columns = []
    for column_codes, column_uniques in zip(codes, uniques, strict=True):
        offsets = np.cumsum([0] + [len(u) for u in column_uniques])
        pooled = np.concatenate(column_uniques + [np.array([""], dtype=object)])
        missing = len(pooled) - 1
        all_codes = np.concatenate(
            [np.where(c < 0, missing, c + offset) for c, offset in zip(column_codes, offsets, strict=False)]
        )
        stripped = np.array(
            [value.strip() if isinstance(value, str) else "" for value in pooled], dtype=object
        )
        remap, distinct = pd.factorize(stripped)
        columns.append(
            pd.Categorical.from_codes(remap[all_codes], categories=pd.Index(distinct, dtype=object))
        )
    return columns


def read_csv(path: Path, data: bytes, table: str, issues: list[Issue]) -> RawTable | None:
    """Read a CSV file of one table as text.

    Accepts UTF-8 with or without a byte-order mark and falls back to Windows-1252.
    Returns ``None`` (with an error in ``issues``) if the file cannot be read.
    """
    source = path.name
    if not data.strip():
        issues.append(
            Issue(
                source,
                "the file is empty; expected a heading row and data rows"
                if not data
                else "the file holds only blank lines; expected a heading row and data rows",
            )
        )
        return None
    problem = _binary_problem(data, path.suffix)
    if problem:
        issues.append(Issue(source, f"cannot be read: the file {problem}"))
        return None
    columns = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            columns = _csv_columns(data, encoding)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as error:
            match = _CSV_LINE.search(str(error))
            if match:
                expected, line, saw = match.groups()
                issues.append(
                    Issue(
                        source,
                        f"this line has {saw} values but the heading row has {expected}; "
                        "check for a comma inside a value that is not in double quotes",
                        int(line),
                    )
                )
            else:
                issues.append(Issue(source, f"cannot be read as CSV: {error}"))
            return None
        except pd.errors.EmptyDataError:
            issues.append(Issue(source, "the file is empty; expected a heading row and data rows"))
            return None
    if columns is None:
        issues.append(
            Issue(source, "cannot be read as text; save it from Excel as 'CSV UTF-8 (Comma delimited)'")
        )
        return None
    # first non-blank line is the heading row
    blank_rows = np.ones(len(columns[0]), dtype=bool)
    for column in columns:
        blank_rows &= (np.asarray(column.categories, dtype=object) == "")[column.codes]
    header_at = int(np.argmin(blank_rows))
    header = [str(column[header_at]) for column in columns]
    data_columns = [column[header_at + 1 :] for column in columns]
    return _frame_to_raw(table, source, header, data_columns, header_at + 2, issues)


def _cell_text(value: object) -> str:
    """Text of one Excel cell value, as the validator expects it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sheet_columns(rows: list[tuple], width: int) -> list[pd.Categorical]:
    columns = []
    for position in range(width):
        cells = pd.Series([row[position] if position < len(row) else None for row in rows], dtype=object)
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        texts = np.array([_cell_text(value) for value in uniques] + [""], dtype=object)
        codes = np.where(codes < 0, len(texts) - 1, codes)
        columns.append(text_categorical(pd.Categorical.from_codes(*_refactor(codes, texts))))
    return columns


def _refactor(codes: np.ndarray, texts: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    new_codes, uniques = pd.factorize(texts)
    return new_codes[codes], pd.Index(uniques, dtype=object)


def read_workbook(path: Path, data: bytes, issues: list[Issue]) -> list[RawTable]:
    """Read every table sheet of an Excel workbook as text.

    A sheet is a table when its name is a table name (any case). A workbook named after a
    table (``referrals.xlsx``) with a single other sheet (``Sheet1``) holds that table.
    Template sheets are skipped; other sheets are warnings.
    """
    source = path.name
    if not data:
        issues.append(Issue(source, "the file is empty (0 bytes); expected an Excel workbook"))
        return []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            hint = "it looks like an old-format Excel (.xls) or password-protected workbook; save it as .xlsx"
        elif not data.startswith(b"PK"):
            hint = "it is not an Excel workbook (if it is a CSV file, rename it to .csv)"
        else:
            hint = f"the workbook is damaged ({type(error).__name__})"
        issues.append(Issue(source, f"cannot be read as an Excel workbook (.xlsx): {hint}"))
        return []
    try:
        stem_table = _TABLE_NAMES.get(path.stem.strip().lower())
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
        for name in others:
            issues.append(
                warning(
                    source,
                    f"sheet '{name}' is not a table name and was ignored (table sheets are "
                    f"named {', '.join(schema.TABLES)})",
                    IGNORED_SHEET,
                )
            )
        tables = []
        for name, table in chosen.items():
            sheet_source = f"{source}, sheet '{name}'"
            worksheet = workbook[name]
            rows = list(worksheet.iter_rows(values_only=True))
            width = max((len(row) for row in rows), default=0)
            columns = _sheet_columns(rows, width)
            blank_rows = np.ones(len(rows), dtype=bool)
            for column in columns:
                blank_rows &= (np.asarray(column.categories, dtype=object) == "")[column.codes]
            if blank_rows.all():
                issues.append(Issue(sheet_source, "the sheet is empty; expected a heading row and data rows"))
                continue
            header_at = int(np.argmin(blank_rows))
            header = [str(column[header_at]) for column in columns]
            data_columns = [column[header_at + 1 :] for column in columns]
            tables.append(_frame_to_raw(table, sheet_source, header, data_columns, header_at + 2, issues))
        return tables
    finally:
        workbook.close()


# --------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------


def read_metadata(path: Path, data: bytes, issues: list[Issue]) -> dict:
    """Read ``dataset.yaml``: a mapping with keys from :data:`METADATA_KEYS`."""
    source = path.name
    try:
        content = yaml.safe_load(data.decode("utf-8-sig")) if data.strip() else {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        issues.append(
            Issue(
                source,
                f"is not valid YAML: {getattr(error, 'problem', error)}",
                mark.line + 1 if mark is not None else None,
            )
        )
        return {}
    if content is None:
        return {}
    if not isinstance(content, dict):
        issues.append(
            Issue(
                source,
                f"expected 'key: value' lines ({', '.join(METADATA_KEYS)}); found a {type(content).__name__}",
            )
        )
        return {}
    metadata: dict = {}
    for key, value in content.items():
        if key not in METADATA_KEYS:
            issues.append(
                warning(
                    source,
                    f"unknown key '{key}' ignored (known keys: {', '.join(METADATA_KEYS)})",
                    UNKNOWN_METADATA_KEY,
                )
            )
            continue
        if key == "demonstration":
            if not isinstance(value, bool):
                issues.append(Issue(source, f"found {value!r} for 'demonstration'; expected true or false"))
                continue
        elif key == "data_date":
            if isinstance(value, dt.date):
                value = value.isoformat()
            else:
                parsed = pd.to_datetime(str(value), format="%Y-%m-%d", errors="coerce")
                if pd.isna(parsed):
                    issues.append(
                        Issue(source, f"found {value!r} for 'data_date'; expected a date written YYYY-MM-DD")
                    )
                    continue
                value = parsed.date().isoformat()
        elif value is not None:
            value = str(value).strip()
        metadata[key] = value
    return metadata


# --------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------


def _data_files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        if path.is_file() and not path.name.startswith((".", "~$")):
            yield path


def read_folder(folder: Path) -> tuple[dict[str, RawTable], tuple[InputFile, ...], dict, list[Issue]]:
    """Read every table, workbook and ``dataset.yaml`` in ``folder`` as text.

    Returns
    -------
    raw
        Table name to :class:`~needs.inputs.validate.RawTable` (the first source when a table is
        supplied twice, which is also an error).
    files
        Every file read, with its SHA-256.
    metadata
        Contents of ``dataset.yaml`` (empty if there is none).
    issues
        Problems found while reading (errors and warnings).
    """
    issues: list[Issue] = []
    files: list[InputFile] = []
    metadata: dict = {}
    found: dict[str, list[RawTable]] = {}
    for path in _data_files(folder):
        suffix = path.suffix.lower()
        table = _TABLE_NAMES.get(path.stem.strip().lower())
        if path.name.lower() in METADATA_FILES:
            data = path.read_bytes()
            files.append(InputFile(path, _sha256(data), ()))
            metadata = read_metadata(path, data, issues)
        elif suffix in CSV_SUFFIXES:
            if table is None:
                issues.append(
                    warning(
                        path.name,
                        f"not a table name, so the file was ignored (tables are {', '.join(schema.TABLES)})",
                        IGNORED_FILE,
                    )
                )
                continue
            data = path.read_bytes()
            raw = read_csv(path, data, table, issues)
            files.append(InputFile(path, _sha256(data), (table,) if raw is not None else ()))
            if raw is not None:
                found.setdefault(table, []).append(raw)
        elif suffix in XLSX_SUFFIXES:
            data = path.read_bytes()
            tables = read_workbook(path, data, issues)
            files.append(InputFile(path, _sha256(data), tuple(raw.table for raw in tables)))
            for raw in tables:
                found.setdefault(raw.table, []).append(raw)
        elif table is not None:
            issues.append(
                Issue(
                    path.name,
                    f"'{path.suffix}' files are not supported; save the {table} table as "
                    f"CSV ({table}.csv, 'CSV UTF-8' in Excel) or as an Excel workbook ({table}.xlsx)",
                )
            )
        elif not _DOCUMENTATION.search(path.name):
            issues.append(
                warning(
                    path.name,
                    "not a data file (expected <table>.csv, <table>.xlsx or a workbook); ignored",
                    IGNORED_FILE,
                )
            )
    raw_tables: dict[str, RawTable] = {}
    for table, all_sources in found.items():
        sources = [raw for raw in all_sources if _drop_example_row(raw, issues)]
        if not sources:
            continue
        raw_tables[table] = sources[0]
        if len(sources) > 1:
            issues.append(
                Issue(
                    sources[1].source,
                    f"the '{table}' table is supplied more than once ("
                    f"{' and '.join(raw.source for raw in sources)}); keep only one",
                )
            )
    return raw_tables, tuple(files), metadata, issues


def load(folder: str | Path) -> Dataset:
    """Load and validate a data folder.

    Parameters
    ----------
    folder
        Folder holding ``<table>.csv`` / ``<table>.xlsx`` files and/or workbooks with one
        sheet per table, and optionally ``dataset.yaml``.

    Returns
    -------
    Dataset
        Typed tables (see :mod:`needs.inputs.validate` for the types), the files read with their
        SHA-256, warnings as strings (with their kinds in ``warning_kinds``) and the metadata.

    Raises
    ------
    InputError
        If the folder does not exist.
    DataValidationError
        Listing every problem found (``issues`` also holds the warnings).
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"data folder '{folder}' does not exist")
    if not folder.is_dir():
        raise InputError(f"'{folder}' is a file, not a data folder; give the folder that holds the tables")
    raw, files, metadata, read_issues = read_folder(folder)
    tables, issues = validate_raw(raw)
    issues = read_issues + issues
    if any(issue.severity == "error" for issue in issues):
        raise DataValidationError(issues, str(folder))
    warned = [issue for issue in issues if issue.severity == "warning"]
    return Dataset(
        tables=tables,
        folder=folder,
        files=files,
        warnings=tuple(str(issue) for issue in warned),
        warning_kinds=tuple(warning_kind(issue) for issue in warned),
        metadata=metadata,
    )


# --------------------------------------------------------------------------------------
# needs validate
# --------------------------------------------------------------------------------------


def _span(periods: Iterable[str]) -> str:
    periods = sorted(set(periods))
    if not periods:
        return "none"
    return ", ".join(periods)


def summary(dataset: Dataset) -> str:
    """Plain-text summary of a loaded dataset, as ``needs validate`` prints it."""
    lines = [f"Data folder: {dataset.folder}" + ("  (demonstration data)" if dataset.demonstration else "")]
    for key in ("title", "authority", "data_date"):
        if dataset.metadata.get(key):
            lines.append(f"{key.replace('_', ' ').capitalize()}: {dataset.metadata[key]}")
    lines.append("Tables:")
    width = max(len(name) for name in dataset.tables)
    sources = {table: file.path.name for file in dataset.files for table in file.tables}
    for name, frame in dataset.tables.items():
        lines.append(f"  {name:<{width}}  {len(frame):>10,} rows  ({sources.get(name, '')})")
    areas = dataset.tables["areas"]
    tier_one = dataset.tier_one_areas()
    names = ", ".join(f"{row.area_name} ({row.area_code})" for row in tier_one.head(5).itertuples())
    more = f" and {len(tier_one) - 5} more" if len(tier_one) > 5 else ""
    lines.append(
        f"Areas: {len(areas):,}, of which {len(tier_one):,} tier-one areas with population"
        + (f": {names}{more}" if names else "")
    )
    dates = pd.Series(dataset.tables["referrals"]["date"].dropna().unique())  # distinct dates: fast
    referral_periods = period_of_dates(dates).dropna().astype(str)
    lines.append(f"Referrals cover: {_span(referral_periods)}")
    lines.append(f"Funding covers: {_span(dataset.tables['funding']['period'].dropna().astype(str))}")
    if dataset.warnings:
        lines.append(f"Warnings ({len(dataset.warnings)}):")
        lines += [f"  - {warning}" for warning in dataset.warnings]
    lines.append("No problems found.")
    return "\n".join(lines)
