"""The published table: a caption, formatted cells and accessible HTML.

:func:`publish` turns a suppressed, tidy table into a :class:`PublishedTable` laid out by
declared :class:`Column` s; :func:`html_table` renders it with ``<caption>`` and
``<th scope>``, never with pandas' default HTML. :class:`Findings`, :class:`Html` and
:func:`notice` are the other small blocks a notebook cell displays.
"""

from __future__ import annotations

import html
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
)

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
    """

    frame: pd.DataFrame
    caption: str
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: tuple[str, ...] = ()
    row_header: str | None = None
    note: str = ""
    empty_message: str = "There is no data for this table."
    count_cells: pd.DataFrame | None = None

    def to_html(self) -> str:
        """The table as accessible HTML (see :func:`html_table`)."""
        return html_table(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __len__(self) -> int:
        return len(self.frame)


def _cell(value: str) -> str:
    text = html.escape(str(value))
    if value in _SYMBOL_TITLES:
        return f'<abbr title="{_SYMBOL_TITLES[value]}">{text}</abbr>'
    return text


def _numeric_text(value: str) -> bool:
    """Whether a cell reads as a number (aligned right): a number, a symbol, or an interval
    ``a to b`` of two numbers (not a sentence that happens to contain " to ")."""
    value = str(value)
    if " to " in value:
        parts = value.split(" to ")
        return len(parts) == 2 and all(_numeric_text(part) for part in parts)
    text = value.replace(",", "").replace("£", "").replace("%", "").replace("-", "", 1)
    return text.replace(".", "", 1).isdigit() or value in SYMBOLS


def html_table(table: PublishedTable) -> str:
    """Render a :class:`PublishedTable` as an accessible HTML table.

    The table has a ``<caption>``, column headers ``<th scope="col">``, and, when
    ``row_header`` is set, row headers ``<th scope="row">``. It sits in a keyboard-focusable
    scrolling region named by its caption (WCAG 2.1.1 for wide tables). Count cells carry
    ``data-count`` so audits can find them; ONS symbols are ``<abbr>`` with their meaning.
    An empty table becomes a paragraph saying so.
    """
    caption = html.escape(table.caption)
    if table.frame.empty:
        return f'<p class="no-data"><strong>{caption}.</strong> {html.escape(table.empty_message)}</p>'
    headings = list(table.frame.columns)
    head = "".join(f'<th scope="col">{html.escape(str(h))}</th>' for h in headings)
    rows = []
    count_mask = table.count_cells
    for i, (_, row) in enumerate(table.frame.iterrows()):
        cells = []
        for j, heading in enumerate(headings):
            value = row[heading]
            is_count = heading in table.counts
            if count_mask is not None:
                is_count = bool(count_mask.iloc[i, j])
            attrs = ' data-count=""' if is_count else ""
            if heading != table.row_header and _numeric_text(str(value)):
                attrs += ' class="num"'
            if heading == table.row_header:
                cells.append(f'<th scope="row"{attrs}>{_cell(value)}</th>')
            else:
                cells.append(f"<td{attrs}>{_cell(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="table-note">{html.escape(table.note)}</p>' if table.note else ""
    return (
        f'<div class="table-wrap" role="region" aria-label="{caption}" tabindex="0">'
        f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def publish(
    suppressed: pd.DataFrame,
    columns: Sequence[Column],
    caption: str,
    *,
    row_header: str | None = None,
    note: str = "",
    empty_message: str = "There is no data for this table.",
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
    note, empty_message
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
    )


def measure_table(
    rows: Iterable[tuple[str, Any, str, bool]], caption: str, *, note: str = ""
) -> PublishedTable:
    """A two-column ``Measure | Value`` table from (label, value, kind, is_count) rows."""
    rows = list(rows)
    frame = pd.DataFrame({"Measure": [r[0] for r in rows], "Value": [FORMATTERS[r[2]](r[1]) for r in rows]})
    mask = pd.DataFrame({"Measure": [False] * len(rows), "Value": [bool(r[3]) for r in rows]})
    data = pd.DataFrame({"measure": [r[0] for r in rows], "value": [r[1] for r in rows]})
    return PublishedTable(
        frame=frame, caption=caption, data=data, row_header="Measure", note=note, count_cells=mask
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
    """Raw HTML for display in a notebook (no IPython import needed)."""

    markup: str

    def _repr_html_(self) -> str:
        return self.markup

