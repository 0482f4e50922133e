"""Raw tables from text cells: columns built in chunks, headings checked first, example rows.

Shared by the readers of CSV files (:mod:`needs.inputs.csv_reader`) and workbooks
(:mod:`needs.inputs.workbook`): every cell is read as text, stripped, and kept as a
categorical column; a table's heading row is checked against the limits and the data
dictionary before its body is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from needs.errors import Issue
from needs.inputs.limits import (
    LimitExceeded,
    ReadLimits,
    quote_start,
)
from needs.inputs.validate import (
    EXAMPLE_ONLY_SHEET,
    EXAMPLE_ROW,
    UNNAMED_COLUMN,
    RawTable,
    validate_raw,
    warning,
)
from needs.reference import schema

_TABLE_NAMES = {name.lower(): name for name in schema.TABLES}
#: Characters that separate a table's name from a provider's in a file name.
_SEPARATORS = "-_ ."


def table_and_provider(stem: str) -> tuple[str | None, str]:
    """The table a file name (without its suffix) supplies, and the provider it names.

    ``referrals`` gives ``("referrals", "")``; a table's name at the start or the end of the
    name, separated from the rest by ``-``, ``_``, a space or a dot, gives the table and the
    rest as the provider: ``referrals-refuge-a`` and ``referrals_refuge a`` give
    ``("referrals", "refuge-a")`` and ``("referrals", "refuge a")``, ``women's-aid-referrals``
    gives ``("referrals", "women's-aid")``. Matching ignores case and treats ``-`` and spaces
    as ``_`` (``population-projection-x`` supplies ``population_projection``); the longest
    table name that matches wins (at the start before at the end). ``(None, stem)`` when no
    table is named.
    """
    text = stem.strip()
    folded = "".join("_" if char in "- " else char for char in text.lower())
    for table in sorted(schema.TABLES, key=len, reverse=True):
        if folded == table:
            return table, ""
        if folded.startswith(table) and folded[len(table)] in _SEPARATORS:
            return table, text[len(table) + 1 :].strip(_SEPARATORS + " ")
        if folded.endswith(table) and folded[-len(table) - 1] in _SEPARATORS:
            return table, text[: -len(table) - 1].strip(_SEPARATORS + " ")
    return None, text


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


# --------------------------------------------------------------------------------------
# Columns built chunk by chunk
# --------------------------------------------------------------------------------------

#: Cells parsed at once (rows x columns of one chunk): bounds the memory of a chunk.
CHUNK_CELLS = 4_000_000


def _chunk_rows(width: int) -> int:
    """Rows of one chunk of a table ``width`` columns wide (at most 250,000)."""
    return int(min(250_000, max(1_000, CHUNK_CELLS // max(width, 1))))


def _longest(values: np.ndarray) -> tuple[int, int]:
    """Position and length in characters of the longest text among ``values`` (numbers and
    dates, whose text is short, count as 0)."""
    try:
        lengths = pd.Series(values, dtype=object).str.len().fillna(0).to_numpy()
    except AttributeError:  # no text at all: numbers, dates, blanks
        return 0, 0
    if len(lengths) == 0:
        return 0, 0
    position = int(np.argmax(lengths))
    return position, int(lengths[position])


class _ColumnPool:
    """The columns of one table, read chunk by chunk and held as codes into distinct values.

    Each chunk's columns are factorised at once, so memory holds the distinct values and
    integer codes rather than one object per cell. A chunk's longest cell is checked against
    ``limits.cell_chars`` as it is added, before the next chunk is read.

    Parameters
    ----------
    source
        The file (and sheet), for a refusal.
    limits
        The limits of the read.
    first_row
        Row number, as the user sees it, of the pool's first row.
    header
        The headings, to name a column in a refusal (may be shorter than the table).
    """

    def __init__(self, source: str, limits: ReadLimits, first_row: int, header: list[str]) -> None:
        self.source = source
        self.limits = limits
        self.first_row = first_row
        self.header = header
        self.codes: list[list[np.ndarray]] = []
        self.uniques: list[list[np.ndarray]] = []
        self.sizes: list[int] = []

    @property
    def rows(self) -> int:
        """Rows added so far."""
        return int(sum(self.sizes))

    def add(self, columns: list[np.ndarray], n_rows: int) -> None:
        """Add a chunk of ``n_rows`` rows: ``columns`` are object arrays of that length
        (``None`` or NaN for a missing cell; a row may have fewer columns than another).

        Raises
        ------
        LimitExceeded
            A cell of the chunk is longer than ``limits.cell_chars``.
        """
        while len(self.codes) < len(columns):
            self.codes.append([np.full(size, -1, dtype=np.int32) for size in self.sizes])
            self.uniques.append([np.empty(0, dtype=object) for _ in self.sizes])
        for position in range(len(self.codes)):
            if position < len(columns):
                codes, uniques = pd.factorize(columns[position])
                uniques = np.asarray(uniques, dtype=object)
                self._check_length(position, codes, uniques)
            else:
                codes, uniques = np.full(n_rows, -1), np.empty(0, dtype=object)
            self.codes[position].append(codes.astype(np.int32, copy=False))
            self.uniques[position].append(uniques)
        self.sizes.append(n_rows)

    def _check_length(self, position: int, codes: np.ndarray, uniques: np.ndarray) -> None:
        longest, length = _longest(uniques)
        if length <= self.limits.cell_chars:
            return
        row = self.first_row + self.rows + int(np.argmax(codes == longest))
        heading = self.header[position] if position < len(self.header) else ""
        column = _column_letter(position) + (f" ({quote_start(heading, 40)})" if heading else "")
        raise LimitExceeded(
            f"{self.source}, row {row}, column {column}",
            "cell_chars",
            f"the cell is {quote_start(str(uniques[longest]))} ({length:,} characters)",
            self.limits.cell_chars,
        )

    def finish(self, text: Callable[[np.ndarray], np.ndarray]) -> list[pd.Categorical]:
        """Every column as a categorical of text: ``text`` turns distinct values into text."""
        columns = []
        for column_codes, column_uniques in zip(self.codes, self.uniques, strict=True):
            offsets = np.cumsum([0] + [len(u) for u in column_uniques])
            pooled = np.concatenate([*column_uniques, np.array([None], dtype=object)])
            missing = len(pooled) - 1
            all_codes = np.concatenate(
                [np.empty(0, dtype=np.int64)]
                + [
                    np.where(codes < 0, missing, codes.astype(np.int64) + offset)
                    for codes, offset in zip(column_codes, offsets[:-1], strict=True)
                ]
            )
            remap, distinct = pd.factorize(text(pooled))
            columns.append(
                pd.Categorical.from_codes(remap[all_codes], categories=pd.Index(distinct, dtype=object))
            )
        return columns


def _stripped_text(values: np.ndarray) -> np.ndarray:
    """Distinct CSV values as stripped text (``None`` and NaN as ``""``)."""
    return np.array([value.strip() if isinstance(value, str) else "" for value in values], dtype=object)


def _cell_texts(values: np.ndarray) -> np.ndarray:
    """Distinct Excel cell values as stripped text."""
    return np.array([_cell_text(value).strip() for value in values], dtype=object)


def _pad(header: list[str], columns: list[pd.Categorical], n_rows: int) -> tuple[list[str], list]:
    """The headings and columns made the same length (a missing heading is ``""``, a missing
    column all blank)."""
    width = max(len(header), len(columns))
    blank = pd.Categorical.from_codes(
        np.zeros(n_rows, dtype=np.int8), categories=pd.Index([""], dtype=object)
    )
    return header + [""] * (width - len(header)), columns + [blank] * (width - len(columns))


# --------------------------------------------------------------------------------------
# The heading row, checked before the body is read
# --------------------------------------------------------------------------------------


def _check_heading(header: list[str], source: str, limits: ReadLimits, cut: bool = False) -> None:
    """Refuse a heading row wider than ``limits.columns`` or with a heading longer than
    ``limits.cell_chars`` (quoted by its first characters only); ``cut``: only the start of
    the row's last cell was read."""
    filled = [position for position, name in enumerate(header) if name]
    if filled and filled[-1] + 1 > limits.columns:
        raise LimitExceeded(
            source, "columns", f"the heading row has {filled[-1] + 1:,} columns", limits.columns
        )
    lengths = np.fromiter((len(name) for name in header), dtype=np.int64, count=len(header))
    if len(lengths) and lengths.max() > limits.cell_chars:
        position = int(np.argmax(lengths))
        more = "more than " if cut and position == len(header) - 1 else ""
        raise LimitExceeded(
            f"{source}, column {_column_letter(position)}",
            "cell_chars",
            f"the heading is {quote_start(header[position])} ({more}{int(lengths[position]):,} characters)",
            limits.cell_chars,
        )


def _heading_issues(table: str, source: str, header: list[str]) -> list[Issue]:
    """The errors validation reports on this heading row alone (required columns missing).

    The table is validated with its headings and no rows, so the messages are exactly those
    of :func:`needs.inputs.validate.validate_raw`; only this source's column errors are kept.
    """
    names = list(dict.fromkeys(name for name in header if name))
    empty = pd.Categorical.from_codes(np.empty(0, dtype=np.int8), categories=pd.Index([""], dtype=object))
    frame = pd.DataFrame({name: empty for name in names}, index=pd.RangeIndex(0))
    _, found = validate_raw({table: RawTable(table, source, frame, np.empty(0, dtype=np.int64))})
    return [
        issue
        for issue in found
        if issue.severity == "error" and issue.file == source and issue.column is not None
    ]


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
