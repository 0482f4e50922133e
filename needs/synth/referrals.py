"""Seeded synthetic pseudonymised referral records (:func:`synthesise_referrals`).

Everything here is **synthetic**. The generator produces record-level referrals that pass
validation against :data:`needs.reference.schema.TABLES` and reproduce the national patterns of
``shared/DOMAIN.md`` (declared in :mod:`needs.synth.patterns`) closely enough for the
assessment to have something to find.

How a referral is made (all steps are vectorised draws from one
:class:`numpy.random.Generator`, made in this order; the only Python loops are over a
handful of service classes, specialisms and repeat-referral rounds). Each step is a
function below, called in turn by :func:`synthesise_referrals`:

1. **Volume** (:mod:`needs.synth.volumes`). Households referred per period to the services
   hosted in each tier-one area ("host"): given explicitly, or ``rate x expected victims``
   where expected victims are adults 16+ x the CSEW all-adult prevalence of the period
   (DOMAIN.md 4.2).
2. **Service** (:func:`_choose_services`). Each household is given a service class (bedded
   accommodation, sanctuary, community support) with :data:`~needs.synth.patterns.CLASS_SHARES`,
   then a service of that class in the host, weighted by units (bedded) or annual cost
   (others) and by the part of the period the contract runs (:mod:`needs.synth.network`).
   Services with ``support_type`` ``management`` or status ``not_yet_in_place`` take no
   referrals.
3. **Origin** (:func:`_choose_origins`). In-area (a base area of the host, weighted by adults)
   or, with :data:`~needs.synth.patterns.OUT_OF_AREA_SHARE` (40% for bedded accommodation, cf.
   Sussex 64-85% in DOMAIN.md 5; 5% for community services), a neighbouring area.
4. **The lead victim** (:func:`needs.synth.households.lead_victims`). Sex, age band (skewed
   young), Census characteristics drawn from the origin area's ``characteristics`` profile
   reweighted by :data:`~needs.synth.patterns.REACH` (some groups under-reached: Asian,
   disabled, older and male victims), additional needs, children (about half of households
   have children, 1.3 on average when they do: 0.65 children per household, so children
   are ~39% of individuals, MHCLG 2023-24). A few percent of every characteristic is
   ``not_known``. A household referred to a specialist service has the specialism's
   characteristic. Ethnic group is drawn in the Census's 8 categories and the merged White
   group then split into Gypsy or Irish Traveller, Roma and Other White with a stream of its
   own, ``default_rng([seed, WHITE_OTHER_STREAM])``
   (:func:`needs.synth.households.split_white_other`). Households are then put in random
   order (:func:`_shuffle`).
5. **Outcome** (:func:`_decide`, :mod:`needs.synth.outcomes`). Drawn by class, with more
   ``unable_to_meet_needs`` declines for disabled victims and large families and
   ``nrpf_no_funding_route`` for victims with no recourse to public funds. Each referral's
   support start and stay are drawn with it; a referral to bedded accommodation that would
   find every unit of the service full (occupancy simulated day by day from the stays
   accepted so far, :func:`needs.synth.outcomes.apply_occupancy`) becomes
   ``unable_to_support`` / ``no_capacity_space``.
6. **Repeat referrals** (:func:`_refer_again`). Households declined for capacity (and some
   others) are referred again a few days later, to another service of the same class in the
   same or a neighbouring host, up to :data:`~needs.synth.patterns.REPEAT_ROUNDS` times: the
   same ``household_id`` on several referrals (Women's Aid On Track).
7. **Support** (:func:`_support`). Accepted referrals start support after a short delay and
   end after a length of stay drawn from a gamma distribution with the type's mean
   (:data:`~needs.synth.patterns.MEAN_STAY_DAYS`: refuge months, dispersed longer, community
   weeks to months, sanctuary short); support still running at the data date has no end.

Finally :func:`_records` numbers households and referrals and puts the columns in schema form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_SEED
from needs.reference.periods import check_period, period_end
from needs.synth.draws import choose_in_groups, draw, draw_fixed, take_or_missing
from needs.synth.encoding import days, finish_referrals, ids
from needs.synth.households import ATTRIBUTE_COLUMNS, lead_victims
from needs.synth.network import Network, Origins, adults_by_area, origin_network, service_network, tier_one_of
from needs.synth.outcomes import apply_occupancy, draw_outcomes
from needs.synth.patterns import (
    BEDDED,
    CLASS_SHARES,
    END_REASON_SHARES,
    OUT_OF_AREA_SHARE,
    PENDING_SHARE,
    PENDING_WINDOW_DAYS,
    REPEAT_PROBABILITY,
    REPEAT_ROUNDS,
    SERVICE_CLASSES,
    START_DELAY_DAYS,
)
from needs.synth.volumes import expected_victims, households_per_host

__all__ = ["synthesise_referrals"]

#: Tag of the random stream that splits the merged 8-category White group
#: (``numpy.random.default_rng([seed, WHITE_OTHER_STREAM])``): a stream apart from the main
#: one, so the split changes no other column.
WHITE_OTHER_STREAM = 19


@dataclass(frozen=True)
class _Households:
    """One entry per household: its first referral (service position, class position, day)
    and the attributes of :func:`needs.synth.households.lead_victims`."""

    service: np.ndarray
    service_class: np.ndarray
    date: np.ndarray
    attributes: dict[str, np.ndarray]


@dataclass(frozen=True)
class _Referred:
    """Referrals as parallel arrays: household, service and class as positions, date as a day."""

    household: np.ndarray
    service: np.ndarray
    date: np.ndarray
    service_class: np.ndarray


@dataclass(frozen=True)
class _Decided(_Referred):
    """Referrals with their outcome, decline reason (blank unless ``unable_to_support``)
    and referral round (0 for the first referral)."""

    outcome: np.ndarray
    reason: np.ndarray
    round: np.ndarray
    start_day: np.ndarray
    stay: np.ndarray

    def take(self, index: np.ndarray | slice) -> _Decided:
        """The referrals at ``index``."""
        return _Decided(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


@dataclass(frozen=True)
class _Support:
    """Support of each referral: start and end days, whether accepted and ended, end reason."""

    accepted: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    ended: np.ndarray
    end_reason: np.ndarray


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
        their origin area's profile, reweighted by :data:`~needs.synth.patterns.REACH`.
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
        services (default :data:`~needs.synth.patterns.CLASS_SHARES`).
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
    data_day = int(days([pd.Timestamp(data_date) if data_date is not None else period_end(periods[-1])])[0])
    tier_one = tier_one_of(areas)
    adults = adults_by_area(population)
    network = service_network(services, tier_one, periods, data_day)
    expected_adults, rates = expected_victims(network, adults, tier_one, prevalence)
    origins = origin_network(network, areas, adults, tier_one, neighbours)
    hh_period, hh_host = households_per_host(households, network, expected_adults, rates, n_referrals)
    hh_host, hh_class, hh_service, hh_date = _choose_services(rng, network, hh_period, hh_host, class_shares)
    hh_origin = _choose_origins(rng, origins, hh_host, hh_class)
    attributes = lead_victims(
        rng, hh_origin, hh_class, hh_service, network.services, origins.codes, characteristics,
        split_rng=np.random.default_rng([seed, WHITE_OTHER_STREAM]),
    )  # fmt: skip
    hh = _shuffle(rng, _Households(hh_service, hh_class, hh_date, attributes))
    rounds = _referral_rounds(rng, network, origins, hh)
    referrals = _in_household_order(rounds, n_referrals)
    support = _support(rng, network, referrals)
    return _records(network, origins, hh, referrals, support)


# --------------------------------------------------------------------------------------
# 2-4. Service, origin and lead victim of each household
# --------------------------------------------------------------------------------------


def _choose_services(
    rng: np.random.Generator,
    network: Network,
    hh_period: np.ndarray,
    hh_host: np.ndarray,
    class_shares: Mapping[str, float] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """2. Class (restricted to classes the host offers in the period), then service, then a
    date within the part of the period the service runs.

    Households whose host has no active service are dropped. Returns host, class, service
    (positions) and date (day) of each remaining household.
    """
    available = network.class_weight[hh_period, hh_host] > 0
    shares = {**CLASS_SHARES, **(class_shares or {})}
    class_p = np.array([shares[c] for c in SERVICE_CLASSES])[None, :] * available
    class_p[~available.any(axis=1)] = 1.0  # a host with no active service: dropped below
    hh_class = draw(rng, class_p)
    item_group, item_weight, item_service = network.items
    position = choose_in_groups(rng, network.group(hh_period, hh_host, hh_class), item_group, item_weight)
    keep = position >= 0
    hh_period, hh_host, hh_class = hh_period[keep], hh_host[keep], hh_class[keep]
    hh_service = item_service[position[keep]]

    # Date within the part of the period the service runs.
    svc = network.services
    lo_d = np.maximum(network.period_start[hh_period], svc["start_day"].to_numpy()[hh_service])
    hi_d = np.minimum(network.period_end[hh_period], svc["end_day"].to_numpy()[hh_service])
    hh_date = lo_d + np.floor(rng.random(len(hh_service)) * (hi_d - lo_d + 1)).astype(np.int64)
    return hh_host, hh_class, hh_service, hh_date


def _choose_origins(
    rng: np.random.Generator, origins: Origins, hh_host: np.ndarray, hh_class: np.ndarray
) -> np.ndarray:
    """3. Origin of each household (position in ``origins.codes``): out of area with the
    class's :data:`~needs.synth.patterns.OUT_OF_AREA_SHARE` where the host has neighbours,
    else in area."""
    out_share = np.array([OUT_OF_AREA_SHARE[c] for c in SERVICE_CLASSES])[hh_class]
    outside = rng.random(len(hh_host)) < out_share
    pick_out = choose_in_groups(rng, hh_host, origins.outside[0], origins.outside[1])
    pick_in = choose_in_groups(rng, hh_host, origins.in_area[0], origins.in_area[1])
    origin_out = take_or_missing(origins.outside[2], pick_out)
    origin_in = take_or_missing(origins.in_area[2], pick_in)
    hh_origin = np.where((outside & (origin_out >= 0)) | (origin_in < 0), origin_out, origin_in)
    if (hh_origin < 0).any():
        raise ValueError(
            "areas: a host tier-one area has neither population nor neighbours to draw origins from"
        )
    return hh_origin


def _shuffle(rng: np.random.Generator, hh: _Households) -> _Households:
    """Households in random order, so that trimming to ``n_referrals`` is unbiased."""
    permutation = rng.permutation(len(hh.service))
    return _Households(
        service=hh.service[permutation],
        service_class=hh.service_class[permutation],
        date=hh.date[permutation],
        attributes={k: v[permutation] for k, v in hh.attributes.items()},
    )


# --------------------------------------------------------------------------------------
# 5-6. Referral rounds with capacity
# --------------------------------------------------------------------------------------


def _referral_rounds(
    rng: np.random.Generator, network: Network, origins: Origins, hh: _Households
) -> list[_Decided]:
    """5-6. Each household's first referral, then up to :data:`~needs.synth.patterns.REPEAT_ROUNDS`
    rounds of repeat referrals, each decided against the places left that month."""
    svc = network.services
    first_month = pd.Timestamp(np.datetime64(int(network.period_start.min()), "D"))  # months counted from here
    units = (svc["units"].to_numpy(dtype=float) * (svc["class"].to_numpy() == BEDDED)).astype(np.int64)
    first_day = int(network.period_start.min())
    remaining = np.zeros((len(units), network.data_day - first_day + 2), dtype=np.int64)  # units in use a day

    rounds = []
    current: _Referred | None = _Referred(np.arange(len(hh.service)), hh.service, hh.date, hh.service_class)
    for round_number in range(REPEAT_ROUNDS + 1):
        decided = _decide(rng, network, hh, current, round_number, first_month, remaining, units > 0)
        rounds.append(decided)
        if round_number == REPEAT_ROUNDS:
            break
        current = _refer_again(rng, network, origins, decided)
        if current is None or len(current.household) == 0:
            break
    return rounds


def _decide(
    rng: np.random.Generator,
    network: Network,
    hh: _Households,
    referred: _Referred,
    round_number: int,
    first_month: pd.Timestamp,
    remaining: np.ndarray,
    bedded_service: np.ndarray,
) -> _Decided:
    """5. Outcome of each referral: drawn, then ``pending`` for some referrals made within
    :data:`~needs.synth.patterns.PENDING_WINDOW_DAYS` of the data date, then capacity from
    the units' occupancy (``remaining``, units in use a day, is updated in place)."""
    harder = hh.attributes["harder"][referred.household]
    nrpf = hh.attributes["nrpf"][referred.household]
    outcome, reason = draw_outcomes(rng, referred.service_class, harder, nrpf)
    recent = referred.date > network.data_day - PENDING_WINDOW_DAYS
    pending = recent & (rng.random(len(referred.date)) < PENDING_SHARE)
    outcome = np.where(pending & (outcome != cat.NOT_KNOWN), "pending", outcome)
    start_day, stay = _stay_draws(rng, network, referred)
    units = np.where(bedded_service, network.services["units"].to_numpy(), 0).astype(np.int64)
    outcome, reason = apply_occupancy(
        outcome, reason, referred.service, start_day, stay, remaining, units,
        first_day=int(network.period_start.min()),
    )  # fmt: skip
    reason = np.where(outcome == "unable_to_support", reason, "")
    return _Decided(
        household=referred.household,
        service=referred.service,
        date=referred.date,
        service_class=referred.service_class,
        outcome=outcome,
        reason=reason,
        round=np.full(len(referred.date), round_number),
        start_day=start_day,
        stay=stay,
    )


