"""The counts of every assessment part the report publishes, declared once.

Each :class:`~needs.publish.cells.PartSpec` says which columns of a part are counts, what
each counts (its key, :func:`needs.publish.cells.cell_key`), which columns are derived from
it and which shares are shown beside it. The same count in two parts gets the same key: the
decided referrals of a service type are ``referrals (accommodation_type=..., outcome=decided)``
in the outcome table, the decline-reason table and the loss-model table alike, so the page
hides them everywhere or nowhere, and the audit knows they are one number.

Parts without counts of people (population, provision, benchmark, spend) are not here:
they reveal nobody.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from needs.publish.capacity_specs import erlang_text, gap_text
from needs.publish.cells import (
    ALL,
    DECIDED,
    KNOWN,
    NOT_UNMET_NEED,
    OTHER_AREAS,
    OWN_AREA,
    UNMET_NEED,
    Count,
    PartSpec,
    Share,
)
from needs.publish.governance_specs import GOVERNANCE_PART_SPECS
from needs.publish.projection_specs import PROJECTION_PART_SPECS
from needs.publish.story_specs import STORY_PART_SPECS
from needs.reference import categories as cat
from needs.reference.periods import previous_period

__all__ = ["PART_SPECS", "RECORD_LEVEL_TABLES"]

#: Tables with one row per person, household or referral: their row counts are counts.
RECORD_LEVEL_TABLES = ("referrals", "survey")

_INTERVAL = ("lower", "upper")
_REPRESENTATION_DERIVED = (
    "observed_share", *_INTERVAL, "ratio", "ratio_lower", "ratio_upper", "significance", "under_reached"
)  # fmt: skip
_RATE_RATIO = ("rate_ratio", "ratio_lower", "ratio_upper")
#: Households referred and unable to be supported by any service in this dataset (the flow's state).
_UNABLE = (("state", "unable_anywhere"),)


def _origins(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    own = frame["origin_area_code"].astype(str) == str(context.area)
    return frame.assign(origin=np.where(own, OWN_AREA, frame["origin_area_code"].astype(str)))


def _directions(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    into = frame["direction"].astype(str) == "in"
    return frame.assign(
        count_fact=np.where(into, "referrals", "resident_referrals_elsewhere"),
        origin=np.where(into, OTHER_AREAS, None),
        denominator_fact=np.where(into, "referrals", "resident_referrals"),
    )


def _with_totals(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """Each service type's referrals of every outcome, as rows with outcome ``all`` (the
    outcome table's "Total" column)."""
    totals = (
        frame.groupby(["area_code", "accommodation_type"], observed=True, sort=False)["count"]
        .sum()
        .reset_index()
        .assign(outcome=ALL)
    )
    return pd.concat([frame.astype({"outcome": object}), totals], ignore_index=True)


