"""The layout of every regular published table, declared once.

A :class:`TableSpec` says where a table's rows come from, which of them it shows, in what
order, and how it reads: its columns, caption, row header and note. Its ``part`` is a part
of the :class:`~needs.publish.page.Page` (whose counts, the columns derived from them and the
groups within which they add up are declared in :data:`needs.publish.part_specs.PART_SPECS`),
or a frame of :data:`SOURCES` (parts without counts of people, and frames derived from
published ones). A :class:`MeasureSpec` declares a two-column ``Measure | Value`` table read
from the first row of one or more parts. :mod:`needs.publish.publisher` builds both;
:class:`needs.publish.publication.Publication` shows each under its name.

Captions, notes, headings and the codes of ``rows`` are templates. Every table may name
``{where}`` (area and period), ``{area_name}``, ``{area}`` (its code), ``{period}`` and
``{ci}`` (e.g. ``95% confidence interval``); a table asked for with more (the
representation tables' ``{characteristic}``, ``{label}`` and ``{basis}``) names those too.

Not declared here, because a spec would be contorted: the crosstabs of outcomes and decline
reasons by accommodation type (a pivot of a long part, :mod:`needs.publish.referral_tables`);
the data summary, whose rows of record-level tables alone are counts, and the scenario
comparison, a wide table of figures computed when asked for
(:mod:`needs.publish.publication`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from needs.assessment.funding import funding_by_year
from needs.publish.fit import published_goodness_of_fit
from needs.publish.formatting import ALL, code_label
from needs.publish.governance_specs import GOVERNANCE_MEASURE_SPECS, GOVERNANCE_TABLE_SPECS
from needs.publish.layout import Codes, Measure, MeasureSpec, TableSpec
from needs.publish.projection_specs import PROJECTION_TABLE_SPECS
from needs.publish.story_specs import KEY_FIGURE_MEASURES, STORY_MEASURE_SPECS, STORY_TABLE_SPECS
from needs.publish.tables import Column
from needs.reference import categories as cat
from needs.reference.constants import MAJORITY_EXPECTED_SHARE, UNDER_REACH_MAX_RATIO
from needs.reference.rounding import round_estimate

__all__ = ["MEASURE_SPECS", "SOURCES", "TABLE_SPECS", "Measure", "MeasureSpec", "TableSpec"]

# ---------------------------------------------------------------------------------------------
# Sources: frames that are not a page part as the page publishes it
# ---------------------------------------------------------------------------------------------


def _without_counts(name: str, publication: Any) -> pd.DataFrame:
    """A part that counts no people (estimates, services, money), published as it is."""
    return publication._suppress(publication._part(name))


def _type_labels(types: Any) -> Any:
    if isinstance(types, (list, tuple, np.ndarray)):
        return ", ".join(code_label("accommodation_type", t) for t in types)
    if isinstance(types, str):
        return ", ".join(code_label("accommodation_type", t.strip()) for t in types.split(",") if t.strip())
    return types


def _benchmark(publication: Any) -> pd.DataFrame:
    """The benchmark part, the accommodation types it counts as their labels."""
    frame = _without_counts("benchmark", publication)
    if frame.empty:
        return frame
    return frame.assign(counted_types=frame["counted_types"].map(_type_labels))


def _expected_victims(publication: Any) -> pd.DataFrame:
    """Expected victims (estimates, not counts), each with its interval rounded to the precision
    the interval supports (:func:`needs.reference.rounding.round_estimate`: the nearest 10 or
    100 for an area or district)."""
    frame = _without_counts("expected_victims", publication)
    if frame.empty or not {"value", "lower", "upper"} <= set(frame.columns):
        return frame
    numbers = [pd.to_numeric(frame[c], errors="coerce") for c in ("value", "lower", "upper")]
    rounded = round_estimate(*numbers)
    return frame.assign(
        **{
            column: pd.Series(values, index=frame.index).astype(object).where(number.notna(), frame[column])
            for column, values, number in zip(("value", "lower", "upper"), rounded, numbers, strict=True)
        }
    )


def _area_expected_victims(publication: Any) -> pd.DataFrame:
    """The expected victims of the whole area, both sexes (rounded as :func:`_expected_victims`)."""
    part = _expected_victims(publication)
    if part.empty:
        return part
    return part[(part["level"].astype(str) == "tier_one") & (part["sex"].astype(str) == ALL)]


def _goodness_of_fit(publication: Any) -> pd.DataFrame:
    """The fit test on the published representation counts
    (:func:`needs.publish.fit.published_goodness_of_fit`)."""
    return published_goodness_of_fit(publication._published("representation"))


def _funding_by_year(publication: Any) -> pd.DataFrame:
    """Grant and committed spend of every year of the dataset (money: no counts)."""
    if publication.dataset is None:
        return pd.DataFrame()
    return publication._suppress(funding_by_year(publication.dataset))


#: Frames a spec's ``part`` may name besides the page's parts, each made from the publication.
def _service_coverage(publication: Any) -> pd.DataFrame:
    """When the services behind each year were running (services, not people), dates in words."""
    frame = publication._part("service_coverage")
    if frame.empty:
        return frame
    start = pd.to_datetime(frame["first_start"])
    return frame.assign(first_start=start.dt.day.astype(str) + start.dt.strftime(" %B %Y"))


SOURCES: dict[str, Callable[[Any], pd.DataFrame]] = {
    **{
        name: partial(_without_counts, name)
        for name in ("provision", "spend_by_service")
    },
    "expected_victims": _expected_victims,
    "benchmark": _benchmark,
    "area_expected_victims": _area_expected_victims,
    "goodness_of_fit": _goodness_of_fit,
    "funding_by_year": _funding_by_year,
    "service_coverage": _service_coverage,
}

# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------

_ACCOMMODATION_TYPE_ORDER: Codes = (("accommodation_type", cat.ACCOMMODATION_TYPES.codes),)
_ACCOMMODATION_TYPE = Column("Accommodation type", "accommodation_type", "label")
_CI = Column("{ci}", "lower", "interval", "upper")
_RATIO_CI = Column("Ratio {ci}", "ratio_lower", "interval", "ratio_upper", interval_kind="ratio")
#: The representation ratio in words ("about 4 in 10 of the number expected").
_RATIO_WORDS = Column("In words", "ratio", "ratio_words")
_RATIO_TO_PREVIOUS = (Column("Ratio to the previous year", "rate_ratio", "ratio"), _RATIO_CI)
#: Overall trend rows: no characteristic (missing, empty or ``all``).
_OVERALL: Codes = (("characteristic", ("", ALL)),)
#: Units against bedspaces, and planned units (the capacity tables' notes).
_UNITS_NOTE = (
    "A unit is a self-contained space for one household (a woman and her children, or one "
    "adult): the Council of Europe's family place. A bedspace is a bed for one person, so a unit "
    "may have several. Planned units are contracts not yet in place (commissioned or to be "
    "procured): the pipeline, shown apart and never counted as in place."
)
#: What the cost of a gap covers.
_SUPPORT_COST_NOTE = (
    "Costs are support costs: a service's annual cost divided by its units (of the type's "
    "services in place, or its planned ones where none is in place). The annual cost funds "
    "support, not the housing itself (the duty is to fund support in safe accommodation; rent "
    "and capital costs are met elsewhere), so the cost of closing a gap is the support cost of "
    "the extra units, not the full cost of new accommodation."
)
#: Throughput against capacity.
_THROUGHPUT_NOTE = (
    "Throughput is the households a year the units in place take at the occupancy observed "
    "(units x 365.25 x occupancy / mean stay); capacity is what they could take at full "
    "occupancy with the same mean stay (units x 365.25 / mean stay). The mean stay is the "
    "Kaplan-Meier restricted mean: stays still open at the end of the year are censored there, "
    "not cut, and stays begun before it count from the length they had reached (see Methods)."
)

#: Every regular table of the report, by name.
TABLE_SPECS: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        # -- expected need and who is supported ------------------------------------------------
        TableSpec(
            "expected_victims",
            part="expected_victims",
            columns=(
                Column("Area", "geography_name"),
                Column("Level", "level", "label"),
                Column("Sex", "sex", "label"),
                Column("Population aged 16 and over", "population_16plus", "integer"),
                Column("Prevalence (CSEW, last year)", "rate", "rate"),
                Column("Expected victims", "value", "integer"),
                Column("{ci}", "lower", "interval", "upper", interval_kind="integer"),
                Column("Prevalence by age band", "rate_basis", "text", optional=True),
            ),
            caption="Expected adult victims of domestic abuse in a year, {where}",
            row_header="Area",
            note="Expected victims are estimates: population aged 16 and over by sex and age band "
            "multiplied by the Crime Survey for England and Wales prevalence for the last year (rates "
            "published for a band are used as published; the other bands' rates are modelled from an "
            "age profile so that the national all-adults rate is reproduced), so they are not counts "
            "of people and are not suppressed. The interval covers the survey's national sampling "
            "error only, not local variation in prevalence. Each estimate and its interval are rounded to the "
            "precision the interval supports (the nearest 10 or 100).",
            order=("level", "geography_name", "sex"),
            codes=(("level", ("tier_one", "district")), ("sex", ("female", "male"))),
            description="Expected adult victims a year by geography and sex (estimates, not counts).",
        ),
        TableSpec(
            "expected_victims_area",
            part="expected_victims",
            columns=(
                Column("Sex", "sex", "label"),
                Column("Population aged 16 and over", "population_16plus", "integer"),
                Column("Prevalence (CSEW, last year)", "rate", "rate"),
                Column("Expected victims", "value", "integer"),
                Column("{ci}", "lower", "interval", "upper", interval_kind="integer"),
            ),
            caption="Expected adult victims of domestic abuse in a year by sex, whole area, {where}",
            row_header="Sex",
            note="Estimates, not counts: the population aged 16 and over multiplied by the national "
            "prevalence (Crime Survey for England and Wales), rounded to the precision the interval "
            "supports. The interval covers the survey's national sampling error only.",
            rows=(("level", ("tier_one",)),),
            order=("sex",),
            codes=(("sex", ("female", "male")),),
            description="Expected adult victims a year of the whole area by sex (the main body's "
            "short form of :attr:`expected_victims`).",
        ),
        TableSpec(
            "representation",
            part="representation",
            columns=(
                Column("Group", "category", "category"),
                Column("Share of expected victims", "expected_share", "percent"),
                Column("Number of households {basis}", "observed_count", "count", count=True),
                Column("Share of households {basis}", "observed_share", "percent"),
                _CI,
                Column("Representation ratio", "ratio", "ratio"),
                _RATIO_CI,
                _RATIO_WORDS,
                Column("Compared with expected (95% and 99.8%)", "significance", "text", optional=True),
                Column("Reached less than expected", "under_reached", "yes_no"),
                Column("Expected share based on", "weight_basis", "text", optional=True),
            ),
            caption="{label}: households {basis} against expected victims, {where}",
            row_header="Group",
            note="A representation ratio below 1 means the group is a smaller share of "
            "households {basis} than of expected victims. 'Compared with expected' says whether the "
            "ratio's 95% or 99.8% interval lies wholly below or above 1. 'Reached less than expected' "
            f"needs the ratio below 1 at 95% or more and at most {UNDER_REACH_MAX_RATIO:g}, an expected "
            "share weighted by relative prevalence (not a 'population share, not weighted'), and a "
            "group that is not the majority (expected share above "
            f"{MAJORITY_EXPECTED_SHARE:.0%}, or the larger of two groups), whose ratio only mirrors "
            "the others'.",
            rows=(("characteristic", ("{characteristic}",)), ("basis", ("{basis}",))),
            description="Expected against observed profile for one characteristic.",
        ),
        TableSpec(
            "under_reached",
            part="representation",
            columns=(
                Column("Characteristic", "characteristic", "label"),
                Column("Group", "category", "category"),
                Column("Share of expected victims", "expected_share", "percent"),
                Column("Share of households {basis}", "observed_share", "percent"),
                Column("Representation ratio", "ratio", "ratio"),
                _RATIO_CI,
                _RATIO_WORDS,
            ),
            caption="Groups reached less than expected among households {basis}, {where}",
            note="Each group's ratio is below 1 at 95% or 99.8% (the group's table in the appendix "
            "says which) and at most " f"{UNDER_REACH_MAX_RATIO:g}.",
            empty_message="No group was reached clearly less than expected (or the numbers are too "
            "small to say).",
            rows=(("basis", ("{basis}",)), ("under_reached", ("True",))),
            drop=(("category", (cat.NOT_KNOWN,)),),
            description="Groups reached less than expected: ratio below 1 at 95% or 99.8%, at most "
            f"{UNDER_REACH_MAX_RATIO:g}, weighted expected share, not the majority group (published only).",
        ),
        TableSpec(
            "goodness_of_fit",
            part="goodness_of_fit",
            columns=(
                Column("Characteristic", "characteristic", "label"),
                Column("Basis", "basis", "label"),
                Column("Chi-square statistic", "statistic", "number"),
                Column("Degrees of freedom", "dof", "integer"),
                Column("p-value", "p_value", "p_value"),
                Column("Some expected counts below 5", "small_expected", "yes_no"),
                Column("Groups combined for the test", "merged"),
            ),
            caption="Goodness of fit of the observed profile to the expected profile, {where}",
            row_header="Characteristic",
            note="A small p-value means the profile of households differs from the profile of "
            "expected victims by more than chance. Where expected counts are below 5 the test is "
            "approximate. Groups whose numbers are hidden are combined into one for the test, so "
            "that it is computed only on what the tables publish.",
            description="Chi-square goodness of fit of the published profile to the expected "
            "profile, on the published counts with the hidden groups of a characteristic merged "
            "(:func:`needs.publish.fit.published_goodness_of_fit`).",
        ),
        TableSpec(
            "not_known",
            part="not_known",
            columns=(
                Column("Characteristic", "characteristic", "label"),
                Column("Basis", "basis", "label"),
                Column("Not known", "count", "count", count=True),
                Column("Households", "total", "count", count=True),
                Column("Share not known", "share", "percent"),
            ),
            caption="Households whose characteristic was not recorded, {where}",
            row_header="Characteristic",
            description="Households whose characteristic was not recorded.",
        ),
        # -- referrals, declines and cross-border flows ----------------------------------------
        TableSpec(
            "outcome_shares",
            part="outcomes",
            columns=(
                Column("Outcome", "outcome", "label"),
                Column("Referrals", "count", "count", count=True),
                Column("Decided referrals", "denominator", "count", count=True),
                Column("Share of decided referrals", "share", "percent"),
                _CI,
            ),
            caption="Outcomes as a share of referrals with a decision, all accommodation types, {where}",
            row_header="Outcome",
            rows=(("accommodation_type", (ALL,)), ("outcome", tuple(cat.DECIDED_OUTCOMES))),
            description="Outcomes of decided referrals, all accommodation types.",
        ),
        TableSpec(
            "decline_reason_shares",
            part="decline_reasons",
            columns=(
                Column("Reason", "reason", "label"),
                Column("Referrals declined", "count", "count", count=True),
                Column("Decided referrals", "denominator", "count", count=True),
                Column("Share of decided referrals", "share", "percent"),
                _CI,
                Column("Capacity-related", "capacity_related", "yes_no"),
            ),
            caption="Reasons services were unable to support, as a share of decided referrals, {where}",
            row_header="Reason",
            rows=(("accommodation_type", (ALL,)),),
            description="Decline reasons as shares of decided referrals, all accommodation types.",
        ),
        TableSpec(
            "declines_by_group",
            part="declines_by_group",
            columns=(
                Column("Characteristic", "characteristic", "label"),
                Column("Group", "category", "category"),
                Column("Referrals declined", "declined", "count", count=True),
                Column("Decided referrals", "decided", "count", count=True),
                Column("Share declined", "share", "percent"),
                _CI,
            ),
            caption="Referrals services were unable to support, by group, {where}",
            order=("characteristic",),
            codes=(("characteristic", tuple(cat.CHARACTERISTIC_LABELS)),),
            description="Share of decided referrals declined, by group.",
        ),
        TableSpec(
            "cross_border",
            part="cross_border",
            columns=(
                Column("Area the household came from", "origin_name"),
                Column("Area code", "origin_area_code"),
                Column("Referrals", "referrals", "count", count=True),
                Column("Households", "households", "count", count=True),
            ),
            caption="Referrals to services in {area_name} by the household's area of origin, {period}",
            row_header="Area the household came from",
            order=("origin_name", "origin_area_code"),
            description="Referrals to the area's services by the household's area of origin.",
        ),
        TableSpec(
            "out_of_area",
            part="out_of_area",
            columns=(
                Column("Direction", "direction", "label"),
                Column("Referrals", "count", "count", count=True),
                Column("Out of", "denominator", "count", count=True),
                Column("Share", "share", "percent"),
                _CI,
            ),
            caption="Referrals crossing the area's boundary, {where}",
            row_header="Direction",
            description="Referrals in from other areas and residents referred out.",
        ),
        # -- provision and capacity ------------------------------------------------------------
        TableSpec(
            "capacity",
            part="gaps",
            columns=(
                _ACCOMMODATION_TYPE,
                Column("Specialism", "specialism", "label"),
                Column("Units in place", "units", "integer"),
                Column("Units planned (pipeline, not counted)", "planned_units", "integer"),
                Column("Units needed (loss model)", "units_needed", "integer"),
                Column("Units needed (95% interval)", "units_needed_range", "text"),
                Column("Gap (units needed less units in place, 95% interval)", "gap_range", "text"),
                Column("Support cost per unit a year", "cost_per_unit", "money"),
                Column("Annual support cost to close the gap (95% interval)", "cost_range", "text"),
                Column("Mean stay (days, restricted mean)", "mean_stay_days", "integer"),
                Column("Occupancy", "occupancy", "percent"),
                Column("Throughput: households a year at the observed occupancy", "annual_throughput", "number"),
                Column("Capacity: households a year at full occupancy", "capacity_full_occupancy", "number"),
            ),
            caption="Units in place, planned and needed, the gap and its annual support cost, by "
            "accommodation type and specialism, {where}",
            row_header="Accommodation type",
            note=_UNITS_NOTE + " Units needed: the fewest units in place that keep the modelled share "
            "of households turned away for lack of space at the target (Erlang loss model on the "
            "households arriving and their mean stay; each specialism is its own pool, so the "
            "needs of a type's specialisms may add up to more than the type's pooled need in the "
            "loss-model table). Gap: units needed less units in place (none where the units in "
            "place meet the need); planned units are not counted in it. " + _SUPPORT_COST_NOTE
            + " " + _THROUGHPUT_NOTE,
            order=("accommodation_type",),
            codes=_ACCOMMODATION_TYPE_ORDER,
            description="The capacity story: units in place, planned (pipeline) and needed, the gap, "
            "its annual support cost, throughput and capacity, by type and specialism.",
        ),
        TableSpec(
            "provision",
            part="provision",
            columns=(
                _ACCOMMODATION_TYPE,
                Column("Specialism", "specialism", "label"),
                Column("Services in place", "services", "integer"),
                Column("Units in place", "units", "integer"),
                Column("Bedspaces in place", "bedspaces", "integer"),
                Column("Annual cost in place", "annual_cost", "money"),
                Column("Units planned (pipeline, not counted)", "planned_units", "integer"),
                Column("Bedspaces planned", "planned_bedspaces", "integer"),
                Column("Annual cost planned", "planned_annual_cost", "money"),
            ),
            caption="Commissioned provision in place and planned by accommodation type and specialism, {where}",
            row_header="Accommodation type",
            note=_UNITS_NOTE,
            order=("accommodation_type",),
            codes=_ACCOMMODATION_TYPE_ORDER,
            description="Commissioned services, units and bedspaces in place and planned, by type and "
            "specialism.",
        ),
        TableSpec(
            "throughput",
            part="throughput",
            columns=(
                _ACCOMMODATION_TYPE,
                Column("Units in place", "units", "integer"),
                Column("Units planned (pipeline, not counted)", "planned_units", "integer"),
                Column("Households supported", "households_supported", "count", count=True),
                Column("Mean stay (days)", "mean_stay_days", "integer"),
                Column("Occupancy", "occupancy", "percent"),
                Column("Throughput: households a year at the observed occupancy", "annual_throughput", "number"),
                Column("Capacity: households a year at full occupancy", "capacity_full_occupancy", "number"),
            ),
            caption="Length of stay, occupancy, throughput and capacity by accommodation type, {where}",
            row_header="Accommodation type",
            note=_THROUGHPUT_NOTE,
            order=("accommodation_type",),
            codes=_ACCOMMODATION_TYPE_ORDER,
            description="Length of stay, occupancy, throughput and capacity by accommodation type.",
        ),
        TableSpec(
            "erlang",
            part="erlang",
            columns=(
                _ACCOMMODATION_TYPE,
                Column("Specialism", "specialism", "label"),
                Column("Units in place", "units", "integer"),
                Column("Units planned (pipeline, not in the model)", "planned_units", "integer"),
                Column("Households arriving a year", "arrivals_per_year", "count", count=True),
                Column("Stays", "stays", "count", count=True),
                Column("Stays open at the period end", "censored_stays", "count", count=True),
                Column("Mean stay (days, restricted mean)", "mean_stay_days", "integer"),
                Column("Modelled share turned away", "modelled_turnaway", "percent"),
                Column("Turned away in a modelled year (95%)", "turnaway_year_range", "text"),
                Column("Declined for lack of space", "observed_capacity_declines", "count", count=True),
                Column("Decided referrals", "observed_decided", "count", count=True),
                Column("Observed share turned away for space", "observed_turnaway_share", "percent"),
                Column("Modelled occupancy", "implied_occupancy", "percent"),
                Column("Occupancy in a modelled year (95%)", "occupancy_year_range", "text"),
                Column("Observed occupancy", "observed_occupancy", "percent"),
                Column("Check of the model against what was observed", "check_verdict", "text"),
                Column("Units needed for the target", "units_needed", "integer"),
                Column("Units needed (95% interval)", "units_needed_range", "text"),
                Column("Target share turned away", "target_turnaway", "percent"),
            ),
            caption="Modelled and observed turn-aways for lack of space and occupancy (Erlang loss "
            "model), {where}",
            row_header="Accommodation type",
            note="The model's units are the units in place; planned units are not yet housing anyone "
            "and are left out. Each specialism's units are a pool of their own, as in the gap table. "
            "Mean stay: Kaplan-Meier restricted mean, stays open at the period end counted as "
            "censored. A modelled year: 1,000 bootstrap replicates of the arrivals (Poisson) and "
            "stays (resampled), each simulating one year of the units (households arriving when "
            "every unit is full are turned away); the model is not consistent with what was "
            "observed when the observed share turned away or occupancy falls in either 2.5% tail "
            "of the modelled years, and then no gap is costed from it.",
            order=("accommodation_type",),
            codes=_ACCOMMODATION_TYPE_ORDER,
            description="The Erlang loss model against the observed turn-aways.",
        ),
        TableSpec(
            "gaps",
            part="gaps",
            columns=(
                _ACCOMMODATION_TYPE,
                Column("Specialism", "specialism", "label"),
                Column("Units in place", "units", "integer"),
                Column("Units planned (pipeline, not counted)", "planned_units", "integer"),
                Column("Units needed", "units_needed", "integer"),
                Column("Units needed (95% interval)", "units_needed_range", "text"),
                Column("Gap (units, 95% interval)", "gap_range", "text"),
                Column("Support cost per unit a year", "cost_per_unit", "money"),
                Column("Annual support cost to close the gap (95% interval)", "cost_range", "text"),
            ),
            caption="Gap between units in place and units needed, with its annual support cost, {where}",
            row_header="Accommodation type",
            note=_SUPPORT_COST_NOTE,
            order=("accommodation_type",),
            codes=_ACCOMMODATION_TYPE_ORDER,
            description="The costed gap table: units needed against units in place.",
        ),
        # -- funding, spend and trends ---------------------------------------------------------
        TableSpec(
            "spend_by_service",
            part="spend_by_service",
            columns=(
                Column("Service", "name"),
                Column("Provider", "provider"),
                _ACCOMMODATION_TYPE,
                Column("Support", "support_type", "label"),
                Column("Status", "status", "label"),
                Column("Annual cost", "annual_cost", "money"),
                Column("Committed in the period", "committed_in_period", "money"),
            ),
            caption="Commissioned services and spend, {where}",
            row_header="Service",
            order=("service_id",),
            description="Commissioned services and their spend in the period.",
        ),
        TableSpec(
            "funding_by_year",
            part="funding_by_year",
            columns=(
                Column("Financial year", "period"),
                Column("Safe accommodation grant", "grant", "money", optional=True),
                Column("Other funding", "other_funding", "money", optional=True),
                Column("Committed spend", "committed_total", "money", optional=True),
                Column("Uncommitted balance", "uncommitted_balance", "money", optional=True),
            ),
            caption="Grant and committed spend by financial year, {area_name}",
            row_header="Financial year",
            rows=(("area_code", ("{area}",)),),
            order=("period",),
            description="Grant and committed spend by financial year.",
        ),
        TableSpec(
            "service_coverage",
            part="service_coverage",
            columns=(
                Column("Financial year", "period"),
                Column("Services taking referrals", "services", "integer"),
                Column("Of which began during the year", "services_started_in_period", "integer"),
                Column("First service began", "first_start"),
                Column("Days of the year with a service running", "days_covered", "integer"),
                Column("Share of the year", "share_of_period", "percent"),
            ),
            caption="When the services behind the trend were running, {area_name}",
            row_header="Financial year",
            rows=(("area_code", ("{area}",)),),
            order=("period",),
            note="Services hosted in the area that take referrals (management posts left out), from "
            "their contract dates. A year with a service running for only part of it holds only part "
            "of a year of support: a rise from it reflects services starting, not their impact.",
            description="When the services behind each year of the trend were running.",
        ),
        TableSpec(
            "trends",
            part="trends",
            columns=(
                Column("Financial year", "period"),
                Column("Households supported", "count", "count", count=True),
                Column("Per 10,000 residents aged 16 and over", "value", "number"),
                Column("{ci}", "lower", "interval", "upper", interval_kind="number"),
                Column("Months of service operation", "months_of_operation", "number", optional=True),
                Column("Households per month of operation", "per_month", "number", optional=True),
                Column("Ratio compares", "compared_per", optional=True),
                *_RATIO_TO_PREVIOUS,
            ),
            caption="Households supported per 10,000 residents aged 16 and over by year, {area_name}",
            row_header="Financial year",
            rows=_OVERALL,
            order=("area_code", "measure", "characteristic", "category", "period"),
            note="Months of service operation: the months each service hosted in the area ran in the "
            "year, summed over the services (a whole year of three services is 36). The ratio to the "
            "previous year compares households per resident aged 16 and over, or, where a service ran "
            "for only part of either year, households per month of service operation; both are ratios "
            "of Poisson rates with a conditional binomial interval.",
            description="Year-on-year change in households supported per 10,000 residents aged 16 "
            "and over.",
        ),
        TableSpec(
            "trends_by_group",
            part="trends",
            columns=(
                Column("Characteristic", "characteristic", "label"),
                Column("Group", "category", "category"),
                Column("Financial year", "period"),
                Column("Households supported", "count", "count", count=True),
                Column("Share of households supported", "value", "percent"),
                _CI,
                *_RATIO_TO_PREVIOUS,
            ),
            caption="Share of households supported in each group by year, {area_name}",
            drop=_OVERALL,
            note="Shares are among households whose value is known. The ratio to the previous year "
            "is the ratio of two proportions, with Koopman's score interval (Koopman 1984).",
            order=("area_code", "measure", "characteristic", "category", "period"),
            description="Year-on-year change in the share of households supported in each group.",
        ),
    )
}

#: Every table of measures of the report, by name.
MEASURE_SPECS: dict[str, MeasureSpec] = {
    spec.name: spec
    for spec in (
        MeasureSpec(
            "key_figures",
            part="unmet",
            measures=(
                Measure("Expected adult victims of domestic abuse in a year (estimate)", "value", "integer",
                        part="area_expected_victims"),
                Measure("Households referred to services in the area", "households_referred", "count", True),
                # Who was supported, in total and by scope (needs.publish.story_specs).
                *KEY_FIGURE_MEASURES,
                Measure("Units counted towards the Council of Europe benchmark", "counted_units", "integer",
                        part="benchmark"),
                Measure("Units the benchmark calls for", "coe_target_units", "number", part="benchmark"),
                Measure("Safe accommodation grant", "grant", "money", part="funding"),
                Measure("Committed spend", "committed_total", "money", part="funding"),
            ),
            caption="Key figures, {where}",
            description="Headline figures from the published parts.",
        ),
        MeasureSpec(
            "unmet",
            part="unmet",
            measures=(
                Measure("Households referred to services in the area", "households_referred", "count", True),
                Measure("Households supported in the area", "households_supported", "count", True),
                Measure("Households unable to be supported and not supported by any service in this dataset",
                        "households_unmet", "count", True),
                Measure("Unmet need: unable to be supported for lack of capacity or for needs not met",
                        "households_unmet_need", "count", True),
                Measure("of which turned away for lack of space", "households_unmet_capacity", "count", True),
                Measure("of which needs could not be met (and no capacity decline)", "households_unmet_needs",
                        "count", True),
                Measure("Not unmet need: survivor declined or disengaged, ineligible or inappropriate "
                        "referral, other reason", "households_unable_other", "count", True),
                Measure("Unmet need as a share of referred households", "unmet_share", "percent"),
                Measure("{ci}", "lower", "percent", upper="upper"),
            ),
            caption="Households whose need went unmet, counted once however many referrals they "
            "made, {where}",
            empty_caption="Unmet need, {where}",
            description="Households referred, supported, and unable to be supported and not supported by "
            "any service in this dataset, by whether that is unmet need (counted once).",
        ),
        MeasureSpec(
            "benchmark",
            part="benchmark",
            measures=(
                Measure("Population", "population", "integer"),
                Measure("Family places the benchmark calls for (units)", "coe_target_units", "number"),
                Measure("Units in place of the types counted", "counted_units", "integer"),
                Measure("Units planned of the types counted (pipeline, not counted)", "planned_units", "integer"),
                Measure("Gap against the benchmark (units)", "gap_units", "number"),
                Measure("Gap as a share of the benchmark", "gap_share", "percent"),
                Measure("Accommodation types counted", "counted_types"),
            ),
            caption="Context: the Council of Europe benchmark of one family place per 10,000 population "
            "(Kelly & Dubois 2008), a family place being a place for a woman and her children, counted "
            "here as one unit; a population ratio, not the need modelled from demand, {where}",
            empty_caption="Council of Europe benchmark, {where}",
            description="The Council of Europe benchmark (context, not the modelled need): one family "
            "place, counted as a unit, per 10,000 population.",
        ),
        MeasureSpec(
            "funding",
            part="funding",
            measures=(
                Measure("Safe accommodation grant", "grant", "money"),
                Measure("Other funding", "other_funding", "money"),
                Measure("Committed: contracts in place", "committed_in_place", "money"),
                Measure("Committed: contracts not yet in place", "committed_not_yet", "money"),
                Measure("Committed in total", "committed_total", "money"),
                Measure("of which accommodation-based services (safe accommodation)",
                        "committed_safe_accommodation", "money"),
                Measure("of which community-based services", "committed_community", "money"),
                Measure("of which management and coordination", "committed_management", "money"),
                Measure("of which other accommodation or type not known", "committed_other", "money"),
                Measure("Uncommitted balance", "uncommitted_balance", "money"),
                Measure("Households supported in safe accommodation", "households_safe_accommodation",
                        "count", True),
                Measure("Cost per household supported in safe accommodation (accommodation-based "
                        "services in place)", "cost_per_household_safe_accommodation", "money"),
                Measure("Households in community-based support", "households_community", "count", True),
                Measure("Cost per household in community-based support (community-based services "
                        "in place)", "cost_per_household_community", "money"),
            ),
            caption="Funding against committed spend, with spend and cost per household by scope of "
            "support (each cost: spend on that scope's services in place divided by the households it "
            "supported; management and contracts not yet in place are in neither), {where}",
            empty_caption="Funding, {where}",
            description="Grant against committed spend for the period, spend by scope and cost per "
            "household by scope (management and contracts not yet in place in neither cost).",
        ),
    )
}

#: The statutory story's and the governance sections' tables join them (declared in their modules).
TABLE_SPECS.update({spec.name: spec for spec in (*STORY_TABLE_SPECS, *GOVERNANCE_TABLE_SPECS)})
MEASURE_SPECS.update({spec.name: spec for spec in (*STORY_MEASURE_SPECS, *GOVERNANCE_MEASURE_SPECS)})
#: Projected need (declared in needs.publish.projection_specs) joins them too.
TABLE_SPECS.update({spec.name: spec for spec in PROJECTION_TABLE_SPECS})
