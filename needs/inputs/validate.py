"""Validation of raw input tables against the data dictionary (:data:`needs.reference.schema.TABLES`).

Every input table arrives as text (a :class:`RawTable`, built by :mod:`needs.inputs.load`), is
checked against its :class:`~needs.reference.schema.Table` and is coerced to typed columns. Every
problem is found in one pass and reported as an :class:`~needs.errors.Issue` naming the
file, the row as the user sees it (the header is row 1), the column, what was found and
what was expected.

The checks are vectorised: every column is held as a categorical of its distinct text
values, so parsing, dictionary look-ups and foreign-key look-ups run once per *distinct*
value and are broadcast to the rows through the category codes. One million referral
rows validate in seconds.

Kinds of problem found
----------------------
- a required table or column is missing; a required table has no rows;
- a blank cell in a column that must be filled;
- a cell of the wrong type (text in a number column, a date that is not a date, a period
  not written ``YYYY-YY``, an area code that is not an ONS GSS code, a yes/no that is not
  true or false);
- a value outside the column's category list;
- a count that is not a whole number, or a number below the minimum or above the maximum;
- a duplicated key (in a table stacked from several providers' sources, a key two sources
  give with different values, naming both sources and a column where they differ);
- a foreign key naming an unknown service or area (with the nearest valid values:
  ``did you mean 'S01'?``, :func:`suggestion`; category values get the same);
- a later date before an earlier one (``DateOrder``);
- a cell left blank where another column requires it (``required_when``);
- a ``characteristics`` category not in its characteristic's list;
- free text (a name, a source, a web address) longer than its limit (:func:`text_limit`):
  names are published in reports, tables and charts, and nothing longer is a real name;
- population rows for an area that has child areas (its totals come from its districts).

Unknown columns are warnings, not errors; so is a row that a later source repeats exactly (it is
loaded once, :func:`_resolve_sources`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs.errors import DataValidationError, Issue
from needs.reference import categories as cat
from needs.reference import schema
from needs.reference.periods import is_period
from needs.reference.schema import Column, Table

#: How many rows of one kind of problem in one column are listed before "and N more rows".
MAX_LISTED_ROWS = 20
#: How many allowed values are shown before the list is abbreviated.
MAX_SHOWN_VALUES = 10

_AREA_CODE = re.compile(schema.AREA_CODE_PATTERN)
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$")
_TRUE = frozenset({"true", "yes", "y", "t", "1"})
_FALSE = frozenset({"false", "no", "n", "f", "0"})

# --------------------------------------------------------------------------------------
# Free text: how long it may be
# --------------------------------------------------------------------------------------

#: Longest name (of an area, a service, a provider). The longest English council's name
#: has under 60 characters and Companies House caps a company's name at 160; a name is
#: printed in titles, table cells and chart labels, which must stay readable.
MAX_NAME_CHARS = 200
#: Longest description of a source (a publication's title, edition and table).
MAX_SOURCE_CHARS = 500
#: Longest web address: 2,000 characters, the length every browser and search engine
#: handles (the sitemaps protocol allows 2,048).
MAX_URL_CHARS = 2_000
#: Longest value of any other free-text column (one added later is capped too).
MAX_TEXT_CHARS = 500
#: Characters of a too-long value quoted in its message (never the whole text).
QUOTED_CHARS = 40
#: The limit of each free-text column (``text`` columns of the data dictionary), by name;
#: a ``text`` column not listed has :data:`MAX_TEXT_CHARS`.
TEXT_LIMITS: dict[str, int] = {
    "area_name": MAX_NAME_CHARS,
    "name": MAX_NAME_CHARS,
    "provider": MAX_NAME_CHARS,
    "source": MAX_SOURCE_CHARS,
    "source_url": MAX_URL_CHARS,
    # survivor and stakeholder voice (engagement): a theme is a short phrase, a quote is short
    "theme": MAX_NAME_CHARS,
    "quote": schema.MAX_QUOTE_CHARS,
}


def text_limit(column: Column) -> int | None:
    """Most characters a value of ``column`` may have, or ``None`` when it is not free text.

    Free text is a ``text`` column of the data dictionary (identifiers, codes, categories,
    periods, numbers and dates have their own checks): its limit is in
    :data:`TEXT_LIMITS`, else :data:`MAX_TEXT_CHARS`.
    """
    if column.kind != "text":
        return None
    return TEXT_LIMITS.get(column.name, MAX_TEXT_CHARS)


# --------------------------------------------------------------------------------------
# Warnings, with their kind
# --------------------------------------------------------------------------------------

#: Kinds of warning (:attr:`WarningIssue.kind`), so that a published report can count them
#: by kind without repeating their text (which names files, sheets and headings).
UNKNOWN_COLUMN = "unknown_column"  # a heading that is not a column of its table
UNNAMED_COLUMN = "unnamed_column"  # a column with values but no heading
EXAMPLE_ROW = "example_row"  # the template's example row, dropped
EXAMPLE_ONLY_SHEET = "example_only_sheet"  # a table holding only the example row, ignored
IGNORED_SHEET = "ignored_sheet"  # a workbook sheet that is not a table
IGNORED_FILE = "ignored_file"  # a file of the folder that is not a table or documentation
UNKNOWN_METADATA_KEY = "unknown_metadata_key"  # a key of dataset.yaml that is not known
DUPLICATE_ROW = "duplicate_row"  # a row supplied again by another source, loaded once
OTHER_WARNING = "other"
WARNING_KINDS: tuple[str, ...] = (
    UNKNOWN_COLUMN,
    UNNAMED_COLUMN,
    EXAMPLE_ROW,
    EXAMPLE_ONLY_SHEET,
    IGNORED_SHEET,
    IGNORED_FILE,
    UNKNOWN_METADATA_KEY,
    DUPLICATE_ROW,
    OTHER_WARNING,
)


@dataclass(frozen=True)
class WarningIssue(Issue):
    """A warning (an :class:`~needs.errors.Issue` of severity ``"warning"``) with its kind.

    ``kind`` is one of :data:`WARNING_KINDS`; ``table`` is the table it concerns (a name of
    :data:`needs.reference.schema.TABLES`), or ``None`` when it concerns no table (an ignored
    file or sheet). Printed exactly as an :class:`~needs.errors.Issue`.
    """

    severity: str = "warning"
    kind: str = OTHER_WARNING
    table: str | None = None


def warning(
    file: str,
    message: str,
    kind: str,
    table: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> WarningIssue:
    """A :class:`WarningIssue` of ``kind`` about ``table`` (``None``: no table)."""
    return WarningIssue(file, message, row, column, "warning", kind, table)


def warning_kind(issue: Issue) -> tuple[str, str | None]:
    """``(kind, table)`` of a warning; ``(OTHER_WARNING, None)`` for a warning without a kind."""
    if isinstance(issue, WarningIssue):
        return issue.kind, issue.table
    return OTHER_WARNING, None


# --------------------------------------------------------------------------------------
# Raw tables
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One file or sheet that supplies rows of a table.

    ``name`` is the file (and sheet) as messages show it (``referrals.csv`` or
    ``refuge-a.xlsx, sheet 'referrals'``); ``provider`` is the organisation that supplied it
    (``""`` when the source names none: see :mod:`needs.inputs.load`); ``columns`` are the
    headings it has.
    """

    name: str
    provider: str = ""
    columns: tuple[str, ...] = ()


