"""Children and young people: children in households referred and supported, older sons,
large families and young victims aged 16 to 24, and how many of them could not be supported.

Children are victims of domestic abuse in their own right (Domestic Abuse Act 2021 s.3), and
every assessment counts them (``shared/DOMAIN.md`` section 5, "Children and young people").
One function, :func:`children_and_young_people`, gives the report's part and the lines of
the annual return's section (:func:`children_return_section`).

Counting rules
--------------
The rules of :mod:`needs.assessment.counting`, applied within each group of services:

* a household is **referred** in period P when it has a referral made in P to a service of
  the group, and **supported** when one of its referrals to a service of the group was
  accepted and its support overlaps P (:func:`needs.assessment.counting.supported_in_period`);
  it counts once per group however many referrals it made;
* a household's **children** are the largest ``children`` of its referrals of that basis in
  the group (for households supported, the rule of
  :func:`needs.assessment.counting.households_supported`);
* a household's characteristics (older sons, the large-family flag, the lead victim's age
  band) are those of its **most recent** referral of that basis in the group (latest
  ``date``, then latest ``referral_id``), the rule of
  :mod:`needs.assessment.representation`, so the counts for all services are the numbers of
  the representation tables;
* a household is **unable to be supported** (unmet) when it had an ``unable_to_support``
  referral made in P to a service of the group and no support anywhere in the data in P
  (the rule of :func:`needs.assessment.referrals.unmet_households`); its children and
  characteristics are those of its referrals made in P to the group.

Groups of services: each **accommodation type**, each **scope** of support
(:data:`needs.reference.categories.SCOPE_OF_ACCOMMODATION_TYPE`: in safe accommodation, the
Part 4 duty, or community-based) and **all** services. A household supported by services of
two types counts under each type, so types (and scopes) need not add up to the total.

Groups of households (``characteristic``, ``category``):

* ``all``: every household;
* ``with_children``: ``yes`` when it has at least one child;
* ``need_older_sons``: its ``need_older_sons`` flag (``yes``, ``no``, ``not_known``);
* ``large_family``: ``yes`` when the ``need_large_family`` flag is ``yes`` or it has at
  least :data:`needs.reference.groups.LARGE_FAMILY_CHILDREN` children;
* ``young_victim``: ``yes`` when the lead victim's age band is one of
  :data:`needs.reference.groups.YOUNG_AGE_BANDS` (16-24), ``no`` otherwise (older, or age
  not recorded).

The categories of each characteristic partition the households (and their children), so
they add up to the ``all`` row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs.assessment.referrals import referral_context
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat
from needs.reference.groups import LARGE_FAMILY_CHILDREN, YOUNG_AGE_BANDS, YOUNG_LABEL

__all__ = [
    "CHARACTERISTICS",
    "COUNT_COLUMNS",
    "RETURN_COLUMNS",
    "children_and_young_people",
    "children_return_section",
]

ALL = "all"
YES, NO = "yes", "no"

#: Groups of households: characteristic -> its categories, in display order.
CHARACTERISTICS: dict[str, tuple[str, ...]] = {
    ALL: (ALL,),
    "with_children": (YES, NO),
    "need_older_sons": (YES, NO, cat.NOT_KNOWN),
    "large_family": (YES, NO),
    "young_victim": (YES, NO),
}

#: The counts of every row: households and their children, by basis.
COUNT_COLUMNS: tuple[str, ...] = (
    "households_referred",
    "children_referred",
    "households_supported",
    "children_supported",
    "households_unmet",
    "children_unmet",
)

#: Columns of the return's section (those of :data:`needs.outputs.annual_return.SECTION_COLUMNS`).
RETURN_COLUMNS: tuple[str, ...] = ("group", "line", "code", "unit", "value")

_GROUP_KEYS = ["area_code", "scope", "accommodation_type"]
_COLUMNS = [*_GROUP_KEYS, "characteristic", "category", *COUNT_COLUMNS]
#: Codes of the groups of services: ``all`` first, then each list's codes.
_SCOPE_CODES: tuple[str, ...] = (ALL, *cat.SCOPES.codes)
_TYPE_CODES: tuple[str, ...] = (ALL, *cat.ACCOMMODATION_TYPES.codes)
#: The scope of each type of :data:`_TYPE_CODES` (``all`` for ``all``), as positions.
_SCOPE_OF_TYPE = np.array(
    [0, *(_SCOPE_CODES.index(cat.SCOPE_OF_ACCOMMODATION_TYPE.get(t, "other")) for t in _TYPE_CODES[1:])]
)


def _codes(values: pd.Series, codes: tuple[str, ...], missing: int) -> np.ndarray:
    """Positions of ``values`` in ``codes`` (categorical or not); blank, missing or other
    values get ``missing``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        where = pd.Index(list(codes)).get_indexer(values.cat.categories.astype(str).str.strip())
        out = np.append(where, -1)[values.cat.codes.to_numpy()]
    else:
        out = pd.Index(list(codes)).get_indexer(values.astype(object).str.strip())
    return np.where(out < 0, missing, out).astype(np.int64)


