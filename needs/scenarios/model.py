"""Commissioning scenarios: change services, assumptions and funding; compare the key figures.

A **scenario** is a small YAML file (or the same content as a Python ``dict``) naming
changes to the baseline of one tier-one area and period (format: ``templates/scenarios/
README.md``)::

    name: Six dispersed units for male victims
    description: Commission six dispersed units with refuge-level support for men.
    services:
      add:
        - {accommodation_type: dispersed_refuge_level, specialism: male_victims,
           units: 6, annual_cost: 90000, name: Male victims dispersed units}
      remove: [S07]                       # service_id of services in the data
      resize: [{service_id: S01, units: 14, annual_cost: 260000}]
    assumptions:
      prevalence_multiplier: 1.0          # demand scales with prevalence
      demand_growth: 0.05                 # proportional growth in demand
      length_of_stay_days: {refuge: 150}  # absolute mean stay, by bedded type
      length_of_stay_change_days: {refuge: -30}
      occupancy: 0.9                      # or {refuge: 0.85, ...}
      target_turnaway: 0.05
      coe_types: [refuge, specialist_safe, dispersed_refuge_level]
    funding:
      grant_change: -0.2                  # proportion: a cut of a fifth
      grant_change_amount: 0              # pounds, added after the proportion

The baseline (:func:`baseline`) is built once from the assessment's own calculations:
:func:`needs.assessment.capacity.capacity_inputs` (units, arrivals, mean stay per bedded type),
:func:`needs.assessment.capacity.throughput` (observed occupancy), :func:`needs.assessment.capacity.coe_benchmark`
(population and Council of Europe target), :func:`needs.assessment.funding.funding_summary` and
:func:`needs.assessment.funding.spend_by_service` (grant, committed spend),
:func:`needs.assessment.population.expected_victims` (the prevalence interval). :func:`apply` then
changes plain arrays, so evaluating a scenario takes about a millisecond.

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
* **annual cost** = sum of the full-year ``annual_cost`` of the services active in the
  period; a resized service's cost is the one given, else scaled with its units;
* **accommodation cost per household** = annual cost of bedded services / households
  accommodated (modelled; :func:`needs.assessment.funding.funding_summary`'s ``cost_per_household``
  is the observed all-services figure);
* **cost per turn-away avoided** = (cost - baseline cost) / (baseline turn-aways -
  turn-aways). It is missing (NaN, never infinite) when the scenario avoids no turn-away
  (equal or more turn-aways: dividing would give infinity or a misleading negative), and
  negative when the scenario both saves money and avoids turn-aways; the ``note`` says
  which;
* **grant** ``= grant0 x (1 + grant_change) + grant_change_amount``; **balance** = grant -
  committed spend of grant-funded services (:mod:`needs.assessment.funding`: the baseline's committed
  spend is pro rata to the days each contract covers the period; an added service counts
  its full annual cost, and is grant-funded unless its ``funding_source`` says otherwise).

Uncertainty (:func:`compare` with ``draws > 0``)
-----------------------------------------------
Seeded Monte Carlo (:class:`numpy.random.Generator`, PCG64), the same draws for every
scenario (common random numbers, so differences between scenarios are not noise):

* prevalence: demand is multiplied by ``m ~ lognormal(0, s)``, ``s = ln(upper / lower) /
  (2 x 1.96)`` from the 95% interval of the area's expected victims
  (:func:`needs.assessment.population.expected_victims`): the median multiplier is 1 and 95% of draws
  fall inside the interval's relative width;
* length of stay: each type's mean stay is multiplied by ``g ~ Gamma(k = 1/CV^2, scale =
  CV^2)`` (mean 1, coefficient of variation :data:`STAY_CV` = 0.2), independently by type.
  It describes uncertainty in the mean stay (Women's Aid reported refuge stays rising by 50
  days in two years, ``shared/DOMAIN.md`` 3.3), not the spread of individual stays, to
  which Erlang B is insensitive.

Each figure gets the central ``confidence`` interval of its draws (percentiles), and
**probability the target is met** = share of draws with turn-aways / arrivals <= target.
Figures that do not depend on demand or stay (units, CoE gap, cost, grant, balance) carry
no interval. Random arrivals (Poisson noise around the expected count) are not simulated:
the intervals are for the expected figures.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from needs.assessment.capacity import active_services, capacity_inputs, coe_benchmark, throughput
from needs.assessment.funding import GRANT_SOURCE, funding_summary, spend_by_service
from needs.assessment.population import expected_victims
from needs.assessment.referrals import referral_context
from needs.errors import InputError, ScenarioError
from needs.inputs.dataset import Dataset
from needs.methods.disclosure import is_disclosive
from needs.methods.queueing import erlang_b, servers_needed
from needs.reference import categories as cat
from needs.reference.constants import (
    DAYS_PER_YEAR,
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    DEFAULT_TARGET_OCCUPANCY,
    DEFAULT_TARGET_TURNAWAY,
    SYMBOL_CONFIDENTIAL,
)

__all__ = [
    "BASELINE_NAME",
    "FIGURES",
    "SENSITIVITY_RANGES",
    "STAY_CV",
    "Applied",
    "Assumptions",
    "Baseline",
    "FundingChanges",
    "NewService",
    "Resize",
    "Scenario",
    "ServiceChanges",
    "apply",
    "baseline",
    "compare",
    "display_table",
    "evaluate",
    "format_table",
    "load_scenario",
    "load_scenarios",
    "sensitivity",
    "to_wide",
]

#: Name of the unchanged baseline row in comparison tables.
BASELINE_NAME = "Baseline"

#: Coefficient of variation of the Monte Carlo multiplier on each type's mean stay.
STAY_CV = 0.2

#: z for the 95% interval of expected victims used to calibrate the prevalence draws.
_Z95 = 1.959963984540054

#: Key figures of a comparison, in display order: figure -> (label, unit).
FIGURES: dict[str, tuple[str, str]] = {
    "units": ("Bedded units (households at once)", "units"),
    "demand": ("Households seeking a bed a year (modelled demand)", "households"),
    "throughput": ("Households that can be supported a year (throughput)", "households"),
    "accommodated": ("Households accommodated a year (modelled)", "households"),
    "turnaways": ("Households turned away for lack of space a year (modelled)", "households"),
    "turnaway_rate": ("Share of households turned away for lack of space", "share"),
    "units_needed": ("Units needed for the target turn-away rate", "units"),
    "units_short": ("Units short of that need", "units"),
    "coe_gap": ("Gap against the Council of Europe benchmark (units)", "units"),
    "annual_cost": ("Annual cost of services", "pounds"),
    "cost_per_household": ("Accommodation cost per household accommodated", "pounds"),
    "cost_per_turnaway_avoided": ("Cost per turn-away avoided (against the baseline)", "pounds"),
    "grant": ("Safe accommodation grant", "pounds"),
    "balance": ("Grant balance after committed spend", "pounds"),
    "prob_meets_target": ("Probability turn-aways are at or below the target rate", "probability"),
}

#: Figures that depend on demand or stay, so get Monte Carlo intervals.
UNCERTAIN_FIGURES: tuple[str, ...] = (
    "demand",
    "throughput",
    "accommodated",
    "turnaways",
    "turnaway_rate",
    "units_needed",
    "units_short",
    "cost_per_household",
    "cost_per_turnaway_avoided",
)

#: Low and high settings of each assumption for :func:`sensitivity` (the tornado):
#: assumption -> (label, low, high, how the setting is applied).
#: ``prevalence`` uses the expected-victims interval (lower / value, upper / value) when the
#: data give one, else these defaults.
SENSITIVITY_RANGES: dict[str, tuple[str, float, float, str]] = {
    "prevalence": ("Prevalence (CSEW interval)", 0.9, 1.1, "demand multiplied by"),
    "demand": ("Demand (referrals) -20% / +20%", 0.8, 1.2, "demand multiplied by"),
    "length_of_stay": ("Length of stay -20% / +20%", 0.8, 1.2, "every mean stay multiplied by"),
    "occupancy": ("Occupancy -10% / +10% (at most 100%)", 0.9, 1.1, "occupancy of every type multiplied by"),
    "target_turnaway": ("Target turn-away rate 10% / 2%", 0.10, 0.02, "target turn-away rate set to"),
}

_BEDDED: tuple[str, ...] = tuple(cat.BEDDED_ACCOMMODATION_TYPES)

# --------------------------------------------------------------------------------------
# The scenario format
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewService:
    """A service a scenario commissions (``services.add``)."""

    accommodation_type: str
    specialism: str
    units: int
    annual_cost: float
    bedspaces: int | None = None
    funding_source: str = GRANT_SOURCE
    name: str = ""
    support_type: str = cat.NOT_KNOWN


@dataclass(frozen=True)
class Resize:
    """A change to the units (and optionally the cost) of a service (``services.resize``)."""

    service_id: str
    units: int
    annual_cost: float | None = None


@dataclass(frozen=True)
class ServiceChanges:
    add: tuple[NewService, ...] = ()
    remove: tuple[str, ...] = ()
    resize: tuple[Resize, ...] = ()


@dataclass(frozen=True)
class Assumptions:
    """Changes to the model's assumptions; ``None`` keeps the baseline's."""

    prevalence_multiplier: float = 1.0
    demand_growth: float = 0.0
    length_of_stay_days: Mapping[str, float] = field(default_factory=dict)
    length_of_stay_change_days: Mapping[str, float] = field(default_factory=dict)
    occupancy: float | Mapping[str, float] | None = None
    target_turnaway: float | None = None
    coe_types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FundingChanges:
    grant_change: float = 0.0
    grant_change_amount: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build one with :func:`load_scenario`."""

    name: str
    description: str = ""
    services: ServiceChanges = ServiceChanges()
    assumptions: Assumptions = Assumptions()
    funding: FundingChanges = FundingChanges()
    source: str = "scenario"


