"""Households and individuals supported, by scope: in safe accommodation (the Part 4 duty)
and community-based support.

Definitions
-----------
The scope of a referral is the scope of the accommodation type of the service it was made to
(:data:`needs.reference.categories.SCOPE_OF_ACCOMMODATION_TYPE`): ``safe_accommodation`` for
the types of "relevant safe accommodation" (SI 2021/991 reg. 2, sanctuary schemes included;
``shared/DOMAIN.md`` 1.3), ``community`` for services that are not accommodation-based
(s.57(6) "other support"), ``other`` for non-relevant accommodation or a type not known.

Within each scope, households, children and individuals supported follow the one counting
rule, :func:`needs.assessment.counting.households_supported`: a household is supported when
one of its accepted referrals to a service of that scope overlaps the period; it counts once;
``adults = households`` (one lead victim each); ``children`` is the largest ``children`` value
of its supported referrals of that scope; ``individuals = adults + children``.

A household supported in both scopes counts in each scope and once in the total (scope
``all``), so **the scopes need not add up to the total**; where they do (no household was
supported in two scopes) the page uses the sum (:data:`needs.publish.cells.ADDITIVE`).
"""

from __future__ import annotations

import pandas as pd

from needs.assessment.counting import households_supported
from needs.assessment.referrals import referral_context
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat

__all__ = ["SCOPE_ALL", "SUPPORTED_COLUMNS", "scope_column", "supported_by_scope", "supported_by_scope_of"]

#: Scope code of the total (each household once, whatever its scopes).
SCOPE_ALL = "all"
#: Scopes always shown (``other`` only where present), then the total.
_ALWAYS = ("safe_accommodation", "community")
SUPPORTED_COLUMNS: tuple[str, ...] = ("scope", "households", "adults", "children", "individuals")


def scope_column(accommodation_type: pd.Series) -> pd.Series:
    """The scope of each referral from its service's accommodation type (``other`` when the
    type is missing or not in :data:`~needs.reference.categories.SCOPE_OF_ACCOMMODATION_TYPE`)."""
    mapped = accommodation_type.map(cat.SCOPE_OF_ACCOMMODATION_TYPE)
    if isinstance(mapped.dtype, pd.CategoricalDtype):
        mapped = mapped.astype(object)
    return pd.Series(
        pd.Categorical(mapped.fillna("other"), categories=list(cat.SCOPES.codes)),
        index=accommodation_type.index,
        name="scope",
    )


def supported_by_scope_of(referrals: pd.DataFrame, period: str, by: list[str] | None = None) -> pd.DataFrame:
    """Households, adults, children and individuals supported in ``period`` by scope and in total.

    Parameters
    ----------
    referrals
        Referrals with ``accommodation_type``, ``outcome``, ``support_start``,
        ``support_end``, ``children`` and a household column (as
        :func:`~needs.assessment.counting.households_supported` reads them).
    period
        Financial year label.
    by
        Grouping columns (e.g. ``["host_tier_one"]``); ``None`` for one set of rows.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, then :data:`SUPPORTED_COLUMNS`: one row per group and scope present
        (``safe_accommodation`` and ``community`` always, zero where none; ``other`` only
        where present) and one with scope ``all`` (each household once). The annual return
        (:mod:`needs.outputs.annual_return`) and the report both use this function.
    """
    by = list(by or [])
    scoped = referrals.assign(scope=scope_column(referrals["accommodation_type"]))
    by_scope = households_supported(scoped, period, by=[*by, "scope"])
    by_scope["scope"] = by_scope["scope"].astype(str)
    total = households_supported(referrals, period, by=by or None).assign(scope=SCOPE_ALL)
    groups = total[by].drop_duplicates() if by else pd.DataFrame(index=[0])
    always = groups.merge(pd.DataFrame({"scope": list(_ALWAYS)}), how="cross")
    if by:
        for column in by:
            by_scope[column] = by_scope[column].astype(str)
            total[column] = total[column].astype(str)
            always[column] = always[column].astype(str)
    found = always.merge(by_scope, on=[*by, "scope"], how="outer")
    frame = pd.concat([found, total], ignore_index=True)
    for column in ("households", "children", "individuals"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["adults"] = frame["households"]
    rank = {code: i for i, code in enumerate((*cat.SCOPES.codes, SCOPE_ALL))}
    frame = frame.assign(_rank=frame["scope"].map(rank)).sort_values([*by, "_rank"], kind="stable")
    return frame[[*by, *SUPPORTED_COLUMNS]].reset_index(drop=True)


def supported_by_scope(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Households, adults, children and individuals supported by services hosted in each
    tier-one area in ``period``, by scope and in total (:func:`supported_by_scope_of` by
    ``host_tier_one``).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, then :data:`SUPPORTED_COLUMNS`; areas with no household supported
        have no rows.
    """
    if context is None:
        context = referral_context(dataset, period)
    frame = supported_by_scope_of(context, period, by=["host_tier_one"])
    return frame.rename(columns={"host_tier_one": "area_code"}).astype({"area_code": str})
