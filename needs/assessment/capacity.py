"""Capacity and gaps: provision, the Council of Europe benchmark, length of stay, occupancy,
throughput, the Erlang loss model and the costed gap table (the capacity story).

Every function returns one tidy table for every tier-one area at once (``area_code`` = the
tier-one area hosting the service), built by group-bys; nothing loops over areas or records.

Services in the period
----------------------
A service is **active** in period P when its contract overlaps P:
``start <= end of P`` and (``end`` blank or ``end >= start of P``). Only the units of active
services whose ``status`` is ``in_place`` (:data:`IN_PLACE`, of
:data:`needs.reference.categories.SERVICE_STATUSES`) are **in place**: provision, the
benchmark, throughput, the loss model and the gap table count them alone. The units of
active services ``not_yet_in_place`` (:data:`PLANNED`: commissioned or to be procured, not
yet housing anyone) are the **pipeline**, shown in their own ``planned_units`` column and
never counted as in place, however their contract is dated. :mod:`needs.assessment.funding`
separates spend in place from spend not yet in place the same way.

Units and bedspaces
-------------------
A **unit** is a self-contained space for one household (a family place: a woman and her
children, or one adult); a **bedspace** is a bed for one person. The Council of Europe
benchmark, occupancy, throughput and the loss model count units (one household per unit);
bedspaces are shown in provision only.

Length of stay and occupancy
----------------------------
Support episodes are accepted referrals to services of a bedded type
(:data:`needs.reference.categories.BEDDED_ACCOMMODATION_TYPES`; sanctuary schemes and community
services have no bed) whose support overlaps the period (the counting rule
:func:`needs.assessment.counting.supported_in_period`). A stay is counted in **nights**:
``support_end - support_start``. An episode still open at the end of the period (blank
``support_end``, or one after 31 March) is **censored** at the period's exclusive end,
1 April: its length is taken as ``1 April - support_start``. Censoring shortens the longest
stays, so the mean is a lower bound when many episodes are open; the alternative (dropping
open episodes) would bias it further down by keeping only the short stays that have ended.

* ``mean_stay_days`` (ALOS) = mean censored stay of the episodes (``shared/DOMAIN.md`` 6.3,
  ``alos_days``).
* ``occupancy`` = occupied unit-nights in the period / (units x days in the period), where
  an episode occupies the nights from ``max(support_start, 1 April)`` to its censored end.
* ``annual_throughput`` = units x 365.25 x occupancy / ALOS: households a year the stock
  serves at the observed occupancy and stay (Little's law L = lambda W, Little 1961,
  Operations Research 9:383-387; ``shared/DOMAIN.md`` 6.3 ``annual_capacity_households``).
  This is **throughput**, what the units did at the occupancy observed, not what they could do.
* ``capacity_full_occupancy`` = units x 365.25 / ALOS: households a year the units could
  take at full occupancy with the same mean stay (the same law with occupancy 1): their
  **capacity**.

The Erlang loss model
---------------------
A refuge turns a household away when every unit is full: an M/G/c/c loss system. Its
blocking probability is Erlang's B formula (Erlang 1917), which holds for any distribution
of stay (insensitivity; Sevastyanov 1957). Inputs per area x type:

* ``arrivals_per_year`` (lambda): distinct households whose referral to the type in the
  area, made in the period, was **accepted** or **declined for lack of capacity**. That is
  the demand offered to the stock: households declined for other reasons (needs not met,
  ineligible, risk) or who declined the offer would not have occupied a unit even with one
  free, so they are not offered load. The period is one financial year, so the count is
  a yearly rate. Households are counted once per (area, type) however many referrals they made.
* ``mean_stay_days`` (W, the ALOS above);
* offered load ``a = lambda x W / 365.25`` (Erlangs: the mean number of units that would be
  busy with no turn-aways, Little's law);
* ``modelled_turnaway = B(units, a)`` (:func:`erlang_b`);
* ``units_needed``: the least number of units with ``B(units, a) <= target_turnaway``
  (:func:`servers_needed`).

The observed check is ``observed_turnaway_share`` = referrals declined for a capacity
reason / decided referrals (as in :func:`needs.assessment.referrals.decline_reasons`). It is a
referral-level share while the model's is per household, so repeat referrals push the
observed share above the modelled one; a large gap the other way suggests demand is not
reaching the service (or declines are recorded under another reason).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from needs.assessment.counting import households_supported, tier_one_lookup
from needs.assessment.population import population_totals
from needs.assessment.referrals import _context
from needs.inputs.dataset import Dataset
from needs.methods.keyed_random import KeyedStream, keys_of, mix, uniforms
from needs.methods.queueing import (
    SUSPECT_INPUTS,
    erlang_b,
    loss_model_check,
    servers_needed,
    simulate_loss_year,
)
from needs.methods.survival import restricted_mean_stay, stay_distribution
from needs.reference import categories as cat
from needs.reference.constants import (
    BOOTSTRAP_MIN_REPLICATES,
    BOOTSTRAP_WORK_PER_POOL,
    CAPACITY_BOOTSTRAP_REPLICATES,
    COE_POPULATION_PER_FAMILY_PLACE,
    DAYS_PER_YEAR,
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    DEFAULT_TARGET_TURNAWAY,
    LOSS_CHECK_ALPHA,
    WARMUP_LONGEST_STAYS,
)
from needs.reference.periods import period_days, period_end, period_start

__all__ = [
    "IN_PLACE",
    "MODEL_KEYS",
    "PLANNED",
    "SUSPECT_INPUTS",
    "bootstrap_units_needed",
    "active_services",
    "capacity_inputs",
    "coe_benchmark",
    "erlang_b",
    "erlang_model",
    "gap_table",
    "model_capacity",
    "provision",
    "servers_needed",
    "throughput",
]

#: Status of a service whose units are in place (counted as provision).
IN_PLACE = "in_place"
#: Status of a commissioned service not yet running: its units are the pipeline, never counted.
PLANNED = "not_yet_in_place"

_ORDERS: dict[str, Sequence[str]] = {
    "accommodation_type": cat.ACCOMMODATION_TYPES.codes,
    "specialism": cat.SPECIALISMS.codes,
}


def _order(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    sort = frame.copy()
    columns = ["area_code"]
    for key in keys:
        rank = {code: i for i, code in enumerate(_ORDERS.get(key, ()))}
        sort[f"_{key}"] = sort[key].map(rank).fillna(len(rank))
        columns.append(f"_{key}")
    return sort.sort_values(columns, kind="stable").drop(columns=columns[1:]).reset_index(drop=True)


def active_services(dataset: Dataset, period: str) -> pd.DataFrame:
    """Services whose contract overlaps ``period``, with ``area_code`` (host tier-one area)
    and ``days_in_period`` (days of the period the contract covers, inclusive).

    Active: ``start <= period end`` and (``end`` blank or ``end >= period start``).
    Category columns are returned as plain strings.
    """
    services = dataset.tables["services"]
    start = pd.to_datetime(services["start"])
    end = pd.to_datetime(services["end"])
    first, last = period_start(period), period_end(period)
    active = (start <= last) & (end.isna() | (end >= first))
    out = services.loc[active.to_numpy()].copy()
    for column in (
        "service_id",
        "accommodation_type",
        "specialism",
        "support_type",
        "status",
        "funding_source",
    ):
        out[column] = out[column].astype(str)
    lookup = tier_one_lookup(dataset)
    out["area_code"] = lookup.reindex(out["host_area_code"].astype(str)).astype(str).to_numpy()
    covered_from = start[active].clip(lower=first)
    covered_to = end[active].fillna(last).clip(upper=last)
    out["days_in_period"] = ((covered_to - covered_from).dt.days + 1).to_numpy()
    return out.reset_index(drop=True)


def _split_by_status(services: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``services`` by ``keys``: ``services``, ``units``, ``bedspaces`` and ``annual_cost``
    of those in place (:data:`IN_PLACE`), and the same of the pipeline (:data:`PLANNED`) as
    ``planned_services``, ``planned_units``, ``planned_bedspaces``, ``planned_annual_cost``."""
    placed = (services["status"].astype(str) == IN_PLACE).to_numpy()
    planned = (services["status"].astype(str) == PLANNED).to_numpy()
    frame = services[keys].copy()
    for prefix, rows in (("", placed), ("planned_", planned)):
        frame[f"{prefix}services"] = rows.astype("int64")
        for column in ("units", "bedspaces", "annual_cost"):
            frame[f"{prefix}{column}"] = services[column].where(rows, 0).to_numpy()
    columns = [c for c in frame.columns if c not in keys]
    result = frame.groupby(keys, as_index=False)[columns].sum()
    integers = ["services", "units", "bedspaces", "planned_services", "planned_units", "planned_bedspaces"]
    return result.astype(
        {**{c: "int64" for c in integers}, "annual_cost": float, "planned_annual_cost": float}
    )


