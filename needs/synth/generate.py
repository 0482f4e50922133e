"""Seeded synthetic data: pseudonymised referral records and whole national datasets.

Everything here is **synthetic**. The generator produces record-level referrals that pass
validation against :data:`needs.reference.schema.TABLES` and reproduce the national patterns of
``shared/DOMAIN.md`` closely enough for the assessment to have something to find. It is
used for the embedded example (``data/example``, built by ``data/build_example.py``), for
tests, for benchmarks and by ``needs synth``.

How a referral is made (all steps are vectorised draws from one
:class:`numpy.random.Generator`; the only Python loops are over a handful of service
classes, specialisms and repeat-referral rounds):

1. **Volume.** Households referred per period to the services hosted in each tier-one
   area ("host"): given explicitly, or ``rate x expected victims`` where expected victims
   are adults 16+ x the CSEW all-adult prevalence of the period (DOMAIN.md 4.2).
2. **Service.** Each household is given a service class (bedded accommodation, sanctuary,
   community support) with :data:`CLASS_SHARES`, then a service of that class in the host,
   weighted by units (bedded) or annual cost (others) and by the part of the period the
   contract runs. Services with ``support_type`` ``management`` or status
   ``not_yet_in_place`` take no referrals.
3. **Origin.** In-area (a base area of the host, weighted by adults) or, with
   :data:`OUT_OF_AREA_SHARE` (40% for bedded accommodation, cf. Sussex 64-85% in DOMAIN.md
   5; 5% for community services), a neighbouring area.
4. **The lead victim.** Sex, age band (skewed young), Census characteristics drawn from
   the origin area's ``characteristics`` profile reweighted by :data:`REACH` (some groups
   under-reached: Asian, disabled, older and male victims), additional needs, children
   (about half of households have children, 1.3 on average when they do: 0.65 children
   per household, so children are ~39% of individuals, MHCLG 2023-24). A few percent of
   every characteristic is ``not_known`` (:data:`NOT_KNOWN_SHARE`). A household referred
   to a specialist service has the specialism's characteristic.
5. **Outcome.** Drawn by class (:data:`OUTCOME_SHARES`), with more ``unable_to_meet_needs``
   declines for disabled victims and large families and ``nrpf_no_funding_route`` for
   victims with no recourse to public funds. Referrals to bedded accommodation beyond what
   the service can take in the month (``units x days / mean stay``) become
   ``unable_to_support`` / ``no_capacity_space``.
6. **Repeat referrals.** Households declined for capacity (and some others) are referred
   again a few days later, to another service of the same class in the same or a
   neighbouring host, up to :data:`REPEAT_ROUNDS` times: the same ``household_id`` on
   several referrals (Women's Aid On Track).
7. **Support.** Accepted referrals start support after a short delay and end after a
   length of stay drawn from a gamma distribution with the type's mean
   (:data:`MEAN_STAY_DAYS`: refuge months, dispersed longer, community weeks to months,
   sanctuary short); support still running at the data date has no end.

Public functions
----------------
:func:`synthesise_referrals`, :func:`calibrate_individuals`, :func:`national_dataset`,
:func:`write_dataset`, :func:`synthetic_dataset`, plus the reference tables
:func:`england_areas`, :func:`csew_prevalence`, :func:`age_sex_profile`,
:func:`england_characteristics_profile`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from needs.assessment.counting import households_supported, referrals_in_context, supported_in_period
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat
from needs.reference import schema
from needs.reference.constants import DEFAULT_SEED
from needs.reference.locations import example_data, resource
from needs.reference.periods import check_period, period_end, period_start

#: Default seed (the day the Part 4 duty commenced).

#: Code of the Greater London Authority, the tier-one authority for London (s.57).
GLA_CODE = "E61000001"

# --------------------------------------------------------------------------------------
# National patterns (synthetic parameters; sources in shared/DOMAIN.md)
# --------------------------------------------------------------------------------------

BEDDED, SANCTUARY, COMMUNITY = "bedded", "sanctuary", "community"
SERVICE_CLASSES: tuple[str, ...] = (BEDDED, SANCTUARY, COMMUNITY)

#: Share of households referred to each class of service (synthetic).
CLASS_SHARES: dict[str, float] = {BEDDED: 0.30, SANCTUARY: 0.10, COMMUNITY: 0.60}

#: Share of referrals from outside the host tier-one area (DOMAIN.md 5: Sussex 64-85% of
#: refuge referrals; a moderate 40% is used; community services low).
OUT_OF_AREA_SHARE: dict[str, float] = {BEDDED: 0.40, SANCTUARY: 0.02, COMMUNITY: 0.05}

#: Mean length of support in days by accommodation type (synthetic; DOMAIN.md 3.3 gives no
#: absolute figure): refuge months, dispersed longer, community weeks to months, sanctuary short.
MEAN_STAY_DAYS: dict[str, float] = {
    "refuge": 180.0,
    "specialist_safe": 200.0,
    "dispersed_refuge_level": 270.0,
    "dispersed_semi_independent": 300.0,
    "second_stage": 365.0,
    "other_da_emergency": 60.0,
    "sanctuary": 30.0,
    "not_relevant": 30.0,
    "not_accommodation": 100.0,
    cat.NOT_KNOWN: 100.0,
}

#: Outcome shares before capacity is applied, by class (synthetic; declines for lack of
#: space are added by the capacity step, giving a capacity share of unable-to-support close
#: to MHCLG 2022-23's 9,820 of 24,580 and On Track's 40.6% when demand exceeds units).
OUTCOME_SHARES: dict[str, dict[str, float]] = {
    BEDDED: {
        "accepted_supported": 0.64,
        "unable_to_support": 0.12,
        "survivor_declined": 0.13,
        "withdrawn_by_referrer": 0.09,
        cat.NOT_KNOWN: 0.02,
    },
    SANCTUARY: {
        "accepted_supported": 0.76,
        "unable_to_support": 0.08,
        "survivor_declined": 0.07,
        "withdrawn_by_referrer": 0.07,
        cat.NOT_KNOWN: 0.02,
    },
    COMMUNITY: {
        "accepted_supported": 0.74,
        "unable_to_support": 0.07,
        "survivor_declined": 0.09,
        "withdrawn_by_referrer": 0.08,
        cat.NOT_KNOWN: 0.02,
    },
}

#: Reasons other than capacity for ``unable_to_support`` (synthetic, after On Track's
#: split of inappropriate referrals and survivors declining).
OTHER_DECLINE_REASONS: dict[str, float] = {
    "unable_to_meet_needs": 0.28,
    "risk_location_unsafe": 0.12,
    "nrpf_no_funding_route": 0.05,
    "inappropriate_referral_not_eligible": 0.30,
    "survivor_declined_or_disengaged": 0.14,
    "other": 0.07,
    cat.NOT_KNOWN: 0.04,
}

#: Probability that a household is referred again after each kind of non-acceptance.
REPEAT_PROBABILITY: dict[str, float] = {"capacity": 0.75, "unable": 0.25, "declined": 0.10}
REPEAT_ROUNDS = 3

#: Lead victim's sex among adults: MHCLG 2023-24 women 58%, men 3%, trans adults 1% of
#: individuals, i.e. about 94-95% of adults women.
SEX_SHARES: dict[str, float] = {"female": 0.945, "male": 0.055}

#: Age of lead victims (synthetic, skewed young; older victims under-reached against the
#: population and against CSEW prevalence).
AGE_SHARES: dict[str, float] = {
    "16-19": 0.05,
    "20-24": 0.14,
    "25-34": 0.34,
    "35-44": 0.26,
    "45-54": 0.13,
    "55-59": 0.04,
    "60-64": 0.02,
    "65-74": 0.015,
    "75+": 0.005,
}

#: Reach of each Census category relative to its population share (1 = reached in
#: proportion; synthetic, chosen so that Asian and disabled victims are under-reached and
#: black and minoritised victims are about a quarter of the national total, MHCLG 2023-24).
REACH: dict[str, dict[str, float]] = {
    "ethnic_group": {
        "asian": 0.55,
        "black": 1.5,
        "mixed": 2.0,
        "white_british": 1.0,
        "white_irish": 1.0,
        "white_gypsy_roma_other": 1.2,
        "other": 1.4,
    },
    "religion": {"no_religion": 1.1, "hindu": 0.6, "sikh": 0.6, "muslim": 0.85},
    "sexual_orientation": {"bisexual": 1.8, "gay_or_lesbian": 0.9},
    "gender_identity": {"different_from_birth_sex": 3.0},
    "disability": {"disabled": 0.75},
}

#: Share of records with each characteristic ``not_known`` (recording gaps; synthetic).
NOT_KNOWN_SHARE: dict[str, float] = {
    "sex": 0.01,
    "age_band": 0.02,
    "ethnic_group": 0.03,
    "religion": 0.07,
    "sexual_orientation": 0.08,
    "gender_identity": 0.06,
    "disability": 0.05,
    "pregnant": 0.05,
    "needs": 0.04,
}

#: Additional needs: share of lead victims with each need (mental health 23%, MHCLG
#: 2023-24; others synthetic). ``large_family`` follows from ``children``.
NEED_SHARES: dict[str, float] = {
    "mental_health": 0.23,
    "substance_use": 0.09,
    "nrpf": 0.04,
    "learning_disability": 0.06,
}

#: Households with children, by class, and the Poisson mean of children beyond the first
#: (1 + Poisson(0.3) gives 1.3 children per household with children).
CHILDREN_SHARE: dict[str, float] = {BEDDED: 0.58, SANCTUARY: 0.52, COMMUNITY: 0.46}
EXTRA_CHILDREN_MEAN = 0.3
OLDER_SONS_SHARE = 0.18
PREGNANT_SHARE = 0.05

#: Households per expected victim referred per year when no volume is given (synthetic).
DEFAULT_REFERRAL_RATE = 0.02

#: End reasons by class (synthetic; sanctuary "no longer needed" 80%, MHCLG 2024-25).
END_REASON_SHARES: dict[str, dict[str, float]] = {
    BEDDED: {
        "moved_settled_social_housing": 0.32,
        "moved_settled_private_rented": 0.08,
        "moved_other_safe_accommodation": 0.12,
        "moved_temporary_accommodation": 0.12,
        "returned_to_perpetrator": 0.10,
        "evicted_or_abandoned": 0.05,
        "no_longer_needed": 0.09,
        "other": 0.05,
        cat.NOT_KNOWN: 0.07,
    },
    SANCTUARY: {
        "no_longer_needed": 0.80,
        "other": 0.08,
        "moved_settled_social_housing": 0.04,
        cat.NOT_KNOWN: 0.08,
    },
    COMMUNITY: {
        "no_longer_needed": 0.62,
        "moved_other_safe_accommodation": 0.06,
        "returned_to_perpetrator": 0.06,
        "other": 0.14,
        cat.NOT_KNOWN: 0.12,
    },
}

#: Days from referral to start of support, by class (uniform 0..max).
START_DELAY_DAYS: dict[str, int] = {BEDDED: 10, SANCTUARY: 42, COMMUNITY: 21}
#: Referrals this close to the data date are still ``pending`` with this probability.
PENDING_WINDOW_DAYS, PENDING_SHARE = 21, 0.6

#: Lead victim and household columns of ``referrals`` held as category codes.
_ATTRIBUTE_COLUMNS: tuple[str, ...] = (
    "sex",
    "age_band",
    *cat.CENSUS_CHARACTERISTICS,
    "pregnant",
    *(cat.need_column(c) for c in cat.ADDITIONAL_NEEDS.codes),
)
_EPOCH = np.datetime64("1970-01-01", "D")


def service_class(accommodation_type: pd.Series) -> np.ndarray:
    """Class of each service: ``bedded``, ``sanctuary`` or ``community``."""
    types = np.asarray(accommodation_type.astype(str))
    return np.where(
        np.isin(types, cat.BEDDED_ACCOMMODATION_TYPES),
        BEDDED,
        np.where(types == "sanctuary", SANCTUARY, COMMUNITY),
    )


# --------------------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------------------


def _days(timestamps) -> np.ndarray:
    """Dates as integer days since 1970-01-01."""
    values = pd.to_datetime(pd.Series(timestamps)).to_numpy("datetime64[D]")
    return (values - _EPOCH).astype(np.int64)


def _draw(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probabilities`` (rows need not sum to one)."""
    cumulative = np.cumsum(probabilities, axis=1)
    total = cumulative[:, -1:]
    u = rng.random((len(probabilities), 1)) * total
    return np.minimum((u >= cumulative).sum(axis=1), probabilities.shape[1] - 1)


