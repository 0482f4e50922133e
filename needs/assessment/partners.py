"""Demand seen by partners: MARAC, police, homelessness and children's social care, as rates.

Four optional tables hold figures partners publish (:mod:`needs.reference.schema`): ``marac``
(SafeLives, by police force area), ``police`` (police-recorded domestic abuse-related incidents
and crimes, by police force area), ``homelessness`` (H-CLIC duties where domestic abuse was the
reason or a support need, by district) and ``children_in_need`` (DfE, episodes with domestic
abuse as a factor at the end of assessment, by local authority). Each becomes a rate per
population, or a share, with its interval by OHID's methods
(:func:`needs.methods.intervals.rate_ci`: exact Poisson below 10 events, Byar's from 10;
:func:`needs.methods.intervals.proportion_ci`: Wilson), for every year up to the assessed one,
with the change from the year before, for every tier-one area at once.

Which rows belong to a tier-one area: rows for the area itself; rows for its districts
(summed: districts partition their county; a district left blank leaves the sum blank); and,
for MARAC and police figures, rows for the police force area the area lies in
(``needs/reference/resources/la_to_police_force_area.csv``) when there is no row for the area
itself. Police force area figures are shown whole, never split between councils (DOMAIN.md
6.4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs.assessment.counting import tier_one_lookup
from needs.assessment.population import population_year
from needs.inputs.dataset import Dataset
from needs.methods.intervals import proportion_ci, rate_ci
from needs.reference.constants import DEFAULT_CONFIDENCE, SAFELIVES_MARAC_CASES_PER_10K_ADULT_WOMEN
from needs.reference.locations import resource

__all__ = ["PARTNER_COLUMNS", "PARTNER_INDICATORS", "PARTNER_TABLES", "partner_rates", "police_force_areas"]

#: The optional tables of the partner part, in the order the report shows them.
PARTNER_TABLES: tuple[str, ...] = ("marac", "police", "homelessness", "children_in_need")

#: Every indicator: (table, label, unit). Units: ``per_10000``, ``per_1000``, ``percent``, ``per_case``.
PARTNER_INDICATORS: dict[str, tuple[str, str, str]] = {
    "marac_cases_rate": ("marac", "MARAC cases per 10,000 women aged 16+", "per_10000"),
    "marac_repeat_share": ("marac", "Repeat MARAC cases (% of cases)", "percent"),
    "marac_children_per_case": ("marac", "Children in the household per MARAC case", "per_case"),
    "police_rate": ("police", "Police-recorded domestic abuse incidents and crimes per 1,000 residents",
                    "per_1000"),
    "homelessness_reason_rate": ("homelessness", "Households owed a prevention or relief duty because of "
                                 "domestic abuse, per 1,000 residents aged 16+", "per_1000"),
    "homelessness_reason_share": ("homelessness", "Domestic abuse as the reason (% of households owed a duty)",
                                  "percent"),
    "homelessness_support_need_share": ("homelessness", "Domestic abuse as a support need (% of households "
                                        "owed a duty)", "percent"),
    "cin_da_parent_rate": ("children_in_need", "Children in need assessments with domestic abuse concerning "
                           "a parent or carer, per 10,000 children", "per_10000"),
    "cin_da_child_rate": ("children_in_need", "Children in need assessments with domestic abuse concerning "
                          "the child, per 10,000 children", "per_10000"),
    "cin_da_parent_share": ("children_in_need", "Domestic abuse concerning a parent or carer (% of "
                            "assessments with factors)", "percent"),
    "cin_da_child_share": ("children_in_need", "Domestic abuse concerning the child (% of assessments with "
                           "factors)", "percent"),
    "cin_da_other_share": ("children_in_need", "Domestic abuse concerning another person in the household "
                           "(% of assessments with factors)", "percent"),
}

#: Columns of the ``partners`` part.
PARTNER_COLUMNS: tuple[str, ...] = (
    "area_code", "indicator", "table", "period", "source_area_code", "source_area_name", "numerator",
    "denominator", "value", "lower", "upper", "benchmark", "change", "synthetic",
)  # fmt: skip

_MULTIPLIER = {"per_10000": 10_000, "per_1000": 1_000, "percent": 100, "per_case": 1}


def police_force_areas() -> pd.DataFrame:
    """The police force area of every upper-tier authority in England (``area_code``, ``area_name``,
    ``pfa_code``, ``pfa_name``), from ``needs/reference/resources/la_to_police_force_area.csv``."""
    return pd.read_csv(resource("la_to_police_force_area.csv"), dtype=str)


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64") if column in out else np.nan
    return out


def _in_areas(dataset: Dataset, table: str, areas: pd.Series, *, force_area: bool) -> pd.DataFrame:
    """Rows of ``table`` for each tier-one area: the area's own, its districts' (summed) or, if
    ``force_area`` and the area has no row of that period, its police force area's."""
    frame = dataset.tables[table].copy()
    frame["source_area_code"] = frame["area_code"].astype(str)
    frame["period"] = frame["period"].astype(str)
    if "synthetic" not in frame:
        frame["synthetic"] = False
    frame["synthetic"] = frame["synthetic"].astype(str).str.lower().isin(["true", "1", "yes"])
    lookup = tier_one_lookup(dataset)
    own = frame.assign(area_code=frame["source_area_code"].map(lookup))
    own = own[own["area_code"].isin(areas)]
    if force_area:
        forces = police_force_areas()
        forces = forces[forces["area_code"].isin(areas)][["area_code", "pfa_code"]]
        via = frame.merge(forces, left_on="source_area_code", right_on="pfa_code", suffixes=("_row", ""))
        via = via.drop(columns=["area_code_row", "pfa_code"])
        have = set(zip(own["area_code"], own["period"], strict=True))
        via = via[[(a, p) not in have for a, p in zip(via["area_code"], via["period"], strict=True)]]
        own = pd.concat([own, via], ignore_index=True)
    return own.reset_index(drop=True)


