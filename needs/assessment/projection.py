"""Projected need for the strategy period: expected victims and modelled units needed for the
next three financial years, from ONS subnational population projections.

The strategy a needs assessment informs runs three years, and the assessment must be refreshed
at least every three years (Domestic Abuse Act 2021, s.57(2); statutory guidance, chapter 2),
so the report looks forward over the next three financial years after the assessed period P:
P+1, P+2, P+3. For each, the optional ``population_projection`` table gives the projected
resident population by sex and single year of age at the mid-year the financial year starts in
(mid-2024 for 2024-25; the same rule as :func:`needs.assessment.population.population_year`).

Assumption: only the population changes
---------------------------------------
Prevalence by sex and age band, and the share of victims who reach a service, are held at the
assessed period's values. So:

* **projected expected victims** (year t) = sum over sex s and CSEW age band b of
  projected population16+(t, s, b) x rate(s, b) / 100, with the rates P uses
  (:func:`needs.assessment.population.expected_victims`, called on the projected population:
  published rates where published, else modelled from the age profile, one question set). The
  limits are those of the function: **national survey sampling error of the rates only** (the
  rates are the same in every year, so the limits of different years move together), not the
  uncertainty of the population projection itself, nor local variation in prevalence;
* **scale** (t) = projected expected victims (t) / expected victims (P), the factor by which
  demand grows if households arriving per expected victim stay as observed in P;
  ``scale_lower``/``scale_upper`` are the projected limits over the same current point
  estimate: the range of demand if prevalence were at either limit of its interval in year t
  while arrivals per expected victim stayed at their observed value;
* **units needed** (t, accommodation type x specialism, the loss model's grain
  :data:`needs.assessment.capacity.MODEL_KEYS`) = the Erlang loss model
  (:func:`needs.assessment.capacity.model_capacity`) with the observed arrivals of P
  (:func:`needs.assessment.capacity.capacity_inputs`) x scale (t), the observed mean stay
  and the target turn-away share: the least number of units c with B(c, a) <= target, where
  a = arrivals x scale x mean stay / 365.25. ``units_needed_lower``/``_upper`` are the
  bootstrap limits of units needed (:func:`needs.assessment.capacity.units_needed_interval`:
  Poisson arrivals and resampled stays, as for the loss-model part) with the arrivals scaled
  by ``scale_lower``/``scale_upper``: they carry the chance variation of arrivals and stays
  and the prevalence interval, not the uncertainty of the population projection.

An area is projected only for years in which every one of its base areas (districts, or the
unitary itself) has projection rows; otherwise its projection for that year is left out rather
than computed on part of the area.

Functions
---------
projection
    The ``projection`` part: one row per area x period x accommodation type x specialism
    (``all`` for the expected-victims rows), the assessed period first as the baseline.
projection_periods
    The financial years projected after a period.
projected_population
    The adapter: the projection table of one mid-year as a ``population`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from needs.assessment.capacity import MODEL_KEYS, capacity_inputs, model_capacity, units_needed_interval
from needs.assessment.population import expected_victims
from needs.inputs.dataset import Dataset
from needs.reference.constants import DEFAULT_CONFIDENCE, DEFAULT_TARGET_TURNAWAY
from needs.reference.periods import check_period, period_label, start_year

__all__ = [
    "BASIS_CURRENT",
    "BASIS_PROJECTED",
    "PROJECTION_COLUMNS",
    "PROJECTION_TABLE",
    "PROJECTION_YEARS",
    "projected_population",
    "projection",
    "projection_periods",
]

#: Input table of projected population (optional).
PROJECTION_TABLE = "population_projection"
#: Financial years projected after the assessed period (the length of a strategy).
PROJECTION_YEARS = 3
#: ``basis`` of the assessed period's row (the baseline) and of projected rows.
BASIS_CURRENT = "current"
BASIS_PROJECTED = "projected"
#: ``accommodation_type`` of the rows that carry expected victims only.
ALL_TYPES = "all"

PROJECTION_COLUMNS: tuple[str, ...] = (
    "area_code",
    "period",
    "basis",
    "population_year",
    "edition",
    "accommodation_type",
    "specialism",
    "population_16plus",
    "expected_victims",
    "expected_lower",
    "expected_upper",
    "scale",
    "scale_lower",
    "scale_upper",
    "units",
    "arrivals_per_year",
    "mean_stay_days",
    "units_needed",
    "units_needed_lower",
    "units_needed_upper",
    "target_turnaway",
    "measure",
    "prevalence_period",
)

_KEYS = ["area_code", "period"]


def projection_periods(period: str, years: int = PROJECTION_YEARS) -> list[str]:
    """The ``years`` financial years after ``period``: ``2023-24`` -> 2024-25, 2025-26, 2026-27."""
    first = start_year(check_period(period))
    return [period_label(first + k) for k in range(1, years + 1)]


def projected_population(dataset: Dataset, year: int) -> pd.DataFrame:
    """The ``population_projection`` rows of mid-``year`` as a ``population`` table.

    Columns ``area_code, year, sex, age, population`` (projected residents, not rounded), so
    that the functions of :mod:`needs.assessment.population` can take it unchanged.
    """
    table = dataset.tables[PROJECTION_TABLE]
    rows = table[table["year"].astype(int) == int(year)]
    return rows[["area_code", "year", "sex", "age", "population"]].reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(PROJECTION_COLUMNS))


def _complete_areas(dataset: Dataset, years: Sequence[int]) -> pd.DataFrame:
    """``(tier_one_code, year)`` pairs whose every base area has projection rows in ``year``."""
    parents = dataset.base_area_parents().astype({"area_code": str, "tier_one_code": str})
    table = dataset.tables[PROJECTION_TABLE]
    present = pd.DataFrame(
        {"area_code": table["area_code"].astype(str).to_numpy(), "year": table["year"].astype(int).to_numpy()}
    ).drop_duplicates()
    present = present[present["year"].isin(list(years))]
    grid = parents.merge(pd.DataFrame({"year": list(years)}), how="cross")
    grid = grid.merge(present.assign(found=True), on=["area_code", "year"], how="left")
    complete = grid.groupby(["tier_one_code", "year"])["found"].agg(lambda f: bool(f.notna().all()))
    return complete[complete].reset_index()[["tier_one_code", "year"]]


def _expected(dataset: Dataset, period: str, measure: str | None, confidence: float) -> pd.DataFrame:
    """Tier-one expected victims (all adults) of ``dataset`` with the rates of ``period``."""
    frame = expected_victims(dataset, period, measure, confidence)
    frame = frame[(frame["level"] == "tier_one") & (frame["sex"] == "all")]
    return frame[
        ["area_code", "population_16plus", "value", "lower", "upper", "measure", "prevalence_period",
         "population_year"]
    ].rename(columns={"value": "expected_victims", "lower": "expected_lower", "upper": "expected_upper"})  # fmt: skip


def _projected_expected(
    dataset: Dataset, period: str, measure: str, confidence: float, years: dict[str, int]
) -> pd.DataFrame:
    """Projected expected victims for each projected period whose mid-year the table has.

    Calls :func:`needs.assessment.population.expected_victims` once per projected year (three
    calls at most) on the dataset with its ``population`` table replaced by the projection of
    that year, with the assessed period's rates (``period`` and ``measure`` fixed).
    """
    complete = _complete_areas(dataset, list(years.values()))
    parents = dataset.base_area_parents().astype({"area_code": str, "tier_one_code": str})
    frames = []
    for projected, year in years.items():
        areas = complete.loc[complete["year"] == year, "tier_one_code"]
        if areas.empty:
            continue
        base = parents.loc[parents["tier_one_code"].isin(areas), "area_code"]
        population = projected_population(dataset, year)
        population = population[population["area_code"].astype(str).isin(base)]
        shifted = replace(dataset, tables={**dataset.tables, "population": population})
        frames.append(_expected(shifted, period, measure, confidence).assign(period=projected))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def _editions(dataset: Dataset) -> pd.Series:
    """The projection edition of each base area's rows (the first listed if several)."""
    table = dataset.tables[PROJECTION_TABLE]
    if "edition" not in table.columns:
        return pd.Series(dtype=object)
    parents = dataset.base_area_parents().astype({"area_code": str, "tier_one_code": str})
    editions = table.assign(area_code=table["area_code"].astype(str)).merge(parents, on="area_code")
    return editions.groupby("tier_one_code")["edition"].first().astype(str)


