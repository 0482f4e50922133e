"""Reading one CSV file as text: the heading row first, then the body in chunks, within the limits.

Files are read the way Excel writes them: UTF-8 with or without a byte-order mark, or
Windows-1252 (Excel's "CSV" default). The heading row is parsed from the start of the file
before pandas reads anything, so a file with wrong headings or too many columns is refused
at once; rows and cell lengths are checked chunk by chunk
(:class:`~needs.inputs.limits.ReadLimits`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from needs.errors import InputError, Issue
from needs.inputs.limits import (
    DEFAULT_LIMITS,
    LimitExceeded,
    ReadLimits,
)
from needs.inputs.text_columns import (
    _binary_problem,
    _check_heading,
    _chunk_rows,
    _ColumnPool,
    _frame_to_raw,
    _heading_issues,
    _stripped_text,
)
from needs.inputs.validate import (
    RawTable,
)

_CSV_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def _decode_start(window: bytes, whole: bool) -> str:
    """The start of a CSV file as text: UTF-8 (a character cut at the end is dropped), else
    Windows-1252."""
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(window, final=whole)
    except UnicodeDecodeError:
        return window.decode("cp1252", errors="replace")


_MORE = object()  # the heading row goes on past the part of the file read so far


def _csv_heading(data: bytes, source: str, limits: ReadLimits) -> tuple[int, list[str]] | None:
    """The heading row of a CSV file, read from the start of the file only.

    The first 64 KB are read, then 16 times more while the heading row runs on, up to
    ``columns x (4 x cell_chars + 3)`` bytes: a heading row within the limits fits in them
    (a character takes at most 4 bytes in UTF-8, a cell at most 3 more for quotes and
    comma). Every row up to the heading is checked against ``columns`` and ``cell_chars``,
    so a file too wide is refused before pandas parses it.

    Returns
    -------
    tuple or None
        The heading's record number (0-based; blank rows before it are counted) and its
        stripped cells; ``None`` if the file holds no heading row.

    Raises
    ------
    LimitExceeded
        A row up to the heading is wider than ``limits.columns``, or holds a cell longer
        than ``limits.cell_chars``.
    """
    most = limits.columns * (4 * limits.cell_chars + 3) + 1024
    size = min(65_536, most)
    while True:
        found = _heading_in(data[:size], len(data) <= size, size >= most, source, limits)
        if found is not _MORE:
            return found  # type: ignore[return-value]
        size = min(size * 16, most)


def _heading_in(window: bytes, whole: bool, last: bool, source: str, limits: ReadLimits) -> object:
    """The heading row in ``window`` (the first bytes of a CSV file, all of it if ``whole``),
    ``None`` if a whole file has none, or ``_MORE`` if more of the file is needed (unless
    this is the ``last`` window a heading row within the limits can need)."""
    text = _decode_start(window, whole)
    buffer = io.StringIO(text, newline="")
    previous = csv.field_size_limit()  # the csv module's own cap (128 KB) is process-wide:
    csv.field_size_limit(max(previous, len(text) + 1))  # raised for this read, then restored
    try:
        for record, row in enumerate(csv.reader(buffer)):
            cut = not whole and buffer.tell() >= len(text) and not text.endswith(("\n", "\r"))
            cells = [cell.strip() for cell in row]
            if len(cells) > limits.columns:
                found = f"more than {len(cells):,}" if cut else f"{len(cells):,}"
                raise LimitExceeded(
                    source, "columns", f"row {record + 1} has {found} columns", limits.columns
                )
            _check_heading(cells, source, limits, cut)
            if cut and not last:
                return _MORE
            if cut:
                raise LimitExceeded(
                    source,
                    "columns",
                    f"row {record + 1} is longer than {len(window):,} bytes",
                    limits.columns,
                )
            if any(cells):
                return record, cells
    except csv.Error as error:
        raise InputError(f"{source}: cannot be read as CSV: {error}") from None
    finally:
        csv.field_size_limit(previous)
    if whole:
        return None
    if not last:
        return _MORE
    raise InputError(
        f"{source}: the first {len(window):,} bytes hold only blank rows; expected the heading row "
        "at the top of the file"
    )


def _csv_columns(
    data: bytes, encoding: str, source: str, limits: ReadLimits, header: list[str], skip: int
) -> list[pd.Categorical]:
    """Every column of a CSV file (heading row included) as a categorical of stripped text.

    The file is parsed in chunks (:func:`_chunk_rows` rows); each chunk's columns are
    factorised at once, so memory holds the distinct values and integer codes rather than
    one string object per cell. The rows (after the ``skip`` rows up to the heading) and
    the longest cell of each chunk are checked against ``limits`` before the next chunk is
    parsed.
    """
    pool = _ColumnPool(source, limits, 1, header)
    reader = pd.read_csv(
        io.BytesIO(data),
        encoding=encoding,
        header=None,
        dtype=object,
        na_filter=False,
        keep_default_na=False,
        skip_blank_lines=False,
        chunksize=_chunk_rows(len(header)),
    )
    with reader:
        for chunk in reader:
            if chunk.shape[1] > limits.columns:
                raise LimitExceeded(
                    source, "columns", f"the file has {chunk.shape[1]:,} columns", limits.columns
                )
            pool.add(
                [chunk.iloc[:, position].to_numpy(dtype=object) for position in range(chunk.shape[1])],
                len(chunk),
            )
            if pool.rows > limits.rows + skip:
                raise LimitExceeded(
                    source,
                    "rows",
                    f"the file has more than {limits.rows:,} rows after its heading row",
                    limits.rows,
                )
    return pool.finish(_stripped_text)


def read_csv(
    path: Path,
    data: bytes,
    table: str,
    issues: list[Issue],
    limits: ReadLimits = DEFAULT_LIMITS,
    refused: set[str] | None = None,
) -> RawTable | None:
    """Read a CSV file of one table as text.

    Accepts UTF-8 with or without a byte-order mark and falls back to Windows-1252. The
    heading row is read first: a file wider than ``limits.columns`` or with a heading
    longer than ``limits.cell_chars`` is refused, and a heading row missing a required
    column is reported (and ``table`` added to ``refused``) without the body being parsed.
    Returns ``None`` (with an error in ``issues``) if the file cannot be read.

    Raises
    ------
    LimitExceeded
        The file exceeds one of ``limits`` (rows, columns, cell_chars).
    """
    source = path.name
    if not data or data.isspace():  # (strip() would copy the whole file)
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
    heading = _csv_heading(data, source, limits)
    if heading is not None:
        problems = _heading_issues(table, source, heading[1])
        if problems:
            issues.extend(problems)
            if refused is not None:
                refused.add(table)
            return None
    skip, names = (heading[0] + 1, heading[1]) if heading is not None else (1, [])
    columns = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            columns = _csv_columns(data, encoding, source, limits, names, skip)
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


