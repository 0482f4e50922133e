"""Open data: every published table as a CSV file the reader can download from the page.

A table's CSV holds exactly the cells the page shows (the same disclosure-controlled cells,
with the ONS symbols ``[c]``, ``[x]`` and ``[z]`` as shown), under tidy ``snake_case`` column
names (:func:`column_names`), then one notes row: the table's note and what the symbols mean
(:func:`notes_text`). It is written by the one spreadsheet-safe writer
(:func:`needs.reference.spreadsheet_text.csv_bytes`: formula-like text gets a leading
apostrophe; UTF-8 with a byte order mark so Excel reads it as UTF-8; lines end with CR LF).

The page links to it as a ``data:`` URI (:func:`download_link`): the page stays one file that
loads nothing from outside. The same links are how the notebook's outputs carry the tables
to ``needs report``'s zip of open data (:func:`embedded_tables`, :func:`mimebundle`, read by
:mod:`needs.outputs.open_data`), so the zip holds the very bytes a reader downloads.

References: ONS, *Symbols, suppression and shorthand in statistical tables*
(https://analysisfunction.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/);
Government Analysis Function, *Releasing statistics in spreadsheets* (one table per sheet,
notes kept with the table); RFC 4180 (CSV).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd

from needs.publish.formatting import _SYMBOL_TITLES, is_missing
from needs.reference.spreadsheet_text import UTF8_BOM, csv_bytes

__all__ = [
    "MIMETYPE",
    "column_name",
    "column_names",
    "download_link",
    "embedded_tables",
    "mimebundle",
    "notes_text",
    "open_data_frame",
    "slug",
    "table_csv",
]

#: The notebook output that carries the published tables of a display to the open-data zip
#: (:mod:`needs.outputs.open_data`); the report's HTML template shows no output of this type.
MIMETYPE = "application/vnd.needs.table+json"
#: What the symbols mean, in the notes row of every CSV.
SYMBOLS_NOTE = "Symbols: " + "; ".join(f"{symbol} {meaning}" for symbol, meaning in _SYMBOL_TITLES.items()) + "."
#: Longest slug taken from a caption (ids stay readable; a slug is cut at a hyphen).
_SLUG_LENGTH = 60

_DOWNLOAD = re.compile(
    r'<a download="(?P<file>[^"<>]+\.csv)" href="data:text/csv;charset=utf-8;base64,(?P<data>[A-Za-z0-9+/=]*)">'
    r'Download this table as CSV<span class="visually-hidden">: (?P<caption>[^<]*)</span></a>'
)


def slug(text: str, length: int = _SLUG_LENGTH) -> str:
    """``text`` as lower-case ASCII words joined by hyphens, at most ``length`` characters
    (cut at a hyphen): ``"Representation: sex, supported"`` -> ``"representation-sex-supported"``.
    Accents are dropped (``"é"`` -> ``"e"``); text with no letter or digit gives ``"table"``."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > length:
        words = words[:length]
        words = words.rsplit("-", 1)[0] if "-" in words else words
    return words or "table"


