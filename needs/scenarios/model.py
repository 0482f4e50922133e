"""The scenario model: the baseline, a scenario applied to it, and its key figures.

A scenario (:mod:`needs.scenarios.spec`) names changes to the baseline of one tier-one area
and period. The baseline (:func:`baseline`) is built once from the assessment's own calculations:
:func:`needs.assessment.capacity.capacity_inputs` (units, arrivals, mean stay per bedded type),
:func:`needs.assessment.capacity.throughput` (observed occupancy), :func:`needs.assessment.capacity.coe_benchmark`
(population and Council of Europe target), :func:`needs.assessment.funding.funding_summary` and
:func:`needs.assessment.funding.spend_by_service` (grant, committed spend),
:func:`needs.assessment.population.expected_victims` (the prevalence interval). :func:`apply` then
changes plain arrays, so evaluating a scenario (:func:`evaluate`) takes about a millisecond.
:mod:`needs.scenarios.comparison` compares scenarios, with Monte Carlo intervals, and
:mod:`needs.scenarios.display` shows the comparison to people.

The model (per bedded accommodation type ``t``; :data:`needs.reference.categories.BEDDED_ACCOMMODATION_TYPES`)
----------------------------------------------------------------------------------------------
* arrivals ``lambda_t = lambda0_t x prevalence_multiplier x (1 + demand_growth)`` where
  ``lambda0_t`` is the observed demand offered to the type (households accepted or declined
  for lack of space, :func:`needs.assessment.capacity.capacity_inputs`);
* mean stay ``W_t``: observed, replaced by ``length_of_stay_days[t]`` when given, plus
  ``length_of_stay_change_days[t]``;
* offered load ``a_t = lambda_t x W_t / 365.25`` Erlangs (Little's law, L = lambda W;
  Little 1961, *Operations Research* 9:383-387);
* turn-away probability ``B(c_t, a_t)``, Erlang's loss formula (Erlang 1917; valid for any
  distribution of stay, Sevastyanov 1957), with ``c_t`` the units of the type, pooled across
  specialisms as in :func:`needs.assessment.capacity.erlang_model`;
* **turn-aways** ``= sum_t lambda_t B(c_t, a_t)`` households a year; **households
  accommodated** ``= sum_t lambda_t (1 - B(c_t, a_t))`` (the carried load);
* **units needed** ``= sum_t min{c : B(c, a_t) <= target}``
  (:func:`needs.methods.queueing.servers_needed`); **units short** ``= sum_t max(needed_t - c_t, 0)``
  (a surplus of one type does not house a household needing another);
* **throughput** (households that can be supported a year) ``= sum_t c_t x 365.25 x
  occupancy_t / W_t`` (Little's law; :func:`needs.assessment.capacity.throughput`), occupancy the
  observed one unless the scenario sets it (:data:`needs.reference.constants.DEFAULT_TARGET_OCCUPANCY`
  for a type with no observed occupancy). A type with units but no known stay is left out
  and named in the row's ``note``;
* **CoE gap** ``= population / 10,000 - units of the types in coe_types``
  (:func:`needs.assessment.capacity.coe_benchmark`; negative when provision exceeds the standard);
* **units** ``c_t`` are the units of services in place and of services the scenario adds;
  the baseline's planned services (status ``not_yet_in_place``) are a pipeline and their units
  are never counted, in the baseline or in a scenario (as in :mod:`needs.assessment.capacity`);
  a scenario brings such a scheme into the model by adding its units (``services.add``);
* **committed spend** = the spend committed in the period by the services active in it
  (planned ones pro rata to the days their contract covers; ``committed_total`` of
  :func:`needs.assessment.funding.funding_summary`, the report's funding table): the one cost
  figure of the comparison. A removed service commits nothing; a resized service commits the
  cost given (else its cost scaled with its units) in the same proportion of the year; an
  added service commits its full annual cost, the one the scenario states or, if it states
  none, its units x the gap table's cost per unit of its type
  (:func:`needs.assessment.capacity.gap_table` ``cost_per_unit``, kept on the baseline as
  :attr:`Baseline.unit_costs`);
* **accommodation spend per household** = committed spend of the counted bedded services /
  households accommodated (modelled; :func:`needs.assessment.funding.funding_summary` gives the
  observed costs per household by scope);
* **cost per turn-away avoided** = (committed spend - the baseline's) / (baseline turn-aways -
  turn-aways). It is *not meaningful* (NaN, with the reason in the ``note``) when fewer than
  :data:`needs.scenarios.figures.MIN_AVOIDED` turn-aways a year are avoided (none, or more
  turn-aways: dividing would give infinity, noise or a misleading negative), and negative
  when the scenario both saves money and avoids turn-aways;
* **grant** ``= grant0 x (1 + grant_change) + grant_change_amount``; **balance** = grant -
  committed spend of grant-funded services (:mod:`needs.assessment.funding`: the baseline's committed
  spend is pro rata to the days each contract covers the period; an added service counts
  its full annual cost, and is grant-funded unless its ``funding_source`` says otherwise).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs.assessment.capacity import (
    IN_PLACE,
    active_services,
    capacity_inputs,
    coe_benchmark,
    gap_table,
    throughput,
)
from needs.assessment.funding import GRANT_SOURCE, funding_summary, spend_by_service
from needs.assessment.population import expected_victims
from needs.assessment.referrals import referral_context
from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.methods.queueing import erlang_b, servers_needed
from needs.reference import categories as cat
from needs.reference.constants import (
    DAYS_PER_YEAR,
    DEFAULT_TARGET_OCCUPANCY,
    DEFAULT_TARGET_TURNAWAY,
)
from needs.scenarios._checker import _Checker
from needs.scenarios.figures import MIN_AVOIDED, NOT_MEANINGFUL, SENSITIVITY_RANGES
from needs.scenarios.spec import BASELINE_NAME, Scenario, load_scenario

__all__ = ["Applied", "Baseline", "apply", "baseline", "evaluate", "occupancy_note"]

#: z for the 95% interval of expected victims used to calibrate the prevalence draws.
_Z95 = 1.959963984540054

_BEDDED: tuple[str, ...] = tuple(cat.BEDDED_ACCOMMODATION_TYPES)


# --------------------------------------------------------------------------------------
# The baseline, built once
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """Everything a scenario changes, for one area and period, as plain arrays and tables.

    ``services``: the area's services active in the period (:func:`needs.assessment.capacity.active_services`)
    with ``committed`` (their committed spend in the period, :func:`needs.assessment.funding.spend_by_service`).
    Arrays are indexed by :data:`needs.reference.categories.BEDDED_ACCOMMODATION_TYPES`.
    """

    area_code: str
    area_name: str
    period: str
    services: pd.DataFrame
    arrivals: np.ndarray
    stay: np.ndarray
    occupancy: np.ndarray
    observed_capacity_declines: np.ndarray
    observed_decided: np.ndarray
    population: float
    coe_target_units: float
    coe_types: tuple[str, ...]
    target_turnaway: float
    grant: float
    victims: float
    victims_lower: float
    victims_upper: float
    demonstration: bool = False
    #: Annual cost of a unit by bedded type, the report's gap table's ``cost_per_unit``
    #: (:func:`needs.assessment.capacity.gap_table`); NaN where it has none.
    unit_costs: np.ndarray | None = None

    @property
    def units_in_place(self) -> int:
        """Units of the bedded services in place (planned ones are a pipeline, not counted)."""
        services = self.services
        counted = (services["status"].astype(str) == IN_PLACE) & services["accommodation_type"].isin(_BEDDED)
        return int(services.loc[counted, "units"].sum())

    def unit_cost(self, accommodation_type: str) -> float:
        """The gap table's annual cost of one unit of ``accommodation_type`` (NaN if unknown)."""
        if self.unit_costs is None or accommodation_type not in _BEDDED:
            return float("nan")
        return float(self.unit_costs[_BEDDED.index(accommodation_type)])

    @property
    def prevalence_sigma(self) -> float:
        """Log-scale s.d. of the prevalence multiplier, from the expected-victims 95% interval
        (0 when the data give no interval)."""
        lo, hi = self.victims_lower, self.victims_upper
        if not (np.isfinite(lo) and np.isfinite(hi) and lo > 0 and hi > lo):
            return 0.0
        return float(np.log(hi / lo) / (2 * _Z95))

    @property
    def prevalence_range(self) -> tuple[float, float]:
        """(lower / value, upper / value) of expected victims, or the default range."""
        value, lo, hi = self.victims, self.victims_lower, self.victims_upper
        if np.isfinite([value, lo, hi]).all() and value > 0 and lo <= value <= hi and hi > lo:
            return float(lo / value), float(hi / value)
        return SENSITIVITY_RANGES["prevalence"][1], SENSITIVITY_RANGES["prevalence"][2]


