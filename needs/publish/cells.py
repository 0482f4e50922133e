"""What a published count is: its key, the columns derived from it, and how counts add up.

Every count the page shows is a *cell* named by a key: what it counts (the ``fact``, e.g.
``referrals`` or ``households_supported``) and the dimensions that narrow it down (e.g.
``accommodation_type=refuge, outcome=pending``). The same count shown in two tables has the
same key, so the page hides it in both or in neither. A dimension whose value is ``all`` is
left out of the key: "referrals to refuge, all outcomes" is the key
``("referrals", (("accommodation_type", "refuge"),))``.

A part of an assessment declares its counts with :class:`Count` and the shares shown beside
them with :class:`Share`, in :class:`PartSpec`; how counts of one fact add up along one
dimension is declared once, in :data:`ADDITIVE`. :mod:`needs.publish.page` runs these
declarations; :mod:`needs.publish.part_specs` holds them.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from needs.assessment.flow import REASON_GROUPS, UNMET_NEED_GROUPS
from needs.reference import categories as cat
from needs.reference.groups import YOUNG_AGE_BANDS, YOUNG_LABEL

__all__ = ["ADDITIVE", "NESTED", "Count", "Key", "PartSpec", "Share", "cell_key", "describe_key"]

#: A cell's key: (fact, ((dimension, value), ...)) with the dimensions sorted.
Key = tuple[str, tuple[tuple[str, str], ...]]

ALL = "all"
#: The category of a characteristic whose total counts only recorded values.
KNOWN = "known"
#: Code of the area's own residents among origins (so keys do not depend on the area code).
OWN_AREA = "own_area"
#: Origins other than the area itself.
OTHER_AREAS = "other_areas"
#: Outcome code of decided referrals (accepted, unable to support, survivor declined).
DECIDED = "decided"


def _is_absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def cell_key(fact: str, dims: Mapping[str, Any]) -> Key:
    """The key of a count: ``fact`` and its dimensions, ``all`` and missing values left out.

    A ``category`` of ``all`` removes its ``characteristic`` too (all households, whatever
    the characteristic).
    """
    items = {str(d): str(v) for d, v in dims.items() if not _is_absent(v)}
    if items.get("category") == ALL:
        items.pop("characteristic", None)
    items = {d: v for d, v in items.items() if v != ALL}
    return (fact, tuple(sorted(items.items())))


def describe_key(key: Key) -> str:
    """A key in words, for audit messages: ``referrals (accommodation_type=refuge, ...)``."""
    fact, dims = key
    inner = ", ".join(f"{d}={v}" for d, v in dims)
    return f"{fact} ({inner})" if inner else fact


@dataclass(frozen=True)
class Count:
    """A column of a part that holds a count of people, households or referrals.

    Parameters
    ----------
    column
        The column holding the count.
    fact
        What it counts. May name columns in braces (``"households_{basis}"``), filled in
        row by row.
    dims
        Columns of the part whose values narrow the count down; ``"period:period_before"``
        names the dimension ``period`` and takes its values from column ``period_before``.
    fixed
        Dimensions with the same value on every row (e.g. ``(("outcome", "decided"),)``).
    derived
        Columns computed from this count (shares, intervals, ratios, means): hidden with it.
    """

    column: str
    fact: str
    dims: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    derived: tuple[str, ...] = ()

    def facts(self, frame: pd.DataFrame) -> pd.Series:
        """The fact of every row (the template filled in)."""
        fields = [name for _, name, _, _ in string.Formatter().parse(self.fact) if name]
        if not fields:
            return pd.Series(self.fact, index=frame.index, dtype=object)
        out = pd.Series("", index=frame.index, dtype=object)
        for literal, name, _, _ in string.Formatter().parse(self.fact):
            out = out + literal
            if name:
                out = out + frame[name].astype(str)
        return out

    def keys(self, frame: pd.DataFrame) -> pd.Series:
        """The key of every row's count."""
        if frame.empty:
            return pd.Series([], index=frame.index, dtype=object)
        facts = self.facts(frame)
        names = {dim.partition(":")[0]: dim.partition(":")[2] or dim for dim in self.dims}
        columns = frame[list(names.values())].set_axis(list(names), axis=1)
        records = columns.to_dict("records") if names else [{}] * len(frame)
        fixed = dict(self.fixed)
        return pd.Series(
            [cell_key(f, {**r, **fixed}) for f, r in zip(facts, records, strict=True)],
            index=frame.index,
            dtype=object,
        )


@dataclass(frozen=True)
class Share:
    """A column showing ``numerator / denominator`` (times ``factor``), rounded when shown.

    The audit reads a shown share ``s`` as ``s - h <= numerator / denominator * factor <= s + h``
    with ``h`` half a unit of the last decimal shown (``decimals`` of the share as a
    proportion: 3 for a percentage to one decimal place).
    """

    column: str
    numerator: str
    denominator: str
    decimals: int = 3
    #: Column the share is divided by (a representation ratio is observed share / expected share).
    divided_by: str | None = None


@dataclass(frozen=True)
class PartSpec:
    """How one assessment part publishes: its counts and shares.

    ``prepare`` adds the columns the keys need (e.g. the origin as "own area"), given the
    part and the :class:`~needs.publish.page.Page` context; it must keep every row.
    """

    part: str
    counts: tuple[Count, ...]
    shares: tuple[Share, ...] = ()
    prepare: Callable[[pd.DataFrame, Any], pd.DataFrame] | None = None


# ---------------------------------------------------------------------------------------------
# How counts add up: declared once for every table
# ---------------------------------------------------------------------------------------------

_DECIDED = frozenset(cat.DECIDED_OUTCOMES)


def _every(code: str) -> bool:
    return True