def _units_needed(inputs: pd.DataFrame, scales: pd.DataFrame, column: str, target: float) -> pd.Series:
    """Modelled units needed with each row's arrivals x ``scales[column]`` (one vectorised call),
    indexed by area, period and :data:`~needs.assessment.capacity.MODEL_KEYS`."""
    scaled = inputs.merge(scales[["area_code", "period", column]], on="area_code", how="inner")
    scaled["arrivals_per_year"] = scaled["arrivals_per_year"].astype(float) * scaled[column].astype(float)
    modelled = model_capacity(scaled, target)
    return modelled.set_index([*_KEYS, *MODEL_KEYS])["units_needed"].astype(float)


def _units_needed_bound(
    dataset: Dataset,
    period: str,
    inputs: pd.DataFrame,
    scales: pd.DataFrame,
    bound: str,
    target: float,
    context: pd.DataFrame | None,
) -> pd.Series:
    """The ``bound`` (``lower``/``upper``) of units needed in each period: the bootstrap limit
    (:func:`needs.assessment.capacity.units_needed_interval`: Poisson arrivals, resampled
    stays) with households arriving scaled by the prevalence limit ``scale_<bound>``, so the
    range carries both the survey's and the service data's uncertainty. One bootstrap per
    period (at most four), each over all areas and pools at once."""
    frames = []
    for label, scale in scales.groupby("period", sort=False):
        scaled = inputs.merge(scale[["area_code", f"scale_{bound}"]], on="area_code", how="inner")
        scaled["arrivals_per_year"] = scaled["arrivals_per_year"].astype(float) * scaled[f"scale_{bound}"]
        interval = units_needed_interval(dataset, period, scaled, target, context=context)
        frames.append(interval.assign(period=label))
    if not frames:
        return pd.Series(dtype=float)
    limits = pd.concat(frames, ignore_index=True)
    return limits.set_index([*_KEYS, *MODEL_KEYS])[f"units_needed_{bound}"].astype(float)


