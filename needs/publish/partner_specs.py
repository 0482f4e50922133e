"""The tables and words of the "Demand seen by partners" section, declared once.

The figures are published aggregates of public bodies (SafeLives, the police, MHCLG, DfE), not
the partnership's records of people, so they do not join the page's disclosure pass
(:data:`needs.publish.part_specs.PART_SPECS`): each was published by its owner under its own
disclosure control (DfE hides small counts as ``c``, shown here as ``[c]``/``[x]``), and these
tables add nothing that would let a hidden figure be worked out. Their columns are therefore
not marked as counts of the page.
"""

from __future__ import annotations

from needs.methods.funnel import FUNNEL_POSITIONS
from needs.publish.tables import Column

__all__ = [
    "FUNNEL_TITLES",
    "NOT_PROVIDED",
    "PARTNER_COLUMNS",
    "PARTNER_NOTE",
    "POSITION_LABELS",
    "TABLE_TITLES",
]

#: Heading of each partner table, and what its absence means.
TABLE_TITLES: dict[str, str] = {
    "marac": "MARAC cases (SafeLives)",
    "police": "Police-recorded domestic abuse",
    "homelessness": "Homelessness duties where domestic abuse was the reason or a support need",
    "children_in_need": "Children in need assessments with domestic abuse as a factor (DfE)",
}

#: The "not provided" note of each absent table: what to add to the data folder.
NOT_PROVIDED: dict[str, str] = {
    "marac": "Add SafeLives' MARAC data for the police force area as marac.csv (cases discussed, repeat cases, "
    "children) to compare high-risk demand with SafeLives' recommended 40 cases per 10,000 adult women.",
    "police": "Add police-recorded domestic abuse-related incidents and crimes as police.csv (ONS publishes them "
    "by police force area).",
    "homelessness": "Add H-CLIC prevention and relief duties where domestic abuse was the reason or a support "
    "need, by district, as homelessness.csv (MHCLG statutory homelessness tables A2P, A2R, A3).",
    "children_in_need": "Add DfE's children in need factors at the end of assessment for the local authority as "
    "children_in_need.csv.",
}

#: Columns of a partner table (one row per indicator and year).
PARTNER_COLUMNS: tuple[Column, ...] = (
    Column("Measure", "label"),
    Column("Year", "period"),
    Column("Area the figures cover", "source_area_name"),
    Column("Number", "numerator", "count"),
    Column("Out of", "denominator", "count"),
    Column("Value", "value", "number"),
    Column("95% confidence interval", "lower", "interval", upper="upper", interval_kind="number"),
    Column("Change from the year before", "change", "number"),
    Column("Benchmark", "benchmark", "number", optional=True),
    Column("Illustrative", "synthetic_label"),
)

#: Under every partner table.
PARTNER_NOTE = (
    "Published figures of partner agencies, not records of this partnership. Rates per population use the ONS "
    "mid-year estimate of the assessed year for every year. Intervals: Wilson for shares, exact Poisson below "
    "10 and Byar's from 10 for rates (OHID methods). Police force area figures cover every council of the "
    "force area and are not split between them. [x]: not published or not worked out."
)

#: Plain labels of the funnel positions.
POSITION_LABELS: dict[str, str] = dict(FUNNEL_POSITIONS)

#: Title, axis labels and the indicator's description of each funnel chart.
FUNNEL_TITLES: dict[str, tuple[str, str, str]] = {
    "cin_da_parent_share": (
        "Children in need assessments with domestic abuse concerning a parent or carer, every English "
        "local authority",
        "Episodes with assessment factors",
        "Share of episodes (%)",
    ),
    "marac_cases_rate": (
        "MARAC cases per 10,000 women aged 16+, every police force area in England",
        "Women aged 16 and over",
        "Cases per 10,000 women aged 16+",
    ),
}
