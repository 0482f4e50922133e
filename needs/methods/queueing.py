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
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["erlang_b", "servers_needed"]


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