def projection(
    dataset: Dataset,
    period: str,
    *,
    measure: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY,
    years: int = PROJECTION_YEARS,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Projected expected victims and units needed for the ``years`` financial years after ``period``.

    See the module docstring for the definitions and the assumption (prevalence and arrivals
    per expected victim held at the assessed period's; only the population changes).

    Parameters
    ----------
    dataset
        The dataset; without the optional ``population_projection`` table the part is empty.
    period
        The assessed financial year (the baseline).
    measure, confidence
        As for :func:`needs.assessment.population.expected_victims`.
    target_turnaway
        Acceptable share of households turned away for lack of space (units needed).
    years
        Financial years projected.
    context
        The referral context shared by the capacity parts (optional).

    Returns
    -------
    pandas.DataFrame
        :data:`PROJECTION_COLUMNS`: for each tier-one area, the assessed period (``basis``
        ``current``: the assessment's own expected victims and units needed) and each projected
        period (``projected``) the area's every base area has rows for; per period one row with
        ``accommodation_type`` and ``specialism`` ``all`` (expected victims, no units) and one per
        bedded accommodation type x specialism with the loss model's inputs (``units`` in place,
        observed ``arrivals_per_year`` and ``mean_stay_days`` of the assessed period: the same
        as the loss-model part's) and ``units_needed`` with its limits. No area without a
        projection has rows.
    """
    if PROJECTION_TABLE not in dataset.tables or dataset.tables[PROJECTION_TABLE].empty:
        return _empty()
    future = {p: start_year(p) for p in projection_periods(period, years)}
    current = _expected(dataset, period, measure, confidence).assign(period=period, basis=BASIS_CURRENT)
    chosen = str(current["measure"].iloc[0]) if len(current) else measure
    projected = _projected_expected(dataset, period, chosen, confidence, future)
    if projected.empty:
        return _empty()
    projected = projected[projected["area_code"].isin(current["area_code"])].assign(basis=BASIS_PROJECTED)
    current = current[current["area_code"].isin(projected["area_code"])]  # areas with no projection: no rows
    baseline = current.set_index("area_code")["expected_victims"]
    base = baseline.reindex(projected["area_code"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        projected["scale"] = np.where(
            base > 0, projected["expected_victims"].to_numpy(dtype=float) / base, np.nan
        )
        projected["scale_lower"] = np.where(
            base > 0, projected["expected_lower"].to_numpy(dtype=float) / base, np.nan
        )
        projected["scale_upper"] = np.where(
            base > 0, projected["expected_upper"].to_numpy(dtype=float) / base, np.nan
        )
    current = current.assign(scale=1.0, scale_lower=1.0, scale_upper=1.0)
    expected = pd.concat([current, projected], ignore_index=True)
    expected["edition"] = expected["area_code"].map(_editions(dataset))

    inputs = capacity_inputs(dataset, period, by=MODEL_KEYS, context=context)
    inputs = inputs[inputs["area_code"].isin(expected["area_code"])]
    point = _units_needed(inputs, expected, "scale", target_turnaway)
    low = _units_needed_bound(dataset, period, inputs, expected, "lower", target_turnaway, context)
    high = _units_needed_bound(dataset, period, inputs, expected, "upper", target_turnaway, context)
    needed = pd.DataFrame(
        {
            "units_needed": point,
            # no demand offered: no units needed, at either limit (as in the loss-model part)
            "units_needed_lower": low.reindex(point.index).where(point != 0, 0.0),
            "units_needed_upper": high.reindex(point.index).where(point != 0, 0.0),
        }
    ).reset_index()
    by_type = expected.merge(
        inputs[["area_code", *MODEL_KEYS, "units", "arrivals_per_year", "mean_stay_days"]], on="area_code"
    ).merge(needed, on=[*_KEYS, *MODEL_KEYS], how="left")
    totals = expected.assign(accommodation_type=ALL_TYPES, specialism=ALL_TYPES)
    out = pd.concat([totals, by_type], ignore_index=True)
    out["target_turnaway"] = float(target_turnaway)
    for column in PROJECTION_COLUMNS:
        if column not in out.columns:
            out[column] = np.nan
    for column in ("units_needed", "units_needed_lower", "units_needed_upper"):
        out[column] = pd.to_numeric(out[column], errors="coerce").round().astype("Int64")
    out["_type"] = (out["accommodation_type"] != ALL_TYPES).astype(int)
    out = out.sort_values(["area_code", "period", "_type"], kind="stable").reset_index(drop=True)
    return out[list(PROJECTION_COLUMNS)]