def _tier_one_codes(dataset: Dataset) -> list[str]:
    return sorted(dataset.tier_one_areas()["area_code"].astype(str))


def baseline(
    dataset: Dataset,
    area: str,
    period: str,
    *,
    coe_types: Sequence[str] = cat.COE_DEFAULT_TYPES,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
) -> Baseline:
    """Collect the baseline inputs of ``area`` in ``period`` from the assessment's functions.

    Raises
    ------
    InputError
        An area that is not a tier-one area of the dataset.
    """
    areas = _tier_one_codes(dataset)
    if area not in areas:
        raise InputError(
            f"area '{area}' is not a tier-one area of this dataset; choose one of {', '.join(areas)}"
        )
    if not 0 < target_turnaway < 1:
        raise ValueError(f"target_turnaway: expected a proportion between 0 and 1, got {target_turnaway!r}")
    context = referral_context(dataset, period)

    services = active_services(dataset, period)
    services = services[services["area_code"] == area].reset_index(drop=True)
    spend = spend_by_service(dataset, period).set_index("service_id")["committed_in_period"]
    keep = [
        "service_id",
        "name",
        "accommodation_type",
        "specialism",
        "support_type",
        "units",
        "bedspaces",
        "annual_cost",
        "funding_source",
        "status",
    ]
    services = services[keep].copy()
    services["committed"] = spend.reindex(services["service_id"]).fillna(0.0).to_numpy(dtype=float)
    services["grant_funded"] = services["funding_source"] == GRANT_SOURCE
    services["change"] = ""
    services = services.astype({"units": "int64", "bedspaces": "int64", "annual_cost": float})

    def per_type(table: pd.DataFrame, column: str, fill: float) -> np.ndarray:
        rows = table[table["area_code"].astype(str) == area].set_index("accommodation_type")[column]
        return (
            rows.reindex(list(_BEDDED)).to_numpy(dtype=float, na_value=np.nan).copy()
            if len(rows)
            else np.full(len(_BEDDED), fill)
        )

    inputs = capacity_inputs(dataset, period, context=context)
    flow = throughput(dataset, period, context=context)
    arrivals = np.nan_to_num(per_type(inputs, "arrivals_per_year", 0.0), nan=0.0)
    stay = per_type(inputs, "mean_stay_days", np.nan)
    occupancy = per_type(flow, "occupancy", np.nan)
    occupancy = np.where(np.isfinite(occupancy) & (occupancy > 0), occupancy, DEFAULT_TARGET_OCCUPANCY)
    declines = np.nan_to_num(per_type(inputs, "observed_capacity_declines", 0.0), nan=0.0)
    decided = np.nan_to_num(per_type(inputs, "observed_decided", 0.0), nan=0.0)

    bench = coe_benchmark(dataset, period, tuple(coe_types))
    bench = bench[bench["area_code"] == area]
    population = float(bench["population"].iloc[0]) if len(bench) else float("nan")
    target_units = float(bench["coe_target_units"].iloc[0]) if len(bench) else float("nan")

    gaps = gap_table(dataset, period, target_turnaway, context=context)
    gaps = gaps[gaps["area_code"].astype(str) == area]
    unit_costs = (
        gaps.groupby("accommodation_type")["cost_per_unit"]
        .first()
        .reindex(list(_BEDDED))
        .to_numpy(dtype=float)
    )

    money = funding_summary(dataset, period, context=context)
    money = money[money["area_code"] == area]
    grant = float(money["grant"].iloc[0]) if len(money) else 0.0

    victims = expected_victims(dataset, period, confidence=0.95)
    row = victims[
        (victims["area_code"] == area) & (victims["level"] == "tier_one") & (victims["sex"] == "all")
    ]
    value, lower, upper = (
        (float(row["value"].iloc[0]), float(row["lower"].iloc[0]), float(row["upper"].iloc[0]))
        if len(row)
        else (float("nan"),) * 3
    )
    return Baseline(
        area_code=area,
        area_name=dataset.area_name(area),
        period=period,
        services=services,
        arrivals=arrivals,
        stay=stay,
        occupancy=occupancy,
        observed_capacity_declines=declines,
        observed_decided=decided,
        population=population,
        coe_target_units=target_units,
        coe_types=tuple(coe_types),
        target_turnaway=float(target_turnaway),
        grant=grant,
        victims=value,
        victims_lower=lower,
        victims_upper=upper,
        demonstration=dataset.demonstration,
        unit_costs=unit_costs,
    )