def _summed(rows: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    """Counts of an area's rows summed by area and period (blank if any row is blank)."""
    grouped = rows.groupby(["area_code", "period"], sort=True)
    out = grouped[counts].sum(min_count=1)
    blanks = grouped[counts].apply(lambda g: g.isna().any())
    out = out.mask(blanks)
    out["source_area_code"] = grouped["source_area_code"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "")
    out["synthetic"] = grouped["synthetic"].any()
    return out.reset_index()


def _indicator(rows: pd.DataFrame, name: str, numerator: str, denominator: str, confidence: float) -> pd.DataFrame:
    """Value and interval of one indicator for every row with both counts."""
    unit = PARTNER_INDICATORS[name][2]
    multiplier = _MULTIPLIER[unit]
    out = rows.assign(indicator=name, numerator=rows[numerator], denominator=rows[denominator])
    ok = out["numerator"].notna() & out["denominator"].notna() & (out["denominator"] > 0)
    if unit == "percent":
        ok &= out["numerator"] <= out["denominator"]
    out[["value", "lower", "upper"]] = np.nan
    if ok.any():
        method = proportion_ci if unit == "percent" else rate_ci
        ci = method(out.loc[ok, "numerator"].to_numpy(), out.loc[ok, "denominator"].to_numpy(), confidence,
                    multiplier=multiplier)
        out.loc[ok, ["value", "lower", "upper"]] = ci[["value", "lower", "upper"]].to_numpy()
    return out


def _population(dataset: Dataset, period: str, areas: pd.Series) -> pd.DataFrame:
    """Children aged 0-17, residents aged 16+ and women aged 16+ of each tier-one area (ONS
    mid-year estimate of :func:`needs.assessment.population.population_year`)."""
    population = dataset.tables["population"]
    year = population_year(dataset, period)
    rows = population[population["year"].astype(int) == year]
    lookup = tier_one_lookup(dataset)
    age = rows["age"].astype(int)
    rows = rows.assign(
        area_code=rows["area_code"].astype(str).map(lookup),
        children=rows["population"].where(age < 18, 0),
        adults=rows["population"].where(age >= 16, 0),
    )
    rows = rows[rows["area_code"].isin(areas)]
    out = rows.groupby("area_code")[["children", "adults"]].sum().reset_index()
    return out.assign(population_year=year)


def partner_rates(dataset: Dataset, period: str, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Every partner indicator (:data:`PARTNER_INDICATORS`) for every tier-one area and every year up to ``period``.

    * MARAC: cases per 10,000 women aged 16+ (Byar/exact Poisson), the denominator the
      ``adult_women`` column or, when blank, worked back from SafeLives' published rate as
      ``cases x 10,000 / rate`` (as PHEindicatormethods derives a denominator from a rate), with
      SafeLives' recommended 40 per 10,000 as ``benchmark``; repeat cases as a share of cases
      (Wilson); children per case (children counted as Poisson events per case).
    * Police: incidents and crimes (``incidents_and_crimes``, or ``incidents + crimes``) per
      1,000 residents of the area the row covers (its ``population`` column).
    * Homelessness: households owed a prevention or relief duty because of domestic abuse per
      1,000 residents aged 16+ of the tier-one area (ONS mid-year estimate of the assessed year,
      used for every year); as shares of ``assessed_households`` where given (Wilson).
    * Children in need: episodes with domestic abuse as a factor (parent or carer; child) per
      10,000 children aged 0-17 (population of the assessed year, used for every year); each
      factor as a share of episodes with factors (Wilson).

    ``change`` is the value minus the previous financial year's value of the same indicator
    (missing if either is missing or the years are not consecutive).

    Returns
    -------
    pandas.DataFrame
        :data:`PARTNER_COLUMNS`, one row per area, indicator and period; no rows when no partner
        table is given.
    """
    areas = dataset.tier_one_areas()["area_code"].astype(str)
    frames = []
    if dataset.has("marac"):
        rows = _numeric(_in_areas(dataset, "marac", areas, force_area=True),
                        ["cases_discussed", "repeat_cases", "children_in_household", "cases_per_10k_adult_women",
                         "adult_women"])
        derived = rows["cases_discussed"] * 10_000 / rows["cases_per_10k_adult_women"].where(
            rows["cases_per_10k_adult_women"] > 0)
        rows["adult_women"] = rows["adult_women"].fillna(derived)
        frames += [
            _indicator(rows, "marac_cases_rate", "cases_discussed", "adult_women", confidence).assign(
                benchmark=float(SAFELIVES_MARAC_CASES_PER_10K_ADULT_WOMEN)),
            _indicator(rows, "marac_repeat_share", "repeat_cases", "cases_discussed", confidence),
            _indicator(rows, "marac_children_per_case", "children_in_household", "cases_discussed", confidence),
        ]
    if dataset.has("police"):
        rows = _numeric(_in_areas(dataset, "police", areas, force_area=True),
                        ["incidents", "crimes", "incidents_and_crimes", "population"])
        rows["incidents_and_crimes"] = rows["incidents_and_crimes"].fillna(rows["incidents"] + rows["crimes"])
        frames.append(_indicator(rows, "police_rate", "incidents_and_crimes", "population", confidence))
    if dataset.has("homelessness") or dataset.has("children_in_need"):
        population = _population(dataset, period, areas)
    if dataset.has("homelessness"):
        counts = ["prevention_duty_reason", "relief_duty_reason", "support_need", "assessed_households"]
        rows = _summed(_numeric(_in_areas(dataset, "homelessness", areas, force_area=False), counts), counts)
        rows = rows.merge(population, on="area_code", how="left")
        rows["reason"] = rows["prevention_duty_reason"] + rows["relief_duty_reason"]
        frames += [
            _indicator(rows, "homelessness_reason_rate", "reason", "adults", confidence),
            _indicator(rows, "homelessness_reason_share", "reason", "assessed_households", confidence),
            _indicator(rows, "homelessness_support_need_share", "support_need", "assessed_households", confidence),
        ]
    if dataset.has("children_in_need"):
        counts = ["episodes_with_factors", "domestic_abuse_child", "domestic_abuse_parent",
                  "domestic_abuse_other_person"]
        rows = _summed(_numeric(_in_areas(dataset, "children_in_need", areas, force_area=False), counts), counts)
        rows = rows.merge(population, on="area_code", how="left")
        frames += [
            _indicator(rows, "cin_da_parent_rate", "domestic_abuse_parent", "children", confidence),
            _indicator(rows, "cin_da_child_rate", "domestic_abuse_child", "children", confidence),
            _indicator(rows, "cin_da_parent_share", "domestic_abuse_parent", "episodes_with_factors", confidence),
            _indicator(rows, "cin_da_child_share", "domestic_abuse_child", "episodes_with_factors", confidence),
            _indicator(rows, "cin_da_other_share", "domestic_abuse_other_person", "episodes_with_factors",
                       confidence),
        ]
    if not frames:
        return pd.DataFrame(columns=list(PARTNER_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out = out[out["period"] <= str(period)]
    out["table"] = out["indicator"].map(lambda name: PARTNER_INDICATORS[name][0])
    if "benchmark" not in out:
        out["benchmark"] = np.nan
    if "source_area_name" not in out:
        out["source_area_name"] = pd.NA
    out = out.sort_values(["area_code", "indicator", "period"], kind="stable").reset_index(drop=True)
    previous = out.groupby(["area_code", "indicator"])[["value", "period"]].shift()
    consecutive = previous["period"].str[:4].astype(float) + 1 == out["period"].str[:4].astype(float)
    out["change"] = (out["value"] - previous["value"]).where(consecutive)
    order = {name: i for i, name in enumerate(PARTNER_INDICATORS)}
    out = out.assign(_order=out["indicator"].map(order)).sort_values(["area_code", "_order", "period"],
                                                                      kind="stable")
    return out[list(PARTNER_COLUMNS)].reset_index(drop=True)
