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
* **Spend by scope.** Committed spend is split by what the service is: ``management``
  (services whose ``support_type`` is ``management``: coordination and commissioning posts,
  MARAC contributions), else by the scope of its accommodation type
  (:data:`needs.reference.categories.SCOPE_OF_ACCOMMODATION_TYPE`): ``safe_accommodation``
  (accommodation-based services, the Part 4 duty), ``community`` (community-based services)
  and ``other`` (non-relevant accommodation or a type not known). The four add up to
  ``committed_total``.
* **Cost per household by scope.** ``cost_per_household_safe_accommodation`` = committed
  spend **in place** on accommodation-based services / households supported in safe
  accommodation; ``cost_per_household_community`` = committed spend in place on
  community-based services / households in community-based support. Households are counted
  by :func:`needs.assessment.counting.households_supported` by host area and the scope of
  the accommodation type of the service that supported them (the counts of
  :func:`needs.assessment.people.supported_by_scope`); a household supported in both scopes
  counts in each. Spend on contracts not yet in place is left out (it supported nobody in
  the period), and so is management, which serves both scopes.
* ``cost_per_household = committed_total / households_supported`` (every service, every
  household: ``cost_per_household`` of DOMAIN 6.3). It mixes management, community-based
  and accommodation-based spend and the contracts not yet in place, so the report shows the
  costs by scope instead.

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
from needs.reference import categories as cat
from needs.reference.periods import period_end, period_start

__all__ = [
    "GRANT_SOURCE",
    "MANAGEMENT",
    "SPEND_SCOPES",
    "funding_by_year",
    "funding_summary",
    "spend_by_service",
]

#: The funding source that is the MHCLG Domestic Abuse Safe Accommodation grant.
GRANT_SOURCE = "mhclg_dasa_grant"

#: The support type of management and coordination (neither scope of support).
MANAGEMENT = "management"
#: Scopes of committed spend: the scopes of support (:data:`needs.reference.categories.SCOPES`)
#: and management.
SPEND_SCOPES: tuple[str, ...] = ("safe_accommodation", "community", MANAGEMENT, "other")

_SUMMARY_COLUMNS = [
    "area_code",
    "period",
    "grant",
    "other_funding",
    "committed_in_place",
    "committed_not_yet",
    "committed_total",
    *(f"committed_{scope}" for scope in SPEND_SCOPES),
    "uncommitted_balance",
]
#: Scopes of support whose cost per household is shown.
_COSTED_SCOPES: tuple[str, ...] = ("safe_accommodation", "community")


def _spend_scope(services: pd.DataFrame) -> pd.Series:
    """The scope of each service's spend: ``management`` for a ``support_type`` of
    management, else the scope of its accommodation type
    (:data:`needs.reference.categories.SCOPE_OF_ACCOMMODATION_TYPE`; ``other`` if unknown)."""
    scope = services["accommodation_type"].astype(str).map(cat.SCOPE_OF_ACCOMMODATION_TYPE).fillna("other")
    return scope.where(services["support_type"].astype(str) != MANAGEMENT, MANAGEMENT).astype(str)