def _recorded(code: str) -> bool:
    return code != cat.NOT_KNOWN


def _decided(code: str) -> bool:
    return code in _DECIDED


def _elsewhere(code: str) -> bool:
    return code != OWN_AREA


#: Age groups of the lead victim that are sums of age bands: the young victims of
#: :mod:`needs.reference.groups` and every other band (older, or not known); named subtotals
#: of ``category`` (:mod:`needs.publish.children_specs`).
YOUNG_VICTIMS = YOUNG_LABEL
OTHER_AGES = "other_ages"


def _young(code: str) -> bool:
    return code in YOUNG_AGE_BANDS


def _other_ages(code: str) -> bool:
    return code in cat.AGE_BANDS and code not in YOUNG_AGE_BANDS


AGE_GROUPS: tuple[tuple[str, Callable[[str], bool]], ...] = ((YOUNG_VICTIMS, _young), (OTHER_AGES, _other_ages))


def _reason_group(members: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda code: code in members


#: The reason groups of the flows that gather several decline reasons, as named subtotals of
#: ``reason`` (a group of one reason is that reason's own count).
_REASON_GROUP_SUBTOTALS: tuple[tuple[str, Callable[[str], bool]], ...] = tuple(
    (group, _reason_group(members)) for group, (_, members) in REASON_GROUPS.items() if len(members) > 1
)


#: Named subtotals of the household flow's reason groups of households unable to be supported
#: (``latest_decline``, :mod:`needs.publish.story_specs`): unmet need (capacity, needs not met;
#: :data:`needs.assessment.flow.UNMET_NEED_GROUPS`) and the rest, as the unmet part shows them.
UNMET_NEED = "unmet_need"
NOT_UNMET_NEED = "not_unmet_need"


def _unmet_need(code: str) -> bool:
    return code in {f"latest_{group}" for group in UNMET_NEED_GROUPS}


def _not_unmet_need(code: str) -> bool:
    return code.startswith("latest_") and not _unmet_need(code)


#: For each (fact, dimension): the parent codes and which child codes add up to them.
#: ``all`` is the sum of every code; the others are named subtotals. A fact missing here does
#: not add up along that dimension (households supported by accommodation type, for
#: instance: a household may use several).
ADDITIVE: dict[tuple[str, str], tuple[tuple[str, Callable[[str], bool]], ...]] = {
    ("referrals", "accommodation_type"): ((ALL, _every),),
    ("referrals", "outcome"): ((ALL, _every), (DECIDED, _decided)),
    ("referrals", "reason"): ((ALL, _every), *_REASON_GROUP_SUBTOTALS),
    ("referrals", "category"): ((ALL, _every), (KNOWN, _recorded)),
    ("referrals", "origin"): ((ALL, _every), (OTHER_AREAS, _elsewhere)),
    ("households_supported", "category"): ((ALL, _every), (KNOWN, _recorded), *AGE_GROUPS),
    ("households_referred", "category"): ((ALL, _every), (KNOWN, _recorded), *AGE_GROUPS),
    ("households_arriving", "accommodation_type"): ((ALL, _every),),
    # A household usually comes from one area; where the counts do add up (checked by the
    # page), a reader can use the sum, so the page must too.
    ("households_referred", "origin"): ((ALL, _every),),
    # Who was supported by scope: a household supported in both scopes counts in each, so the
    # scopes add up to the total only where none was; where they do, the page uses the sum.
    ("households_supported", "scope"): ((ALL, _every),),
    ("children_supported", "scope"): ((ALL, _every),),
    # The flows (needs.assessment.flow): every state, start and repeat adds up to its base.
    ("households_referred", "state"): ((ALL, _every),),
    ("households_referred", "latest_decline"): (
        (ALL, _every), (UNMET_NEED, _unmet_need), (NOT_UNMET_NEED, _not_unmet_need),
    ),
    ("households_supported", "start"): ((ALL, _every),),
    ("referrals", "repeat"): ((ALL, _every),),
    # The capacity story's specialisms of one accommodation type: where they add up to the
    # type's count (a household used one specialism), a reader can use the sum.
    ("households_arriving", "specialism"): ((ALL, _every),),
    ("households_supported", "specialism"): ((ALL, _every),),
    # Children and young people (needs.publish.children_specs): the categories of each group
    # of households partition the households and their children.
    ("children_referred", "category"): ((ALL, _every),),
    ("children_supported", "category"): ((ALL, _every),),
    ("children_unmet", "category"): ((ALL, _every),),
    ("households_unmet", "category"): ((ALL, _every),),
}

#: Counts whose codes along one dimension nest in the codes of another: (fact, dimension) ->
#: (the wider dimension, code -> wider code). Accommodation types nest in scopes of support:
#: the households supported in refuge, specialist and dispersed accommodation add up to those
#: supported in safe accommodation where no household used two types. As with
#: :data:`ADDITIVE`, a reader who sees the parts add up to the wider count can use the sum, so
#: the page does too, wherever the registered counts satisfy it.
NESTED: dict[tuple[str, str], tuple[str, Mapping[str, str]]] = {
    (fact, "accommodation_type"): ("scope", cat.SCOPE_OF_ACCOMMODATION_TYPE)
    for fact in (
        "households_referred",
        "households_supported",
        "households_unmet",
        "children_referred",
        "children_supported",
        "children_unmet",
    )
}
for _fact in ("households_referred", "households_unmet", "children_referred", "children_unmet"):
    ADDITIVE.setdefault((_fact, "scope"), ((ALL, _every),))

#: Codes that stand for a subtotal of their dimension (never a child of another).
PARENT_CODES: frozenset[Hashable] = frozenset(
    code for parents in ADDITIVE.values() for code, _ in parents
)
