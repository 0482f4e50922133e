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

import numpy as np
import pandas as pd

from needs.inputs.dataset import Dataset
from needs.reference.periods import period_end, period_start


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
    return _referrals_in_context(dataset)


def _referrals_in_context(dataset: Dataset, coded_areas: bool = False) -> pd.DataFrame:
    """:func:`referrals_in_context`; with ``coded_areas`` the ``host_tier_one`` and
    ``origin_tier_one`` columns are Categoricals over the sorted tier-one codes (the coding
    of :func:`needs.assessment.referrals.referral_context`), spread from the distinct services and
    origins by integer code so that no million-string column is hashed again."""
    referrals = dataset.tables["referrals"]
    services = dataset.tables["services"].set_index("service_id")
    lookup = tier_one_lookup(dataset)
    out = referrals.copy(deep=False)  # new columns only: the records' columns are shared
    # Look up each distinct service and origin once, then spread to the records by code.
    service_code, service_ids = pd.factorize(out["service_id"].astype(str))
    service_ids = pd.Index(service_ids.astype(object))
    for column in ("accommodation_type", "support_type", "specialism", "host_area_code"):
        if isinstance(services[column].dtype, pd.CategoricalDtype):
            values = services[column].cat.codes.reindex(service_ids, fill_value=-1).to_numpy()
            out[column] = pd.Categorical.from_codes(
                _spread(values, service_code, -1), categories=services[column].cat.categories
            )
        else:
            out[column] = _spread(services[column].reindex(service_ids).to_numpy(), service_code)
    host_area = services["host_area_code"].reindex(service_ids).astype(str)
    host = lookup.reindex(host_area).to_numpy()
    origin_code, origins = pd.factorize(out["origin_area_code"].astype(str))
    origin = lookup.reindex(pd.Index(origins.astype(object))).to_numpy()
    if coded_areas:
        tier_ones = sorted(pd.unique(lookup.astype(str)))
        for column, values, codes in (
            ("host_tier_one", host, service_code),
            ("origin_tier_one", origin, origin_code),
        ):
            per_key = pd.Categorical(pd.Series(values, dtype=object), categories=tier_ones)
            out[column] = pd.Categorical.from_codes(
                _spread(per_key.codes.astype(np.int64), codes, -1), dtype=per_key.dtype
            )
    else:
        out["host_tier_one"] = _spread(host, service_code)
        out["origin_tier_one"] = _spread(origin, origin_code)
    return out


def _spread(values: np.ndarray, codes: np.ndarray, missing: object = None) -> np.ndarray:
    """``values[codes]`` with code -1 (a missing key) giving ``missing`` (NaN by default)."""
    values = np.asarray(values)
    if missing is None:
        missing = np.nan
        if values.dtype.kind not in "OfcMm":
            values = values.astype(object)
    return np.append(values, np.array([missing], dtype=values.dtype))[codes]


def made_in_period(referrals: pd.DataFrame, period: str) -> pd.Series:
    """Boolean mask: referral ``date`` falls in the financial year ``period``."""
    dates = pd.to_datetime(referrals["date"])
    return (dates >= period_start(period)) & (dates <= period_end(period))


def supported_in_period(referrals: pd.DataFrame, period: str) -> pd.Series:
    """Boolean mask: referral was accepted and its support overlaps ``period``."""
    outcome = referrals["outcome"]
    if isinstance(outcome.dtype, pd.CategoricalDtype):  # compare codes, not a million strings
        labels = pd.Series(outcome.cat.categories.astype(str) == "accepted_supported")
        accepted = pd.Series(
            np.append(labels.to_numpy(), False)[outcome.cat.codes.to_numpy()], index=referrals.index
        )
    else:
        accepted = outcome.astype(str) == "accepted_supported"
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
    # A household's integer code (``household_code`` of :func:`needs.assessment.referrals.referral_context`,
    # -1 for a missing id) groups like its id, without hashing strings.
    household = "household_code" if "household_code" in referrals.columns else "household_id"
    supported = referrals.loc[supported_in_period(referrals, period), by + [household, "children"]]
    if household == "household_code":
        supported = supported[supported[household].to_numpy() >= 0]
    per_household = supported.groupby(by + [household], observed=True, sort=False)["children"].max()
    per_household = per_household.reset_index()
    if by:
        totals = per_household.groupby(by, observed=True).agg(
            households=(household, "size"), children=("children", "sum")
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
