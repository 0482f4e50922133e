"""The report's "Data quality" section: the input tables used and the warnings, by kind.

Loading a data folder (:func:`needs.inputs.load.load`) keeps two views of its warnings. The
strings of :attr:`~needs.inputs.dataset.Dataset.warnings` are for the analyst (``needs
validate`` prints them): they name files, sheets, column headings and rows. A data folder
is not public: a stray file may be named after a victim ("Jane Doe DOB 1980-01-01
referral.docx"), and a heading may be anything a provider typed. So the published section
is built only from :attr:`~needs.inputs.dataset.Dataset.warning_kinds`, the kind of each
warning and the input table it concerns: one line per kind with its count, written from
the fixed sentences of this module. It repeats no text taken from the data folder: no
file, sheet or column name, only the names of input tables from the data dictionary
(:data:`needs.reference.schema.TABLES`), and it stays a handful of lines however many
warnings there are.

Where a table was supplied by several providers (:mod:`needs.inputs.load`), a table of rows
by provider follows (:func:`provider_rows`): for each such table and provider, the rows
supplied, the rows supplied twice (loaded once) and the rows a warning names. Provider names
are organisations' names (the template's ``provider`` cell, else the name the council gave
the provider's file), never a file or sheet name. Counts of the rows of record-level tables
(:data:`needs.publish.part_specs.RECORD_LEVEL_TABLES`: one row per referral) are counts of
records, hidden as the report hides them: a count from 1 to ``suppress_below - 1`` is ``[c]``,
and so is every other count of the same column of that table, zeros included (the rows of a
table add up, less the rows supplied twice, to its published total, so one hidden count
among shown ones could be worked out). Counts of other tables' rows (services, areas) reveal
nobody and are shown. (The page's disclosure audit does not see this table: it is hidden by
this stricter rule on its own.)
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from needs.inputs.dataset import Dataset
from needs.inputs.validate import (
    DUPLICATE_ROW,
    EXAMPLE_ONLY_SHEET,
    EXAMPLE_ROW,
    IGNORED_FILE,
    IGNORED_SHEET,
    OTHER_WARNING,
    UNKNOWN_COLUMN,
    UNKNOWN_METADATA_KEY,
    UNNAMED_COLUMN,
)
from needs.publish.part_specs import RECORD_LEVEL_TABLES
from needs.publish.tables import Column, Html, PublishedTable, publish
from needs.reference.constants import DEFAULT_SUPPRESS_BELOW, SYMBOL_CONFIDENTIAL
from needs.reference.schema import TABLES

__all__ = ["data_quality", "provider_rows"]

#: The sentence of each kind of warning, in the order they are shown: a label, and the
#: singular and plural of what is counted. ``None`` for the label means the whole line is
#: written by :func:`_ignored_files`.
_KINDS: dict[str, tuple[str | None, str, str]] = {
    UNKNOWN_COLUMN: ("Columns not in the data dictionary were ignored", "column", "columns"),
    UNNAMED_COLUMN: ("Columns with values but no heading were ignored", "column", "columns"),
    EXAMPLE_ROW: ("The data-collection template's example row was not loaded", "row", "rows"),
    EXAMPLE_ONLY_SHEET: (
        "Sheets holding only the data-collection template's example row were ignored",
        "sheet",
        "sheets",
    ),
    IGNORED_SHEET: ("Workbook sheets that are not input tables were ignored", "sheet", "sheets"),
    IGNORED_FILE: (None, "file", "files"),
    UNKNOWN_METADATA_KEY: (
        "Settings in the dataset description (dataset.yaml) that are not known were ignored",
        "setting",
        "settings",
    ),
    DUPLICATE_ROW: ("Rows supplied again by a second provider were loaded once", "row", "rows"),
    OTHER_WARNING: ("Other warnings", "warning", "warnings"),
}

NO_WARNINGS = "The data passed every validation check with no warnings."


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n:,} {singular if n == 1 else plural}"


def _table_order(names: Iterable[str]) -> list[str]:
    """Input-table names among ``names`` (nothing else), in the data dictionary's order."""
    order = list(TABLES)
    return sorted({str(name) for name in names if str(name) in TABLES}, key=order.index)


def _ignored_files(n: int) -> str:
    if n == 1:
        return "1 other file in the data folder was ignored (it is not an input table)."
    return f"{n:,} other files in the data folder were ignored (they are not input tables)."


def _line(kind: str, count: int, tables: list[str]) -> str:
    label, singular, plural = _KINDS[kind]
    if label is None:
        return _ignored_files(count)
    text = f"{label}: {_count(count, singular, plural)}"
    if tables:
        preposition = "for" if kind == EXAMPLE_ONLY_SHEET else "in"
        text += f" {preposition} {_count(len(tables), 'table', 'tables')} ({', '.join(tables)})"
    return text + "."


def _tables_used(dataset: Dataset) -> str:
    names = _table_order(dataset.tables)
    others = sum(1 for name in dataset.tables if str(name) not in TABLES)
    if not names and not others:
        return "No input tables were used."
    text = f"This assessment used {_count(len(names), 'input table', 'input tables')}"
    if names:
        text += ": " + ", ".join(names)
    if others:
        text += f", and {_count(others, 'other table', 'other tables')}"
    return text + "."


