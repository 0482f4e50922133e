"""The attacker's bounds: what everything published implies about each hidden count.

A published page hides some counts as ``[c]`` but shows others, together with facts a reader
knows about how they relate: cells add up to totals shown elsewhere, the same count appears
in several tables, and rounded percentages bound a count between two multiples of its
denominator. Every such fact is linear in the unknown counts, so the tightest bounds a
reader can deduce for one hidden count ``x_j`` are two linear programmes:

.. math::

    \\underline{x}_j = \\min x_j, \\quad \\overline{x}_j = \\max x_j
    \\quad \\text{subject to} \\quad A_{eq} x = b_{eq}, \\quad A_{ub} x \\le b_{ub}, \\quad x \\ge 0,

where the published counts have been substituted as constants. This is the audit of
suppressed tables described by Hundepool et al. (2012), *Statistical Disclosure Control*,
Wiley, section 4.3 ("the attacker's problem"), and by Fischetti and Salazar-González (1999),
"Models and algorithms for the 2-dimensional cell suppression problem in statistical
disclosure control", *Mathematical Programming* 84:283-312. The programmes are solved by
HiGHS (Huangfu and Hall 2018, *Mathematical Programming Computation* 10:119-142),
the solver behind :func:`scipy.optimize.linprog`, called directly so that one model per
component serves every bound. Integrality is relaxed: the integer bounds
can only be as wide or narrower, by less than one.

Hidden counts that share no constraint are independent, so the problem is split into
connected components and each is solved on its own (small programmes, fast).

Functions
---------
feasible_ranges
    The bounds on every hidden count.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

__all__ = ["Bound", "Equation", "bounds_by_key", "feasible_ranges"]


@dataclass(frozen=True)
class Equation:
    """``sum(coefficient * count) == 0`` over the named counts (e.g. ``total - a - b``)."""

    terms: tuple[tuple[Hashable, float], ...]


@dataclass(frozen=True)
class Bound:
    """``lower * denominator <= numerator <= upper * denominator``: a rounded share.

    A share published as ``s`` to a precision of ``h`` (half a unit of the last digit shown)
    says the numerator lies between ``(s - h)`` and ``(s + h)`` times the denominator.
    ``denominator`` may be ``None`` for a share of a known constant (then ``scale`` is that
    constant).
    """

    numerator: Hashable
    denominator: Hashable | None
    lower: float
    upper: float
    scale: float = 1.0


def _components(hidden: Sequence[Hashable], groups: Iterable[Sequence[Hashable]]) -> list[list[Hashable]]:
    parent = {key: key for key in hidden}

    def find(key: Hashable) -> Hashable:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for group in groups:
        first = None
        for key in group:
            if first is None:
                first = find(key)
            else:
                root = find(key)
                if root != first:
                    parent[root] = first
    members: dict[Hashable, list[Hashable]] = {}
    for key in hidden:
        members.setdefault(find(key), []).append(key)
    return list(members.values())


@functools.cache
def _solver() -> highspy.Highs:
    """One HiGHS solver per process, reused for every programme (each is small)."""
    # HiGHS writes a banner to the C-level standard output when the first solver is made; in a
    # Jupyter kernel that would be captured into the report, so it goes to the null device.
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    solver.setOptionValue("output_flag", False)
    return solver


def _solve_component(
    component: list[Hashable],
    eq: list[tuple[dict[Hashable, float], float]],
    ub: list[tuple[dict[Hashable, float], float]],
    targets: list[Hashable],
    values: Mapping[Hashable, float],
) -> dict[Hashable, tuple[float, float]]:
    """Minimise and maximise each target over one connected set of unknowns."""
    index = {key: i for i, key in enumerate(component)}
    rows, cols, coefs = [], [], []
    for r, (terms, _) in enumerate([*eq, *ub]):
        for key, coef in terms.items():
            rows.append(r)
            cols.append(index[key])
            coefs.append(coef)
    n_rows, n_cols = len(eq) + len(ub), len(component)
    # The constraint matrix in compressed sparse columns, as HiGHS takes it: the entries sorted
    # by column (stable, so rows stay in increasing order within a column), and where each
    # column starts. No key appears twice in a row, so there is nothing to sum.
    order = np.argsort(np.asarray(cols, dtype=np.int32), kind="stable")
    starts = np.zeros(n_cols + 1, dtype=np.int32)
    np.cumsum(np.bincount(np.asarray(cols, dtype=np.int64), minlength=n_cols), out=starts[1:])
    row_index = np.asarray(rows, dtype=np.int32)[order]
    values_by_column = np.asarray(coefs, dtype=float)[order]
    rhs = np.array([-k for _, k in eq] + [-k for _, k in ub], dtype=float)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = np.zeros(n_cols)
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.full(n_cols, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([rhs[: len(eq)], np.full(len(ub), -highspy.kHighsInf)])
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = row_index
    lp.a_matrix_.value_ = values_by_column
    solver = _solver()
    solver.clearModel()
    solver.passModel(lp)
    all_columns = np.arange(n_cols, dtype=np.int32)
    results: dict[Hashable, tuple[float, float]] = {}
    for key in targets:
        cost = np.zeros(n_cols)
        cost[index[key]] = 1.0
        solver.changeColsCost(n_cols, all_columns, cost)
        limits = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            solver.changeObjectiveSense(sense)
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                limits.append(solver.getInfo().objective_function_value)
            elif status == highspy.HighsModelStatus.kUnbounded:
                limits.append(np.inf)
            else:
                # Infeasible only if the published figures contradict each other (a bug):
                # report no protection rather than pretend the count is safe.
                limits.append(float(values[key]))
        results[key] = (limits[0], limits[1])
    return results


def feasible_ranges(
    values: Mapping[Hashable, float],
    hidden: Iterable[Hashable],
    equations: Sequence[Equation] = (),
    bounds: Sequence[Bound] = (),
    targets: Iterable[Hashable] | None = None,
) -> pd.DataFrame:
    """The tightest lower and upper bound a reader can deduce for each hidden count.

    Parameters and the programmes are those of :func:`bounds_by_key`.

    Returns
    -------
    pandas.DataFrame
        One row per target key, in the order given: ``key``, ``value``, ``lower``, ``upper``
        (``inf`` when nothing bounds it above) and ``width = upper - lower``.
    """
    limits = bounds_by_key(values, hidden, equations, bounds, targets)
    frame = pd.DataFrame(
        [{"key": key, "value": values.get(key), "lower": lo, "upper": hi} for key, (lo, hi) in limits.items()],
        columns=["key", "value", "lower", "upper"],
    )
    frame["width"] = frame["upper"] - frame["lower"]
    return frame


def bounds_by_key(
    values: Mapping[Hashable, float],
    hidden: Iterable[Hashable],
    equations: Sequence[Equation] = (),
    bounds: Sequence[Bound] = (),
    targets: Iterable[Hashable] | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """The tightest (lower, upper) bound a reader can deduce for each hidden count.

    Parameters
    ----------
    values
        Every count the constraints mention, by key: the published ones are read as the
        reader sees them; the hidden ones' values are used only to report ``value``.
    hidden
        Keys of the counts the page hides.
    equations, bounds
        What the reader knows (see :class:`Equation`, :class:`Bound`). Keys not in
        ``values`` are unknowns the page never shows (free, non-negative).
    targets
        Solve only for these hidden keys (default: all of ``hidden``); the other hidden
        counts are still unknowns of the programmes.

    Returns
    -------
    dict
        ``(lower, upper)`` by target key, in the order given (``upper`` is ``inf`` when
        nothing bounds the count above).
    """
    hidden = list(dict.fromkeys(hidden))
    hidden_set = set(hidden)
    wanted = hidden if targets is None else [k for k in dict.fromkeys(targets) if k in hidden_set]
    wanted_set = set(wanted)
    unknown: list[Hashable] = list(hidden)
    # Keys mentioned but never given a value are unknowns too (not reported).
    for equation in equations:
        for key, _ in equation.terms:
            if key not in values and key not in hidden_set:
                hidden_set.add(key)
                unknown.append(key)
    for bound in bounds:
        for key in (bound.numerator, bound.denominator):
            if key is not None and key not in values and key not in hidden_set:
                hidden_set.add(key)
                unknown.append(key)

    # Each constraint as (coefficients over unknowns, constant): sum(c * x) + constant (= or <=) 0.
    rows_eq: list[tuple[dict[Hashable, float], float]] = []
    for equation in equations:
        coefs: dict[Hashable, float] = {}
        constant = 0.0
        for key, coef in equation.terms:
            if key in hidden_set:
                coefs[key] = coefs.get(key, 0.0) + coef
            else:
                constant += coef * float(values[key])
        if coefs:
            rows_eq.append((coefs, constant))
    rows_ub: list[tuple[dict[Hashable, float], float]] = []
    for bound in bounds:
        # lower * denominator - numerator <= 0 and numerator - upper * denominator <= 0
        for sign, factor in ((-1.0, bound.lower), (1.0, bound.upper)):
            coefs = {}
            constant = 0.0
            terms = [(bound.numerator, sign)]
            if bound.denominator is None:
                constant -= sign * factor * bound.scale
            else:
                terms.append((bound.denominator, -sign * factor))
            for key, coef in terms:
                if key in hidden_set:
                    coefs[key] = coefs.get(key, 0.0) + coef
                else:
                    constant += coef * float(values[key])
            if coefs:
                rows_ub.append((coefs, constant))

    results: dict[Hashable, tuple[float, float]] = {}
    groups = [list(c) for c, _ in rows_eq] + [list(c) for c, _ in rows_ub]
    for component in _components(unknown, groups):
        if wanted_set.isdisjoint(component):
            continue
        members = set(component)
        eq = [(c, k) for c, k in rows_eq if next(iter(c)) in members]
        ub = [(c, k) for c, k in rows_ub if next(iter(c)) in members]
        targets_here = [k for k in component if k in wanted_set and k in values]
        if not eq and not ub:
            results.update({key: (0.0, np.inf) for key in targets_here})
            continue
        results.update(_solve_component(component, eq, ub, targets_here, values))
    return {key: results.get(key, (0.0, np.inf)) for key in wanted}
