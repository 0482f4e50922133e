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

from collections.abc import Sequence

import numpy as np
import pandas as pd

from needs.assessment.counting import households_supported, tier_one_lookup
from needs.assessment.population import population_totals
from needs.assessment.referrals import _context
from needs.inputs.dataset import Dataset
from needs.methods.queueing import erlang_b, servers_needed
from needs.reference import categories as cat
from needs.reference.constants import COE_POPULATION_PER_FAMILY_PLACE, DAYS_PER_YEAR, DEFAULT_TARGET_TURNAWAY
from needs.reference.periods import period_days, period_end, period_start

__all__ = [
    "IN_PLACE",
    "PLANNED",
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


def _stays(context: pd.DataFrame, period: str, keys: list[str]) -> pd.DataFrame:
    """Support episodes in bedded types overlapping ``period``, summed by ``keys``:
    ``episodes``, ``stay_nights`` (censored at the period's exclusive end) and
    ``occupied_nights`` (nights inside the period)."""
    bedded = context["supported_in_period"] & context["accommodation_type"].isin(
        cat.BEDDED_ACCOMMODATION_TYPES
    )
    episodes = context.loc[bedded, keys + ["support_start", "support_end"]]
    first = period_start(period)
    after = period_end(period) + pd.Timedelta(days=1)
    start = pd.to_datetime(episodes["support_start"])
    end = pd.to_datetime(episodes["support_end"]).fillna(after).clip(upper=after)
    frame = episodes[keys].copy()
    frame["episodes"] = 1
    frame["stay_nights"] = (end - start).dt.days.to_numpy()
    frame["occupied_nights"] = (end - start.clip(lower=first)).dt.days.clip(lower=0).to_numpy()
    result = frame.groupby(keys, observed=True, as_index=False)[
        ["episodes", "stay_nights", "occupied_nights"]
    ].sum()
    return result.rename(columns={"host_tier_one": "area_code"}).astype({"area_code": str})


def _units(dataset: Dataset, period: str, keys: list[str]) -> pd.DataFrame:
    """Units and annual cost of active bedded services by host area x ``keys``: in place
    (``units``, ``annual_cost``) and planned (``planned_units``, ``planned_annual_cost``)."""
    services = active_services(dataset, period)
    services = services[services["accommodation_type"].isin(cat.BEDDED_ACCOMMODATION_TYPES)]
    split = _split_by_status(services, ["area_code", *keys])
    return split[["area_code", *keys, "units", "annual_cost", "planned_units", "planned_annual_cost"]]


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
    mean_stay = result["stay_nights"] / result["episodes"]
    result["mean_stay_days"] = mean_stay
    capacity_nights = result["units"] * period_days(period)
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
        in place), ``planned_units`` (the pipeline, not counted), ``arrivals_per_year`` (distinct households accepted or declined for capacity, from
        referrals made in the period), ``mean_stay_days`` (censored ALOS, NaN without
        episodes), ``observed_capacity_declines`` (referrals declined for a capacity
        reason), ``observed_decided`` (decided referrals). A scenario may change any of
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
    )
    observed = observed.groupby(group, observed=True, as_index=False)[
        ["observed_capacity_declines", "observed_decided"]
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
    ):
        result[column] = result[column].fillna(0).astype("int64")
    result["annual_cost"] = result["annual_cost"].fillna(0.0).astype(float)
    result["mean_stay_days"] = result["stay_nights"] / result["episodes"]
    columns = [
        "area_code",
        *keys,
        "units",
        "planned_units",
        "annual_cost",
        "arrivals_per_year",
        "mean_stay_days",
        "observed_capacity_declines",
        "observed_decided",
    ]
    return _order(result[columns], keys)


def model_capacity(inputs: pd.DataFrame, target_turnaway: float = DEFAULT_TARGET_TURNAWAY) -> pd.DataFrame:
    """Apply the Erlang loss model to a table of inputs (pure; no dataset).

    ``offered_load = arrivals_per_year x mean_stay_days / 365.25`` (Erlangs, Little's law);
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
    arrivals = result["arrivals_per_year"].to_numpy(dtype=float)
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
    result["target_turnaway"] = float(target_turnaway)
    return result


ERLANG_COLUMNS: tuple[str, ...] = (
    "area_code",
    "accommodation_type",
    "units",
    "planned_units",
    "arrivals_per_year",
    "mean_stay_days",
    "offered_load",
    "modelled_turnaway",
    "observed_capacity_declines",
    "observed_decided",
    "observed_turnaway_share",
    "units_needed",
    "target_turnaway",
)


def erlang_model(
    dataset: Dataset,
    period: str,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The Erlang loss model per host area x bedded accommodation type:
    ``model_capacity(capacity_inputs(dataset, period), target_turnaway)``. ``units`` are
    the units in place (the model's servers); ``planned_units`` (the pipeline) are shown
    apart and never enter the model.

    Returns
    -------
    pandas.DataFrame
        ``area_code, accommodation_type, units, planned_units, arrivals_per_year, mean_stay_days,
        offered_load, modelled_turnaway, observed_capacity_declines, observed_decided,
        observed_turnaway_share, units_needed, target_turnaway``.
    """
    inputs = capacity_inputs(dataset, period, context=context)
    return model_capacity(inputs, target_turnaway)[list(ERLANG_COLUMNS)]


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
    "gap_units",
    "cost_per_unit",
    "annual_cost_to_close",
    "target_turnaway",
)


def gap_table(
    dataset: Dataset,
    period: str,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    *,
    context: pd.DataFrame | None = None,
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
    * ``gap_units = max(units_needed - units, 0)``;
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

    Pooled across specialisms the need is smaller (Erlang B is convex in the number of
    pools), so the sum of ``units_needed`` here is an upper bound on the type-level figure
    in :func:`erlang_model`.

    Returns
    -------
    pandas.DataFrame
        :data:`GAP_COLUMNS`.
    """
    keys = ["accommodation_type", "specialism"]
    context = _context(dataset, period, context)
    modelled = model_capacity(capacity_inputs(dataset, period, by=keys, context=context), target_turnaway)
    flow = _flow(dataset, period, context, keys).drop(columns=["units", "planned_units"])
    result = modelled.drop(columns=["mean_stay_days"]).merge(flow, on=["area_code", *keys], how="left")
    result["households_supported"] = result["households_supported"].fillna(0).astype("int64")
    per_type = _units(dataset, period, ["accommodation_type"])
    in_place = per_type["annual_cost"] / per_type["units"].where(per_type["units"] > 0)
    planned = per_type["planned_annual_cost"] / per_type["planned_units"].where(per_type["planned_units"] > 0)
    per_type["cost_per_unit"] = in_place.fillna(planned)
    result = result.merge(per_type[["area_code", "accommodation_type", "cost_per_unit"]], how="left")
    gap = (result["units_needed"] - result["units"]).clip(lower=0)
    result["gap_units"] = gap.astype("Int64")
    cost = result["gap_units"].astype(float) * result["cost_per_unit"]
    result["annual_cost_to_close"] = cost.where(result["gap_units"].astype(float) != 0, 0.0)
    return _order(result[list(GAP_COLUMNS)], keys)