# --------------------------------------------------------------------------------------
# Applying a scenario
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """A scenario applied to a baseline: the model inputs it implies.

    Arrays are indexed by :data:`needs.reference.categories.BEDDED_ACCOMMODATION_TYPES`.
    """

    name: str
    description: str
    services: pd.DataFrame
    units: np.ndarray
    arrivals: np.ndarray
    stay: np.ndarray
    occupancy: np.ndarray
    target_turnaway: float
    coe_types: tuple[str, ...]
    coe_target_units: float
    grant: float
    annual_cost: float
    accommodation_cost: float
    committed_grant: float
    #: Spend committed in the period by every service (the comparison's cost figure).
    committed_spend: float = float("nan")
    #: Of it, the committed spend of the counted bedded services.
    accommodation_committed: float = float("nan")
    #: What the scenario changes, in words ("adds 6 ... units: bedded units 13 → 19; ...").
    changes: str = ""

    @property
    def inputs(self) -> pd.DataFrame:
        """The bedded types as a :func:`needs.assessment.capacity.capacity_inputs`-style table, ready
        for :func:`needs.assessment.capacity.model_capacity` (the per-type detail of the scenario)."""
        return pd.DataFrame(
            {
                "accommodation_type": list(_BEDDED),
                "units": self.units.astype("int64"),
                "arrivals_per_year": self.arrivals,
                "mean_stay_days": self.stay,
                "occupancy": self.occupancy,
            }
        )


