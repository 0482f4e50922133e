"""Trends and impact: year-on-year change in households supported and in each group's reach.

Two measures, for the assessed period and every earlier period present in the referrals
(DESIGN.md 4.6):

``households_supported``
    Households supported by services hosted in the area (counted once each,
    :func:`needs.assessment.counting.households_supported`), as a rate per 10,000 residents aged 16+
    with an exact Poisson (fewer than 10 events) or Byar's interval
    (:func:`needs.methods.intervals.rate_ci`, OHID method). ``characteristic`` and ``category`` are
    ``all``.
``group_share``
    Share of supported households in each category of each characteristic, among those
    whose value is known, with a Wilson interval (:func:`needs.methods.intervals.proportion_ci`); the
    household's characteristics are those of its most recent supported referral
    (:func:`needs.assessment.representation.household_profiles`).

Each row carries the ratio of its value to the same row of the previous financial year
(:func:`needs.methods.comparisons.rate_ratio`, counts treated as Poisson with the denominators as
exposure). For shares this is the ratio of two proportions computed as a ratio of rates: the
Poisson variance of a count is at least its binomial variance, so the interval is
conservative (wider). The ratio is missing where the previous period is absent from the data
or its count is zero.

Periods are those in which a referral was made or support started, up to the assessed
period. The earliest period may be partly covered if record-keeping began during it; the
report should say so when its count is much lower.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs.assessment.counting import households_supported, referrals_in_context, tier_one_lookup
from needs.assessment.population import population_totals
from needs.assessment.representation import (
    CATEGORY_ORDER,
    ProfileCounter,
    household_profiles,
    observed_counts,
)
from needs.inputs.dataset import Dataset
from needs.methods import comparisons, intervals
from needs.reference.constants import DEFAULT_CONFIDENCE
from needs.reference.periods import (
    check_period,
    period_days,
    period_end,
    period_of_dates,
    period_start,
    previous_period,
)

__all__ = ["RATE_PER", "SERVICE_COVERAGE_COLUMNS", "TREND_COLUMNS", "periods_present", "service_coverage", "trends"]

#: Households supported are expressed per this many residents aged 16+.
RATE_PER = 10_000

TREND_COLUMNS: tuple[str, ...] = (
    "area_code",
    "measure",
    "characteristic",
    "category",
    "period",
    "count",
    "denominator",
    "value",
    "lower",
    "upper",
    "rate_ratio",
    "ratio_lower",
    "ratio_upper",
)


def periods_present(referrals: pd.DataFrame, period: str) -> list[str]:
    """Financial years up to ``period`` in which a referral was made or support started.

    ``period`` itself is always included. Returned oldest first.
    """
    check_period(period)
    labels = set()
    for column in ("date", "support_start"):
        # The financial year of each distinct month: one pass, no strings per record.
        months = pd.unique(pd.to_datetime(referrals[column]).dropna().to_numpy().astype("datetime64[M]"))
        for label in period_of_dates(pd.Series(months.astype("datetime64[ns]"))).dropna().unique():
            if str(label) <= period:
                labels.add(str(label))
    labels.add(period)
    return sorted(labels)


def _households_rates(
    counter: ProfileCounter, dataset: Dataset, periods: list[str], areas: pd.Series, confidence: float
) -> pd.DataFrame:
    referrals = counter.referrals
    frames = []
    for period in periods:  # a handful of periods; each step is a count over all areas
        if counter.usable:
            counts = pd.DataFrame({"area_code": counter.area_codes, "count": counter.households(period)})
        else:
            counts = households_supported(referrals, period, by=["host_tier_one"])
            counts = counts.rename(columns={"host_tier_one": "area_code", "households": "count"})
            counts["area_code"] = counts["area_code"].astype(str)
        population = population_totals(dataset, period)[["area_code", "population_16plus"]]
        frame = pd.DataFrame({"area_code": areas}).merge(counts[["area_code", "count"]], how="left")
        frame = frame.merge(population, on="area_code", how="left")
        frame["period"] = period
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["count"] = out["count"].fillna(0).astype("int64")
    out["denominator"] = out["population_16plus"].astype(float)
    out["value"] = np.nan
    out["lower"] = np.nan
    out["upper"] = np.nan
    ok = out["denominator"] > 0
    if ok.any():
        ci = intervals.rate_ci(
            out.loc[ok, "count"].to_numpy(),
            out.loc[ok, "denominator"].to_numpy(),
            confidence=confidence,
            multiplier=RATE_PER,
        )
        for column in ("value", "lower", "upper"):
            out.loc[ok, column] = np.asarray(ci[column], dtype=float)
    return out.assign(measure="households_supported", characteristic="all", category="all")


def _group_shares(
    counter: ProfileCounter, dataset: Dataset, periods: list[str], areas: pd.Series, confidence: float
) -> pd.DataFrame:
    frames = []
    for period in periods:  # a handful of periods; each step is a count over all areas
        if counter.usable:
            counts, _ = counter.counts(period, "supported")
        else:
            profiles = household_profiles(dataset, period, counter.referrals, bases=("supported",))
            counts, _ = observed_counts(profiles, areas)
        frames.append(counts[counts["basis"] == "supported"].assign(period=period))
    out = pd.concat(frames, ignore_index=True)
    out = out.rename(columns={"observed_count": "count", "observed_total": "denominator"})
    out["value"] = np.nan
    out["lower"] = np.nan
    out["upper"] = np.nan
    ok = out["denominator"] > 0
    if ok.any():
        ci = intervals.proportion_ci(
            out.loc[ok, "count"].to_numpy(), out.loc[ok, "denominator"].to_numpy(), confidence=confidence
        )
        for column in ("value", "lower", "upper"):
            out.loc[ok, column] = np.asarray(ci[column], dtype=float)
    return out.assign(measure="group_share")


def trends(
    dataset: Dataset,
    period: str,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    counter: ProfileCounter | None = None,
) -> pd.DataFrame:
    """Households supported and each group's reach, by period, with year-on-year ratios.

    households_supported: value = households / population16+ x 10,000 (rate per 10,000
    adults; exact Poisson or Byar interval). group_share: value = households in the
    category / supported households with a known value (Wilson interval). rate_ratio =
    (count_t / denominator_t) / (count_t-1 / denominator_t-1) against the previous financial
    year, with its interval (:func:`needs.methods.comparisons.rate_ratio`).

    Parameters
    ----------
    dataset
        The dataset.
    period
        The latest financial year to include.
    confidence
        Confidence level of the intervals.
    counter
        A :class:`needs.assessment.representation.ProfileCounter` of the dataset's referrals to share
        with other parts (:func:`needs.assessment.assemble.assess_all` builds one); built here if not
        given.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``measure`` (``households_supported`` or ``group_share``),
        ``characteristic``, ``category``, ``period``, ``count``, ``denominator``, ``value``,
        ``lower``, ``upper``, ``rate_ratio``, ``ratio_lower``, ``ratio_upper``; one row per
        tier-one area, measure, characteristic, category and period, oldest period first.
    """
    areas = dataset.tier_one_areas()["area_code"].astype(str)
    if counter is None:
        counter = ProfileCounter(referrals_in_context(dataset), areas)
    periods = periods_present(counter.referrals, period)
    out = pd.concat(
        [
            _households_rates(counter, dataset, periods, areas, confidence),
            _group_shares(counter, dataset, periods, areas, confidence),
        ],
        ignore_index=True,
    )
    keys = ["area_code", "measure", "characteristic", "category"]
    previous = out[[*keys, "period", "count", "denominator"]].rename(
        columns={"period": "previous", "count": "previous_count", "denominator": "previous_denominator"}
    )
    out["previous"] = out["period"].map({label: previous_period(label) for label in periods})
    out = out.merge(previous, on=[*keys, "previous"], how="left")
    out["rate_ratio"] = np.nan
    out["ratio_lower"] = np.nan
    out["ratio_upper"] = np.nan
    ok = (out["denominator"] > 0) & (out["previous_denominator"] > 0) & (out["previous_count"] > 0)
    if ok.any():
        rr = comparisons.rate_ratio(
            out.loc[ok, "count"].to_numpy(),
            out.loc[ok, "denominator"].to_numpy(),
            out.loc[ok, "previous_count"].to_numpy(),
            out.loc[ok, "previous_denominator"].to_numpy(),
            confidence=confidence,
        )
        out.loc[ok, "rate_ratio"] = np.asarray(rr["value"], dtype=float)
        out.loc[ok, "ratio_lower"] = np.asarray(rr["lower"], dtype=float)
        out.loc[ok, "ratio_upper"] = np.asarray(rr["upper"], dtype=float)
    measure_order = {"households_supported": 0, "group_share": 1}
    out["_m"] = out["measure"].map(measure_order)
    out = out.merge(CATEGORY_ORDER, on=["characteristic", "category"], how="left")
    out = out.sort_values(["area_code", "_m", "_c", "_k", "period"], na_position="last", kind="stable")
    out["count"] = out["count"].astype("int64")
    return out.reset_index(drop=True)[list(TREND_COLUMNS)]


#: Columns of :func:`service_coverage`.
SERVICE_COVERAGE_COLUMNS: tuple[str, ...] = (
    "area_code",
    "period",
    "services",
    "services_started_in_period",
    "first_start",
    "days_covered",
    "period_days",
    "share_of_period",
)


def service_coverage(dataset: Dataset, periods: list[str]) -> pd.DataFrame:
    """When the services behind each year of the trend were running.

    For each tier-one area and period, the services hosted in the area that take referrals
    (every ``support_type`` but ``management``), in place (not ``not_yet_in_place``), whose
    contract overlaps the period:

    * ``services``: how many; ``services_started_in_period``: how many began after its
      first day;
    * ``first_start``: the earliest start among them;
    * ``days_covered = min(last end, period end) - max(first start, period start) + 1``,
      the span of the period in which any of them was running (a gap between contracts
      inside the span is not subtracted), and ``share_of_period = days_covered /
      period_days``.

    A year whose share is below 1 holds only part of a year of support, so a rise from it
    to a full year reflects services starting, not their effect (issue of "impact of
    commissioning": the trend section says so).

    Parameters
    ----------
    dataset
        The dataset (``services`` and ``areas`` are read).
    periods
        Financial years, e.g. those of :func:`trends`.

    Returns
    -------
    pandas.DataFrame
        :data:`SERVICE_COVERAGE_COLUMNS`, one row per area and period with at least one
        service running.
    """
    services = dataset.tables["services"]
    taking_referrals = services["support_type"].astype(str) != "management"
    running = services["status"].astype(str) != "not_yet_in_place"
    taking = services[(taking_referrals & running).to_numpy()]
    host = tier_one_lookup(dataset).reindex(taking["host_area_code"].astype(str)).to_numpy()
    frame = pd.DataFrame(
        {
            "area_code": host,
            "start": pd.to_datetime(taking["start"]).to_numpy(),
            "end": pd.to_datetime(taking["end"]).to_numpy(),
        }
    )
    calendar = pd.DataFrame(
        {
            "period": list(periods),
            "_first": [period_start(p) for p in periods],
            "_last": [period_end(p) for p in periods],
            "period_days": [period_days(p) for p in periods],
        }
    )
    grid = frame.merge(calendar, how="cross")
    running = (grid["start"] <= grid["_last"]) & (grid["end"].isna() | (grid["end"] >= grid["_first"]))
    grid = grid[running.to_numpy()]
    grid = grid.assign(
        _from=grid["start"].where(grid["start"] > grid["_first"], grid["_first"]),
        _to=grid["end"].fillna(grid["_last"]).clip(upper=grid["_last"]),
        _late=grid["start"] > grid["_first"],
    )
    out = grid.groupby(["area_code", "period"], sort=True).agg(
        services=("start", "size"),
        services_started_in_period=("_late", "sum"),
        first_start=("start", "min"),
        _from=("_from", "min"),
        _to=("_to", "max"),
        period_days=("period_days", "first"),
    )
    out["days_covered"] = (out["_to"] - out["_from"]).dt.days + 1
    out["share_of_period"] = out["days_covered"] / out["period_days"]
    out = out.reset_index().astype({"services_started_in_period": "int64"})
    return out[list(SERVICE_COVERAGE_COLUMNS)]
