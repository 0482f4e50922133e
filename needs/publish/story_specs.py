"""The counts and tables of the statutory story, declared once: households and individuals
supported by scope (safe accommodation apart from community-based support), the flows of
referrals and households, and children and young people.

:data:`STORY_PART_SPECS` join :data:`needs.publish.part_specs.PART_SPECS`;
:data:`STORY_TABLE_SPECS` and :data:`STORY_MEASURE_SPECS` join the tables of
:mod:`needs.publish.table_specs`.
"""

from __future__ import annotations

from needs.publish.cells import PartSpec
from needs.publish.children_specs import CHILDREN_MEASURE_SPECS, CHILDREN_PART_SPECS, CHILDREN_TABLE_SPECS
from needs.publish.layout import MeasureSpec, TableSpec

__all__ = ["STORY_MEASURE_SPECS", "STORY_PART_SPECS", "STORY_TABLE_SPECS"]

#: The parts of who was supported and the flows (children's join from their module).
_PART_SPECS: tuple[PartSpec, ...] = ()
_TABLE_SPECS: tuple[TableSpec, ...] = ()
_MEASURE_SPECS: tuple[MeasureSpec, ...] = ()

STORY_PART_SPECS: tuple[PartSpec, ...] = (*_PART_SPECS, *CHILDREN_PART_SPECS)
STORY_TABLE_SPECS: tuple[TableSpec, ...] = (*_TABLE_SPECS, *CHILDREN_TABLE_SPECS)
STORY_MEASURE_SPECS: tuple[MeasureSpec, ...] = (*_MEASURE_SPECS, *CHILDREN_MEASURE_SPECS)