def _stay_draws(rng: np.random.Generator, network: Network, referred: _Referred) -> tuple[np.ndarray, np.ndarray]:
    """Support start and length of stay of each referral, drawn before its outcome is known
    so that capacity can be decided from the units' occupancy:
    ``start = min(date + U{0..START_DELAY_DAYS[class]}, data date)`` and
    ``stay = max(1, round(Gamma(shape 2, scale mean_stay / 2)))`` days (mean ``mean_stay``)."""
    n = len(referred.date)
    delay = np.floor(
        rng.random(n) * (np.array([START_DELAY_DAYS[c] for c in SERVICE_CLASSES])[referred.service_class] + 1)
    )
    start_day = np.minimum(referred.date + delay.astype(np.int64), network.data_day)
    mean_stay = network.services["mean_stay"].to_numpy()[referred.service]
    stay = np.maximum(1, np.rint(rng.gamma(2.0, mean_stay / 2.0))).astype(np.int64)
    return start_day, stay


def _refer_again(
    rng: np.random.Generator, network: Network, origins: Origins, decided: _Decided
) -> _Referred | None:
    """6. The next round: households not accepted are referred again (with
    :data:`~needs.synth.patterns.REPEAT_PROBABILITY`) 1-21 days later to another service of the
    same class, in a neighbouring host with probability 0.6 where there is one, else the same
    host. Referrals that fall outside the periods or find no running service are dropped.
    ``None`` when no household is referred again."""
    capacity_decline = decided.reason == "no_capacity_space"
    p_repeat = np.where(
        capacity_decline,
        REPEAT_PROBABILITY["capacity"],
        np.where(
            decided.outcome == "unable_to_support",
            REPEAT_PROBABILITY["unable"],
            np.where(decided.outcome == "survivor_declined", REPEAT_PROBABILITY["declined"], 0.0),
        ),
    )
    again = rng.random(len(decided.date)) < p_repeat
    if not again.any():
        return None
    svc, p_start, p_end = network.services, network.period_start, network.period_end
    n_periods = len(network.periods)
    n_again = int(again.sum())
    new_date = decided.date[again] + rng.integers(1, 22, n_again)
    new_class = decided.service_class[again]
    old_host = svc["host_i"].to_numpy()[decided.service[again]]
    hp_group, hp_other = origins.neighbour_hosts
    neighbour_pick = choose_in_groups(rng, old_host, hp_group, np.ones(len(hp_group)))
    elsewhere = (rng.random(n_again) < 0.6) & (neighbour_pick >= 0)
    new_host = np.where(elsewhere, take_or_missing(hp_other, neighbour_pick), old_host)
    new_period = np.searchsorted(p_start, new_date, side="right") - 1
    valid = (new_date <= p_end[np.clip(new_period, 0, n_periods - 1)]) & (new_period >= 0)
    new_period = np.clip(new_period, 0, n_periods - 1)
    item_group, item_weight, item_service = network.items
    new_position = choose_in_groups(
        rng, network.group(new_period, new_host, new_class), item_group, item_weight
    )
    valid &= new_position >= 0
    new_service = item_service[np.maximum(new_position, 0)]
    valid &= (new_date >= svc["start_day"].to_numpy()[new_service]) & (
        new_date <= svc["end_day"].to_numpy()[new_service]
    )
    valid &= new_service != decided.service[again]
    return _Referred(
        household=decided.household[again][valid],
        service=new_service[valid],
        date=new_date[valid],
        service_class=new_class[valid],
    )


