"""Step 5 of the generator: the outcome of each referral, and bedded accommodation's capacity.

Outcomes are drawn by service class (:data:`~needs.synth.patterns.OUTCOME_SHARES`), with
more ``unable_to_meet_needs`` declines for harder-to-place households and
``nrpf_no_funding_route`` for victims with no recourse to public funds. Bedded services
then take a household only when a unit is free: the units' occupancy is simulated day by day
from the synthetic stays themselves (:func:`apply_occupancy`), and an accepted referral that
would find every unit full becomes a ``no_capacity_space`` decline, so the example's
declines for lack of space arise exactly when its units are full (a loss system, as the
assessment's Erlang model assumes).
"""

from __future__ import annotations

import numpy as np

from needs.synth.draws import draw
from needs.synth.patterns import BEDDED, OTHER_DECLINE_REASONS, OUTCOME_SHARES, SERVICE_CLASSES


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


def apply_occupancy(
    outcome: np.ndarray,
    reason: np.ndarray,
    service: np.ndarray,
    start_day: np.ndarray,
    stay: np.ndarray,
    occupied: np.ndarray,
    units: np.ndarray,
    *,
    first_day: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Turn accepted referrals to bedded services that find every unit full into
    ``no_capacity_space`` declines; the others occupy a unit for their stay.

    ``occupied`` (service x day from ``first_day``, updated in place) counts the units in
    use each day. Referrals are taken in order of start day: one is accepted when its
    service has a unit free on every day of its stay (for referrals in date order that is
    the day it starts, since every earlier stay still running then began before it; for a
    later round of repeat referrals it also keeps units free that earlier-decided stays
    hold), so occupancy never exceeds the units. The loop is over candidate referrals (one
    slice of one service's days each), the only sequential step of the generator.
    """
    candidate = (outcome == "accepted_supported") & (units[service] > 0)
    index = np.flatnonzero(candidate)
    if len(index) == 0:
        return outcome, reason
    outcome = outcome.copy()
    reason = reason.copy()
    n_days = occupied.shape[1]
    order = index[np.argsort(start_day[index], kind="stable")]
    lo = np.clip(start_day[order] - first_day, 0, n_days - 1)
    hi = np.clip(lo + stay[order], lo + 1, n_days)
    svc = service[order]
    full = np.zeros(len(order), dtype=bool)
    for j in range(len(order)):
        row = occupied[svc[j]]
        if row[lo[j] : hi[j]].max() >= units[svc[j]]:
            full[j] = True
        else:
            row[lo[j] : hi[j]] += 1
    outcome[order[full]] = "unable_to_support"
    reason[order[full]] = "no_capacity_space"
    return outcome, reason
