"""Expected victims: resident population aged 16+ x CSEW last-year domestic abuse prevalence.

The Crime Survey for England and Wales (CSEW) gives the percentage of adults who were
victims of domestic abuse in the last year, nationally, by sex and (in the victim
characteristics tables) by age band. Applying those rates to an area's population gives the
number of adult victims the area would have if it had the national rates: the starting point
of the needs assessment (DOMAIN.md 4 and 6.3, ``expected_victims``).

Two question sets exist (:data:`needs.reference.categories.CSEW_MEASURES`): the previous questions
(``old``) and the new questions aligned to the Domestic Abuse Act 2021 (``new``, split-sample
from April 2023, official statistics from May 2025). Their rates are not comparable (ONS,
"Redevelopment of domestic abuse statistics", December 2024), so this module never combines
rates from the two sets in one estimate and refuses trends across them
(:func:`expected_victims_trend`, :func:`check_single_measure`).

Functions
---------
expected_victims
    Expected victims by tier-one area and district, by sex, with intervals.
expected_victims_by_band
    The same at the finest grain: base area x sex x age band.
expected_victims_trend
    Expected victims for several periods, refused across question sets.
check_single_measure
    The guard: raise ``InputError`` if rates come from more than one question set.
population_totals
    Population of each tier-one area, all ages and aged 16+.
population_year
    The population mid-year used for a period.
select_prevalence
    The prevalence period and measure used for a period.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import special

from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat
from needs.reference.constants import CSEW_DESIGN_FACTOR, DEFAULT_CONFIDENCE
from needs.reference.locations import resource
from needs.reference.periods import check_period, start_year

__all__ = [
    "age_profile",
    "check_single_measure",
    "expected_victims",
    "expected_victims_by_band",
    "expected_victims_trend",
    "national_population",
    "population_totals",
    "population_year",
    "prevalence_by_band",
    "select_prevalence",
]

#: Confidence level of the limits published with CSEW rates (and of the ``prevalence``
#: table's ``lower``/``upper`` columns).
PUBLISHED_CONFIDENCE = 0.95

EXPECTED_VICTIMS_COLUMNS: tuple[str, ...] = (
    "area_code",
    "geography_code",
    "geography_name",
    "level",
    "sex",
    "population_16plus",
    "rate",
    "value",
    "lower",
    "upper",
    "measure",
    "prevalence_period",
    "population_year",
    "rate_basis",
)

#: Basis of a rate by sex and age band (column ``rate_basis``).
RATE_PUBLISHED = "published"
RATE_MODELLED = "modelled from age profile"
RATE_MIXED = "published and modelled"

#: Package resources: the age profile (relative risk by CSEW age band) and the national
#: population by sex and single year of age on which modelled rates are scaled.
AGE_PROFILE_RESOURCE = "csew_age_profile.csv"
NATIONAL_POPULATION_RESOURCE = "age_sex_profile_mid2022.csv"
ENGLAND_MARGINS_RESOURCE = "england_census2021_16plus_sex_and_age.csv"
#: The Census 2021 age group (England margins) each CSEW age band falls in.
CENSUS_AGE_GROUP_OF_BAND = {
    "16-19": "16-24", "20-24": "16-24", "25-34": "25-34", "35-44": "35-44", "45-54": "45-54",
    "55-59": "55-64", "60-64": "55-64", "65-74": "65-74", "75+": "75+",
}  # fmt: skip
#: Raking sweeps: the two margins agree to within a few people, so 50 sweeps settle it.
IPF_ITERATIONS = 50


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


def population_year(dataset: Dataset, period: str | None = None) -> int:
    """The ONS mid-year whose population estimates are used for ``period``.

    The latest year in the ``population`` table that is not after the period's start year
    (mid-2024 for 2024-25: the estimate dated inside the financial year's first months); if
    every year is later, the earliest later year; with ``period=None`` the latest year.

    Raises
    ------
    InputError
        If the ``population`` table is empty.
    """
    years = pd.Series(dataset.tables["population"]["year"].unique()).astype(int)
    if years.empty:
        raise InputError("population: the table has no rows, so expected victims cannot be estimated")
    if period is None:
        return int(years.max())
    first = start_year(check_period(period))
    not_after = years[years <= first]
    return int(not_after.max()) if not not_after.empty else int(years.min())


def _age_band(age: pd.Series) -> pd.Series:
    """CSEW age band of each single year of age (missing below 16)."""
    limits = cat.AGE_BAND_LIMITS
    edges = [lower for lower, _ in limits.values()] + [np.inf]
    return pd.cut(age.astype(float), bins=edges, right=False, labels=list(limits)).astype("string")


def _population_with_parents(dataset: Dataset, year: int) -> pd.DataFrame:
    """Population rows of ``year`` for base areas, with their tier-one area."""
    population = dataset.tables["population"]
    population = population[population["year"].astype(int) == year]
    parents = dataset.base_area_parents().astype({"area_code": str, "tier_one_code": str})
    out = pd.DataFrame(
        {
            "area_code": population["area_code"].astype(str).to_numpy(),
            "sex": population["sex"].astype(str).to_numpy(),
            "age": population["age"].astype(int).to_numpy(),
            "population": population["population"].astype(float).to_numpy(),
        }
    )
    return out.merge(parents, on="area_code", how="inner")


def population_totals(dataset: Dataset, period: str | None = None) -> pd.DataFrame:
    """Resident population of each tier-one area: all ages and aged 16 and over.

    Population = sum over the area's districts (``Dataset.base_area_parents``) of the ONS
    mid-year estimates by sex and single year of age, for the year chosen by
    :func:`population_year`. The all-ages figure is the Council of Europe benchmark's
    denominator (one family place per 10,000 population, Kelly & Dubois 2008); the 16+ figure
    is the denominator of rates of victims (CSEW covers adults aged 16 and over).

    Parameters
    ----------
    dataset
        The dataset.
    period
        Financial year whose population to use; ``None`` for the latest year.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``population``, ``population_16plus``, ``population_year``: one row per
        tier-one area with population.
    """
    year = population_year(dataset, period)
    population = _population_with_parents(dataset, year)
    population["adult"] = population["population"].where(population["age"] >= cat.ADULT_AGE, 0.0)
    totals = population.groupby("tier_one_code", sort=True).agg(
        population=("population", "sum"), population_16plus=("adult", "sum")
    )
    totals = totals.reset_index().rename(columns={"tier_one_code": "area_code"})
    totals["population"] = totals["population"].round().astype("int64")
    totals["population_16plus"] = totals["population_16plus"].round().astype("int64")
    totals["population_year"] = year
    return totals


# ---------------------------------------------------------------------------------------------
# Prevalence
# ---------------------------------------------------------------------------------------------


def _prevalence(dataset: Dataset) -> pd.DataFrame:
    prevalence = dataset.tables["prevalence"].copy()
    for column in ("period", "measure", "sex", "age_band"):
        prevalence[column] = prevalence[column].astype(str)
    for column in ("lower", "upper", "unweighted_base"):
        if column not in prevalence.columns:
            prevalence[column] = np.nan
    return prevalence


def select_prevalence(dataset: Dataset, period: str, measure: str | None = None) -> tuple[str, str]:
    """The CSEW question set and prevalence period used for ``period``.

    The measure is ``measure`` if given, else the newest question set (the last in
    :data:`needs.reference.categories.CSEW_MEASURES`, i.e. ``new`` over ``old``) that has rates for a
    period not after ``period``. The prevalence period is the latest period not after
    ``period`` with rates for that measure.

    Returns
    -------
    tuple of str
        ``(measure, prevalence_period)``.

    Raises
    ------
    InputError
        If no rates exist for the measure at or before ``period``.
    ValueError
        If ``measure`` is not a CSEW question set.
    """
    check_period(period)
    if measure is not None and measure not in cat.CSEW_MEASURES:
        raise ValueError(f"measure {measure!r} is not one of {', '.join(cat.CSEW_MEASURES.codes)}")
    prevalence = _prevalence(dataset)
    usable = prevalence[prevalence["period"] <= period]
    if measure is None:
        available = [code for code in cat.CSEW_MEASURES.codes if code in set(usable["measure"])]
        if not available:
            raise InputError(
                f"prevalence: no CSEW rates for {period} or earlier (periods present: "
                f"{', '.join(sorted(prevalence['period'].unique())) or 'none'})"
            )
        measure = available[-1]
    periods = usable.loc[usable["measure"] == measure, "period"]
    if periods.empty:
        raise InputError(
            f"prevalence: no CSEW rates with measure {measure!r} for {period} or earlier "
            f"(expected rows with column 'measure' = {measure!r})"
        )
    return measure, str(periods.max())


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence``: Phi^-1(1 - (1 - confidence) / 2).

    ``scipy.special.ndtri`` is the inverse of the standard normal distribution function (what
    ``scipy.stats.norm.ppf`` calls), without importing ``scipy.stats``.
    """
    return float(special.ndtri(1 - (1 - confidence) / 2))


def _rate_limits(rates: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Downward and upward half-widths (percentage points) of each published CSEW rate.

    - **Published limits** (``lower`` and ``upper`` both given; ONS publishes 95% limits):
      down = rate - lower, up = upper - rate, each multiplied by z(confidence) / z(0.95) when
      another level is asked for (a normal approximation to rescale them).
    - Otherwise, from the **unweighted base** n with the CSEW design factor
      (:data:`needs.reference.constants.CSEW_DESIGN_FACTOR`, deft):
      down = up = z x deft x sqrt(p (1 - p) / n) x 100, p = rate / 100. This is the
      normal-approximation interval ONS uses for CSEW estimates (standard error of a simple
      random sample inflated by the design factor).
    - Otherwise missing (NaN): the estimate then has no stated uncertainty.

    Adds ``half_down``, ``half_up``, ``rate_lower``, ``rate_upper`` (lower limit not below 0)
    and ``limits_from`` (``published``, ``unweighted base x design factor`` or ``none``).
    """
    out = rates.copy()
    rate = out["rate"].astype(float)
    lower = pd.to_numeric(out["lower"], errors="coerce").astype(float)
    upper = pd.to_numeric(out["upper"], errors="coerce").astype(float)
    base = pd.to_numeric(out["unweighted_base"], errors="coerce").astype(float)
    published = lower.notna() & upper.notna()
    from_base = ~published & base.notna() & (base > 0)
    scale = _z(confidence) / _z(PUBLISHED_CONFIDENCE)
    p = rate / 100
    design = _z(confidence) * CSEW_DESIGN_FACTOR * np.sqrt((p * (1 - p)).clip(lower=0) / base) * 100
    out["half_down"] = ((rate - lower) * scale).where(published, design.where(from_base))
    out["half_up"] = ((upper - rate) * scale).where(published, design.where(from_base))
    out["rate_lower"] = (rate - out["half_down"]).clip(lower=0)
    out["rate_upper"] = rate + out["half_up"]
    out["limits_from"] = np.select(
        [published, from_base], ["published", "unweighted base x design factor"], "none"
    )
    return out


def _rates_for(dataset: Dataset, measure: str, prevalence_period: str, confidence: float) -> pd.DataFrame:
    """The published rates of one question set and CSEW year, with their half-widths."""
    prevalence = _prevalence(dataset)
    chosen = prevalence[(prevalence["period"] == prevalence_period) & (prevalence["measure"] == measure)]
    chosen = _rate_limits(chosen, confidence)
    chosen = chosen.assign(estimate=chosen["sex"] + "|" + chosen["age_band"])
    return chosen[
        [
            "estimate",
            "sex",
            "age_band",
            "rate",
            "rate_lower",
            "rate_upper",
            "half_down",
            "half_up",
            "limits_from",
        ]
    ].astype({"rate": float, "rate_lower": float, "rate_upper": float, "half_down": float, "half_up": float})


# ---------------------------------------------------------------------------------------------
# Age profile and national population
# ---------------------------------------------------------------------------------------------


def age_profile() -> pd.DataFrame:
    """Relative risk of domestic abuse by CSEW age band: the documented age profile.

    From ``needs/reference/resources/csew_age_profile.csv``: the latest CSEW table in the
    reference data with a rate for every age band it covers, which is partner abuse of women
    aged 16-74 in the last year, year ending March 2020 (ONS UK SDG indicator 5.2.1 data file).
    relative_risk(b) = rate(b) / rate(women 16-74). Assumptions, stated in the report: the
    same profile applies to men and to all domestic abuse (no table has every band for either);
    60-64 and 65-74 take the published 60-74 rate; 75+ has no published rate (the survey
    covered ages 16-74 until year ending March 2021, and the year ending March 2022 75+ rate is
    suppressed) and takes the 60-74 rate, which probably overstates it.

    Returns
    -------
    pandas.DataFrame
        ``age_band``, ``relative_risk``.
    """
    frame = pd.read_csv(resource(AGE_PROFILE_RESOURCE), dtype={"age_band": str})
    return frame[["age_band", "relative_risk"]].astype({"relative_risk": float})


def national_population() -> pd.DataFrame:
    """National population aged 16+ by sex and CSEW age band, on which rates are scaled
    (:func:`_national_population`, computed once per process from shipped resources)."""
    return _national_population().copy()


@functools.cache
def _national_population() -> pd.DataFrame:
    """National population aged 16+ by sex and CSEW age band, on which rates are scaled.

    England's Census 2021 usual residents aged 16 and over give two margins
    (``needs/reference/resources/england_census2021_16plus_sex_and_age.csv``, ONS
    ``C21_SO_FURTHER_CHAR`` Table 4b): persons by Census age group (16-24, 25-34, ..., 75 and
    over) and all ages by sex; no England table by sex *and* age is in the reference data.
    The sex x band table is the shipped single-year profile
    (``needs/reference/resources/age_sex_profile_mid2022.csv``: ONS mid-2022, Leicester,
    Leicestershire and Rutland) raked to both England margins by iterative proportional
    fitting (Deming and Stephan 1940, *Annals of Mathematical Statistics* 11:427-444); CSEW
    bands that split a Census group (16-19 and 20-24; 55-59 and 60-64) keep the profile's
    split within the group. Only the shape matters: the scaling uses population shares.

    Returns
    -------
    pandas.DataFrame
        ``sex``, ``age_band``, ``population``.
    """
    frame = pd.read_csv(resource(NATIONAL_POPULATION_RESOURCE))
    frame = frame[frame["age"].astype(int) >= cat.ADULT_AGE].copy()
    frame["age_band"] = _age_band(frame["age"])
    seed = frame.groupby(["sex", "age_band"], as_index=False)["population"].sum().astype({"population": float})
    margins = pd.read_csv(resource(ENGLAND_MARGINS_RESOURCE))
    by_sex = margins[margins["margin"] == "sex"].set_index("sex")["population"].astype(float)
    by_group = margins[margins["margin"] == "age_group"].set_index("age_group")["population"].astype(float)
    group = seed["age_band"].map(CENSUS_AGE_GROUP_OF_BAND)
    sexes, groups = seed["sex"].to_numpy(), group.to_numpy()

    def totals(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(keys)
        return np.bincount(codes, weights=values, minlength=len(uniques))[codes]

    population = seed["population"].to_numpy(copy=True)
    for _ in range(IPF_ITERATIONS):
        population *= by_sex.reindex(sexes).to_numpy() / totals(population, sexes)
        population *= by_group.reindex(groups).to_numpy() / totals(population, groups)
    return seed.assign(population=population)


def _band_rates(
    rates: pd.DataFrame, national: pd.DataFrame, profile: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rates by sex x age band, published where published, modelled from the age profile elsewhere.

    Each sex s uses the rates of one *group* g: its own (g = s) if the year has an all-adults
    rate or every band's rate for s, otherwise the persons rates (g = ``all``). Within g, with
    P the bands that have a published rate r_b, R the all-adults rate, N_b the national
    population of g in band b (:func:`national_population`) and RR_b the age profile
    (:func:`age_profile`):

    - b in P: rate(b) = r_b (``published``);
    - b not in P: rate(b) = k x RR_b (``modelled from age profile``) with
      k = (R x sum_b N_b - sum_{p in P} N_p r_p) / sum_{m not in P} N_m RR_m,

    so that sum_b N_b rate(b) = R x sum_b N_b: the national total reproduces the published
    all-adults rate, and no person is counted under two overlapping rates.

    Each rate is a linear combination of published estimates; ``terms`` holds the coefficients
    (rate(b) = sum over estimates of coef x estimate rate): 1 on r_b for a published band;
    RR_b sum N / D on R and -RR_b N_p / D on each r_p (D = sum_m N_m RR_m) for a modelled one.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(band_rates, terms)``: ``sex``, ``age_band``, ``rate``, ``rate_basis``, ``rate_sex``
        (the group g), ``rate_age_band`` (the band of the published rate, or ``all`` when
        modelled); and ``sex``, ``age_band``, ``estimate``, ``coef``.

    Raises
    ------
    InputError
        If a sex has no usable rates, or the published band rates already exceed the
        all-adults total so the other bands would need a rate of 0 or less.
    """
    bands = list(cat.AGE_BAND_LIMITS)
    published = rates.set_index(["sex", "age_band"])["rate"]
    relative = profile.set_index("age_band")["relative_risk"].reindex(bands)

    def usable(group: str) -> bool:
        return (group, "all") in published.index or all((group, b) in published.index for b in bands)

    plan = {sex: sex if usable(sex) else "all" if usable("all") else None for sex in ("female", "male")}
    missing = sorted(sex for sex, group in plan.items() if group is None)
    if missing:
        raise InputError(
            f"prevalence: no rate applies to sex {', '.join(missing)} (expected a row with that sex, "
            "or 'all', and age_band 'all')"
        )
    rows: list[pd.DataFrame] = []
    terms: list[pd.DataFrame] = []
    for group in sorted(set(plan.values())):
        sexes = [sex for sex, used in plan.items() if used == group]
        scope = ["female", "male"] if group == "all" else [group]
        pop = (
            national[national["sex"].isin(scope)].groupby("age_band")["population"].sum()
            .reindex(bands, fill_value=0.0).astype(float)
        )  # fmt: skip
        given = pd.Series(
            {b: published[(group, b)] for b in bands if (group, b) in published.index}, dtype=float
        )
        model = [b for b in bands if b not in given.index]
        rate = given.reindex(bands)
        term = [
            pd.DataFrame(
                {
                    "age_band": list(given.index),
                    "estimate": [f"{group}|{b}" for b in given.index],
                    "coef": 1.0,
                }
            )
        ]
        if model:
            if relative.reindex(model).isna().any():
                raise InputError(
                    "age profile: no relative risk for band(s) " + ", ".join(relative[relative.isna()].index)
                )
            denominator = float((pop[model] * relative[model]).sum())
            remainder = float(published[(group, "all")] * pop.sum() - (pop[given.index] * given).sum())
            if denominator <= 0 or remainder <= 0:
                raise InputError(
                    f"prevalence: the published {group} band rates account for every expected victim at the "
                    f"all-adults rate, so the other bands cannot be modelled (rates for {', '.join(given.index)})"
                )
            rate[model] = remainder / denominator * relative[model]
            factor = relative[model] / denominator
            term.append(
                pd.DataFrame(
                    {"age_band": model, "estimate": f"{group}|all", "coef": (factor * pop.sum()).to_numpy()}
                )
            )
            term.extend(
                pd.DataFrame(
                    {"age_band": model, "estimate": f"{group}|{b}", "coef": (-factor * pop[b]).to_numpy()}
                )
                for b in given.index
            )
        frame = pd.DataFrame(
            {
                "age_band": bands,
                "rate": rate.to_numpy(),
                "rate_basis": [RATE_PUBLISHED if b in given.index else RATE_MODELLED for b in bands],
                "rate_sex": group,
                "rate_age_band": [b if b in given.index else "all" for b in bands],
            }
        )
        group_terms = pd.concat(term, ignore_index=True)
        rows.extend(frame.assign(sex=sex) for sex in sexes)
        terms.extend(group_terms.assign(sex=sex) for sex in sexes)
    band_rates = pd.concat(rows, ignore_index=True)
    all_terms = pd.concat(terms, ignore_index=True)
    return (
        band_rates[["sex", "age_band", "rate", "rate_basis", "rate_sex", "rate_age_band"]],
        all_terms[["sex", "age_band", "estimate", "coef"]],
    )


def _limits(contributions: pd.DataFrame, by: list[str], estimates: pd.DataFrame) -> pd.DataFrame:
    """Half-widths of sums of independent survey estimates.

    A figure y = sum_i c_i x r_i over distinct published estimates r_i (c_i: population x the
    estimate's coefficient / 100, summed over every row of the figure that uses the estimate,
    so rows sharing one estimate move together). With d_i, u_i the estimate's downward and
    upward half-widths and the estimates independent:

        down(y) = sqrt(sum_i (c_i d_i)^2 for c_i >= 0 + (|c_i| u_i)^2 for c_i < 0),

    up(y) likewise with d and u swapped. Missing if an estimate with c_i != 0 has no limits.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``half_down``, ``half_up``.
    """
    grouped = contributions.groupby([*by, "estimate"], as_index=False, sort=True)["coef"].sum()
    grouped = grouped.merge(estimates[["estimate", "half_down", "half_up"]], on="estimate", how="left")
    positive = grouped["coef"] >= 0
    size = grouped["coef"].abs()
    grouped["down2"] = (size * np.where(positive, grouped["half_down"], grouped["half_up"])) ** 2
    grouped["up2"] = (size * np.where(positive, grouped["half_up"], grouped["half_down"])) ** 2
    grouped.loc[grouped["coef"] == 0, ["down2", "up2"]] = 0.0
    out = _sum_keep_missing(grouped, by, ["down2", "up2"])
    out["half_down"] = np.sqrt(out.pop("down2"))
    out["half_up"] = np.sqrt(out.pop("up2"))
    return out


# ---------------------------------------------------------------------------------------------
# Expected victims
# ---------------------------------------------------------------------------------------------


def _prevalence_model(
    dataset: Dataset,
    period: str,
    measure: str | None,
    confidence: float,
    national: pd.DataFrame | None,
    profile: pd.DataFrame | None,
) -> tuple[str, str, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(measure, prevalence_period, estimates, band_rates, terms)`` for ``period``."""
    measure, prevalence_period = select_prevalence(dataset, period, measure)
    estimates = _rates_for(dataset, measure, prevalence_period, confidence)
    band_rates, terms = _band_rates(
        estimates,
        national_population() if national is None else national,
        age_profile() if profile is None else profile,
    )
    return measure, prevalence_period, estimates, band_rates, terms


def prevalence_by_band(
    dataset: Dataset,
    period: str,
    measure: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    national: pd.DataFrame | None = None,
    profile: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """National CSEW prevalence by sex and age band as used for ``period``, with its basis.

    The rates of :func:`_band_rates` (published where published, else modelled from the age
    profile so that the published all-adults rate is reproduced nationally), their limits
    (:func:`_limits` on a population of 1) and the relative prevalence of each band:
    relative_prevalence = rate(sex, b) / national rate of the sex, where the national rate of
    the sex = sum_b N(sex, b) rate(sex, b) / sum_b N(sex, b). This is what another module should
    use for relative prevalence by age band (e.g. expected shares by age).

    Parameters
    ----------
    national, profile
        National population by ``sex`` and ``age_band`` and the age profile (``age_band``,
        ``relative_risk``); default :func:`national_population` and :func:`age_profile`.

    Returns
    -------
    pandas.DataFrame
        ``sex``, ``age_band``, ``rate``, ``rate_lower``, ``rate_upper`` (percent),
        ``rate_basis``, ``rate_sex``, ``rate_age_band``, ``relative_prevalence``, ``measure``,
        ``prevalence_period``.
    """
    national = national_population() if national is None else national
    measure, prevalence_period, estimates, band_rates, terms = _prevalence_model(
        dataset, period, measure, confidence, national, profile
    )
    limits = _limits(terms, ["sex", "age_band"], estimates)
    out = band_rates.merge(limits, on=["sex", "age_band"], how="left")
    out["rate_lower"] = (out["rate"] - out.pop("half_down")).clip(lower=0)
    out["rate_upper"] = out["rate"] + out.pop("half_up")
    weights = out.merge(national, on=["sex", "age_band"], how="left")["population"].fillna(0.0).to_numpy()
    weighted = pd.Series(out["rate"].to_numpy() * weights).groupby(out["sex"].to_numpy()).transform("sum")
    totals = pd.Series(weights).groupby(out["sex"].to_numpy()).transform("sum")
    out["relative_prevalence"] = out["rate"].to_numpy() / (weighted / totals.where(totals > 0)).to_numpy()
    out["measure"] = measure
    out["prevalence_period"] = prevalence_period
    return out[
        ["sex", "age_band", "rate", "rate_lower", "rate_upper", "rate_basis", "rate_sex", "rate_age_band",
         "relative_prevalence", "measure", "prevalence_period"]
    ]  # fmt: skip


def _adult_population_by_band(dataset: Dataset, year: int) -> pd.DataFrame:
    population = _population_with_parents(dataset, year)
    population = population[population["age"] >= cat.ADULT_AGE].copy()
    population["age_band"] = _age_band(population["age"])
    return population.groupby(["area_code", "tier_one_code", "sex", "age_band"], as_index=False)[
        "population"
    ].sum()


def expected_victims_by_band(
    dataset: Dataset,
    period: str,
    measure: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    national: pd.DataFrame | None = None,
    profile: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expected victims at the finest grain: base area x sex x CSEW age band.

    For each base area (district or unitary holding population rows), sex and age band b:
    expected = population(b) x rate(sex, b) / 100, where rate is the published CSEW rate for
    the sex (or persons) and band where there is one, else modelled from the age profile so
    that the published all-adults rate is reproduced on the national population
    (:func:`_band_rates`; one measure and one prevalence period, :func:`select_prevalence`).
    Limits: the band's rate limits (:func:`_limits`) x population / 100.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (base area), ``tier_one_code``, ``sex``, ``age_band``, ``population``,
        ``rate``, ``rate_lower``, ``rate_upper`` (percent), ``rate_basis`` (``published`` or
        ``modelled from age profile``), ``rate_sex`` and ``rate_age_band`` (the sex and band of
        the published rate, ``all`` when modelled from the all-adults rate), ``value``,
        ``lower``, ``upper``, ``measure``, ``prevalence_period``, ``population_year``.

    Raises
    ------
    InputError
        If there are no rates for ``period`` or a sex has no applicable rate.
    """
    measure, prevalence_period, estimates, band_rates, terms = _prevalence_model(
        dataset, period, measure, confidence, national, profile
    )
    year = population_year(dataset, period)
    population = _adult_population_by_band(dataset, year)
    unknown = sorted(set(population["sex"]) - set(band_rates["sex"]))
    if unknown:
        raise InputError(
            f"prevalence: no {measure!r} rate for {prevalence_period} applies to sex {', '.join(unknown)}"
        )
    limits = _limits(terms, ["sex", "age_band"], estimates)
    out = population.merge(band_rates, on=["sex", "age_band"], how="left").merge(
        limits, on=["sex", "age_band"], how="left"
    )
    out["rate_lower"] = (out["rate"] - out.pop("half_down")).clip(lower=0)
    out["rate_upper"] = out["rate"] + out.pop("half_up")
    out["value"] = out["population"] * out["rate"] / 100
    out["lower"] = out["population"] * out["rate_lower"] / 100
    out["upper"] = out["population"] * out["rate_upper"] / 100
    out["measure"] = measure
    out["prevalence_period"] = prevalence_period
    out["population_year"] = year
    return out.reset_index(drop=True)


def _sum_keep_missing(frame: pd.DataFrame, by: list[str], columns: Sequence[str]) -> pd.DataFrame:
    """Group sums in which one missing value makes the sum missing."""
    grouped = frame.groupby(by, sort=True)
    sums = grouped[list(columns)].sum()
    gaps = frame[list(columns)].isna().groupby([frame[column] for column in by], sort=True).any()
    return sums.mask(gaps).reset_index()


def _basis(bases: pd.Series) -> str:
    found = set(bases)
    if found == {RATE_PUBLISHED}:
        return RATE_PUBLISHED
    if found == {RATE_MODELLED}:
        return RATE_MODELLED
    return RATE_MIXED


def expected_victims(
    dataset: Dataset,
    period: str,
    measure: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    national: pd.DataFrame | None = None,
    profile: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expected adult victims of domestic abuse in the last year, by area and sex.

    expected(area, sex) = sum over age bands b of population16+(area, sex, b) x rate(sex, b) / 100

    where population is the ONS mid-year estimate (:func:`population_year`) summed over the
    area's districts, and rate(sex, b) is the CSEW last-year prevalence (percent): the
    published rate for the sex (or persons) and band where one exists, otherwise modelled from
    the age profile and scaled so the published all-adults rate is reproduced on the national
    population (:func:`_band_rates`). The area's total then differs from all-adults rate x
    population only through its age (and sex) mix. All rates come from one question set and one
    CSEW year: the latest at or before ``period`` (:func:`select_prevalence`).

    Limits cover **national survey sampling error only** (not local variation in prevalence,
    nor the uncertainty of the age profile). Each figure is a linear combination
    sum_i c_i r_i of distinct published estimates r_i (the sex all-adults rates, published band
    rates); the c_i of rows sharing an estimate are added (districts and bands using the same
    national rate move together), and distinct estimates are combined as independent:
    half-width = sqrt(sum_i (c_i h_i)^2) (:func:`_limits`). An estimate's half-width h comes from
    its published limits, else its unweighted base with the CSEW design factor
    (:func:`_rate_limits`); if neither, the limits are missing (NaN).

    Parameters
    ----------
    dataset
        The dataset (tables ``areas``, ``population``, ``prevalence``).
    period
        Financial year assessed, e.g. ``2024-25``.
    measure
        CSEW question set (``old`` or ``new``); default the newest with rates.
    confidence
        Confidence level of the limits.
    national, profile
        National population and age profile (default :func:`national_population`,
        :func:`age_profile`).

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (tier-one area), ``geography_code``, ``geography_name``, ``level``
        (``tier_one`` for the area, ``district`` for each of its districts; a unitary has only
        its ``tier_one`` row), ``sex`` (``female``, ``male``, ``all`` = female + male),
        ``population_16plus``, ``rate`` (effective rate, percent: value / population x 100),
        ``value``, ``lower``, ``upper``, ``measure``, ``prevalence_period``,
        ``population_year``, ``rate_basis`` (``published``, ``modelled from age profile`` or
        ``published and modelled``: the bases of the band rates used).
    """
    measure, prevalence_period, estimates, _, terms = _prevalence_model(
        dataset, period, measure, confidence, national, profile
    )
    bands = expected_victims_by_band(dataset, period, measure, confidence, national=national, profile=profile)
    year = int(bands["population_year"].iloc[0]) if len(bands) else population_year(dataset, period)

    # One row per band and geography it counts in: its district (if not a unitary) and its tier-one area.
    district = bands[bands["area_code"] != bands["tier_one_code"]].assign(
        geography_code=lambda f: f["area_code"], level="district"
    )
    tier_one = bands.assign(geography_code=bands["tier_one_code"], level="tier_one")
    rows = pd.concat([tier_one, district], ignore_index=True).drop(columns="area_code")
    rows = rows.rename(columns={"tier_one_code": "area_code"}).assign(band_sex=lambda f: f["sex"])
    rows = pd.concat([rows, rows.assign(sex="all")], ignore_index=True)
    by = ["area_code", "geography_code", "level", "sex"]

    out = _sum_keep_missing(rows, by, ["population", "value"])
    basis = rows[rows["population"] > 0].groupby(by)["rate_basis"].agg(_basis).rename("rate_basis")
    out = out.merge(basis.reset_index(), on=by, how="left")
    contributions = rows[[*by, "band_sex", "age_band", "population"]]
    contributions = contributions.merge(
        terms.rename(columns={"sex": "band_sex"}), on=["band_sex", "age_band"], how="inner"
    )
    contributions["coef"] = contributions["population"] * contributions["coef"] / 100
    limits = _limits(contributions, by, estimates)
    out = out.merge(limits, on=by, how="left")
    out["lower"] = (out["value"] - out.pop("half_down")).clip(lower=0)
    out["upper"] = out["value"] + out.pop("half_up")

    out = out.rename(columns={"population": "population_16plus"})
    names = dataset.tables["areas"].set_index(dataset.tables["areas"]["area_code"].astype(str))["area_name"]
    out["geography_name"] = names.reindex(out["geography_code"]).astype(str).to_numpy()
    out["rate"] = np.where(
        out["population_16plus"] > 0, out["value"] / out["population_16plus"] * 100, np.nan
    )
    out["measure"] = measure
    out["prevalence_period"] = prevalence_period
    out["population_year"] = year
    sex_order = {"female": 0, "male": 1, "all": 2}
    out["_level"] = (out["level"] == "district").astype(int)
    out["_sex"] = out["sex"].map(sex_order)
    out = out.sort_values(["area_code", "_level", "geography_code", "_sex"]).reset_index(drop=True)
    return out[list(EXPECTED_VICTIMS_COLUMNS)]


def check_single_measure(measures: Iterable[str], what: str = "these figures") -> str:
    """Guard against combining or trending rates from different CSEW question sets.

    Parameters
    ----------
    measures
        The measure of each figure to be combined or compared.
    what
        Description of the figures, for the error message.

    Returns
    -------
    str
        The one measure used.

    Raises
    ------
    InputError
        If more than one question set is present: ONS advises that estimates from the new
        questions are not comparable with earlier years (DOMAIN.md 4.1).
    """
    found = sorted({str(m) for m in measures if not pd.isna(m)})
    if len(found) > 1:
        labels = "; ".join(f"{code!r} ({cat.CSEW_MEASURES.label(code)})" for code in found)
        raise InputError(
            f"{what} use rates from different CSEW question sets ({labels}), which are not "
            "comparable; choose one measure (option 'measure') with rates for every period"
        )
    if not found:
        raise InputError(f"{what}: no CSEW measure recorded")
    return found[0]


def expected_victims_trend(
    dataset: Dataset,
    periods: Sequence[str],
    measure: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    national: pd.DataFrame | None = None,
    profile: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expected victims for several periods, from one CSEW question set only.

    Each period is computed as :func:`expected_victims` and the results are stacked with a
    ``period`` column in front. With ``measure=None`` each period takes its default measure;
    the trend is refused if those differ.

    Raises
    ------
    InputError
        If the periods' rates come from different question sets
        (:func:`check_single_measure`), or a period has no rates for ``measure``.
    """
    if not periods:
        raise ValueError("periods must name at least one financial year")
    choices = {period: select_prevalence(dataset, period, measure) for period in periods}
    check_single_measure(
        [chosen for chosen, _ in choices.values()],
        what="expected victims for " + ", ".join(f"{p} (CSEW {c[1]})" for p, c in choices.items()),
    )
    frames = [
        expected_victims(
            dataset, period, choices[period][0], confidence, national=national, profile=profile
        ).assign(period=period)
        for period in periods
    ]
    out = pd.concat(frames, ignore_index=True)
    return out[["period", *EXPECTED_VICTIMS_COLUMNS]]