def apply(base: Baseline, scenario: Scenario | Mapping | str | os.PathLike | None) -> Applied:
    """Apply ``scenario`` to ``base`` (``None`` gives the baseline itself).

    Services named in ``remove`` and ``resize`` must be services of the area active in the
    period; a length-of-stay change must leave every stay above zero.

    Raises
    ------
    ScenarioError
        Naming the scenario's file and key, e.g. ``grant-cut.yaml: services.remove[1]:
        unknown service_id 'S99' ...``.
    """
    if scenario is None:
        scenario = Scenario(name=BASELINE_NAME, source="baseline")
    else:
        scenario = load_scenario(scenario)
    check = _Checker(scenario.source)
    services = base.services.copy()
    known = set(services["service_id"])
    changes = scenario.services

    def missing(service_id: str, path: str) -> bool:
        if service_id in known:
            return False
        listed = ", ".join(sorted(known)) or "none"
        check.fail(
            path,
            f"unknown service_id '{service_id}': services active in {base.area_code} in "
            f"{base.period} are {listed}",
        )
        return True

    drop = [sid for i, sid in enumerate(changes.remove) if not missing(sid, f"services.remove[{i}]")]
    for i, resize in enumerate(changes.resize):
        if missing(resize.service_id, f"services.resize[{i}].service_id"):
            continue
        row = services.index[services["service_id"] == resize.service_id][0]
        old_units, old_cost = int(services.at[row, "units"]), float(services.at[row, "annual_cost"])
        if resize.annual_cost is not None:
            cost = resize.annual_cost
        elif old_units > 0:
            cost = old_cost * resize.units / old_units
        else:
            cost = old_cost
        share = services.at[row, "committed"] / old_cost if old_cost > 0 else 1.0
        services.loc[row, ["units", "annual_cost", "committed", "change"]] = [
            resize.units,
            cost,
            cost * share,
            "resized",
        ]
    services = services[~services["service_id"].isin(drop)]
    if changes.add:
        added = pd.DataFrame([dataclasses.asdict(s) for s in changes.add])
        stated = added["annual_cost"].notna()
        priced = added["units"] * added["accommodation_type"].map(base.unit_cost)
        for i in np.flatnonzero(~stated & ~np.isfinite(priced.to_numpy(dtype=float))):
            check.fail(
                f"services.add[{i}].annual_cost",
                f"not given, and the gap table has no cost per unit of {added.at[i, 'accommodation_type']} "
                f"in {base.area_code} in {base.period}; give annual_cost",
            )
        added["annual_cost"] = added["annual_cost"].where(stated, priced).astype(float)
        added["service_id"] = [f"new-{i + 1}" for i in range(len(added))]
        added["bedspaces"] = (
            added["bedspaces"].where(added["bedspaces"].notna(), added["units"]).astype("int64")
        )
        added["status"] = "not_yet_in_place"
        added["committed"] = added["annual_cost"].astype(float)
        added["grant_funded"] = added["funding_source"] == GRANT_SOURCE
        added["change"] = "added"
        services = pd.concat([services, added[services.columns]], ignore_index=True)
    services = services.reset_index(drop=True)
    check.raise_if_any()

    # Units are those in place, and those a scenario adds; the baseline's planned services
    # (not yet in place) are a pipeline, never counted (needs.assessment.capacity).
    counted = (services["status"].astype(str) == IN_PLACE) | (services["change"] == "added")
    bedded = services[services["accommodation_type"].isin(_BEDDED) & counted]
    units = bedded.groupby("accommodation_type")["units"].sum().reindex(list(_BEDDED), fill_value=0)
    units = units.to_numpy(dtype=float)

    a = scenario.assumptions
    arrivals = base.arrivals * a.prevalence_multiplier * (1 + a.demand_growth)
    stay = base.stay.copy()
    for code, days in a.length_of_stay_days.items():
        stay[_BEDDED.index(code)] = days
    for code, days in a.length_of_stay_change_days.items():
        i = _BEDDED.index(code)
        if not np.isfinite(stay[i]):
            check.fail(
                f"assumptions.length_of_stay_change_days.{code}",
                f"no {code} stays were observed in {base.area_code} in {base.period}; "
                "give length_of_stay_days for the type instead",
            )
        elif stay[i] + days <= 0:
            check.fail(
                f"assumptions.length_of_stay_change_days.{code}",
                f"a change of {days:g} days makes the mean stay {stay[i] + days:.1f} days; it must stay above 0",
            )
        else:
            stay[i] = stay[i] + days
    occupancy = base.occupancy.copy()
    if isinstance(a.occupancy, Mapping):
        for code, value in a.occupancy.items():
            occupancy[_BEDDED.index(code)] = value
    elif a.occupancy is not None:
        occupancy[:] = a.occupancy
    check.raise_if_any()

    coe_types = a.coe_types or base.coe_types
    grant = base.grant * (1 + scenario.funding.grant_change) + scenario.funding.grant_change_amount
    target = a.target_turnaway if a.target_turnaway is not None else base.target_turnaway
    description = _describe(base, scenario, changes.add, int(units.sum()), tuple(coe_types), target, grant)
    return Applied(
        name=scenario.name,
        description=scenario.description,
        services=services,
        units=units,
        arrivals=arrivals,
        stay=stay,
        occupancy=occupancy,
        target_turnaway=target,
        coe_types=tuple(coe_types),
        coe_target_units=base.coe_target_units,
        grant=float(grant),
        annual_cost=float(services["annual_cost"].sum()),
        accommodation_cost=float(bedded["annual_cost"].sum()),
        committed_grant=float(services.loc[services["grant_funded"].astype(bool), "committed"].sum()),
        committed_spend=float(services["committed"].sum()),
        accommodation_committed=float(bedded["committed"].sum()),
        changes=description,
    )


