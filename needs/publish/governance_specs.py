"""The counts and tables of the governance sections, declared once: the survivor and
stakeholder voice (counts of respondents are counts of people) and the commissioning
intentions.

:data:`GOVERNANCE_PART_SPECS` join :data:`needs.publish.part_specs.PART_SPECS`;
:data:`GOVERNANCE_TABLE_SPECS` and :data:`GOVERNANCE_MEASURE_SPECS` join the tables of
:mod:`needs.publish.table_specs`.
"""

from __future__ import annotations

from needs.publish.cells import PartSpec
from needs.publish.layout import MeasureSpec, TableSpec

__all__ = ["GOVERNANCE_MEASURE_SPECS", "GOVERNANCE_PART_SPECS", "GOVERNANCE_TABLE_SPECS"]

GOVERNANCE_PART_SPECS: tuple[PartSpec, ...] = ()
GOVERNANCE_TABLE_SPECS: tuple[TableSpec, ...] = ()
GOVERNANCE_MEASURE_SPECS: tuple[MeasureSpec, ...] = ()
