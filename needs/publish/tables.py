"""The published table: a caption, formatted cells and accessible HTML.

:func:`publish` turns a suppressed, tidy table into a :class:`PublishedTable` laid out by
declared :class:`Column` s; :func:`html_table` renders it with ``<caption>`` and
``<th scope>``, never with pandas' default HTML, followed by a link to download the table as
CSV (:mod:`needs.publish.open_data`). :class:`Findings`, :class:`Html` and :func:`notice`
are the other small blocks a notebook cell displays.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from needs.publish.formatting import (
    _SYMBOL_TITLES,
    FORMATTERS,
    SYMBOLS,
    category_label,
    code_label,
    format_interval,
    format_text,
)
from needs.publish.open_data import download_link, mimebundle, slug, table_csv

#: Column kinds whose cells are numbers (right-aligned, tabular figures): a key of
#: :data:`~needs.publish.formatting.FORMATTERS` or ``"interval"``. Every other kind (``text``,
#: ``label``, ``category``, ``yes_no``) is text, aligned left, even when it looks like a
#: number (an age band ``16-19``, a period ``2023-24``, a code).
NUMERIC_KINDS = frozenset({"count", "number", "integer", "percent", "rate", "money", "ratio", "p_value", "interval"})
#: The most columns a table may have to be shown as stacked rows on a narrow screen
#: (``heading: value`` lines); a wider table keeps its grid and scrolls inside its region.
STACK_COLUMNS = 6
_NUM = ' class="num"'

# --------------------------------------------------------------------------------------------
# The published table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One displayed column: its heading, the source column(s) and how to format them.

    ``kind`` is a key of :data:`FORMATTERS`, ``"label"`` (codes of ``source`` to labels),
    ``"category"`` (categories of the row's ``characteristic``) or ``"interval"`` (``source``
    and ``upper`` as an interval formatted with ``interval_kind``). ``count`` marks columns
    whose cells are counts of people, households or referrals (checked by the leak tests).
    An ``optional`` column is left out of a table whose data has no column ``source``.
    """

    heading: str
    source: str
    kind: str = "text"
    upper: str | None = None
    interval_kind: str = "percent"
    count: bool = False
    optional: bool = False

    @property
    def numeric(self) -> bool:
        """Whether the column's cells are numbers (:data:`NUMERIC_KINDS`)."""
        return self.kind in NUMERIC_KINDS


