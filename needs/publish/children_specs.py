"""The counts and tables of children and young people, declared once.

:data:`CHILDREN_PART_SPECS`, :data:`CHILDREN_TABLE_SPECS` and :data:`CHILDREN_MEASURE_SPECS`
join those of :mod:`needs.publish.story_specs`.

Keys (:func:`needs.publish.cells.cell_key`)
-------------------------------------------
The part :func:`needs.assessment.children.children_and_young_people` has, for each group of
services (all, a scope, an accommodation type) and group of households (``characteristic``,
``category``), households and their children referred, supported and unable to be supported.

* Households are the facts ``households_referred``, ``households_supported`` and
  ``households_unmet``; children ``children_referred``, ``children_supported`` and
  ``children_unmet``. A group of services is the dimension ``scope`` or
  ``accommodation_type`` (none for all services), so the totals are the keys of the other
  parts: ``households_supported`` and ``households_unmet`` of the unmet part,
  ``households_supported (scope=...)`` and ``children_supported (scope=...)`` of the scope
  table.
* A group of services that holds the same households as a wider one is keyed as the wider
  one (an accommodation type that is the only type of its scope in the data, a scope that
  is the only scope), so the same number is one cell.
* Households referred and supported by all services with older sons are the
  representation tables' ``households_... (characteristic=need_older_sons, category=...)``;
  young victims are ``households_... (characteristic=age_band, category=16-24)`` and the
  others ``other_ages`` (older or age not known), named subtotals of the age bands
  (:data:`needs.publish.cells.AGE_GROUPS`). Elsewhere the groups are
  ``characteristic=with_children``, ``need_older_sons``, ``large_family`` and
  ``young_victim`` with their categories, which add up to the group's total
  (:data:`needs.publish.cells.ADDITIVE`). Households by accommodation type or scope do not
  add up (a household may use several), so no sum across them is declared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from needs.publish.cells import ALL, OTHER_AGES, YOUNG_VICTIMS, Count, PartSpec
from needs.publish.layout import MeasureSpec, TableSpec
from needs.publish.tables import Column
from needs.reference import categories as cat
from needs.reference.groups import LARGE_FAMILY_CHILDREN, YOUNG_LABEL

__all__ = ["CHILDREN_MEASURE_SPECS", "CHILDREN_PART_SPECS", "CHILDREN_TABLE_SPECS", "GROUP_LABELS"]

#: The groups of households the report shows: (characteristic, category) -> label.
GROUP_LABELS: dict[tuple[str, str], str] = {
    (ALL, ALL): "All households",
    ("with_children", "yes"): "Households with children",
    ("need_older_sons", "yes"): "Households with older sons (aged 12 or over)",
    ("large_family", "yes"): f"Large families ({LARGE_FAMILY_CHILDREN} or more children)",
    ("young_victim", "yes"): f"Young victims aged {YOUNG_LABEL} (lead victim)",
}

#: Households facts whose young-victim groups for all services are age-band subtotals.
_AGE_GROUP_OF_YOUNG = {"yes": YOUNG_VICTIMS, "no": OTHER_AGES}
_INDENT = "\u2003"


def _services_keys(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The ``scope`` and ``accommodation_type`` of each row's key: ``None`` for all, and a
    group of services that holds the same households as a wider one keyed as the wider one."""
    area = frame["area_code"].astype(str)
    scope = frame["scope"].astype(str)
    kind = frame["accommodation_type"].astype(str)
    by_type = (scope != ALL) & (kind != ALL)
    by_scope = (scope != ALL) & (kind == ALL)
    types = frame[by_type].groupby([area[by_type], scope[by_type]])["accommodation_type"].nunique()
    scopes = frame[by_scope].groupby(area[by_scope])["scope"].nunique()
    only_type = pd.Series(list(zip(area, scope, strict=True)), index=frame.index).map(types.eq(1).to_dict())
    only_scope = area.map(scopes.eq(1).to_dict())
    own_type = by_type & ~only_type.fillna(False).astype(bool)
    # A scope row, or a type row keyed as its scope, is all services when its scope is the only one.
    own_scope = (scope != ALL) & ~own_type & ~only_scope.fillna(False).astype(bool)
    type_key = kind.where(own_type, None).to_numpy(dtype=object)
    scope_key = scope.where(own_scope, None).to_numpy(dtype=object)
    return scope_key, type_key