def _draw_fixed(rng: np.random.Generator, shares: Mapping[str, float], size: int) -> np.ndarray:
    codes = np.array(list(shares))
    p = np.array(list(shares.values()), dtype=float)
    return codes[rng.choice(len(codes), size=size, p=p / p.sum())]


def _choose_in_groups(
    rng: np.random.Generator, row_group: np.ndarray, item_group: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """For each row, an item of the row's group chosen with probability ∝ ``weights``.

    ``item_group`` must be sorted. Returns item positions, or -1 where the row's group has
    no item with positive weight. One ``searchsorted`` over the cumulative weights: no loop.
    """
    if len(weights) == 0:  # no items at all (e.g. no neighbouring areas)
        return np.full(len(row_group), -1)
    cumulative = np.cumsum(weights, dtype=float)
    first = np.searchsorted(item_group, row_group, side="left")
    last = np.searchsorted(item_group, row_group, side="right")
    before = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
    total = np.where(last > first, cumulative[np.maximum(last - 1, 0)] - before, 0.0)
    target = before + rng.random(len(row_group)) * total
    position = np.searchsorted(cumulative, target, side="right")
    position = np.clip(position, first, np.maximum(last - 1, first))
    return np.where(total > 0, position, -1)


def _take_or_missing(items: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``items[positions]``, with -1 where a position is -1 (nothing to choose from)."""
    if len(items) == 0:
        return np.full(len(positions), -1)
    return np.where(positions >= 0, items[np.maximum(positions, 0)], -1)


def _replace_not_known(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(values)) < share, cat.NOT_KNOWN, values)


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------


def _tier_one(areas: pd.DataFrame) -> pd.Series:
    parent = areas["parent_code"].astype("string").fillna("")
    code = areas["area_code"].astype(str)
    return pd.Series(np.where(parent != "", parent, code), index=code.to_numpy())


def _adults(population: pd.DataFrame) -> pd.Series:
    """Adults 16+ by area (latest year in the table)."""
    population = population[population["year"] == population["year"].max()]
    adults = population[population["age"].astype(int) >= cat.ADULT_AGE]
    return adults.groupby(adults["area_code"].astype(str))["population"].sum().astype(float)


def _prevalence_rate(prevalence: pd.DataFrame | None, period: str) -> float:
    """All-adult CSEW rate (proportion) for ``period``: that period's rate, else the latest
    earlier one, else the earliest; 6% without a table (synthetic)."""
    if prevalence is None or prevalence.empty:
        return 0.06
    rows = prevalence[
        (prevalence["sex"].astype(str) == "all") & (prevalence["age_band"].astype(str) == "all")
    ]
    if rows.empty:
        return 0.06
    rows = rows.assign(_p=rows["period"].astype(str)).sort_values(["_p", "measure"])
    earlier = rows[rows["_p"] <= period]
    chosen = earlier.iloc[-1] if len(earlier) else rows.iloc[0]
    return float(chosen["rate"]) / 100.0


def _household_volumes(
    households: int | Mapping[str, int] | pd.DataFrame | None,
    hosts: np.ndarray,
    expected: np.ndarray,
    periods: Sequence[str],
    rates: Mapping[str, float],
) -> pd.DataFrame:
    """Households per (period, host) as a frame with columns period, host, households."""
    if isinstance(households, pd.DataFrame):
        volumes = households.rename(columns={"area_code": "host"})[["period", "host", "households"]].copy()
        volumes["households"] = volumes["households"].astype(np.int64)
        return volumes[volumes["host"].isin(hosts) & volumes["period"].isin(periods)]
    frames = []
    for period in periods:
        victims = expected * rates[period]
        if households is None:
            counts = np.rint(victims * DEFAULT_REFERRAL_RATE)
        else:
            total = households[period] if isinstance(households, Mapping) else households
            share = victims / victims.sum() if victims.sum() > 0 else np.full(len(victims), 1 / len(victims))
            exact = share * float(total)
            counts = np.floor(exact)
            remainder = int(round(float(total) - counts.sum()))
            if remainder > 0:
                counts[np.argsort(-(exact - counts), kind="stable")[:remainder]] += 1
        frames.append(pd.DataFrame({"period": period, "host": hosts, "households": counts.astype(np.int64)}))
    return pd.concat(frames, ignore_index=True)


def _default_neighbours(areas: pd.DataFrame, adults: pd.Series, tier_one: pd.Series) -> pd.DataFrame:
    """Every base area of another tier-one area (same region where areas carry
    ``region_code``), weighted by adults."""
    base = pd.DataFrame({"origin_code": adults.index.astype(str), "weight": adults.to_numpy()})
    base["origin_tier_one"] = tier_one.reindex(base["origin_code"]).to_numpy()
    hosts = pd.DataFrame({"area_code": np.unique(base["origin_tier_one"])})
    pairs = hosts.merge(base, how="cross")
    pairs = pairs[pairs["area_code"] != pairs["origin_tier_one"]]
    if "region_code" in areas.columns:
        region = areas.set_index(areas["area_code"].astype(str))["region_code"]
        pairs = pairs[
            region.reindex(pairs["area_code"]).to_numpy()
            == region.reindex(pairs["origin_tier_one"]).to_numpy()
        ]
    return pairs[["area_code", "origin_code", "weight"]].reset_index(drop=True)


def _profiles(
    characteristics: pd.DataFrame | None, origin_codes: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per characteristic: (category codes, probability matrix origin x category).

    Probabilities are the Census shares of the origin area (its own rows, else the mean
    profile of all areas in the table) times :data:`REACH`, without the Census's own
    ``not_known`` (non-response) category; recording gaps are added separately.
    """
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, categories in cat.CENSUS_CHARACTERISTICS.items():
        codes = np.array([c for c in categories.codes if c != cat.NOT_KNOWN])
        reach = np.array([REACH.get(name, {}).get(c, 1.0) for c in codes])
        if characteristics is not None and not characteristics.empty:
            rows = characteristics[characteristics["characteristic"].astype(str) == name]
            table = rows.pivot_table(
                index=rows["area_code"].astype(str),
                columns=rows["category"].astype(str),
                values="count",
                aggfunc="sum",
            )
            table = table.reindex(columns=codes).fillna(0.0)
        else:
            table = pd.DataFrame(columns=codes, dtype=float)
        if len(table) and table.to_numpy().sum() > 0:
            mean = table.sum(axis=0).to_numpy(dtype=float)
        else:
            mean = np.ones(len(codes))
        shares = table.reindex(origin_codes).to_numpy(dtype=float, copy=True)
        missing = ~np.isfinite(shares).all(axis=1) | (np.nan_to_num(shares).sum(axis=1) == 0)
        shares[missing] = mean
        shares = shares / shares.sum(axis=1, keepdims=True) * reach
        out[name] = (codes, shares)
    return out


def synthesise_referrals(
    areas: pd.DataFrame,
    population: pd.DataFrame,
    services: pd.DataFrame,
    periods: Iterable[str],
    *,
    characteristics: pd.DataFrame | None = None,
    prevalence: pd.DataFrame | None = None,
    households: int | Mapping[str, int] | pd.DataFrame | None = None,
    neighbours: pd.DataFrame | None = None,
    data_date: str | pd.Timestamp | None = None,
    n_referrals: int | None = None,
    class_shares: Mapping[str, float] | None = None,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Synthetic pseudonymised referral records for the services of ``services``.

    Parameters
    ----------
    areas, population, services
        Tables as in :data:`needs.reference.schema.TABLES`. Hosts are the tier-one areas of the
        services' ``host_area_code``; origins are areas with population rows and the
        ``origin_code`` values of ``neighbours``.
    periods
        Financial years to generate referrals for (e.g. ``["2022-23", "2023-24"]``).
    characteristics
        Census 2021 counts by area (optional): the lead victims' characteristics follow
        their origin area's profile, reweighted by :data:`REACH`.
    prevalence
        CSEW rates (optional): expected victims = adults 16+ x the all-adult rate.
    households
        Households referred per period: ``None`` for ``DEFAULT_REFERRAL_RATE`` x expected
        victims of each host; an ``int`` (or ``{period: int}``) shared between hosts in
        proportion to expected victims; or a DataFrame with columns ``period``,
        ``area_code`` (host tier-one) and ``households``.
    neighbours
        Where out-of-area referrals come from: columns ``area_code`` (host tier-one),
        ``origin_code`` (an area in ``areas``) and ``weight``. Default: the base areas of
        every other tier-one area (of the same ``region_code`` if ``areas`` has one),
        weighted by adults.
    data_date
        Date the data were extracted: support running then has no end, recent referrals
        may be pending. Default: the end of the last period.
    n_referrals
        If given, exactly this many referrals are returned (households are generated with
        a margin and the last ones, in random order, are dropped).
    class_shares
        Share of households referred to ``bedded``, ``sanctuary`` and ``community``
        services (default :data:`CLASS_SHARES`).
    seed
        Seed of the :class:`numpy.random.Generator`; the same seed gives identical data.

    Returns
    -------
    pandas.DataFrame
        The ``referrals`` table: every column of the schema, category columns as
        ``Categorical`` with the codes of :mod:`needs.reference.categories`, dates as ``datetime64``.
    """
    periods = [check_period(p) for p in periods]
    if not periods:
        raise ValueError("periods: give at least one financial year")
    rng = np.random.default_rng(seed)
    data_day = int(_days([pd.Timestamp(data_date) if data_date is not None else period_end(periods[-1])])[0])
    tier_one = _tier_one(areas)
    adults = _adults(population)

    # Services that take referrals, with their class, host and weight.
    svc = services.copy()
    svc["service_id"] = svc["service_id"].astype(str)
    takes = (svc["support_type"].astype(str) != "management") & (svc["status"].astype(str) == "in_place")
    svc = svc[takes].reset_index(drop=True)
    if svc.empty:
        raise ValueError(
            "services: no in-place service takes referrals (all are management or not yet in place)"
        )
    svc["class"] = service_class(svc["accommodation_type"])
    svc["host"] = tier_one.reindex(svc["host_area_code"].astype(str)).to_numpy()
    if svc["host"].isna().any():
        raise ValueError("services: host_area_code not in areas")
    bedded = svc["class"] == BEDDED
    svc["weight"] = np.where(bedded, svc["units"].astype(float), svc["annual_cost"].astype(float) / 10_000.0)
    svc["weight"] = np.where(svc["weight"] > 0, svc["weight"], 1.0)
    svc["start_day"] = _days(svc["start"])
    end = pd.to_datetime(svc["end"])
    svc["end_day"] = np.where(
        end.isna(), np.iinfo(np.int32).max, _days(end.fillna(pd.Timestamp("2262-01-01")))
    )
    stay = svc["accommodation_type"].astype(str).map(MEAN_STAY_DAYS).fillna(100.0)
    svc["mean_stay"] = stay.to_numpy(dtype=float)
    class_index = {c: i for i, c in enumerate(SERVICE_CLASSES)}
    svc["class_i"] = svc["class"].map(class_index).to_numpy()

    hosts = np.array(sorted(svc["host"].unique()))
    host_index = {h: i for i, h in enumerate(hosts)}
    svc["host_i"] = svc["host"].map(host_index).to_numpy()
    base_tier = tier_one.reindex(adults.index.astype(str))
    expected_adults = np.array([adults[base_tier.to_numpy() == h].sum() for h in hosts], dtype=float)
    rates = {p: _prevalence_rate(prevalence, p) for p in periods}

    # Service weights per period: base weight x share of the period the contract runs.
    n_periods, n_hosts, n_classes = len(periods), len(hosts), len(SERVICE_CLASSES)
    p_start = _days([period_start(p) for p in periods])
    p_end = np.minimum(_days([period_end(p) for p in periods]), data_day)
    lo = np.maximum(p_start[:, None], svc["start_day"].to_numpy()[None, :])
    hi = np.minimum(p_end[:, None], svc["end_day"].to_numpy()[None, :])
    active = np.clip(hi - lo + 1, 0, None) / (p_end - p_start + 1)[:, None]
    pw = active * svc["weight"].to_numpy()[None, :]  # period x service
    group = (np.arange(n_periods)[:, None] * n_hosts + svc["host_i"].to_numpy()[None, :]) * n_classes + svc[
        "class_i"
    ].to_numpy()[None, :]
    flat_group, flat_weight = group.ravel(), pw.ravel()
    flat_service = np.tile(np.arange(len(svc)), n_periods)
    order = np.argsort(flat_group, kind="stable")
    item_group, item_weight, item_service = flat_group[order], flat_weight[order], flat_service[order]
    class_weight = np.zeros((n_periods, n_hosts, n_classes))
    np.add.at(
        class_weight,
        (
            np.repeat(np.arange(n_periods), len(svc)),
            np.tile(svc["host_i"].to_numpy(), n_periods),
            np.tile(svc["class_i"].to_numpy(), n_periods),
        ),
        pw.ravel(),
    )

    # Origins: in-area base areas by host; out-of-area from neighbours.
    if neighbours is None:
        neighbours = _default_neighbours(areas, adults, tier_one)
    base = pd.DataFrame(
        {"host": base_tier.to_numpy(), "origin": adults.index.astype(str), "weight": adults.to_numpy()}
    )
    base = base[base["host"].isin(hosts)]
    nb = neighbours.rename(columns={"area_code": "host", "origin_code": "origin"})[
        ["host", "origin", "weight"]
    ]
    nb = nb[nb["host"].isin(hosts)]
    origin_codes = np.array(sorted(set(base["origin"]) | set(nb["origin"].astype(str))))
    origin_index = {o: i for i, o in enumerate(origin_codes)}
    unknown = set(origin_codes) - set(tier_one.index)
    if unknown:
        raise ValueError(f"neighbours: origin_code not in areas: {sorted(unknown)[:5]}")
    in_group = base["host"].map(host_index).to_numpy()
    in_order = np.argsort(in_group, kind="stable")
    in_items = (
        in_group[in_order],
        base["weight"].to_numpy(float)[in_order],
        base["origin"].map(origin_index).to_numpy()[in_order],
    )
    nb_group = nb["host"].map(host_index).to_numpy()
    nb_order = np.argsort(nb_group, kind="stable")
    nb_items = (
        nb_group[nb_order],
        nb["weight"].to_numpy(float)[nb_order],
        nb["origin"].map(origin_index).to_numpy()[nb_order],
    )
    # Host-level neighbours (for repeat referrals): tier-ones of the neighbouring origins.
    host_pairs = pd.DataFrame(
        {"host": nb["host"].to_numpy(), "other": tier_one.reindex(nb["origin"].astype(str)).to_numpy()}
    )
    host_pairs = host_pairs[
        host_pairs["other"].isin(hosts) & (host_pairs["other"] != host_pairs["host"])
    ].drop_duplicates()
    hp_group = host_pairs["host"].map(host_index).to_numpy()
    hp_order = np.argsort(hp_group, kind="stable")
    hp_items = (hp_group[hp_order], host_pairs["other"].map(host_index).to_numpy()[hp_order])

    # 1. Volumes -> one row per household.
    volumes = _household_volumes(households, hosts, expected_adults, periods, rates)
    if n_referrals is not None:
        # Every household makes at least one referral, so n households always give enough.
        scale = n_referrals / max(int(volumes["households"].sum()), 1)
        volumes["households"] = np.ceil(volumes["households"] * scale).astype(np.int64)
    period_i = volumes["period"].map({p: i for i, p in enumerate(periods)}).to_numpy()
    host_i = volumes["host"].map(host_index).to_numpy()
    hh_period = np.repeat(period_i, volumes["households"].to_numpy())
    hh_host = np.repeat(host_i, volumes["households"].to_numpy())
    n_households = len(hh_period)
    if n_households == 0:
        raise ValueError("households: no households to generate")

    # 2. Class (restricted to classes the host offers in the period), then service.
    available = class_weight[hh_period, hh_host] > 0
    shares = {**CLASS_SHARES, **(class_shares or {})}
    class_p = np.array([shares[c] for c in SERVICE_CLASSES])[None, :] * available
    class_p[~available.any(axis=1)] = 1.0  # a host with no active service: dropped below
    hh_class = _draw(rng, class_p)
    position = _choose_in_groups(
        rng, (hh_period * n_hosts + hh_host) * n_classes + hh_class, item_group, item_weight
    )
    keep = position >= 0
    hh_period, hh_host, hh_class = hh_period[keep], hh_host[keep], hh_class[keep]
    hh_service = item_service[position[keep]]
    n_households = len(hh_service)

    # Date within the part of the period the service runs.
    lo_d = np.maximum(p_start[hh_period], svc["start_day"].to_numpy()[hh_service])
    hi_d = np.minimum(p_end[hh_period], svc["end_day"].to_numpy()[hh_service])
    hh_date = lo_d + np.floor(rng.random(n_households) * (hi_d - lo_d + 1)).astype(np.int64)

    # 3. Origin.
    out_share = np.array([OUT_OF_AREA_SHARE[c] for c in SERVICE_CLASSES])[hh_class]
    outside = rng.random(n_households) < out_share
    pick_out = _choose_in_groups(rng, hh_host, nb_items[0], nb_items[1])
    pick_in = _choose_in_groups(rng, hh_host, in_items[0], in_items[1])
    origin_out = _take_or_missing(nb_items[2], pick_out)
    origin_in = _take_or_missing(in_items[2], pick_in)
    hh_origin = np.where((outside & (origin_out >= 0)) | (origin_in < 0), origin_out, origin_in)
    if (hh_origin < 0).any():
        raise ValueError(
            "areas: a host tier-one area has neither population nor neighbours to draw origins from"
        )

    # 4. Lead victim and household.
    hh = _households(rng, n_households, hh_origin, hh_class, origin_codes, characteristics)
    _apply_specialisms(rng, hh, svc["specialism"].astype(str).to_numpy()[hh_service])
    # Hold attributes as integer category codes from here on (fast gathers at 10^6 rows).
    hh["harder"] = (
        (hh["disability"] == "disabled")
        | (hh[cat.need_column("large_family")] == "yes")
        | (hh[cat.need_column("older_sons")] == "yes")
    )
    hh["nrpf"] = hh[cat.need_column("nrpf")] == "yes"
    for column in _ATTRIBUTE_COLUMNS:
        codes = schema.TABLES["referrals"].column(column).categories.codes
        hh[column] = _categorical(hh[column], codes).codes

    # Order households randomly so trimming to n_referrals is unbiased.
    permutation = rng.permutation(n_households)
    hh = {k: v[permutation] for k, v in hh.items()}
    hh_period, hh_host, hh_class = hh_period[permutation], hh_host[permutation], hh_class[permutation]
    hh_service, hh_date = hh_service[permutation], hh_date[permutation]

    # 5-6. Referral rounds with capacity.
    first_month = pd.Timestamp(np.datetime64(int(p_start.min()), "D"))  # months counted from here
    n_months = int(n_periods * 12 + 14)
    units = svc["units"].to_numpy(dtype=float) * (svc["class"].to_numpy() == BEDDED)
    month_days = 30.44
    capacity = units[:, None] * month_days / svc["mean_stay"].to_numpy()[:, None] * np.ones((1, n_months))
    remaining = np.floor(capacity + rng.random(capacity.shape)).astype(np.int64)

    rounds = []
    r_household = np.arange(n_households)
    r_service, r_date, r_class = hh_service, hh_date, hh_class
    for round_number in range(REPEAT_ROUNDS + 1):
        outcome, reason = _outcomes(rng, r_class, hh["harder"][r_household], hh["nrpf"][r_household])
        month = _month_index(r_date, first_month)
        outcome, reason = _apply_capacity(
            rng, outcome, reason, r_service, month, remaining, bedded_service=units > 0
        )
        pending = (r_date > data_day - PENDING_WINDOW_DAYS) & (rng.random(len(r_date)) < PENDING_SHARE)
        outcome = np.where(pending & (outcome != cat.NOT_KNOWN), "pending", outcome)
        reason = np.where(outcome == "unable_to_support", reason, "")
        rounds.append(
            (r_household, r_service, r_date, r_class, outcome, reason, np.full(len(r_date), round_number))
        )
        if round_number == REPEAT_ROUNDS:
            break
        # Households referred again.
        capacity_decline = reason == "no_capacity_space"
        p_repeat = np.where(
            capacity_decline,
            REPEAT_PROBABILITY["capacity"],
            np.where(
                outcome == "unable_to_support",
                REPEAT_PROBABILITY["unable"],
                np.where(outcome == "survivor_declined", REPEAT_PROBABILITY["declined"], 0.0),
            ),
        )
        again = rng.random(len(r_date)) < p_repeat
        if not again.any():
            break
        n_again = int(again.sum())
        new_date = r_date[again] + rng.integers(1, 22, n_again)
        new_class = r_class[again]
        old_host = svc["host_i"].to_numpy()[r_service[again]]
        neighbour_pick = _choose_in_groups(rng, old_host, hp_items[0], np.ones(len(hp_items[0])))
        elsewhere = (rng.random(n_again) < 0.6) & (neighbour_pick >= 0)
        new_host = np.where(elsewhere, _take_or_missing(hp_items[1], neighbour_pick), old_host)
        new_period = np.searchsorted(p_start, new_date, side="right") - 1
        valid = (new_date <= p_end[np.clip(new_period, 0, n_periods - 1)]) & (new_period >= 0)
        new_period = np.clip(new_period, 0, n_periods - 1)
        new_position = _choose_in_groups(
            rng, (new_period * n_hosts + new_host) * n_classes + new_class, item_group, item_weight
        )
        valid &= new_position >= 0
        new_service = item_service[np.maximum(new_position, 0)]
        valid &= (new_date >= svc["start_day"].to_numpy()[new_service]) & (
            new_date <= svc["end_day"].to_numpy()[new_service]
        )
        valid &= new_service != r_service[again]
        r_household = r_household[again][valid]
        r_service, r_date, r_class = new_service[valid], new_date[valid], new_class[valid]
        if len(r_household) == 0:
            break

    columns = [np.concatenate(parts) for parts in zip(*rounds, strict=True)]
    ref_household, ref_service, ref_date, ref_class, ref_outcome, ref_reason, ref_round = columns
    order = np.lexsort((ref_round, ref_household))
    ref_household, ref_service, ref_date = ref_household[order], ref_service[order], ref_date[order]
    ref_class, ref_outcome, ref_reason = ref_class[order], ref_outcome[order], ref_reason[order]
    if n_referrals is not None:
        if len(ref_household) < n_referrals:
            raise ValueError(
                f"n_referrals: only {len(ref_household):,} referrals could be made (hosts without active services?)"
            )
        ref_household, ref_service, ref_date = (
            ref_household[:n_referrals],
            ref_service[:n_referrals],
            ref_date[:n_referrals],
        )
        ref_class, ref_outcome, ref_reason = (
            ref_class[:n_referrals],
            ref_outcome[:n_referrals],
            ref_reason[:n_referrals],
        )

    # 7. Support dates and end reasons.
    n = len(ref_household)
    accepted = ref_outcome == "accepted_supported"
    delay = np.floor(
        rng.random(n) * (np.array([START_DELAY_DAYS[c] for c in SERVICE_CLASSES])[ref_class] + 1)
    )
    start_day = np.minimum(ref_date + delay.astype(np.int64), data_day)
    mean_stay = svc["mean_stay"].to_numpy()[ref_service]
    stay = np.maximum(1, np.rint(rng.gamma(2.0, mean_stay / 2.0))).astype(np.int64)
    end_day = start_day + stay
    ended = accepted & (end_day <= data_day)
    end_reason = np.full(n, "", dtype=object)
    for class_i, name in enumerate(SERVICE_CLASSES):
        mask = ended & (ref_class == class_i)
        end_reason[mask] = _draw_fixed(rng, END_REASON_SHARES[name], int(mask.sum()))

    # Household ids numbered in order of first referral.
    first_date = pd.Series(ref_date).groupby(ref_household).transform("min").to_numpy()
    rank_keys = np.lexsort((ref_household, first_date))
    _, first_pos = np.unique(ref_household[rank_keys], return_index=True)
    hh_number = np.empty(n_households, dtype=np.int64)
    ordered_households = ref_household[rank_keys][np.sort(first_pos)]
    hh_number[ordered_households] = np.arange(1, len(ordered_households) + 1)
    width = max(6, len(str(len(ordered_households))))

    frame = {
        "household_id": _ids("H", hh_number[ref_household], width),
        "date": ref_date,
        "service_id": svc["service_id"].to_numpy()[ref_service],
        "origin_area_code": origin_codes[hh["origin"][ref_household]],
        "outcome": ref_outcome,
        "decline_reason": np.where(ref_outcome == "unable_to_support", ref_reason, ""),
    }
    for column in (*_ATTRIBUTE_COLUMNS, "children"):
        frame[column] = hh[column][ref_household]
    frame["support_start"] = np.where(accepted, start_day, -1)
    frame["support_end"] = np.where(ended, end_day, -1)
    frame["end_reason"] = np.where(ended, end_reason, "")
    # Sort by date then household with integer keys (string sorts are slow at 10^6 rows).
    order = np.lexsort((hh_number[ref_household], ref_date))
    frame = {name: np.asarray(values)[order] for name, values in frame.items()}
    frame["referral_id"] = _ids("R", np.arange(1, n + 1), max(7, len(str(n))))
    return finish_referrals(frame)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Identifiers such as ``R0000001`` (fixed width, zero padded)."""
    return np.array([f"{prefix}{number:0{width}d}" for number in numbers.tolist()], dtype=object)


def _categorical(values: np.ndarray, codes: Sequence[str]) -> pd.Categorical:
    """Categorical of ``values`` (blank or unknown -> missing) by binary search on the
    sorted codes: fast for 10^6 rows of text."""
    text = np.asarray(values).astype(str)
    categories = np.asarray(codes, dtype=str)
    order = np.argsort(categories)
    ordered = categories[order]
    position = np.clip(np.searchsorted(ordered, text), 0, len(ordered) - 1)
    found = ordered[position] == text
    return pd.Categorical.from_codes(np.where(found, order[position], -1), categories=list(codes))


def _month_index(days: np.ndarray, first_month: pd.Timestamp) -> np.ndarray:
    months = (_EPOCH + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)
    return months - np.datetime64(first_month, "M").astype(np.int64)


def _households(
    rng: np.random.Generator,
    n: int,
    origin: np.ndarray,
    service_class_i: np.ndarray,
    origin_codes: np.ndarray,
    characteristics: pd.DataFrame | None,
) -> dict[str, np.ndarray]:
    """Lead victim and household attributes, one entry per household."""
    hh: dict[str, np.ndarray] = {"origin": origin}
    hh["sex"] = _replace_not_known(rng, _draw_fixed(rng, SEX_SHARES, n), NOT_KNOWN_SHARE["sex"])
    hh["age_band"] = _replace_not_known(rng, _draw_fixed(rng, AGE_SHARES, n), NOT_KNOWN_SHARE["age_band"])
    for name, (codes, shares) in _profiles(characteristics, origin_codes).items():
        drawn = codes[_draw(rng, shares[origin])]
        hh[name] = _replace_not_known(rng, drawn, NOT_KNOWN_SHARE[name])
    young = np.isin(hh["age_band"], ("16-19", "20-24", "25-34", "35-44"))
    pregnant = np.where((hh["sex"] == "female") & young & (rng.random(n) < PREGNANT_SHARE * 1.4), "yes", "no")
    hh["pregnant"] = _replace_not_known(rng, pregnant, NOT_KNOWN_SHARE["pregnant"])
    has_children = rng.random(n) < np.array([CHILDREN_SHARE[c] for c in SERVICE_CLASSES])[service_class_i]
    children = np.where(has_children, 1 + rng.poisson(EXTRA_CHILDREN_MEAN, n), 0)
    hh["children"] = children.astype(np.int64)
    for need, share in NEED_SHARES.items():
        value = np.where(rng.random(n) < share, "yes", "no")
        hh[cat.need_column(need)] = _replace_not_known(rng, value, NOT_KNOWN_SHARE["needs"])
    sons = np.where(
        (children > 0) & (rng.random(n) < OLDER_SONS_SHARE * (1 + 0.3 * (children - 1))), "yes", "no"
    )
    hh[cat.need_column("older_sons")] = _replace_not_known(rng, sons, NOT_KNOWN_SHARE["needs"])
    hh[cat.need_column("large_family")] = np.where(children >= 3, "yes", "no").astype(object)
    return hh


def _apply_specialisms(rng: np.random.Generator, hh: dict[str, np.ndarray], specialism: np.ndarray) -> None:
    """Give households referred to a specialist service that service's characteristic."""
    minoritised = {"asian": 0.4, "black": 0.2, "mixed": 0.15, "white_gypsy_roma_other": 0.1, "other": 0.15}
    lgb = {"gay_or_lesbian": 0.45, "bisexual": 0.4, "other": 0.15}
    overrides: dict[str, list[tuple[str, Mapping[str, float]]]] = {
        "male_victims": [("sex", {"male": 1.0})],
        "black_minoritised": [("ethnic_group", minoritised)],
        "lgbtq": [("sexual_orientation", lgb)],
        "gypsy_roma_traveller": [("ethnic_group", {"white_gypsy_roma_other": 1.0})],
        "disabled_accessible": [("disability", {"disabled": 1.0})],
        "substance_use": [(cat.need_column("substance_use"), {"yes": 1.0})],
        "mental_health": [(cat.need_column("mental_health"), {"yes": 1.0})],
        "young_people": [("age_band", {"16-19": 0.45, "20-24": 0.55})],
    }
    for code, changes in overrides.items():
        mask = specialism == code
        if not mask.any():
            continue
        for column, shares in changes:
            hh[column] = hh[column].astype(object)
            hh[column][mask] = _draw_fixed(rng, shares, int(mask.sum()))
        if code == "male_victims":
            hh["pregnant"][mask] = "no"


def _outcomes(
    rng: np.random.Generator, class_i: np.ndarray, harder: np.ndarray, nrpf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome before capacity and, for unable_to_support, a non-capacity reason.

    ``harder`` marks disabled victims, large families and older sons (more declines for
    unmet needs in bedded accommodation); ``nrpf`` victims with no recourse to public funds.
    """
    outcomes = list(OUTCOME_SHARES[BEDDED])
    table = np.array([[OUTCOME_SHARES[c][o] for o in outcomes] for c in SERVICE_CLASSES])
    p = table[class_i].copy()
    unable = outcomes.index("unable_to_support")
    p[:, unable] += np.where(harder & (class_i == 0), 0.10, 0.0) + np.where(nrpf, 0.25, 0.0)
    outcome = np.array(outcomes, dtype=object)[_draw(rng, p)]
    reasons = np.array(list(OTHER_DECLINE_REASONS), dtype=object)
    rp = np.tile(np.array(list(OTHER_DECLINE_REASONS.values())), (len(class_i), 1))
    rp[:, list(reasons).index("unable_to_meet_needs")] += np.where(harder, 0.6, 0.0)
    rp[:, list(reasons).index("nrpf_no_funding_route")] += np.where(nrpf, 2.0, 0.0)
    reason = reasons[_draw(rng, rp)]
    return outcome, reason


def _apply_capacity(
    rng: np.random.Generator,
    outcome: np.ndarray,
    reason: np.ndarray,
    service: np.ndarray,
    month: np.ndarray,
    remaining: np.ndarray,
    *,
    bedded_service: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Turn accepted referrals to bedded services beyond the month's remaining places into
    ``no_capacity_space`` declines; update ``remaining`` in place."""
    month = np.clip(month, 0, remaining.shape[1] - 1)
    candidate = (outcome == "accepted_supported") & bedded_service[service]
    index = np.flatnonzero(candidate)
    if len(index) == 0:
        return outcome, reason
    key = service[index] * remaining.shape[1] + month[index]
    shuffle = rng.permutation(len(index))
    key_shuffled = key[shuffle]
    order = np.argsort(key_shuffled, kind="stable")
    sorted_keys = key_shuffled[order]
    starts = np.searchsorted(sorted_keys, sorted_keys, side="left")
    rank = np.empty(len(index), dtype=np.int64)
    rank[shuffle[order]] = np.arange(len(index)) - starts
    flat = remaining.reshape(-1)
    over = rank >= flat[key]
    outcome = outcome.copy()
    reason = reason.copy()
    outcome[index[over]] = "unable_to_support"
    reason[index[over]] = "no_capacity_space"
    used = np.bincount(key[~over], minlength=flat.size)
    flat -= used
    return outcome, reason


def finish_referrals(frame: Mapping[str, np.ndarray] | pd.DataFrame) -> pd.DataFrame:
    """Put referral columns in schema form: columns in order, categories, dates.

    Date columns may be integer days since 1970-01-01 (negative = blank) or dates;
    category columns text (blank or ``None`` = missing).
    """
    table = schema.TABLES["referrals"]
    n = len(next(iter(frame.values())) if isinstance(frame, Mapping) else frame)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    for column in table.columns:
        values = frame[column.name]
        if column.kind == "date":
            if np.issubdtype(np.asarray(values).dtype, np.integer):
                days = np.asarray(values, dtype=np.int64)
                dates = (_EPOCH + np.maximum(days, 0).astype("timedelta64[D]")).astype("datetime64[ns]")
                out[column.name] = pd.Series(dates, index=out.index).where(days >= 0)
            else:
                out[column.name] = pd.to_datetime(np.asarray(values))
        elif column.kind == "category":
            values = np.asarray(values)
            if np.issubdtype(values.dtype, np.integer):  # category codes already
                out[column.name] = pd.Categorical.from_codes(values, categories=list(column.categories.codes))
            else:
                out[column.name] = _categorical(values, column.categories.codes)
        elif column.kind == "int":
            out[column.name] = np.asarray(values, dtype=np.int64)
        else:
            out[column.name] = np.asarray(values, dtype=object)
    return out


# --------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------


def calibrate_individuals(
    tables: Mapping[str, pd.DataFrame],
    area_code: str,
    targets: Mapping[str, int],
    *,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Referrals adjusted so ``needs.assessment.counting.individuals_supported`` gives ``targets``.

    Periods are taken in order. For each, households first supported in that period by a
    service hosted in ``area_code`` are candidates: in a seeded random order, whole
    households (all their referrals) are dropped until the count is at most the target, and
    the shortfall (smaller than one household) is made up by adding one child to each of as
    many further candidate households. Households first supported in an earlier period are
    never touched, so a calibrated period stays calibrated. ``need_large_family`` is
    recomputed from ``children``.

    Raises
    ------
    ValueError
        If a period has fewer individuals than its target (generate more households).
    """
    rng = np.random.default_rng(seed)
    referrals = tables["referrals"].copy()
    for period in sorted(targets):
        dataset = Dataset(tables={**tables, "referrals": referrals})
        context = referrals_in_context(dataset)
        here = context[context["host_tier_one"] == area_code]
        total = int(households_supported(here, period)["individuals"].iloc[0])
        target = int(targets[period])
        if total < target:
            raise ValueError(
                f"targets: {period} has {total} individuals supported in {area_code}, below {target}"
            )
        accepted = referrals["outcome"].astype(str) == "accepted_supported"
        first_start = referrals.loc[accepted].groupby("household_id")["support_start"].min()
        counted = here.loc[supported_in_period(here, period)].groupby("household_id")["children"].max()
        starts = first_start.reindex(counted.index)
        candidates = counted[(starts >= period_start(period)) & (starts <= period_end(period))]
        candidates = candidates.sort_index()
        candidates = candidates.iloc[rng.permutation(len(candidates))]
        excess = total - target
        individuals = (1 + candidates).to_numpy()
        cumulative = np.cumsum(individuals)
        n_drop = int(np.searchsorted(cumulative, excess, side="left") + 1) if excess > 0 else 0
        dropped = set(candidates.index[:n_drop])
        shortfall = int(cumulative[n_drop - 1] - excess) if n_drop else 0
        rest = candidates.index[n_drop:]
        if shortfall > 0:
            if len(rest) == 0:
                raise ValueError(f"targets: cannot reach {target} in {period}")
            extra = pd.Series(0, index=rest)
            extra.iloc[np.arange(shortfall) % len(rest)] += 1
            add = extra.reindex(referrals["household_id"]).fillna(0).to_numpy(dtype=np.int64)
            referrals["children"] = referrals["children"].to_numpy() + add
        referrals = referrals[~referrals["household_id"].isin(dropped)].reset_index(drop=True)
    large = cat.need_column("large_family")
    flag = np.where(
        referrals["children"] >= 3,
        "yes",
        np.where(referrals[large].astype(str) == cat.NOT_KNOWN, cat.NOT_KNOWN, "no"),
    )
    referrals[large] = pd.Categorical(flag, categories=cat.YES_NO.codes)
    referrals["referral_id"] = np.char.add(
        "R", np.char.zfill(np.arange(1, len(referrals) + 1).astype(str), max(7, len(str(len(referrals)))))
    )
    return referrals


# --------------------------------------------------------------------------------------
# Reference tables shipped in needs/resources (see needs/resources/README.md)
# --------------------------------------------------------------------------------------

_AREA_TYPES = {
    "county": "county",
    "unitary": "unitary",
    "metropolitan district": "metropolitan_district",
    "london borough": "london_borough",
}


def england_areas() -> pd.DataFrame:
    """The 153 upper-tier areas of England (April 2023) with mid-2023 populations.

    Real ONS codes, names and populations (``MYE2023_EW_LA2023``) and DfE LAIT regions;
    ``area_type`` is mapped to :data:`needs.reference.categories.AREA_TYPES`: City of London
    (E09000001, ``other`` in the source) is a London borough, the Isles of Scilly
    (E06000053, ``other``) a unitary authority (both are so classed by ONS).
    """
    areas = pd.read_csv(resource("england_upper_tier_areas.csv"), dtype={"population": np.int64})
    kind = areas["area_type"].map(_AREA_TYPES)
    kind = kind.where(
        kind.notna(), np.where(areas["area_code"].str.startswith("E09"), "london_borough", "unitary")
    )
    return areas.assign(area_type=kind)


def csew_prevalence() -> pd.DataFrame:
    """Published CSEW last-year domestic abuse prevalence (the ``prevalence`` table).

    Rates as published by ONS (old and new question sets recorded on each rate);
    ``unweighted_base`` is an approximate, synthetic respondent count so that intervals can
    be computed (see ``data/README.md``).
    """
    return pd.read_csv(resource("csew_prevalence.csv"), dtype={"period": str, "unweighted_base": "Int64"})


def age_sex_profile() -> pd.DataFrame:
    """Population shares by sex and single year of age (0..90, 90 = 90 and over).

    Derived from ONS mid-2022 populations (SNPP 2022 base year) of Leicester, Rutland and
    Leicestershire's seven districts, summed: an England-like age and sex profile used to
    spread real all-age totals when single-year figures are not available (synthetic).
    """
    profile = pd.read_csv(resource("age_sex_profile_mid2022.csv"))
    return profile.assign(share=profile["population"] / profile["population"].sum())


def england_characteristics_profile() -> pd.DataFrame:
    """Census 2021 counts of usual residents 16+ in England by characteristic and category.

    Ethnic group, religion and disability from ONS "Sexual orientation, further personal
    characteristics" (England, all residents 16+); sexual orientation from the detailed
    sexual orientation release (England); gender identity (not published for England in the
    reference data) from the sum of the nine Leicester-Leicestershire-Rutland areas.
    """
    return pd.read_csv(resource("england_census2021_16plus_profile.csv"))


def _spread(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Integer matrix (areas x cells) with rows summing to ``totals``, ∝ ``shares``
    (largest remainder, vectorised)."""
    exact = totals[:, None].astype(float) * (shares / shares.sum())[None, :]
    whole = np.floor(exact).astype(np.int64)
    short = totals - whole.sum(axis=1)
    order = np.argsort(-(exact - whole), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(exact.shape[1])[None, :].repeat(len(exact), 0), axis=1)
    return whole + (ranks < short[:, None])


# --------------------------------------------------------------------------------------
# National dataset
# --------------------------------------------------------------------------------------

#: Realistic national referral volume per year (MHCLG 2023-24: ~39,000 households
#: supported and 26,870 unable to be supported; synthetic round figure).
NATIONAL_REFERRALS_PER_YEAR = 120_000
#: Bedded units per household referred, so that roughly 20% of referrals to bedded
#: accommodation that would be accepted are declined for lack of space (synthetic).
UNITS_PER_HOUSEHOLD = 0.076
#: Synthetic grant per head of population per year (about £130m for England).
GRANT_PER_HEAD = 2.25


def _national_services(tier_ones: pd.DataFrame, households_per_year: float, start: str) -> pd.DataFrame:
    """Synthetic commissioned services for every tier-one area, sized to population."""
    population = tier_ones["population"].to_numpy(dtype=float)
    share = population / population.sum()
    bedded_units = UNITS_PER_HOUSEHOLD * households_per_year * share
    per_10k = population / 10_000
    specs = [
        # name, accommodation_type, support_type, specialism, units, bed ratio, cost per unit / head
        ("Refuge", "refuge", "advocacy", "generic", 0.62 * bedded_units, 2.5, 32_000.0, None),
        (
            "Dispersed accommodation",
            "dispersed_refuge_level",
            "advocacy",
            "generic",
            0.25 * bedded_units,
            2.0,
            26_000.0,
            None,
        ),
        (
            "By-and-for refuge",
            "specialist_safe",
            "specialist_support",
            "black_minoritised",
            0.13 * bedded_units,
            2.5,
            34_000.0,
            None,
        ),
        ("Sanctuary scheme", "sanctuary", "housing", "generic", 0.8 * per_10k, 0.0, 1_500.0, None),
        ("Community outreach", "not_accommodation", "advocacy", "generic", 0 * per_10k, 0.0, 0.0, 0.45),
        ("Children's support", "not_accommodation", "children", "generic", 0 * per_10k, 0.0, 0.0, 0.15),
        (
            "Male victims' service",
            "not_accommodation",
            "advocacy",
            "male_victims",
            0 * per_10k,
            0.0,
            0.0,
            0.05,
        ),
        (
            "Partnership coordinator",
            "not_accommodation",
            "management",
            "generic",
            0 * per_10k,
            0.0,
            0.0,
            None,
        ),
    ]
    frames = []
    for number, (name, kind, support, specialism, units, beds, unit_cost, per_head) in enumerate(
        specs, start=1
    ):
        whole = np.maximum(np.rint(units), 1 if kind != "not_accommodation" else 0).astype(np.int64)
        if per_head is not None:
            cost = np.rint(population * per_head)
        elif support == "management":
            cost = np.full(len(population), 50_000.0)
        else:
            cost = whole * unit_cost
        frames.append(
            pd.DataFrame(
                {
                    "service_id": tier_ones["area_code"].to_numpy() + f"-S{number:02d}",
                    "name": f"{name} (synthetic)",
                    "provider": "Synthetic provider",
                    "host_area_code": tier_ones["area_code"].to_numpy(),
                    "accommodation_type": kind,
                    "support_type": support,
                    "specialism": specialism,
                    "units": whole,
                    "bedspaces": np.rint(whole * beds).astype(np.int64),
                    "annual_cost": cost,
                    "funding_source": "mhclg_dasa_grant",
                    "start": pd.Timestamp(start),
                    "end": pd.NaT,
                    "status": "in_place",
                    "synthetic": True,
                }
            )
        )
    services = pd.concat(frames, ignore_index=True)
    # Only the larger areas commission a by-and-for refuge and a male victims' service.
    small = population < 300_000
    big_only = services["specialism"].isin(["black_minoritised", "male_victims"])
    small_host = services["host_area_code"].isin(tier_ones.loc[small, "area_code"])
    return services[~(big_only & small_host)].sort_values("service_id").reset_index(drop=True)


def national_dataset(
    n_referrals: int = 1_000_000, periods: Sequence[str] = ("2023-24",), *, seed: int = DEFAULT_SEED
) -> dict[str, pd.DataFrame]:
    """A synthetic dataset for every tier-one area in England.

    Areas are real (ONS codes and names of the 153 upper-tier areas, April 2023): counties,
    unitaries and metropolitan districts are tier-one; the 33 London areas are
    ``london_borough`` with parent the Greater London Authority (E61000001,
    ``greater_london_authority``), the tier-one authority for London. Every area carries
    ``synthetic=true``: populations by sex and single year of age are the real mid-2023
    all-age totals spread over :func:`age_sex_profile`; Census characteristics are the
    England profile (:func:`england_characteristics_profile`) scaled to each area's adults;
    services and funding are synthetic and sized to population (bedded units also to the
    referral volume asked for, see :data:`UNITS_PER_HOUSEHOLD`); prevalence is the real
    published CSEW rates (:func:`csew_prevalence`). Out-of-area referrals come from areas of
    the same region (London with the South East and East of England).

    Parameters
    ----------
    n_referrals
        Exact number of referral records, shared between the periods.
    periods
        Financial years.
    seed
        Seed for :func:`synthesise_referrals`.

    Returns
    -------
    dict of pandas.DataFrame
        Tables ``areas``, ``population``, ``prevalence``, ``characteristics``, ``services``,
        ``referrals``, ``funding``.
    """
    periods = [check_period(p) for p in periods]
    if n_referrals < 1:
        raise ValueError("n_referrals: must be at least 1")
    england = england_areas()
    london = england["area_type"] == "london_borough"
    gla = pd.DataFrame(
        {
            "area_code": [GLA_CODE],
            "area_name": ["Greater London Authority"],
            "area_type": ["greater_london_authority"],
            "region_code": ["E12000007"],
            "population": [int(england.loc[london, "population"].sum())],
        }
    )
    areas = pd.concat(
        [
            england[["area_code", "area_name", "area_type", "region_code", "population"]].assign(
                parent_code=np.where(london, GLA_CODE, None)
            ),
            gla.assign(parent_code=None),
        ],
        ignore_index=True,
    )
    areas["synthetic"] = True
    base = areas[areas["area_type"] != "greater_london_authority"].reset_index(drop=True)
    tier_ones = areas[areas["area_type"].isin(cat.TIER_ONE_AREA_TYPES)].reset_index(drop=True)

    year = 2023  # mid-2023 estimates (MYE2023_EW_LA2023)
    profile = age_sex_profile()
    counts = _spread(base["population"].to_numpy(np.int64), profile["share"].to_numpy())
    population = pd.DataFrame(
        {
            "area_code": np.repeat(base["area_code"].to_numpy(), len(profile)),
            "year": year,
            "sex": np.tile(profile["sex"].to_numpy(), len(base)),
            "age": np.tile(profile["age"].to_numpy(np.int64), len(base)),
            "population": counts.ravel(),
        }
    )
    adults = counts[:, profile["age"].to_numpy() >= cat.ADULT_AGE].sum(axis=1)
    england_profile = england_characteristics_profile()
    frames = []
    for name, rows in england_profile.groupby("characteristic", sort=False):
        spread = _spread(adults, rows["count"].to_numpy(dtype=float))
        frames.append(
            pd.DataFrame(
                {
                    "area_code": np.repeat(base["area_code"].to_numpy(), len(rows)),
                    "characteristic": name,
                    "category": np.tile(rows["category"].to_numpy(), len(base)),
                    "count": spread.ravel(),
                    "relative_prevalence": np.nan,
                    "source": "synthetic: England Census 2021 16+ profile scaled to the area's adults",
                }
            )
        )
    characteristics = pd.concat(frames, ignore_index=True)

    households_per_year = n_referrals / len(periods) / 1.25
    services = _national_services(tier_ones, households_per_year, start="2021-10-01")
    funding = pd.DataFrame(
        {
            "area_code": np.repeat(tier_ones["area_code"].to_numpy(), len(periods)),
            "period": np.tile(periods, len(tier_ones)),
            "source": "mhclg_dasa_grant",
            "amount": np.repeat(np.rint(tier_ones["population"].to_numpy() * GRANT_PER_HEAD), len(periods)),
        }
    )
    prevalence = csew_prevalence()

    # Neighbours: base areas of the other tier-ones of the same region; London with the
    # South East and the East of England.
    region = areas.set_index("area_code")["region_code"]
    base_adults = pd.DataFrame({"origin_code": base["area_code"], "weight": adults})
    base_adults["origin_region"] = region.reindex(base_adults["origin_code"]).to_numpy()
    base_adults["origin_tier_one"] = np.where(
        base["parent_code"].notna(), base["parent_code"], base["area_code"]
    )
    hosts = tier_ones[["area_code", "region_code"]]
    pairs = hosts.merge(base_adults, how="cross")
    linked = {
        ("E12000007", "E12000006"),
        ("E12000007", "E12000008"),
        ("E12000006", "E12000007"),
        ("E12000008", "E12000007"),
    }
    same = pairs["region_code"] == pairs["origin_region"]
    cross = (
        pd.Series(list(zip(pairs["region_code"], pairs["origin_region"], strict=True)))
        .isin(linked)
        .to_numpy()
    )
    pairs = pairs[(same | cross) & (pairs["area_code"] != pairs["origin_tier_one"])]
    neighbours = pairs[["area_code", "origin_code", "weight"]].reset_index(drop=True)

    areas_out = areas[["area_code", "area_name", "area_type", "parent_code", "synthetic"]]
    referrals = synthesise_referrals(
        areas_out,
        population,
        services,
        periods,
        characteristics=characteristics,
        prevalence=prevalence,
        households={p: int(np.ceil(households_per_year)) for p in periods},
        neighbours=neighbours,
        n_referrals=n_referrals,
        seed=seed,
    )
    return {
        "areas": areas_out.reset_index(drop=True),
        "population": population,
        "prevalence": prevalence,
        "characteristics": characteristics,
        "services": services,
        "referrals": referrals,
        "funding": funding,
    }


# --------------------------------------------------------------------------------------
# Writing and the command line
# --------------------------------------------------------------------------------------


def write_dataset(
    tables: Mapping[str, pd.DataFrame], folder: str | Path, metadata: Mapping | None = None
) -> Path:
    """Write ``tables`` as one CSV per table (and ``dataset.yaml`` from ``metadata``).

    Columns follow the schema order; dates are written ``YYYY-MM-DD``, booleans
    ``true``/``false``, blanks as empty cells. Writing the same tables twice gives
    byte-identical files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        out = frame.copy()
        if name in schema.TABLES:
            known = [c for c in schema.TABLES[name].column_names if c in out.columns]
            out = out[known + [c for c in out.columns if c not in known]]
            for column in schema.TABLES[name].columns:
                if column.name not in out.columns:
                    continue
                if column.kind == "bool":
                    values = out[column.name]
                    out[column.name] = np.where(
                        values.isna(), "", np.where(values.astype(bool), "true", "false")
                    )
                elif column.kind == "date":
                    out[column.name] = pd.to_datetime(out[column.name]).dt.strftime("%Y-%m-%d")
        out.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    if metadata is not None:
        import yaml

        with open(folder / "dataset.yaml", "w", encoding="utf-8") as handle:
            yaml.safe_dump(dict(metadata), handle, sort_keys=False, allow_unicode=True)
    return folder


def example_tables(folder: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The example's tables other than referrals, read from ``data/example`` with pandas."""
    folder = Path(folder) if folder is not None else example_data()
    tables = {}
    for name in ("areas", "population", "prevalence", "characteristics", "services", "funding"):
        frame = pd.read_csv(folder / f"{name}.csv", dtype={"period": str, "parent_code": str})
        for column in schema.TABLES[name].columns:
            if column.kind == "date" and column.name in frame:
                frame[column.name] = pd.to_datetime(frame[column.name])
        tables[name] = frame
    return tables


def synthetic_dataset(
    *, national: bool = False, n_referrals: int | None = None, seed: int = DEFAULT_SEED
) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """A synthetic dataset's tables and its ``dataset.yaml`` metadata (for :func:`write_dataset`).

    With ``national``: :func:`national_dataset` (default 100,000 referrals). Without: the
    example's areas, population, services and funding with fresh synthetic referrals
    (uncalibrated; default volume from population and prevalence, or ``n_referrals``).
    """
    if national:
        n = int(n_referrals) if n_referrals else 100_000
        tables = national_dataset(n_referrals=n, seed=seed)
        metadata = {
            "title": "Synthetic national dataset (England)",
            "authority": "Synthetic",
            "data_date": str(period_end("2023-24").date()),
            "demonstration": True,
            "description": f"Synthetic referrals ({n:,}) for every tier-one area in England, made by needs.synth "
            f"with seed {seed}. Area codes, names and all-age populations are real; everything else is synthetic.",
        }
        return tables, metadata
    tables = example_tables()
    periods = ["2022-23", "2023-24"]
    tables["referrals"] = synthesise_referrals(
        tables["areas"], tables["population"], tables["services"], periods,
        characteristics=tables["characteristics"], prevalence=tables["prevalence"],
        n_referrals=int(n_referrals) if n_referrals else None, seed=seed,
    )  # fmt: skip
    metadata = {
        "title": "Synthetic referrals for the Leicestershire example",
        "authority": "Leicestershire County Council",
        "area_code": "E10000018",
        "data_date": str(period_end(periods[-1]).date()),
        "demonstration": True,
        "description": f"The example's published tables with synthetic referrals made by needs.synth, seed {seed}.",
    }
    return tables, metadata
