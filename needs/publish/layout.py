"""The types a published table is declared with: :class:`TableSpec` for a table of a part's
rows, :class:`MeasureSpec` (of :class:`Measure` rows) for a two-column ``Measure | Value``
table. The declarations themselves are in :mod:`needs.publish.table_specs` and, for the
sections of the statutory story and the governance sections, in :mod:`needs.publish.story_specs`
and :mod:`needs.publish.governance_specs`; :mod:`needs.publish.publisher` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from needs.publish.tables import Column

__all__ = ["Codes", "Measure", "MeasureSpec", "TableSpec"]

#: Rows kept (or dropped) by a table: (column, codes), a cell matching when its text is one
#: of the codes (a missing cell reads as ``""``, a boolean as ``"True"``/``"False"``).
Codes = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class TableSpec:
    """The layout of one published table.

    Parameters
    ----------
    name
        The table's name: the attribute of :class:`~needs.publish.publication.Publication`
        that shows it.
    part
        Where its rows come from: a key of :data:`SOURCES`, else a part of the page
        (:data:`~needs.publish.part_specs.PART_SPECS`), published with ``[c]`` where hidden.
    columns
        The displayed columns, in order; a heading may be a template (``"Ratio {ci}"``).
    caption
        Template of the caption.
    row_header
        Heading of the column whose cells head the rows.
    note, empty_message
        See :class:`~needs.publish.tables.PublishedTable`; ``note`` is a template.
    rows
        Keep only the rows whose cell in each named column is one of its codes (templates,
        e.g. ``("basis", ("{basis}",))``).
    drop
        Then leave out the rows whose cell in a named column is one of its codes.
    order
        Columns to sort the rows by (stable): by value, or for a column of ``codes`` by
        the position of its code in ``("all", *codes)``, unknown codes last.
    codes
        The order of the codes of some ``order`` columns (e.g. accommodation types).
    description
        What the table shows, in a sentence (the docstring of its attribute).
    """

    name: str
    part: str
    columns: tuple[Column, ...]
    caption: str
    row_header: str | None = None
    note: str = ""
    empty_message: str = "There is no data for this table."
    rows: Codes = ()
    drop: Codes = ()
    order: tuple[str, ...] = ()
    codes: Codes = ()
    description: str = ""


@dataclass(frozen=True)
class Measure:
    """One row of a measure table: a label and the column of a part's first row it shows.

    ``kind`` is a key of :data:`~needs.publish.formatting.FORMATTERS`; ``count`` marks a
    count of people or households. With ``upper``, the row is the interval from ``source``
    to ``upper``, each limit formatted as ``kind``. ``part`` names another part than the
    table's own. ``label`` is a template.
    """

    label: str
    source: str
    kind: str = "text"
    count: bool = False
    upper: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class MeasureSpec:
    """The layout of a two-column ``Measure | Value`` table.

    The values are read from the first row of ``part`` (and of the parts some measures
    name). With ``empty_caption``, a ``part`` without rows gives an empty table of that
    caption; without it, every measure is shown as missing.
    """

    name: str
    part: str
    measures: tuple[Measure, ...]
    caption: str
    empty_caption: str | None = None
    description: str = ""
