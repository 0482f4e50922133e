"""The needs assessment: every part, for one tier-one area or for all of them at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace

import pandas as pd

from needs.assessment import capacity, children, engagement, flow, funding, people, referrals
from needs.assessment.comparators import comparators
from needs.assessment.counting import _referrals_in_context, made_in_period, tier_one_lookup
from needs.assessment.findings import findings
from needs.assessment.partners import partner_rates
from needs.assessment.population import expected_victims, population_totals
from needs.assessment.projection import projection as projected_need
from needs.assessment.representation import ProfileCounter, representation
from needs.assessment.trends import periods_present, service_coverage, trends
from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_CONFIDENCE, DEFAULT_TARGET_TURNAWAY
from needs.reference.periods import is_period, period_label, period_of_dates


@dataclass
class Assessment:
    """The parts of a needs assessment, each a tidy DataFrame with an ``area_code`` column.

    See ``docs/ARCHITECTURE.md`` ("The Assessment") for the columns of each part.
    """

    period: str
    areas: pd.DataFrame  # area_code, area_name, population, population_16plus
    expected_victims: pd.DataFrame
    representation: pd.DataFrame
    goodness_of_fit: pd.DataFrame
    not_known: pd.DataFrame
    outcomes: pd.DataFrame
    decline_reasons: pd.DataFrame
    declines_by_group: pd.DataFrame
    unmet: pd.DataFrame
    cross_border: pd.DataFrame
    out_of_area: pd.DataFrame
    provision: pd.DataFrame
    benchmark: pd.DataFrame
    throughput: pd.DataFrame
    erlang: pd.DataFrame
    gaps: pd.DataFrame
    funding: pd.DataFrame
    spend_by_service: pd.DataFrame
    trends: pd.DataFrame
    findings: pd.DataFrame
    supported: pd.DataFrame = field(default_factory=pd.DataFrame)
    referral_flow: pd.DataFrame = field(default_factory=pd.DataFrame)
    household_flow: pd.DataFrame = field(default_factory=pd.DataFrame)
    children: pd.DataFrame = field(default_factory=pd.DataFrame)
    engagement: pd.DataFrame = field(default_factory=pd.DataFrame)
    service_coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    projection: pd.DataFrame = field(default_factory=pd.DataFrame)
    partners: pd.DataFrame = field(default_factory=pd.DataFrame)  # demand seen by partners
    partner_comparators: pd.DataFrame = field(default_factory=pd.DataFrame)
    partner_funnels: pd.DataFrame = field(default_factory=pd.DataFrame)
    options: dict = field(default_factory=dict)

    def parts(self) -> dict[str, pd.DataFrame]:
        """Every DataFrame part by name."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), pd.DataFrame)
        }

    def for_area(self, area_code: str) -> Assessment:
        """The same assessment restricted to one area."""
        parts = {}
        for name, frame in self.parts().items():
            column = "area_code" if "area_code" in frame.columns else None
            parts[name] = frame[frame[column] == area_code].reset_index(drop=True) if column else frame
        return Assessment(period=self.period, options=dict(self.options, area=area_code), **parts)


def _check_period(dataset: Dataset, period: str) -> None:
    """Raise :class:`InputError` unless ``period`` is a financial year the data covers.

    A period is covered when a referral is dated in it or the ``funding`` table has a row
    for it; the error lists the years from the first to the last referral and the funded
    years. (Open support episodes overlap every later year, so they do not cover one.)
    """
    if not is_period(period):
        raise InputError(f"period {period!r} is not a financial year written as YYYY-YY, e.g. 2024-25")
    referrals = dataset.tables["referrals"]
    funded = set(dataset.tables["funding"]["period"].astype(str)) if dataset.has("funding") else set()
    if period in funded or bool(made_in_period(referrals, period).any()):
        return
    dates = pd.to_datetime(referrals["date"])
    covered = set(funded)
    if dates.notna().any():  # every year between the first and last referral
        first, last = (int(p[:4]) for p in period_of_dates(pd.Series([dates.min(), dates.max()])))
        covered |= {period_label(year) for year in range(first, last + 1)}
    listed = ", ".join(sorted(covered)) or "none"
    raise InputError(
        f"period {period!r} is outside the data: no referral is dated in it and the funding table has no "
        f"row for it (periods in the data: {listed})"
    )


