"""The report's open data: every published table as CSV, in a zip beside the HTML.

``needs report`` writes ``<name>.html`` and, beside it, ``<name>-data.zip``
(:func:`open_data_path`) holding:

* one CSV file per published table (``table-<slug>.csv``): byte for byte the file the page's
  "Download this table as CSV" link gives (:mod:`needs.publish.open_data`: the cells shown,
  disclosure-controlled, tidy column names, a notes row, UTF-8 with a byte order mark,
  formula-like text neutralised);
* ``metadata.json``: the title, area, period, source, licence (Open Government Licence
  v3.0), the toolkit's version, and one entry per table (file, caption, columns, notes),
  after the W3C *CSV on the Web* idea of a metadata file describing each table
  (https://www.w3.org/TR/tabular-metadata/), kept simple.

The tables are read from the executed notebook (:func:`published_tables`): each display of
published tables carries them in the output type :data:`needs.publish.open_data.MIMETYPE`,
which the HTML template never shows. The zip is reproducible (entries sorted, fixed dates,
fixed permissions) and written atomically (:func:`needs.outputs.files.atomic_write_bytes`).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from needs.outputs.files import ZIP_DATE, atomic_write_bytes
from needs.publish.open_data import MIMETYPE
from needs.reference.spreadsheet_text import UTF8_BOM
from needs.version import __version__

__all__ = [
    "LICENCE",
    "METADATA_FILE",
    "metadata_document",
    "open_data_path",
    "published_tables",
    "write_open_data",
    "zip_bytes",
]

#: The licence of the published tables: the Open Government Licence, under which public
#: bodies in the UK publish open data.
LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
#: Name of the metadata file inside the zip.
METADATA_FILE = "metadata.json"
#: Permissions of every entry (``rw-r--r--``), so the bytes do not depend on the umask.
_ENTRY_MODE = 0o100644 << 16


def open_data_path(html_path: str | Path) -> Path:
    """The zip of open data beside a report: ``<folder>/<name>.html`` -> ``<folder>/<name>-data.zip``."""
    path = Path(html_path)
    return path.with_name(f"{path.stem}-data.zip")


def _outputs(notebook: Any) -> list[Any]:
    cells = notebook["cells"] if isinstance(notebook, Mapping) else notebook.cells
    return [output for cell in cells if cell.get("cell_type") == "code" for output in cell.get("outputs", [])]


def published_tables(notebook: Any) -> list[dict[str, str]]:
    """The published tables of an executed notebook, in the order the page shows them.

    Each is a dict with ``name``, ``file``, ``caption`` and ``csv`` (text), from the outputs of
    type :data:`~needs.publish.open_data.MIMETYPE`. A table shown twice is listed once.

    Raises
    ------
    ValueError
        Two different tables have the same file name (their ids on the page would clash).
    """
    tables: dict[str, dict[str, str]] = {}
    for output in _outputs(notebook):
        payload = output.get("data", {}).get(MIMETYPE)
        if isinstance(payload, str):  # a notebook whose JSON outputs were stored as text
            payload = json.loads(payload)
        for table in (payload or {}).get("tables", []):
            known = tables.setdefault(table["file"], dict(table))
            if known["csv"] != table["csv"]:
                raise ValueError(f"notebook: two different published tables are both {table['file']!r}")
    return list(tables.values())


def _header_and_notes(text: str) -> tuple[list[str], str]:
    """The column names (first row) and the notes (first cell of the last row) of a table's CSV."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    columns = rows[0] if rows else []
    notes = rows[-1][0] if len(rows) > 1 and rows[-1] else ""
    return columns, notes


def metadata_document(tables: list[dict[str, str]], metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The contents of ``metadata.json``.

    Parameters
    ----------
    tables
        :func:`published_tables`.
    metadata
        The report's metadata (``needs.outputs.report``): ``title``, ``area``, ``period``,
        ``authority``, ``data_date``, ``demonstration``, ``version`` (any missing one is left
        empty; ``version`` defaults to this toolkit's).
    """
    authority = str(metadata.get("authority") or "")
    source = f"Referrals and services recorded for {authority}" if authority else "Referrals and services recorded"
    if metadata.get("data_date"):
        source += f", data as at {metadata['data_date']}"
    if metadata.get("demonstration"):
        source += " (demonstration data: synthetic records, not a real area's)"
    entries = []
    for table in tables:
        columns, notes = _header_and_notes(table["csv"])
        entries.append({"file": table["file"], "caption": table["caption"], "columns": columns, "notes": notes})
    return {
        "title": str(metadata.get("title") or ""),
        "area": str(metadata.get("area") or ""),
        "authority": authority,
        "period": str(metadata.get("period") or ""),
        "source": source + ". Counts below the disclosure threshold, and counts from which one could be "
        "worked out, are hidden ([c]).",
        "licence": dict(LICENCE),
        "generated_by": {"name": "needs", "version": str(metadata.get("version") or __version__)},
        "encoding": "UTF-8 with byte order mark; lines end with CR LF (RFC 4180)",
        "tables": entries,
    }


def zip_bytes(members: Mapping[str, bytes]) -> bytes:
    """A zip of ``members`` (name to bytes), reproducible: entries sorted by name, each
    deflated with the fixed date :data:`needs.outputs.files.ZIP_DATE` and mode ``rw-r--r--``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _ENTRY_MODE
            archive.writestr(info, members[name])
    return buffer.getvalue()


def write_open_data(executed_notebook: Any, html_path: str | Path, metadata: Mapping[str, Any]) -> Path:
    """Write the zip of open data beside ``html_path`` (:func:`open_data_path`), atomically.

    Parameters
    ----------
    executed_notebook
        The executed assessment notebook (an ``nbformat`` node or its JSON as a dict).
    html_path
        Where the report's HTML is (or is staged: the zip goes beside it).
    metadata
        The report's metadata (see :func:`metadata_document`).

    Returns
    -------
    pathlib.Path
        The zip written.
    """
    tables = published_tables(executed_notebook)
    members = {table["file"]: UTF8_BOM + table["csv"].encode("utf-8") for table in tables}
    document = metadata_document(tables, metadata)
    members[METADATA_FILE] = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    path = open_data_path(html_path)
    atomic_write_bytes(path, zip_bytes(members))
    return path