def _money(value: float) -> str:
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _describe(
    base: Baseline,
    scenario: Scenario,
    added: Sequence,
    units: int,
    coe_types: tuple[str, ...],
    target: float,
    grant: float,
) -> str:
    """What ``scenario`` changes, described as changes from the baseline ("adds 6 dispersed
    ... units at £16,000 a unit a year, as stated (the gap table's cost: £11,250 a unit):
    bedded units 13 → 19"), one clause per change joined by "; ". Quotes units, money and the
    scenario's own settings only, never a count of people or an observed stay."""
    services = base.services.set_index("service_id")
    parts: list[str] = []
    for new in added:
        kind = cat.ACCOMMODATION_TYPES.label(new.accommodation_type).lower()
        group = cat.SPECIALISMS.label(new.specialism).lower()
        text = f"adds {new.units:,} unit{'s' if new.units != 1 else ''} of {kind} ({group})"
        reference = base.unit_cost(new.accommodation_type)
        if new.annual_cost is None:
            text += f" at the gap table's {_money(reference)} a unit a year ({_money(reference * new.units)})"
        else:
            text += f" for {_money(new.annual_cost)} a year"
            if new.units > 0:
                text += f" ({_money(new.annual_cost / new.units)} a unit, as the scenario states"
                if np.isfinite(reference):
                    text += f"; the gap table's cost is {_money(reference)} a unit"
                text += ")"
        parts.append(text)
    for service_id in scenario.services.remove:
        row = services.loc[service_id]
        parts.append(f"stops {row['name']} ({service_id}; {_money(row['committed'])} committed)")
    for resize in scenario.services.resize:
        row = services.loc[resize.service_id]
        text = f"resizes {row['name']} ({resize.service_id}): {int(row['units'])} → {resize.units} units"
        if resize.annual_cost is not None:
            text += f", {_money(row['annual_cost'])} → {_money(resize.annual_cost)} a year"
        parts.append(text)
    before = base.units_in_place
    if units != before:
        parts.append(f"bedded units {before:,} → {units:,}")
    a = scenario.assumptions
    if a.prevalence_multiplier != 1:
        parts.append(f"prevalence x {a.prevalence_multiplier:g}")
    if a.demand_growth:
        parts.append(f"demand {a.demand_growth:+.0%}")
    for code, days in a.length_of_stay_days.items():
        parts.append(f"{cat.ACCOMMODATION_TYPES.label(code).lower()}: mean stay set to {days:g} days")
    for code, days in a.length_of_stay_change_days.items():
        word = "shorter" if days < 0 else "longer"
        parts.append(f"{cat.ACCOMMODATION_TYPES.label(code).lower()}: mean stay {abs(days):g} days {word}")
    if isinstance(a.occupancy, Mapping):
        for code, value in a.occupancy.items():
            parts.append(f"{cat.ACCOMMODATION_TYPES.label(code).lower()}: occupancy set to {value:.0%}")
    elif a.occupancy is not None:
        parts.append(f"occupancy set to {a.occupancy:.0%}")
    if target != base.target_turnaway:
        parts.append(f"target turn-away rate {base.target_turnaway:.0%} → {target:.0%}")
    if tuple(coe_types) != tuple(base.coe_types):
        names = ", ".join(cat.ACCOMMODATION_TYPES.label(c).lower() for c in coe_types)
        parts.append(f"Council of Europe benchmark counts {names}")
    if grant != base.grant:
        parts.append(f"grant {_money(base.grant)} → {_money(grant)}")
    if scenario.name == BASELINE_NAME and scenario.source == "baseline":
        return "nothing: services in place, demand and stays as observed"
    return "; ".join(parts) or "nothing"


