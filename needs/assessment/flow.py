"""The flows of referrals and households through a period: referred, decided, supported,
unable to be supported, withdrawn, pending.

Both flows count what was made **in the period to services hosted in the area** (the rules of
:mod:`needs.assessment.counting`), and every row names its ``base``: the row it is a part of.
The rows of each base add up to it exactly.

Referral flow (:func:`referral_flow`)
    Referrals made in the period = decided + withdrawn by the referrer + pending (no decision
    recorded) + outcome not known; decided = accepted and supported + unable to be supported
    + survivor declined the offer (:data:`~needs.reference.categories.DECIDED_OUTCOMES`);
    unable to be supported = the sum of its reason groups (:data:`REASON_GROUPS`). The
    same numbers as the outcome and decline-reason tables
    (:func:`needs.assessment.referrals.outcomes`, :func:`~needs.assessment.referrals.decline_reasons`).

Household flow (:func:`household_flow`), three sections:

``referred``
    Households referred in the period (each once), each in exactly one state, the first that
    applies in the order of :data:`HOUSEHOLD_STATES`: supported from a referral made in the
    period to a service in the area; supported in the period otherwise anywhere in this data
    (another area's service, or a referral made before the period); unable to be supported
    by any service in this dataset (a referral declined and no support by any service in the
    dataset in the period: ``households_unmet`` of
    :func:`needs.assessment.referrals.unmet_households`), by reason group (the first of its
    declines' groups in the order of :data:`REASON_GROUPS`: the first two groups, capacity and
    needs not met, are the unmet need ``households_unmet_need``; survivor declined or
    disengaged, ineligible or inappropriate referral, and other are shown apart and are not
    unmet need); survivor declined the offer; accepted but support not begun in the period;
    withdrawn by the referrer; pending; outcome not known. "In this dataset" because the data
    hold only the services that sent records: a household may have been supported elsewhere.
``supported``
    Households supported in the period by the area's services
    (:func:`~needs.assessment.counting.households_supported`) = those supported from a
    referral made in the period + those whose support continued from a referral made
    before the period only.
``accepted``
    Referrals made in the period that were accepted = one for each household with an
    accepted referral (its first) + further accepted referrals of the same households (a
    household accepted by several services).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs.assessment.referrals import referral_context
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat

__all__ = [
    "FLOW_COLUMNS",
    "HOUSEHOLD_STATES",
    "REASON_GROUPS",
    "UNMET_NEED_GROUPS",
    "household_flow",
    "reason_group_of",
    "referral_flow",
]

#: Groups of decline reasons shown in the flows: group code -> (label, reasons). A group of
#: one reason has that reason's code, so its count is the decline-reason table's count. The
#: first two groups are unmet need (:data:`needs.reference.categories.UNMET_NEED_REASONS`); the
#: others are shown apart and are not unmet need. The order is also the priority by which an
#: unable household with declines of several groups is placed (:data:`UNMET_NEED_GROUPS`).
REASON_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "no_capacity_space": ("No space or capacity", cat.CAPACITY_DECLINE_REASONS),
    "needs_not_met": (
        "Needs could not be met (needs, risk of the location, no recourse to public funds)",
        cat.NEEDS_NOT_MET_REASONS,
    ),
    "survivor_declined_or_disengaged": ("Survivor declined or disengaged", ("survivor_declined_or_disengaged",)),
    "inappropriate_referral_not_eligible": (
        "Ineligible or inappropriate referral",
        ("inappropriate_referral_not_eligible",),
    ),
    "other_or_not_known": ("Other reason or not known", ("other", cat.NOT_KNOWN)),
}

#: Reason groups that are unmet need (capacity, needs not met).
UNMET_NEED_GROUPS: tuple[str, ...] = ("no_capacity_space", "needs_not_met")

#: States of a household referred in the period, in priority order: code -> label.
HOUSEHOLD_STATES: dict[str, str] = {
    "supported_here": "Supported by a service in the area from a referral made in the period",
    "supported_elsewhere": "Supported in the period otherwise, by a service in this dataset (another "
    "area's service, or a referral made before the period)",
    "unable_anywhere": "Unable to be supported, and not supported by any service in this dataset",
    "survivor_declined": "Survivor declined the offer",
    "accepted_not_started": "Accepted, support not begun in the period",
    "withdrawn_by_referrer": "Withdrawn by the referrer",
    "pending": "Pending (no decision recorded)",
    "not_known": "Outcome not known",
}

#: Columns of both flows.
FLOW_COLUMNS: tuple[str, ...] = (
    "area_code", "section", "row", "label", "level", "fact", "outcome", "reason", "state",
    "start", "repeat", "count", "base_row", "base_label", "base_count", "share",
)  # fmt: skip


def reason_group_of(reasons: pd.Series) -> pd.Series:
    """The reason group (:data:`REASON_GROUPS`) of each decline reason (missing: not known)."""
    lookup = {reason: group for group, (_, members) in REASON_GROUPS.items() for reason in members}
    values = reasons.astype(object).where(reasons.notna(), cat.NOT_KNOWN)
    return values.map(lookup).fillna("other_or_not_known")


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the categories of a (categorical) column."""
    categorical = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    return categorical.cat.codes.to_numpy().astype(np.int64), np.asarray(categorical.cat.categories, dtype=object)