@dataclass
class RawTable:
    """One input table as read from one or several files, before validation.

    Parameters
    ----------
    table
        Table name in :data:`needs.reference.schema.TABLES`.
    source
        Where the table came from, as shown in messages: ``referrals.csv`` or
        ``providers.xlsx, sheet 'referrals'`` (for a table stacked from several sources, their
        names joined with "and").
    frame
        One column per heading (headings stripped of surrounding spaces); every column is a
        pandas ``Categorical`` of text with surrounding whitespace stripped and blank cells
        as ``""`` (never missing).
    rows
        Row number of each row of ``frame`` as the user sees it in the file or sheet
        (the header is row 1, so the first data row is normally row 2).
    provider
        The organisation that supplied the rows (``""``: not named).
    sources
        The sources of a stacked table (:func:`stack_sources`), in stacking order; empty for
        a table read from one source (then :attr:`source` and :attr:`provider` are it).
    source_codes
        For a stacked table, the position in ``sources`` of each row's source.
    """

    table: str
    source: str
    frame: pd.DataFrame
    rows: np.ndarray
    provider: str = ""
    sources: tuple[Source, ...] = ()
    source_codes: np.ndarray | None = None

    @property
    def parts(self) -> tuple[Source, ...]:
        """Every source of the table (one for a table read from one file or sheet)."""
        if self.sources:
            return self.sources
        return (Source(self.source, self.provider, tuple(self.frame.columns)),)

    def codes(self) -> np.ndarray:
        """Position in :attr:`parts` of each row's source."""
        if self.source_codes is None:
            return np.zeros(len(self.frame), dtype=np.int64)
        return self.source_codes

    def source_at(self, position: int) -> str:
        """The file (and sheet) of the row at ``position`` (0-based in ``frame``)."""
        if self.source_codes is None:
            return self.source
        return self.sources[int(self.source_codes[position])].name

    def take(self, positions: np.ndarray) -> RawTable:
        """The rows at ``positions`` (0-based), with their sources."""
        codes = None if self.source_codes is None else self.source_codes[positions]
        frame = self.frame.iloc[positions].reset_index(drop=True)
        return RawTable(
            self.table, self.source, frame, self.rows[positions], self.provider, self.sources, codes
        )


def _concatenated(parts: list[pd.Categorical]) -> pd.Categorical:
    """Categoricals of text (no missing codes) one after the other, their categories merged
    once (distinct values are factorised, rows only re-coded)."""
    offsets = np.cumsum([0] + [len(part.categories) for part in parts])
    categories = np.concatenate([np.asarray(part.categories, dtype=object) for part in parts])
    codes = np.concatenate(
        [
            np.asarray(part.codes, dtype=np.int64) + offset
            for part, offset in zip(parts, offsets, strict=False)
        ]
    )
    merged, uniques = pd.factorize(categories)
    return pd.Categorical.from_codes(merged[codes], categories=pd.Index(uniques, dtype=object))


def stack_sources(raws: list[RawTable]) -> RawTable:
    """One table stacked from the rows of several sources of the same table, in the order given.

    Columns are the union of the sources' headings in order of first appearance; a source
    without a column has blank cells in it. Every row keeps its source
    (:attr:`RawTable.source_codes`) and its row number in that source. One source is returned
    as it is.
    """
    if len(raws) == 1:
        return raws[0]
    names = list(dict.fromkeys(name for raw in raws for name in raw.frame.columns))
    columns = {}
    for name in names:
        parts = [
            raw.frame[name].array
            if name in raw.frame.columns
            else pd.Categorical.from_codes(
                np.zeros(len(raw.frame), dtype=np.int8), categories=pd.Index([""], dtype=object)
            )
            for raw in raws
        ]
        columns[name] = _concatenated(parts)
    size = sum(len(raw.frame) for raw in raws)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(size))
    sources = tuple(part for raw in raws for part in raw.parts)
    codes = np.repeat(np.arange(len(raws)), [len(raw.frame) for raw in raws])
    rows = np.concatenate([np.asarray(raw.rows, dtype=np.int64) for raw in raws])
    source = " and ".join(part.name for part in sources)
    return RawTable(raws[0].table, source, frame, rows, "", sources, codes)


