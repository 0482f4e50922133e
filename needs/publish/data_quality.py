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
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from needs.inputs.dataset import Dataset
from needs.inputs.validate import (
    EXAMPLE_ONLY_SHEET,
    EXAMPLE_ROW,
    IGNORED_FILE,
    IGNORED_SHEET,
    OTHER_WARNING,
    UNKNOWN_COLUMN,
    UNKNOWN_METADATA_KEY,
    UNNAMED_COLUMN,
)
from needs.publish.tables import Html
from needs.reference.schema import TABLES

__all__ = ["data_quality"]

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


def data_quality(dataset: Dataset | None) -> Html:
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

    Returns
    -------
    Html
        ``<p>`` paragraphs and at most one ``<ul>`` of at most eight items.
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
    return Html("".join(parts))