def _is(values: pd.Series, code: str) -> np.ndarray:
    return (values.astype(object) == code).to_numpy(dtype=bool)


def _finish(rows: pd.DataFrame) -> pd.DataFrame:
    """Add each row's base label and count (by ``base_row`` within area and section) and the
    share of its base; order the columns."""
    rows = rows.reset_index(drop=True)
    lookup = rows.set_index(["area_code", "section", "row"])
    index = pd.MultiIndex.from_arrays([rows["area_code"], rows["section"], rows["base_row"]])
    rows["base_label"] = lookup["label"].reindex(index).to_numpy()
    rows["base_count"] = lookup["count"].reindex(index).to_numpy()
    base = pd.to_numeric(rows["base_count"], errors="coerce")
    rows["share"] = (rows["count"] / base).where(base > 0)
    for column in FLOW_COLUMNS:
        if column not in rows.columns:
            rows[column] = None
    return rows[list(FLOW_COLUMNS)]


def _long(counts: pd.DataFrame, specs: list[dict]) -> pd.DataFrame:
    """One row per area and spec: ``counts`` has ``area_code`` and one column per spec ``row``."""
    frames = [
        pd.DataFrame({"area_code": counts["area_code"].to_numpy(), "count": counts[spec["row"]].to_numpy()}).assign(
            **{k: v for k, v in spec.items()}
        )
        for spec in specs
    ]
    out = pd.concat(frames, ignore_index=True)
    order = {spec["row"]: i for i, spec in enumerate(specs)}
    out["_order"] = out["row"].map(order)
    out = out.sort_values(["area_code", "_order"], kind="stable").drop(columns="_order")
    out["count"] = out["count"].astype("int64")
    return out


