"""Step 5 of the generator: the outcome of each referral, and bedded accommodation's capacity.

Outcomes are drawn by service class (:data:`~needs.synth.patterns.OUTCOME_SHARES`), with
more ``unable_to_meet_needs`` declines for harder-to-place households and
``nrpf_no_funding_route`` for victims with no recourse to public funds. Bedded services
then take in each month only the places that month frees (``units x 30.44 / mean stay``);
accepted referrals beyond those become ``no_capacity_space`` declines.
"""

from __future__ import annotations

import numpy as np

from needs.synth.draws import draw
from needs.synth.patterns import BEDDED, OTHER_DECLINE_REASONS, OUTCOME_SHARES, SERVICE_CLASSES

#: Average days in a month, for places freed per month.
MONTH_DAYS = 30.44


def draw_outcomes(
    rng: np.random.Generator, class_i: np.ndarray, harder: np.ndarray, nrpf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome before capacity and, for unable_to_support, a non-capacity reason.

    ``harder`` marks disabled victims, large families and older sons (more declines for
    unmet needs in bedded accommodation); ``nrpf`` victims with no recourse to public funds.
    """
    outcomes = list(OUTCOME_SHARES[BEDDED])
    table = np.array([[OUTCOME_SHARES[c][o] for o in outcomes] for c in SERVICE_CLASSES])
    p = table[class_i].copy()
    unable = outcomes.index("unable_to_support")
    p[:, unable] += np.where(harder & (class_i == 0), 0.10, 0.0) + np.where(nrpf, 0.25, 0.0)
    outcome = np.array(outcomes, dtype=object)[draw(rng, p)]
    reasons = np.array(list(OTHER_DECLINE_REASONS), dtype=object)
    rp = np.tile(np.array(list(OTHER_DECLINE_REASONS.values())), (len(class_i), 1))
    rp[:, list(reasons).index("unable_to_meet_needs")] += np.where(harder, 0.6, 0.0)
    rp[:, list(reasons).index("nrpf_no_funding_route")] += np.where(nrpf, 2.0, 0.0)
    reason = reasons[draw(rng, rp)]
    return outcome, reason


def monthly_places(
    rng: np.random.Generator, units: np.ndarray, mean_stay: np.ndarray, n_months: int
) -> np.ndarray:
    """Places each service can take in each month (service x month, integers).

    ``units x MONTH_DAYS / mean stay`` places a month, rounded up or down at random so
    that the expected number is exact; zero for services with no units.
    """
    capacity = units[:, None] * MONTH_DAYS / mean_stay[:, None] * np.ones((1, n_months))
    return np.floor(capacity + rng.random(capacity.shape)).astype(np.int64)


def apply_capacity(
    rng: np.random.Generator,
    outcome: np.ndarray,
    reason: np.ndarray,
    service: np.ndarray,
    month: np.ndarray,
    remaining: np.ndarray,
    *,
    bedded_service: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Turn accepted referrals to bedded services beyond the month's remaining places into
    ``no_capacity_space`` declines; update ``remaining`` in place."""
    month = np.clip(month, 0, remaining.shape[1] - 1)
    candidate = (outcome == "accepted_supported") & bedded_service[service]
    index = np.flatnonzero(candidate)
    if len(index) == 0:
        return outcome, reason
    key = service[index] * remaining.shape[1] + month[index]
    shuffle = rng.permutation(len(index))
    key_shuffled = key[shuffle]
    order = np.argsort(key_shuffled, kind="stable")
    sorted_keys = key_shuffled[order]
    starts = np.searchsorted(sorted_keys, sorted_keys, side="left")
    rank = np.empty(len(index), dtype=np.int64)
    rank[shuffle[order]] = np.arange(len(index)) - starts
    flat = remaining.reshape(-1)
    over = rank >= flat[key]
    outcome = outcome.copy()
    reason = reason.copy()
    outcome[index[over]] = "unable_to_support"
    reason[index[over]] = "no_capacity_space"
    used = np.bincount(key[~over], minlength=flat.size)
    flat -= used
    return outcome, reason
