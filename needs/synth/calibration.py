"""Calibrating synthetic referrals to published counts of individuals supported
(:func:`calibrate_individuals`, used for the embedded example)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from needs.assessment.counting import households_supported, referrals_in_context, supported_in_period
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_SEED
from needs.reference.periods import period_end, period_start

__all__ = ["calibrate_individuals"]


def calibrate_individuals(
    tables: Mapping[str, pd.DataFrame],
    area_code: str,
    targets: Mapping[str, int],
    *,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Referrals adjusted so ``needs.assessment.counting.individuals_supported`` gives ``targets``.

    Periods are taken in order. For each, households first supported in that period by a
    service hosted in ``area_code``, and never referred to bedded accommodation (so that
    the units' occupancy, which decided the declines for lack of space, is untouched), are
    candidates: in a seeded random order, whole
    households (all their referrals) are dropped until the count is at most the target, and
    the shortfall (smaller than one household) is made up by adding one child to each of as
    many further candidate households. Households first supported in an earlier period are
    never touched, so a calibrated period stays calibrated. ``need_large_family`` is
    recomputed from ``children``.

    Raises
    ------
    ValueError
        If a period has fewer individuals than its target (generate more households).
    """
    rng = np.random.default_rng(seed)
    referrals = tables["referrals"].copy()
    for period in sorted(targets):
        referrals = _calibrate_period(rng, tables, referrals, area_code, period, targets[period])
    large = cat.need_column("large_family")
    flag = np.where(
        referrals["children"] >= 3,
        "yes",
        np.where(referrals[large].astype(str) == cat.NOT_KNOWN, cat.NOT_KNOWN, "no"),
    )
    referrals[large] = pd.Categorical(flag, categories=cat.YES_NO.codes)
    referrals["referral_id"] = np.char.add(
        "R", np.char.zfill(np.arange(1, len(referrals) + 1).astype(str), max(7, len(str(len(referrals)))))
    )
    return referrals


def _calibrate_period(
    rng: np.random.Generator,
    tables: Mapping[str, pd.DataFrame],
    referrals: pd.DataFrame,
    area_code: str,
    period: str,
    target: int,
) -> pd.DataFrame:
    """``referrals`` with individuals supported in ``area_code`` in ``period`` brought to ``target``.

    ``excess = total - target`` individuals are removed by dropping the first ``k``
    candidate households (in random order) whose individuals ``1 + children`` first sum to
    at least ``excess``; the overshoot ``sum - excess`` is given back as one extra child
    to each of that many of the remaining candidates (cycling if there are fewer).
    """
    dataset = Dataset(tables={**tables, "referrals": referrals})
    context = referrals_in_context(dataset)
    here = context[context["host_tier_one"] == area_code]
    total = int(households_supported(here, period)["individuals"].iloc[0])
    target = int(target)
    if total < target:
        raise ValueError(f"targets: {period} has {total} individuals supported in {area_code}, below {target}")
    accepted = referrals["outcome"].astype(str) == "accepted_supported"
    first_start = referrals.loc[accepted].groupby("household_id")["support_start"].min()
    counted = here.loc[supported_in_period(here, period)].groupby("household_id")["children"].max()
    starts = first_start.reindex(counted.index)
    # Households ever referred to bedded accommodation are left alone: dropping them would
    # empty units whose occupancy decided the declines for lack of space (needs.synth.outcomes).
    bedded = context.loc[context["accommodation_type"].isin(cat.BEDDED_ACCOMMODATION_TYPES), "household_id"]
    candidates = counted[(starts >= period_start(period)) & (starts <= period_end(period))]
    candidates = candidates[~candidates.index.isin(set(bedded))]
    candidates = candidates.sort_index()
    candidates = candidates.iloc[rng.permutation(len(candidates))]
    excess = total - target
    individuals = (1 + candidates).to_numpy()
    cumulative = np.cumsum(individuals)
    n_drop = int(np.searchsorted(cumulative, excess, side="left") + 1) if excess > 0 else 0
    dropped = set(candidates.index[:n_drop])
    shortfall = int(cumulative[n_drop - 1] - excess) if n_drop else 0
    rest = candidates.index[n_drop:]
    if shortfall > 0:
        if len(rest) == 0:
            raise ValueError(f"targets: cannot reach {target} in {period}")
        extra = pd.Series(0, index=rest)
        extra.iloc[np.arange(shortfall) % len(rest)] += 1
        add = extra.reindex(referrals["household_id"]).fillna(0).to_numpy(dtype=np.int64)
        referrals["children"] = referrals["children"].to_numpy() + add
    return referrals[~referrals["household_id"].isin(dropped)].reset_index(drop=True)