def _in_household_order(rounds: list[_Decided], n_referrals: int | None) -> _Decided:
    """All rounds' referrals ordered by household then round; the first ``n_referrals``
    (households are in random order, so the trim is unbiased)."""
    joined = _Decided(**{f.name: np.concatenate([getattr(r, f.name) for r in rounds]) for f in fields(_Decided)})
    referrals = joined.take(np.lexsort((joined.round, joined.household)))
    if n_referrals is not None:
        if len(referrals.household) < n_referrals:
            raise ValueError(
                f"n_referrals: only {len(referrals.household):,} referrals could be made (hosts without active services?)"
            )
        referrals = referrals.take(slice(None, n_referrals))
    return referrals


# --------------------------------------------------------------------------------------
# 7. Support, then the records
# --------------------------------------------------------------------------------------


def _support(rng: np.random.Generator, network: Network, referrals: _Decided) -> _Support:
    """7. Support dates and end reasons.

    Start and stay were drawn with the outcome (:func:`_stay_draws`), so the stays are the
    ones that filled the units; support ends at ``start + stay`` if that is by the data date, with an end reason drawn
    from :data:`~needs.synth.patterns.END_REASON_SHARES` of the class.
    """
    n = len(referrals.household)
    data_day = network.data_day
    accepted = referrals.outcome == "accepted_supported"
    start_day, stay = referrals.start_day, referrals.stay  # drawn with the outcome (_stay_draws)
    end_day = start_day + stay
    ended = accepted & (end_day <= data_day)
    end_reason = np.full(n, "", dtype=object)
    for class_i, name in enumerate(SERVICE_CLASSES):
        mask = ended & (referrals.service_class == class_i)
        end_reason[mask] = draw_fixed(rng, END_REASON_SHARES[name], int(mask.sum()))
    return _Support(accepted=accepted, start_day=start_day, end_day=end_day, ended=ended, end_reason=end_reason)


