"""The one publisher of declared tables: a spec and a publication in, a published table out.

:func:`publish_table` builds a :class:`~needs.publish.table_specs.TableSpec`: it takes the
spec's part as the page publishes it (:func:`source`), keeps the declared rows, puts them in
the declared order, fills the templates of caption, note and headings, and formats the cells
with :func:`needs.publish.tables.publish`. :func:`publish_measures` builds a
:class:`~needs.publish.table_specs.MeasureSpec`. :class:`declared` makes a spec an attribute
of :class:`~needs.publish.publication.Publication`.

The publication is read through a few of its members only (see :class:`Source`), so a spec
can be built and tested from any assessment without running the notebook.
"""

from __future__ import annotations

import string
from dataclasses import replace
from typing import Any, Protocol

import pandas as pd

from needs.publish.formatting import ALL, FORMATTERS, format_interval
from needs.publish.part_specs import PART_SPECS
from needs.publish.table_specs import (
    MEASURE_SPECS,
    SOURCES,
    TABLE_SPECS,
    Codes,
    Measure,
    MeasureSpec,
    TableSpec,
)
from needs.publish.tables import NUMERIC_KINDS, PublishedTable, measure_table, publish

__all__ = [
    "Source",
    "declared",
    "first_row",
    "publish_measures",
    "publish_table",
    "source",
    "table_name",
    "templates",
]


class Source(Protocol):
    """What the publisher reads from a publication
    (:class:`~needs.publish.base.PublicationBase` has it)."""

    area: str
    area_name: str
    period: str
    ci: str
    dataset: Any

    def _where(self) -> str: ...

    def _part(self, name: str) -> pd.DataFrame: ...

    def _published(self, name: str, *, symbols: bool = True) -> pd.DataFrame: ...

    def _suppress(self, frame: pd.DataFrame, counts: Any = (), **kwargs: Any) -> pd.DataFrame: ...