def check_area_and_period(dataset: Dataset, area: str, period: str) -> None:
    """Raise :class:`InputError` unless ``area`` can be assessed for ``period``.

    The area must be a tier-one area with a non-zero population, and the period a financial
    year the data cover. The report calls this before starting a kernel.
    """
    _check_area(dataset, area)
    _check_period(dataset, period)


def _check_area(dataset: Dataset, area: str) -> None:
    codes = dataset.tier_one_areas()["area_code"].astype(str)
    if area not in set(codes):
        listing = ", ".join(f"{code} ({dataset.area_name(code)})" for code in sorted(codes))
        raise InputError(
            f"area {area!r} is not a tier-one area with population in areas.csv; expected one of: {listing}"
        )
    parents = dataset.base_area_parents()
    own = parents.loc[parents["tier_one_code"] == area, "area_code"]
    population = dataset.tables["population"]
    if population.loc[population["area_code"].isin(own), "population"].sum() == 0:
        raise InputError(
            f"population.csv, column 'population': every row for {dataset.area_name(area)} ({area}) "
            "is 0, so its expected need cannot be estimated; give the area's resident population"
        )


def _area_subset(dataset: Dataset, area: str) -> Dataset:
    """The rows of ``dataset`` that the assessment of ``area`` can depend on.

    Referrals of every household with a referral to a service hosted in ``area`` or coming
    from ``area`` (all of the household's referrals, so "supported anywhere" is unchanged),
    the services those referrals were made to and the services hosted in ``area``; the
    area's population, characteristics and funding rows. Small reference tables (areas,
    prevalence, optional tables) are kept whole.
    """
    tables = dict(dataset.tables)
    lookup = tier_one_lookup(dataset)
    services = tables["services"]
    service_area = pd.Series(
        lookup.reindex(services["host_area_code"].astype(str)).to_numpy(),
        index=services["service_id"].astype(str).to_numpy(),
    )
    referrals = tables["referrals"]
    host = service_area.reindex(referrals["service_id"].astype(str)).to_numpy()
    origin = lookup.reindex(referrals["origin_area_code"].astype(str)).to_numpy()
    touching = (host == area) | (origin == area)
    households = referrals.loc[touching, "household_id"].unique()
    kept = referrals[referrals["household_id"].isin(households)]
    service_ids = set(kept["service_id"].astype(str)) | set(
        service_area.index[service_area.to_numpy() == area]
    )
    tables["referrals"] = kept.reset_index(drop=True)
    tables["services"] = services[services["service_id"].astype(str).isin(service_ids)].reset_index(drop=True)
    base = set(dataset.districts_of(area))
    for name in ("population", "characteristics", "population_projection"):
        if name in tables:
            frame = tables[name]
            tables[name] = frame[frame["area_code"].astype(str).isin(base)].reset_index(drop=True)
    if "funding" in tables:
        funding = tables["funding"]
        tables["funding"] = funding[funding["area_code"].astype(str) == area].reset_index(drop=True)
    return replace(dataset, tables=tables)