def _household_numbers(referrals: _Decided, n_households: int) -> tuple[np.ndarray, int]:
    """Number of each household (by position), 1, 2, ... in order of first referral date
    (then position), and how many were numbered. Households left without a referral by the
    trim are not numbered (their entries are unset and never read)."""
    ref_household, ref_date = referrals.household, referrals.date
    first_date = pd.Series(ref_date).groupby(ref_household).transform("min").to_numpy()
    rank_keys = np.lexsort((ref_household, first_date))
    _, first_pos = np.unique(ref_household[rank_keys], return_index=True)
    hh_number = np.empty(n_households, dtype=np.int64)
    ordered_households = ref_household[rank_keys][np.sort(first_pos)]
    hh_number[ordered_households] = np.arange(1, len(ordered_households) + 1)
    return hh_number, len(ordered_households)


def _records(
    network: Network, origins: Origins, hh: _Households, referrals: _Decided, support: _Support
) -> pd.DataFrame:
    """The ``referrals`` table: household and referral ids, sorted by date then household."""
    ref_household = referrals.household
    n = len(ref_household)
    hh_number, n_numbered = _household_numbers(referrals, len(hh.service))
    width = max(6, len(str(n_numbered)))
    frame = {
        "household_id": ids("H", hh_number[ref_household], width),
        "date": referrals.date,
        "service_id": network.services["service_id"].to_numpy()[referrals.service],
        "origin_area_code": origins.codes[hh.attributes["origin"][ref_household]],
        "outcome": referrals.outcome,
        "decline_reason": np.where(referrals.outcome == "unable_to_support", referrals.reason, ""),
    }
    for column in (*ATTRIBUTE_COLUMNS, "children"):
        frame[column] = hh.attributes[column][ref_household]
    frame["support_start"] = np.where(support.accepted, support.start_day, -1)
    frame["support_end"] = np.where(support.ended, support.end_day, -1)
    frame["end_reason"] = np.where(support.ended, support.end_reason, "")
    # Sort by date then household with integer keys (string sorts are slow at 10^6 rows).
    order = np.lexsort((hh_number[ref_household], referrals.date))
    frame = {name: np.asarray(values)[order] for name, values in frame.items()}
    frame["referral_id"] = ids("R", np.arange(1, n + 1), max(7, len(str(n))))
    return finish_referrals(frame)