def first_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The first row of a frame as a dict (empty for a frame without rows)."""
    return frame.iloc[0].to_dict() if len(frame) else {}


def source(name: str, publication: Source) -> pd.DataFrame:
    """The frame a spec's ``part`` names: a frame of :data:`~needs.publish.table_specs.SOURCES`,
    else the page's part as published (``[c]`` where hidden).

    Raises
    ------
    KeyError
        ``name`` is neither a source nor a part of the page.
    """
    if name in SOURCES:
        return SOURCES[name](publication)
    if name in PART_SPECS:
        return publication._published(name)
    raise KeyError(f"part: {name!r} is neither a source of table_specs.SOURCES nor a part of PART_SPECS")


def templates(publication: Source, **fill: str) -> dict[str, str]:
    """The values of the templates of captions, notes, headings and codes."""
    return {
        "where": publication._where(),
        "area_name": publication.area_name,
        "area": publication.area,
        "period": publication.period,
        "ci": publication.ci,
        **fill,
    }


def _text(values: pd.Series) -> pd.Series:
    """Cells as the text a row filter compares: a missing cell reads as ``""``."""
    return values.astype(object).where(values.notna(), "").astype(str)


def _matching(frame: pd.DataFrame, codes: Codes, fill: dict[str, str]) -> pd.Series:
    """Rows whose cell in every named column is one of its codes (templates filled)."""
    match = pd.Series(True, index=frame.index)
    for column, allowed in codes:
        match &= _text(frame[column]).isin([code.format_map(fill) for code in allowed])
    return match


def _order_key(codes: Codes):
    """A ``sort_values`` key: each column of ``codes`` by the position of its code in
    ``("all", *codes)`` (unknown codes last), other columns by value."""
    positions = {column: {code: i for i, code in enumerate((ALL, *order))} for column, order in codes}

    def key(values: pd.Series) -> pd.Series:
        if values.name not in positions:
            return values
        position = positions[values.name]
        return values.astype(str).map(position).fillna(len(position))

    return key


def rows(frame: pd.DataFrame, spec: TableSpec, fill: dict[str, str]) -> pd.DataFrame:
    """The rows of a part that a table shows, in its order."""
    if frame.empty:
        return frame
    if spec.rows:
        frame = frame[_matching(frame, spec.rows, fill)]
    if spec.drop:
        drop = pd.Series(False, index=frame.index)
        for column, codes in spec.drop:
            drop |= _matching(frame, ((column, codes),), fill)
        frame = frame[~drop]
    if spec.order:
        frame = frame.sort_values(list(spec.order), key=_order_key(spec.codes), kind="stable")
    return frame


def table_name(spec: TableSpec, fill: dict[str, str]) -> str:
    """The name of a published table: the spec's name, then the values given in ``fill`` (what
    the table is asked for besides the templates every table has) of the templates its kept or
    dropped rows name, in order: ``representation`` asked for sex, supported ->
    ``representation_sex_supported``. The table's id on the page is made from it
    (:attr:`~needs.publish.tables.PublishedTable.id`)."""
    fields = [
        field
        for _, codes in (*spec.rows, *spec.drop)
        for code in codes
        for _, field, _, _ in string.Formatter().parse(code)
        if field in fill
    ]
    return "_".join([spec.name, *(str(fill[field]) for field in dict.fromkeys(fields))])


def publish_table(spec: TableSpec, publication: Source, **fill: str) -> PublishedTable:
    """A declared table of a publication, published.

    Parameters
    ----------
    spec
        The table's layout.
    publication
        The publication whose part it shows.
    **fill
        Values of the templates the spec names besides the ones every table has
        (:func:`templates`), e.g. ``characteristic`` and ``basis``.
    """
    values = templates(publication, **fill)
    frame = rows(source(spec.part, publication), spec, values)
    columns = [replace(column, heading=column.heading.format_map(values)) for column in spec.columns]
    return publish(
        frame,
        columns,
        spec.caption.format_map(values),
        row_header=spec.row_header,
        note=spec.note.format_map(values),
        empty_message=spec.empty_message,
        name=table_name(spec, fill),
    )


def publish_measures(spec: MeasureSpec, publication: Source, **fill: str) -> PublishedTable:
    """A declared table of measures of a publication, published.

    Each measure is read from the first row of its part (:func:`source`); a measure with an
    ``upper`` column is the interval between its two columns, as text.
    """
    values = templates(publication, **fill)
    parts = {spec.part, *(m.part for m in spec.measures if m.part)}
    found = {part: first_row(source(part, publication)) for part in parts}
    if spec.empty_caption is not None and not found[spec.part]:
        return PublishedTable(pd.DataFrame(), spec.empty_caption.format_map(values), name=spec.name)

    def shown(measure: Measure) -> tuple[str, Any, str, bool]:
        row = found[measure.part or spec.part]
        label = measure.label.format_map(values)
        if measure.upper is None:
            return (label, row.get(measure.source), measure.kind, measure.count)
        interval = format_interval(row.get(measure.source), row.get(measure.upper), FORMATTERS[measure.kind])
        return (label, interval, "interval" if measure.kind in NUMERIC_KINDS else "text", measure.count)

    return measure_table([shown(m) for m in spec.measures], spec.caption.format_map(values), name=spec.name)


class declared:
    """A publication's attribute that is the table its spec declares, built on first use.

    ``outcome_shares = declared("outcome_shares")`` in a class body shows
    ``TABLE_SPECS["outcome_shares"]`` (or ``MEASURE_SPECS[...]``) through the instance's
    ``table`` (:meth:`needs.publish.base.PublicationBase.table`).
    """

    def __init__(self, name: str) -> None:
        if name not in TABLE_SPECS and name not in MEASURE_SPECS:
            raise KeyError(f"declared: no table spec named {name!r}")
        self.name = name
        spec = TABLE_SPECS.get(name) or MEASURE_SPECS[name]
        self.__doc__ = spec.description

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return instance.table(self.name)