# --------------------------------------------------------------------------------------
# The model: vectorised over draws (rows) x bedded types (columns)
# --------------------------------------------------------------------------------------


def _model(
    units: np.ndarray, arrivals: np.ndarray, stay: np.ndarray, occupancy: np.ndarray, target: float
) -> dict[str, np.ndarray]:
    """Key capacity figures, summed over types, for arrays of shape ``(draws, types)``.

    ``a = lambda W / 365.25``; ``B = erlang_b(c, a)``; turn-aways ``sum lambda B``;
    accommodated ``sum lambda (1 - B)``; needed ``sum servers_needed(a, target)``; short
    ``sum max(needed - c, 0)``; throughput ``sum c 365.25 occupancy / W``. A type with no
    demand has load 0 whatever its stay; a type with demand but no known stay is left out
    (``excluded`` marks it).
    """
    arrivals, stay = np.broadcast_arrays(arrivals, stay)
    units = np.broadcast_to(units, arrivals.shape)
    load = np.where(arrivals > 0, arrivals * stay / DAYS_PER_YEAR, 0.0)
    known = np.isfinite(load)
    safe_load = np.where(known, load, 0.0)
    blocking = np.asarray(erlang_b(units, safe_load), dtype=float)
    blocking = np.where(arrivals > 0, blocking, 0.0)
    needed = np.asarray(servers_needed(safe_load, target), dtype=float)
    turned = np.where(known, arrivals * blocking, 0.0)
    demand = np.where(known, arrivals, 0.0)
    short = np.where(known, np.maximum(needed - units, 0.0), 0.0)
    flow = units * DAYS_PER_YEAR * occupancy / np.where(stay > 0, stay, np.nan)
    flow = np.where(units > 0, flow, 0.0)
    turnaways = turned.sum(axis=-1)
    total = demand.sum(axis=-1)
    return {
        "demand": total,
        "throughput": np.nansum(flow, axis=-1),
        "accommodated": total - turnaways,
        "turnaways": turnaways,
        "turnaway_rate": np.divide(turnaways, total, out=np.zeros_like(turnaways), where=total > 0),
        "units_needed": np.where(known, needed, 0.0).sum(axis=-1),
        "units_short": short.sum(axis=-1),
        "excluded_demand": ~known.all(axis=-1) if known.ndim > 1 else ~known.all(),
    }