def provision(dataset: Dataset, period: str) -> pd.DataFrame:
    """Units, bedspaces and annual cost of services active in ``period``: in place, and planned.

    Sums over active services by host area x accommodation type x specialism. ``services``,
    ``units``, ``bedspaces`` and ``annual_cost`` count services in place only
    (:data:`IN_PLACE`); ``planned_services``, ``planned_units``, ``planned_bedspaces`` and
    ``planned_annual_cost`` are the pipeline (:data:`PLANNED`), never counted as in place.

    Returns
    -------
    pandas.DataFrame
        ``area_code, accommodation_type, specialism, services, units, bedspaces,
        annual_cost, planned_services, planned_units, planned_bedspaces, planned_annual_cost``.
    """
    services = active_services(dataset, period)
    keys = ["area_code", "accommodation_type", "specialism"]
    return _order(_split_by_status(services, keys), keys[1:])


def coe_benchmark(
    dataset: Dataset,
    period: str,
    coe_types: Sequence[str] = cat.COE_DEFAULT_TYPES,
    *,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The Council of Europe minimum standard: one family place per 10,000 population.

    A **family place** is a place in a refuge for a woman and her children (Kelly & Dubois
    2008, *Combating violence against women: minimum standards for support services*,
    Council of Europe; ``shared/DOMAIN.md`` 3.1); it is counted here as one **unit** (a
    space for one household), not as bedspaces. ``coe_target_units = population / 10,000``
    (all ages). ``counted_units`` = units **in place** (:data:`IN_PLACE`) of active services
    whose type is in ``coe_types``; ``planned_units`` = units of the counted types in the
    pipeline (:data:`PLANNED`), not counted. ``gap_units = coe_target_units - counted_units``
    (negative when provision exceeds the standard) and ``gap_share = gap_units /
    coe_target_units`` (Women's Aid convention: shortfall as a share of the target).
    ``counted_types`` lists the types counted. The benchmark is context: a population ratio
    set for Europe, not the need modelled from this area's demand (:func:`gap_table`).

    Parameters
    ----------
    population
        ``area_code, population`` per tier-one area; by default
        :func:`needs.assessment.population.population_totals`.

    Returns
    -------
    pandas.DataFrame
        ``area_code, population, coe_target_units, counted_units, planned_units, gap_units,
        gap_share, counted_types``.
    """
    unknown = sorted(set(coe_types) - set(cat.ACCOMMODATION_TYPES.codes))
    if unknown:
        raise ValueError(
            f"coe_types: unknown accommodation types {unknown}; expected some of "
            f"{', '.join(cat.ACCOMMODATION_TYPES.codes)}"
        )
    if population is None:
        population = population_totals(dataset, period)
    result = population[["area_code", "population"]].copy()
    result["area_code"] = result["area_code"].astype(str)
    services = active_services(dataset, period)
    services = services[services["accommodation_type"].isin(list(coe_types))]
    units = _split_by_status(services, ["area_code"]).set_index("area_code")
    result["coe_target_units"] = result["population"].astype(float) / COE_POPULATION_PER_FAMILY_PLACE
    for column, source in (("counted_units", "units"), ("planned_units", "planned_units")):
        result[column] = units[source].reindex(result["area_code"]).fillna(0).astype("int64").to_numpy()
    result["gap_units"] = result["coe_target_units"] - result["counted_units"]
    result["gap_share"] = result["gap_units"] / result["coe_target_units"].where(
        result["coe_target_units"] > 0
    )
    result["counted_types"] = ", ".join(coe_types)
    columns = [
        "area_code",
        "population",
        "coe_target_units",
        "counted_units",
        "planned_units",
        "gap_units",
        "gap_share",
        "counted_types",
    ]
    return result[columns].sort_values("area_code").reset_index(drop=True)


def _episodes(context: pd.DataFrame, period: str, keys: list[str]) -> pd.DataFrame:
    """One row per support episode in a bedded type observed in ``period``: ``keys``,
    ``time`` (nights from ``support_start`` to its end, or to the period's exclusive end,
    1 April, if still open then), ``event`` (ended by then), ``entry`` (nights already
    stayed when the period began; 0 for a stay begun in it) and ``occupied_nights`` (nights
    inside the period). Episodes with no night in the period are left out; a stay of no
    nights counts as one."""
    bedded = context["supported_in_period"] & context["accommodation_type"].isin(
        cat.BEDDED_ACCOMMODATION_TYPES
    )
    episodes = context.loc[bedded, keys + ["support_start", "support_end"]]
    first = period_start(period)
    after = period_end(period) + pd.Timedelta(days=1)
    start = pd.to_datetime(episodes["support_start"])
    end = pd.to_datetime(episodes["support_end"])
    event = end.notna() & (end < after)
    stop = end.fillna(after).clip(upper=after)
    frame = episodes[keys].copy()
    frame["time"] = (stop - start).dt.days.clip(lower=1).to_numpy(dtype=float)
    frame["event"] = event.to_numpy()
    frame["entry"] = (first - start).dt.days.clip(lower=0).to_numpy(dtype=float)
    frame["occupied_nights"] = (stop - start.clip(lower=first)).dt.days.clip(lower=0).to_numpy()
    frame = frame[frame["entry"].to_numpy() < frame["time"].to_numpy()]
    frame = frame.rename(columns={"host_tier_one": "area_code"}).astype({"area_code": str})
    return _string_keys(frame, [k for k in keys if k != "host_tier_one"]).reset_index(drop=True)


def _stays(context: pd.DataFrame, period: str, keys: list[str]) -> pd.DataFrame:
    """Support episodes in bedded types overlapping ``period``, by ``keys``: ``episodes``,
    ``censored_stays`` (open at the period's end), ``occupied_nights`` (nights inside the
    period) and ``mean_stay_days``, the Kaplan–Meier restricted mean stay
    (:func:`needs.methods.survival.restricted_mean_stay`: open stays censored at 1 April,
    stays begun before the period entering at the length they had reached, horizon the
    group's longest observed stay)."""
    episodes = _episodes(context, period, keys)
    group = ["area_code", *keys[1:]]
    km = restricted_mean_stay(episodes, group, time="time", event="event", entry="entry")
    nights = episodes.groupby(group, observed=True, as_index=False)["occupied_nights"].sum()
    result = km.merge(nights, on=group, how="left").rename(
        columns={"stays": "episodes", "censored": "censored_stays", "restricted_mean_days": "mean_stay_days"}
    )
    return result[[*group, "episodes", "censored_stays", "occupied_nights", "mean_stay_days", "horizon_days"]]


def _units(dataset: Dataset, period: str, keys: list[str]) -> pd.DataFrame:
    """Units and annual cost of active bedded services by host area x ``keys``: in place
    (``units``, ``annual_cost``) and planned (``planned_units``, ``planned_annual_cost``)."""
    services = active_services(dataset, period)
    services = services[services["accommodation_type"].isin(cat.BEDDED_ACCOMMODATION_TYPES)]
    split = _split_by_status(services, ["area_code", *keys])
    return split[["area_code", *keys, "units", "annual_cost", "planned_units", "planned_annual_cost"]]


def _opened(dataset: Dataset, period: str, keys: list[str]) -> pd.DataFrame:
    """Days from the opening of each pool's first service in place (earliest ``start`` of its
    active services in place) to the period start, by area x ``keys``: negative when it
    opened during the period."""
    services = active_services(dataset, period)
    services = services[(services["status"] == IN_PLACE) & (services["units"] > 0)]
    start = pd.to_datetime(services["start"])
    days = (period_start(period) - start).dt.days.astype(float)
    frame = services[["area_code", *keys]].assign(opened_days_before=days.to_numpy())
    return frame.groupby(["area_code", *keys], as_index=False)["opened_days_before"].max()


def _operating_days(dataset: Dataset, period: str, keys: list[str]) -> pd.DataFrame:
    """Days of the period each pool's units in place were open, by area x ``keys``:
    sum over its services in place of units x days the contract covers in the period, divided
    by its units (``active_services``' ``days_in_period``). A pool that opened part-way
    through the period has fewer days than the period, and its households arriving, occupancy
    and modelled load are read per day it was open, not per day of the period."""
    services = active_services(dataset, period)
    services = services[(services["status"] == IN_PLACE) & (services["units"] > 0)]
    frame = services[["area_code", *keys]].assign(
        unit_days=(services["units"] * services["days_in_period"]).astype(float).to_numpy(),
        units=services["units"].astype(float).to_numpy(),
    )
    frame = frame.groupby(["area_code", *keys], as_index=False)[["unit_days", "units"]].sum()
    frame["operating_days"] = frame["unit_days"] / frame["units"]
    return _string_keys(frame[["area_code", *keys, "operating_days"]], keys)


def _string_keys(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    return frame.astype({key: str for key in keys})


_FLOW_COLUMNS = [
    "units",
    "planned_units",
    "households_supported",
    "mean_stay_days",
    "occupancy",
    "annual_throughput",
    "capacity_full_occupancy",
]


def _flow(dataset: Dataset, period: str, context: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Units, households supported, stay, occupancy, throughput and capacity by host area x
    ``keys`` (bedded types); the definitions of :func:`throughput`."""
    units = _units(dataset, period, keys)
    stays = _string_keys(_stays(context, period, ["host_tier_one", *keys]), keys)
    needed = ["host_tier_one", *keys, "outcome", "support_start", "support_end", "household_code", "children"]
    bedded = context.loc[context["accommodation_type"].isin(cat.BEDDED_ACCOMMODATION_TYPES), needed]
    supported = households_supported(bedded, period, by=["host_tier_one", *keys])
    supported = _string_keys(supported.rename(columns={"host_tier_one": "area_code"}), ["area_code", *keys])
    result = units.merge(stays, on=["area_code", *keys], how="outer")
    result = result.merge(supported[["area_code", *keys, "households"]], on=["area_code", *keys], how="left")
    result["units"] = result["units"].fillna(0).astype("int64")
    result["planned_units"] = result["planned_units"].fillna(0).astype("int64")
    result["households_supported"] = result["households"].fillna(0).astype("int64")
    mean_stay = result["mean_stay_days"]
    result = result.merge(_operating_days(dataset, period, keys), on=["area_code", *keys], how="left")
    capacity_nights = result["units"] * result["operating_days"].fillna(period_days(period))
    result["occupancy"] = result["occupied_nights"].fillna(0) / capacity_nights.where(capacity_nights > 0)
    stay = mean_stay.where(mean_stay > 0)
    result["annual_throughput"] = result["units"] * DAYS_PER_YEAR * result["occupancy"] / stay
    result["capacity_full_occupancy"] = result["units"] * DAYS_PER_YEAR / stay
    return result[["area_code", *keys, *_FLOW_COLUMNS]]


def throughput(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Length of stay, occupancy, throughput and capacity of bedded accommodation types.

    Per host area x bedded accommodation type: ``units`` in place and ``planned_units``
    (the pipeline, not counted: occupancy, throughput and capacity are of the units in
    place); ``households_supported`` (:func:`needs.assessment.counting.households_supported`);
    ``mean_stay_days`` = mean censored stay in nights of the support episodes overlapping
    the period; ``occupancy`` = occupied unit-nights / (units x days in the period);
    ``annual_throughput`` = units x 365.25 x occupancy / mean_stay_days, households a year
    at the observed occupancy (Little's law); ``capacity_full_occupancy`` = units x 365.25 /
    mean_stay_days, households a year at full occupancy. See the module docstring for
    censoring.

    Returns
    -------
    pandas.DataFrame
        ``area_code, accommodation_type, units, planned_units, households_supported,
        mean_stay_days, occupancy, annual_throughput, capacity_full_occupancy``.
    """
    context = _context(dataset, period, context)
    keys = ["accommodation_type"]
    return _order(_flow(dataset, period, context, keys), keys)


def capacity_inputs(
    dataset: Dataset,
    period: str,
    by: Sequence[str] = ("accommodation_type",),
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The observed inputs of the Erlang model per host area x ``by`` (bedded types only).

    Parameters
    ----------
    by
        ``("accommodation_type",)`` or ``("accommodation_type", "specialism")``.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, the ``by`` columns, ``units`` and ``annual_cost`` (active services
        in place), ``planned_units`` (the pipeline, not counted), ``arrivals_per_year``
        (distinct households accepted or declined for capacity, from referrals made in the
        period), ``operating_share`` (share of the period the units in place were open,
        :func:`_operating_days`; :func:`model_capacity` reads arrivals per year of opening),
        ``mean_stay_days`` (Kaplan–Meier restricted mean, NaN without episodes), ``stays``,
        ``censored_stays`` (open at the period end), ``occupied_nights``,
        ``observed_capacity_declines`` (referrals declined for a capacity reason),
        ``observed_decided`` (decided referrals), ``observed_offered`` (accepted or declined
        for capacity). A scenario may change any of
        ``units``, ``arrivals_per_year`` and ``mean_stay_days`` and pass the table to
        :func:`model_capacity`.
    """
    keys = list(by)
    if keys[:1] != ["accommodation_type"] or not set(keys) <= {"accommodation_type", "specialism"}:
        raise ValueError(
            f"by: expected ('accommodation_type',) or ('accommodation_type', 'specialism'), got {by!r}"
        )
    context = _context(dataset, period, context)
    group = ["host_tier_one", *keys]
    made = context.loc[
        context["made_in_period"] & context["accommodation_type"].isin(cat.BEDDED_ACCOMMODATION_TYPES),
        [*group, "outcome", "decline_reason", "household_code"],
    ]
    outcome = made["outcome"]
    capacity = (outcome == "unable_to_support") & made["decline_reason"].isin(cat.CAPACITY_DECLINE_REASONS)
    decided = outcome.isin(cat.DECIDED_OUTCOMES)
    offered = capacity | (outcome == "accepted_supported")
    observed = made[group].assign(
        observed_capacity_declines=capacity.to_numpy().astype("int64"),
        observed_decided=decided.to_numpy().astype("int64"),
        observed_offered=offered.to_numpy().astype("int64"),
    )
    observed = observed.groupby(group, observed=True, as_index=False)[
        ["observed_capacity_declines", "observed_decided", "observed_offered"]
    ].sum()
    arrivals = made.loc[offered, [*group, "household_code"]].drop_duplicates()
    arrivals = arrivals.groupby(group, observed=True).size().rename("arrivals_per_year").reset_index()
    flows = observed.merge(arrivals, on=group, how="left").rename(columns={"host_tier_one": "area_code"})
    flows = _string_keys(flows, ["area_code", *keys])
    stays = _string_keys(_stays(context, period, group), keys)
    result = _units(dataset, period, keys).merge(flows, on=["area_code", *keys], how="outer")
    result = result.merge(stays, on=["area_code", *keys], how="outer")
    for column in (
        "units",
        "planned_units",
        "arrivals_per_year",
        "observed_capacity_declines",
        "observed_decided",
        "observed_offered",
        "occupied_nights",
    ):
        result[column] = result[column].fillna(0).astype("int64")
    result["annual_cost"] = result["annual_cost"].fillna(0.0).astype(float)
    result["stays"] = result["episodes"].fillna(0).astype("int64")
    result["censored_stays"] = result["censored_stays"].fillna(0).astype("int64")
    result = result.merge(_operating_days(dataset, period, keys), on=["area_code", *keys], how="left")
    result["operating_share"] = (result["operating_days"] / period_days(period)).fillna(1.0).clip(upper=1.0)
    columns = [
        "area_code",
        *keys,
        "units",
        "planned_units",
        "annual_cost",
        "arrivals_per_year",
        "operating_share",
        "mean_stay_days",
        "stays",
        "censored_stays",
        "occupied_nights",
        "observed_capacity_declines",
        "observed_decided",
        "observed_offered",
    ]
    return _order(result[columns], keys)


def _operating_share(inputs: pd.DataFrame) -> np.ndarray:
    """Share of the period each row's units were open (``operating_share``; 1 where absent)."""
    if "operating_share" not in inputs.columns:
        return np.ones(len(inputs))
    share = inputs["operating_share"].to_numpy(dtype=float)
    return np.where(np.isfinite(share) & (share > 0), share, 1.0)


def model_capacity(inputs: pd.DataFrame, target_turnaway: float = DEFAULT_TARGET_TURNAWAY) -> pd.DataFrame:
    """Apply the Erlang loss model to a table of inputs (pure; no dataset).

    ``offered_load = arrivals_per_year / operating_share x mean_stay_days / 365.25`` (Erlangs,
    Little's law; ``operating_share``, the share of the period the units were open, is 1
    where absent);
    ``modelled_turnaway = B(units, offered_load)`` (Erlang B); ``units_needed`` = the least
    ``c`` with ``B(c, offered_load) <= target_turnaway``;
    ``observed_turnaway_share = observed_capacity_declines / observed_decided``. Rows with
    no stay data (``mean_stay_days`` missing) but some arrivals get missing model columns;
    rows with no arrivals have load 0 (no turn-aways, no units needed).

    Parameters
    ----------
    inputs
        A table like :func:`capacity_inputs` returns: ``units``, ``arrivals_per_year``,
        ``mean_stay_days`` and optionally ``observed_capacity_declines`` and
        ``observed_decided``; other columns are kept.
    target_turnaway
        Acceptable probability that a household is turned away for lack of space, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        ``inputs`` plus ``offered_load, modelled_turnaway, observed_turnaway_share,
        units_needed, target_turnaway``.
    """
    if not 0 < target_turnaway < 1:
        raise ValueError(f"target_turnaway: expected a proportion between 0 and 1, got {target_turnaway!r}")
    result = inputs.copy()
    arrivals = result["arrivals_per_year"].to_numpy(dtype=float) / _operating_share(result)
    # no demand offered means no load, whether or not a length of stay is known
    load = np.where(
        arrivals == 0, 0.0, arrivals * result["mean_stay_days"].to_numpy(dtype=float) / DAYS_PER_YEAR
    )
    units = result["units"].to_numpy(dtype=float)
    known = np.isfinite(load) & np.isfinite(units)
    blocking = np.full(len(result), np.nan)
    needed = np.full(len(result), np.nan)
    if known.any():
        blocking[known] = np.asarray(erlang_b(units[known], load[known]), dtype=float)
        needed[known] = np.asarray(servers_needed(load[known], target_turnaway), dtype=float)
    needed[load == 0] = 0  # no demand offered: no units needed
    result["offered_load"] = load
    result["modelled_turnaway"] = blocking
    if {"observed_capacity_declines", "observed_decided"} <= set(result.columns):
        decided = result["observed_decided"].astype(float)
        result["observed_turnaway_share"] = result["observed_capacity_declines"] / decided.where(decided > 0)
    else:
        result["observed_turnaway_share"] = np.nan
    result["units_needed"] = pd.Series(needed, index=result.index, dtype=float).astype("Int64")
    result["implied_occupancy"] = np.where(units > 0, load * (1 - blocking) / np.where(units > 0, units, 1), np.nan)
    result["target_turnaway"] = float(target_turnaway)
    return result


_BOOTSTRAP_COLUMNS: tuple[str, ...] = (
    "units_needed_lower",
    "units_needed_upper",
    "modelled_turnaway_lower",
    "modelled_turnaway_upper",
    "implied_occupancy_lower",
    "implied_occupancy_upper",
    "simulated_turnaway_lower",
    "simulated_turnaway_upper",
    "simulated_occupancy_lower",
    "simulated_occupancy_upper",
)


_RESAMPLE, _ARRIVALS, _SIMULATION = 1, 2, 3
#: Simulated systems (pool x replicate) per batch: bounds the memory of the simulated years.
SIMULATION_BATCH = 20_000
#: Resampled stays (rows) per batch of the bootstrap: bounds its memory.
RESAMPLE_BATCH = 1_000_000


def _replicate_keys(pool_key: np.ndarray, replicate: np.ndarray, purpose: int) -> np.ndarray:
    """The key of one pool's replicate for one purpose (resampling stays, drawing arrivals,
    simulating the year): :func:`needs.methods.keyed_random.mix` of the three."""
    rep = np.asarray(replicate, dtype=np.uint64) * np.uint64(4) + np.uint64(purpose)
    return mix(np.asarray(pool_key, dtype=np.uint64) ^ mix(rep))


def _poisson_ppf(q: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """The Poisson quantile: the least k with P(X <= k) >= q, X ~ Poisson(mu), elementwise.

    k = ceil(F^-1(q)) from the continuous inverse of the Poisson distribution function
    (``scipy.special.pdtrik``), less one when P(X <= k - 1) >= q already (``pdtr``); -1 at
    q = 0, infinity at q = 1 and NaN for mu < 0 or NaN. This is ``scipy.stats.poisson.ppf``
    (SciPy 1.17, ``poisson_gen._ppf`` and ``rv_discrete.ppf``) written with the two special
    functions it calls, so that the assessment need not import ``scipy.stats`` (a second of
    start-up in every process): the same operations in the same order, the same numbers.
    """
    q, mu = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(mu, dtype=float))
    valid = mu >= 0
    inside = valid & (q > 0) & (q < 1)
    out = np.full(q.shape, np.nan)
    out[valid & (q == 0)] = -1.0
    out[valid & (q == 1)] = np.inf
    if inside.any():
        qq, mm = q[inside], mu[inside]
        vals = np.ceil(special.pdtrik(qq, mm))
        vals1 = np.maximum(vals - 1, 0)
        out[inside] = np.where(special.pdtr(vals1, mm) >= qq, vals1, vals)
    return out


def _bootstrap(
    episodes: pd.DataFrame,
    inputs: pd.DataFrame,
    keys: Sequence[str],
    target_turnaway: float,
    replicates: int,
    seed: int,
    simulate: bool = True,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The replicates behind :func:`bootstrap_units_needed`: the group labels and, per group
    (rows) x replicate (columns), ``needed``, ``blocking``, ``occupancy`` (long-run, of the
    replicate's inputs) and ``sim_turnaway``, ``sim_occupancy`` (one simulated year; all NaN
    when ``simulate`` is False, for callers that need only units needed)."""
    group = ["area_code", *keys]
    episodes = episodes.reset_index(drop=True)
    grouped = episodes.groupby(group, observed=True, sort=True)
    gid = grouped.ngroup().to_numpy()
    labels = grouped.size().rename("n").reset_index()
    # Each pool's draws are keyed by the pool itself (its area and keys) and the seed, so a pool
    # gets the same replicates whichever other areas are assessed beside it.
    pool_key = keys_of(labels[group].astype(str), seed)
    n = labels["n"].to_numpy()
    offsets = np.r_[0, np.cumsum(n)[:-1]]
    by_group = np.argsort(gid, kind="stable")
    merged = labels[group].merge(inputs, on=group, how="left")
    arrivals = merged["arrivals_per_year"].fillna(0).to_numpy(dtype=float)
    # Replicates per pool, so the work stays bounded whatever the size of the data: a pool's
    # replicates x its stays (and x its arrivals, in the simulated years) are at most
    # BOOTSTRAP_WORK_PER_POOL, and never fewer than BOOTSTRAP_MIN_REPLICATES. Decided pool by
    # pool, so a pool's replicates do not depend on the other pools.
    size = np.maximum(np.maximum(n, arrivals), 1.0)
    reps = np.clip(BOOTSTRAP_WORK_PER_POOL // size, min(BOOTSTRAP_MIN_REPLICATES, replicates), replicates)
    reps = reps.astype(np.int64)
    g_pair = np.repeat(np.arange(len(n)), reps)
    r_pair = np.arange(len(g_pair)) - np.repeat(np.cumsum(reps) - reps, reps)
    stay = np.full((len(n), replicates), np.nan)
    # Resampled stays in batches of at most RESAMPLE_BATCH rows (pool x replicate pairs kept
    # whole), so memory stays bounded; the draws are keyed, so batching changes nothing.
    batch_of_pair = (np.cumsum(n[g_pair]) - 1) // RESAMPLE_BATCH
    for batch in np.unique(batch_of_pair):
        gp, rp = g_pair[batch_of_pair == batch], r_pair[batch_of_pair == batch]
        g_all = np.repeat(gp, n[gp])
        rep_all = np.repeat(rp, n[gp])
        within = np.arange(len(g_all)) - np.repeat(np.cumsum(n[gp]) - n[gp], n[gp])
        resample = uniforms(_replicate_keys(pool_key[g_all], rep_all, _RESAMPLE), within)
        rows = by_group[offsets[g_all] + np.floor(resample * n[g_all]).astype(np.int64)]
        sample = pd.DataFrame(
            {
                "g": g_all,
                "rep": rep_all,
                "time": episodes["time"].to_numpy()[rows],
                "event": episodes["event"].to_numpy()[rows],
                "entry": episodes["entry"].to_numpy()[rows],
            }
        )
        km = restricted_mean_stay(sample, ["g", "rep"], entry="entry")
        stay[km["g"].to_numpy(), km["rep"].to_numpy()] = km["restricted_mean_days"].to_numpy()
    open_share = _operating_share(merged)
    units = merged["units"].fillna(0).to_numpy(dtype=float)
    replicate = np.arange(replicates)[None, :]
    arrive = uniforms(_replicate_keys(pool_key[:, None], replicate, _ARRIVALS), np.zeros((1, 1)))
    drawn = _poisson_ppf(arrive, arrivals[:, None])
    # Households arriving while the units were open, as a rate per year of opening.
    drawn = drawn / open_share[:, None]
    load = np.where(drawn == 0, 0.0, drawn * stay / DAYS_PER_YEAR)
    known = np.isfinite(load)
    needed = np.full(load.shape, np.nan)
    blocking = np.full(load.shape, np.nan)
    needed[known] = np.asarray(servers_needed(load[known], target_turnaway), dtype=float)
    blocking[known] = np.asarray(erlang_b(np.broadcast_to(units[:, None], load.shape)[known], load[known]), dtype=float)
    per_unit = np.where(units > 0, units, np.nan)[:, None]
    occupancy = load * (1 - blocking) / per_unit
    opened = (
        merged["opened_days_before"].to_numpy(dtype=float)
        if "opened_days_before" in merged
        else np.full(len(n), np.nan)
    )

    # One year of the replicate's system: Poisson arrivals at its rate, stays from the group's
    # Kaplan-Meier distribution scaled to its restricted mean, its units, a stationary start.
    dist = stay_distribution(episodes.assign(_g=gid), ["_g"], entry="entry")
    has = np.zeros(len(n), dtype=bool)
    has[dist["_g"].to_numpy()] = True
    renumber = np.cumsum(has) - 1
    base_mean = (dist["stay_days"] * dist["probability"]).groupby(dist["_g"]).sum().reindex(range(len(n))).to_numpy()
    sim_turnaway = np.full(load.shape, np.nan)
    sim_occupancy = np.full(load.shape, np.nan)
    run = known & has[:, None] & (base_mean[:, None] > 0) & simulate
    g_run, r_run = np.nonzero(run)
    # Units opened within WARMUP_LONGEST_STAYS longest stays before the period start empty
    # at their opening; older ones in the stationary state.
    longest = dist.groupby("_g")["stay_days"].max().reindex(range(len(n))).to_numpy()
    warmup = np.where(opened < WARMUP_LONGEST_STAYS * longest, opened, np.nan)
    # Systems in batches of similar size (by units), so the arrays padded to a batch's most
    # units stay small; each system's stream is keyed, so batching does not change a result.
    order = np.argsort(units[g_run], kind="stable")
    for batch in np.array_split(order, max(1, -(-len(order) // SIMULATION_BATCH))):
        gb, rb = g_run[batch], r_run[batch]
        year = simulate_loss_year(
            drawn[gb, rb],
            units[gb],
            dist["stay_days"].to_numpy(dtype=float),
            dist["probability"].to_numpy(dtype=float),
            renumber[dist["_g"].to_numpy()],
            renumber[gb],
            stay[gb, rb] / base_mean[gb],
            warmup[gb],
            horizon_days=DAYS_PER_YEAR,
            rng=KeyedStream(_replicate_keys(pool_key[gb], rb, _SIMULATION)),
        )
        sim_turnaway[gb, rb] = year["turnaway"].to_numpy()
        sim_occupancy[gb, rb] = year["occupancy"].to_numpy()
    draws = {
        "needed": needed,
        "blocking": blocking,
        "occupancy": occupancy,
        "sim_turnaway": sim_turnaway,
        "sim_occupancy": sim_occupancy,
    }
    return labels[group], draws


def bootstrap_units_needed(
    episodes: pd.DataFrame,
    inputs: pd.DataFrame,
    keys: Sequence[str],
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    *,
    replicates: int = CAPACITY_BOOTSTRAP_REPLICATES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Percentile bootstrap intervals of units needed, blocking and occupancy, and of what one
    year of the modelled system shows.

    Each replicate draws the year's arrivals as Poisson with mean the observed
    ``arrivals_per_year`` and resamples the group's stays (episodes of :func:`_episodes`)
    with replacement, recomputing the Kaplan–Meier restricted mean stay
    (:func:`needs.methods.survival.restricted_mean_stay`), the load, ``units_needed``, the
    blocking ``B(units, a)`` and the implied (long-run) occupancy ``a (1 - B) / units``.
    Within each replicate one year of that loss system is then simulated
    (:func:`needs.methods.queueing.simulate_loss_year`: Poisson arrivals at the replicate's
    rate, stays drawn from the group's Kaplan–Meier stay distribution
    (:func:`needs.methods.survival.stay_distribution`) scaled to the replicate's restricted
    mean, the units in place, started in the stationary state), giving the share turned away
    and the occupancy **of one year**: these carry the year-to-year variation of a loss
    system with long stays as well as the uncertainty of the inputs. Intervals are the
    ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles over the replicates
    (Efron B & Tibshirani RJ 1993, *An Introduction to the Bootstrap*, ch. 13). All groups and
    replicates are computed at once. Every draw is keyed by its pool (area and keys), the
    ``seed``, the replicate and its purpose (:mod:`needs.methods.keyed_random`), so a pool's
    replicates are the same whether its area is assessed alone or with every other area.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``keys``, ``units_needed_lower``/``_upper``,
        ``modelled_turnaway_lower``/``_upper``, ``implied_occupancy_lower``/``_upper``,
        ``simulated_turnaway_lower``/``_upper``, ``simulated_occupancy_lower``/``_upper``
        (groups with stays to resample).
    """
    group = ["area_code", *keys]
    columns = [*group, *_BOOTSTRAP_COLUMNS]
    if episodes.empty:
        return pd.DataFrame(columns=columns)
    result, draws = _bootstrap(episodes, inputs, keys, target_turnaway, replicates, seed)
    return _intervals(result, draws, confidence)[columns]


def _intervals(labels: pd.DataFrame, draws: dict[str, np.ndarray], confidence: float) -> pd.DataFrame:
    low, high = (1 - confidence) / 2, (1 + confidence) / 2
    result = labels.copy()
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN
        result["units_needed_lower"] = np.nanquantile(draws["needed"], low, axis=1, method="lower")
        result["units_needed_upper"] = np.nanquantile(draws["needed"], high, axis=1, method="higher")
        for name, values in (
            ("modelled_turnaway", draws["blocking"]),
            ("implied_occupancy", draws["occupancy"]),
            ("simulated_turnaway", draws["sim_turnaway"]),
            ("simulated_occupancy", draws["sim_occupancy"]),
        ):
            result[f"{name}_lower"] = np.nanquantile(values, low, axis=1)
            result[f"{name}_upper"] = np.nanquantile(values, high, axis=1)
    return result


def _checked(
    modelled: pd.DataFrame,
    episodes: pd.DataFrame,
    period: str,
    keys: Sequence[str],
    target_turnaway: float,
    seed: int,
) -> pd.DataFrame:
    """``modelled`` (:func:`model_capacity` of :func:`capacity_inputs`) with the bootstrap
    intervals, the observed occupancy and the consistency check
    (:func:`needs.methods.queueing.loss_model_check` against the simulated years)."""
    group = ["area_code", *keys]
    if episodes.empty:
        boot = pd.DataFrame(columns=[*group, *_BOOTSTRAP_COLUMNS])
        sims: dict[str, np.ndarray] = {}
        labels = boot[group]
    else:
        labels, draws = _bootstrap(episodes, modelled, keys, target_turnaway, CAPACITY_BOOTSTRAP_REPLICATES, seed)
        boot = _intervals(labels, draws, DEFAULT_CONFIDENCE)
        sims = draws
    result = modelled.merge(boot, on=group, how="left")
    units = result["units"].to_numpy(dtype=float)
    nights = units * period_days(period) * _operating_share(result)
    result["observed_occupancy"] = np.where(
        nights > 0, result["occupied_nights"].to_numpy(dtype=float) / np.where(nights > 0, nights, 1), np.nan
    )
    # The simulated years of each row (NaN for rows with no stays to resample).
    position = result[group].merge(labels.reset_index(), on=group, how="left")["index"].to_numpy()
    width = CAPACITY_BOOTSTRAP_REPLICATES
    sim_turnaway = np.full((len(result), width), np.nan)
    sim_occupancy = np.full((len(result), width), np.nan)
    found = ~np.isnan(position.astype(float))
    if sims and found.any():
        at = position[found].astype(np.int64)
        sim_turnaway[found] = sims["sim_turnaway"][at]
        sim_occupancy[found] = sims["sim_occupancy"][at]
    check = loss_model_check(
        units,
        result["offered_load"].to_numpy(dtype=float),
        result["observed_capacity_declines"].to_numpy(dtype=float),
        result["observed_offered"].to_numpy(dtype=float),
        result["observed_occupancy"].to_numpy(dtype=float),
        sim_turnaway,
        sim_occupancy,
        alpha=LOSS_CHECK_ALPHA,
    )
    result["observed_turnaway"] = check["observed_turnaway"].to_numpy()
    result["turnaway_p_value"] = check["p_value"].to_numpy()
    result["occupancy_p_value"] = check["occupancy_p_value"].to_numpy()
    result["consistent"] = check["consistent"].to_numpy()
    result["suspect_input"] = check["suspect"].to_numpy()
    for column in ("units_needed_lower", "units_needed_upper"):
        values = result[column].astype(float).where(result["units_needed"].notna())
        values = values.where(~(result["offered_load"] == 0), 0.0)
        result[column] = values.astype("Int64")
    return result


ERLANG_COLUMNS: tuple[str, ...] = (
    "area_code",
    "accommodation_type",
    "specialism",
    "units",
    "planned_units",
    "arrivals_per_year",
    "stays",
    "censored_stays",
    "mean_stay_days",
    "offered_load",
    "modelled_turnaway",
    "modelled_turnaway_lower",
    "modelled_turnaway_upper",
    "observed_capacity_declines",
    "observed_decided",
    "observed_offered",
    "observed_turnaway_share",
    "observed_turnaway",
    "implied_occupancy",
    "implied_occupancy_lower",
    "implied_occupancy_upper",
    "simulated_turnaway_lower",
    "simulated_turnaway_upper",
    "observed_occupancy",
    "simulated_occupancy_lower",
    "simulated_occupancy_upper",
    "turnaway_p_value",
    "occupancy_p_value",
    "consistent",
    "suspect_input",
    "units_needed",
    "units_needed_lower",
    "units_needed_upper",
    "target_turnaway",
)

#: The grain of the loss model, the gap table and their findings: each accommodation type's
#: specialisms are separate pools (a scheme for male victims does not house the households of
#: an accessible scheme), so one grain is used everywhere.
MODEL_KEYS: tuple[str, ...] = ("accommodation_type", "specialism")


def erlang_model(
    dataset: Dataset,
    period: str,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    *,
    context: pd.DataFrame | None = None,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """The Erlang loss model per host area x bedded accommodation type x specialism
    (:data:`MODEL_KEYS`, the grain of :func:`gap_table` and the findings), checked against
    what was observed.

    ``model_capacity(capacity_inputs(dataset, period, by=MODEL_KEYS), target_turnaway)``
    on the units in place (``planned_units``, the pipeline, never enter the model), plus:

    * ``stays``, ``censored_stays``: the episodes behind the Kaplan–Meier restricted mean
      stay ``mean_stay_days`` and those still open at the period end;
    * ``units_needed_lower``/``_upper``, ``modelled_turnaway_lower``/``_upper``,
      ``implied_occupancy_lower``/``_upper``: percentile bootstrap intervals
      (:func:`bootstrap_units_needed`; Poisson arrivals, resampled stays, seeded);
    * ``implied_occupancy = offered_load x (1 - modelled_turnaway) / units``;
      ``observed_occupancy`` = occupied unit-nights / (units x nights in the period);
    * ``observed_turnaway`` = referrals declined for lack of space / referrals offered to the
      units (``observed_offered``: accepted or declined for lack of space), the share the
      model's blocking probability predicts (``observed_turnaway_share`` is the share of all
      decided referrals, as in the referral tables);
    * ``check_p_value``, ``consistent``, ``suspect_input``: the exact binomial test of the
      turn-aways against the blocking probability at :data:`LOSS_CHECK_ALPHA` and the
      occupancy against its bootstrap interval
      (:func:`needs.methods.queueing.loss_model_check`); where they disagree,
      ``suspect_input`` names the input to question (:data:`SUSPECT_INPUTS`).

    Returns
    -------
    pandas.DataFrame
        :data:`ERLANG_COLUMNS`.
    """
    keys = list(MODEL_KEYS)
    context = _context(dataset, period, context)
    inputs = capacity_inputs(dataset, period, by=keys, context=context)
    modelled = model_capacity(inputs, target_turnaway).merge(_opened(dataset, period, keys), how="left")
    episodes = _episodes(context, period, ["host_tier_one", *keys])
    result = _checked(modelled, episodes, period, keys, target_turnaway, seed)
    return _order(result[list(ERLANG_COLUMNS)], keys)


def units_needed_interval(
    dataset: Dataset,
    period: str,
    inputs: pd.DataFrame,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    *,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The bootstrap interval of units needed (:func:`bootstrap_units_needed`, without the
    simulated years) for loss-model inputs at :data:`MODEL_KEYS` that may differ from the
    observed ones (e.g. households arriving scaled to a projected year), the stays being those
    observed in ``period``. Each pool's replicates are keyed by the pool, so the same pool gets
    the same draws whatever its inputs (common random numbers across scenarios or years).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, :data:`MODEL_KEYS`, ``units_needed_lower``, ``units_needed_upper``.
    """
    keys = list(MODEL_KEYS)
    group = ["area_code", *keys]
    episodes = _episodes(_context(dataset, period, context), period, ["host_tier_one", *keys])
    if episodes.empty:
        return pd.DataFrame(columns=[*group, "units_needed_lower", "units_needed_upper"])
    labels, draws = _bootstrap(
        episodes, inputs, keys, target_turnaway, CAPACITY_BOOTSTRAP_REPLICATES, seed, simulate=False
    )
    return _intervals(labels, draws, confidence)[[*group, "units_needed_lower", "units_needed_upper"]]


GAP_COLUMNS: tuple[str, ...] = (
    "area_code",
    "accommodation_type",
    "specialism",
    "units",
    "planned_units",
    "arrivals_per_year",
    "households_supported",
    "mean_stay_days",
    "occupancy",
    "annual_throughput",
    "capacity_full_occupancy",
    "units_needed",
    "units_needed_lower",
    "units_needed_upper",
    "stays",
    "censored_stays",
    "consistent",
    "suspect_input",
    "gap_units",
    "gap_units_lower",
    "gap_units_upper",
    "cost_per_unit",
    "annual_cost_to_close",
    "annual_cost_to_close_lower",
    "annual_cost_to_close_upper",
    "target_turnaway",
)


def gap_table(
    dataset: Dataset,
    period: str,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    *,
    context: pd.DataFrame | None = None,
    seed: int = DEFAULT_SEED,
    erlang: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The capacity story: units in place and planned, units needed, the gap and its annual
    support cost, throughput and capacity, by host area x bedded type x specialism.

    Each specialism's units of a type form their own pool (a specialist refuge serves its
    own group), so the Erlang model is applied per area x type x specialism
    (:func:`capacity_inputs` with ``by=("accommodation_type", "specialism")``) on the units
    **in place** (``units``); ``planned_units`` (the pipeline, :data:`PLANNED`) are shown
    apart and never enter the model or the gap:

    * ``units_needed`` = least ``c`` with ``B(c, a) <= target_turnaway`` (Erlang B, offered
      load ``a = arrivals_per_year x mean_stay_days / 365.25``);
    * ``gap_units = max(units_needed - units, 0)``, with ``gap_units_lower``/``_upper``
      from the bootstrap interval of units needed (:func:`erlang_model`), and the costs
      ``annual_cost_to_close`` (``_lower``/``_upper``) likewise: a range, not a point;
    * where the loss model fails its consistency check (``consistent`` False, see
      :func:`erlang_model`; ``suspect_input`` names the input to question), the gap and its
      cost are left missing: a model that contradicts the observed turn-aways or occupancy
      does not cost a gap;
    * ``cost_per_unit`` = annual cost of the area's active services of that type in place /
      their units (all specialisms together, so that a group with no units of its own is
      still costed); for a type with no units in place, the planned services' annual cost /
      planned units (the price contracted). Services' ``annual_cost`` is the contract price
      of support: it funds support, not the housing (rent and service charges are met from
      housing benefit and rents), so ``annual_cost_to_close = gap_units x cost_per_unit`` is
      the annual **support cost** of closing the gap, not the cost of the accommodation;
    * ``households_supported``, ``mean_stay_days``, ``occupancy``, ``annual_throughput``
      (households a year at the observed occupancy) and ``capacity_full_occupancy``
      (``units x 365.25 / mean_stay_days``, households a year at full occupancy) as in
      :func:`throughput`, per specialism.

    The grain is :data:`MODEL_KEYS`, the same as :func:`erlang_model` and the findings.
    ``erlang``: that function's result for the same dataset, period, target and seed, when
    the caller already has it (the bootstrap is then not run twice).

    Returns
    -------
    pandas.DataFrame
        :data:`GAP_COLUMNS`.
    """
    keys = list(MODEL_KEYS)
    context = _context(dataset, period, context)
    modelled = (
        erlang_model(dataset, period, target_turnaway, context=context, seed=seed) if erlang is None else erlang
    )
    flow = _flow(dataset, period, context, keys).drop(columns=["units", "planned_units", "mean_stay_days"])
    result = modelled.merge(flow, on=["area_code", *keys], how="left")
    result["households_supported"] = result["households_supported"].fillna(0).astype("int64")
    per_type = _units(dataset, period, ["accommodation_type"])
    in_place = per_type["annual_cost"] / per_type["units"].where(per_type["units"] > 0)
    planned = per_type["planned_annual_cost"] / per_type["planned_units"].where(per_type["planned_units"] > 0)
    per_type["cost_per_unit"] = in_place.fillna(planned)
    result = result.merge(per_type[["area_code", "accommodation_type", "cost_per_unit"]], how="left")
    # A model that contradicts what was observed is not costed (the check says why).
    costed = result["consistent"].astype(bool)
    for suffix in ("", "_lower", "_upper"):
        gap = (result[f"units_needed{suffix}"].astype(float) - result["units"]).clip(lower=0).where(costed)
        result[f"gap_units{suffix}"] = gap.astype("Int64")
        cost = gap * result["cost_per_unit"]
        result[f"annual_cost_to_close{suffix}"] = cost.where(gap != 0, 0.0).where(gap.notna())
    return _order(result[list(GAP_COLUMNS)], keys)
