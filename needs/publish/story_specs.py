"""The counts and tables of the statutory story, declared once: households and individuals
supported by scope (safe accommodation apart from community-based support), the flows of
referrals and households, and children and young people.

:data:`STORY_PART_SPECS` join :data:`needs.publish.part_specs.PART_SPECS`;
:data:`STORY_TABLE_SPECS` and :data:`STORY_MEASURE_SPECS` join the tables of
:mod:`needs.publish.table_specs`.

Keys (:func:`needs.publish.cells.cell_key`)
-------------------------------------------
* Households supported by scope are ``households_supported (scope=...)``, the total (scope
  ``all``) the same key as the households supported of the unmet and funding parts. Adults
  (lead victims) are the same number as households, so the same key. Children are
  ``children_supported (scope=...)``. Individuals are households + children: not a key of
  their own but derived from both, so they are shown only where both are. Each area's figures of
  every scope are also on each of its rows (``<measure>_<scope>``, same keys) for the key
  figures.
* The referral flow's rows are the keys of the outcome and decline-reason tables
  (``referrals (outcome=..., reason=...)``); the reason groups of more than one reason are
  named subtotals of ``reason`` (:data:`needs.publish.cells.ADDITIVE`).
* The household flow's states are ``households_referred (state=...)``, the reason group of
  the first of its declines in the order of :data:`needs.assessment.flow.REASON_GROUPS` ``households_referred (state=unable_anywhere, latest_decline=latest_...)``; households
  supported by where their support began ``households_supported (start=...)``; accepted
  referrals first or further for their household ``referrals (outcome=accepted_supported,
  repeat=...)``. Two rows that are the same number under two keys (households supported
  from a referral made in the period; households unable to be supported by any service in the dataset, the
  ``households_unmet`` of the unmet part) each register the other's key as a ``twin``, so
  that either hidden hides both rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from needs.publish.cells import Count, PartSpec, Share
from needs.publish.children_specs import CHILDREN_MEASURE_SPECS, CHILDREN_PART_SPECS, CHILDREN_TABLE_SPECS
from needs.publish.layout import Measure, MeasureSpec, TableSpec
from needs.publish.tables import Column
from needs.reference.constants import SYMBOL_NOT_APPLICABLE

__all__ = [
    "KEY_FIGURE_MEASURES",
    "SCOPE_LABELS",
    "STORY_MEASURE_SPECS",
    "STORY_PART_SPECS",
    "STORY_TABLE_SPECS",
]

#: Scope labels as the report shows them.
SCOPE_LABELS: dict[str, str] = {
    "safe_accommodation": "In safe accommodation (Part 4 duty)",
    "community": "Community-based support",
    "other": "Other accommodation or type not known",
    "all": "All support (each household once)",
}
#: Short scope names for measure labels.
_SCOPE_NAMES = {"safe_accommodation": "in safe accommodation", "community": "in community-based support"}
_MEASURES = ("individuals", "adults", "children", "households")
_DIMS = ("outcome", "reason", "state", "start", "repeat", "latest_decline")
_INDENT = "\u2003"


_SCOPES = ("all", "safe_accommodation", "community")


def _supported_prepare(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """Scope labels, and each area's figures of every scope on each of its rows
    (``<measure>_<scope>``: the same counts under the same keys, so that the key figures read
    them from the part's first row and the page hides them where it hides the scope's row)."""
    frame = frame.assign(scope_label=frame["scope"].astype(str).map(SCOPE_LABELS).fillna(frame["scope"]))
    wide = frame.assign(scope=frame["scope"].astype(str)).pivot_table(
        index="area_code", columns="scope", values=list(_MEASURES), aggfunc="first"
    )
    for measure in _MEASURES:
        for scope in _SCOPES:
            column = wide[measure][scope] if scope in wide[measure] else pd.Series(dtype=float)
            frame[f"{measure}_{scope}"] = frame["area_code"].map(column).to_numpy()
    return frame


def _scope_counts(scope: str) -> tuple[Count, ...]:
    """The counts of one scope as ``<measure>_<scope>`` columns (see :func:`_supported_prepare`)."""
    fixed = (("scope", scope),)
    individuals = (f"individuals_{scope}",)
    return (
        Count(f"households_{scope}", "households_supported", fixed=fixed, derived=individuals),
        Count(f"adults_{scope}", "households_supported", fixed=fixed, derived=individuals),
        Count(f"children_{scope}", "children_supported", fixed=fixed, derived=individuals),
    )


def _with_bases(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """Each row's base as keys (``base_<dim>``: the base row's dimensions), its label indented
    by level, and the ``twin`` key of a row that is the same number as another part's count."""
    frame = frame.copy()
    # A household's decline reason group (``latest_decline``, a historical name) is its own dimension, its codes apart from the named
    # subtotals of ``reason`` (a code is a parent in every dimension).
    households = frame["fact"].astype(str) == "households_referred"
    reason = frame["reason"].astype(object)
    frame["latest_decline"] = ("latest_" + reason.astype(str)).where(households & reason.notna())
    frame["reason"] = reason.where(~households)
    present = [dim for dim in _DIMS if dim in frame.columns]
    lookup = frame.set_index(["area_code", "section", "row"])
    index = pd.MultiIndex.from_arrays([frame["area_code"], frame["section"], frame["base_row"]])
    frame["base_fact"] = lookup["fact"].reindex(index).to_numpy()
    for dim in present:
        frame[f"base_{dim}"] = lookup[dim].reindex(index).to_numpy()
    levels = pd.to_numeric(frame["level"], errors="coerce").fillna(0).astype(int)
    frame["stage"] = [_INDENT * n + str(label) for n, label in zip(levels, frame["label"], strict=True)]
    frame["twin"] = np.nan
    frame["twin_fact"] = ""
    frame["twin_start"] = None
    frame["twin_state"] = None
    row = frame["row"].astype(str)
    if "section" in frame.columns:
        pairs = (
            (row == "supported_here", "households_supported", "referral_in_period", None),
            (row == "began_in_period", "households_referred", None, "supported_here"),
            (row == "unable_anywhere", "households_unmet", None, None),
        )
        for mask, fact, start, state in pairs:
            frame.loc[mask, "twin"] = frame.loc[mask, "count"]
            frame.loc[mask, "twin_fact"] = fact
            frame.loc[mask, "twin_start"] = start
            frame.loc[mask, "twin_state"] = state
    # The first row of each flow is the base of the others and has none of its own: [z].
    top = frame["base_fact"].isna().to_numpy()
    frame[["base_label", "base_count", "share"]] = frame[["base_label", "base_count", "share"]].astype(object)
    frame.loc[top, ["base_label", "base_count", "share"]] = SYMBOL_NOT_APPLICABLE
    return frame