def text_categorical(values: pd.Series | pd.Categorical | np.ndarray) -> pd.Categorical:
    """Text values as a categorical of stripped strings, blanks as ``""``.

    Parameters
    ----------
    values
        Strings (or a categorical of strings); missing values become ``""``.

    Returns
    -------
    pandas.Categorical
        Distinct stripped strings as categories (unordered), no missing codes.
    """
    categorical = values if isinstance(values, pd.Categorical) else pd.Categorical(values)
    categories = np.asarray(categorical.categories, dtype=object)
    stripped = np.array([str(value).strip() for value in categories] + [""], dtype=object)
    new_codes, uniques = pd.factorize(stripped)
    codes = np.asarray(categorical.codes, dtype=np.int64)
    codes = np.where(codes < 0, len(categories), codes)  # missing -> the "" appended last
    return pd.Categorical.from_codes(new_codes[codes], categories=pd.Index(uniques, dtype=object))


def _format_uniques(values: pd.Index | np.ndarray) -> np.ndarray:
    """Text of each distinct value of a typed column (used by :func:`raw_from_frame`)."""
    index = pd.Index(values)
    if isinstance(index, pd.DatetimeIndex):
        return np.asarray(index.strftime("%Y-%m-%d"), dtype=object)
    out = []
    for value in index:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
            out.append("")
        elif isinstance(value, bool | np.bool_):
            out.append("true" if value else "false")
        elif isinstance(value, float | np.floating) and float(value).is_integer():
            out.append(str(int(value)))
        elif isinstance(value, pd.Timestamp):
            out.append(value.strftime("%Y-%m-%d"))
        else:
            out.append(str(value))
    return np.asarray(out, dtype=object)


