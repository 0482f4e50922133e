"""Writing output files atomically, reproducibly and safely for spreadsheets.

Every file the toolkit writes goes through here: a temporary file in the same folder, then
:func:`os.replace`, so a failed or interrupted run leaves any previous file as it was and no
partial file behind; files that belong together (the return's workbook and CSV) are
written together or not at all (:func:`atomic_write_together`). Workbooks get fixed
timestamps so that the same content gives the same bytes.

Text for spreadsheets
---------------------
People open the toolkit's CSV and XLSX files in Excel, and some of the text in them comes
from the user's data (an area or service name, a file or folder name, a scenario name).
One rule, :func:`safe_text`, applies to every text cell of every CSV
(:func:`atomic_write_csv`, :func:`csv_bytes`) and XLSX (:func:`workbook_bytes`) file written:

* text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  (:data:`FORMULA_TRIGGERS`) gets a leading apostrophe, so a spreadsheet shows it as text
  and never evaluates it: the OWASP rule against CSV (formula) injection
  (https://owasp.org/www-community/attacks/CSV_Injection). Text that is a plain number
  (``-12.50``) is left alone: it is a number written as text, not a formula;
* characters that cannot be written as XML or UTF-8 (lone surrogates, such as the
  undecodable bytes of a file name, and the C0 control characters other than tab, line
  feed and carriage return) are replaced by U+FFFD (:func:`clean_text`);
* in a workbook, every text cell is stored as a string (``data_type "s"``), never as a
  formula.

Numbers stay numbers: only text is touched.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

__all__ = [
    "FORMULA_TRIGGERS",
    "atomic_write_bytes",
    "atomic_write_csv",
    "atomic_write_text",
    "atomic_write_together",
    "clean_text",
    "csv_bytes",
    "neutralise",
    "safe_text",
    "safe_workbook",
    "save_workbook",
    "workbook_bytes",
]

#: Document date written into every workbook so that output is byte-for-byte repeatable
#: (the date of the statutory guidance on Part 4, 1 October 2021).
FIXED_TIMESTAMP = "2021-10-01T00:00:00Z"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

#: First characters that make a spreadsheet read a text cell as a formula (OWASP, "CSV
#: Injection"): such text is written with a leading apostrophe by :func:`safe_text`.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: The mark that makes a spreadsheet keep a cell as text.
TEXT_MARK = "'"
#: Characters that are not allowed in XML 1.0 or cannot be encoded as UTF-8: C0 controls
#: other than tab, line feed and carriage return; surrogates (a lone one stands for a byte
#: that was not valid UTF-8, as in an undecodable file name); U+FFFE and U+FFFF.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: A number written as text (``-12``, ``-0.5``, ``-1.2e3``): not a formula, though it starts with ``-``.
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Files are created with the permissions an ordinary ``open()`` would give them.
_FILE_MODE = 0o666 & ~_read_umask()


# --------------------------------------------------------------------------------------
# Text for spreadsheets
# --------------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """``value`` with every character that cannot be written as XML or UTF-8 replaced by U+FFFD.

    Replaced: lone surrogates (``os.fsdecode`` turns each byte of a file name that is not
    valid UTF-8 into one), C0 control characters other than tab, line feed and carriage
    return, and U+FFFE/U+FFFF. Anything else is returned unchanged: a file name read as
    ``caf`` + U+DCE9 + ``.csv`` (the byte 0xE9 alone) is written ``caf`` + U+FFFD + ``.csv``.
    """
    text = str(value)
    return _UNWRITABLE.sub("\ufffd", text) if _UNWRITABLE.search(text) else text


def safe_text(value: str) -> str:
    """``value`` as it may be written into a spreadsheet cell: never a formula, always valid text.

    The rule (OWASP, "CSV Injection"): text that begins with one of
    :data:`FORMULA_TRIGGERS` (``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading
    apostrophe, so Excel, LibreOffice and Google Sheets show it as text and never evaluate
    it; text that is a plain number (``-12.50``) is not a formula and is left alone. The
    text is first cleaned by :func:`clean_text`. The rule is idempotent: safe text stays
    the same.

    Parameters
    ----------
    value
        A text (anything else is turned into text with ``str``).

    Returns
    -------
    str
        The text to write.

    Examples
    --------
    >>> safe_text("=1+2"), safe_text("-2+3"), safe_text("-12.50"), safe_text("Leicestershire")
    ("'=1+2", "'-2+3", '-12.50', 'Leicestershire')
    """
    text = clean_text(value)
    if text.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(text):
        return TEXT_MARK + text
    return text


def _safe_cell(value: object) -> object:
    """:func:`safe_text` of a text value; any other value (numbers, dates, missing) unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def _safe_series(series: pd.Series) -> pd.Series:
    """:func:`safe_text` applied to every text value of ``series``, once per distinct value."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.Index([_safe_cell(value) for value in series.cat.categories], dtype=object)
        if categories.is_unique:
            return series.cat.rename_categories(categories)
        series = series.astype(object)
    elif not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
        return series  # numbers, booleans, dates: not text
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    safe = np.array([_safe_cell(value) for value in uniques] + [None], dtype=object)  # code -1: last
    values = np.where(codes < 0, series.to_numpy(dtype=object), safe[codes])  # missing stays as it was
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`safe_text` applied to every text value and heading.

    Numeric, boolean and date columns are returned unchanged (a negative number is a
    number, not text); in text columns (object, string or categorical) every ``str`` value
    is made safe, once per distinct value, and other values are kept.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    pandas.DataFrame
        The table to write to a CSV or a workbook.
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _safe_series(out.iloc[:, position]))
    out.columns = [_safe_cell(name) for name in out.columns]
    return out


def safe_workbook(workbook: Workbook) -> Workbook:
    """Make every cell of ``workbook`` safe, in place (:func:`safe_text`), and return it.

    Every text cell, and any cell that openpyxl took for a formula because its text begins
    with ``=``, is rewritten with :func:`safe_text` and stored as a string (``data_type``
    ``"s"``); numbers, dates and booleans are left alone. The document's title, subject and
    creator are cleaned with :func:`clean_text`. :func:`workbook_bytes` calls this before
    saving, so every workbook the toolkit writes follows the rule.
    """
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = safe_text(cell.value)
                    cell.data_type = "s"
    properties = workbook.properties
    for name in ("title", "subject", "creator", "description", "keywords"):
        value = getattr(properties, name, None)
        if isinstance(value, str):
            setattr(properties, name, clean_text(value))
    return workbook


def csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as UTF-8 CSV bytes (no index), made safe by :func:`neutralise`.

    Lines end with CR LF, as RFC 4180 defines CSV and as Excel writes it; with that line
    ending a field holding a carriage return or a line feed anywhere is quoted, so text
    can never start a new row of its own (Excel ends a row at a bare carriage return too).
    """
    buffer = io.StringIO()
    neutralise(table).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------


def _normalised(data: bytes) -> bytes:
    """The workbook ``data`` with fixed zip timestamps and document dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rf"\g<1>{FIXED_TIMESTAMP}\g<3>",
                    text,
                )
                content = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


def _write_temporary(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``path`` and return its name.

    The file is created in ``path``'s folder (so that :func:`os.replace` onto ``path`` is
    a rename in one file system), with the permissions an ordinary ``open()`` gives. A
    failure removes the temporary file and raises.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, _FILE_MODE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _backup(path: Path) -> str | None:
    """A copy of the existing file ``path`` beside it (a hard link where the file system
    allows one), or ``None`` when there is no file: what :func:`atomic_write_together`
    puts back if a later rename fails."""
    if not path.exists():
        return None
    name = str(path.parent / f".{path.name}.{secrets.token_hex(8)}.bak")
    try:
        os.link(path, name)
    except OSError as error:
        if error.errno == errno.EEXIST:
            raise
        shutil.copy2(path, name)  # no hard links here (FAT, some network shares)
    return name


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, then ``os.replace``.

    A failure leaves any previous file untouched and no partial file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _write_temporary(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_together(files: Mapping[Path, bytes]) -> None:
    """Write several files together or not at all.

    1. Every file is written to a temporary file beside it, and every existing file is
       kept as a backup (a hard link, or a copy);
    2. only then is each temporary file renamed into place (:func:`os.replace`, atomic
       for each file).

    A failure in step 1 (a full disk, a folder that cannot be written) removes every
    temporary file and leaves the old files as they were. A failure in step 2 (on Windows,
    a file held open by Excel) puts the files already renamed back from their backups (or
    removes them if they are new), so the set is never half new, half old. Backups are
    removed at the end.

    Parameters
    ----------
    files
        Path to the bytes to write there. The paths must be different.

    Raises
    ------
    ValueError
        If two paths are the same file.
    """
    paths = {Path(path): bytes(data) for path, data in files.items()}
    if len({path.resolve() for path in paths}) != len(paths):
        raise ValueError("files: every path must be a different file")
    temporaries: dict[Path, str] = {}
    backups: dict[Path, str | None] = {}
    placed: list[Path] = []
    try:
        for path, data in paths.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporaries[path] = _write_temporary(path, data)
        for path in paths:
            backups[path] = _backup(path)
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
            placed.append(path)
    except BaseException:
        for path in reversed(placed):  # put the old files back (best effort: the error is raised)
            with contextlib.suppress(OSError):
                backup = backups.get(path)
                if backup is None:
                    path.unlink(missing_ok=True)
                else:
                    os.replace(backup, path)
        for name in [*temporaries.values(), *(b for b in backups.values() if b is not None)]:
            with contextlib.suppress(OSError):
                Path(name).unlink(missing_ok=True)
        raise
    for backup in backups.values():
        if backup is not None:
            Path(backup).unlink(missing_ok=True)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The ``.xlsx`` bytes of ``workbook``, deterministic (see :func:`save_workbook`).

    Every cell is first made safe for spreadsheets by :func:`safe_workbook` (in place):
    text is stored as text, never as a formula.
    """
    buffer = io.BytesIO()
    safe_workbook(workbook).save(buffer)
    return _normalised(buffer.getvalue())


def save_workbook(workbook: Workbook, path: Path) -> Path:
    """Save ``workbook`` to ``path`` atomically and deterministically.

    openpyxl stamps the save time into the document properties and the zip entries; both
    are replaced with fixed values so that the same content gives the same bytes.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    atomic_write_bytes(Path(path), workbook_bytes(workbook))
    return Path(path)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as CSV (no index, UTF-8) to ``path`` atomically, made safe by
    :func:`neutralise` (see :func:`csv_bytes`)."""
    atomic_write_bytes(path, csv_bytes(table))
