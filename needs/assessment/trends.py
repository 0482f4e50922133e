"""Trends and impact: year-on-year change in households supported and in each group's reach.

Two measures, for the assessed period and every earlier period present in the referrals
(DESIGN.md 4.6):

``households_supported``
    Households supported by services hosted in the area (counted once each,
    :func:`needs.assessment.counting.households_supported`), as a rate per 10,000 residents aged 16+
    with an exact Poisson (fewer than 10 events) or Byar's interval
    (:func:`needs.methods.intervals.rate_ci`, OHID method). ``characteristic`` and ``category`` are
    ``all``. ``months_of_operation`` is the months the area's services ran in the period, summed
    over the services counted (:func:`service_coverage`), and ``per_month`` the households per
    month of operation.
``group_share``
    Share of supported households in each category of each characteristic, among those
    whose value is known, with a Wilson interval (:func:`needs.methods.intervals.proportion_ci`); the
    household's characteristics are those of its most recent supported referral
    (:func:`needs.assessment.representation.household_profiles`).

Each row carries the ratio of its value to the same row of the previous financial year,
``rate_ratio`` with ``ratio_lower`` and ``ratio_upper``, computed on the basis named in
``ratio_basis`` (:data:`RATIO_BASES`):

``population``
    households supported per resident aged 16+, this year against last: a ratio of two Poisson
    rates with the populations as exposure (:func:`needs.methods.comparisons.rate_ratio`,
    conditional binomial method);
``months_of_operation``
    the same ratio of Poisson rates with **months of service operation** as the exposure,
    used instead where a service counted in either year ran for only part of it (began or
    ended during it, :func:`service_coverage`): households per month of operation this year
    against last, the months being summed over the services counted;
``proportion``
    a group's share this year against last: the ratio of two independent binomial proportions
    with Koopman's score interval (:func:`needs.methods.proportions.proportion_ratio_ci`;
    Koopman 1984). A share is not a Poisson rate: near 1 the rate method's interval is many
    times too wide.

The ratio is missing where the previous period is absent from the data or its count is zero.

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
from needs.methods import comparisons, intervals, proportions
from needs.reference.constants import DEFAULT_CONFIDENCE
from needs.reference.periods import (
    check_period,
    period_days,
    period_end,
    period_of_dates,
    period_start,
    previous_period,
)

__all__ = [
    "RATE_PER",
    "RATIO_BASES",
    "SERVICE_COVERAGE_COLUMNS",
    "TREND_COLUMNS",
    "periods_present",
    "service_coverage",
    "trends",
]

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
    "ratio_basis",
    "compared_per",
    "months_of_operation",
    "per_month",
)

#: What ``rate_ratio`` compares, by ``ratio_basis`` (see the module docstring); the label is
#: the trend's ``compared_per`` column.
RATIO_BASES: dict[str, str] = {
    "population": "Households per resident aged 16 and over",
    "months_of_operation": "Households per month of service operation (months summed over the services)",
    "proportion": "Share of households (ratio of two proportions, Koopman score interval)",
}


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
    adults; exact Poisson or Byar interval); per_month = households / months_of_operation.
    group_share: value = households in the category / supported households with a known value
    (Wilson interval). rate_ratio is the ratio to the previous financial year, on the basis of
    ``ratio_basis``:

    * ``population``: (count_t / population_t) / (count_t-1 / population_t-1), conditional
      binomial interval (:func:`needs.methods.comparisons.rate_ratio`);
    * ``months_of_operation``, where a service counted in either year ran for only part of it
      (:func:`service_coverage`): (count_t / months_t) / (count_t-1 / months_t-1), months of
      operation summed over the services, the same interval;
    * ``proportion`` (group shares): (x_t / n_t) / (x_t-1 / n_t-1), Koopman's score interval
      for the ratio of two independent proportions
      (:func:`needs.methods.proportions.proportion_ratio_ci`).

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
        :data:`TREND_COLUMNS`; one row per tier-one area, measure, characteristic, category
        and period, oldest period first. ``months_of_operation`` and ``per_month`` are missing
        for group shares and where no service of the area ran in the period.
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
    households = (out["measure"] == "households_supported").to_numpy()
    coverage = service_coverage(dataset, periods)
    operation = coverage.set_index(["area_code", "period"])[["months_of_operation", "services_part_year"]]
    rows = pd.MultiIndex.from_arrays([out["area_code"].astype(str), out["period"].astype(str)])
    out["months_of_operation"] = operation["months_of_operation"].reindex(rows).to_numpy()
    out["_part_year"] = operation["services_part_year"].reindex(rows).fillna(0).to_numpy() > 0
    out.loc[~households, ["months_of_operation", "_part_year"]] = [np.nan, False]
    out["_part_year"] = out["_part_year"].astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_month"] = (out["count"] / out["months_of_operation"]).where(out["months_of_operation"] > 0)
    keys = ["area_code", "measure", "characteristic", "category"]
    previous = out[[*keys, "period", "count", "denominator", "months_of_operation", "_part_year"]].rename(
        columns={
            "period": "previous",
            "count": "previous_count",
            "denominator": "previous_denominator",
            "months_of_operation": "previous_months",
            "_part_year": "previous_part_year",
        }
    )
    out["previous"] = out["period"].map({label: previous_period(label) for label in periods})
    out = out.merge(previous, on=[*keys, "previous"], how="left")
    part_year = out["_part_year"] | out["previous_part_year"].fillna(False).astype(bool)
    by_months = households & part_year.to_numpy() & (out["months_of_operation"] > 0).to_numpy()
    by_months &= (out["previous_months"] > 0).to_numpy()
    out["ratio_basis"] = np.where(households, np.where(by_months, "months_of_operation", "population"), "proportion")
    out["compared_per"] = out["ratio_basis"].map(RATIO_BASES)
    exposure = np.where(by_months, out["months_of_operation"], out["denominator"])
    previous_exposure = np.where(by_months, out["previous_months"], out["previous_denominator"])
    out["rate_ratio"] = np.nan
    out["ratio_lower"] = np.nan
    out["ratio_upper"] = np.nan
    ok = (exposure > 0) & (previous_exposure > 0) & (out["previous_count"] > 0).to_numpy()
    for rates, compare in ((True, comparisons.rate_ratio), (False, proportions.proportion_ratio_ci)):
        chosen = ok & (households == rates)
        if not chosen.any():
            continue
        ratio = compare(
            out.loc[chosen, "count"].to_numpy(),
            exposure[chosen],
            out.loc[chosen, "previous_count"].to_numpy(),
            previous_exposure[chosen],
            confidence=confidence,
        )
        out.loc[chosen, "rate_ratio"] = np.asarray(ratio["value"], dtype=float)
        out.loc[chosen, "ratio_lower"] = np.asarray(ratio["lower"], dtype=float)
        out.loc[chosen, "ratio_upper"] = np.asarray(ratio["upper"], dtype=float)
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
    "services_part_year",
    "months_of_operation",
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
      period_days``;
    * ``services_part_year``: how many of them ran for only part of the period (began after
      its first day or ended before its last);
    * ``months_of_operation``: the months each service ran in the period, summed over the
      services, ``sum_s 12 x days_s / period_days`` with ``days_s = min(end_s, period end) -
      max(start_s, period start) + 1`` (a whole year of three services is 36). The trend
      compares households per month of operation where ``services_part_year`` is above 0 in
      either of the two years compared (:func:`trends`).

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
    days = (grid["_to"] - grid["_from"]).dt.days + 1
    grid = grid.assign(_months=days * 12 / grid["period_days"], _part=days < grid["period_days"])
    out = grid.groupby(["area_code", "period"], sort=True).agg(
        services=("start", "size"),
        services_started_in_period=("_late", "sum"),
        first_start=("start", "min"),
        _from=("_from", "min"),
        _to=("_to", "max"),
        period_days=("period_days", "first"),
        services_part_year=("_part", "sum"),
        months_of_operation=("_months", "sum"),
    )
    out["days_covered"] = (out["_to"] - out["_from"]).dt.days + 1
    out["share_of_period"] = out["days_covered"] / out["period_days"]
    out = out.reset_index().astype({"services_started_in_period": "int64", "services_part_year": "int64"})
    return out[list(SERVICE_COVERAGE_COLUMNS)]
