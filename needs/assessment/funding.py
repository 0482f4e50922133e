"""Funding: the safe-accommodation grant by year against committed spend.

Definitions (``shared/DOMAIN.md`` 1.5 and 6.3, ``shared/DESIGN.md`` 4.5):

* ``grant``: rows of the ``funding`` table with source ``mhclg_dasa_grant`` (the MHCLG
  Domestic Abuse Safe Accommodation grant) for the area and period; ``other_funding``:
  every other source.
* **Committed spend** of a service in a financial year is its ``annual_cost`` pro rata to
  the days its contract (``start`` to ``end``, open if blank) overlaps the year:
  ``annual_cost x overlap_days / days_in_year``. It is split by ``status`` into spend
  ``in_place`` and spend ``not_yet_in_place`` (commissioned contracts not yet running).
  A service's spend belongs to the tier-one area hosting it.
* ``uncommitted_balance = grant - committed spend of the services funded by the grant``
  (``funding_source`` ``mhclg_dasa_grant``, both statuses); negative when commitments
  exceed the grant.
* ``cost_per_household = committed_total / households_supported``, with households
  supported by services hosted in the area counted by
  :func:`needs.assessment.counting.households_supported` (``cost_per_household`` of DOMAIN 6.3).

All areas and periods are computed at once by broadcasting services against periods and
grouping; nothing loops over areas or records.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from needs.assessment.counting import households_supported, tier_one_lookup
from needs.assessment.referrals import _context
from needs.inputs.dataset import Dataset
from needs.reference.periods import period_end, period_start

__all__ = ["GRANT_SOURCE", "funding_by_year", "funding_summary", "spend_by_service"]

#: The funding source that is the MHCLG Domestic Abuse Safe Accommodation grant.
GRANT_SOURCE = "mhclg_dasa_grant"

_SUMMARY_COLUMNS = [
    "area_code",
    "period",
    "grant",
    "other_funding",
    "committed_in_place",
    "committed_not_yet",
    "committed_total",
    "uncommitted_balance",
]


def _committed(dataset: Dataset, periods: Sequence[str]) -> pd.DataFrame:
    """Committed spend of every service in every period (services x periods broadcast).

    Returns one row per (service, period) with overlap: ``area_code``, ``service_id``,
    ``period``, ``status``, ``grant_funded``, ``committed``.
    """
    services = dataset.tables["services"]
    starts = np.array([period_start(p) for p in periods], dtype="datetime64[ns]")
    ends = np.array([period_end(p) for p in periods], dtype="datetime64[ns]")
    year_days = (ends - starts).astype("timedelta64[D]").astype(np.int64) + 1
    start = pd.to_datetime(services["start"]).to_numpy(dtype="datetime64[ns]")[:, None]
    end = pd.to_datetime(services["end"]).to_numpy(dtype="datetime64[ns]")[:, None]
    covered_to = np.where(np.isnat(end), ends[None, :], np.minimum(end, ends[None, :]))
    covered_from = np.maximum(start, starts[None, :])
    overlap = ((covered_to - covered_from).astype("timedelta64[D]").astype(np.int64) + 1).clip(min=0)
    cost = services["annual_cost"].to_numpy(dtype=float)[:, None]
    committed = cost * overlap / year_days[None, :]
    service_index, period_index = np.nonzero(overlap > 0)
    lookup = tier_one_lookup(dataset)
    area = lookup.reindex(services["host_area_code"].astype(str)).astype(str).to_numpy()
    return pd.DataFrame(
        {
            "area_code": area[service_index],
            "service_id": services["service_id"].astype(str).to_numpy()[service_index],
            "period": np.asarray(periods, dtype=object)[period_index],
            "status": services["status"].astype(str).to_numpy()[service_index],
            "grant_funded": (services["funding_source"].astype(str) == GRANT_SOURCE).to_numpy()[
                service_index
            ],
            "committed": committed[service_index, period_index],
        }
    )


def _summary(dataset: Dataset, periods: Sequence[str]) -> pd.DataFrame:
    """Grant, other funding and committed spend by area x period (no households)."""
    keys = ["area_code", "period"]
    funding = dataset.tables["funding"].astype({"area_code": str, "period": str, "source": str})
    funding = funding[funding["period"].isin(list(periods))]
    money = (
        funding.assign(
            grant=funding["amount"].where(funding["source"] == GRANT_SOURCE, 0.0),
            other_funding=funding["amount"].where(funding["source"] != GRANT_SOURCE, 0.0),
        )
        .groupby(keys, as_index=False)[["grant", "other_funding"]]
        .sum()
    )
    spend = _committed(dataset, periods)
    spend = (
        spend.assign(
            committed_in_place=spend["committed"].where(spend["status"] == "in_place", 0.0),
            committed_not_yet=spend["committed"].where(spend["status"] == "not_yet_in_place", 0.0),
            committed_grant=spend["committed"].where(spend["grant_funded"], 0.0),
        )
        .groupby(keys, as_index=False)[["committed_in_place", "committed_not_yet", "committed_grant"]]
        .sum()
    )
    result = money.merge(spend, on=keys, how="outer")
    numbers = ["grant", "other_funding", "committed_in_place", "committed_not_yet", "committed_grant"]
    result[numbers] = result[numbers].fillna(0.0).astype(float)
    result["committed_total"] = result["committed_in_place"] + result["committed_not_yet"]
    result["uncommitted_balance"] = result["grant"] - result["committed_grant"]
    return result[_SUMMARY_COLUMNS].sort_values(keys).reset_index(drop=True)


def funding_summary(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Grant against committed spend in ``period``, with cost per household supported.

    ``committed_total = committed_in_place + committed_not_yet``;
    ``uncommitted_balance = grant - committed spend of grant-funded services``;
    ``cost_per_household = committed_total / households_supported`` (missing when no
    household was supported). See the module docstring for the pro-rata rule.

    Returns
    -------
    pandas.DataFrame
        ``area_code, period, grant, other_funding, committed_in_place, committed_not_yet,
        committed_total, uncommitted_balance, households_supported, cost_per_household``.
    """
    context = _context(dataset, period, context)
    result = _summary(dataset, [period])
    supported = households_supported(context, period, by=["host_tier_one"])
    supported = supported.astype({"host_tier_one": str}).set_index("host_tier_one")["households"]
    result["households_supported"] = (
        supported.reindex(result["area_code"]).fillna(0).astype("int64").to_numpy()
    )
    households = result["households_supported"].where(result["households_supported"] > 0)
    result["cost_per_household"] = result["committed_total"] / households
    return result


