"""The counts and tables of children and young people, declared once.

:data:`CHILDREN_PART_SPECS`, :data:`CHILDREN_TABLE_SPECS` and :data:`CHILDREN_MEASURE_SPECS`
join those of :mod:`needs.publish.story_specs`.
"""

from __future__ import annotations

from needs.publish.cells import PartSpec
from needs.publish.layout import MeasureSpec, TableSpec

__all__ = ["CHILDREN_MEASURE_SPECS", "CHILDREN_PART_SPECS", "CHILDREN_TABLE_SPECS"]

CHILDREN_PART_SPECS: tuple[PartSpec, ...] = ()
CHILDREN_TABLE_SPECS: tuple[TableSpec, ...] = ()
CHILDREN_MEASURE_SPECS: tuple[MeasureSpec, ...] = ()
