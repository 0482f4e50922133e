"""The scenario file format: what a commissioner may change, read and checked before use.

A **scenario** is a small YAML file (or the same content as a Python ``dict``) naming
changes to the baseline of one tier-one area and period (format: ``templates/scenarios/
README.md``)::

    name: Six dispersed units for male victims
    description: Commission six dispersed units with refuge-level support for men.
    services:
      add:
        - {accommodation_type: dispersed_refuge_level, specialism: male_victims,
           units: 6, annual_cost: 90000, name: Male victims dispersed units}
        - {accommodation_type: refuge, specialism: generic, units: 2}  # costed per unit
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

:func:`load_scenario` reads and validates one file into a :class:`Scenario`;
:func:`load_scenarios` several, with unique names. Every problem is reported at once, each
as ``<file>: <key path>: <what was expected, found>`` (a :class:`needs.errors.ScenarioError`,
exit code 2): unknown keys (with the closest known key), bad codes, numbers out of range,
YAML syntax errors with line and column, and a key given twice in one mapping. Service ids
are checked against the data when the scenario is applied
(:func:`needs.scenarios.model.apply`). An added service with no ``annual_cost`` is costed
when applied, at its units x the report's gap table's cost per unit of its type.

:func:`scenario_to_dict` and :func:`dump_scenario` write a :class:`Scenario` back in this
format (the live explorer's "save as scenario", :mod:`needs.scenarios.explorer`):
``load_scenario(dump_scenario(s, path)) == s`` apart from ``source``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from needs.assessment.funding import GRANT_SOURCE
from needs.errors import ScenarioError
from needs.inputs.limits import (
    DEFAULT_LIMITS,
    LimitExceeded,
    ReadLimits,
    SafeYamlLoader,
    YamlRefused,
    load_yaml,
    read_bytes,
)
from needs.outputs.files import atomic_write_text
from needs.reference import categories as cat
from needs.scenarios._checker import _Checker, _found

__all__ = [
    "BASELINE_NAME",
    "Assumptions",
    "FundingChanges",
    "NewService",
    "Resize",
    "Scenario",
    "ServiceChanges",
    "dump_scenario",
    "load_scenario",
    "load_scenarios",
    "scenario_to_dict",
]

#: Name of the unchanged baseline row in comparison tables.
BASELINE_NAME = "Baseline"

_BEDDED: tuple[str, ...] = tuple(cat.BEDDED_ACCOMMODATION_TYPES)


# --------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewService:
    """A service a scenario commissions (``services.add``).

    ``annual_cost`` ``None`` (not stated): costed when applied at ``units`` x the gap table's
    cost per unit of the type (:func:`needs.scenarios.model.apply`)."""

    accommodation_type: str
    specialism: str
    units: int
    annual_cost: float | None = None
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
_ADD_REQUIRED = ("accommodation_type", "specialism", "units")
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


# --------------------------------------------------------------------------------------
# Checking the content: the top level, then one function per section
# --------------------------------------------------------------------------------------


def _parse(data: Any, source: str, default_name: str) -> Scenario:
    """Check every section of a scenario's content; raise listing every problem, or return it."""
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
    services = _parse_services(check, top.get("services"))
    assumptions = _parse_assumptions(check, top.get("assumptions"))
    funding = _parse_funding(check, top.get("funding"))
    check.raise_if_any()
    return Scenario(
        name=str(name),
        description=description,
        services=services,
        assumptions=assumptions,
        funding=funding,
        source=source,
    )


# --------------------------------------------------------------------------------------
# services: add, remove, resize
# --------------------------------------------------------------------------------------


