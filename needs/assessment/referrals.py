"""Referrals and unmet need: outcomes, decline reasons, unmet households, cross-border flows.

Every function takes the whole dataset and returns one tidy table for every tier-one area at
once (column ``area_code``), built by group-bys over all referrals; none loops over areas or
records.

Which referrals count
---------------------
The counting rules are those of :mod:`needs.assessment.counting`:

* a referral belongs to the **host** tier-one area of the service it was made to (the
  services the council commissions) and to the **origin** tier-one area the household came
  from;
* a referral is counted in period P when its ``date`` falls in P (:func:`made_in_period`);
* a household is supported in P when one of its referrals was accepted and its support
  overlaps P (:func:`supported_in_period`).

Denominators
------------
Shares of outcomes and of decline reasons are shares of **decided** referrals: those with
an outcome in :data:`needs.reference.categories.DECIDED_OUTCOMES` (accepted and supported, unable to
support, survivor declined). Referrals still pending, withdrawn by the referrer or with an
unknown outcome have no decision, so they are counted but carry no share. This is the
turn-away rate of ``shared/DOMAIN.md`` section 6.3 ("referrals with outcome
unable_to_support / all referrals with a decision"); the capacity-related share is the
share of decided referrals declined for a reason in
:data:`needs.reference.categories.CAPACITY_DECLINE_REASONS`. Note that Women's Aid's On Track figures
("capacity 40.6%") are shares of *unsuccessful* referrals instead; divide our capacity count
by the ``unable_to_support`` count to reproduce that convention.

Intervals are Wilson score intervals (:func:`needs.methods.intervals.proportion_ci`), the method OHID
uses for proportions (PHEindicatormethods ``phe_proportion``; Wilson 1927, JASA 22:209-212).

Unmet households
----------------
Survivors are often referred to several services, so referral-level decline rates overstate
the number of households whose need went unmet (Women's Aid, "Why are so many referrals into
refuge unsuccessful?"; ``shared/DOMAIN.md`` section 2.3). A household is **unable to be
supported** in an area when it had at least one ``unable_to_support`` referral to a service
hosted in the area in the period and **no support by any service in this dataset** in the
period (no accepted referral to any service of the dataset, in any area, whose support
overlaps the period; the dataset holds only the services that sent records, so a household
may have been supported elsewhere). Its **need went unmet** when one of those declines was
for lack of capacity or for needs the service could not meet
(:data:`needs.reference.categories.UNMET_NEED_REASONS`): a decline because the survivor declined
or disengaged, or because the referral was ineligible or inappropriate, is not unmet need. It
is counted once per area however many referrals it made.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from needs.assessment.counting import (
    households_supported,
    made_in_period,
    referrals_in_context,
    supported_in_period,
    tier_one_lookup,
)
from needs.inputs.dataset import Dataset
from needs.methods.intervals import proportion_ci
from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_CONFIDENCE

__all__ = [
    "ALL",
    "cross_border_flows",
    "declines_by_group",
    "decline_reasons",
    "group_characteristics",
    "out_of_area",
    "outcomes",
    "referral_context",
    "unmet_households",
    "wilson",
]

#: Label of the row that totals every accommodation type.
ALL = "all"

ArrayLike = np.ndarray | pd.Series | Sequence[float]

_CONTEXT_CATEGORIES: dict[str, cat.CategoryList] = {
    "accommodation_type": cat.ACCOMMODATION_TYPES,
    "specialism": cat.SPECIALISMS,
    "outcome": cat.REFERRAL_OUTCOMES,
    "decline_reason": cat.DECLINE_REASONS,
}


def group_characteristics() -> tuple[str, ...]:
    """Referral columns compared across groups: protected characteristics, then needs."""
    return (*cat.PROTECTED_CHARACTERISTICS, *(cat.need_column(code) for code in cat.ADDITIONAL_NEEDS))


def _as_categorical(values: pd.Series, codes: Sequence[str]) -> pd.Categorical:
    """``values`` as a Categorical over ``codes`` (works for strings or categoricals)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.set_categories(list(codes)).array
    return pd.Categorical(values.astype(object), categories=list(codes))


