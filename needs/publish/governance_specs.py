"""The counts and tables of the governance sections, declared once: the survivor and
stakeholder voice (counts of respondents are counts of people) and the commissioning
intentions.

:data:`GOVERNANCE_PART_SPECS` join :data:`needs.publish.part_specs.PART_SPECS`;
:data:`GOVERNANCE_TABLE_SPECS` and :data:`GOVERNANCE_MEASURE_SPECS` join the tables of
:mod:`needs.publish.table_specs`. The commissioning intentions are not a part of the
assessment (they are the partnership's decisions, read from ``intentions.yaml`` with the
metadata), so their layout is declared here as :data:`INTENTION_COLUMNS` and published by
:meth:`needs.publish.governance_tables.GovernanceTables.commissioning_intentions`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from needs.publish.cells import Count, PartSpec
from needs.publish.layout import MeasureSpec, TableSpec
from needs.publish.tables import Column
from needs.reference import categories as cat

__all__ = [
    "FRONT_MATTER_LABELS",
    "GOVERNANCE_MEASURE_SPECS",
    "GOVERNANCE_PART_SPECS",
    "GOVERNANCE_TABLE_SPECS",
    "INTENTION_COLUMNS",
    "NOT_YET_PROVIDED",
]

#: What a missing front-matter key, or a missing section, shows.
NOT_YET_PROVIDED = "not yet provided"

#: The rows of the "About this assessment" table: key of ``dataset.yaml`` and its label.
FRONT_MATTER_LABELS: tuple[tuple[str, str], ...] = (
    ("publication_date", "Published"),
    ("approved_by", "Approved by"),
    ("next_review", "Next review"),
    ("contact", "Contact"),
    ("version", "Version of this assessment"),
)


def _engagement_labels(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """The source of each theme as its label (every row kept)."""
    return frame.assign(source_label=frame["source"].astype(str).map(cat.ENGAGEMENT_SOURCES.label))


GOVERNANCE_PART_SPECS: tuple[PartSpec, ...] = (
    PartSpec(
        "engagement",
        # Respondents are people; a quote beside a hidden count is hidden with it (it could
        # identify one of the few who gave it).
        counts=(Count("respondents", "respondents", ("theme", "source"), derived=("quote",)),),
        prepare=_engagement_labels,
    ),
)

GOVERNANCE_TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "engagement_themes",
        "engagement",
        (
            Column("Theme", "theme"),
            Column("Heard in", "source_label"),
            Column("Respondents", "respondents", "count", count=True),
            Column("Quote", "quote"),
        ),
        "Survivor and stakeholder voice: themes raised and the number of people who raised them, {where}",
        row_header="Theme",
        note=(
            "A person may raise several themes, so the numbers of respondents do not add up. A quote is "
            "withheld ([c]) wherever its number of respondents is hidden; [x]: no quote given."
        ),
        empty_message="No survivor or stakeholder engagement is recorded for this area and year.",
        description="Themes heard from survivors, providers and partners, with the respondents who raised each.",
    ),
)
GOVERNANCE_MEASURE_SPECS: tuple[MeasureSpec, ...] = ()

#: The columns of the commissioning intentions table (``priority_label`` is the priority's label).
INTENTION_COLUMNS: tuple[Column, ...] = (
    Column("Action", "action"),
    Column("Linked gap or finding", "linked_to"),
    Column("Priority", "priority_label"),
    Column("Owner", "owner"),
    Column("Cost a year", "cost", "money"),
    Column("Timescale", "timescale"),
)
#: Caption and note of the commissioning intentions table.
INTENTION_CAPTION = "Commissioning intentions, {area_name}"
INTENTION_NOTE = "Costs are estimated support costs a year; [x]: not costed."