def evaluate(applied: Applied, base_figures: Mapping[str, float] | None = None) -> dict[str, float]:
    """Point estimates of every key figure of :data:`~needs.scenarios.figures.FIGURES` (except the
    probability).

    ``base_figures`` (the baseline's own result) gives the cost per turn-away avoided; without
    it that figure is NaN.
    """
    model = _model(applied.units, applied.arrivals, applied.stay, applied.occupancy, applied.target_turnaway)
    counted = np.isin(np.asarray(_BEDDED), applied.coe_types)
    coe_units = float(applied.units[counted].sum())
    # Non-bedded types in coe_types (e.g. sanctuary) count their units too.
    services = applied.services
    counted = (services["status"].astype(str) == IN_PLACE) | (services["change"] == "added")
    others = services[
        ~services["accommodation_type"].isin(_BEDDED)
        & services["accommodation_type"].isin(applied.coe_types)
        & counted
    ]
    coe_units += float(others["units"].sum())
    figures = {key: float(value) for key, value in model.items() if key != "excluded_demand"}
    accommodated = figures["accommodated"]
    figures.update(
        units=float(applied.units.sum()),
        coe_gap=applied.coe_target_units - coe_units,
        committed_spend=applied.committed_spend,
        cost_per_household=applied.accommodation_committed / accommodated
        if accommodated > 0
        else float("nan"),
        grant=applied.grant,
        balance=applied.grant - applied.committed_grant,
    )
    figures["cost_per_turnaway_avoided"], _ = _per_avoided(figures, base_figures)
    return figures


