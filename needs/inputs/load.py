"""Loading a data folder: CSV files, Excel workbooks and ``dataset.yaml`` metadata.

A data folder holds CSV files named after their table and workbooks whose sheets are named
after tables (one workbook may hold several tables). Sheets of the provider template that are
not tables (``About``, ``Data dictionary``, ``Lists``) are skipped.

Many providers, one table
-------------------------
Any number of files and sheets may supply the same table, one per provider (each provider
returns its own workbook or CSV file); their rows are stacked into one table.

- **A CSV file's name** gives its table and provider
  (:func:`needs.inputs.text_columns.table_and_provider`): ``<table>.csv`` (no provider named),
  or the table's name at the start or end of the name, separated by ``-``, ``_``, a space or a
  dot, the rest being the provider: ``referrals-refuge-a.csv``, ``referrals_refuge-a.csv`` and
  ``refuge-a-referrals.csv`` are referrals from provider ``refuge-a``.
- **A workbook's provider** is the value of its ``provider`` cell (the workbook-scoped defined
  name ``provider``, or the cell beside ``Provider`` in column A of its ``About`` sheet, both
  written by ``needs template --provider``), else its file name with any table name taken off
  (``refuge-a.xlsx`` and ``referrals-refuge-a.xlsx``: ``refuge-a``); a workbook of several
  tables whose file name names no table (the council's own ``data.xlsx``) names no provider.
- **Order.** Sources naming no provider come first, then the others in file-name order (case
  ignored), a workbook's sheets in their order. Every row keeps its source (file, sheet and
  row) for messages, and its provider (:attr:`~needs.inputs.dataset.Dataset.providers`;
  :attr:`~needs.inputs.dataset.Dataset.provenance` counts rows by source).
- **Identifiers.** ``referral_id`` is unique within a source. In a table supplied by several
  sources every ``referral_id`` of a source that names its provider becomes
  ``<provider>:<referral_id>`` (always, not only the ids that clash, so an id never depends on
  which other files are in the folder); a folder with one file per table loads exactly as
  before. ``household_id`` is never changed: the same pseudonymised household at two providers
  is one household, counted once.
- **Repeated rows.** A row of a later source equal in every column to a row of an earlier one
  (``referral_id`` excepted) is the same record supplied twice: a warning names both files and
  rows, and it is loaded once. Two rows with the same key and different values (a service
  listed by two sources with different units) are an error naming both sources.

An optional ``dataset.yaml`` gives the dataset's ``title``,
``authority``, ``data_date``, ``demonstration`` flag and ``description``, and the front matter
of the report (:data:`needs.inputs.metadata.METADATA_KEYS`); an optional ``intentions.yaml`` the
commissioning intentions (:mod:`needs.inputs.intentions`, kept in the metadata as
``intentions``).

Everything is read as text and then validated in one pass by :mod:`needs.inputs.validate`, so a
data folder with problems produces one list of every problem, each naming the file, row
and column. Files are read the way Excel writes them: UTF-8 with or without a byte-order
mark, or Windows-1252 (Excel's "CSV" default); numbers stored as ``3.0``; real date cells.

Files arrive by email from many organisations, so every reader checks
:class:`~needs.inputs.limits.ReadLimits` before it does the work: a file's size before it is
read, a workbook's unpacked sizes from its zip directory before it is opened, a table's heading
row before its body, rows, columns and cell lengths as the rows arrive; ``dataset.yaml`` is
read with a loader that refuses YAML aliases. A refusal is a
:class:`~needs.inputs.limits.LimitExceeded` (exit 2) naming the file, the limit and how to
raise it. A file name that is not UTF-8, or a symbolic link out of the folder, is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from needs.errors import DataValidationError, InputError, Issue
from needs.inputs.csv_reader import read_csv
from needs.inputs.dataset import Dataset, InputFile
from needs.inputs.intentions import INTENTIONS_FILES, read_intentions
from needs.inputs.limits import (
    DEFAULT_LIMITS,
    ReadLimits,
    read_bytes,
)
from needs.inputs.metadata import read_metadata
from needs.inputs.text_columns import _drop_example_row, _sha256, table_and_provider
from needs.inputs.validate import (
    IGNORED_FILE,
    RawTable,
    stack_sources,
    validate_sources,
    warning,
    warning_kind,
)
from needs.inputs.workbook import read_workbook
from needs.reference import schema
from needs.reference.periods import period_of_dates

METADATA_FILES: tuple[str, ...] = ("dataset.yaml", "dataset.yml")
CSV_SUFFIXES: tuple[str, ...] = (".csv",)
XLSX_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
#: Files that are documentation, not data: ignored without a warning.
_DOCUMENTATION = re.compile(
    r"^(readme|licen[cs]e|notes?|sources?)(\..*)?$|\.(md|rst|html?|pdf)$", re.IGNORECASE
)


# --------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (which Linux allows in a name, and
    Python keeps as surrogate escapes) are shown as ``�``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _data_files(folder: Path, issues: list[Issue]) -> Iterable[Path]:
    """The files of ``folder`` to read, in name order (hidden and Excel lock files skipped).

    A name that is not valid UTF-8 is an error (every message and output names the files
    it read, and could not print it), and so is a symbolic link whose target is outside the
    folder (the folder is what was given to be read); a link within the folder is read.
    """
    root = folder.resolve()
    for path in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        if path.name.startswith((".", "~$")):
            continue
        if not _is_text(path.name):
            issues.append(
                Issue(
                    shown_name(path.name),
                    "the file name is not valid UTF-8 text (shown with '\ufffd' for the bytes that are "
                    "not), so the file was not read; rename it",
                )
            )
            continue
        if path.is_symlink():
            try:
                inside = path.resolve().is_relative_to(root)
            except (OSError, RuntimeError):  # a loop of links
                inside = False
            if not inside:
                issues.append(
                    Issue(
                        path.name,
                        "is a symbolic link to a file outside the data folder, so it was not read; "
                        "copy the file into the folder instead",
                    )
                )
                continue
        if path.is_file():
            yield path


def _read(path: Path, limits: ReadLimits, issues: list[Issue], limit: str = "file_bytes") -> bytes | None:
    """The bytes of one file (refused before reading if larger than the limit); ``None``
    with an error in ``issues`` if it cannot be read."""
    try:
        return read_bytes(path, path.name, limits, limit)
    except OSError as error:
        issues.append(Issue(path.name, f"cannot be read: {error.strerror or type(error).__name__}"))
        return None


def read_folder(
    folder: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[dict[str, RawTable], tuple[InputFile, ...], dict, list[Issue]]:
    """Read every table, workbook and ``dataset.yaml`` in ``folder`` as text.

    See :func:`_read_folder`, which also returns the tables refused for their headings.
    """
    return _read_folder(folder, limits)[:4]


def _read_folder(
    folder: Path, limits: ReadLimits
) -> tuple[dict[str, RawTable], tuple[InputFile, ...], dict, list[Issue], frozenset[str]]:
    """Read every table, workbook and ``dataset.yaml`` in ``folder`` as text.

    Parameters
    ----------
    folder
        The data folder.
    limits
        What the readers accept (:class:`~needs.inputs.limits.ReadLimits`).

    Returns
    -------
    raw
        Table name to :class:`~needs.inputs.validate.RawTable`, stacked from every source of the
        table (:func:`~needs.inputs.validate.stack_sources`).
    files
        Every file read, with its SHA-256.
    metadata
        Contents of ``dataset.yaml`` (empty if there is none).
    issues
        Problems found while reading (errors and warnings).
    refused
        Tables whose heading row lacked a required column, so that their body was not read
        (the missing columns are in ``issues``), and that no other file supplied.

    Raises
    ------
    LimitExceeded
        A file exceeds one of ``limits``.
    """
    issues: list[Issue] = []
    files: list[InputFile] = []
    metadata: dict = {}
    found: dict[str, list[RawTable]] = {}
    refused: set[str] = set()
    intentions: dict[str, tuple[dict, ...]] = {}  # file name -> the actions of intentions.yaml
    for path in list(_data_files(folder, issues)):
        suffix = path.suffix.lower()
        table, provider = table_and_provider(path.stem)
        if path.name.lower() in METADATA_FILES:
            data = _read(path, limits, issues, "yaml_bytes")
            if data is None:
                continue
            files.append(InputFile(path, _sha256(data), ()))
            metadata = read_metadata(path, data, issues, limits)
        elif path.name.lower() in INTENTIONS_FILES:
            data = _read(path, limits, issues, "yaml_bytes")
            if data is None:
                continue
            files.append(InputFile(path, _sha256(data), ()))
            intentions[path.name] = read_intentions(path, data, issues, limits)
        elif suffix in CSV_SUFFIXES:
            if table is None:
                issues.append(
                    warning(
                        path.name,
                        "not a table name, so the file was ignored (a CSV file is named after its table, "
                        f"<table>.csv or <table>-<provider>.csv; tables are {', '.join(schema.TABLES)})",
                        IGNORED_FILE,
                    )
                )
                continue
            data = _read(path, limits, issues)
            if data is None:
                continue
            raw = read_csv(path, data, table, issues, limits, refused)
            files.append(InputFile(path, _sha256(data), (table,) if raw is not None else ()))
            if raw is not None:
                raw.provider = provider
                found.setdefault(table, []).append(raw)
        elif suffix in XLSX_SUFFIXES:
            data = _read(path, limits, issues)
            if data is None:
                continue
            tables = read_workbook(path, data, issues, limits, refused)
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
        if sources:
            # a source that names no provider (the council's own <table>.csv) first, then file order
            sources.sort(key=lambda raw: bool(raw.provider))
            raw_tables[table] = stack_sources(sources)
    if len(intentions) > 1:
        names = sorted(intentions)
        issues.append(
            Issue(names[1], f"intentions are supplied more than once ({' and '.join(names)}); keep only one")
        )
    if intentions:  # the commissioning intentions travel with the metadata (not a data table)
        metadata = {**metadata, "intentions": next(iter(intentions.values()))}
    return raw_tables, tuple(files), metadata, issues, frozenset(refused - set(raw_tables))


def load(folder: str | Path, *, limits: ReadLimits | None = None) -> Dataset:
    """Load and validate a data folder.

    Parameters
    ----------
    folder
        Folder holding ``<table>.csv`` (or ``<table>-<provider>.csv``) files and/or workbooks
        with one sheet per table, and optionally ``dataset.yaml``; a table may be supplied by
        several files (see the module's documentation).
    limits
        What the readers accept (default :data:`~needs.inputs.limits.DEFAULT_LIMITS`); raise
        one for a genuine file beyond it: ``limits=DEFAULT_LIMITS.raised(["rows=10000000"])``.

    Returns
    -------
    Dataset
        Typed tables (see :mod:`needs.inputs.validate` for the types), the files read with their
        SHA-256, warnings as strings (with their kinds in ``warning_kinds``) and the metadata.

    Raises
    ------
    InputError
        If the folder does not exist, or its name is not valid UTF-8.
    LimitExceeded
        A file exceeds one of ``limits`` (an :class:`InputError`: exit 2); nothing past the
        limit was read.
    DataValidationError
        Listing every problem found (``issues`` also holds the warnings).
    """
    limits = DEFAULT_LIMITS if limits is None else limits
    if not isinstance(limits, ReadLimits):
        raise ValueError(f"limits: expected a ReadLimits, found {type(limits).__name__}")
    folder = Path(folder)
    if not _is_text(str(folder)):
        raise InputError(
            f"data folder '{shown_name(str(folder))}': the name is not valid UTF-8 text (shown with "
            "'\ufffd' for the bytes that are not); rename the folder"
        )
    if not folder.exists():
        raise InputError(f"data folder '{folder}' does not exist")
    if not folder.is_dir():
        raise InputError(f"'{folder}' is a file, not a data folder; give the folder that holds the tables")
    raw, files, metadata, read_issues, refused = _read_folder(folder, limits)
    tables, issues, provenance, providers = validate_sources(raw)
    # a table refused for its headings was reported there, not as missing
    issues = read_issues + [issue for issue in issues if not _reported_missing(issue, refused)]
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
        provenance=provenance,
        providers=providers,
    )


def _reported_missing(issue: Issue, refused: frozenset[str]) -> bool:
    """True for validation's "required table not found" about a table refused for its headings
    (validation names a missing table ``<table>.csv``, with no row or column)."""
    return (
        issue.severity == "error"
        and issue.row is None
        and issue.column is None
        and issue.file.endswith(".csv")
        and issue.file[: -len(".csv")] in refused
    )


# --------------------------------------------------------------------------------------
# needs validate
# --------------------------------------------------------------------------------------


def _span(periods: Iterable[str]) -> str:
    periods = sorted(set(periods))
    if not periods:
        return "none"
    return ", ".join(periods)


def _provider_lines(dataset: Dataset) -> list[str]:
    """Rows of each table supplied by several sources, by source and provider."""
    provenance = dataset.provenance
    if provenance is None or provenance.empty:
        return []
    several = provenance.groupby("table", sort=False)["source"].transform("size") > 1
    lines = []
    for table, rows in provenance[several].groupby("table", sort=False):
        lines.append(f"Sources of {table}:")
        for row in rows.itertuples():
            provider = row.provider or "provider not named"
            dropped = f", {row.duplicates:,} supplied twice (loaded once)" if row.duplicates else ""
            lines.append(f"  {row.source}  ({provider}): {row.rows:,} rows{dropped}")
    return lines


def summary(dataset: Dataset) -> str:
    """Plain-text summary of a loaded dataset, as ``needs validate`` prints it."""
    lines = [f"Data folder: {dataset.folder}" + ("  (demonstration data)" if dataset.demonstration else "")]
    for key in ("title", "authority", "data_date"):
        if dataset.metadata.get(key):
            lines.append(f"{key.replace('_', ' ').capitalize()}: {dataset.metadata[key]}")
    lines.append("Tables:")
    width = max(len(name) for name in dataset.tables)
    sources: dict[str, list[str]] = {}
    for file in dataset.files:
        for table in file.tables:
            sources.setdefault(table, []).append(file.path.name)
    for name, frame in dataset.tables.items():
        lines.append(f"  {name:<{width}}  {len(frame):>10,} rows  ({', '.join(sources.get(name, []))})")
    lines += _provider_lines(dataset)
    if "intentions" in dataset.metadata:
        actions = len(dataset.metadata["intentions"])
        lines.append(f"Commissioning intentions: {actions:,} actions (intentions.yaml)")
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