@dataclass
class PublishedTable:
    """A table ready to publish.

    Attributes
    ----------
    frame
        Display strings: columns are headings, every cell already formatted.
    caption
        The table's caption (what, where, when).
    data
        The suppressed table with codes and unformatted numbers (``[c]`` where hidden), for
        charts and audits.
    counts
        Headings of the columns that hold counts.
    row_header
        Heading of the column whose cells head the rows (``<th scope="row">``), if any.
    note
        A sentence printed under the table.
    empty_message
        Shown instead of the table when it has no rows.
    count_cells
        Optional boolean frame, same shape as ``frame``, marking count cells (for tables
        whose counts are by row rather than by column).
    name
        What the table is (the name of its declaration, with what it was asked for, e.g.
        ``representation_sex_supported``): its id on the page is ``table-<slug of name>``
        (:attr:`id`). Without one, the caption gives the id.
    numeric
        Headings of the columns whose cells are numbers (aligned right). ``None``: not
        declared (a table not made by :func:`publish`), so each cell that reads as a number
        (:func:`_numeric_text`) is one.
    numeric_cells
        Optional boolean frame, same shape as ``frame``, marking numeric cells (for tables
        whose kinds are by row, such as a ``Measure | Value`` table); overrides ``numeric``.
    """

    frame: pd.DataFrame
    caption: str
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: tuple[str, ...] = ()
    row_header: str | None = None
    note: str = ""
    empty_message: str = "There is no data for this table."
    count_cells: pd.DataFrame | None = None
    name: str = ""
    numeric: tuple[str, ...] | None = None
    numeric_cells: pd.DataFrame | None = None

    @property
    def id(self) -> str:
        """The table's id on the page: ``table-`` and the slug of its :attr:`name` (else of
        its caption), e.g. ``table-outcome-shares``; charts link to it (``#table-...``)."""
        return "table-" + slug(self.name or self.caption)

    def numeric_mask(self) -> pd.DataFrame:
        """Boolean frame, same shape as :attr:`frame`: which cells are numbers."""
        if self.numeric_cells is not None:
            return self.numeric_cells.astype(bool)
        if self.numeric is not None:
            return pd.DataFrame(
                {heading: [heading in self.numeric] * len(self.frame) for heading in self.frame.columns},
                index=self.frame.index,
                columns=self.frame.columns,
            )
        return self.frame.apply(lambda column: column.map(lambda v: _numeric_text(str(v)))).astype(bool)

    def csv(self) -> bytes:
        """The table as open data: the cells shown, as CSV (:func:`needs.publish.open_data.table_csv`)."""
        return table_csv(self.frame, self.note)

    def to_html(self) -> str:
        """The table as accessible HTML (see :func:`html_table`)."""
        return html_table(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The HTML, the caption as plain text, and the table as open data
        (:data:`needs.publish.open_data.MIMETYPE`) for ``needs report``'s zip."""
        return mimebundle(self.to_html(), self.caption)

    def __len__(self) -> int:
        return len(self.frame)


def _cell(value: str) -> str:
    text = html.escape(str(value))
    if value in _SYMBOL_TITLES:
        return f'<abbr title="{_SYMBOL_TITLES[value]}">{text}</abbr>'
    return text


#: A number as the page writes it: an optional sign, digits with thousands separators, an
#: optional decimal part, and an optional pound sign before or a per cent sign after.
_NUMBER = re.compile(r"[-+\u2212]?£?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?")


def _numeric_text(value: str) -> bool:
    """Whether a cell reads as a number (for a table whose columns are not declared): a
    number, a symbol, or an interval ``a to b`` of two numbers (not a sentence that happens
    to contain " to "). A hyphen inside (an age band ``16-19``, a period ``2023-24``) makes
    it text."""
    value = str(value).strip()
    if " to " in value:
        parts = value.split(" to ")
        return len(parts) == 2 and all(_numeric_text(part) for part in parts)
    return value in SYMBOLS or bool(_NUMBER.fullmatch(value))


def html_table(table: PublishedTable) -> str:
    """Render a :class:`PublishedTable` as an accessible HTML table, with its note and a link
    to download it as CSV.

    The table (``id`` :attr:`PublishedTable.id`) has a ``<caption>`` (id ``<id>-caption``),
    column headers ``<th scope="col">``, and, when ``row_header`` is set, row headers
    ``<th scope="row">``. It sits in a keyboard-focusable region named by its caption (WCAG
    2.1.1 for wide tables), of class ``stack`` (at most :data:`STACK_COLUMNS` columns: a
    narrow screen shows each row as ``heading: value`` lines) or ``wide`` (a narrow screen
    scrolls the table inside the region). Every cell has ``data-label`` (its column's
    heading); numeric cells and the headings of numeric columns have class ``num``
    (:meth:`PublishedTable.numeric_mask`), text cells none. Count cells carry
    ``data-count`` so audits can find them; ONS symbols are ``<abbr>`` with their meaning.
    Then the note (``<p class="table-note">``) and the CSV download
    (:func:`needs.publish.open_data.download_link`). An empty table becomes a paragraph
    saying so (with the table's id, so links to it still land).
    """
    caption = html.escape(table.caption)
    table_id = html.escape(table.id)
    if table.frame.empty:
        return (
            f'<p class="no-data" id="{table_id}"><strong>{caption}.</strong> '
            f"{html.escape(table.empty_message)}</p>"
        )
    headings = list(table.frame.columns)
    labels = [html.escape(str(h)) for h in headings]
    numeric = table.numeric_mask().to_numpy(dtype=bool)
    numeric_columns = numeric.all(axis=0)
    head = "".join(
        f'<th scope="col"{_NUM if numeric_columns[j] and heading != table.row_header else ""}>{labels[j]}</th>'
        for j, heading in enumerate(headings)
    )
    rows = []
    count_mask = table.count_cells
    values = table.frame.to_numpy(dtype=object)
    for i in range(len(table.frame)):
        cells = []
        for j, heading in enumerate(headings):
            is_count = heading in table.counts
            if count_mask is not None:
                is_count = bool(count_mask.iloc[i, j])
            attrs = f' data-label="{labels[j]}"' + (' data-count=""' if is_count else "")
            if heading == table.row_header:
                cells.append(f'<th scope="row"{attrs}>{_cell(values[i, j])}</th>')
            else:
                attrs += _NUM if numeric[i, j] else ""
                cells.append(f"<td{attrs}>{_cell(values[i, j])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="table-note">{html.escape(table.note)}</p>' if table.note else ""
    layout = "stack" if len(headings) <= STACK_COLUMNS else "wide"
    return (
        f'<div class="table-wrap {layout}" role="region" aria-labelledby="{table_id}-caption" tabindex="0">'
        f'<table id="{table_id}"><caption id="{table_id}-caption">{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{note}"
        f"{download_link(table.id, table.caption, table.csv())}"
    )


def publish(
    suppressed: pd.DataFrame,
    columns: Sequence[Column],
    caption: str,
    *,
    row_header: str | None = None,
    note: str = "",
    empty_message: str = "There is no data for this table.",
    name: str = "",
) -> PublishedTable:
    """Format a suppressed table for publication.

    Parameters
    ----------
    suppressed
        Output of :func:`needs.methods.disclosure.suppress`: numbers, or ``[c]``/``[x]``/``[z]``.
    columns
        The displayed columns, in order (an ``optional`` one only if ``suppressed`` has its
        source).
    caption
        The caption.
    row_header
        Heading of the column that heads each row.
    note, empty_message, name
        See :class:`PublishedTable`.
    """
    columns = [c for c in columns if not c.optional or c.source in suppressed.columns]
    display: dict[str, list[str]] = {}
    records = suppressed.to_dict("records")
    for column in columns:
        values: list[str] = []
        for record in records:
            value = record.get(column.source)
            if column.kind == "label":
                values.append(code_label(column.source, value))
            elif column.kind == "category":
                values.append(category_label(str(record.get("characteristic")), value))
            elif column.kind == "interval":
                values.append(
                    format_interval(value, record.get(column.upper), FORMATTERS[column.interval_kind])
                )
            else:
                values.append(FORMATTERS[column.kind](value))
        display[column.heading] = values
    frame = pd.DataFrame(display, columns=[c.heading for c in columns])
    return PublishedTable(
        frame=frame,
        caption=caption,
        data=suppressed.reset_index(drop=True),
        counts=tuple(c.heading for c in columns if c.count),
        row_header=row_header,
        note=note,
        empty_message=empty_message,
        name=name,
        numeric=tuple(c.heading for c in columns if c.numeric),
    )


def measure_table(
    rows: Iterable[tuple[str, Any, str, bool]], caption: str, *, note: str = "", name: str = ""
) -> PublishedTable:
    """A two-column ``Measure | Value`` table from (label, value, kind, is_count) rows.

    ``kind`` is a key of :data:`~needs.publish.formatting.FORMATTERS`, or ``"interval"`` for a
    value already formatted as an interval; a value is numeric when its kind is
    (:data:`NUMERIC_KINDS`).
    """
    rows = list(rows)
    values = [format_text(r[1]) if r[2] == "interval" else FORMATTERS[r[2]](r[1]) for r in rows]
    frame = pd.DataFrame({"Measure": [r[0] for r in rows], "Value": values})
    mask = pd.DataFrame({"Measure": [False] * len(rows), "Value": [bool(r[3]) for r in rows]})
    numeric = pd.DataFrame({"Measure": [False] * len(rows), "Value": [r[2] in NUMERIC_KINDS for r in rows]})
    data = pd.DataFrame({"measure": [r[0] for r in rows], "value": [r[1] for r in rows]})
    return PublishedTable(
        frame=frame,
        caption=caption,
        data=data,
        row_header="Measure",
        note=note,
        count_cells=mask,
        name=name,
        numeric_cells=numeric,
    )


@dataclass(frozen=True)
class Findings:
    """Findings as a bulleted list."""

    sentences: tuple[str, ...]
    empty_message: str = "No findings for this section."

    def to_html(self) -> str:
        if not self.sentences:
            return f"<p>{html.escape(self.empty_message)}</p>"
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        return f'<ul class="findings">{items}</ul>'

    def _repr_html_(self) -> str:
        return self.to_html()


def notice(text: str, *, kind: str = "note") -> Any:
    """A short paragraph for the notebook (``kind`` sets its style: note or warning)."""
    return Html(f'<p class="{html.escape(kind)}">{html.escape(text)}</p>')


@dataclass(frozen=True)
class Html:
    """Raw HTML for display in a notebook (no IPython import needed).

    When the markup holds published tables (each with its CSV download link), the display
    also carries them as open data (:func:`needs.publish.open_data.mimebundle`).
    """

    markup: str

    def _repr_html_(self) -> str:
        return self.markup

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return mimebundle(self.markup)

