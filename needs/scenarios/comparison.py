"""Comparing scenarios with the baseline: key figures, Monte Carlo intervals, sensitivity.

:func:`compare` applies every scenario to the baseline (:mod:`needs.scenarios.model`) and
tabulates the key figures (:data:`needs.scenarios.figures.FIGURES`) side by side, one tidy
row per scenario x figure; :func:`sensitivity` moves one assumption at a time (a tornado).
Tables for people are in :mod:`needs.scenarios.display`, charts in
:mod:`needs.scenarios.charts`.

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
**probability the target is met** = share of draws with turn-aways / arrivals <= target (a
row of the table only with draws). Figures that do not depend on demand or stay (units, CoE
gap, spend, grant, balance) carry no interval. Spend is the same in every draw, so the interval
of the cost per turn-away avoided is the spend change over the interval of the turn-aways
avoided; the ratio is *not meaningful* when the lower end of that interval is below
:data:`~needs.scenarios.figures.MIN_AVOIDED` (the ``status`` column says so, the ``note`` why). Random arrivals (Poisson noise around the expected count) are not simulated:
the intervals are for the expected figures.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from needs.inputs.dataset import Dataset
from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_CONFIDENCE, DEFAULT_SEED, DEFAULT_TARGET_TURNAWAY
from needs.scenarios.figures import (
    FIGURES,
    MIN_AVOIDED,
    NOT_MEANINGFUL,
    SENSITIVITY_RANGES,
    UNCERTAIN_FIGURES,
)
from needs.scenarios.model import (
    Applied,
    Baseline,
    _model,
    _money,
    _per_avoided,
    apply,
    baseline,
    evaluate,
    occupancy_note,
)
from needs.scenarios.spec import Scenario, load_scenarios

__all__ = ["STAY_CV", "compare", "sensitivity"]

#: Coefficient of variation of the Monte Carlo multiplier on each type's mean stay.
STAY_CV = 0.2

_BEDDED: tuple[str, ...] = tuple(cat.BEDDED_ACCOMMODATION_TYPES)


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
            accommodated > 0, applied.accommodation_committed / accommodated, np.nan
        )
    model["meets_target"] = model["turnaway_rate"] <= applied.target_turnaway
    return model


# --------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------


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
        The loaded data (with ``area`` and ``period``), or a
        :class:`~needs.scenarios.model.Baseline` already built.
    scenarios
        Scenario files, dicts or :class:`~needs.scenarios.spec.Scenario` objects, compared in the order given.
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
        Long and tidy, baseline first, figures in the order of :data:`~needs.scenarios.figures.FIGURES`
        (``prob_meets_target`` only with draws):
        ``area_code, period, scenario, description, changes, figure, label, unit, value, lower,
        upper, status, note``. ``changes`` says what the scenario changes
        (:attr:`~needs.scenarios.model.Applied.changes`); ``lower``/``upper`` are NaN without
        draws and for figures that do not depend on demand or stay; ``status`` is
        :data:`~needs.scenarios.figures.NOT_MEANINGFUL` for a value that is not (NaN; the
        ``note`` gives the reason), else ``""``. :func:`~needs.scenarios.display.display_table`
        gives the table people see (CLI, notebook and report);
        :func:`~needs.scenarios.display.to_wide` one row per scenario.
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
        notes["accommodated"] = occupancy_note(scenario, figures)
        status = dict.fromkeys(FIGURES, "")
        if index > 0 and not np.isfinite(per_avoided):
            status["cost_per_turnaway_avoided"] = NOT_MEANINGFUL
        intervals: dict[str, tuple[float, float]] = {}
        if sims is not None:
            sim = sims[index]
            for key in UNCERTAIN_FIGURES:
                if key == "cost_per_turnaway_avoided":
                    continue
                values = sim[key]
                if np.isnan(values).any():
                    continue
                low, high = np.quantile(values, [alpha, 1 - alpha])
                intervals[key] = (float(low), float(high))
            figures["prob_meets_target"] = float(sim["meets_target"].mean())
            if index > 0 and np.isfinite(per_avoided):
                # Spend is fixed, so the ratio's interval is spend change / the avoided interval.
                avoided = np.quantile(sims[0]["turnaways"] - sim["turnaways"], [alpha, 1 - alpha])
                cost = scenario.committed_spend - applied[0].committed_spend
                if avoided[0] < MIN_AVOIDED:
                    figures["cost_per_turnaway_avoided"] = float("nan")
                    status["cost_per_turnaway_avoided"] = NOT_MEANINGFUL
                    notes["cost_per_turnaway_avoided"] = (
                        f"{NOT_MEANINGFUL}: turn-aways avoided {avoided[0]:.2g} to {avoided[1]:.2g} a year "
                        f"({confidence:.0%} interval), the lower end fewer than {MIN_AVOIDED:g}, so the "
                        f"ratio (spend change {_money(cost)}) is mostly noise"
                    )
                else:
                    ends = sorted((cost / avoided[0], cost / avoided[1]))
                    intervals["cost_per_turnaway_avoided"] = (float(ends[0]), float(ends[1]))
        for key, (label, unit) in FIGURES.items():
            if key == "prob_meets_target" and sims is None:
                continue  # computed from the draws, or not shown
            low, high = intervals.get(key, (float("nan"), float("nan")))
            rows.append(
                {
                    "area_code": base.area_code,
                    "period": base.period,
                    "scenario": scenario.name,
                    "description": scenario.description,
                    "changes": scenario.changes,
                    "figure": key,
                    "label": label,
                    "unit": unit,
                    "value": figures[key],
                    "lower": low,
                    "upper": high,
                    "status": status[key],
                    "note": notes[key],
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["draws"] = int(draws)
    table.attrs["seed"] = seed
    table.attrs["confidence"] = confidence
    table.attrs["area_name"] = base.area_name
    return table


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

    Each assumption of :data:`~needs.scenarios.figures.SENSITIVITY_RANGES` (or ``ranges``) is
    set to its low and then its high setting with everything else as in ``scenario`` (the
    baseline if ``None``); prevalence uses the expected-victims interval of the data.
    ``swing = |high - low|``.

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
