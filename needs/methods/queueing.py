"""Erlang loss model: how often a household is turned away for lack of a free unit.

Safe accommodation is modelled as an M/G/c/c loss system: households arrive at random
(Poisson, rate :math:`\\lambda` per year), each occupies one of :math:`c` units for a stay of
mean length :math:`1/\\mu`, and a household arriving when every unit is full is turned away
(it does not wait). The offered load is :math:`a = \\lambda/\\mu` (arrivals per year × mean
stay in years), the mean number of units that would be busy with unlimited capacity.

The probability that an arrival is turned away is Erlang's loss formula (Erlang 1917),

.. math:: B(c, a) = \\frac{a^c / c!}{\\sum_{k=0}^{c} a^k / k!},

which holds for any distribution of the length of stay with that mean (Sevastyanov 1957: the
loss probability of M/G/c/c is insensitive to the service-time distribution). It is computed
with the numerically stable recursion

.. math:: B(0, a) = 1, \\qquad B(c, a) = \\frac{a\\,B(c-1, a)}{c + a\\,B(c-1, a)}

(e.g. Cooper RB 1981, *Introduction to Queueing Theory*, 2nd ed., section 3.4; Jagerman DL
1974, "Some properties of the Erlang loss function", *Bell System Technical Journal*
53:525-551), whose terms stay in [0, 1], so thousands of units cause neither overflow nor
loss of precision.

Functions
---------
erlang_b
    Blocking probability for arrays of units and loads (broadcast).
servers_needed
    The fewest units whose blocking is at or below a target.
loss_model_check
    The model's implied occupancy and turn-away share against the observed ones: whether
    they agree beyond chance and, where not, which input is suspect.

The consistency check
---------------------
In a loss system a household is turned away only when every unit is full, so the share
turned away and the occupancy are tied together: with offered load :math:`a` on :math:`c`
units the **carried load** is :math:`a(1 - B(c, a))` and the implied **occupancy** is

.. math:: \\rho = \\frac{a\\,(1 - B(c, a))}{c}

(Cooper 1981, section 3.4: the mean number of busy servers in M/G/c/c). Observed turn-aways
are compared with the model's blocking probability by an exact binomial test: with :math:`n`
households offered to the units (accepted or turned away for lack of space) and :math:`k`
turned away, :math:`k \\sim \\mathrm{Bin}(n, B)` under the model, and the two-sided p-value is
twice the smaller tail, :math:`\\min(1, 2\\min(P(X \\le k), P(X \\ge k)))` (the central
exact test; Agresti A 2013, *Categorical Data Analysis*, 3rd ed., section 1.4). The observed
occupancy is compared with an interval of the implied occupancy (e.g. the bootstrap of
:func:`needs.assessment.capacity.model_capacity`). Where either disagrees, the suspect input
is named:

* more turned away than the model implies (the point estimates) while the units were
  **less** busy than it implies: households were declined "for lack of space" while units
  stood free, so the recording of capacity declines is suspect, or units out of use are
  still counted (``capacity_declines``); so too whenever households were turned away while
  no unit was occupied at all, which a loss system never does;
* as many or fewer turned away while the units were **busier** than it implies: more units
  were in use than recorded (``units``);
* otherwise (more turned away with busier units, fewer with less busy units): the load is
  misstated, so the stays (their number or length) are suspect (``stays``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from needs.methods.keyed_random import KeyedStream

__all__ = ["SUSPECT_INPUTS", "erlang_b", "loss_model_check", "monte_carlo_p_value", "servers_needed", "simulate_loss_year"]

#: The input a failed consistency check points to, and what to say about it.
SUSPECT_INPUTS: dict[str, str] = {
    "capacity_declines": "the recording of declines for lack of space (more households were turned "
    "away than the model implies while the units were less busy than it implies: declines recorded "
    "as lack of space while units stood free, or units out of use still counted)",
    "units": "the units (fewer households were turned away than the model implies while the units "
    "were busier than it implies: more units in use than recorded)",
    "stays": "the stays (their number or length does not match the load the units carried)",
}


def _as_float(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        try:
            return pd.Series(values).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric") from exc
    try:
        return np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric") from exc


def _series_index(*values: Any) -> pd.Index | None:
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


def _wrap(result: np.ndarray, index: pd.Index | None, name: str) -> Any:
    if index is not None and result.ndim == 1 and len(index) == len(result):
        return pd.Series(result, index=index, name=name)
    if result.ndim == 0:
        return result.item()
    return result


def erlang_b(servers: Any, load: Any) -> Any:
    """Probability that an arrival is turned away, Erlang B (M/G/c/c).

    .. math::

        B(c, a) = \\frac{a^c / c!}{\\sum_{k=0}^{c} a^k / k!}, \\quad\\text{computed as}\\quad
        B(0) = 1,\\ B(c) = \\frac{a B(c-1)}{c + a B(c-1)}

    (Erlang 1917; the recursion as in Cooper 1981, section 3.4). Insensitive to the
    distribution of the service time (length of stay) given its mean.

    Vectorised: ``servers`` and ``load`` broadcast together. The recursion runs once, to the
    largest number of servers, over the distinct loads that still need it, and each element
    takes its value at its own number of servers, so the cost is about
    ``sum over distinct loads of max servers`` rather than per element.

    Parameters
    ----------
    servers : int, array-like or Series
        Number of servers (units), whole numbers >= 0.
    load : float, array-like or Series
        Offered load in erlangs (arrival rate × mean service time), >= 0. NaN gives NaN.

    Returns
    -------
    float, ndarray or Series
        Blocking probability in [0, 1], shaped like the broadcast inputs (a Series if an
        input was a Series). Load 0 gives 0 (no arrivals, nobody turned away, even with no
        servers); 0 servers with a positive load give 1.

    Raises
    ------
    ValueError
        ``servers`` negative or not whole, ``load`` negative.
    """
    index = _series_index(servers, load)
    s = _as_float(servers, "servers")
    a = _as_float(load, "load")
    if np.any(np.isnan(s)):
        raise ValueError("servers must not be missing")
    if np.any(s < 0) or np.any(s != np.floor(s)) or np.any(~np.isfinite(s)):
        raise ValueError("servers must be whole numbers >= 0")
    if np.any(a < 0) or np.any(np.isinf(a)):
        raise ValueError("load must be finite and >= 0")
    # Distinct loads are found before broadcasting (a grid has few distinct loads).
    loads_all, codes = np.unique(a, return_inverse=True)
    codes = np.reshape(codes, a.shape)
    try:
        s_b, a_b, c_b = np.broadcast_arrays(s, a, codes)
    except ValueError as exc:
        raise ValueError("servers and load must have compatible shapes") from exc
    shape = s_b.shape
    s_flat = s_b.ravel().astype("int64")
    a_flat = a_b.ravel()
    result = np.full(a_flat.shape, np.nan)

    ok = ~np.isnan(a_flat)
    if ok.any():
        idx = np.flatnonzero(ok)
        valid_loads = ~np.isnan(loads_all)
        loads = loads_all[valid_loads]
        renumber = np.cumsum(valid_loads) - 1
        inverse = renumber[c_b.ravel()[idx]]
        need = np.zeros(len(loads), dtype="int64")
        np.maximum.at(need, inverse, s_flat[idx])
        # Order distinct loads by the servers they need, most first: at step c the loads
        # still recursing are a prefix of this order.
        order = np.argsort(-need, kind="stable")
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        sorted_loads = loads[order]
        sorted_need = need[order]
        # Elements sorted by their servers: the ones with c servers form one block.
        elem_pos = position[inverse]
        elem_servers = s_flat[idx]
        by_servers = np.argsort(elem_servers, kind="stable")
        boundaries = np.searchsorted(elem_servers[by_servers], np.arange(int(need.max()) + 2))
        values = np.empty(len(idx))
        blocking = np.ones(len(sorted_loads))
        n_active = len(sorted_loads)
        for c in range(int(need.max()) + 1):
            if c > 0:
                # loads needing at least c servers: a prefix of the ordered loads
                n_active = int(np.searchsorted(-sorted_need, -c, side="right"))
                b = blocking[:n_active]
                ab = sorted_loads[:n_active] * b
                blocking[:n_active] = ab / (c + ab)
            start, stop = boundaries[c], boundaries[c + 1]
            if stop > start:
                members = by_servers[start:stop]
                values[members] = blocking[elem_pos[members]]
        values = np.where(a_flat[idx] == 0, 0.0, values)
        result[idx] = values
    return _wrap(result.reshape(shape), index, "blocking")


def servers_needed(load: Any, blocking: float | Any) -> Any:
    """The fewest servers whose Erlang B blocking is at or below a target.

    .. math:: c^* = \\min\\{c \\ge 0 : B(c, a) \\le \\beta\\}

    found by running the recursion :math:`B(c) = aB(c-1)/(c + aB(c-1))` upwards from
    :math:`B(0) = 1` (Cooper 1981, section 3.4) for all loads at once, each load stopping at
    its first :math:`c` with :math:`B(c, a) \\le \\beta`. :math:`B` decreases strictly in
    :math:`c`, so this :math:`c^*` is the smallest such count. Load 0 needs 0 servers.

    Parameters
    ----------
    load : float, array-like or Series
        Offered load in erlangs, >= 0 (NaN gives a missing result).
    blocking : float or array-like
        Target blocking probability, in (0, 1) (broadcast against ``load``).

    Returns
    -------
    int, ndarray or Series
        Number of servers: int64 values, or float64 with NaN where a load is missing.

    Raises
    ------
    ValueError
        ``load`` negative or infinite, ``blocking`` not in (0, 1).
    """
    index = _series_index(load, blocking)
    a = _as_float(load, "load")
    target = _as_float(blocking, "blocking")
    if np.any(np.isnan(target)) or np.any((target <= 0) | (target >= 1)):
        raise ValueError("blocking must be in (0, 1)")
    if np.any(a < 0) or np.any(np.isinf(a)):
        raise ValueError("load must be finite and >= 0")
    try:
        a_b, t_b = np.broadcast_arrays(a, target)
    except ValueError as exc:
        raise ValueError("load and blocking must have compatible shapes") from exc
    shape = a_b.shape
    a_flat = a_b.ravel()
    t_flat = t_b.ravel()
    missing = np.isnan(a_flat)
    needed = np.zeros(a_flat.shape, dtype="int64")

    active = np.flatnonzero(~missing & (a_flat > 0))
    loads = a_flat[active]
    targets = t_flat[active]
    b = np.ones(len(active))
    c = 0
    while len(active):
        c += 1
        ab = loads * b
        b = ab / (c + ab)
        done = b <= targets
        if done.any():
            needed[active[done]] = c
            keep = ~done
            active, loads, targets, b = active[keep], loads[keep], targets[keep], b[keep]

    result: np.ndarray = needed
    if missing.any():
        result = needed.astype("float64")
        result[missing] = np.nan
    return _wrap(result.reshape(shape), index, "servers_needed")


def simulate_loss_year(
    arrivals_per_year: Any,
    units: Any,
    stay_days: Any,
    stay_probability: Any,
    stay_group: Any,
    system_group: Any,
    scale: Any = 1.0,
    warmup_days: Any = np.nan,
    *,
    horizon_days: float = 365.25,
    rng: np.random.Generator | KeyedStream,
) -> pd.DataFrame:
    """Simulate one year of many M/G/c/c loss systems at once, from the stationary state or from
    empty units opened a given time before.

    System :math:`i` has :math:`c_i` units; households arrive as a Poisson process of rate
    ``arrivals_per_year[i]`` per 365.25 days; each stays a length drawn from the discrete
    distribution ``system_group[i]`` (values ``stay_days``, probabilities ``stay_probability``
    of the rows with that ``stay_group``) times ``scale[i]``; a household arriving when all
    :math:`c_i` units are occupied is turned away (it does not wait). The system starts in its
    stationary state, so no warm-up is needed: the number of occupied units is drawn from the
    truncated Poisson (Erlang) distribution :math:`P(n) \\propto a^n/n!`, :math:`0 \\le n \\le c`,
    with :math:`a` = rate x mean stay, and each occupied unit's remaining stay from the
    equilibrium (stationary-excess) distribution of the stay: a stay drawn with probability
    proportional to its length, times a uniform fraction. Both hold for any stay distribution
    in M/G/c/c (Takács 1969, "On Erlang's formula", *Annals of Mathematical Statistics*
    40:71-78; Cooper 1981, section 3.4 and chapter 5). A system with a finite
    ``warmup_days`` :math:`w` instead starts with every unit empty at time :math:`-w` (units
    opened :math:`w` days before the period): the year measured is then the one the units
    actually had, not a year of a long-established service.

    The loop runs over arrivals (the k-th arrival of every system at once), never over systems.

    Parameters
    ----------
    arrivals_per_year, units, system_group, scale, warmup_days
        Per system (broadcast to one length); ``units`` whole numbers >= 0; ``warmup_days``
        NaN for the stationary start.
    stay_days, stay_probability, stay_group
        The stay distributions, one row per support point, sorted by ``stay_group``
        (0, 1, ... without gaps); each group's probabilities sum to 1.
    horizon_days
        Length of the simulated period (days).
    rng
        The random generator (seeded by the caller), or a
        :class:`~needs.methods.keyed_random.KeyedStream` with one key per system, so that each
        system's year does not depend on which other systems are simulated with it.

    Returns
    -------
    pandas.DataFrame
        ``arrivals``, ``turned_away``, ``turnaway`` (turned_away / arrivals, NaN with no
        arrival) and ``occupancy`` (occupied unit-days in the period / (c x the days the units
        were open in it: the horizon, less the days before an opening during the period),
        NaN with no unit), one row per system.
    """
    keyed = isinstance(rng, KeyedStream)

    def uniform(which: np.ndarray) -> np.ndarray:
        return rng.random(which) if keyed else rng.random(len(which))

    rate, c, sys_g, mult, warmup = np.broadcast_arrays(
        np.asarray(arrivals_per_year, dtype=float),
        np.asarray(units, dtype=float),
        np.asarray(system_group, dtype=np.int64),
        np.asarray(scale, dtype=float),
        np.asarray(warmup_days, dtype=float),
    )
    rate, c, sys_g, mult, warmup = (np.atleast_1d(x).ravel() for x in (rate, c, sys_g, mult, warmup))
    empty_start = np.isfinite(warmup)
    c = c.astype(np.int64)
    values = np.asarray(stay_days, dtype=float)
    prob = np.asarray(stay_probability, dtype=float)
    dist = np.asarray(stay_group, dtype=np.int64)
    n_dist = int(dist.max()) + 1 if len(dist) else 0
    if np.any(np.diff(dist) < 0):
        raise ValueError("stay_group must be sorted")
    total = np.bincount(dist, weights=prob, minlength=n_dist)
    if np.any(np.abs(total - 1) > 1e-9):
        raise ValueError("stay_probability must sum to 1 within each stay_group")
    mean = np.bincount(dist, weights=prob * values, minlength=n_dist)
    n = len(rate)
    per_day = rate / 365.25

    def cumulative_keys(weights: np.ndarray) -> np.ndarray:
        # group g's normalised cumulative weights, shifted to (g, g + 1]: one sorted array.
        norm = weights / np.bincount(dist, weights=weights, minlength=n_dist)[dist]
        cum = pd.Series(norm).groupby(dist).cumsum().to_numpy(copy=True)
        cum[np.r_[dist[1:] != dist[:-1], True]] = 1.0
        return dist + cum

    keys = cumulative_keys(prob)
    biased = cumulative_keys(prob * values)

    def draw(which: np.ndarray, cum: np.ndarray) -> np.ndarray:
        g = sys_g[which]
        u = uniform(which)
        index = np.searchsorted(cum, g + u, side="right")
        return values[np.minimum(index, len(values) - 1)] * mult[which]

    # The stationary start: occupied units ~ truncated Poisson(a), residual stays ~ equilibrium.
    load = np.where(rate > 0, per_day * mean[sys_g] * mult, 0.0)
    most = int(c.max(initial=0))
    k = np.arange(most + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = k[None, :] * np.log(load)[:, None] - special.gammaln(k + 1)[None, :]
    log_pmf[:, 0] = 0.0  # a^0 / 0! = 1, also for load 0
    log_pmf = np.where((k[None, :] <= c[:, None]) & ~np.isnan(log_pmf), log_pmf, -np.inf)
    pmf = np.exp(log_pmf - log_pmf.max(axis=1, keepdims=True))
    cdf = np.cumsum(pmf, axis=1) / pmf.sum(axis=1, keepdims=True)
    busy = np.where(empty_start, 0, (cdf < uniform(np.arange(n))[:, None]).sum(axis=1))
    # Each system's units: free from time 0 (or when the occupant leaves); padding never free.
    slots = np.arange(max(most, 1))
    departure = np.where(slots[None, :] < c[:, None], 0.0, np.inf)
    occupied_days = np.zeros(n)
    rows, cols = np.nonzero(slots[None, :] < busy[:, None])
    if len(rows):
        residual = draw(rows, biased) * uniform(rows)
        departure[rows, cols] = residual
        np.add.at(occupied_days, rows, np.minimum(residual, horizon_days))

    arrivals = np.zeros(n, dtype=np.int64)
    lost = np.zeros(n, dtype=np.int64)
    clock = np.where(empty_start, -np.where(empty_start, warmup, 0.0), 0.0)
    active = np.flatnonzero(per_day > 0)
    while len(active):
        clock[active] += -np.log(uniform(active)) / per_day[active]
        active = active[clock[active] < horizon_days]
        if not len(active):
            break
        t = clock[active]
        unit = np.argmin(departure[active], axis=1)
        free = departure[active, unit] <= t
        counted = t >= 0  # arrivals in the warm-up are not counted
        arrivals[active[counted]] += 1
        lost[active[~free & counted]] += 1
        taken = active[free]
        if len(taken):
            stay = draw(taken, keys)
            begin = t[free]
            departure[taken, unit[free]] = begin + stay
            inside = np.minimum(begin + stay, horizon_days) - np.maximum(begin, 0.0)
            occupied_days[taken] += np.maximum(inside, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        turnaway = np.where(arrivals > 0, lost / np.maximum(arrivals, 1), np.nan)
        # Units opened during the period are measured over the days they were open.
        open_days = horizon_days - np.where(empty_start, np.clip(-warmup, 0.0, horizon_days), 0.0)
        occupancy = np.where((c > 0) & (open_days > 0), occupied_days / (np.maximum(c, 1) * np.maximum(open_days, 1e-9)), np.nan)
    return pd.DataFrame({"arrivals": arrivals, "turned_away": lost, "turnaway": turnaway, "occupancy": occupancy})


def monte_carlo_p_value(observed: Any, simulated: Any) -> np.ndarray:
    """Two-sided Monte Carlo p-value of an observed value against simulated ones, per row.

    .. math:: p = \\min\\Big(1,\\ 2\\min\\Big(\\frac{1 + \\#\\{s \\le x\\}}{1 + R},
              \\frac{1 + \\#\\{s \\ge x\\}}{1 + R}\\Big)\\Big)

    over the :math:`R` non-missing simulated values :math:`s` of the row (Davison AC &
    Hinkley DV 1997, *Bootstrap Methods and their Application*, section 4.2.1, with the
    usual doubling of the smaller tail). NaN where the observed value is missing or
    nothing was simulated.
    """
    x = np.atleast_1d(np.asarray(observed, dtype=float))
    sims = np.atleast_2d(np.asarray(simulated, dtype=float))
    valid = ~np.isnan(sims)
    r = valid.sum(axis=1)
    below = (valid & (sims <= x[:, None])).sum(axis=1)
    above = (valid & (sims >= x[:, None])).sum(axis=1)
    p = np.minimum(1.0, 2 * np.minimum((1 + below) / (1 + r), (1 + above) / (1 + r)))
    return np.where(np.isnan(x) | (r == 0), np.nan, p)


def loss_model_check(
    units: Any,
    load: Any,
    turned_away: Any,
    offered: Any,
    observed_occupancy: Any,
    simulated_turnaway: Any = None,
    simulated_occupancy: Any = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Check an Erlang loss model against the turn-aways and occupancy it should explain.

    .. math::

        B = B(c, a), \\quad \\rho_{model} = a(1 - B)/c

    (see the module docstring). The observed share turned away :math:`k/n` and occupancy are
    compared with what the model says a year of the system would show:

    * given ``simulated_turnaway`` / ``simulated_occupancy`` (one row per system, one column
      per simulated year, e.g. from :func:`simulate_loss_year` within each bootstrap replicate
      of the inputs), by the two-sided Monte Carlo p-value :func:`monte_carlo_p_value`; this
      carries the year-to-year variation of a loss system with long stays, where the
      occupancy of one year wanders far from its long-run mean;
    * without ``simulated_turnaway``, the turn-aways by the exact binomial test
      :math:`k \\sim \\mathrm{Bin}(n, B)`,
      :math:`p = \\min(1, 2\\min(P(X \\le k), P(X \\ge k)))` (Agresti 2013, section 1.4),
      which ignores that variation; without ``simulated_occupancy`` the occupancy is not tested.

    A comparison disagrees when its p-value is below ``alpha``; the check fails when either
    disagrees, and always when households were turned away from units none of which was
    occupied (never so in a loss system). ``suspect`` names the input to question from the
    directions of the observed values against :math:`B` and :math:`\\rho_{model}`
    (module docstring, :data:`SUSPECT_INPUTS`).

    Parameters
    ----------
    units, load
        Units :math:`c` and offered load :math:`a` (erlangs), broadcast together.
    turned_away, offered
        Households (or referrals) turned away for lack of space, :math:`k`, out of those offered
        to the units (accepted or turned away for space), :math:`n`.
    observed_occupancy
        Occupied unit-nights / (units x nights) observed.
    simulated_turnaway, simulated_occupancy
        Optional 2-D arrays (systems x simulated years; NaN allowed).
    alpha
        Significance level of each comparison.

    Returns
    -------
    pandas.DataFrame
        ``modelled_turnaway`` (:math:`B`), ``implied_occupancy`` (:math:`\\rho_{model}`, NaN
        with no units), ``observed_turnaway`` (:math:`k/n`), ``p_value`` (turn-aways),
        ``occupancy_p_value``, ``consistent`` (bool; True where there is nothing to test) and
        ``suspect`` (a key of :data:`SUSPECT_INPUTS`, or ``""`` where consistent).

    Examples
    --------
    One unit, load 1: :math:`B = 1/2`, implied occupancy :math:`1/2`; 6 of 6 turned away gives
    the binomial :math:`p = 2/64`, beyond chance at 5%.
    """
    c = _as_float(units, "units")
    a = _as_float(load, "load")
    k = _as_float(turned_away, "turned_away")
    n = _as_float(offered, "offered")
    occ = _as_float(observed_occupancy, "observed_occupancy")
    c, a, k, n, occ = np.broadcast_arrays(c, a, k, n, occ)
    c, a, k, n, occ = (np.atleast_1d(x).astype(float).ravel() for x in (c, a, k, n, occ))
    if np.any(k > n) or np.any(k < 0):
        raise ValueError("turned_away must be between 0 and offered")
    known = np.isfinite(a) & np.isfinite(c)
    blocking = np.full(c.shape, np.nan)
    if known.any():
        blocking[known] = np.asarray(erlang_b(c[known], a[known]), dtype=float)
    implied = np.where(c > 0, a * (1 - blocking) / np.where(c > 0, c, 1), np.nan)
    observed = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    testable = known & (n > 0)
    p_value = np.full(c.shape, np.nan)
    if simulated_turnaway is not None:
        sims = np.atleast_2d(np.asarray(simulated_turnaway, dtype=float))
        p_value = np.where(testable, monte_carlo_p_value(observed, sims), np.nan)
    elif testable.any():
        # scipy.stats is heavy to import (a second): only when a binomial test is asked for.
        from scipy import stats

        kk, nn, bb = k[testable], n[testable], blocking[testable]
        below = stats.binom.cdf(kk, nn, bb)
        above = stats.binom.sf(kk - 1, nn, bb)
        p_value[testable] = np.minimum(1.0, 2 * np.minimum(below, above))
    occupancy_p = np.full(c.shape, np.nan)
    if simulated_occupancy is not None:
        sims = np.atleast_2d(np.asarray(simulated_occupancy, dtype=float))
        occupancy_p = np.where(known & (c > 0), monte_carlo_p_value(occ, sims), np.nan)
    turnaway_off = p_value < alpha
    occupancy_off = occupancy_p < alpha
    # A loss system never turns a household away while no unit is occupied.
    empty = (c > 0) & (k > 0) & (occ == 0)
    consistent = ~(turnaway_off | occupancy_off | empty)
    more_turned_away = (observed > blocking) | (empty & ~np.isfinite(blocking))
    less_busy = (occ < implied) | empty
    busier = occ > implied
    suspect = np.where(
        consistent,
        "",
        np.where(
            more_turned_away & less_busy,
            "capacity_declines",
            np.where(~more_turned_away & busier, "units", "stays"),
        ),
    )
    return pd.DataFrame(
        {
            "modelled_turnaway": blocking,
            "implied_occupancy": implied,
            "observed_turnaway": observed,
            "p_value": p_value,
            "occupancy_p_value": occupancy_p,
            "consistent": consistent,
            "suspect": suspect.astype(object),
        }
    )