def assess_all(
    dataset: Dataset,
    period: str,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    measure: str | None = None,
    coe_types: Sequence[str] = cat.COE_DEFAULT_TYPES,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    with_findings: bool = True,
) -> Assessment:
    """Every part of the needs assessment for every tier-one area at once.

    Each part is computed once over all areas by group-bys (``docs/ARCHITECTURE.md``, "The
    Assessment"); the referral records are joined to their services and areas once
    (:func:`needs.assessment.referrals.referral_context`) and shared by the referral, capacity and
    funding parts. Findings are generated last, from the other parts.

    Parameters
    ----------
    dataset
        Validated tables (:func:`needs.load`).
    period
        Financial year, e.g. ``"2024-25"``.
    confidence
        Level of every interval (OHID uses 0.95 and 0.998).
    measure
        CSEW question set for expected victims (``old``/``new``; ``None`` picks the one for
        the period).
    coe_types
        Accommodation types counted towards the Council of Europe benchmark.
    target_turnaway
        Acceptable share of households turned away for lack of space, for units needed.
    with_findings
        Write the findings (default). The published report writes its own from the
        published figures (:class:`needs.publish.publication.Publication`) and skips these.

    Raises
    ------
    InputError
        ``period`` is not a financial year the data covers.
    """
    _check_period(dataset, period)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a level between 0 and 1, got {confidence!r}")
    coe_types = tuple(coe_types)
    areas = dataset.tier_one_areas()[["area_code", "area_name"]].astype({"area_code": str, "area_name": str})
    population = population_totals(dataset, period)
    areas = areas.merge(
        population[["area_code", "population", "population_16plus"]], on="area_code", how="left"
    )
    codes = set(areas["area_code"])

    def ours(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["area_code"].astype(str).isin(codes)].reset_index(drop=True)

    in_context = _referrals_in_context(dataset, coded_areas=True)  # joined once, shared by every part
    in_context["household_code"] = pd.factorize(in_context["household_id"])[0]
    counter = ProfileCounter(in_context, areas["area_code"])
    context = referrals._referral_context(dataset, period, in_context, referrals.CONTEXT_COLUMNS)
    represented, goodness_of_fit, not_known = representation(
        dataset, period, confidence, measure=measure, counter=counter
    )
    erlang = capacity.erlang_model(dataset, period, target_turnaway, context=context)  # once: its bootstrap is the dearest step
    assessment = Assessment(
        period=period,
        areas=areas,
        expected_victims=expected_victims(dataset, period, measure=measure, confidence=confidence),
        representation=represented,
        goodness_of_fit=goodness_of_fit,
        not_known=not_known,
        outcomes=ours(referrals.outcomes(dataset, period, confidence, context=context)),
        decline_reasons=ours(referrals.decline_reasons(dataset, period, confidence, context=context)),
        declines_by_group=ours(referrals.declines_by_group(dataset, period, confidence, context=context)),
        unmet=ours(referrals.unmet_households(dataset, period, confidence, context=context)),
        cross_border=ours(referrals.cross_border_flows(dataset, period, context=context)),
        out_of_area=ours(referrals.out_of_area(dataset, period, confidence, context=context)),
        provision=ours(capacity.provision(dataset, period)),
        benchmark=ours(capacity.coe_benchmark(dataset, period, coe_types, population=population)),
        throughput=ours(capacity.throughput(dataset, period, context=context)),
        erlang=ours(erlang),
        gaps=ours(capacity.gap_table(dataset, period, target_turnaway, context=context, erlang=erlang)),
        funding=ours(funding.funding_summary(dataset, period, context=context)),
        spend_by_service=ours(funding.spend_by_service(dataset, period)),
        trends=trends(dataset, period, confidence, counter=counter),
        service_coverage=ours(service_coverage(dataset, periods_present(counter.referrals, period))),
        findings=pd.DataFrame(columns=["area_code", "rank", "topic", "sentence", "value", "lower", "upper"]),
        supported=ours(people.supported_by_scope(dataset, period, context=context)),
        referral_flow=ours(flow.referral_flow(dataset, period, context=context)),
        household_flow=ours(flow.household_flow(dataset, period, context=context)),
        children=ours(children.children_and_young_people(dataset, period, context=context)),
        engagement=ours(engagement.engagement_themes(dataset, period, context=context)),
        projection=ours(
            projected_need(
                dataset, period, measure=measure, confidence=confidence, target_turnaway=target_turnaway,
                context=context,
            )
        ),
        options={
            "confidence": confidence,
            "measure": measure,
            "coe_types": coe_types,
            "target_turnaway": target_turnaway,
        },
    )
    assessment.partners = ours(partner_rates(dataset, period, confidence))
    assessment.partner_comparators, assessment.partner_funnels = comparators(areas["area_code"], period)
    if with_findings:
        assessment.findings = findings(assessment)
    return assessment


def assess(
    dataset: Dataset,
    area: str,
    period: str,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    measure: str | None = None,
    coe_types: Sequence[str] = cat.COE_DEFAULT_TYPES,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    with_findings: bool = True,
) -> Assessment:
    """The needs assessment of one tier-one area: ``assess_all(...).for_area(area)``.

    Computed on the rows of the dataset the area's figures depend on
    (:func:`_area_subset`), which gives the same numbers as the whole-dataset computation
    in a fraction of the time.

    Raises
    ------
    InputError
        ``area`` is not a tier-one area with population (the message lists the valid
        codes), or ``period`` is not a financial year the data covers.
    """
    area = str(area)
    _check_area(dataset, area)
    _check_period(dataset, period)
    subset = _area_subset(dataset, area)
    result = assess_all(
        subset,
        period,
        confidence=confidence,
        measure=measure,
        coe_types=coe_types,
        target_turnaway=target_turnaway,
        with_findings=with_findings,
    )
    return result.for_area(area)