def _keys(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """The keys' dimensions (``scope_key``, ``type_key``; ``household_characteristic`` and
    ``household_category`` for the households referred and supported) and the rows' labels.

    Only the rows the tables show are kept (every group of households for all services, all
    households for each scope and type): a row the page does not show must not constrain
    what it hides."""
    everything_served = (frame["scope"].astype(str) == ALL) & (frame["accommodation_type"].astype(str) == ALL)
    pairs = pd.Series(
        list(zip(frame["characteristic"].astype(str), frame["category"].astype(str), strict=True)),
        index=frame.index,
    )
    shown = (everything_served & pairs.isin(list(GROUP_LABELS)).to_numpy()) | (
        frame["characteristic"].astype(str) == ALL
    )
    frame = frame[shown.to_numpy()].reset_index(drop=True)
    scope_key, type_key = _services_keys(frame)
    characteristic = frame["characteristic"].astype(str)
    category = frame["category"].astype(str)
    everything = pd.isna(scope_key) & pd.isna(type_key)
    young = everything & (characteristic == "young_victim").to_numpy()
    scope = frame["scope"].astype(str)
    kind = frame["accommodation_type"].astype(str)
    level = np.where(scope == ALL, 0, np.where(kind == ALL, 1, 2))
    services = np.where(
        level == 0,
        "All services (each household once)",
        np.where(
            level == 1,
            scope.map(cat.SCOPES.label),
            _INDENT + kind.map(cat.ACCOMMODATION_TYPES.label),
        ),
    )
    scope_rank = scope.map({code: i for i, code in enumerate((ALL, *cat.SCOPES.codes))}).fillna(99)
    type_rank = kind.map({code: i for i, code in enumerate((ALL, *cat.ACCOMMODATION_TYPES.codes))}).fillna(99)
    return frame.assign(
        scope_key=scope_key,
        type_key=type_key,
        household_characteristic=np.where(young, "age_band", characteristic),
        household_category=np.where(young, category.map(_AGE_GROUP_OF_YOUNG).fillna(category), category),
        group=[GROUP_LABELS.get(pair, "") for pair in zip(characteristic, category, strict=True)],
        services=services,
        services_order=np.where(level == 0, -1, scope_rank * 100 + type_rank),
    )


_SERVICES = ("scope:scope_key", "accommodation_type:type_key")
_HOUSEHOLDS = (*_SERVICES, "characteristic:household_characteristic", "category:household_category")
_GROUPS = (*_SERVICES, "characteristic", "category")

CHILDREN_PART_SPECS: tuple[PartSpec, ...] = (
    PartSpec(
        "children",
        counts=(
            Count("households_referred", "households_referred", _HOUSEHOLDS),
            Count("children_referred", "children_referred", _GROUPS),
            Count("households_supported", "households_supported", _HOUSEHOLDS),
            Count("children_supported", "children_supported", _GROUPS),
            Count("households_unmet", "households_unmet", _GROUPS),
            Count("children_unmet", "children_unmet", _GROUPS),
        ),
        prepare=_keys,
    ),
)

_COUNTS = (
    Column("Households referred", "households_referred", "count", count=True),
    Column("Children in households referred", "children_referred", "count", count=True),
    Column("Households supported", "households_supported", "count", count=True),
    Column("Children in households supported", "children_supported", "count", count=True),
    Column("Households not supported by any service in this dataset", "households_unmet", "count", count=True),
    Column("Children in households not supported", "children_unmet", "count", count=True),
)
_NOT_SUPPORTED = (
    "'Not supported by any service in this dataset': households a service in the area was unable to "
    "support (a referral made in the period) that no service in this dataset supported in the period; "
    "services that sent no records are not in it."
)
_CHILDREN = (
    "A household's children are the most recorded on its referrals; its other characteristics "
    "are those of its most recent referral."
)

CHILDREN_TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "children_groups",
        part="children",
        columns=(Column("Group of households", "group"), *_COUNTS),
        caption="Children and young people referred, supported and not supported, all services, {where}",
        row_header="Group of households",
        note=f"Each household is counted once. {_CHILDREN} Large families have {LARGE_FAMILY_CHILDREN} or "
        f"more children recorded or are flagged as large. {_NOT_SUPPORTED}",
        rows=(
            ("scope", (ALL,)),
            ("accommodation_type", (ALL,)),
            ("characteristic", tuple(c for c, _ in GROUP_LABELS)),
            ("category", (ALL, "yes")),
        ),
        description="Households and their children referred, supported and not supported by any service in this dataset, "
        "for every household, households with children, older sons, large families and young victims.",
    ),
    TableSpec(
        "children_by_services",
        part="children",
        columns=(Column("Services", "services"), *_COUNTS),
        caption="Children in households referred, supported and not supported, by scope of support and "
        "accommodation type, {where}",
        row_header="Services",
        note="A household supported by services of two types is counted under each, so the types need "
        f"not add up to their scope, nor the scopes to all services. {_CHILDREN} {_NOT_SUPPORTED}",
        rows=(("characteristic", (ALL,)),),
        order=("services_order",),
        description="Households and their children referred, supported and not supported by any service in this dataset, by "
        "scope of support (safe accommodation, community-based) and accommodation type.",
    ),
)
CHILDREN_MEASURE_SPECS: tuple[MeasureSpec, ...] = ()