def referral_flow(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Referrals made in the period to services in each area, by stage of the flow.

    Rows (``row``: its ``base_row``): ``referred``; ``decided`` (referred), then
    ``accepted_supported``, ``unable_to_support``, ``survivor_declined`` (decided), the reason
    groups ``reason_<group>`` (unable_to_support); ``withdrawn_by_referrer``, ``pending``,
    ``not_known`` (referred). ``share = count / base_count``. ``outcome`` and ``reason`` give
    each row's key on the page (the keys of the outcome and decline-reason tables).

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_COLUMNS`, section ``referrals``; areas with no referral have no rows.
    """
    if context is None:
        context = referral_context(dataset, period)
    made = context.loc[context["made_in_period"].to_numpy(dtype=bool)]
    host, areas = _codes(made["host_tier_one"])
    known = host >= 0
    outcome = made["outcome"].astype(object)
    columns: dict[str, np.ndarray] = {}
    for code in cat.REFERRAL_OUTCOMES.codes:
        columns[code] = np.bincount(host[known], weights=_is(outcome, code)[known], minlength=len(areas))
    group = reason_group_of(made["decline_reason"])
    unable = _is(outcome, "unable_to_support")
    for code in REASON_GROUPS:
        weights = (unable & _is(group, code))[known]
        columns[f"reason_{code}"] = np.bincount(host[known], weights=weights, minlength=len(areas))
    counts = pd.DataFrame({"area_code": areas.astype(str), **columns})
    counts["referred"] = counts[list(cat.REFERRAL_OUTCOMES.codes)].sum(axis=1)
    counts["decided"] = counts[list(cat.DECIDED_OUTCOMES)].sum(axis=1)
    counts = counts[counts["referred"] > 0]
    label = cat.REFERRAL_OUTCOMES.label
    specs: list[dict] = [
        dict(row="referred", label="Referrals made in the period", level=0, outcome="all", base_row=None),
        dict(row="decided", label="Decided", level=1, outcome="decided", base_row="referred"),
        dict(row="accepted_supported", label=label("accepted_supported"), level=2,
             outcome="accepted_supported", base_row="decided"),
        dict(row="unable_to_support", label="Unable to be supported", level=2,
             outcome="unable_to_support", base_row="decided"),
        *(
            dict(row=f"reason_{code}", label=text, level=3, outcome="unable_to_support", reason=code,
                 base_row="unable_to_support")
            for code, (text, _) in REASON_GROUPS.items()
        ),
        dict(row="survivor_declined", label=label("survivor_declined"), level=2,
             outcome="survivor_declined", base_row="decided"),
        dict(row="withdrawn_by_referrer", label=label("withdrawn_by_referrer"), level=1,
             outcome="withdrawn_by_referrer", base_row="referred"),
        dict(row="pending", label="Pending (no decision recorded)", level=1, outcome="pending",
             base_row="referred"),
        dict(row="not_known", label="Outcome not known", level=1, outcome=cat.NOT_KNOWN, base_row="referred"),
    ]  # fmt: skip
    for spec in specs:
        spec.setdefault("reason", None)
        spec.update(section="referrals", fact="referrals")
    return _finish(_long(counts, specs))


def household_flow(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Households referred in the period by what became of them, households supported by
    where their support began, and accepted referrals against households (see the module
    docstring), for each area.

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_COLUMNS`; sections ``referred`` (rows ``referred`` then one per state
        of :data:`HOUSEHOLD_STATES`, and ``unable_<group>`` by the first reason group of
        the household's declines), ``supported`` (``supported``, ``began_in_period``,
        ``continued_from_before``) and ``accepted`` (``accepted``,
        ``first_for_household``, ``further_for_household``).
    """
    if context is None:
        context = referral_context(dataset, period)
    host, areas = _codes(context["host_tier_one"])
    n_areas = len(areas)
    household = context["household_code"].to_numpy().astype(np.int64)
    n_households = int(household.max()) + 1 if len(household) else 1
    made = context["made_in_period"].to_numpy(dtype=bool)
    supported = context["supported_in_period"].to_numpy(dtype=bool)
    outcome = context["outcome"].astype(object)
    valid = (host >= 0) & (household >= 0)
    here = made & valid
    # Supported anywhere in this data (any area, any referral date): per household.
    anywhere = np.zeros(n_households, dtype=bool)
    anywhere[household[supported & (household >= 0)]] = True
    pair = host * n_households + household  # (area, household) of each referral

    def pairs_with(mask: np.ndarray) -> pd.Index:
        return pd.Index(pd.unique(pair[mask & valid]))

    referred = pairs_with(here)
    flags = {
        "supported_here": pairs_with(here & supported),
        "unable": pairs_with(here & _is(outcome, "unable_to_support")),
        "survivor_declined": pairs_with(here & _is(outcome, "survivor_declined")),
        "accepted_not_started": pairs_with(here & _is(outcome, "accepted_supported")),
        "withdrawn_by_referrer": pairs_with(here & _is(outcome, "withdrawn_by_referrer")),
        "pending": pairs_with(here & _is(outcome, "pending")),
    }
    has = {name: referred.isin(index) for name, index in flags.items()}
    elsewhere = anywhere[referred.to_numpy() % n_households]
    states = list(HOUSEHOLD_STATES)
    state = np.select(
        [
            has["supported_here"],
            elsewhere,
            has["unable"],
            has["survivor_declined"],
            has["accepted_not_started"],
            has["withdrawn_by_referrer"],
            has["pending"],
        ],
        states[:-1],
        default=states[-1],
    )
    area_of = referred.to_numpy() // n_households
    columns: dict[str, np.ndarray] = {
        "referred": np.bincount(area_of, minlength=n_areas),
        **{code: np.bincount(area_of, weights=state == code, minlength=n_areas) for code in states},
    }
    # Reason group of each unable household: of its declines, the first group in the order of
    # REASON_GROUPS (capacity, then needs not met, then the groups that are not unmet need), so
    # that the first two rows are the unmet need of unmet_households.
    unable_here = here & _is(outcome, "unable_to_support")
    rank = {group: i for i, group in enumerate(REASON_GROUPS)}
    declines = pd.DataFrame(
        {
            "pair": pair[unable_here],
            "group": reason_group_of(context.loc[unable_here, "decline_reason"]).to_numpy(),
        }
    )
    declines["_rank"] = declines["group"].map(rank)
    first = declines.sort_values(["pair", "_rank"], kind="stable").drop_duplicates("pair", keep="first")
    first = first.set_index("pair")["group"]
    unable_pairs = referred[state == "unable_anywhere"]
    unable_group = first.reindex(unable_pairs).to_numpy()
    unable_area = unable_pairs.to_numpy() // n_households
    for code in REASON_GROUPS:
        columns[f"unable_{code}"] = np.bincount(unable_area, weights=unable_group == code, minlength=n_areas)
    # Households supported in the period by the area's services, by where their support began.
    supported_pairs = pairs_with(supported)
    began = supported_pairs.isin(pairs_with(supported & made))
    supported_area = supported_pairs.to_numpy() // n_households
    columns["supported"] = np.bincount(supported_area, minlength=n_areas)
    columns["began_in_period"] = np.bincount(supported_area, weights=began, minlength=n_areas)
    columns["continued_from_before"] = np.bincount(supported_area, weights=~began, minlength=n_areas)
    # Accepted referrals made in the period against the households they belong to.
    accepted = here & _is(outcome, "accepted_supported")
    columns["accepted"] = np.bincount(host[accepted], minlength=n_areas)
    first = np.bincount(pairs_with(accepted).to_numpy() // n_households, minlength=n_areas)
    columns["first_for_household"] = first
    columns["further_for_household"] = columns["accepted"] - first
    counts = pd.DataFrame({"area_code": areas.astype(str), **columns})
    counts = counts[(counts["referred"] > 0) | (counts["supported"] > 0)]
    specs: list[dict] = [
        dict(section="referred", row="referred", label="Households referred in the period", level=0,
             fact="households_referred", base_row=None),
        # Each state, with the reasons of the unmet households right under their state.
        *(
            spec
            for code, text in HOUSEHOLD_STATES.items()
            for spec in (
                dict(section="referred", row=code, label=text, level=1, fact="households_referred", state=code,
                     base_row="referred"),
                *(
                    dict(section="referred", row=f"unable_{reason}", label=f"Declined for: {label}", level=2,
                         fact="households_referred", state="unable_anywhere", reason=reason,
                         base_row="unable_anywhere")
                    for reason, (label, _) in (REASON_GROUPS.items() if code == "unable_anywhere" else ())
                ),
            )
        ),
        dict(section="supported", row="supported", label="Households supported in the period", level=0,
             fact="households_supported", base_row=None),
        dict(section="supported", row="began_in_period", label="Support from a referral made in the period",
             level=1, fact="households_supported", start="referral_in_period", base_row="supported"),
        dict(section="supported", row="continued_from_before",
             label="Support continued from a referral made before the period only", level=1,
             fact="households_supported", start="referral_before_period", base_row="supported"),
        dict(section="accepted", row="accepted", label="Referrals made in the period that were accepted",
             level=0, fact="referrals", outcome="accepted_supported", base_row=None),
        dict(section="accepted", row="first_for_household",
             label="One for each household with an accepted referral", level=1, fact="referrals",
             outcome="accepted_supported", repeat="first_for_household", base_row="accepted"),
        dict(section="accepted", row="further_for_household",
             label="Further accepted referrals of the same households (accepted by several services)",
             level=1, fact="referrals", outcome="accepted_supported", repeat="further_for_household",
             base_row="accepted"),
    ]  # fmt: skip
    order = [spec["row"] for spec in specs]
    out = _finish(_long(counts, specs))
    out["_order"] = out["row"].map({row: i for i, row in enumerate(order)})
    return out.sort_values(["area_code", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