def _records(context: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The referrals of the context with a host area and a household as integer arrays, in
    order of date and referral id (so a household's most recent referral of a group is its
    last), and the area codes ``area`` indexes: ``area``, ``scope`` and ``type`` (positions
    in :data:`_SCOPE_CODES`, :data:`_TYPE_CODES`), ``household``, the bases ``made`` and
    ``supported``, ``unable`` (made in the period and unable to support), ``children`` and the
    household's categories (positions in :data:`CHARACTERISTICS`)."""
    host = context["host_tier_one"]
    if isinstance(host.dtype, pd.CategoricalDtype):
        area, areas = (
            host.cat.codes.to_numpy().astype(np.int64),
            np.asarray(host.cat.categories, dtype=object),
        )
    else:
        area, areas = pd.factorize(host)
        areas = np.asarray(areas, dtype=object)
    household = context["household_code"].to_numpy().astype(np.int64)
    keep = np.flatnonzero((area >= 0) & (household >= 0))
    rows = context.iloc[keep]
    dates = pd.to_datetime(rows["date"]).to_numpy().view("i8")
    referral = pd.factorize(rows["referral_id"].astype(str), sort=True)[0]
    order = np.lexsort((referral, dates))
    rows = rows.iloc[order]
    kind = _codes(rows["accommodation_type"], _TYPE_CODES, _TYPE_CODES.index(cat.NOT_KNOWN))
    children = pd.to_numeric(rows["children"], errors="coerce").fillna(0).to_numpy().astype(np.int64)
    made = rows["made_in_period"].to_numpy(dtype=bool)
    outcome = _codes(rows["outcome"], ("unable_to_support",), -1)
    band = _codes(rows["age_band"], cat.AGE_BANDS.codes, -1)
    young = np.isin(band, [cat.AGE_BANDS.codes.index(b) for b in YOUNG_AGE_BANDS])
    sons = CHARACTERISTICS["need_older_sons"]
    large_flag = _codes(rows[cat.need_column("large_family")], (YES,), -1) == 0
    return (
        {
            "area": area[keep][order],
            "type": kind,
            "scope": _SCOPE_OF_TYPE[kind],
            "household": household[keep][order],
            "made": made,
            "supported": rows["supported_in_period"].to_numpy(dtype=bool),
            "unable": made & (outcome == 0),
            "children": children,
            "large_flag": large_flag,
            "need_older_sons": _codes(rows[cat.need_column("older_sons")], sons, sons.index(cat.NOT_KNOWN)),
            "young_victim": np.where(young, 0, 1),
        },
        areas,
    )


def _households(records: dict[str, np.ndarray], basis: np.ndarray) -> dict[str, np.ndarray]:
    """One entry per group of services and household of the referrals of ``basis``: the
    group (``(area * scopes + scope) * types + type``, each referral counted for its type,
    its scope and all services), the household, its largest ``children``, whether any
    referral was unable to be supported, and the categories of its most recent referral."""
    n_scopes, n_types = len(_SCOPE_CODES), len(_TYPE_CODES)
    rows = np.flatnonzero(basis)
    area, scope, kind = records["area"][rows], records["scope"][rows], records["type"][rows]
    groups = np.concatenate(
        [
            (area * n_scopes + scope) * n_types + kind,
            (area * n_scopes + scope) * n_types,
            area * n_scopes * n_types,
        ]
    )
    rows = np.tile(rows, 3)  # each copy in date order, and the copies' groups never meet
    household = records["household"][rows]
    n_households = int(records["household"].max()) + 1
    key = groups * n_households + household
    index, keys = pd.factorize(key)
    last = np.flatnonzero(~pd.Series(key).duplicated(keep="last").to_numpy())  # the most recent
    latest = np.zeros(len(keys), dtype=np.int64)
    latest[index[last]] = rows[last]
    children = np.zeros(len(keys), dtype=np.int64)
    np.maximum.at(children, index, records["children"][rows])
    unable = np.zeros(len(keys), dtype=bool)
    np.logical_or.at(unable, index, records["unable"][rows])
    categories = {
        ALL: np.zeros(len(keys), dtype=np.int64),
        "with_children": np.where(children > 0, 0, 1),
        "need_older_sons": records["need_older_sons"][latest],
        "large_family": np.where(records["large_flag"][latest] | (children >= LARGE_FAMILY_CHILDREN), 0, 1),
        "young_victim": records["young_victim"][latest],
    }
    return {
        "group": keys // n_households,
        "household": keys % n_households,
        "children": children,
        "unable": unable,
        **categories,
    }


def _counts(households: dict[str, np.ndarray], n_groups: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each characteristic: households and their children by group of services and
    category, as (groups x categories) arrays."""
    out = {}
    for characteristic, codes in CHARACTERISTICS.items():  # a fixed list of groups, not records
        key = households["group"] * len(codes) + households[characteristic]
        size = n_groups * len(codes)
        count = np.bincount(key, minlength=size).reshape(n_groups, len(codes))
        children = np.bincount(key, weights=households["children"], minlength=size).reshape(
            n_groups, len(codes)
        )
        out[characteristic] = (count, children.round().astype(np.int64))
    return out


def children_and_young_people(
    dataset: Dataset, period: str, *, context: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Children and young people referred, supported and unable to be supported, by host area.

    For each host tier-one area, each group of services (accommodation type, scope of
    support, all services) and each group of households (module docstring):

    * ``households_referred``, ``children_referred``: households referred in ``period`` and
      the sum over them of their largest ``children`` among the referrals made in the period;
    * ``households_supported``, ``children_supported``: households supported in the period
      and their children (:func:`needs.assessment.counting.households_supported`);
    * ``households_unmet``, ``children_unmet``: households referred with an
      ``unable_to_support`` referral made in the period and no support anywhere in the
      period (:func:`needs.assessment.referrals.unmet_households`), and their children.

    Parameters
    ----------
    dataset
        Validated data (:func:`needs.load`).
    period
        Financial year, e.g. ``"2023-24"``.
    context
        :func:`needs.assessment.referrals.referral_context` of the period, when the caller has
        it (it needs ``referral_id``, ``children``, ``age_band`` and the need flags).

    Returns
    -------
    pandas.DataFrame
        ``area_code, scope, accommodation_type, characteristic, category`` and the counts of
        :data:`COUNT_COLUMNS`. ``scope`` and ``accommodation_type`` are ``all`` for all
        services, ``accommodation_type`` is ``all`` on the rows of a scope;
        ``characteristic`` and ``category`` are ``all`` for every household. Only groups of
        services with a household referred or supported in the period have rows.
    """
    context = referral_context(dataset, period) if context is None else context
    records, areas = _records(context)
    if not len(records["area"]):
        return pd.DataFrame(
            {column: pd.Series(dtype="int64" if column in COUNT_COLUMNS else object) for column in _COLUMNS}
        )
    # Supported anywhere in the data in the period (every host area), as unmet_households.
    supported_anywhere = np.zeros(int(records["household"].max()) + 1, dtype=bool)
    supported_anywhere[records["household"][records["supported"]]] = True
    referred = _households(records, records["made"])
    supported = _households(records, records["supported"])
    unmet_rows = referred["unable"] & ~supported_anywhere[referred["household"]]
    unmet = {name: values[unmet_rows] for name, values in referred.items()}
    n_scopes, n_types = len(_SCOPE_CODES), len(_TYPE_CODES)
    n_groups = len(areas) * n_scopes * n_types
    counts = {
        basis: _counts(households, n_groups)
        for basis, households in (("referred", referred), ("supported", supported), ("unmet", unmet))
    }
    # Groups with a household referred or supported, in order: area, all, scope, type.
    present = np.unique(np.concatenate([referred["group"], supported["group"]]))
    area, rest = present // (n_scopes * n_types), present % (n_scopes * n_types)
    scope, kind = rest // n_types, rest % n_types
    level = np.where(scope == 0, 0, np.where(kind == 0, 1, 2))
    present = present[np.lexsort((kind, scope, level, areas[area].astype(str)))]
    frames = []
    for characteristic, codes in CHARACTERISTICS.items():  # a fixed list of groups, not records
        frame = {
            "group": np.repeat(present, len(codes)),
            "characteristic": characteristic,
            "category": np.tile(np.asarray(codes, dtype=object), len(present)),
            "_rank": np.tile(np.arange(len(codes)), len(present)),
        }
        for basis, tables in counts.items():
            households, children = tables[characteristic]
            frame[f"households_{basis}"] = households[present].ravel().astype("int64")
            frame[f"children_{basis}"] = children[present].ravel().astype("int64")
        frames.append(pd.DataFrame(frame).assign(_characteristic=len(frames)))
    result = pd.concat(frames, ignore_index=True)
    position = pd.Series(np.arange(len(present)), index=present)
    result = result.assign(_group=position.reindex(result["group"]).to_numpy())
    result = result.sort_values(["_group", "_characteristic", "_rank"], kind="stable").reset_index(drop=True)
    group = result["group"].to_numpy()
    rest = group % (n_scopes * n_types)
    result["area_code"] = areas[group // (n_scopes * n_types)].astype(str)
    result["scope"] = np.asarray(_SCOPE_CODES, dtype=object)[rest // n_types]
    result["accommodation_type"] = np.asarray(_TYPE_CODES, dtype=object)[rest % n_types]
    return result[_COLUMNS]


# ---------------------------------------------------------------------------------------------
# The annual return's section
# ---------------------------------------------------------------------------------------------

#: Bases of the section's lines: count-column suffix -> wording.
_BASES: dict[str, str] = {"referred": "referred", "supported": "supported", "unmet": "unable to be supported"}
#: Groups of households of the section's lines: (characteristic, category) -> (code, wording, unit).
_RETURN_GROUPS: dict[tuple[str, str], tuple[str, str, str]] = {
    (ALL, ALL): ("households", "Households", "households"),
    ("with_children", YES): ("households_with_children", "Households with children", "households"),
    ("need_older_sons", YES): (
        "households_older_sons",
        "Households with older sons (12 and over)",
        "households",
    ),
    ("large_family", YES): (
        "households_large_family",
        f"Large families ({LARGE_FAMILY_CHILDREN} or more children)",
        "households",
    ),
    ("young_victim", YES): (
        "young_victims",
        f"Young victims aged {YOUNG_LABEL} (lead victims)",
        "individuals",
    ),
}

#: Lines of the section for all services: code -> (label, count column, characteristic,
#: category, unit); children and each group of households, referred, supported and unable
#: to be supported (not supported anywhere in the period).
RETURN_LINES: dict[str, tuple[str, str, str, str, str]] = {
    code: line
    for basis, words in _BASES.items()
    for code, line in (
        (
            f"children_{basis}",
            (f"Children in households {words}", f"children_{basis}", ALL, ALL, "individuals"),
        ),
        *(
            (f"{code}_{basis}", (f"{label} {words}", f"households_{basis}", characteristic, category, unit))
            for (characteristic, category), (code, label, unit) in _RETURN_GROUPS.items()
        ),
    )
}

_GROUP = "Children and young people"
_BY_TYPE = "Children in households supported by accommodation type"
_BY_TYPE_HOUSEHOLDS = "Households supported with children by accommodation type"
_BY_SCOPE = "Children in households supported by scope of support"


def children_return_section(
    dataset: Dataset, area: str, period: str, *, part: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The "Children and young people" section of the annual return for one tier-one area.

    Computed from :func:`children_and_young_people` (the report's part), for the services
    hosted in ``area``. Lines:

    * for all services, the lines of :data:`RETURN_LINES`: children in households referred,
      supported and unable to be supported; households with children, with older sons and
      large families, and young victims aged 16-24, on each basis;
    * children in households supported, and households supported with children, by
      accommodation type (every type of :data:`needs.reference.categories.ACCOMMODATION_TYPES`,
      zero where none) with the total for all services: a household supported by services
      of two types is on both lines, so the lines can sum to more than the total;
    * children in households supported by scope of support (in safe accommodation, the Part
      4 duty; community-based; other) with the total.

    Parameters
    ----------
    dataset, area, period
        The data, the tier-one area code and the financial year.
    part
        :func:`children_and_young_people` of the period when the caller has it.

    Returns
    -------
    pandas.DataFrame
        ``group, line, code, unit, value`` (the columns of the return's sections; children and
        young victims in ``individuals``, as the return counts them), values unsuppressed
        integers.
    """
    part = children_and_young_people(dataset, period) if part is None else part
    rows = part[part["area_code"].astype(str) == str(area)]
    overall = rows[(rows["scope"] == ALL) & (rows["accommodation_type"] == ALL)]
    overall = overall.set_index(["characteristic", "category"])

    def value(frame: pd.DataFrame, column: str, key: tuple[str, str]) -> int:
        return int(frame[column].get(key, 0)) if len(frame) else 0

    lines = [
        (_GROUP, label, code, unit, value(overall, column, (characteristic, category)))
        for code, (label, column, characteristic, category, unit) in RETURN_LINES.items()
    ]
    by_type = rows[(rows["scope"] != ALL) & (rows["accommodation_type"] != ALL)]
    by_scope = rows[(rows["scope"] != ALL) & (rows["accommodation_type"] == ALL)]
    for group, frame, level, codes, column, characteristic, category, unit in (
        (
            _BY_TYPE,
            by_type,
            "accommodation_type",
            cat.ACCOMMODATION_TYPES,
            "children_supported",
            ALL,
            ALL,
            "individuals",
        ),
        (
            _BY_TYPE_HOUSEHOLDS,
            by_type,
            "accommodation_type",
            cat.ACCOMMODATION_TYPES,
            "households_supported",
            "with_children",
            YES,
            "households",
        ),
        (_BY_SCOPE, by_scope, "scope", cat.SCOPES, "children_supported", ALL, ALL, "individuals"),
    ):
        chosen = frame[(frame["characteristic"] == characteristic) & (frame["category"] == category)]
        values = chosen.set_index(level)[column].reindex(list(codes.codes), fill_value=0)
        lines += [(group, codes.label(code), code, unit, int(values[code])) for code in codes.codes]
        lines.append(
            (
                group,
                "Total (each household once)",
                "total",
                unit,
                value(overall, column, (characteristic, category)),
            )
        )
    out = pd.DataFrame(lines, columns=list(RETURN_COLUMNS))
    out["value"] = out["value"].astype("int64")
    return out