def _parse_services(check: _Checker, value: Any) -> ServiceChanges:
    """``services``: its three lists, and no service removed or resized more than once."""
    services = check.mapping(value, "services", _SERVICE_KEYS)
    additions = []
    for i, item in enumerate(check.sequence(services.get("add"), "services.add")):
        added = _parse_addition(check, item, f"services.add[{i}]")
        if added is not None:
            additions.append(added)
    removals = []
    for i, item in enumerate(check.sequence(services.get("remove"), "services.remove")):
        service_id = _service_id(check, item, f"services.remove[{i}]")
        if service_id is not None:
            removals.append(service_id)
    resizes = []
    for i, item in enumerate(check.sequence(services.get("resize"), "services.resize")):
        resize = _parse_resize(check, item, f"services.resize[{i}]")
        if resize is not None:
            resizes.append(resize)
    named = [*removals, *(r.service_id for r in resizes)]
    for service_id in sorted({s for s in named if named.count(s) > 1}):
        check.fail("services", f"service_id '{service_id}' is removed or resized more than once")
    return ServiceChanges(tuple(additions), tuple(removals), tuple(resizes))


def _parse_addition(check: _Checker, item: Any, path: str) -> NewService | None:
    """One entry of ``services.add`` (``path``); ``None`` if it has a problem."""
    entry = check.mapping(item, path, _ADD_KEYS)
    if not isinstance(item, Mapping):
        return None
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
            entry["funding_source"], f"{path}.funding_source", cat.FUNDING_SOURCES.codes, "a funding source"
        )
        if "funding_source" in entry
        else GRANT_SOURCE
    )
    support_type = (
        check.code(entry["support_type"], f"{path}.support_type", cat.SUPPORT_TYPES.codes, "a support type")
        if "support_type" in entry
        else cat.NOT_KNOWN
    )
    label = check.text(entry.get("name"), f"{path}.name") if "name" in entry else None
    required = {key: values[key] for key in _ADD_REQUIRED}
    if "annual_cost" in entry and values["annual_cost"] is None:
        return None
    if not (all(v is not None for v in required.values()) and funding_source and support_type):
        return None
    return NewService(
        accommodation_type=values["accommodation_type"],
        specialism=values["specialism"],
        units=values["units"],
        annual_cost=values["annual_cost"],
        bedspaces=bedspaces,
        funding_source=funding_source,
        name=label or f"New {cat.ACCOMMODATION_TYPES.label(values['accommodation_type']).lower()}",
        support_type=support_type,
    )


def _parse_resize(check: _Checker, item: Any, path: str) -> Resize | None:
    """One entry of ``services.resize`` (``path``); ``None`` if it has a problem."""
    entry = check.mapping(item, path, _RESIZE_KEYS)
    if not isinstance(item, Mapping):
        return None
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
    if service_id is None or units is None:
        return None
    return Resize(service_id, units, cost)


def _service_id(check: _Checker, value: Any, path: str) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        check.fail(path, f"expected a service_id, found {_found(value)}")
        return None
    return value.strip()


# --------------------------------------------------------------------------------------
# assumptions
# --------------------------------------------------------------------------------------


def _parse_assumptions(check: _Checker, value: Any) -> Assumptions:
    """``assumptions``: demand, stays, occupancy, target and benchmark types; a key not given
    keeps the :class:`Assumptions` default (the baseline's)."""
    given = check.mapping(value, "assumptions", _ASSUMPTION_KEYS)
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
        assumptions["occupancy"] = _parse_occupancy(check, given["occupancy"])
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
        assumptions["coe_types"] = _parse_coe_types(check, given["coe_types"])
    return Assumptions(**assumptions)


def _parse_occupancy(check: _Checker, occupancy: Any) -> float | dict[str, float] | None:
    """``assumptions.occupancy``: one proportion, or one per bedded accommodation type."""
    bounds = {"low": 0, "high": 1, "low_open": True, "what": "a proportion > 0 and <= 1"}
    if isinstance(occupancy, Mapping):
        return _type_mapping(check, occupancy, "assumptions.occupancy", **bounds)
    return check.number(occupancy, "assumptions.occupancy", **bounds)