def raw_from_frame(table: str, frame: pd.DataFrame, source: str | None = None) -> RawTable:
    """Turn an in-memory DataFrame of any dtypes into a :class:`RawTable` of text.

    Used to validate frames built in code (synthetic data, tests) with exactly the rules
    applied to files. Dates are written ``YYYY-MM-DD``, booleans ``true``/``false`` and
    whole floats as integers. Rows are numbered as in a CSV file (first data row 2).
    """
    columns = {}
    for name in frame.columns:
        series = frame[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categorical = series.array
        else:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            categorical = _text_from_codes(codes, _format_uniques(uniques))
        columns[str(name).strip()] = text_categorical(categorical)
    raw = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    return RawTable(table, source or f"{table}.csv", raw, np.arange(len(frame)) + 2)


def _text_from_codes(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """Categorical from factorize codes and the (possibly repeated) text of each unique."""
    texts = np.append(texts, "")  # position len(texts) is the missing value
    codes = np.where(codes < 0, len(texts) - 1, codes)
    new_codes, uniques = pd.factorize(texts)
    return pd.Categorical.from_codes(new_codes[codes], categories=pd.Index(uniques, dtype=object))


# --------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------


def _quote(value: object, limit: int = 60) -> str:
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{text}'"


def allowed_list(codes: tuple[str, ...] | list[str], limit: int = MAX_SHOWN_VALUES) -> str:
    """Allowed values for a message, abbreviated when the list is long."""
    codes = list(codes)
    if len(codes) <= limit:
        return ", ".join(codes)
    return ", ".join(codes[:limit]) + f", ... ({len(codes)} values; run 'needs dictionary' for the full list)"


def _did_you_mean(value: str, codes: tuple[str, ...] | list[str]) -> str:
    replaced_by = cat.RETIRED_CODES.get(value.strip().lower(), ())
    if replaced_by and set(replaced_by) <= set(codes):
        choices = ", ".join(f"'{code}'" for code in replaced_by[:-1]) + f" or '{replaced_by[-1]}'"
        return f" ('{value.strip()}' is no longer used: it was split into {choices}; record the one that applies)"
    lowered = {code.lower(): code for code in codes}
    normalised = value.strip().lower().replace(" ", "_").replace("-", "_")
    if normalised in lowered:
        return f" (did you mean '{lowered[normalised]}'?)"
    close = suggestion(value, list(codes))
    return f" ({close[2:]})" if close else ""


#: How close a mistyped value must be to a valid one to be suggested (:func:`difflib.get_close_matches`'
#: ratio, 0 to 1), and how many valid values are suggested at most.
SUGGESTION_CUTOFF = 0.6
MAX_SUGGESTIONS = 3
#: Values less near than the nearest by more than this are not suggested beside it.
SUGGESTION_TIE = 0.05


def suggestion(value: str, valid: list[str], n: int = MAX_SUGGESTIONS) -> str:
    """``"; did you mean 'DRF01'?"``: the valid values nearest to a mistyped one, or ``""``.

    Nearness is :func:`difflib.get_close_matches`' ratio ``2M / T`` (``M`` characters matched,
    ``T`` characters in both strings) of the case-folded values, at least
    :data:`SUGGESTION_CUTOFF`; at most ``n`` values, nearest first, those as near as the
    nearest (within :data:`SUGGESTION_TIE`) only.
    """
    text = str(value).strip()
    if not text or not valid:
        return ""
    folded: dict[str, str] = {}
    for item in valid:
        folded.setdefault(item.casefold(), item)
    close = difflib.get_close_matches(text.casefold(), list(folded), n=n, cutoff=SUGGESTION_CUTOFF)
    if not close:
        return ""
    ratios = [difflib.SequenceMatcher(None, text.casefold(), item).ratio() for item in close]
    close = [item for item, ratio in zip(close, ratios, strict=True) if ratio >= ratios[0] - SUGGESTION_TIE]
    quoted = [f"'{folded[item]}'" for item in close]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
    return f"; did you mean {listed}?"


class _Issues:
    """Collects issues, listing at most :data:`MAX_LISTED_ROWS` rows per kind and column."""

    def __init__(self) -> None:
        self.items: list[Issue] = []

    def add(self, file: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.items.append(Issue(file, message, row, column, "error"))

    def warn(
        self,
        file: str,
        message: str,
        kind: str,
        table: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.items.append(warning(file, message, kind, table, row, column))

    def rows(
        self,
        raw: RawTable,
        column: str | None,
        positions: np.ndarray,
        message: Callable[[int], str],
        problem: str,
    ) -> None:
        """Report the rows at ``positions`` (0-based positions in ``raw.frame``).

        ``message(position)`` builds the message of one listed row; ``problem`` names the
        kind of problem for the "and N more rows" line.
        """
        positions = np.asarray(positions)
        if positions.size == 0:
            return
        for position in positions[:MAX_LISTED_ROWS]:
            self.add(raw.source_at(int(position)), message(int(position)), int(raw.rows[position]), column)
        more = positions.size - MAX_LISTED_ROWS
        if more > 0:
            self.add(
                raw.source,
                f"and {more:,} more row{'s' if more != 1 else ''} with the same problem ({problem})",
                None,
                column,
            )

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.items if issue.severity == "error"]


# --------------------------------------------------------------------------------------
# Column conversion (on distinct values)
# --------------------------------------------------------------------------------------

# Problem kinds per distinct value.
_OK, _BLANK, _TYPE, _NOT_WHOLE, _BELOW, _ABOVE, _NOT_IN_LIST, _TOO_LONG = range(8)


def _parse_numbers(uniques: np.ndarray) -> np.ndarray:
    """Float value of each distinct text (NaN where it is not a number).

    Accepts what Excel writes when it saves a CSV: ``1,234`` thousands separators and a
    leading ``£``.
    """
    values = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)
    retry = np.isnan(values) & (uniques != "")
    if retry.any():
        cleaned = pd.Series(uniques[retry], dtype=object).str.replace("£", "", regex=False).str.strip()
        thousands = cleaned.str.match(_THOUSANDS).fillna(False).to_numpy(dtype=bool)
        cleaned = cleaned.where(~thousands, cleaned.str.replace(",", "", regex=False))
        values[retry] = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    values[~np.isfinite(values)] = np.nan
    return values


def _parse_dates(uniques: np.ndarray) -> pd.DatetimeIndex:
    """Date of each distinct text (NaT where it is not a date).

    Accepts ``YYYY-MM-DD`` (also with a time, as Excel date cells carry), and the
    ``DD/MM/YYYY`` that UK Excel writes when it re-saves a CSV.
    """
    series = pd.Series(uniques, dtype=object)
    dates = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce").copy()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        missing = dates.isna() & (series != "")
        if not missing.any():
            break
        dates[missing] = pd.to_datetime(series[missing], format=fmt, errors="coerce")
    return pd.DatetimeIndex(dates.dt.normalize()).as_unit("ns")


def _expected(column: Column, kind: int) -> str:
    if kind == _NOT_WHOLE:
        return "a whole number"
    if kind == _BELOW:
        return f"a value of at least {column.minimum:g}"
    if kind == _ABOVE:
        return f"a value of at most {column.maximum:g}"
    if kind == _TOO_LONG:
        return f"at most {text_limit(column):,} characters"
    if column.kind == "category":
        return "one of " + allowed_list(column.categories.codes)
    if column.kind == "period":
        return "a financial year written YYYY-YY with consecutive years, e.g. 2024-25"
    if column.kind == "date":
        return "a date written YYYY-MM-DD, e.g. 2024-05-31"
    if column.kind == "code":
        return "an ONS GSS area code: a letter and 8 digits, e.g. E10000018"
    if column.kind == "bool":
        return "true or false"
    if column.kind == "int":
        return "a whole number"
    if column.kind == "number":
        return "a number"
    return column.allowed_values


_PROBLEM_NAMES = {
    _BLANK: "blank",
    _TYPE: "wrong type",
    _NOT_WHOLE: "not a whole number",
    _BELOW: "too small",
    _ABOVE: "too large",
    _NOT_IN_LIST: "not an allowed value",
    _TOO_LONG: "too long",
}


def _convert_column(column: Column, raw: pd.Categorical) -> tuple[object, np.ndarray, np.ndarray]:
    """Convert one column of text.

    Returns
    -------
    values
        The typed column (a pandas array or Categorical), missing where invalid or blank.
    problems
        Problem kind of every distinct value (``_OK`` ...).
    codes
        Category code of every row (index into ``problems``).
    """
    uniques = np.asarray(raw.categories, dtype=object)
    codes = np.asarray(raw.codes, dtype=np.intp)
    blank = uniques == ""
    problems = np.full(len(uniques), _OK, dtype=np.int8)
    kind = column.kind

    if kind == "category":
        allowed = list(column.categories.codes)
        position = pd.Index(allowed).get_indexer(uniques)
        problems[(position < 0) & ~blank] = _NOT_IN_LIST
        values: object = pd.Categorical.from_codes(position[codes], categories=allowed)
    elif kind in ("int", "number"):
        numbers = _parse_numbers(uniques)
        problems[np.isnan(numbers) & ~blank] = _TYPE
        valid = ~np.isnan(numbers)
        if kind == "int":
            problems[valid & (numbers != np.floor(numbers))] = _NOT_WHOLE
        if column.minimum is not None:
            problems[valid & (problems == _OK) & (numbers < column.minimum)] = _BELOW
        if column.maximum is not None:
            problems[valid & (problems == _OK) & (numbers > column.maximum)] = _ABOVE
        row_values = numbers[codes]
        if kind == "int":
            whole = np.where(problems[codes] == _OK, row_values, np.nan)
            missing = np.isnan(whole)
            integers = np.where(missing, 0, whole).astype(np.int64)
            if column.nullable or missing.any():
                values = pd.arrays.IntegerArray(integers, missing)
            else:
                values = integers
        else:
            values = np.where(problems[codes] == _OK, row_values, np.nan)
    elif kind == "date":
        dates = _parse_dates(uniques)
        problems[dates.isna() & ~blank] = _TYPE
        values = dates.take(codes).to_numpy()
    elif kind == "bool":
        lowered = np.array([value.lower() for value in uniques], dtype=object)
        truth = np.isin(lowered, list(_TRUE))
        falsity = np.isin(lowered, list(_FALSE))
        problems[~truth & ~falsity & ~blank] = _TYPE
        values = pd.arrays.BooleanArray(truth[codes], ~(truth | falsity)[codes])
    else:
        if kind == "period":
            ok = np.array([is_period(value) for value in uniques], dtype=bool)
            problems[~ok & ~blank] = _TYPE
        elif kind == "code":
            ok = np.array([bool(_AREA_CODE.match(value)) for value in uniques], dtype=bool)
            problems[~ok & ~blank] = _TYPE
        elif kind == "text":
            lengths = pd.Series(uniques, dtype=object).str.len().to_numpy(dtype=np.int64)
            problems[lengths > text_limit(column)] = _TOO_LONG
        texts = np.where(blank | (problems != _OK), None, uniques).astype(object)
        values = pd.array(texts[codes], dtype="str")

    if not column.nullable:
        problems[blank] = _BLANK
    return values, problems, codes


def _report_column(
    issues: _Issues, raw: RawTable, column: Column, problems: np.ndarray, codes: np.ndarray
) -> None:
    """Report the rows of one column whose value has a problem, one group per kind."""
    if not (problems != _OK).any():
        return
    uniques = np.asarray(raw.frame[column.name].cat.categories, dtype=object)
    row_problems = problems[codes]
    for kind in np.unique(row_problems[row_problems != _OK]):
        positions = np.flatnonzero(row_problems == kind)

        def message(position: int, kind: int = int(kind)) -> str:
            found = uniques[codes[position]]
            if kind == _BLANK:
                return f"blank; expected {_expected(column, _TYPE)} (this column must be filled)"
            if kind == _TOO_LONG:
                start = re.sub(r"\s", " ", found[:QUOTED_CHARS])  # one line, whatever the text
                return f"found {len(found):,} characters ('{start}…'); expected {_expected(column, kind)}"
            text = f"found {_quote(found)}; expected {_expected(column, kind)}"
            if kind == _NOT_IN_LIST:
                text += _did_you_mean(found, column.categories.codes)
            elif kind == _TYPE and column.kind == "period" and re.match(r"^\d{4}\D\d{2}$", found):
                text += (
                    f" (did you mean '{found[:4]}-{found[5:]}'?)"
                    if is_period(f"{found[:4]}-{found[5:]}")
                    else ""
                )
            return text

        issues.rows(raw, column.name, positions, message, _PROBLEM_NAMES[int(kind)])


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


@dataclass
class _Checked:
    raw: RawTable
    frame: pd.DataFrame  # typed columns present in the file
    valid: pd.DataFrame  # boolean: cell is present and valid
    duplicates: np.ndarray | None = None  # rows dropped as another source's row, by source

    def take(self, positions: np.ndarray) -> _Checked:
        """The rows at ``positions`` (0-based)."""
        index = pd.RangeIndex(len(positions))
        return _Checked(
            self.raw.take(positions),
            self.frame.iloc[positions].set_axis(index),
            self.valid.iloc[positions].set_axis(index),
            self.duplicates,
        )


def _check_columns(issues: _Issues, raw: RawTable, table: Table) -> list[Column]:
    """Report missing and unknown columns; return the dictionary columns present."""
    known = set(table.column_names)
    for part in raw.parts:
        present = set(part.columns)
        for column in table.columns:
            if column.required and column.name not in present:
                near = difflib.get_close_matches(column.name, [c for c in present if c not in known], n=1)
                hint = f" (is '{near[0]}' meant to be '{column.name}'?)" if near else ""
                issues.add(
                    part.name,
                    f"required column is missing{hint}; the heading row must include '{column.name}' "
                    f"({column.description})",
                    None,
                    column.name,
                )
        for name in part.columns:
            if name not in known:
                issues.warn(
                    part.name,
                    f"unknown column, ignored (columns of '{table.name}' are: "
                    f"{allowed_list(table.column_names, 40)})",
                    UNKNOWN_COLUMN,
                    table.name,
                    column=name,
                )
    present = set(raw.frame.columns)
    return [column for column in table.columns if column.name in present]


def _check_table(issues: _Issues, raw: RawTable, table: Table) -> _Checked:
    columns = _check_columns(issues, raw, table)
    if len(raw.frame) == 0 and table.required:
        issues.add(
            raw.source, f"has a heading row but no data rows; the '{table.name}' table needs at least one row"
        )
    typed: dict[str, object] = {}
    valid: dict[str, np.ndarray] = {}
    for column in columns:
        values, problems, codes = _convert_column(column, raw.frame[column.name].array)
        _report_column(issues, raw, column, problems, codes)
        typed[column.name] = values
        valid[column.name] = problems[codes] == _OK
    index = pd.RangeIndex(len(raw.frame))
    return _Checked(raw, pd.DataFrame(typed, index=index), pd.DataFrame(valid, index=index, dtype=bool))


def _filled(checked: _Checked, column: str) -> np.ndarray:
    """Rows where ``column`` holds a valid, non-blank value."""
    return (checked.valid[column] & checked.frame[column].notna()).to_numpy()


def _check_key(issues: _Issues, checked: _Checked, table: Table) -> None:
    key = list(table.key)
    if not key or any(name not in checked.frame.columns for name in key):
        return
    frame = checked.frame[key]
    usable = np.logical_and.reduce([_filled(checked, name) for name in key])
    duplicated = frame.duplicated(keep=False).to_numpy() & usable
    if not duplicated.any():
        return
    positions = np.flatnonzero(duplicated)
    group = frame.iloc[positions].groupby(key, observed=True, sort=False, dropna=False).ngroup().to_numpy()
    # first row of each duplicated key, in file order; the rows of each key listed in full
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    groups = np.split(positions[order], starts[1:])
    groups.sort(key=lambda rows: rows[0])
    raw = checked.raw
    label = ", ".join(key)
    codes = raw.codes()
    for rows in groups[:MAX_LISTED_ROWS]:
        values = ", ".join(_quote(checked.frame[name].iloc[rows[0]]) for name in key)
        if len(set(codes[rows].tolist())) == 1:
            file_rows = [str(int(raw.rows[position])) for position in rows]
            listed = (
                "rows "
                + ", ".join(file_rows[:10])
                + (f" and {len(file_rows) - 10} more" if len(file_rows) > 10 else "")
            )
            differ = ""
        else:  # supplied by several sources: name them, and a column where the rows differ
            where = [f"{raw.source_at(int(p))} row {int(raw.rows[p])}" for p in rows]
            listed = ", ".join(where[:10]) + (f" and {len(where) - 10} more" if len(where) > 10 else "")
            differ = _first_difference(checked, int(rows[0]), int(rows[1]), key)
        issues.add(
            raw.source_at(int(rows[1])),
            f"duplicate {label} {values} on {listed}{differ}; each {label} must appear only once",
            int(raw.rows[rows[1]]),
            label,
        )
    more = len(groups) - MAX_LISTED_ROWS
    if more > 0:
        issues.add(raw.source, f"and {more:,} more duplicated {label} values", None, label)


def _first_difference(checked: _Checked, first: int, second: int, key: list[str]) -> str:
    """`` with different values (column 'x': 'a' and 'b')`` for two rows of different sources."""
    for name in checked.raw.frame.columns:
        if name in key:
            continue
        a, b = checked.raw.frame[name].iloc[first], checked.raw.frame[name].iloc[second]
        if name in checked.frame.columns:
            typed_a, typed_b = checked.frame[name].iloc[first], checked.frame[name].iloc[second]
            if (pd.isna(typed_a) and pd.isna(typed_b)) or (
                not pd.isna(typed_a) and not pd.isna(typed_b) and typed_a == typed_b
            ):
                continue
        elif a == b:
            continue
        return f" with different values (column '{name}': {_quote(a)} and {_quote(b)})"
    return ""


def _check_date_orders(issues: _Issues, checked: _Checked, table: Table) -> None:
    for order in table.date_orders:
        if order.earlier not in checked.frame.columns or order.later not in checked.frame.columns:
            continue
        earlier = checked.frame[order.earlier].to_numpy()
        later = checked.frame[order.later].to_numpy()
        both = _filled(checked, order.earlier) & _filled(checked, order.later)
        positions = np.flatnonzero(both & (later < earlier))
        raw = checked.raw

        def message(position: int, order: schema.DateOrder = order, raw: RawTable = raw) -> str:
            return (
                f"{order.later} {raw.frame[order.later].iloc[position]} is before "
                f"{order.earlier} {raw.frame[order.earlier].iloc[position]}; "
                f"expected {order.later} on or after {order.earlier}"
            )

        issues.rows(raw, order.later, positions, message, f"{order.later} before {order.earlier}")


def _check_required_when(issues: _Issues, checked: _Checked, table: Table) -> None:
    for column, when_column, when_values in table.required_when:
        if column not in checked.frame.columns or when_column not in checked.frame.columns:
            continue
        condition = checked.frame[when_column].astype(object).isin(list(when_values)).to_numpy()
        blank = (checked.raw.frame[column].astype(object) == "").to_numpy()
        positions = np.flatnonzero(condition & blank)
        raw = checked.raw

        def message(position: int, when_column: str = when_column, raw: RawTable = raw) -> str:
            found = raw.frame[when_column].iloc[position]
            return f"blank; expected a value because {when_column} is '{found}'"

        issues.rows(raw, column, positions, message, f"blank when {when_column} is {'/'.join(when_values)}")


def _check_foreign_keys(issues: _Issues, checked: dict[str, _Checked], table: Table) -> None:
    source = checked[table.name]
    for fk in table.foreign_keys:
        target = checked.get(fk.table)
        if (
            fk.column not in source.frame.columns
            or target is None
            or fk.target_column not in target.frame.columns
        ):
            continue
        known = pd.Index(
            target.frame[fk.target_column][_filled(target, fk.target_column)].astype(object).unique()
        )
        raw_column = source.raw.frame[fk.column].array
        uniques = np.asarray(raw_column.categories, dtype=object)
        unknown = ~pd.Index(uniques).isin(known) & (uniques != "")
        positions = np.flatnonzero(unknown[raw_column.codes] & source.valid[fk.column].to_numpy())
        target_source = target.raw.source

        def message(
            position: int,
            fk: schema.ForeignKey = fk,
            target_source: str = target_source,
            known: pd.Index = known,
        ) -> str:
            found = source.raw.frame[fk.column].iloc[position]
            article = "an" if fk.target_column[0] in "aeiou" else "a"
            return (
                f"found {_quote(found)}; expected {article} {fk.target_column} listed in {target_source}"
                + suggestion(found, [str(value) for value in known])
            )

        issues.rows(source.raw, fk.column, positions, message, f"not in {fk.table}")


def _check_characteristic_categories(issues: _Issues, checked: _Checked) -> None:
    frame = checked.frame
    if "characteristic" not in frame.columns or "category" not in frame.columns:
        return
    raw = checked.raw
    characteristic = frame["characteristic"].astype(object)
    category = raw.frame["category"].astype(object)
    bad = np.zeros(len(frame), dtype=bool)
    for name, codes in cat.CENSUS_CHARACTERISTICS.items():
        bad |= ((characteristic == name) & ~category.isin(list(codes.codes)) & (category != "")).to_numpy()
    bad &= checked.valid["category"].to_numpy()  # a category too long to be a code is reported once
    positions = np.flatnonzero(bad)

    def message(position: int) -> str:
        name = characteristic.iloc[position]
        codes = cat.CENSUS_CHARACTERISTICS[name].codes
        found = category.iloc[position]
        return f"found {_quote(found)}; expected one of {allowed_list(codes)} for {name}" + _did_you_mean(
            found, codes
        )

    issues.rows(raw, "category", positions, message, "category not in the characteristic's list")


def _check_population_areas(issues: _Issues, checked: dict[str, _Checked]) -> None:
    """Population rows must be for areas without child areas (counties sum their districts)."""
    areas, population = checked.get("areas"), checked.get("population")
    if areas is None or population is None or "area_code" not in population.frame.columns:
        return
    if "parent_code" not in areas.frame.columns:
        return
    parents = areas.frame["parent_code"][_filled(areas, "parent_code")].astype(object)
    children = parents.groupby(parents.to_numpy()).size()
    codes = population.frame["area_code"].astype(object)
    positions = np.flatnonzero(codes.isin(children.index).to_numpy())
    raw = population.raw

    def message(position: int) -> str:
        code = codes.iloc[position]
        return (
            f"found {_quote(code)}, an area with {children[code]} child area(s) in {areas.raw.source}; "
            "expected population only for areas without child areas (a county's population is "
            "summed from its districts): remove these rows or the areas' parent_code"
        )

    issues.rows(raw, "area_code", positions, message, "population for an area with child areas")


# --------------------------------------------------------------------------------------
# Tables supplied by several sources (one per provider)
# --------------------------------------------------------------------------------------

#: The identifier of each table whose identifiers are local to the provider that supplied them:
#: in a table stacked from several sources they are namespaced ``<provider>:<id>``
#: (:func:`_resolve_sources`). ``household_id`` is not: a pseudonymised household is the same
#: household at every provider (``needs pseudonymise``).
NAMESPACED_KEYS: dict[str, str] = {"referrals": "referral_id"}


def _namespaced(checked: _Checked, column: str) -> None:
    """Prefix ``column`` of every row of a named provider's source with ``<provider>:``."""
    raw = checked.raw
    prefixes = np.array([f"{part.provider}:" if part.provider else "" for part in raw.parts], dtype=object)
    values = checked.frame[column].astype(object).to_numpy()
    filled = ~pd.isna(values)
    named = prefixes[raw.codes()]
    out = values.copy()
    out[filled] = named[filled] + values[filled].astype(str)
    checked.frame[column] = pd.array(np.where(filled, out, None), dtype="str")


def _resolve_sources(issues: _Issues, checked: _Checked, table: Table) -> _Checked:
    """Namespace provider-local identifiers and drop rows repeated by a later source.

    For a table stacked from several sources (:func:`stack_sources`): the identifier of
    :data:`NAMESPACED_KEYS` becomes ``<provider>:<id>`` on the rows of every source that names
    its provider (a source naming none keeps its identifiers, so a folder with one file per
    table loads exactly as before). Then a row of a later source whose every column equals a row
    of an earlier source (the namespaced identifier excepted) is the same record supplied twice:
    a warning names both sources and rows, and it is loaded once. Rows of one source are never
    compared with each other (the key check finds those). Two rows with the same key and
    different values are left to the key check, which names both sources.
    """
    raw = checked.raw
    parts = raw.parts
    checked.duplicates = np.zeros(len(parts), dtype=np.int64)
    if len(parts) < 2 or len(raw.frame) == 0:
        return checked
    local = NAMESPACED_KEYS.get(table.name)
    if local is not None and local in checked.frame.columns:
        _namespaced(checked, local)
    compared = [name for name in checked.frame.columns if name != local]
    if not compared:
        return checked
    codes = raw.codes()
    hashes = pd.util.hash_pandas_object(checked.frame[compared], index=False).to_numpy()
    group, _ = pd.factorize(hashes)
    order = np.lexsort((np.arange(len(group)), codes, group))  # each group's earliest source first
    first = np.empty(group.max() + 1, dtype=np.int64)
    first[group[order[::-1]]] = order[::-1]  # the last assignment wins: the first in order
    earliest = codes[first[group]]
    repeated = np.flatnonzero(codes > earliest)
    if repeated.size == 0:
        return checked
    checked.duplicates = np.bincount(codes[repeated], minlength=len(parts))
    except_id = f" except {local}" if local is not None else ""

    def message(position: int) -> str:
        original = int(first[group[position]])
        return (
            f"the same row as {raw.source_at(original)} row {int(raw.rows[original])} (every column "
            f"equal{except_id}): supplied twice, loaded once"
        )

    for position in repeated[:MAX_LISTED_ROWS]:
        issues.warn(
            raw.source_at(int(position)),
            message(int(position)),
            DUPLICATE_ROW,
            table.name,
            int(raw.rows[position]),
        )
    more = repeated.size - MAX_LISTED_ROWS
    if more > 0:
        issues.warn(
            raw.source,
            f"and {more:,} more row{'s' if more != 1 else ''} supplied twice, loaded once",
            DUPLICATE_ROW,
            table.name,
        )
    keep = np.ones(len(group), dtype=bool)
    keep[repeated] = False
    return checked.take(np.flatnonzero(keep))


#: Columns of :func:`validate_sources`' table of rows by source.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "table",
    "provider",
    "source",
    "rows",
    "duplicates",
    "rows_with_warnings",
)


def _provenance(
    checked: dict[str, _Checked], supplied: Mapping[str, RawTable], items: list[Issue]
) -> pd.DataFrame:
    """Rows of each table by source: supplied, dropped as duplicates, named by a warning."""
    warned: dict[str, set[int]] = {}
    for issue in items:
        if issue.severity == "warning" and issue.row is not None:
            warned.setdefault(issue.file, set()).add(issue.row)
    records = []
    for name, item in checked.items():
        raw = supplied[name]
        sizes = np.bincount(raw.codes(), minlength=len(raw.parts))
        duplicates = item.duplicates if item.duplicates is not None else np.zeros(len(raw.parts), np.int64)
        for position, part in enumerate(raw.parts):
            records.append(
                (
                    name,
                    part.provider,
                    part.name,
                    int(sizes[position]),
                    int(duplicates[position]),
                    len(warned.get(part.name, ())),
                )
            )
    return pd.DataFrame.from_records(records, columns=list(PROVENANCE_COLUMNS))


def _row_providers(checked: _Checked) -> pd.Categorical:
    """The provider of each loaded row (``""``: not named)."""
    providers = [part.provider for part in checked.raw.parts]
    codes, names = pd.factorize(np.array(providers, dtype=object))
    return pd.Categorical.from_codes(codes[checked.raw.codes()], categories=pd.Index(names, dtype=object))


def validate_raw(raw_tables: Mapping[str, RawTable]) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """Validate raw text tables and convert them to typed tables.

    Parameters
    ----------
    raw_tables
        Table name to :class:`RawTable`. Names not in :data:`needs.reference.schema.TABLES` are
        ignored (the reader warns about them).

    Returns
    -------
    tables
        Typed tables (only the dictionary's columns, in dictionary order; optional columns
        that were not supplied are absent). Meaningful only if there are no errors.
    issues
        Every error and warning found, in table order.
    """
    tables, issues, _, _ = validate_sources(raw_tables)
    return tables, issues


def validate_sources(
    raw_tables: Mapping[str, RawTable],
) -> tuple[dict[str, pd.DataFrame], list[Issue], pd.DataFrame, dict[str, pd.Categorical]]:
    """:func:`validate_raw`, with where the rows came from.

    A table stacked from several sources (:func:`stack_sources`) has its provider-local
    identifiers namespaced and the rows a later source repeats dropped
    (:func:`_resolve_sources`) before its key, foreign keys and other rules are checked.

    Returns
    -------
    tables, issues
        As :func:`validate_raw`.
    provenance
        One row per table and source (:data:`PROVENANCE_COLUMNS`): ``provider`` (``""``: not
        named), ``source`` (file and sheet: for the analyst, never published), ``rows``
        supplied, ``duplicates`` (of these, rows dropped as repeating an earlier source's row),
        ``rows_with_warnings`` (rows a warning names).
    providers
        Table name to the provider of each row of its typed table.
    """
    issues = _Issues()
    checked: dict[str, _Checked] = {}
    for name, table in schema.TABLES.items():
        if name not in raw_tables:
            if table.required:
                issues.add(
                    f"{name}.csv",
                    f"required table '{name}' not found: add {name}.csv or {name}.xlsx to the folder, "
                    f"or a sheet named '{name}' to a workbook in it",
                )
            continue
        checked[name] = _resolve_sources(issues, _check_table(issues, raw_tables[name], table), table)
    for name, table in schema.TABLES.items():
        if name not in checked:
            continue
        _check_key(issues, checked[name], table)
        _check_date_orders(issues, checked[name], table)
        _check_required_when(issues, checked[name], table)
        _check_foreign_keys(issues, checked, table)
    if "characteristics" in checked:
        _check_characteristic_categories(issues, checked["characteristics"])
    _check_population_areas(issues, checked)
    tables = {
        name: item.frame[[c for c in schema.TABLES[name].column_names if c in item.frame.columns]]
        for name, item in checked.items()
    }
    provenance = _provenance(checked, raw_tables, issues.items)
    providers = {name: _row_providers(item) for name, item in checked.items()}
    return tables, issues.items, provenance, providers


def validate_one(raw: RawTable, table: Table) -> tuple[pd.DataFrame, list[Issue]]:
    """Validate one raw table against a :class:`~needs.reference.schema.Table` that is not one
    of :data:`~needs.reference.schema.TABLES` (the commissioning intentions of
    ``intentions.yaml``), with the rules of :func:`validate_raw` that need no other table.

    Returns
    -------
    frame
        The typed table (the dictionary's columns present, in dictionary order).
    issues
        Every error and warning found.
    """
    issues = _Issues()
    checked = _check_table(issues, raw, table)
    _check_key(issues, checked, table)
    _check_date_orders(issues, checked, table)
    _check_required_when(issues, checked, table)
    frame = checked.frame[[c for c in table.column_names if c in checked.frame.columns]]
    return frame, issues.items


def validate_tables(frames: Mapping[str, pd.DataFrame], folder: str = "") -> dict[str, pd.DataFrame]:
    """Validate in-memory tables with the rules applied to files, and coerce their types.

    Parameters
    ----------
    frames
        Table name to DataFrame (any dtypes: values are turned into text first).
    folder
        Name used in the error message.

    Returns
    -------
    dict of str to pandas.DataFrame
        Typed tables, as :func:`needs.load` returns them.

    Raises
    ------
    DataValidationError
        Listing every problem found.
    """
    raw = {name: raw_from_frame(name, frame) for name, frame in frames.items()}
    tables, issues = validate_raw(raw)
    if any(issue.severity == "error" for issue in issues):
        raise DataValidationError(issues, folder)
    return tables
