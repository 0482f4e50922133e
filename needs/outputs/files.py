"""Writing output files atomically and reproducibly.

Every file the toolkit writes goes through here: a temporary file in the same folder, then
:func:`os.replace`, so a failed or interrupted run leaves any previous file as it was and no
partial file behind. Workbooks get fixed timestamps so that the same content gives the same
bytes.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

__all__ = ["atomic_write_bytes", "atomic_write_csv", "atomic_write_text", "save_workbook", "workbook_bytes"]

#: Document date written into every workbook so that output is byte-for-byte repeatable
#: (the date of the statutory guidance on Part 4, 1 October 2021).
FIXED_TIMESTAMP = "2021-10-01T00:00:00Z"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Files are created with the permissions an ordinary ``open()`` would give them.
_FILE_MODE = 0o666 & ~_read_umask()



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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, then ``os.replace``.

    A failure leaves any previous file untouched and no partial file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def workbook_bytes(workbook: Workbook) -> bytes:
    """The ``.xlsx`` bytes of ``workbook``, deterministic (see :func:`save_workbook`)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
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
    """Write ``table`` as CSV (no index, UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, table.to_csv(index=False).encode("utf-8"))