def _summary(dataset: Dataset) -> tuple[int, list[str]]:
    """The number of warnings, and one line of text per kind (in :data:`_KINDS` order)."""
    kinds = tuple(getattr(dataset, "warning_kinds", ()) or ())
    warnings = tuple(getattr(dataset, "warnings", ()) or ())
    counts = dict.fromkeys(_KINDS, 0)
    tables: dict[str, set[str]] = {kind: set() for kind in _KINDS}
    for kind, table in kinds:
        kind = kind if kind in _KINDS else OTHER_WARNING
        counts[kind] += 1
        if table is not None:
            tables[kind].add(table)
    # warnings recorded without a kind (a dataset built before kinds were kept)
    counts[OTHER_WARNING] += max(0, len(warnings) - len(kinds))
    lines = [_line(kind, counts[kind], _table_order(tables[kind])) for kind in _KINDS if counts[kind]]
    return sum(counts.values()), lines


#: Shown for a provider that a source did not name (a file named after its table only).
UNNAMED_PROVIDER = "Not named"
#: The columns of the table of rows by provider: heading and source.
_PROVIDER_COLUMNS = (
    Column("Table", "table"),
    Column("Provider", "provider"),
    Column("Rows supplied", "rows", "count"),
    Column("Supplied twice (loaded once)", "duplicates", "count"),
    Column("Rows with warnings", "rows_with_warnings", "count"),
)
_PROVIDER_COUNTS = ("rows", "duplicates", "rows_with_warnings")


def _hidden(counts: pd.Series, threshold: int) -> pd.Series:
    """A column of one record-level table's counts, every one ``[c]`` (zeros too) when any
    non-zero count is below ``threshold`` (see the module's documentation)."""
    values = counts.astype("int64")
    if ((values > 0) & (values < threshold)).any():
        return pd.Series(SYMBOL_CONFIDENTIAL, index=values.index, dtype=object)
    return values.astype(object)


def provider_rows(
    dataset: Dataset | None, suppress_below: int = DEFAULT_SUPPRESS_BELOW
) -> PublishedTable | None:
    """The rows of each table supplied by several sources, by provider, as published.

    One row per table (in the data dictionary's order) and provider (in loading order), from
    :attr:`~needs.inputs.dataset.Dataset.provenance` summed over a provider's sources. The
    counts of record-level tables are hidden as the module's documentation says. ``None``
    when no table has more than one source (a folder with one file per table).
    """
    provenance = getattr(dataset, "provenance", None)
    if provenance is None or provenance.empty:
        return None
    several = provenance.groupby("table", sort=False)["source"].transform("size") > 1
    frame = provenance[several & provenance["table"].isin(list(TABLES))]
    if frame.empty:
        return None
    frame = frame.groupby(["table", "provider"], sort=False, as_index=False)[list(_PROVIDER_COUNTS)].sum()
    order = list(TABLES)
    frame = frame.sort_values("table", key=lambda t: t.map(order.index), kind="stable").reset_index(drop=True)
    records = frame["table"].isin(RECORD_LEVEL_TABLES).to_numpy()
    shown = frame.astype({name: object for name in _PROVIDER_COUNTS})
    for table in frame.loc[records, "table"].unique():
        rows = (frame["table"] == table).to_numpy()
        for name in _PROVIDER_COUNTS:
            shown.loc[rows, name] = _hidden(frame.loc[rows, name], suppress_below).to_numpy()
    shown["provider"] = shown["provider"].where(shown["provider"] != "", UNNAMED_PROVIDER)
    table = publish(
        shown,
        _PROVIDER_COLUMNS,
        "Rows of input tables by provider (tables supplied by more than one provider)",
        note=(
            "A row supplied by two providers (every column equal but the referral's identifier) is "
            "loaded once. Counts of referrals below the disclosure threshold are hidden ([c]), with "
            "the other counts of the same column of that table."
        ),
        name="data_quality_providers",
    )
    table.count_cells = pd.DataFrame(
        {heading: records if heading in table.counts else False for heading in table.frame.columns},
        index=table.frame.index,
    )
    return table


def data_quality(dataset: Dataset | None, suppress_below: int = DEFAULT_SUPPRESS_BELOW) -> Html:
    """The "Data quality" section of the report, as HTML.

    A sentence naming the input tables used (the keys of ``dataset.tables`` that are tables
    of the data dictionary), then either the sentence that the data passed every check or
    the warnings summarised by kind: one list item per kind, with its count and the input
    tables it concerns. File names, sheet names and column headings are never shown (they
    are the data folder's text, which may hold personal data); ignored files are only
    counted. Everything is HTML-escaped.

    Parameters
    ----------
    dataset
        The loaded dataset (:func:`needs.load`); ``None`` gives an empty section.
    suppress_below
        The report's disclosure threshold, for the counts of records in the table of rows by
        provider (:func:`provider_rows`).

    Returns
    -------
    Html
        ``<p>`` paragraphs, at most one ``<ul>`` of at most nine items and, when a table was
        supplied by several providers, the table of rows by provider.
    """
    if dataset is None:
        return Html("")
    parts = [f"<p>{html.escape(_tables_used(dataset))}</p>"]
    total, lines = _summary(dataset)
    if not total:
        parts.append(f"<p>{html.escape(NO_WARNINGS)}</p>")
    else:
        raised = _count(total, "warning", "warnings")
        intro = f"Checks of the data raised {raised}; warnings do not stop the assessment. By kind:"
        parts.append(f"<p>{html.escape(intro)}</p>")
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        parts.append(f"<ul>{items}</ul>")
    providers = provider_rows(dataset, suppress_below)
    if providers is not None:
        parts.append(providers.to_html())
    return Html("".join(parts))