def column_name(heading: str) -> str:
    """A column heading as a tidy ``snake_case`` name: ``"Share 95% confidence interval"`` ->
    ``"share_95_percent_confidence_interval"``, ``"Grant (£)"`` -> ``"grant_gbp"``,
    ``"16-19"`` -> ``"16_19"``. A heading with no letter or digit gives ``"column"``."""
    text = str(heading).replace("%", " percent ").replace("£", " gbp ").replace("&", " and ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "column"


def column_names(headings: Sequence[str]) -> list[str]:
    """:func:`column_name` of each heading, made unique by ``_2``, ``_3``, ... in order."""
    names: list[str] = []
    for heading in headings:
        base = name = column_name(heading)
        number = 2
        while name in names:
            name = f"{base}_{number}"
            number += 1
        names.append(name)
    return names


def notes_text(note: str = "") -> str:
    """The notes row's text: ``"Notes: "``, the table's note, then what the symbols mean."""
    note = " ".join(str(note).split())
    if note and not note.endswith((".", "!", "?")):
        note += "."
    return " ".join(part for part in ("Notes:", note, SYMBOLS_NOTE) if part)


def open_data_frame(frame: pd.DataFrame, note: str = "") -> pd.DataFrame:
    """The table as open data: the cells as shown (text), ``snake_case`` column names, and a
    last row whose first cell is :func:`notes_text` (the other cells empty).

    Parameters
    ----------
    frame
        The displayed table (:attr:`needs.publish.tables.PublishedTable.frame`): headings as
        columns, every cell formatted text.
    note
        The note printed under the table.
    """
    rows = [["" if is_missing(value) else str(value) for value in row] for row in frame.itertuples(index=False)]
    rows.append([notes_text(note)] + [""] * (frame.shape[1] - 1))
    return pd.DataFrame(rows, columns=column_names([str(c) for c in frame.columns]), dtype=object)


def table_csv(frame: pd.DataFrame, note: str = "") -> bytes:
    """:func:`open_data_frame` as CSV bytes: UTF-8 with a byte order mark, CR LF, formula-like
    text neutralised (:func:`needs.reference.spreadsheet_text.csv_bytes`)."""
    return csv_bytes(open_data_frame(frame, note), bom=True)


def _size(length: int) -> str:
    """A file size as people read it: ``"850 bytes"``, ``"2 KB"``, ``"1.3 MB"`` (1 KB = 1,024 bytes)."""
    if length < 1024:
        return f"{length} bytes"
    if length < 1024 * 1024:
        return f"{round(length / 1024):,} KB"
    return f"{length / (1024 * 1024):.1f} MB"


def download_link(table_id: str, caption: str, data: bytes) -> str:
    """The paragraph that downloads a table's CSV: ``<p class="table-download"><a download=
    "<id>.csv" href="data:text/csv;charset=utf-8;base64,...">Download this table as CSV<span
    class="visually-hidden">: <caption></span></a> (<size>)</p>``. The hidden caption makes
    each link's name unique for screen readers (WCAG 2.4.4, link purpose)."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<p class="table-download"><a download="{html.escape(table_id)}.csv" '
        f'href="data:text/csv;charset=utf-8;base64,{encoded}">Download this table as CSV'
        f'<span class="visually-hidden">: {html.escape(caption)}</span></a> ({_size(len(data))})</p>'
    )


def embedded_tables(markup: str) -> list[dict[str, str]]:
    """The tables whose CSV download links (:func:`download_link`) ``markup`` holds, in order.

    Returns
    -------
    list of dict
        ``name`` (the table's id), ``file`` (``<id>.csv``), ``caption`` and ``csv`` (the
        downloaded file's text, without its byte order mark).
    """
    found = []
    for match in _DOWNLOAD.finditer(markup):
        try:
            data = base64.b64decode(match["data"], validate=True)
        except binascii.Error:
            continue
        if data.startswith(UTF8_BOM):
            data = data[len(UTF8_BOM) :]
        found.append(
            {
                "name": html.unescape(match["file"])[: -len(".csv")],
                "file": html.unescape(match["file"]),
                "caption": html.unescape(match["caption"]),
                "csv": data.decode("utf-8"),
            }
        )
    return found


def mimebundle(markup: str, text: str = "") -> dict[str, Any]:
    """A display's outputs: its HTML, a short plain text (``text``; the default repr would
    copy a whole table into the audit notebook) and, when it holds tables, :data:`MIMETYPE`
    listing them (:func:`embedded_tables`)."""
    bundle: dict[str, Any] = {"text/html": markup, "text/plain": text}
    tables = embedded_tables(markup)
    if tables:
        bundle[MIMETYPE] = {"tables": tables}
    return bundle