def funding_by_year(dataset: Dataset) -> pd.DataFrame:
    """Grant and committed spend for every period in the ``funding`` table, every area.

    The same definitions as :func:`funding_summary`, for the scrutiny summary chart.

    Returns
    -------
    pandas.DataFrame
        ``area_code, period, grant, other_funding, committed_in_place, committed_not_yet,
        committed_total, uncommitted_balance``.
    """
    periods = sorted(pd.unique(dataset.tables["funding"]["period"].astype(str)))
    if not periods:
        return pd.DataFrame(columns=_SUMMARY_COLUMNS)
    return _summary(dataset, periods)


def spend_by_service(dataset: Dataset, period: str) -> pd.DataFrame:
    """Each service whose contract overlaps ``period``, with its committed spend there.

    ``committed_in_period = annual_cost x overlap_days / days_in_period``.

    Returns
    -------
    pandas.DataFrame
        ``area_code, service_id, name, provider, accommodation_type, support_type, status,
        annual_cost, committed_in_period``.
    """
    spend = _committed(dataset, [period])[["area_code", "service_id", "committed"]]
    services = (
        dataset.tables["services"].astype({"service_id": str}).drop(columns=["area_code"], errors="ignore")
    )
    result = spend.merge(services, on="service_id", how="left")
    result = result.rename(columns={"committed": "committed_in_period"})
    for column in ("name", "provider", "accommodation_type", "support_type", "status"):
        result[column] = result[column].astype(str)
    result["annual_cost"] = result["annual_cost"].astype(float)
    columns = [
        "area_code",
        "service_id",
        "name",
        "provider",
        "accommodation_type",
        "support_type",
        "status",
        "annual_cost",
        "committed_in_period",
    ]
    return result[columns].sort_values(["area_code", "service_id"]).reset_index(drop=True)