def _periods(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """Keys of the trend counts: the page's own period is the key without a period."""
    current = str(context.period)
    period = frame["period"].astype(str)
    shares = frame["measure"].astype(str) == "group_share"
    before = period.map(previous_period)
    keys = ["area_code", "measure", "characteristic", "category"]
    previous = frame[[*keys, "period", "count", "denominator"]].rename(
        columns={"period": "_before", "count": "count_before", "denominator": "denominator_before"}
    )
    out = frame.assign(_before=before).merge(previous, on=[*keys, "_before"], how="left")
    out["period_key"] = np.where(period.to_numpy() == current, None, period.to_numpy())
    out["period_before_key"] = np.where(out["_before"].astype(str) == current, None, out["_before"])
    out["share_denominator"] = out["denominator"].where(shares.to_numpy())
    out["share_denominator_before"] = out["denominator_before"].where(shares.to_numpy())
    return out.drop(columns="_before")


def _record_rows(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    records = frame["table"].astype(str).isin(RECORD_LEVEL_TABLES)
    return frame.assign(record_rows=frame["rows"].where(records))


#: The loss model's and gap table's text cells (:mod:`needs.publish.capacity_specs`), derived
#: from the households arriving and the stays, hidden with them.
_ERLANG_TEXT = ("turnaway_year_range", "occupancy_year_range", "units_needed_range", "check_verdict",
                "units_needed_lower", "units_needed_upper")
_GAP_TEXT = ("units_needed_range", "gap_range", "cost_range", "units_needed_lower", "units_needed_upper",
             "gap_units_lower", "gap_units_upper", "annual_cost_to_close_lower", "annual_cost_to_close_upper")


def _specialism_keys(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """The specialism of a gap row's key: ``None`` (the whole type) where the type has one
    specialism in the area, so that the same households are one key (the throughput and loss
    model tables' count of the type), not two keys a sum ties together."""
    if frame.empty:
        return frame.assign(specialism_key=pd.Series(dtype=object))
    rows = frame.groupby([frame["area_code"].astype(str), frame["accommodation_type"].astype(str)])
    several = rows["specialism"].transform("nunique").to_numpy() > 1
    return frame.assign(specialism_key=np.where(several, frame["specialism"].astype(str), None))


#: Every part with counts, as the report publishes it.
PART_SPECS: dict[str, PartSpec] = {
    spec.part: spec
    for spec in (
        PartSpec(
            "representation",
            counts=(
                Count("observed_count", "households_{basis}", ("characteristic", "category"),
                      derived=_REPRESENTATION_DERIVED),
                Count("observed_total", "households_{basis}", ("characteristic",),
                      fixed=(("category", KNOWN),), derived=_REPRESENTATION_DERIVED),
            ),
            shares=(
                Share("observed_share", "observed_count", "observed_total"),
                Share("ratio", "observed_count", "observed_total", decimals=2, divided_by="expected_share"),
            ),
        ),
        PartSpec(
            "not_known",
            counts=(
                Count("count", "households_{basis}", ("characteristic",),
                      fixed=(("category", cat.NOT_KNOWN),), derived=("share",)),
                Count("total", "households_{basis}", derived=("share",)),
            ),
            shares=(Share("share", "count", "total"),),
        ),
        PartSpec(
            "declines_by_group",
            counts=(
                Count("declined", "referrals", ("characteristic", "category"),
                      fixed=(("outcome", "unable_to_support"),), derived=("share", *_INTERVAL)),
                Count("decided", "referrals", ("characteristic", "category"),
                      fixed=(("outcome", DECIDED),), derived=("share", *_INTERVAL)),
            ),
            shares=(Share("share", "declined", "decided"),),
        ),
        PartSpec(
            "outcomes",
            counts=(
                Count("count", "referrals", ("accommodation_type", "outcome"), derived=("share", *_INTERVAL)),
                Count("denominator", "referrals", ("accommodation_type",),
                      fixed=(("outcome", DECIDED),), derived=("share", *_INTERVAL)),
            ),
            shares=(Share("share", "count", "denominator"),),
            prepare=_with_totals,
        ),
        PartSpec(
            "decline_reasons",
            counts=(
                Count("count", "referrals", ("accommodation_type", "reason"),
                      fixed=(("outcome", "unable_to_support"),), derived=("share", *_INTERVAL)),
                Count("denominator", "referrals", ("accommodation_type",),
                      fixed=(("outcome", DECIDED),), derived=("share", *_INTERVAL)),
            ),
            shares=(Share("share", "count", "denominator"),),
        ),
        PartSpec(
            "unmet",
            counts=(
                Count("households_referred", "households_referred", derived=("unmet_share", *_INTERVAL)),
                Count("households_supported", "households_supported"),
                Count("households_unmet", "households_unmet"),
                # Unmet need and the rest, as the household flow's reason groups of households
                # unable to be supported (needs.assessment.flow: the same numbers, the same keys).
                Count("households_unmet_need", "households_referred", fixed=_UNABLE + (("latest_decline", UNMET_NEED),),
                      derived=("unmet_share", *_INTERVAL)),
                Count("households_unmet_capacity", "households_referred",
                      fixed=_UNABLE + (("latest_decline", "latest_no_capacity_space"),)),
                Count("households_unmet_needs", "households_referred",
                      fixed=_UNABLE + (("latest_decline", "latest_needs_not_met"),)),
                Count("households_unable_other", "households_referred",
                      fixed=_UNABLE + (("latest_decline", NOT_UNMET_NEED),)),
            ),
            shares=(Share("unmet_share", "households_unmet_need", "households_referred"),),
        ),
        PartSpec(
            "cross_border",
            counts=(
                Count("referrals", "referrals", ("origin",)),
                Count("households", "households_referred", ("origin",)),
            ),
            prepare=_origins,
        ),
        PartSpec(
            "out_of_area",
            counts=(
                Count("count", "{count_fact}", ("origin",), derived=("share", *_INTERVAL)),
                Count("denominator", "{denominator_fact}", derived=("share", *_INTERVAL)),
            ),
            shares=(Share("share", "count", "denominator"),),
            prepare=_directions,
        ),
        PartSpec(
            "throughput",
            counts=(
                Count("households_supported", "households_supported", ("accommodation_type",),
                      derived=("mean_stay_days", "occupancy", "annual_throughput", "capacity_full_occupancy")),
            ),
        ),
        # The capacity story (the gap table): the loss model, stay, throughput and capacity of
        # each type x specialism, derived from its households arriving and supported.
        PartSpec(
            "gaps",
            counts=(
                Count("arrivals_per_year", "households_arriving", ("accommodation_type", "specialism:specialism_key"),
                      derived=("units_needed", "gap_units", "annual_cost_to_close", *_GAP_TEXT)),
                Count("households_supported", "households_supported",
                      ("accommodation_type", "specialism:specialism_key"),
                      derived=("mean_stay_days", "occupancy", "annual_throughput", "capacity_full_occupancy",
                               "units_needed", "gap_units", "annual_cost_to_close", *_GAP_TEXT)),
            ),
            prepare=lambda frame, context: gap_text(_specialism_keys(frame, context)),
        ),
        PartSpec(
            "erlang",
            counts=(
                Count("arrivals_per_year", "households_arriving", ("accommodation_type", "specialism:specialism_key"),
                      derived=("offered_load", "modelled_turnaway", "implied_occupancy", "units_needed",
                               *_ERLANG_TEXT)),
                # The modelled occupancy is load x (1 - B) / units: with the units and households
                # arriving shown it gives the mean stay away, so it goes wherever the stays go.
                Count("stays", "households_supported", ("accommodation_type", "specialism:specialism_key"),
                      derived=("mean_stay_days", "offered_load", "modelled_turnaway", "implied_occupancy",
                               "units_needed", "observed_occupancy", *_ERLANG_TEXT)),
                Count("censored_stays", "stays_open_at_period_end",
                      ("accommodation_type", "specialism:specialism_key"), derived=("mean_stay_days",)),
                Count("observed_capacity_declines", "referrals", ("accommodation_type", "specialism:specialism_key"),
                      fixed=(("outcome", "unable_to_support"), ("reason", "no_capacity_space")),
                      derived=("observed_turnaway_share",)),
                Count("observed_decided", "referrals", ("accommodation_type", "specialism:specialism_key"),
                      fixed=(("outcome", DECIDED),), derived=("observed_turnaway_share",)),
            ),
            shares=(Share("observed_turnaway_share", "observed_capacity_declines", "observed_decided"),),
            # The loss model is per type x specialism (the gap table's grain), with its own stays.
            prepare=lambda frame, context: erlang_text(_specialism_keys(frame, context)),
        ),
        PartSpec(
            "funding",
            counts=(
                Count("households_supported", "households_supported", derived=("cost_per_household",)),
                Count("households_safe_accommodation", "households_supported",
                      fixed=(("scope", "safe_accommodation"),), derived=("cost_per_household_safe_accommodation",)),
                Count("households_community", "households_supported",
                      fixed=(("scope", "community"),), derived=("cost_per_household_community",)),
            ),
        ),
        PartSpec(
            "trends",
            counts=(
                Count("count", "households_supported", ("characteristic", "category", "period:period_key"),
                      derived=("value", *_INTERVAL, *_RATE_RATIO, "per_month")),
                Count("share_denominator", "households_supported", ("characteristic", "period:period_key"),
                      fixed=(("category", KNOWN),), derived=("value", *_INTERVAL, *_RATE_RATIO)),
                Count("count_before", "households_supported",
                      ("characteristic", "category", "period:period_before_key"), derived=_RATE_RATIO),
                Count("share_denominator_before", "households_supported",
                      ("characteristic", "period:period_before_key"), fixed=(("category", KNOWN),),
                      derived=_RATE_RATIO),
            ),
            shares=(Share("value", "count", "share_denominator"),),
            prepare=_periods,
        ),
        PartSpec(
            "data_summary",
            counts=(Count("record_rows", "records", ("table",)),),
            prepare=_record_rows,
        ),
    )
}

#: The statutory story's and the governance sections' parts join them (declared in their modules).
PART_SPECS.update({spec.part: spec for spec in (*STORY_PART_SPECS, *GOVERNANCE_PART_SPECS)})
#: Projected need (declared in needs.publish.projection_specs) joins them too.
PART_SPECS.update({spec.part: spec for spec in PROJECTION_PART_SPECS})
