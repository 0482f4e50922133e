"""Where synthetic referrals can go and where they come from.

:func:`service_network` keeps the services that take referrals and groups them by (period,
host tier-one area, service class) with their drawing weights; :func:`origin_network` lists,
for each host, the areas its referrals come from (its own base areas, weighted by adults,
and neighbouring areas) and the neighbouring hosts a household may be referred on to. No
random draws are made here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs.reference import categories as cat
from needs.reference.periods import period_end, period_start
from needs.synth.encoding import days
from needs.synth.patterns import BEDDED, MEAN_STAY_DAYS, SERVICE_CLASSES, service_class

#: Items of a group, sorted by group: (group, weight, item) or (group, item).
GroupedItems = tuple[np.ndarray, ...]


def tier_one_of(areas: pd.DataFrame) -> pd.Series:
    """Tier-one area of every area (its parent, else itself), indexed by area code."""
    parent = areas["parent_code"].astype("string").fillna("")
    code = areas["area_code"].astype(str)
    return pd.Series(np.where(parent != "", parent, code), index=code.to_numpy())


def adults_by_area(population: pd.DataFrame) -> pd.Series:
    """Adults 16+ by area (latest year in the table)."""
    population = population[population["year"] == population["year"].max()]
    adults = population[population["age"].astype(int) >= cat.ADULT_AGE]
    return adults.groupby(adults["area_code"].astype(str))["population"].sum().astype(float)


def default_neighbours(areas: pd.DataFrame, adults: pd.Series, tier_one: pd.Series) -> pd.DataFrame:
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


@dataclass(frozen=True)
class Network:
    """Services that take referrals, grouped for drawing, and the periods they run in.

    ``services`` has one row per service taking referrals, with ``class``, ``host``,
    ``weight``, ``start_day``, ``end_day``, ``mean_stay``, ``class_i`` and ``host_i``.
    ``items`` are (group, weight, service position) sorted by :meth:`group`; a service
    appears once per period with weight ``weight x share of the period its contract runs``.
    ``class_weight`` sums those weights by period x host x class.
    """

    services: pd.DataFrame
    hosts: np.ndarray
    host_index: dict[str, int]
    periods: list[str]
    period_start: np.ndarray
    period_end: np.ndarray
    data_day: int
    items: GroupedItems
    class_weight: np.ndarray

    def group(self, period: np.ndarray, host: np.ndarray, class_i: np.ndarray) -> np.ndarray:
        """Group number of (period, host, class) positions: ``(period x hosts + host) x classes + class``."""
        return (period * len(self.hosts) + host) * len(SERVICE_CLASSES) + class_i


def _services_taking_referrals(services: pd.DataFrame, tier_one: pd.Series) -> pd.DataFrame:
    """In-place services other than ``management``, with class, host, weight, days and stay.

    Weight is units for bedded accommodation, ``annual_cost / 10,000`` otherwise (1 where
    not positive).
    """
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
    svc["start_day"] = days(svc["start"])
    end = pd.to_datetime(svc["end"])
    svc["end_day"] = np.where(
        end.isna(), np.iinfo(np.int32).max, days(end.fillna(pd.Timestamp("2262-01-01")))
    )
    stay = svc["accommodation_type"].astype(str).map(MEAN_STAY_DAYS).fillna(100.0)
    svc["mean_stay"] = stay.to_numpy(dtype=float)
    class_index = {c: i for i, c in enumerate(SERVICE_CLASSES)}
    svc["class_i"] = svc["class"].map(class_index).to_numpy()
    return svc


def service_network(
    services: pd.DataFrame, tier_one: pd.Series, periods: Sequence[str], data_day: int
) -> Network:
    """The :class:`Network` of ``services`` for ``periods`` (periods end at ``data_day`` at the latest).

    Raises
    ------
    ValueError
        If no service takes referrals, or a service's host area is not in ``areas``.
    """
    svc = _services_taking_referrals(services, tier_one)
    hosts = np.array(sorted(svc["host"].unique()))
    host_index = {h: i for i, h in enumerate(hosts)}
    svc["host_i"] = svc["host"].map(host_index).to_numpy()

    # Service weights per period: base weight x share of the period the contract runs.
    n_periods, n_hosts, n_classes = len(periods), len(hosts), len(SERVICE_CLASSES)
    p_start = days([period_start(p) for p in periods])
    p_end = np.minimum(days([period_end(p) for p in periods]), data_day)
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
    return Network(
        services=svc,
        hosts=hosts,
        host_index=host_index,
        periods=list(periods),
        period_start=p_start,
        period_end=p_end,
        data_day=data_day,
        items=(flat_group[order], flat_weight[order], flat_service[order]),
        class_weight=class_weight,
    )


@dataclass(frozen=True)
class Origins:
    """Where each host's referrals come from, as positions in ``codes``.

    ``in_area`` and ``outside`` are (host position, weight, origin position) sorted by host;
    ``neighbour_hosts`` (host position, other host position) lists the hosts a household
    may be referred on to (the tier-one areas of the host's neighbouring origins).
    """

    codes: np.ndarray
    in_area: GroupedItems
    outside: GroupedItems
    neighbour_hosts: GroupedItems


def _grouped(group: np.ndarray, *columns: np.ndarray) -> GroupedItems:
    """``group`` and ``columns`` sorted by group (stable)."""
    order = np.argsort(group, kind="stable")
    return (group[order], *(column[order] for column in columns))


def origin_network(
    network: Network,
    areas: pd.DataFrame,
    adults: pd.Series,
    tier_one: pd.Series,
    neighbours: pd.DataFrame | None,
) -> Origins:
    """In-area origins (the host's base areas, by adults) and out-of-area origins (``neighbours``,
    default :func:`default_neighbours`) of every host of ``network``.

    Raises
    ------
    ValueError
        If an ``origin_code`` of ``neighbours`` is not in ``areas``.
    """
    if neighbours is None:
        neighbours = default_neighbours(areas, adults, tier_one)
    hosts, host_index = network.hosts, network.host_index
    base_tier = tier_one.reindex(adults.index.astype(str))
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
    in_area = _grouped(
        base["host"].map(host_index).to_numpy(),
        base["weight"].to_numpy(float),
        base["origin"].map(origin_index).to_numpy(),
    )
    outside = _grouped(
        nb["host"].map(host_index).to_numpy(),
        nb["weight"].to_numpy(float),
        nb["origin"].map(origin_index).to_numpy(),
    )
    # Host-level neighbours (for repeat referrals): tier-ones of the neighbouring origins.
    host_pairs = pd.DataFrame(
        {"host": nb["host"].to_numpy(), "other": tier_one.reindex(nb["origin"].astype(str)).to_numpy()}
    )
    host_pairs = host_pairs[
        host_pairs["other"].isin(hosts) & (host_pairs["other"] != host_pairs["host"])
    ].drop_duplicates()
    neighbour_hosts = _grouped(
        host_pairs["host"].map(host_index).to_numpy(), host_pairs["other"].map(host_index).to_numpy()
    )
    return Origins(codes=origin_codes, in_area=in_area, outside=outside, neighbour_hosts=neighbour_hosts)