def referral_context(dataset: Dataset, period: str, *, referrals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Referrals relevant to ``period``, joined to their service and areas, built once.

    The referrals of :func:`needs.assessment.counting.referrals_in_context` that were made in the
    period or whose support overlaps it, with:

    * ``made_in_period`` and ``supported_in_period`` (the counting rules, as booleans);
    * ``host_tier_one`` and ``origin_tier_one`` as Categoricals over every tier-one code
      (so that ``.cat.codes`` indexes areas);
    * ``accommodation_type``, ``specialism``, ``outcome``, ``decline_reason`` as
      Categoricals over their category lists (a blank decline reason on an
      ``unable_to_support`` referral is counted as ``not_known``);
    * ``household_code``: an integer per household (-1 for a missing id; kept if
      ``referrals`` already has it).

    Every function in this module, :mod:`needs.assessment.capacity` and :mod:`needs.assessment.funding` accepts
    it as ``context=`` so that :func:`needs.assessment.assemble.assess_all` joins the records once.
    ``referrals`` is the result of :func:`needs.assessment.counting.referrals_in_context` when the
    caller already has it.
    """
    if referrals is None:
        referrals = referrals_in_context(dataset)
    return _referral_context(dataset, period, referrals)


#: The columns of :func:`referral_context` that this module, :mod:`needs.assessment.capacity` and
#: :mod:`needs.assessment.funding` read (``household_code`` is added when missing).
CONTEXT_COLUMNS: tuple[str, ...] = (
    "date",
    "host_tier_one",
    "origin_tier_one",
    "accommodation_type",
    "specialism",
    "outcome",
    "decline_reason",
    "support_start",
    "support_end",
    "children",
    "household_code",
    "referral_id",  # the most recent referral of a household (needs.assessment.children)
    *group_characteristics(),
)


def _referral_context(
    dataset: Dataset, period: str, referrals: pd.DataFrame, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """:func:`referral_context` keeping only ``columns`` of ``referrals`` (all if ``None``),
    so that the selected rows are copied once and only for the columns the parts read."""
    made = made_in_period(referrals, period).to_numpy()
    supported = supported_in_period(referrals, period).to_numpy()
    keep = made | supported
    if columns is None:
        context = referrals.loc[keep].reset_index(drop=True)
    else:
        context = referrals.loc[keep, [c for c in columns if c in referrals.columns]].reset_index(drop=True)
    context["made_in_period"] = made[keep]
    context["supported_in_period"] = supported[keep]
    tier_ones = sorted(pd.unique(tier_one_lookup(dataset).astype(str)))
    for column in ("host_tier_one", "origin_tier_one"):
        dtype = context[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == tier_ones:
            continue  # already coded over the tier-one codes (``assess_all``)
        context[column] = pd.Categorical(context[column].astype(object), categories=tier_ones)
    for column, codes in _CONTEXT_CATEGORIES.items():
        context[column] = _as_categorical(context[column], codes.codes)
    unable = context["outcome"].to_numpy() == "unable_to_support"
    reason = context["decline_reason"]
    context["decline_reason"] = reason.where(~(unable & reason.isna()), cat.NOT_KNOWN)
    if "household_code" not in context.columns:  # else coded once by the caller
        context["household_code"] = pd.factorize(context["household_id"])[0]
    return context


def _context(dataset: Dataset, period: str, context: pd.DataFrame | None) -> pd.DataFrame:
    return referral_context(dataset, period) if context is None else context


def wilson(count: ArrayLike, denominator: ArrayLike, confidence: float) -> pd.DataFrame:
    """Wilson score proportions ``count / denominator`` with limits; NaN where the
    denominator is 0 or missing.

    .. math:: \\frac{p + z^2/2n \\pm z\\sqrt{p(1-p)/n + z^2/4n^2}}{1 + z^2/n}

    Delegates to :func:`needs.methods.intervals.proportion_ci` (OHID / PHEindicatormethods method).
    Returns columns ``share``, ``lower``, ``upper`` aligned with the inputs.
    """
    x = np.asarray(count, dtype=float)
    n = np.asarray(denominator, dtype=float)
    out = np.full((len(x), 3), np.nan)
    valid = np.isfinite(n) & (n > 0) & np.isfinite(x)
    if valid.any():
        ci = proportion_ci(x[valid], n[valid], confidence=confidence, multiplier=1)
        out[valid] = ci[["value", "lower", "upper"]].to_numpy(dtype=float)
    return pd.DataFrame(out, columns=["share", "lower", "upper"])


def _order(frame: pd.DataFrame, orders: dict[str, Sequence[str]]) -> pd.DataFrame:
    """Sort ``frame`` by area then by the category-list order of the given columns."""
    keys = ["area_code"]
    sort = frame.copy()
    for column, codes in orders.items():
        rank = {code: i for i, code in enumerate(codes)}
        sort[f"_{column}"] = sort[column].map(rank).fillna(len(rank))
        keys.append(f"_{column}")
    sort = sort.sort_values(keys, kind="stable")
    return sort.drop(columns=keys[1:]).reset_index(drop=True)


_TYPE_ORDER = (*cat.ACCOMMODATION_TYPES.codes, ALL)


def _all_categorical(frame: pd.DataFrame, columns: Sequence[str]) -> bool:
    return all(isinstance(frame[column].dtype, pd.CategoricalDtype) for column in columns)


def _type_codes(made: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Integer codes of host area and accommodation type (-1 missing) and their counts."""
    host = made["host_tier_one"].cat.codes.to_numpy().astype(np.int64)
    kind = made["accommodation_type"].cat.codes.to_numpy().astype(np.int64)
    return (
        host,
        kind,
        len(made["host_tier_one"].cat.categories),
        len(made["accommodation_type"].cat.categories),
    )


def _counts_by_type(made: pd.DataFrame, column: str, codes: Sequence[str]) -> pd.DataFrame:
    """Counts of referrals by host area x accommodation type x ``column``, with an ``all``
    type, completed with zeros for every code of ``column`` in each (area, type)."""
    if _all_categorical(made, ["host_tier_one", "accommodation_type", column]):
        return _counts_by_type_coded(made, column, codes)
    counts = (
        made.groupby(["host_tier_one", "accommodation_type", column], observed=True)
        .size()
        .rename("count")
        .reset_index()
    )
    counts = counts.rename(columns={"host_tier_one": "area_code"})
    for key in ("area_code", "accommodation_type", column):
        counts[key] = counts[key].astype(str)
    pairs = made.groupby(["host_tier_one", "accommodation_type"], observed=True).size().reset_index()
    pairs = pairs.rename(columns={"host_tier_one": "area_code"})[["area_code", "accommodation_type"]]
    pairs = pairs.astype(str)
    pairs = pd.concat(
        [pairs, pd.DataFrame({"area_code": pairs["area_code"].unique(), "accommodation_type": ALL})]
    )
    totals = (
        counts.groupby(["area_code", column], as_index=False)["count"].sum().assign(accommodation_type=ALL)
    )
    counts = pd.concat([counts, totals], ignore_index=True)
    grid = pairs.merge(pd.DataFrame({column: list(codes)}), how="cross")
    grid = grid.merge(counts, on=["area_code", "accommodation_type", column], how="left")
    grid["count"] = grid["count"].fillna(0).astype("int64")
    return grid


def _counts_by_type_coded(made: pd.DataFrame, column: str, codes: Sequence[str]) -> pd.DataFrame:
    """:func:`_counts_by_type` for categorical columns: one ``numpy.bincount`` of the
    category codes instead of group-bys and merges on strings (same rows, same order)."""
    host, kind, n_areas, n_types = _type_codes(made)
    values = made[column]
    n_values = len(values.cat.categories)
    value = values.cat.codes.to_numpy().astype(np.int64)
    paired = (host >= 0) & (kind >= 0)
    pairs = np.flatnonzero(np.bincount(host[paired] * n_types + kind[paired], minlength=n_areas * n_types))
    valid = paired & (value >= 0)
    table = np.bincount(
        (host[valid] * n_types + kind[valid]) * n_values + value[valid],
        minlength=n_areas * n_types * n_values,
    ).reshape(n_areas, n_types, n_values)
    # The code of each requested category among the column's categories (absent: no count).
    position = values.cat.categories.get_indexer(pd.Index(list(codes), dtype=object))
    found = position >= 0
    chosen = np.zeros((n_areas, n_types, len(codes)), dtype=np.int64)
    chosen[:, :, found] = table[:, :, position[found]]
    pair_area, pair_type = pairs // n_types, pairs % n_types
    area_list = pd.unique(pair_area)
    area_labels = np.asarray(made["host_tier_one"].cat.categories, dtype=object)
    type_labels = np.asarray(made["accommodation_type"].cat.categories, dtype=object)
    n_codes = len(codes)
    count = np.concatenate(
        [chosen[pair_area, pair_type].ravel(), chosen[area_list].sum(axis=1).ravel()]
    ).astype("int64")
    area = np.concatenate([pair_area, area_list])
    types = np.concatenate([type_labels[pair_type], np.full(len(area_list), ALL, dtype=object)])
    return pd.DataFrame(
        {
            "area_code": pd.array(np.repeat(area_labels[area], n_codes).astype(str), dtype="str"),
            "accommodation_type": pd.array(np.repeat(types, n_codes).astype(str), dtype="str"),
            column: pd.array(
                np.tile(np.asarray(list(codes), dtype=object), len(area)).astype(str), dtype="str"
            ),
            "count": count,
        }
    )


def _decided_denominator(grid: pd.DataFrame, made: pd.DataFrame) -> pd.Series:
    """Decided referrals in each (area, accommodation type) row of ``grid``."""
    if _all_categorical(made, ["host_tier_one", "accommodation_type", "outcome"]):
        host, kind, n_areas, n_types = _type_codes(made)
        outcome = made["outcome"]
        is_decided = np.append(
            np.isin(np.asarray(outcome.cat.categories, dtype=object), cat.DECIDED_OUTCOMES), False
        )
        valid = (host >= 0) & (kind >= 0) & is_decided[outcome.cat.codes.to_numpy()]
        table = np.bincount(host[valid] * n_types + kind[valid], minlength=n_areas * n_types)
        table = table.reshape(n_areas, n_types)
        table = np.column_stack([table, table.sum(axis=1), np.zeros(n_areas, dtype=table.dtype)])
        area = pd.Index(made["host_tier_one"].cat.categories.astype(str)).get_indexer(
            grid["area_code"].astype(str)
        )
        types = pd.Index([*made["accommodation_type"].cat.categories.astype(str), ALL]).get_indexer(
            grid["accommodation_type"].astype(str)
        )
        types = np.where(types < 0, n_types + 1, types)  # an unknown label: no decided referral
        result = np.where(area >= 0, table[np.maximum(area, 0), types], 0)
        return pd.Series(result.astype("int64"), index=grid.index, name="denominator")
    decided = made[made["outcome"].isin(cat.DECIDED_OUTCOMES)]
    by_type = decided.groupby(["host_tier_one", "accommodation_type"], observed=True).size()
    by_type = (
        by_type.rename("denominator").reset_index().astype({"host_tier_one": str, "accommodation_type": str})
    )
    by_type = by_type.rename(columns={"host_tier_one": "area_code"})
    totals = by_type.groupby("area_code", as_index=False)["denominator"].sum().assign(accommodation_type=ALL)
    by_type = pd.concat([by_type, totals], ignore_index=True)
    merged = grid[["area_code", "accommodation_type"]].merge(
        by_type, on=["area_code", "accommodation_type"], how="left"
    )
    return merged["denominator"].fillna(0).astype("int64")


def outcomes(
    dataset: Dataset,
    period: str,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Outcomes of referrals made in ``period``, by host area and accommodation type.

    ``share = count / denominator`` where the denominator is the number of **decided**
    referrals (outcome in ``DECIDED_OUTCOMES``) to services of that type in the area; the
    share of ``unable_to_support`` is the turn-away rate (``shared/DOMAIN.md`` 6.3).
    Outcomes that are not decisions (pending, withdrawn, not known) are counted with a
    missing share. Wilson intervals at ``confidence``. ``accommodation_type`` ``all`` totals
    the types.

    Returns
    -------
    pandas.DataFrame
        ``area_code, accommodation_type, outcome, count, denominator, share, lower, upper``;
        one row per outcome code for every (area, type) with a referral in the period.
    """
    context = _context(dataset, period, context)
    made = context.loc[context["made_in_period"], ["host_tier_one", "accommodation_type", "outcome"]]
    grid = _counts_by_type(made, "outcome", cat.REFERRAL_OUTCOMES.codes)
    grid["denominator"] = _decided_denominator(grid, made)
    # Shares only for decisions: a count of pending or withdrawn referrals may exceed the
    # number decided, so those rows get no share (NaN denominator) rather than an error.
    decided = grid["outcome"].isin(cat.DECIDED_OUTCOMES).to_numpy()
    ci = wilson(grid["count"], grid["denominator"].where(decided), confidence)
    grid[["share", "lower", "upper"]] = ci.to_numpy()
    return _order(grid, {"accommodation_type": _TYPE_ORDER, "outcome": cat.REFERRAL_OUTCOMES.codes})


def decline_reasons(
    dataset: Dataset,
    period: str,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Why referrals made in ``period`` were declined, by host area and accommodation type.

    ``count`` = referrals with outcome ``unable_to_support`` and this reason;
    ``share = count / denominator`` with the denominator the **decided** referrals to that
    type in the area (so the shares add up to the turn-away rate, and the
    ``capacity_related`` rows give the capacity turn-away rate of ``shared/DOMAIN.md`` 6.3).
    ``capacity_related`` is True for reasons in ``CAPACITY_DECLINE_REASONS``. Wilson
    intervals.

    Returns
    -------
    pandas.DataFrame
        ``area_code, accommodation_type, reason, count, denominator, share, lower, upper,
        capacity_related``; one row per reason code for every (area, type) with a referral.
    """
    context = _context(dataset, period, context)
    made = context.loc[
        context["made_in_period"], ["host_tier_one", "accommodation_type", "outcome", "decline_reason"]
    ]
    declined = made[made["outcome"] == "unable_to_support"].rename(columns={"decline_reason": "reason"})
    grid = _counts_by_type(declined, "reason", cat.DECLINE_REASONS.codes)
    # (area, type) pairs with decided referrals but no decline still get zero rows.
    base = _counts_by_type(made, "outcome", ("accepted_supported",))[["area_code", "accommodation_type"]]
    base = base.merge(pd.DataFrame({"reason": list(cat.DECLINE_REASONS.codes)}), how="cross")
    grid = base.merge(grid, on=["area_code", "accommodation_type", "reason"], how="left")
    grid["count"] = grid["count"].fillna(0).astype("int64")
    grid["denominator"] = _decided_denominator(grid, made)
    grid[["share", "lower", "upper"]] = wilson(grid["count"], grid["denominator"], confidence).to_numpy()
    grid["capacity_related"] = grid["reason"].isin(cat.CAPACITY_DECLINE_REASONS)
    return _order(grid, {"accommodation_type": _TYPE_ORDER, "reason": cat.DECLINE_REASONS.codes})


def declines_by_group(
    dataset: Dataset,
    period: str,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Turn-away rate by group: decided referrals made in ``period`` that were declined.

    For each host area, characteristic (protected characteristics and additional-need
    flags, :func:`group_characteristics`) and category:
    ``share = declined / decided`` where ``declined`` counts ``unable_to_support``
    referrals (any reason) and ``decided`` the referrals with an outcome in
    ``DECIDED_OUTCOMES``. Wilson intervals. Rows only for categories with a decided
    referral; blank characteristic values count as ``not_known``.

    Returns
    -------
    pandas.DataFrame
        ``area_code, characteristic, category, declined, decided, share, lower, upper``.
    """
    context = _context(dataset, period, context)
    decided = context.loc[
        context["made_in_period"] & context["outcome"].isin(cat.DECIDED_OUTCOMES),
        ["host_tier_one", "outcome", *group_characteristics()],
    ]
    areas = np.asarray(decided["host_tier_one"].cat.categories, dtype=object)
    area_index = decided["host_tier_one"].cat.codes.to_numpy().astype(np.int64)
    unable = (decided["outcome"] == "unable_to_support").to_numpy().astype(float)
    lists: dict[str, cat.CategoryList] = {
        **cat.PROTECTED_CHARACTERISTICS,
        **{cat.need_column(code): cat.YES_NO for code in cat.ADDITIONAL_NEEDS},
    }
    frames = []
    for characteristic in group_characteristics():  # a fixed list of columns, not records
        codes = lists[characteristic].codes
        values = _as_categorical(decided[characteristic], codes)
        category_index = np.asarray(values.codes, dtype=np.int64)
        category_index = np.where(category_index < 0, codes.index(cat.NOT_KNOWN), category_index)
        key = area_index * len(codes) + category_index
        size = len(areas) * len(codes)
        n_decided = np.bincount(key, minlength=size)
        n_declined = np.bincount(key, weights=unable, minlength=size)
        present = np.flatnonzero(n_decided)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": areas[present // len(codes)],
                    "characteristic": characteristic,
                    "category": np.asarray(codes, dtype=object)[present % len(codes)],
                    "declined": n_declined[present].astype("int64"),
                    "decided": n_decided[present].astype("int64"),
                }
            )
        )
    columns = ["area_code", "characteristic", "category", "declined", "decided"]
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    result[["share", "lower", "upper"]] = wilson(result["declined"], result["decided"], confidence).to_numpy()
    result = result.sort_values(["area_code"], kind="stable").reset_index(drop=True)
    return result.astype({"area_code": str})


def _distinct_per_group(group: np.ndarray, household: np.ndarray, n_households: int) -> np.ndarray:
    """Distinct (group, household) pairs as int64 keys ``group * n_households + household``."""
    return pd.unique(group.astype(np.int64) * n_households + household.astype(np.int64))


def unmet_households(
    dataset: Dataset,
    period: str,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Households whose need went unmet, counted once however many referrals they made.

    For each host area:

    * ``households_referred``: distinct households with a referral made in ``period`` to a
      service hosted in the area;
    * ``households_supported``: :func:`needs.assessment.counting.households_supported` for services
      hosted in the area (the one definition used everywhere);
    * ``households_unmet``: distinct households with at least one ``unable_to_support``
      referral made in the period to a service in the area, for any reason, and **not
      supported by any service in this dataset in the period** (no accepted referral to any
      service of the dataset whose support overlaps the period);
    * ``households_unmet_need`` (the headline unmet need): those of them with at least one
      decline for a reason in ``UNMET_NEED_REASONS`` (capacity or needs not met);
    * ``households_unmet_capacity``: those with at least one decline for a reason in
      ``CAPACITY_DECLINE_REASONS``; ``households_unmet_needs``: the others of
      ``households_unmet_need`` (needs not met, no capacity decline), so
      ``households_unmet_need = households_unmet_capacity + households_unmet_needs``;
    * ``households_unable_other``: ``households_unmet - households_unmet_need``, unable to be
      supported only for reasons that are not unmet need (survivor declined or disengaged,
      ineligible or inappropriate referral, other or not known);
    * ``unmet_share = households_unmet_need / households_referred`` with a Wilson interval.

    Returns
    -------
    pandas.DataFrame
        ``area_code, households_referred, households_supported, households_unmet,
        households_unmet_need, households_unmet_capacity, households_unmet_needs,
        households_unable_other, unmet_share, lower, upper``.
    """
    context = _context(dataset, period, context)
    areas = np.asarray(context["host_tier_one"].cat.categories, dtype=object)
    n_areas = len(areas)
    household = context["household_code"].to_numpy()
    n_households = int(household.max()) + 1 if len(household) else 1
    area_index = context["host_tier_one"].cat.codes.to_numpy()
    made = context["made_in_period"].to_numpy()
    unable = made & (context["outcome"] == "unable_to_support").to_numpy()
    capacity = unable & context["decline_reason"].isin(cat.CAPACITY_DECLINE_REASONS).to_numpy()
    need = unable & context["decline_reason"].isin(cat.UNMET_NEED_REASONS).to_numpy()
    ever_supported = np.zeros(n_households, dtype=bool)
    ever_supported[household[context["supported_in_period"].to_numpy()]] = True

    def per_area(mask: np.ndarray, unsupported_only: bool) -> np.ndarray:
        keys = _distinct_per_group(area_index[mask], household[mask], n_households)
        weights = ~ever_supported[keys % n_households] if unsupported_only else None
        return np.bincount(keys // n_households, weights=weights, minlength=n_areas).astype("int64")

    result = pd.DataFrame(
        {
            "area_code": areas,
            "households_referred": per_area(made, False),
            "households_unmet": per_area(unable, True),
            "households_unmet_need": per_area(need, True),
            "households_unmet_capacity": per_area(capacity, True),
        }
    )
    result["households_unmet_needs"] = result["households_unmet_need"] - result["households_unmet_capacity"]
    result["households_unable_other"] = result["households_unmet"] - result["households_unmet_need"]
    supported = households_supported(context, period, by=["host_tier_one"])
    supported = supported.astype({"host_tier_one": str}).set_index("host_tier_one")["households"]
    result.insert(
        2, "households_supported", supported.reindex(result["area_code"]).fillna(0).astype("int64").to_numpy()
    )
    result = result[(result["households_referred"] > 0) | (result["households_supported"] > 0)]
    result = result.reset_index(drop=True)
    ci = wilson(result["households_unmet_need"], result["households_referred"], confidence)
    result[["unmet_share", "lower", "upper"]] = ci.to_numpy()
    return result


def cross_border_flows(
    dataset: Dataset,
    period: str,
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Referrals made in ``period`` by origin tier-one area x host tier-one area.

    ``referrals`` counts referrals; ``households`` counts distinct households (a household
    referred to several services in the same host area from the same origin counts once).
    The row whose origin equals the host is the area's own residents, so the table is the
    complete origin x host matrix of referrals to the area's services.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (host), ``origin_area_code``, ``origin_name``, ``referrals``,
        ``households``.
    """
    context = _context(dataset, period, context)
    made = context.loc[context["made_in_period"], ["host_tier_one", "origin_tier_one", "household_code"]]
    areas = np.asarray(context["host_tier_one"].cat.categories, dtype=object)
    n = len(areas)
    pair = (
        made["host_tier_one"].cat.codes.to_numpy().astype(np.int64) * n
        + made["origin_tier_one"].cat.codes.to_numpy()
    )
    household = made["household_code"].to_numpy()
    n_households = int(household.max()) + 1 if len(household) else 1
    referrals = np.bincount(pair, minlength=n * n)
    households = np.bincount(
        _distinct_per_group(pair, household, n_households) // n_households, minlength=n * n
    )
    present = np.flatnonzero(referrals)
    names = dataset.tables["areas"].assign(area_code=lambda f: f["area_code"].astype(str))
    names = names.set_index("area_code")["area_name"].astype(str)
    origin = areas[present % n]
    return pd.DataFrame(
        {
            "area_code": areas[present // n],
            "origin_area_code": origin,
            "origin_name": names.reindex(origin).to_numpy(),
            "referrals": referrals[present].astype("int64"),
            "households": households[present].astype("int64"),
        }
    )


def out_of_area(
    dataset: Dataset,
    period: str,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Out-of-area shares of referrals made in ``period``.

    * ``direction = "in"``: ``count`` = referrals to services hosted in the area from
      households whose origin tier-one area is elsewhere; ``denominator`` = all referrals
      to services hosted in the area.
    * ``direction = "out"``: ``count`` = referrals of the area's residents (origin) to
      services hosted elsewhere; ``denominator`` = all referrals of the area's residents.

    ``share = count / denominator`` (``shared/DOMAIN.md`` 6.3, ``out_of_area_share``), Wilson
    intervals.

    Returns
    -------
    pandas.DataFrame
        ``area_code, direction, count, denominator, share, lower, upper``.
    """
    context = _context(dataset, period, context)
    made = context.loc[context["made_in_period"], ["host_tier_one", "origin_tier_one"]]
    areas = np.asarray(context["host_tier_one"].cat.categories, dtype=object)
    host = made["host_tier_one"].cat.codes.to_numpy()
    origin = made["origin_tier_one"].cat.codes.to_numpy()
    crossing = (host != origin).astype(float)
    frames = []
    for direction, index in (("in", host), ("out", origin)):
        valid = index >= 0
        denominator = np.bincount(index[valid], minlength=len(areas))
        count = np.bincount(index[valid], weights=crossing[valid], minlength=len(areas))
        present = np.flatnonzero(denominator)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": areas[present],
                    "direction": direction,
                    "count": count[present].astype("int64"),
                    "denominator": denominator[present].astype("int64"),
                }
            )
        )
    result = pd.concat(frames, ignore_index=True)
    result[["share", "lower", "upper"]] = wilson(
        result["count"], result["denominator"], confidence
    ).to_numpy()
    return result.sort_values(["area_code", "direction"], kind="stable").reset_index(drop=True)
