"""The area among every English authority: funnel plots of national partner tables, and neighbours.

Two national tables travel with the package (``needs/reference/resources/``, sources in its
README): DfE's children in need factors at the end of assessment for every local authority,
and SafeLives' MARAC data for every police force area. For the assessed year each is set
against OHID's funnel limits (:mod:`needs.methods.funnel`):

* ``cin_da_parent_share``: episodes with domestic abuse concerning a parent or carer as a
  share of episodes with assessment factors, every local authority (a proportion; the only
  denominator the national table has for every authority; no population aged 0-17 for every
  authority is shipped, so the national comparison is a share, not a rate per child);
* ``marac_cases_rate``: MARAC cases per 10,000 women aged 16+, every police force area that
  published a rate (the denominator worked back from SafeLives' rate).

**Statistical neighbours.** No published list of statistical neighbours (DfE children's
services statistical neighbours, CIPFA nearest neighbours) was reachable for this toolkit, so
the neighbours are a documented fallback, called "nearest authorities" in the report: the
:data:`NEIGHBOURS` authorities of the same region whose denominator is nearest the area's on a
log scale (for police force areas, the region of most of the force's councils). They are
similar in size, not in need or deprivation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs.assessment.partners import police_force_areas
from needs.methods.funnel import funnel_significance, proportion_funnel, rate_funnel
from needs.reference.locations import resource
from needs.reference.periods import start_year

__all__ = ["COMPARATOR_COLUMNS", "FUNNEL_COLUMNS", "NEIGHBOURS", "comparators", "national_cin", "national_marac"]

#: How many nearest authorities are named beside the area.
NEIGHBOURS = 5

#: Columns of the ``partner_funnels`` part.
FUNNEL_COLUMNS: tuple[str, ...] = ("area_code", "indicator", "level", "side", "denominator", "limit", "average")

#: Columns of the ``partner_comparators`` part.
COMPARATOR_COLUMNS: tuple[str, ...] = (
    "area_code", "indicator", "period", "comparator_code", "comparator_name", "region_code", "numerator",
    "denominator", "value", "position", "is_area", "is_neighbour",
)  # fmt: skip


def national_cin(period: str) -> pd.DataFrame:
    """Every local authority's episodes with domestic abuse (parent or carer) as a factor, and episodes
    with factors, for the census year ending in March of ``period`` (2024 for 2023-24); suppressed
    counts (DfE's ``c``) dropped."""
    table = pd.read_csv(resource("dfe_cin_domestic_abuse_factors.csv"), dtype=str)
    table = table[table["year"].astype(int) == start_year(period) + 1]
    out = pd.DataFrame(
        {
            "comparator_code": table["area_code"],
            "comparator_name": table["area_name"],
            "region_code": table["region_code"],
            "numerator": pd.to_numeric(table["domestic_abuse_parent"], errors="coerce"),
            "denominator": pd.to_numeric(table["episodes_with_factors"], errors="coerce"),
        }
    )
    return out.dropna(subset=["numerator", "denominator"]).query("denominator > 0").reset_index(drop=True)


def national_marac(period: str) -> pd.DataFrame:
    """Every police force area's MARAC cases and women aged 16+ (cases x 10,000 / published rate) in ``period``."""
    table = pd.read_csv(resource("safelives_marac_by_police_force_area.csv"))
    table = table[table["period"] == period]
    forces = police_force_areas().merge(
        pd.read_csv(resource("england_upper_tier_areas.csv"), dtype=str)[["area_code", "region_code"]],
        on="area_code",
    )
    region = forces.groupby("pfa_code")["region_code"].agg(lambda s: s.mode().iloc[0])
    rate = table["cases_per_10k_adult_females"].where(table["cases_per_10k_adult_females"] > 0)
    out = pd.DataFrame(
        {
            "comparator_code": table["pfa_code"],
            "comparator_name": table["pfa_name"],
            "region_code": table["pfa_code"].map(region),
            "numerator": table["cases_discussed"],
            "denominator": table["cases_discussed"] * 10_000 / rate,
        }
    )
    return out.dropna(subset=["numerator", "denominator"]).reset_index(drop=True)


def _placed(table: pd.DataFrame, indicator: str, statistic: str, multiplier: float) -> pd.DataFrame:
    table = table.assign(
        indicator=indicator,
        value=table["numerator"] / table["denominator"] * multiplier,
        position=funnel_significance(table["numerator"], table["denominator"], statistic),
    )
    return table


def _funnel(table: pd.DataFrame, indicator: str, statistic: str, multiplier: float) -> pd.DataFrame:
    if table.empty:
        return pd.DataFrame()
    make = proportion_funnel if statistic == "proportion" else rate_funnel
    return make(table["numerator"], table["denominator"], multiplier=multiplier).assign(indicator=indicator)


def comparators(areas: pd.Series, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every tier-one area of ``areas`` among all English authorities in ``period``, and the funnels.

    Returns
    -------
    (placed, funnels)
        ``placed``: :data:`COMPARATOR_COLUMNS`, for each assessed ``area_code`` every authority of
        each national table (its own row ``is_area``; its :data:`NEIGHBOURS` nearest authorities
        ``is_neighbour``), ``position`` a code of :data:`needs.methods.funnel.FUNNEL_POSITIONS`.
        ``funnels``: :data:`FUNNEL_COLUMNS`, the limits (the same for every area, repeated for each).
    """
    codes = pd.Series(areas, dtype=str).unique()
    tables = {
        "cin_da_parent_share": (_placed(national_cin(period), "cin_da_parent_share", "proportion", 100),
                                "proportion", 100),
        "marac_cases_rate": (_placed(national_marac(period), "marac_cases_rate", "rate", 10_000), "rate", 10_000),
    }
    forces = police_force_areas().set_index("area_code")["pfa_code"]
    placed, funnels = [], []
    for indicator, (table, statistic, multiplier) in tables.items():
        funnels.append(_funnel(table, indicator, statistic, multiplier))
        own = pd.Series(codes, index=codes)
        if indicator == "marac_cases_rate":
            own = own.map(forces)
        pairs = pd.DataFrame({"area_code": codes, "own_code": own.to_numpy()})
        every = pairs.merge(table, how="cross")
        every["is_area"] = every["comparator_code"] == every["own_code"]
        mine = every[every["is_area"]][["area_code", "region_code", "denominator"]]
        mine = mine.rename(columns={"region_code": "own_region", "denominator": "own_denominator"})
        every = every.merge(mine, on="area_code", how="left")
        distance = np.abs(np.log(every["denominator"] / every["own_denominator"]))
        candidate = (every["region_code"] == every["own_region"]) & ~every["is_area"]
        every["distance"] = distance.where(candidate)
        rank = every.groupby("area_code")["distance"].rank(method="first")
        every["is_neighbour"] = rank <= NEIGHBOURS
        placed.append(every.assign(period=period))
    placed_frame = pd.concat(placed, ignore_index=True)[list(COMPARATOR_COLUMNS)]
    drawn = [f for f in funnels if len(f)]
    limits = pd.concat(drawn, ignore_index=True) if drawn else pd.DataFrame(columns=list(FUNNEL_COLUMNS[1:]))
    # the same limits for every area, repeated so that the part has an area_code like every part
    funnel_frame = pd.DataFrame({"area_code": codes}).merge(limits, how="cross")
    return placed_frame, funnel_frame[list(FUNNEL_COLUMNS)]
