"""Shared counting rules: which referrals belong to which area and period, and who counts
as supported. Every calculation, the synthetic generator's calibration and the annual return
use these definitions, so "households supported" means one thing everywhere.

Definitions
-----------
- A referral belongs to the **host** tier-one area of the service it was made to, and to
  the **origin** tier-one area the household came from.
- A referral is **made in** period P when its ``date`` falls in P.
- A household is **supported in** period P when one of its referrals has outcome
  ``accepted_supported`` and its support (``support_start`` to ``support_end``, open if
  blank) overlaps P. A household is counted once however many referrals it made.
- **Individuals supported** = households supported x (1 lead victim) + their children
  (children are victims in their own right, DA Act 2021 s.3). Where a household has
  several supported referrals, the largest ``children`` value is used.
"""

from __future__ import annotations

import pandas as pd

from needs.dataset import Dataset
from needs.periods import period_end, period_start


def tier_one_lookup(dataset: Dataset) -> pd.Series:
    """Map every area code to its tier-one area code (itself if it has no parent)."""
    areas = dataset.tables["areas"]
    parent = areas["parent_code"].astype("string")
    has_parent = parent.notna() & (parent != "")
    code = areas["area_code"].astype("string")
    return pd.Series(parent.where(has_parent, code).to_numpy(), index=code.to_numpy(), name="tier_one_code")


def referrals_in_context(dataset: Dataset) -> pd.DataFrame:
    """Referrals joined to their service and areas.

    Adds ``accommodation_type``, ``support_type``, ``specialism``, ``host_area_code``
    (from the service), ``host_tier_one`` and ``origin_tier_one``.
    """
    referrals = dataset.tables["referrals"]
    services = dataset.tables["services"].set_index("service_id")
    lookup = tier_one_lookup(dataset)
    out = referrals.copy()
    service_ids = out["service_id"].astype(str)
    for column in ("accommodation_type", "support_type", "specialism", "host_area_code"):
        out[column] = services[column].reindex(service_ids).to_numpy()
        if isinstance(services[column].dtype, pd.CategoricalDtype):
            out[column] = pd.Categorical(out[column], categories=services[column].cat.categories)
    out["host_tier_one"] = lookup.reindex(out["host_area_code"].astype(str)).to_numpy()
    out["origin_tier_one"] = lookup.reindex(out["origin_area_code"].astype(str)).to_numpy()
    return out


def made_in_period(referrals: pd.DataFrame, period: str) -> pd.Series:
    """Boolean mask: referral ``date`` falls in the financial year ``period``."""
    dates = pd.to_datetime(referrals["date"])
    return (dates >= period_start(period)) & (dates <= period_end(period))


def supported_in_period(referrals: pd.DataFrame, period: str) -> pd.Series:
    """Boolean mask: referral was accepted and its support overlaps ``period``."""
    accepted = referrals["outcome"].astype(str) == "accepted_supported"
    start = pd.to_datetime(referrals["support_start"])
    end = pd.to_datetime(referrals["support_end"])
    overlaps = (start <= period_end(period)) & (end.isna() | (end >= period_start(period)))
    return accepted & overlaps.fillna(False)


def households_supported(referrals: pd.DataFrame, period: str, by: list[str] | None = None) -> pd.DataFrame:
    """Households supported in ``period``, counted once each, with individuals.

    Parameters
    ----------
    referrals
        Referrals (typically from :func:`referrals_in_context`).
    period
        Financial year label.
    by
        Grouping columns (e.g. ``["host_tier_one"]``); ``None`` for one total row.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns plus ``households``, ``children``, ``individuals``.
    """
    by = list(by or [])
    supported = referrals.loc[supported_in_period(referrals, period), by + ["household_id", "children"]]
    per_household = supported.groupby(by + ["household_id"], observed=True, sort=False)["children"].max()
    per_household = per_household.reset_index()
    if by:
        totals = per_household.groupby(by, observed=True).agg(
            households=("household_id", "size"), children=("children", "sum")
        )
        totals = totals.reset_index()
    else:
        totals = pd.DataFrame(
            {"households": [len(per_household)], "children": [int(per_household["children"].sum())]}
        )
    totals["individuals"] = totals["households"] + totals["children"]
    return totals


def individuals_supported(dataset: Dataset, period: str, area_code: str | None = None) -> int:
    """Victims supported (lead victims plus children) by services hosted in ``area_code``
    (all services if ``None``) during ``period``; the figure councils return to MHCLG."""
    referrals = referrals_in_context(dataset)
    if area_code is not None:
        referrals = referrals[referrals["host_tier_one"] == area_code]
    return int(households_supported(referrals, period)["individuals"].iloc[0])