def _per_avoided(figures: Mapping[str, float], base: Mapping[str, float] | None) -> tuple[float, str]:
    """Cost per turn-away avoided and the sentence explaining a missing or negative value.

    Not meaningful (NaN; the sentence starts with :data:`~needs.scenarios.figures.NOT_MEANINGFUL`)
    when fewer than :data:`~needs.scenarios.figures.MIN_AVOIDED` turn-aways a year are avoided.
    """
    if base is None:
        return float("nan"), ""
    cost = figures["committed_spend"] - base["committed_spend"]
    avoided = base["turnaways"] - figures["turnaways"]
    if abs(avoided) < 1e-9:
        return float("nan"), f"{NOT_MEANINGFUL}: no turn-aways avoided (spend change {_money(cost)})"
    if avoided < 0:
        return float("nan"), (
            f"{NOT_MEANINGFUL}: {-avoided:.1f} more turn-aways a year than the baseline "
            f"(spend change {_money(cost)})"
        )
    if avoided < MIN_AVOIDED:
        return float("nan"), (
            f"{NOT_MEANINGFUL}: only {avoided:.2g} turn-aways a year avoided, fewer than "
            f"{MIN_AVOIDED:g}, so the ratio (spend change {_money(cost)} / {avoided:.2g}) is mostly noise"
        )
    value = cost / avoided
    if value < 0:
        return value, "saves money and avoids turn-aways"
    return value, ""


def occupancy_note(applied: Applied, figures: Mapping[str, float]) -> str:
    """Why households accommodated (loss model) and throughput differ, or ``""`` when they
    agree to within half a household a year.

    Throughput is ``sum_t c_t x 365.25 x occupancy_t / W_t`` at the observed (or set)
    occupancy; the loss model carries ``sum_t lambda_t (1 - B_t)`` households, which keeps its
    units ``sum_t lambda_t (1 - B_t) W_t / 365.25 / sum_t c_t`` occupied on average: it re-lets
    a unit as soon as it is free, and it cannot accommodate more households than seek a bed.
    Both occupancies are over the types with units and a known stay.
    """
    accommodated, flow = figures["accommodated"], figures["throughput"]
    if not (np.isfinite(accommodated) and np.isfinite(flow)) or abs(accommodated - flow) < 0.5:
        return ""
    known = np.isfinite(applied.stay) & (applied.units > 0)
    units = applied.units[known]
    if units.sum() <= 0:
        return ""
    load = applied.arrivals[known] * applied.stay[known] / DAYS_PER_YEAR
    carried = load * (1 - np.asarray(erlang_b(units, load), dtype=float))
    modelled = float(carried.sum() / units.sum())
    observed = float((applied.occupancy[known] * units).sum() / units.sum())
    if accommodated > flow:
        return (
            f"more than the throughput ({flow:.1f}): the loss model re-lets a unit as soon as it is "
            f"free, so its units are {modelled:.0%} occupied, against the {observed:.0%} occupancy "
            "the throughput uses"
        )
    return (
        f"fewer than the throughput ({flow:.1f}): fewer households seek a bed than the units could "
        f"support, so the loss model's units are {modelled:.0%} occupied, against the {observed:.0%} "
        "occupancy the throughput uses"
    )
