"""Text as it may be written into a spreadsheet or a CSV file: never a formula, always valid.

People open the toolkit's CSV and XLSX files in Excel, and some of the text in them comes
from the user's data (an area or service name, a file or folder name, a scenario name). One
rule, :func:`safe_text`, applies to every text cell of every CSV and XLSX file the toolkit
writes (the report's open data, :mod:`needs.publish.open_data`; the files of
:mod:`needs.outputs.files`):

* text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  (:data:`FORMULA_TRIGGERS`) gets a leading apostrophe, so a spreadsheet shows it as text
  and never evaluates it: the OWASP rule against CSV (formula) injection
  (https://owasp.org/www-community/attacks/CSV_Injection). Text that is a plain number
  (``-12.50``) is left alone: it is a number written as text, not a formula;
* characters that cannot be written as XML or UTF-8 (lone surrogates, such as the
  undecodable bytes of a file name, and the C0 control characters other than tab, line
  feed and carriage return) are replaced by U+FFFD (:func:`clean_text`).

Numbers stay numbers: only text is touched. This module is the one definition of the rule
(every stage may import it: the published page builds its CSV downloads with
:func:`csv_bytes`, and :mod:`needs.outputs.files` writes files with it).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "TEXT_MARK", "UTF8_BOM", "clean_text", "csv_bytes", "neutralise", "safe_text"]

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
#: Columns up to this many rows are made safe value by value, longer ones once per distinct value.
_SHORT = 256
#: The UTF-8 byte order mark: Excel opens a CSV file that starts with it as UTF-8.
UTF8_BOM = "\ufeff".encode("utf-8")


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
    """:func:`safe_text` applied to every text value of ``series`` (value by value in a short
    column, once per distinct value in a long one: the same result, sooner)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.Index([_safe_cell(value) for value in series.cat.categories], dtype=object)
        if categories.is_unique:
            return series.cat.rename_categories(categories)
        series = series.astype(object)
    elif not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
        return series  # numbers, booleans, dates: not text
    if len(series) <= _SHORT:
        values = [_safe_cell(value) for value in series.to_numpy(dtype=object)]
        return pd.Series(values, index=series.index, name=series.name, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    safe = np.array([_safe_cell(value) for value in uniques] + [None], dtype=object)  # code -1: last
    values = np.where(codes < 0, series.to_numpy(dtype=object), safe[codes])  # missing stays as it was
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`safe_text` applied to every text value and heading.

    Numeric, boolean and date columns are returned unchanged (a negative number is a
    number, not text); in text columns (object, string or categorical) every ``str`` value
    is made safe and other values are kept. The index is kept as it is.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    pandas.DataFrame
        The table to write to a CSV or a workbook.
    """
    if frame.shape[1] == 0:
        return frame.copy()
    columns = {position: _safe_series(series) for position, (_, series) in enumerate(frame.items())}
    out = pd.DataFrame(columns, index=frame.index, copy=True)
    out.columns = [_safe_cell(name) for name in frame.columns]
    return out


def csv_bytes(table: pd.DataFrame, *, bom: bool = False) -> bytes:
    """``table`` as UTF-8 CSV bytes (no index), made safe by :func:`neutralise`.

    Lines end with CR LF, as RFC 4180 defines CSV and as Excel writes it; with that line
    ending a field holding a carriage return or a line feed anywhere is quoted, so text
    can never start a new row of its own (Excel ends a row at a bare carriage return too).
    With ``bom``, the bytes start with the UTF-8 byte order mark (:data:`UTF8_BOM`): Excel
    reads a CSV file without one in the computer's legacy code page, so "£" or a name with
    accents would be garbled (the open data of a published report is written so).
    """
    buffer = io.StringIO()
    neutralise(table).to_csv(buffer, index=False, lineterminator="\r\n")
    return (UTF8_BOM if bom else b"") + buffer.getvalue().encode("utf-8")
