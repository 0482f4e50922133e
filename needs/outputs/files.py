"""Writing output files atomically, reproducibly and safely for spreadsheets.

Every file the toolkit writes goes through here: a temporary file in the same folder, then
:func:`os.replace`, so a failed or interrupted run leaves any previous file as it was and no
partial file behind; files that belong together (the return's workbook and CSV) are
written together or not at all (:func:`atomic_write_together`). Workbooks get fixed
timestamps so that the same content gives the same bytes.

Text for spreadsheets
---------------------
Every text cell of every CSV (:func:`atomic_write_csv`, :func:`csv_bytes`) and XLSX
(:func:`workbook_bytes`) file written follows the one rule of
:mod:`needs.reference.spreadsheet_text` (:func:`safe_text`: formula-like text gets a
leading apostrophe, characters that cannot be written become U+FFFD), defined there so that
the published page's CSV downloads (:mod:`needs.publish.open_data`) use the same writer;
its names are re-exported here. In a workbook, every text cell is also stored as a string
(``data_type "s"``), never as a formula. Numbers stay numbers: only text is touched.
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

import pandas as pd
from openpyxl import Workbook

from needs.reference.spreadsheet_text import (
    FORMULA_TRIGGERS,
    TEXT_MARK,
    UTF8_BOM,
    clean_text,
    csv_bytes,
    neutralise,
    safe_text,
)

__all__ = [
    "FORMULA_TRIGGERS",
    "TEXT_MARK",
    "UTF8_BOM",
    "ZIP_DATE",
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
#: Date of every entry of a zip file the toolkit writes (the earliest a zip entry can hold),
#: so that the same content gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Files are created with the permissions an ordinary ``open()`` would give them.
_FILE_MODE = 0o666 & ~_read_umask()


# --------------------------------------------------------------------------------------
# Text for spreadsheets
# --------------------------------------------------------------------------------------


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
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
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