def _committed(dataset: Dataset, periods: Sequence[str]) -> pd.DataFrame:
    """Committed spend of every service in every period (services x periods broadcast).

    Returns one row per (service, period) with overlap: ``area_code``, ``service_id``,
    ``period``, ``status``, ``scope`` (of :data:`SPEND_SCOPES`), ``grant_funded``,
    ``committed``.
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
    scope = _spend_scope(services).to_numpy()
    return pd.DataFrame(
        {
            "area_code": area[service_index],
            "service_id": services["service_id"].astype(str).to_numpy()[service_index],
            "period": np.asarray(periods, dtype=object)[period_index],
            "status": services["status"].astype(str).to_numpy()[service_index],
            "scope": scope[service_index],
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
    in_place = spend["status"] == "in_place"
    by_scope = {f"committed_{scope}": spend["scope"] == scope for scope in SPEND_SCOPES}
    in_place_by_scope = {
        f"in_place_{scope}": in_place & (spend["scope"] == scope) for scope in _COSTED_SCOPES
    }
    columns = {
        "committed_in_place": in_place,
        "committed_not_yet": spend["status"] == "not_yet_in_place",
        "committed_grant": spend["grant_funded"],
        **by_scope,
        **in_place_by_scope,
    }
    spend = (
        spend.assign(**{name: spend["committed"].where(rows, 0.0) for name, rows in columns.items()})
        .groupby(keys, as_index=False)[list(columns)]
        .sum()
    )
    result = money.merge(spend, on=keys, how="outer")
    numbers = ["grant", "other_funding", *columns]
    result[numbers] = result[numbers].fillna(0.0).astype(float)
    result["committed_total"] = result["committed_in_place"] + result["committed_not_yet"]
    result["uncommitted_balance"] = result["grant"] - result["committed_grant"]
    in_place_columns = [f"in_place_{scope}" for scope in _COSTED_SCOPES]
    return result[[*_SUMMARY_COLUMNS, *in_place_columns]].sort_values(keys).reset_index(drop=True)


def funding_summary(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Grant against committed spend in ``period``, spend by scope and cost per household by scope.

    ``committed_total = committed_in_place + committed_not_yet`` = the sum of
    ``committed_safe_accommodation``, ``committed_community``, ``committed_management`` and
    ``committed_other``; ``uncommitted_balance = grant - committed spend of grant-funded
    services``; ``households_safe_accommodation`` and ``households_community`` = households
    supported by services of each scope; ``cost_per_household_safe_accommodation`` and
    ``cost_per_household_community`` = committed spend in place of the scope / its
    households (missing when none was supported); ``cost_per_household`` = committed_total
    / households supported by any service (mixed scopes; not published). See the module
    docstring.

    Returns
    -------
    pandas.DataFrame
        ``area_code, period, grant, other_funding, committed_in_place, committed_not_yet,
        committed_total, committed_safe_accommodation, committed_community,
        committed_management, committed_other, uncommitted_balance, households_supported,
        households_safe_accommodation, households_community, cost_per_household,
        cost_per_household_safe_accommodation, cost_per_household_community``.
    """
    context = _context(dataset, period, context)
    result = _summary(dataset, [period])
    supported = households_supported(context, period, by=["host_tier_one"])
    supported = supported.astype({"host_tier_one": str}).set_index("host_tier_one")["households"]
    result["households_supported"] = (
        supported.reindex(result["area_code"]).fillna(0).astype("int64").to_numpy()
    )
    scoped = context.assign(
        scope=context["accommodation_type"].astype(str).map(cat.SCOPE_OF_ACCOMMODATION_TYPE).fillna("other")
    )
    by_scope = households_supported(scoped, period, by=["host_tier_one", "scope"])
    by_scope = by_scope.astype({"host_tier_one": str, "scope": str}).set_index(["host_tier_one", "scope"])
    for scope in _COSTED_SCOPES:
        index = pd.MultiIndex.from_arrays([result["area_code"], [scope] * len(result)])
        households = by_scope["households"].reindex(index).fillna(0).astype("int64").to_numpy()
        result[f"households_{scope}"] = households
    households = result["households_supported"].where(result["households_supported"] > 0)
    result["cost_per_household"] = result["committed_total"] / households
    for scope in _COSTED_SCOPES:
        households = result[f"households_{scope}"].where(result[f"households_{scope}"] > 0)
        result[f"cost_per_household_{scope}"] = result[f"in_place_{scope}"] / households
    columns = [
        *_SUMMARY_COLUMNS,
        "households_supported",
        *(f"households_{scope}" for scope in _COSTED_SCOPES),
        "cost_per_household",
        *(f"cost_per_household_{scope}" for scope in _COSTED_SCOPES),
    ]
    return result[columns]


def funding_by_year(dataset: Dataset) -> pd.DataFrame:
    """Grant and committed spend for every period in the ``funding`` table, every area.

    The same definitions as :func:`funding_summary`, for the scrutiny summary chart.

    Returns
    -------
    pandas.DataFrame
        ``area_code, period, grant, other_funding, committed_in_place, committed_not_yet,
        committed_total, committed_safe_accommodation, committed_community,
        committed_management, committed_other, uncommitted_balance``.
    """
    periods = sorted(pd.unique(dataset.tables["funding"]["period"].astype(str)))
    if not periods:
        return pd.DataFrame(columns=_SUMMARY_COLUMNS)
    return _summary(dataset, periods)[_SUMMARY_COLUMNS]


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