def _flow_spec(part: str) -> PartSpec:
    return PartSpec(
        part,
        counts=(
            Count("count", "{fact}", _DIMS, derived=("share",)),
            Count("base_count", "{base_fact}", tuple(f"{dim}:base_{dim}" for dim in _DIMS), derived=("share",)),
            Count("twin", "{twin_fact}", ("start:twin_start", "state:twin_state"), derived=("count", "share")),
        ),
        shares=(Share("share", "count", "base_count"),),
        prepare=_with_bases,
    )


#: The parts of who was supported and the flows (children's join from their module).
_PART_SPECS: tuple[PartSpec, ...] = (
    PartSpec(
        "supported",
        counts=(
            Count("households", "households_supported", ("scope",), derived=("individuals",)),
            Count("adults", "households_supported", ("scope",), derived=("individuals",)),
            Count("children", "children_supported", ("scope",), derived=("individuals",)),
            *(count for scope in _SCOPES for count in _scope_counts(scope)),
        ),
        prepare=_supported_prepare,
    ),
    _flow_spec("referral_flow"),
    _flow_spec("household_flow"),
)

_STAGE_COLUMNS = (
    Column("Base", "base_label"),
    Column("Base count", "base_count", "count", count=True),
    Column("Share of base", "share", "percent"),
)

_TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "supported_table",
        part="supported",
        columns=(
            Column("Scope of support", "scope_label"),
            Column("Households", "households", "count", count=True),
            Column("Adults (lead victims)", "adults", "count", count=True),
            Column("Children", "children", "count", count=True),
            # households + children, shown only where both are (derived from each)
            Column("Individuals (adults and children)", "individuals", "count"),
        ),
        caption="Households and individuals supported by scope, {where}",
        row_header="Scope of support",
        note="Safe accommodation is relevant safe accommodation under SI 2021/991 (refuges, "
        "specialist, dispersed and second-stage accommodation, sanctuary schemes and other "
        "designated emergency accommodation): the Part 4 duty. Community-based support is "
        "support not in safe accommodation. A household supported in both counts in each and "
        "once in the total, so the scopes can add up to more than the total. Each household has "
        "one adult (the lead victim); individuals are adults and children.",
        description="Households, adults, children and individuals supported, by scope.",
    ),
    TableSpec(
        "referral_flow",
        part="referral_flow",
        columns=(Column("Stage", "stage"), Column("Referrals", "count", "count", count=True), *_STAGE_COLUMNS),
        caption="What happened to the referrals made in the period to services in the area, {where}",
        row_header="Stage",
        note="Each row is a part of its base, and the rows of each base add up to it. Decided "
        "referrals are those accepted, unable to be supported or declined by the survivor. "
        "Pending and not known are as recorded when the data were extracted.",
        description="The flow of referrals: referred, decided, supported, unable to be supported "
        "(by reason), declined, withdrawn, pending.",
    ),
    TableSpec(
        "household_flow",
        part="household_flow",
        columns=(Column("Stage", "stage"), Column("Households", "count", "count", count=True), *_STAGE_COLUMNS),
        caption="What became of the households referred in the period to services in the area, {where}",
        row_header="Stage",
        rows=(("section", ("referred",)),),
        note="Each household is counted once, in the first state that applies in the order "
        "shown, so the states add up to the households referred. 'Anywhere in this data' "
        "means by any service that sent records: support from services outside the data "
        "cannot be seen.",
        description="The flow of households referred, each in exactly one state.",
    ),
    TableSpec(
        "supported_flow",
        part="household_flow",
        columns=(Column("Stage", "stage"), Column("Households", "count", "count", count=True), *_STAGE_COLUMNS),
        caption="Households supported in the period by where their support began, {where}",
        row_header="Stage",
        rows=(("section", ("supported",)),),
        note="Households supported in the period include those whose support began before it "
        "and continued into it, so they can outnumber the referrals accepted in the period.",
        description="Households supported in the period: support begun in it or continued.",
    ),
    TableSpec(
        "accepted_flow",
        part="household_flow",
        columns=(Column("Stage", "stage"), Column("Referrals", "count", "count", count=True), *_STAGE_COLUMNS),
        caption="Referrals accepted in the period against the households they belong to, {where}",
        row_header="Stage",
        rows=(("section", ("accepted",)),),
        note="A household accepted by several services has several accepted referrals but is "
        "one household supported.",
        description="Accepted referrals against households (households accepted more than once).",
    ),
)
_MEASURE_SPECS: tuple[MeasureSpec, ...] = ()


#: Key figures of who was supported, in total and by scope (read from the ``supported`` part's first row).
KEY_FIGURE_MEASURES: tuple[Measure, ...] = (
    *(
        Measure(f"{label} supported (all support, each once)", f"{measure}_all", "count",
                measure != "individuals", part="supported")
        for measure, label in (("individuals", "Individuals (adults and children)"),
                               ("adults", "Adults (lead victims)"), ("children", "Children"),
                               ("households", "Households"))
    ),
    *(
        Measure(f"{label} supported {name}", f"{measure}_{scope}", "count", measure != "individuals",
                part="supported")
        for scope, name in _SCOPE_NAMES.items()
        for measure, label in (("individuals", "Individuals"), ("adults", "Adults"), ("children", "Children"),
                               ("households", "Households"))
    ),
)  # fmt: skip

STORY_PART_SPECS: tuple[PartSpec, ...] = (*_PART_SPECS, *CHILDREN_PART_SPECS)
STORY_TABLE_SPECS: tuple[TableSpec, ...] = (*_TABLE_SPECS, *CHILDREN_TABLE_SPECS)
STORY_MEASURE_SPECS: tuple[MeasureSpec, ...] = (*_MEASURE_SPECS, *CHILDREN_MEASURE_SPECS)
