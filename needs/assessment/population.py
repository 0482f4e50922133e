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

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.methods import intervals
from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_CONFIDENCE
from needs.reference.periods import check_period, start_year

__all__ = [
    "check_single_measure",
    "expected_victims",
    "expected_victims_by_band",
    "expected_victims_trend",
    "population_totals",
    "population_year",
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
)


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


def _rate_limits(rates: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Lower and upper limits (percent) of each CSEW rate.

    Published limits are used when both are given and ``confidence`` is 95% (the level ONS
    publishes). Otherwise, when the unweighted base n is given, the Wilson score interval of
    x = rate/100 x n successes out of n (:func:`needs.methods.intervals.proportion_ci`, OHID method),
    which ignores the survey's design effect and so is narrower than ONS's own interval.
    Otherwise the limits are missing.
    """
    out = rates.copy()
    published = (
        out["lower"].notna() & out["upper"].notna() & bool(np.isclose(confidence, PUBLISHED_CONFIDENCE))
    )
    base = pd.to_numeric(out["unweighted_base"], errors="coerce").astype(float)
    wilson_rows = ~published & base.notna() & (base > 0)
    lower = out["lower"].astype(float).where(published)
    upper = out["upper"].astype(float).where(published)
    if wilson_rows.any():
        n = base[wilson_rows].to_numpy()
        x = out.loc[wilson_rows, "rate"].astype(float).to_numpy() / 100 * n
        ci = intervals.proportion_ci(x, n, confidence=confidence, multiplier=100)
        lower.loc[wilson_rows] = np.asarray(ci["lower"], dtype=float)
        upper.loc[wilson_rows] = np.asarray(ci["upper"], dtype=float)
    out["rate_lower"] = lower
    out["rate_upper"] = upper
    return out


def _rates_for(dataset: Dataset, measure: str, prevalence_period: str, confidence: float) -> pd.DataFrame:
    prevalence = _prevalence(dataset)
    chosen = prevalence[(prevalence["period"] == prevalence_period) & (prevalence["measure"] == measure)]
    chosen = _rate_limits(chosen, confidence)
    return chosen[["sex", "age_band", "rate", "rate_lower", "rate_upper"]].astype(
        {"rate": float, "rate_lower": float, "rate_upper": float}
    )


# ---------------------------------------------------------------------------------------------
# Expected victims
# ---------------------------------------------------------------------------------------------


def expected_victims_by_band(
    dataset: Dataset,
    period: str,
    measure: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Expected victims at the finest grain: base area x sex x CSEW age band.

    For each base area (district or unitary holding population rows), sex and age band b:
    expected = population(b) x rate(b) / 100, with limits population x rate limits / 100.
    The rate for a sex and band is, in order of preference, the rate for that sex and band,
    the sex's all-adults rate, the all-persons rate for the band, the all-persons all-adults
    rate (all from one measure and one prevalence period, :func:`select_prevalence`).

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (base area), ``tier_one_code``, ``sex``, ``age_band``, ``population``,
        ``rate``, ``rate_lower``, ``rate_upper`` (percent), ``rate_age_band`` (band of the
        rate used: the band itself or ``all``), ``value``, ``lower``, ``upper``,
        ``measure``, ``prevalence_period``, ``population_year``.

    Raises
    ------
    InputError
        If there are no rates for ``period`` or a sex has no applicable rate.
    """
    measure, prevalence_period = select_prevalence(dataset, period, measure)
    rates = _rates_for(dataset, measure, prevalence_period, confidence)
    year = population_year(dataset, period)
    population = _population_with_parents(dataset, year)
    population = population[population["age"] >= cat.ADULT_AGE].copy()
    population["age_band"] = _age_band(population["age"])
    population = population.groupby(["area_code", "tier_one_code", "sex", "age_band"], as_index=False)[
        "population"
    ].sum()

    out = population.assign(
        rate=np.nan, rate_lower=np.nan, rate_upper=np.nan, rate_age_band=pd.Series(dtype="string")
    )
    lookups = (("sex", "age_band"), ("sex", None), (None, "age_band"), (None, None))
    for sex_key, band_key in lookups:
        keys = pd.DataFrame(
            {
                "sex": out["sex"] if sex_key else "all",
                "age_band": out["age_band"] if band_key else "all",
            },
            index=out.index,
        )
        found = keys.merge(rates, on=["sex", "age_band"], how="left")
        fill = out["rate"].isna().to_numpy() & found["rate"].notna().to_numpy()
        for column in ("rate", "rate_lower", "rate_upper"):
            out.loc[fill, column] = found.loc[fill, column].to_numpy()
        out.loc[fill, "rate_age_band"] = keys.loc[fill, "age_band"].to_numpy()
    missing = out.loc[out["rate"].isna(), "sex"].unique()
    if len(missing):
        raise InputError(
            f"prevalence: no {measure!r} rate for {prevalence_period} applies to sex "
            f"{', '.join(sorted(missing))} (expected a row with that sex, or 'all', and age_band 'all')"
        )
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


def expected_victims(
    dataset: Dataset,
    period: str,
    measure: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Expected adult victims of domestic abuse in the last year, by area and sex.

    expected(area, sex) = sum over age bands b of population16+(area, sex, b) x rate(sex, b) / 100

    where population is the ONS mid-year estimate (:func:`population_year`) summed over the
    area's districts, and rate is the CSEW last-year prevalence (percent) for the sex and age
    band where the ``prevalence`` table has a band rate, else the sex's all-adults rate
    (:func:`expected_victims_by_band`; DOMAIN.md 6.3). All rates come from one question set
    and one CSEW year: the latest at or before ``period`` (:func:`select_prevalence`).

    Limits: lower = sum of population x lower rate limit, upper likewise. This treats the
    band and sex rates as perfectly correlated, so the interval is conservative (wider than
    if their sampling errors were independent). A rate's limits are its published limits (95%
    only), else a Wilson interval from its unweighted base; if neither is given the area's
    limits are missing (NaN): the estimate then has no stated uncertainty, which findings
    report as a caveat.

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

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (tier-one area), ``geography_code``, ``geography_name``, ``level``
        (``tier_one`` for the area, ``district`` for each of its districts; a unitary has only
        its ``tier_one`` row), ``sex`` (``female``, ``male``, ``all`` = female + male),
        ``population_16plus``, ``rate`` (effective rate, percent: value / population x 100),
        ``value``, ``lower``, ``upper``, ``measure``, ``prevalence_period``,
        ``population_year``.
    """
    bands = expected_victims_by_band(dataset, period, measure, confidence)
    measure_used = str(bands["measure"].iloc[0]) if len(bands) else measure
    prevalence_period = str(bands["prevalence_period"].iloc[0]) if len(bands) else None
    year = int(bands["population_year"].iloc[0]) if len(bands) else population_year(dataset, period)
    columns = ("population", "value", "lower", "upper")

    district = _sum_keep_missing(bands, ["tier_one_code", "area_code", "sex"], columns)
    district = district[district["area_code"] != district["tier_one_code"]]
    district = district.rename(columns={"area_code": "geography_code", "tier_one_code": "area_code"})
    district["level"] = "district"
    tier_one = _sum_keep_missing(bands, ["tier_one_code", "sex"], columns)
    tier_one = tier_one.rename(columns={"tier_one_code": "area_code"})
    tier_one["geography_code"] = tier_one["area_code"]
    tier_one["level"] = "tier_one"

    by_sex = pd.concat([tier_one, district], ignore_index=True)
    persons = _sum_keep_missing(by_sex, ["area_code", "geography_code", "level"], columns)
    persons["sex"] = "all"
    out = pd.concat([by_sex, persons], ignore_index=True)
    out = out.rename(columns={"population": "population_16plus"})
    names = dataset.tables["areas"].set_index(dataset.tables["areas"]["area_code"].astype(str))["area_name"]
    out["geography_name"] = names.reindex(out["geography_code"]).astype(str).to_numpy()
    out["rate"] = np.where(
        out["population_16plus"] > 0, out["value"] / out["population_16plus"] * 100, np.nan
    )
    out["measure"] = measure_used
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
        expected_victims(dataset, period, choices[period][0], confidence).assign(period=period)
        for period in periods
    ]
    out = pd.concat(frames, ignore_index=True)
    return out[["period", *EXPECTED_VICTIMS_COLUMNS]]