_TOP_KEYS = ("name", "description", "services", "assumptions", "funding")
_SERVICE_KEYS = ("add", "remove", "resize")
_ADD_KEYS = (
    "accommodation_type",
    "specialism",
    "units",
    "bedspaces",
    "annual_cost",
    "funding_source",
    "name",
    "support_type",
)
_ADD_REQUIRED = ("accommodation_type", "specialism", "units", "annual_cost")
_RESIZE_KEYS = ("service_id", "units", "annual_cost")
_ASSUMPTION_KEYS = (
    "prevalence_multiplier",
    "demand_growth",
    "length_of_stay_days",
    "length_of_stay_change_days",
    "occupancy",
    "target_turnaway",
    "coe_types",
)
_FUNDING_KEYS = ("grant_change", "grant_change_amount")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' is given twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _found(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    return str(value)


class _Checker:
    """Collects every problem in a scenario, each with its key path."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}")

    def raise_if_any(self) -> None:
        if self.problems:
            error = ScenarioError("\n".join(self.problems))
            error.problems = list(self.problems)  # type: ignore[attr-defined]
            raise error

    def mapping(self, value: Any, path: str, allowed: Sequence[str]) -> dict:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping of keys ({', '.join(allowed)}), found {_found(value)}")
            return {}
        out = {}
        for key, item in value.items():
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"unknown key{hint}; expected one of {', '.join(allowed)}")
            else:
                out[key] = item
        return out

    def sequence(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.fail(path, f"expected a list, found {_found(value)}")
            return []
        return list(value)

    def number(
        self,
        value: Any,
        path: str,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
        what: str | None = None,
    ) -> float | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok:
            number = float(value)
            if low is not None and (number < low or (low_open and number == low)):
                ok = False
            if high is not None and (number > high or (high_open and number == high)):
                ok = False
        if not ok:
            if what is None:
                bounds = []
                if low is not None:
                    bounds.append(f"{'>' if low_open else '>='} {low:g}")
                if high is not None:
                    bounds.append(f"{'<' if high_open else '<='} {high:g}")
                what = "a number" + (f" {' and '.join(bounds)}" if bounds else "")
            self.fail(path, f"expected {what}, found {_found(value)}")
            return None
        return float(value)

    def whole(self, value: Any, path: str) -> int | None:
        integral = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not (integral and float(value).is_integer() and value >= 0):
            self.fail(path, f"expected a whole number >= 0, found {_found(value)}")
            return None
        return int(value)

    def text(self, value: Any, path: str, *, required: bool = False) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, f"expected some text, found {_found(value)}")
            return None
        return value.strip()

    def code(self, value: Any, path: str, codes: Sequence[str], what: str) -> str | None:
        if not isinstance(value, str) or value not in codes:
            close = difflib.get_close_matches(str(value), list(codes), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.fail(path, f"expected {what}: one of {', '.join(codes)}; found {_found(value)}{hint}")
            return None
        return value


def _type_mapping(check: _Checker, value: Any, path: str, **bounds: Any) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        check.fail(path, f"expected a mapping of bedded accommodation type to days, found {_found(value)}")
        return {}
    out = {}
    for key, item in value.items():
        code = check.code(key, f"{path}.{key}", _BEDDED, "a bedded accommodation type")
        number = check.number(item, f"{path}.{key}", **bounds)
        if code is not None and number is not None:
            out[code] = number
    return out


def _parse(data: Any, source: str, default_name: str) -> Scenario:
    check = _Checker(source)
    if not isinstance(data, Mapping):
        check.fail(
            "", f"expected a mapping with keys {', '.join(_TOP_KEYS)} at the top level, found {_found(data)}"
        )
        check.raise_if_any()
    top = check.mapping(data, "", _TOP_KEYS)
    name = check.text(top.get("name"), "name", required=True) if "name" in top else default_name
    if name is not None and name.casefold() == BASELINE_NAME.casefold():
        check.fail("name", f"'{BASELINE_NAME}' is the name of the unchanged baseline; choose another")
    description = check.text(top.get("description"), "description") or ""

    services = check.mapping(top.get("services"), "services", _SERVICE_KEYS)
    additions = []
    for i, item in enumerate(check.sequence(services.get("add"), "services.add")):
        path = f"services.add[{i}]"
        entry = check.mapping(item, path, _ADD_KEYS)
        if not isinstance(item, Mapping):
            continue
        for key in _ADD_REQUIRED:
            if key not in entry and key in _ADD_KEYS and key not in item:
                check.fail(f"{path}.{key}", "missing; every added service needs " + ", ".join(_ADD_REQUIRED))
        added_types = [c for c in cat.ACCOMMODATION_TYPES.codes if c != cat.NOT_KNOWN]
        values = {
            "accommodation_type": check.code(
                entry.get("accommodation_type"),
                f"{path}.accommodation_type",
                added_types,
                "an accommodation type",
            )
            if "accommodation_type" in entry
            else None,
            "specialism": check.code(
                entry.get("specialism"),
                f"{path}.specialism",
                [c for c in cat.SPECIALISMS.codes if c != cat.NOT_KNOWN],
                "a specialism",
            )
            if "specialism" in entry
            else None,
            "units": check.whole(entry["units"], f"{path}.units") if "units" in entry else None,
            "annual_cost": check.number(
                entry["annual_cost"], f"{path}.annual_cost", low=0, what="an amount in pounds >= 0"
            )
            if "annual_cost" in entry
            else None,
        }
        bedspaces = check.whole(entry["bedspaces"], f"{path}.bedspaces") if "bedspaces" in entry else None
        funding_source = (
            check.code(
                entry["funding_source"],
                f"{path}.funding_source",
                cat.FUNDING_SOURCES.codes,
                "a funding source",
            )
            if "funding_source" in entry
            else GRANT_SOURCE
        )
        support_type = (
            check.code(
                entry["support_type"], f"{path}.support_type", cat.SUPPORT_TYPES.codes, "a support type"
            )
            if "support_type" in entry
            else cat.NOT_KNOWN
        )
        label = check.text(entry.get("name"), f"{path}.name") if "name" in entry else None
        if all(v is not None for v in values.values()) and funding_source and support_type:
            additions.append(
                NewService(
                    accommodation_type=values["accommodation_type"],
                    specialism=values["specialism"],
                    units=values["units"],
                    annual_cost=values["annual_cost"],
                    bedspaces=bedspaces,
                    funding_source=funding_source,
                    name=label
                    or f"New {cat.ACCOMMODATION_TYPES.label(values['accommodation_type']).lower()}",
                    support_type=support_type,
                )
            )
    removals = []
    for i, item in enumerate(check.sequence(services.get("remove"), "services.remove")):
        service_id = _service_id(check, item, f"services.remove[{i}]")
        if service_id is not None:
            removals.append(service_id)
    resizes = []
    for i, item in enumerate(check.sequence(services.get("resize"), "services.resize")):
        path = f"services.resize[{i}]"
        entry = check.mapping(item, path, _RESIZE_KEYS)
        if not isinstance(item, Mapping):
            continue
        for key in ("service_id", "units"):
            if key not in item:
                check.fail(f"{path}.{key}", "missing; every resize needs service_id and units")
        service_id = (
            _service_id(check, entry["service_id"], f"{path}.service_id") if "service_id" in entry else None
        )
        units = check.whole(entry["units"], f"{path}.units") if "units" in entry else None
        cost = (
            check.number(entry["annual_cost"], f"{path}.annual_cost", low=0, what="an amount in pounds >= 0")
            if entry.get("annual_cost") is not None
            else None
        )
        if service_id is not None and units is not None:
            resizes.append(Resize(service_id, units, cost))
    named = [*removals, *(r.service_id for r in resizes)]
    for service_id in sorted({s for s in named if named.count(s) > 1}):
        check.fail("services", f"service_id '{service_id}' is removed or resized more than once")

    given = check.mapping(top.get("assumptions"), "assumptions", _ASSUMPTION_KEYS)
    assumptions: dict[str, Any] = {}
    if "prevalence_multiplier" in given:
        assumptions["prevalence_multiplier"] = check.number(
            given["prevalence_multiplier"], "assumptions.prevalence_multiplier", low=0, low_open=True
        )
    if "demand_growth" in given:
        assumptions["demand_growth"] = check.number(
            given["demand_growth"],
            "assumptions.demand_growth",
            low=-1,
            low_open=True,
            what="a proportional change > -1 (e.g. 0.1 for 10% more demand)",
        )
    assumptions["length_of_stay_days"] = _type_mapping(
        check,
        given.get("length_of_stay_days"),
        "assumptions.length_of_stay_days",
        low=0,
        low_open=True,
        what="a number of days > 0",
    )
    assumptions["length_of_stay_change_days"] = _type_mapping(
        check,
        given.get("length_of_stay_change_days"),
        "assumptions.length_of_stay_change_days",
        what="a number of days (negative for shorter stays)",
    )
    if "occupancy" in given:
        occupancy = given["occupancy"]
        bounds = {"low": 0, "high": 1, "low_open": True, "what": "a proportion > 0 and <= 1"}
        if isinstance(occupancy, Mapping):
            assumptions["occupancy"] = _type_mapping(check, occupancy, "assumptions.occupancy", **bounds)
        else:
            assumptions["occupancy"] = check.number(occupancy, "assumptions.occupancy", **bounds)
    if "target_turnaway" in given:
        assumptions["target_turnaway"] = check.number(
            given["target_turnaway"],
            "assumptions.target_turnaway",
            low=0,
            high=1,
            low_open=True,
            high_open=True,
            what="a proportion between 0 and 1 (e.g. 0.05)",
        )
    if "coe_types" in given:
        raw = given["coe_types"]
        types = []
        if not isinstance(raw, list | tuple) or not raw:
            check.fail(
                "assumptions.coe_types",
                f"expected a non-empty list of accommodation types, found {_found(raw)}",
            )
        else:
            for i, code in enumerate(raw):
                ok = check.code(
                    code,
                    f"assumptions.coe_types[{i}]",
                    cat.ACCOMMODATION_TYPES.codes,
                    "an accommodation type",
                )
                if ok is not None and ok not in types:
                    types.append(ok)
        assumptions["coe_types"] = tuple(types)

    money = check.mapping(top.get("funding"), "funding", _FUNDING_KEYS)
    funding: dict[str, Any] = {}
    if "grant_change" in money:
        funding["grant_change"] = check.number(
            money["grant_change"],
            "funding.grant_change",
            low=-1,
            what="a proportional change >= -1 (e.g. -0.2 for a cut of a fifth)",
        )
    if "grant_change_amount" in money:
        funding["grant_change_amount"] = check.number(
            money["grant_change_amount"], "funding.grant_change_amount", what="an amount in pounds"
        )
    check.raise_if_any()
    return Scenario(
        name=str(name),
        description=description,
        services=ServiceChanges(tuple(additions), tuple(removals), tuple(resizes)),
        assumptions=Assumptions(**assumptions),
        funding=FundingChanges(**funding),
        source=source,
    )


def _service_id(check: _Checker, value: Any, path: str) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        check.fail(path, f"expected a service_id, found {_found(value)}")
        return None
    return value.strip()


def load_scenario(source: str | os.PathLike | Mapping | Scenario, *, name: str | None = None) -> Scenario:
    """Read and validate one scenario.

    Parameters
    ----------
    source
        A YAML file path, or a ``dict`` with the same content, or a :class:`Scenario`
        (returned unchanged).
    name
        Label used in error messages for a ``dict`` (default ``"scenario"``) and its
        default name if it has none. A file's default name is its stem.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem, each as ``<file>: <key path>: <what was expected, found>``,
        e.g. ``male-units.yaml: services.add[0].units: expected a whole number >= 0,
        found -6``: unreadable file, YAML syntax error (with line and column), a top level
        that is not a mapping, unknown keys at any level, bad codes, numbers out of range.
        Service ids are checked against the data by :func:`apply`.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        label = name or str(source.get("name") or "scenario")
        return _parse(source, label, label)
    path = Path(source)
    label = str(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(f"{label}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{label}: cannot read the file ({error})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = error.problem or error.context or "invalid YAML"
        raise ScenarioError(f"{label}: {where}YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"{label}: YAML syntax error: {error}") from None
    return _parse(data, label, name or path.stem)


def load_scenarios(sources: Iterable[str | os.PathLike | Mapping | Scenario]) -> list[Scenario]:
    """Load several scenarios; every file's problems are reported together, and names must
    be unique (a repeated name is an error naming both sources)."""
    scenarios, problems = [], []
    for source in sources:
        try:
            scenarios.append(load_scenario(source))
        except ScenarioError as error:
            problems.extend(getattr(error, "problems", [str(error)]))
    seen: dict[str, str] = {}
    for scenario in scenarios:
        key = scenario.name.casefold()
        if key in seen:
            problems.append(
                f"{scenario.source}: name: '{scenario.name}' is also the name of {seen[key]}; "
                "scenario names must differ"
            )
        seen.setdefault(key, scenario.source)
    if problems:
        error = ScenarioError("\n".join(problems))
        error.problems = problems  # type: ignore[attr-defined]
        raise error
    return scenarios


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

    bedded = services[services["accommodation_type"].isin(_BEDDED)]
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
    return Applied(
        name=scenario.name,
        description=scenario.description,
        services=services,
        units=units,
        arrivals=arrivals,
        stay=stay,
        occupancy=occupancy,
        target_turnaway=a.target_turnaway if a.target_turnaway is not None else base.target_turnaway,
        coe_types=tuple(coe_types),
        coe_target_units=base.coe_target_units,
        grant=float(grant),
        annual_cost=float(services["annual_cost"].sum()),
        accommodation_cost=float(bedded["annual_cost"].sum()),
        committed_grant=float(services.loc[services["grant_funded"].astype(bool), "committed"].sum()),
    )


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


def _excluded_notes(applied: Applied) -> dict[str, str]:
    """Notes naming the types left out of the model for want of an observed stay."""
    load_unknown = (applied.arrivals > 0) & ~np.isfinite(applied.stay)
    flow_unknown = (applied.units > 0) & ~np.isfinite(applied.stay)
    notes = {}
    if load_unknown.any():
        names = ", ".join(np.asarray(_BEDDED)[load_unknown])
        text = f"leaves out demand for {names}: no stays were observed (set length_of_stay_days)"
        notes.update(dict.fromkeys(("demand", "turnaways", "units_needed"), text))
    if flow_unknown.any():
        names = ", ".join(np.asarray(_BEDDED)[flow_unknown])
        notes["throughput"] = f"leaves out {names}: no stays were observed (set length_of_stay_days)"
    return notes


def evaluate(applied: Applied, base_figures: Mapping[str, float] | None = None) -> dict[str, float]:
    """Point estimates of every key figure of :data:`FIGURES` (except the probability).

    ``base_figures`` (the baseline's own result) gives the cost per turn-away avoided; without
    it that figure is NaN.
    """
    model = _model(applied.units, applied.arrivals, applied.stay, applied.occupancy, applied.target_turnaway)
    counted = np.isin(np.asarray(_BEDDED), applied.coe_types)
    coe_units = float(applied.units[counted].sum())
    # Non-bedded types in coe_types (e.g. sanctuary) count their units too.
    others = applied.services[
        ~applied.services["accommodation_type"].isin(_BEDDED)
        & applied.services["accommodation_type"].isin(applied.coe_types)
    ]
    coe_units += float(others["units"].sum())
    figures = {key: float(value) for key, value in model.items() if key != "excluded_demand"}
    accommodated = figures["accommodated"]
    figures.update(
        units=float(applied.units.sum()),
        coe_gap=applied.coe_target_units - coe_units,
        annual_cost=applied.annual_cost,
        cost_per_household=applied.accommodation_cost / accommodated if accommodated > 0 else float("nan"),
        grant=applied.grant,
        balance=applied.grant - applied.committed_grant,
    )
    figures["cost_per_turnaway_avoided"], _ = _per_avoided(figures, base_figures)
    return figures


def _per_avoided(figures: Mapping[str, float], base: Mapping[str, float] | None) -> tuple[float, str]:
    """Cost per turn-away avoided and the sentence explaining a missing or negative value."""
    if base is None:
        return float("nan"), ""
    cost = figures["annual_cost"] - base["annual_cost"]
    avoided = base["turnaways"] - figures["turnaways"]
    if abs(avoided) < 1e-9:
        return float("nan"), "no turn-aways avoided, so no cost per turn-away avoided"
    if avoided < 0:
        return float("nan"), (
            f"{-avoided:.1f} more turn-aways a year than the baseline; cost change £{cost:,.0f}"
        )
    value = cost / avoided
    if value < 0:
        return value, "saves money and avoids turn-aways"
    return value, ""


# --------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------


def _draw(
    base: Baseline, draws: int, seed: int | np.random.SeedSequence | None, stay_cv: float
) -> tuple[np.ndarray, np.ndarray]:
    """Demand multipliers ``(draws, 1)`` and stay multipliers ``(draws, types)``."""
    rng = np.random.default_rng(seed)
    demand = rng.lognormal(0.0, base.prevalence_sigma, size=(draws, 1))
    if stay_cv > 0:
        shape = 1.0 / stay_cv**2
        stays = rng.gamma(shape, 1.0 / shape, size=(draws, len(_BEDDED)))
    else:
        stays = np.ones((draws, len(_BEDDED)))
    return demand, stays


def _simulate(applied: Applied, demand: np.ndarray, stays: np.ndarray) -> dict[str, np.ndarray]:
    model = _model(
        applied.units[None, :],
        applied.arrivals[None, :] * demand,
        applied.stay[None, :] * stays,
        applied.occupancy[None, :],
        applied.target_turnaway,
    )
    accommodated = model["accommodated"]
    with np.errstate(divide="ignore", invalid="ignore"):
        model["cost_per_household"] = np.where(
            accommodated > 0, applied.accommodation_cost / accommodated, np.nan
        )
    model["meets_target"] = model["turnaway_rate"] <= applied.target_turnaway
    return model


# --------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------


def compare(
    dataset: Dataset | Baseline,
    area: str | None = None,
    period: str | None = None,
    scenarios: Iterable[str | os.PathLike | Mapping | Scenario] = (),
    *,
    draws: int = 0,
    seed: int | None = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
    stay_cv: float = STAY_CV,
    coe_types: Sequence[str] = cat.COE_DEFAULT_TYPES,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
) -> pd.DataFrame:
    """Compare scenarios with the baseline: one tidy row per scenario x key figure.

    Parameters
    ----------
    dataset
        The loaded data (with ``area`` and ``period``), or a :class:`Baseline` already built.
    scenarios
        Scenario files, dicts or :class:`Scenario` objects, compared in the order given.
    draws
        Monte Carlo draws for intervals (0: point estimates only). See the module docstring.
    seed
        Seed of the :class:`numpy.random.Generator`; the same seed gives the same table.
    confidence
        Level of the Monte Carlo intervals (central percentiles).
    stay_cv
        Coefficient of variation of the mean-stay multiplier (:data:`STAY_CV`).
    coe_types, target_turnaway
        The baseline's settings (a scenario may change them).

    Returns
    -------
    pandas.DataFrame
        Long and tidy, baseline first, figures in the order of :data:`FIGURES`:
        ``area_code, period, scenario, description, figure, label, unit, value, lower,
        upper, note``. ``lower``/``upper`` are NaN without draws and for figures that do
        not depend on demand or stay. :func:`to_wide` gives one row per scenario;
        :func:`format_table` a text table.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a proportion between 0 and 1, got {confidence!r}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 0:
        raise ValueError(f"draws: expected a whole number >= 0, got {draws!r}")
    if isinstance(dataset, Baseline):
        base = dataset
    else:
        if area is None or period is None:
            raise ValueError("area and period are required with a dataset")
        base = baseline(dataset, area, period, coe_types=coe_types, target_turnaway=target_turnaway)
    loaded = load_scenarios(scenarios)
    applied = [apply(base, None)] + [apply(base, s) for s in loaded]

    base_figures = evaluate(applied[0])
    rows: list[dict[str, Any]] = []
    sims = None
    if draws:
        demand, stays = _draw(base, int(draws), seed, stay_cv)
        sims = [_simulate(a, demand, stays) for a in applied]
    alpha = (1 - confidence) / 2
    for index, scenario in enumerate(applied):
        figures = evaluate(scenario, base_figures)
        notes = dict.fromkeys(FIGURES, "")
        per_avoided, notes["cost_per_turnaway_avoided"] = _per_avoided(figures, base_figures)
        if index == 0:
            notes["cost_per_turnaway_avoided"] = "the baseline is the reference"
        notes.update(_excluded_notes(scenario))
        intervals: dict[str, tuple[float, float]] = {}
        figures["prob_meets_target"] = float("nan")
        if sims is not None:
            sim = sims[index]
            with np.errstate(divide="ignore", invalid="ignore"):
                avoided = sims[0]["turnaways"] - sim["turnaways"]
                sim["cost_per_turnaway_avoided"] = np.where(
                    avoided > 1e-9, (scenario.annual_cost - applied[0].annual_cost) / avoided, np.nan
                )
            for key in UNCERTAIN_FIGURES:
                values = sim[key]
                if np.isnan(values).any():
                    continue
                low, high = np.quantile(values, [alpha, 1 - alpha])
                intervals[key] = (float(low), float(high))
            figures["prob_meets_target"] = float(sim["meets_target"].mean())
        else:
            notes["prob_meets_target"] = "needs Monte Carlo draws"
        if (
            index > 0
            and sims is not None
            and "cost_per_turnaway_avoided" not in intervals
            and np.isfinite(per_avoided)
        ):
            notes["cost_per_turnaway_avoided"] = "no interval: some draws avoid no turn-aways"
        for key, (label, unit) in FIGURES.items():
            low, high = intervals.get(key, (float("nan"), float("nan")))
            rows.append(
                {
                    "area_code": base.area_code,
                    "period": base.period,
                    "scenario": scenario.name,
                    "description": scenario.description,
                    "figure": key,
                    "label": label,
                    "unit": unit,
                    "value": figures[key],
                    "lower": low,
                    "upper": high,
                    "note": notes[key],
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["draws"] = int(draws)
    table.attrs["seed"] = seed
    table.attrs["confidence"] = confidence
    table.attrs["area_name"] = base.area_name
    return table


def to_wide(table: pd.DataFrame, *, intervals: bool = False) -> pd.DataFrame:
    """One row per scenario, one column per figure (``<figure>_lower``/``_upper`` too when
    ``intervals``), scenarios in the order of ``table``."""
    order = list(dict.fromkeys(table["scenario"]))
    figures = list(dict.fromkeys(table["figure"]))
    columns = ["value", "lower", "upper"] if intervals else ["value"]
    wide = table.pivot(index="scenario", columns="figure", values=columns).reindex(order)
    out = wide["value"][figures].copy()
    if intervals:
        for figure in figures:
            out[f"{figure}_lower"] = wide["lower"][figure]
            out[f"{figure}_upper"] = wide["upper"][figure]
    out.columns.name = None
    return out.reset_index()


def format_value(value: float | None, unit: str, missing: str = "-") -> str:
    """A figure as text for its unit (pounds, share, units, households...)."""
    if value is None or not np.isfinite(value):
        return missing
    if unit == "pounds":
        return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"
    if unit in ("share", "probability"):
        return f"{value:.1%}"
    if unit == "units" and float(value).is_integer():
        return f"{value:,.0f}"
    if 0 < abs(value) < 0.95:
        return f"{value:.2g}"
    return f"{value:,.1f}"


def format_table(table: pd.DataFrame) -> str:
    """The comparison as a fixed-width text table: one line per figure, one column per
    scenario (as wide as its name or its longest cell); ``(lower to upper)`` on a second line
    when there are intervals; notes listed below, once for every scenario they apply to."""
    order = list(dict.fromkeys(table["scenario"]))
    label_width = max(len(label) for label in table["label"]) + 2
    has_intervals = table["lower"].notna().any()
    lines_by_figure = []
    for _, rows in table.groupby("figure", sort=False):
        rows = rows.set_index("scenario").reindex(order)
        unit = rows["unit"].iloc[0]
        cells = [format_value(v, unit) for v in rows["value"]]
        ranges = None
        if has_intervals and rows["lower"].notna().any():
            ranges = [
                f"({format_value(lo, unit)} to {format_value(hi, unit)})" if np.isfinite(lo) else ""
                for lo, hi in zip(rows["lower"], rows["upper"], strict=True)
            ]
        lines_by_figure.append((rows["label"].iloc[0], cells, ranges))
    widths = [len(name) for name in order]
    for _, cells, ranges in lines_by_figure:
        for i, cell in enumerate(cells + (ranges or [])):
            widths[i % len(order)] = max(widths[i % len(order)], len(cell))
    widths = [w + 2 for w in widths]
    head = "".ljust(label_width) + "".join(name.rjust(w) for name, w in zip(order, widths, strict=True))
    lines = [head, "-" * len(head)]
    for label, cells, ranges in lines_by_figure:
        lines.append(
            label.ljust(label_width) + "".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )
        if ranges is not None:
            lines.append(
                "".ljust(label_width) + "".join(r.rjust(w) for r, w in zip(ranges, widths, strict=True))
            )
    notes = table[table["note"] != ""]
    if len(notes):
        lines += ["", "Notes:"]
        for (label, note), part in notes.groupby(["label", "note"], sort=False):
            names = list(dict.fromkeys(part["scenario"]))
            who = "all scenarios" if len(names) == len(order) else ", ".join(names)
            lines.append(f"  {label} ({who}): {note}")
    draws = table.attrs.get("draws", 0)
    if draws:
        level = table.attrs.get("confidence", DEFAULT_CONFIDENCE)
        lines.append(
            f"Intervals: {level:.0%} of {draws:,} Monte Carlo draws (seed {table.attrs.get('seed')})."
        )
    return "\n".join(lines)


#: Figures computed from the baseline's observed demand (a count of households): hidden
#: with it when that count is small (:func:`needs.methods.disclosure.is_disclosive`).
_DEMAND_FIGURES: tuple[str, ...] = (
    "demand",
    "accommodated",
    "turnaways",
    "turnaway_rate",
    "cost_per_household",
)


def display_table(table: pd.DataFrame, *, suppress_below: int | None = None) -> pd.DataFrame:
    """The comparison for people: one row per figure (its label), one column per scenario,
    formatted text (money in pounds, shares as percentages, ``value (lower to upper)`` with
    intervals).

    With ``suppress_below``, the figures computed from the baseline's observed demand are
    shown as ``[c]`` when that demand is a disclosive count
    (:func:`needs.methods.disclosure.is_disclosive`); the other figures are modelled or financial
    totals, not counts of people.
    """
    order = list(dict.fromkeys(table["scenario"]))
    hidden = False
    if suppress_below is not None:
        demand = table[(table["scenario"] == order[0]) & (table["figure"] == "demand")]["value"]
        hidden = bool(len(demand)) and bool(is_disclosive(round(float(demand.iloc[0])), suppress_below))
    rows = []
    for figure, part in table.groupby("figure", sort=False):
        part = part.set_index("scenario").reindex(order)
        unit = part["unit"].iloc[0]
        row = {"Figure": part["label"].iloc[0]}
        for name, value, low, high in zip(order, part["value"], part["lower"], part["upper"], strict=True):
            if hidden and figure in _DEMAND_FIGURES:
                row[name] = SYMBOL_CONFIDENTIAL
                continue
            text = format_value(value, unit)
            if np.isfinite(low) and np.isfinite(high):
                text += f" ({format_value(low, unit)} to {format_value(high, unit)})"
            row[name] = text
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Sensitivity (tornado)
# --------------------------------------------------------------------------------------


def sensitivity(
    dataset: Dataset | Baseline,
    area: str | None = None,
    period: str | None = None,
    scenario: str | os.PathLike | Mapping | Scenario | None = None,
    *,
    figures: Sequence[str] = ("units_short", "turnaways", "throughput"),
    ranges: Mapping[str, tuple[str, float, float, str]] | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of key figures to each assumption (a tornado analysis).

    Each assumption of :data:`SENSITIVITY_RANGES` (or ``ranges``) is set to its low and then
    its high setting with everything else as in ``scenario`` (the baseline if ``None``);
    prevalence uses the expected-victims interval of the data. ``swing = |high - low|``.

    Returns
    -------
    pandas.DataFrame
        ``scenario, figure, assumption, label, low_setting, high_setting, base, low, high,
        swing``, sorted by figure then swing (largest first).
    """
    base = dataset if isinstance(dataset, Baseline) else baseline(dataset, area, period)
    applied = apply(base, scenario)
    ranges = dict(ranges or SENSITIVITY_RANGES)
    centre = evaluate(applied)
    unknown = [f for f in figures if f not in centre]
    if unknown:
        raise ValueError(f"figures: unknown {unknown}; expected some of {', '.join(centre)}")
    rows = []
    for key, (label, low, high, _how) in ranges.items():
        if key == "prevalence":
            low, high = base.prevalence_range
        results = []
        for setting in (low, high):
            if key in ("prevalence", "demand"):
                changed = dataclasses.replace(applied, arrivals=applied.arrivals * setting)
            elif key == "length_of_stay":
                changed = dataclasses.replace(applied, stay=applied.stay * setting)
            elif key == "occupancy":
                changed = dataclasses.replace(applied, occupancy=np.minimum(applied.occupancy * setting, 1.0))
            elif key == "target_turnaway":
                changed = dataclasses.replace(applied, target_turnaway=float(setting))
            else:
                raise ValueError(f"ranges: unknown assumption '{key}'")
            results.append(evaluate(changed))
        for figure in figures:
            rows.append(
                {
                    "scenario": applied.name,
                    "figure": figure,
                    "assumption": key,
                    "label": label,
                    "low_setting": float(low),
                    "high_setting": float(high),
                    "base": centre[figure],
                    "low": results[0][figure],
                    "high": results[1][figure],
                }
            )
    table = pd.DataFrame(rows)
    table["swing"] = (table["high"] - table["low"]).abs()
    order = {f: i for i, f in enumerate(figures)}
    table = table.sort_values(
        ["figure", "swing"], key=lambda s: s.map(order) if s.name == "figure" else -s, kind="stable"
    )
    return table.reset_index(drop=True)