def _parse_coe_types(check: _Checker, raw: Any) -> tuple[str, ...]:
    """``assumptions.coe_types``: a non-empty list of accommodation types (repeats dropped)."""
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
    return tuple(types)


def _type_mapping(check: _Checker, value: Any, path: str, **bounds: Any) -> dict[str, float]:
    """A mapping of bedded accommodation type to a number (``path``), each checked against ``bounds``."""
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


# --------------------------------------------------------------------------------------
# funding
# --------------------------------------------------------------------------------------


def _parse_funding(check: _Checker, value: Any) -> FundingChanges:
    """``funding``: a proportional change to the grant, then an amount in pounds."""
    money = check.mapping(value, "funding", _FUNDING_KEYS)
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
    return FundingChanges(**funding)


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


class _UniqueKeyLoader(SafeYamlLoader):
    """A safe YAML loader that refuses a key given twice in one mapping, and anchors and
    aliases (:class:`~needs.inputs.limits.SafeYamlLoader`)."""


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


def load_scenario(
    source: str | os.PathLike | Mapping | Scenario,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
) -> Scenario:
    """Read and validate one scenario.

    Parameters
    ----------
    source
        A YAML file path, or a ``dict`` with the same content, or a :class:`Scenario`
        (returned unchanged).
    name
        Label used in error messages for a ``dict`` (default ``"scenario"``) and its
        default name if it has none. A file's default name is its stem.
    limits
        ``yaml_bytes`` bounds the file's size, checked before it is read (default
        :data:`~needs.inputs.limits.DEFAULT_LIMITS`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem, each as ``<file>: <key path>: <what was expected, found>``,
        e.g. ``male-units.yaml: services.add[0].units: expected a whole number >= 0,
        found -6``: unreadable file, YAML syntax error (with line and column), a top level
        that is not a mapping, unknown keys at any level, bad codes, numbers out of range,
        a YAML anchor or alias (refused, never expanded).
        Service ids are checked against the data by :func:`needs.scenarios.model.apply`.
    LimitExceeded
        The file is larger than ``limits.yaml_bytes`` (an :class:`~needs.errors.InputError`).
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        label = name or str(source.get("name") or "scenario")
        return _parse(source, label, label)
    path = Path(source)
    label = str(source)
    limits = DEFAULT_LIMITS if limits is None else limits
    try:
        raw = read_bytes(path, label, limits, "yaml_bytes")
        data = load_yaml(raw, label, limits, _UniqueKeyLoader)
    except FileNotFoundError:
        raise ScenarioError(f"{label}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{label}: cannot read the file ({error})") from None
    except YamlRefused as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ScenarioError(f"{label}: {where}{error.problem}") from None
    except ValueError as error:  # a value PyYAML cannot convert (an integer of 5,000 digits)
        raise ScenarioError(f"{label}: cannot read a value: {error}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = error.problem or error.context or "invalid YAML"
        raise ScenarioError(f"{label}: {where}YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"{label}: YAML syntax error: {error}") from None
    return _parse(data, label, name or path.stem)


def load_scenarios(
    sources: Iterable[str | os.PathLike | Mapping | Scenario], *, limits: ReadLimits | None = None
) -> list[Scenario]:
    """Load several scenarios; every file's problems are reported together, and names must
    be unique (a repeated name is an error naming both sources). ``limits`` as for
    :func:`load_scenario`."""
    scenarios, problems = [], []
    for source in sources:
        try:
            scenarios.append(load_scenario(source, limits=limits))
        except (ScenarioError, LimitExceeded) as error:
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
# Writing a scenario back in the format
# --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` as a plain YAML scalar: whole numbers as ``int``, other numbers as ``float``
    (numpy numbers too), text as ``str``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) or hasattr(value, "item"):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return str(value)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """``scenario`` as the content of a scenario file (``templates/scenarios/README.md``).

    Only what differs from the defaults is written (an unchanged assumption keeps the
    baseline's when the file is read again), in the order of the format: ``name``,
    ``description``, ``services`` (``add``, ``remove``, ``resize``), ``assumptions``,
    ``funding``. An added service's ``annual_cost`` is written only when stated (else it is
    costed per unit when applied), its ``bedspaces`` only when set. ``load_scenario`` of the
    result gives ``scenario`` back (apart from ``source``).
    """
    out: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        out["description"] = scenario.description
    services: dict[str, Any] = {}
    if scenario.services.add:
        added = []
        for new in scenario.services.add:
            entry: dict[str, Any] = {
                "name": new.name,
                "accommodation_type": new.accommodation_type,
                "specialism": new.specialism,
                "units": _plain(new.units),
            }
            if new.annual_cost is not None:
                entry["annual_cost"] = _plain(new.annual_cost)
            if new.bedspaces is not None:
                entry["bedspaces"] = _plain(new.bedspaces)
            if new.funding_source != GRANT_SOURCE:
                entry["funding_source"] = new.funding_source
            if new.support_type != cat.NOT_KNOWN:
                entry["support_type"] = new.support_type
            added.append(entry)
        services["add"] = added
    if scenario.services.remove:
        services["remove"] = [str(s) for s in scenario.services.remove]
    if scenario.services.resize:
        services["resize"] = [
            {"service_id": r.service_id, "units": _plain(r.units)}
            | ({"annual_cost": _plain(r.annual_cost)} if r.annual_cost is not None else {})
            for r in scenario.services.resize
        ]
    if services:
        out["services"] = services
    a, default = scenario.assumptions, Assumptions()
    assumptions: dict[str, Any] = {}
    if a.prevalence_multiplier != default.prevalence_multiplier:
        assumptions["prevalence_multiplier"] = _plain(a.prevalence_multiplier)
    if a.demand_growth != default.demand_growth:
        assumptions["demand_growth"] = _plain(a.demand_growth)
    for key in ("length_of_stay_days", "length_of_stay_change_days"):
        mapping = getattr(a, key)
        if mapping:
            assumptions[key] = {str(code): _plain(days) for code, days in mapping.items()}
    if isinstance(a.occupancy, Mapping):
        if a.occupancy:
            assumptions["occupancy"] = {str(code): _plain(v) for code, v in a.occupancy.items()}
    elif a.occupancy is not None:
        assumptions["occupancy"] = _plain(a.occupancy)
    if a.target_turnaway is not None:
        assumptions["target_turnaway"] = _plain(a.target_turnaway)
    if a.coe_types is not None:
        assumptions["coe_types"] = list(a.coe_types)
    if assumptions:
        out["assumptions"] = assumptions
    funding: dict[str, Any] = {}
    if scenario.funding.grant_change:
        funding["grant_change"] = _plain(scenario.funding.grant_change)
    if scenario.funding.grant_change_amount:
        funding["grant_change_amount"] = _plain(scenario.funding.grant_change_amount)
    if funding:
        out["funding"] = funding
    return out


def dump_scenario(scenario: Scenario | Mapping, path: str | os.PathLike) -> Path:
    """Write ``scenario`` (a :class:`Scenario`, or a ``dict`` checked by :func:`load_scenario`)
    to the YAML file ``path`` in the scenario format (:func:`scenario_to_dict`), replacing
    it atomically; ``needs scenarios compare`` and ``needs report --scenario`` read it
    unchanged. Returns ``path``.

    Raises
    ------
    ScenarioError
        ``scenario`` is a ``dict`` that is not a valid scenario.
    """

    scenario = load_scenario(scenario)
    content = scenario_to_dict(scenario)
    header = "# A scenario in the format of templates/scenarios/README.md (written by needs).\n"
    text = header + yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=88)
    path = Path(path)
    atomic_write_text(path, text)
    return path
