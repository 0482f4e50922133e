"""Step 1 of the generator: how many households are referred to each host in each period.

Expected victims of a host in a period are the adults 16+ of its base areas x the CSEW
all-adult prevalence rate of the period (``shared/DOMAIN.md`` 4.2). Households referred are
given explicitly (a total shared in proportion to expected victims, or a table), or
:data:`~needs.synth.patterns.DEFAULT_REFERRAL_RATE` x expected victims. No random draws
are made here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from needs.synth.network import Network
from needs.synth.patterns import DEFAULT_REFERRAL_RATE


def prevalence_rate(prevalence: pd.DataFrame | None, period: str) -> float:
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


def expected_victims(
    network: Network, adults: pd.Series, tier_one: pd.Series, prevalence: pd.DataFrame | None
) -> tuple[np.ndarray, dict[str, float]]:
    """Adults 16+ of each host's base areas, and the all-adult prevalence rate of each period:
    expected victims of a host in a period = adults x rate."""
    base_tier = tier_one.reindex(adults.index.astype(str))
    expected_adults = np.array([adults[base_tier.to_numpy() == h].sum() for h in network.hosts], dtype=float)
    rates = {p: prevalence_rate(prevalence, p) for p in network.periods}
    return expected_adults, rates


def household_volumes(
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


def households_per_host(
    households: int | Mapping[str, int] | pd.DataFrame | None,
    network: Network,
    expected_adults: np.ndarray,
    rates: Mapping[str, float],
    n_referrals: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """1. One row per household: its period and host positions.

    With ``n_referrals`` every volume is scaled up so that there are at least that many
    households (each makes at least one referral).
    """
    volumes = household_volumes(households, network.hosts, expected_adults, network.periods, rates)
    if n_referrals is not None:
        # Every household makes at least one referral, so n households always give enough.
        scale = n_referrals / max(int(volumes["households"].sum()), 1)
        volumes["households"] = np.ceil(volumes["households"] * scale).astype(np.int64)
    period_i = volumes["period"].map({p: i for i, p in enumerate(network.periods)}).to_numpy()
    host_i = volumes["host"].map(network.host_index).to_numpy()
    hh_period = np.repeat(period_i, volumes["households"].to_numpy())
    hh_host = np.repeat(host_i, volumes["households"].to_numpy())
    if len(hh_period) == 0:
        raise ValueError("households: no households to generate")
    return hh_period, hh_host
