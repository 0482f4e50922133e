"""One disclosure pass for the whole published page, and the audit that proves it.

A :class:`Page` holds every count the report can show, from every part of the assessment,
under one key per count (:mod:`needs.publish.cells`), with what a reader knows about them:
counts that add up to totals (:data:`needs.publish.cells.ADDITIVE`), the same count in
several tables, and rounded shares. It decides once which counts to hide:

1. **Primary suppression**: every count from 1 to ``threshold - 1``.
2. **Secondary suppression**: while the bounds a reader can deduce for some hidden count
   (:func:`needs.methods.linear_bounds.feasible_ranges`) are narrower than the threshold,
   hide one more count that shares a sum with it, the smallest first and a total or
   denominator only when nothing else will do (least information lost).

Every table, chart and sentence of the page is then drawn from :meth:`Page.published`, in
which each hidden count and every figure derived from it is ``[c]``. Figures shown outside
the tables (a sentence written by hand in a notebook) are declared with :meth:`Page.state`.
:meth:`Page.audit` solves the reader's bounds for every hidden count over everything
published and :meth:`Page.check` fails, naming the count and where it is shown, if any range
is narrower than the threshold.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from needs.methods.linear_bounds import Bound, Equation, bounds_by_key, feasible_ranges
from needs.publish.cells import ADDITIVE, NESTED, PARENT_CODES, Key, PartSpec, cell_key, describe_key
from needs.reference.constants import DEFAULT_SUPPRESS_BELOW, SYMBOL_CONFIDENTIAL

__all__ = ["DisclosureLeak", "Page"]

#: Most extra counts secondary suppression may hide before giving up (a safeguard).
MAX_COMPLEMENTARY = 10_000
#: How many candidate counts secondary suppression tries for each leak, cheapest first.
MAX_CANDIDATES_TRIED = 12


class DisclosureLeak(RuntimeError):
    """The published page lets a reader narrow a hidden count below the threshold."""


@dataclass
class _Registered:
    spec: PartSpec
    frame: pd.DataFrame
    keys: dict[str, pd.Series] = field(default_factory=dict)


class Page:
    """Every count of one published page, the relations between them, and what is hidden.

    Parameters
    ----------
    threshold
        Counts from 1 to ``threshold - 1`` are hidden, and no hidden count may be narrowed
        by a reader to a range narrower than ``threshold``.
    context
        Passed to each :class:`~needs.publish.cells.PartSpec`'s ``prepare`` (the assessment,
        the area and period).
    """

    def __init__(self, threshold: int = DEFAULT_SUPPRESS_BELOW, context: Any = None) -> None:
        self.threshold = int(threshold)
        self.context = context
        self.values: dict[Key, float] = {}
        self.shown_in: dict[Key, list[str]] = {}
        self.parts: dict[str, _Registered] = {}
        self.statements: list[tuple[str, tuple[tuple[Key, float], ...], tuple[Bound, ...]]] = []
        self.primary: set[Key] = set()
        self.hidden: set[Key] = set()
        self._protected = False

    # -- registering -------------------------------------------------------------------------

    def add(self, frame: pd.DataFrame, spec: PartSpec) -> None:
        """Register a part's counts under their keys.

        Raises
        ------
        ValueError
            Two tables give the same count different values (their definitions differ, so
            they must not share a key).
        """
        if self._protected:
            raise RuntimeError("add every part before protect()")
        frame = frame.reset_index(drop=True)
        if spec.prepare is not None and not frame.empty:
            frame = spec.prepare(frame, self.context).reset_index(drop=True)
        registered = _Registered(spec, frame)
        for count in spec.counts:
            if frame.empty or count.column not in frame.columns:
                continue
            keys = count.keys(frame)
            registered.keys[count.column] = keys
            numbers = pd.to_numeric(frame[count.column], errors="coerce")
            for key, value in zip(keys, numbers, strict=True):
                if pd.isna(value):
                    continue
                self._set(key, float(value), f"{spec.part}.{count.column}")
        self.parts[spec.part] = registered

    def _set(self, key: Key, value: float, where: str) -> None:
        known = self.values.get(key)
        if known is not None and not np.isclose(known, value):
            raise ValueError(
                f"{describe_key(key)} is {known:g} in {', '.join(self.shown_in[key])} "
                f"but {value:g} in {where}"
            )
        self.values[key] = value
        places = self.shown_in.setdefault(key, [])
        if where not in places:
            places.append(where)

    def state(
        self,
        where: str,
        counts: Mapping[Key, float] | Iterable[tuple[Key, float]] = (),
        shares: Iterable[tuple[Key, Key | None, float, int]] = (),
    ) -> None:
        """Declare figures shown outside the tables (e.g. a sentence written in a notebook).

        ``counts`` are shown exactly; ``shares`` are ``(numerator, denominator, share shown,
        decimals)``. The audit treats them as published, whatever :meth:`protect` decided.
        """
        pairs = tuple(counts.items() if isinstance(counts, Mapping) else counts)
        bounds = []
        for numerator, denominator, value, decimals in shares:
            half = 0.5 * 10.0 ** (-decimals)
            bounds.append(Bound(numerator, denominator, value - half, value + half))
        self.statements.append((where, pairs, tuple(bounds)))

    # -- relations ---------------------------------------------------------------------------

    def equations(self, values: Mapping[Key, float] | None = None) -> list[Equation]:
        """Every "total = sum of its parts" the registered counts obey (:data:`ADDITIVE`, and
        :data:`NESTED` for codes that nest in the codes of a wider dimension).

        A reader knows how the tables add up, so each sum is a fact of the page. A sum is
        kept only where the registered parts do add up to the total (a table may leave out
        a category, and then the reader cannot use that sum either).
        """
        values = self.values if values is None else values
        by_fact: dict[str, list[Key]] = {}
        for key in values:
            by_fact.setdefault(key[0], []).append(key)
        equations: list[Equation] = []
        for (fact, dim), parents in ADDITIVE.items():
            groups: dict[tuple, dict[str, Key]] = {}
            for key in by_fact.get(fact, ()):
                dims = dict(key[1])
                if dim not in dims:
                    continue
                value = dims.pop(dim)
                groups.setdefault(tuple(sorted(dims.items())), {})[value] = key
            for others, children in sorted(groups.items()):
                for parent_code, belongs in parents:
                    parent = cell_key(fact, {**dict(others), dim: parent_code})
                    if parent not in values:
                        continue
                    members = sorted(
                        k for code, k in children.items() if code not in PARENT_CODES and belongs(code)
                    )
                    # A sum holds only if every part of the total is registered (a part may
                    # leave out a category): keep the sums the counts actually satisfy.
                    if members and np.isclose(values[parent], sum(values[k] for k in members)):
                        equations.append(Equation(((parent, 1.0), *((k, -1.0) for k in members))))
        for (fact, dim), (wider, wider_code) in NESTED.items():
            nests: dict[Key, list[Key]] = {}
            for key in by_fact.get(fact, ()):
                dims = dict(key[1])
                if dim not in dims or wider in dims or dims[dim] not in wider_code:
                    continue
                code = dims.pop(dim)
                nests.setdefault(cell_key(fact, {**dims, wider: wider_code[code]}), []).append(key)
            for parent, members in sorted(nests.items()):
                if parent in values and np.isclose(values[parent], sum(values[k] for k in members)):
                    members = sorted(members)
                    equations.append(Equation(((parent, 1.0), *((k, -1.0) for k in members))))
        return equations

    def _bounds(self) -> list[Bound]:
        """Shown shares as bounds (:class:`~needs.publish.cells.Share`), and statements."""
        bounds: list[Bound] = []
        for registered in self.parts.values():
            frame = registered.frame
            for share in registered.spec.shares:
                if share.column not in frame.columns:
                    continue
                numerators = registered.keys.get(share.numerator)
                denominators = registered.keys.get(share.denominator)
                if numerators is None or denominators is None:
                    continue
                shown = self._mask(registered, symbols=False)[share.column]
                values = pd.to_numeric(shown, errors="coerce")
                factor = (
                    pd.to_numeric(frame[share.divided_by], errors="coerce")
                    if share.divided_by
                    else pd.Series(1.0, index=frame.index)
                )
                half = 0.5 * 10.0 ** (-share.decimals)
                counted = (
                    pd.to_numeric(frame[share.numerator], errors="coerce").notna()
                    & pd.to_numeric(frame[share.denominator], errors="coerce").notna()
                )
                usable = values.notna() & factor.notna() & counted
                for i in np.flatnonzero(usable.to_numpy()):
                    low = (values.iloc[i] - half) * factor.iloc[i]
                    high = (values.iloc[i] + half) * factor.iloc[i]
                    bounds.append(Bound(numerators.iloc[i], denominators.iloc[i], max(low, 0.0), high))
        for _, _, statement_bounds in self.statements:
            bounds.extend(statement_bounds)
        return bounds

    # -- deciding what to hide ---------------------------------------------------------------

    def protect(self) -> Page:
        """Decide once which counts the page hides (primary, then secondary suppression)."""
        self.primary = {k for k, v in self.values.items() if 0 < v < self.threshold}
        hidden = set(self.primary)
        equations = self.equations()
        parents: dict[Key, int] = {}
        for equation in equations:
            parents[equation.terms[0][0]] = parents.get(equation.terms[0][0], 0) + 1
        lines: dict[Key, list[int]] = {}
        for i, eq in enumerate(equations):
            for key, _ in eq.terms:
                lines.setdefault(key, []).append(i)
        # Hiding one more count never narrows another's bounds, so each leak is mended on
        # its own: re-solve only the leaking count until it is safe, then the next.
        limit = self.threshold - 1e-9
        queue = [key for key, width in self._widths(hidden, equations, None).items() if width < limit]
        for _ in range(MAX_COMPLEMENTARY):
            if not queue:
                break
            leaking = queue[0]
            if self._widths(hidden, equations, [leaking], lines)[leaking] >= limit:
                queue.pop(0)
                continue
            complement = self._complement(leaking, hidden, equations, lines, parents)
            if complement is None:
                raise DisclosureLeak(
                    f"no count could be hidden to protect {describe_key(leaking)} "
                    f"(shown in {', '.join(self.shown_in.get(leaking, []))})"
                )
            hidden.add(complement)
            queue.append(complement)
        self.hidden = self._release(hidden, equations, lines)
        self._protected = True
        return self

    def _release(self, hidden: set[Key], equations: list[Equation], lines: dict[Key, list[int]]) -> set[Key]:
        """Publish again every count hidden only to protect others that turns out not to be
        needed (largest first): the greedy choice can overshoot once later choices are made."""
        hidden = set(hidden)
        for key in sorted(hidden - self.primary, key=lambda k: (-self.values[k], describe_key(k))):
            trial = hidden - {key}
            neighbours = {
                other for i in lines.get(key, ()) for other, _ in equations[i].terms if other in trial
            }
            # The counts in a sum with the released one are the likeliest to be given away:
            # check them first and stop at the first leak.
            for group in (neighbours, self._linked(key, trial, equations, lines) - neighbours):
                widths = self._widths(trial, equations, sorted(group), lines) if group else {}
                if any(width < self.threshold - 1e-9 for width in widths.values()):
                    break
            else:
                hidden = trial
        return hidden

    @staticmethod
    def _linked(key: Key, hidden: set[Key], equations: list[Equation], lines: dict[Key, list[int]]) -> set[Key]:
        """The hidden counts tied to ``key`` through sums of hidden counts."""
        linked: set[Key] = set()
        frontier = [key]
        seen = {key}
        while frontier:
            current = frontier.pop()
            for i in lines.get(current, ()):
                for other, _ in equations[i].terms:
                    if other in hidden and other not in seen:
                        seen.add(other)
                        linked.add(other)
                        frontier.append(other)
        return linked

    @staticmethod
    def _reaching(
        targets: Iterable[Key], hidden: set[Key], equations: list[Equation], lines: dict[Key, list[int]]
    ) -> list[Equation]:
        """The sums in the connected component of the hidden ``targets``, in their order: every
        sum holding a target, and every sum holding a hidden count of such a sum, and so on."""
        frontier = [key for key in targets if key in hidden]
        seen = set(frontier)
        rows: set[int] = set()
        while frontier:
            current = frontier.pop()
            for i in lines.get(current, ()):
                if i in rows:
                    continue
                rows.add(i)
                for other, _ in equations[i].terms:
                    if other in hidden and other not in seen:
                        seen.add(other)
                        frontier.append(other)
        return [equations[i] for i in sorted(rows)]

    def _complement(
        self,
        leaking: Key,
        hidden: set[Key],
        equations: list[Equation],
        lines: dict[Key, list[int]],
        parents: dict[Key, int],
    ) -> Key | None:
        """The published count to hide with ``leaking``: one in a sum with it or with the
        hidden counts it is tied to; a part before a total, a total of few sums before one
        of many (the area's households supported totals every characteristic), the smallest
        first."""
        seen = {leaking}
        frontier = [leaking]
        candidates: set[Key] = set()
        while frontier:
            next_frontier = []
            for key in frontier:
                for i in lines.get(key, ()):
                    for other, _ in equations[i].terms:
                        if other in hidden:
                            if other not in seen:
                                seen.add(other)
                                next_frontier.append(other)
                        elif self.values.get(other, 0) > 0:
                            candidates.add(other)
            frontier = next_frontier
        if not candidates:
            return None
        return self._best(leaking, candidates, hidden, equations, parents, lines)

    def _best(
        self,
        leaking: Key,
        candidates: set[Key],
        hidden: set[Key],
        equations: list[Equation],
        parents: dict[Key, int],
        lines: dict[Key, list[int]],
    ) -> Key:
        """Of the candidates, the cheapest (not a total, smallest) that makes ``leaking`` safe
        on its own; failing that, the one that widens its range most."""
        ordered = sorted(candidates, key=lambda k: (parents.get(k, 0), self.values[k], k))
        best, best_score = ordered[0], (-1, -1.0)
        for candidate in ordered[:MAX_CANDIDATES_TRIED]:
            width = self._widths(hidden | {candidate}, equations, [leaking, candidate], lines)
            safe = {key: value >= self.threshold - 1e-9 for key, value in width.items()}
            if all(safe.values()):
                return candidate
            # Otherwise prefer a count that is itself safe once hidden (else it must be
            # protected in turn), then the widest range for the leaking count.
            score = (int(safe.get(candidate, False)), float(width.get(leaking, 0.0)))
            if score > best_score:
                best, best_score = candidate, score
        return best

    def _widths(
        self,
        hidden: set[Key],
        equations: list[Equation],
        targets: list[Key] | None,
        lines: dict[Key, list[int]] | None = None,
    ) -> dict[Key, float]:
        """The width of the reader's range for each target (every hidden count if ``None``).

        With ``lines`` (the equations each key is in), only the sums that reach the targets
        through hidden counts are passed to the solver: the other sums are in other connected
        components, which :func:`~needs.methods.linear_bounds.bounds_by_key` would leave out
        anyway, so the programmes solved (and the bounds) are the same, found without
        rebuilding every sum of the page for each of the hundreds of calls of :meth:`protect`.
        """
        if targets is not None and lines is not None:
            equations = self._reaching(targets, hidden, equations, lines)
        limits = bounds_by_key(self.values, sorted(hidden), equations, targets=targets)
        return {key: upper - lower for key, (lower, upper) in limits.items()}

    # -- what is published -------------------------------------------------------------------

    def _mask(self, registered: _Registered, *, symbols: bool) -> pd.DataFrame:
        frame = registered.frame.copy()
        hidden_value: Any = SYMBOL_CONFIDENTIAL if symbols else np.nan
        for count in registered.spec.counts:
            keys = registered.keys.get(count.column)
            if keys is None:
                continue
            hide = keys.map(lambda k: k in self.hidden).to_numpy(dtype=bool)
            if not hide.any():
                continue
            for column in (count.column, *count.derived):
                if column in frame.columns:
                    if frame[column].dtype != object:
                        frame[column] = frame[column].astype(object)
                    frame.loc[hide, column] = hidden_value
        return frame

    def published(self, part: str, *, symbols: bool = True) -> pd.DataFrame:
        """A part as published: hidden counts and their derived figures as ``[c]`` (or NaN)."""
        if not self._protected:
            raise RuntimeError("protect() the page before publishing from it")
        registered = self.parts.get(part)
        if registered is None:
            return pd.DataFrame()
        return self._mask(registered, symbols=symbols)

    def is_hidden(self, key: Key) -> bool:
        return key in self.hidden

    # -- the audit ---------------------------------------------------------------------------

    def audit(self) -> pd.DataFrame:
        """The reader's bounds on every hidden count, from everything the page shows.

        Published counts, the sums of :meth:`equations`, the shares shown (as intervals) and
        every :meth:`state` ment. A count declared in a statement is read as shown even if
        :meth:`protect` hid it.

        Returns
        -------
        pandas.DataFrame
            ``key``, ``value``, ``lower``, ``upper``, ``width``, ``shown_in`` and ``safe``
            (``width >= threshold``), one row per hidden count.
        """
        shown = dict(self.values)
        for _, pairs, _ in self.statements:
            shown.update({key: float(value) for key, value in pairs if key not in shown})
        equations = self.equations(shown)
        bounds = self._bounds()
        stated: dict[Key, list[str]] = {}
        for where, pairs, statement_bounds in self.statements:
            for bound in statement_bounds:
                for key in (bound.numerator, bound.denominator):
                    stated.setdefault(key, []).append(where)
            for key, value in pairs:
                stated.setdefault(key, []).append(where)
                equations.append(Equation(((key, 1.0), (("__constant__", ()), -float(value)))))
        values: dict[Hashable, float] = dict(self.values)
        values[("__constant__", ())] = 1.0
        order = sorted(self.hidden, key=describe_key)
        ranges = feasible_ranges(values, order, equations, bounds)
        ranges["shown_in"] = [
            ", ".join(self.shown_in.get(k, []) + stated.get(k, [])) for k in ranges["key"]
        ]
        ranges["safe"] = ranges["width"] >= self.threshold - 1e-9
        return ranges

    def check(self) -> pd.DataFrame:
        """Run :meth:`audit` and fail if any hidden count is narrowed below the threshold.

        Raises
        ------
        DisclosureLeak
            Naming each count, its bounds and where it is shown.
        """
        ranges = self.audit()
        unsafe = ranges[~ranges["safe"]]
        if len(unsafe):
            lines = [
                f"{describe_key(row.key)} can be worked out to between {row.lower:g} and "
                f"{row.upper:g} (shown in {row.shown_in or 'no table'})"
                for row in unsafe.itertuples()
            ]
            raise DisclosureLeak(
                f"the published page gives away {len(unsafe)} hidden count(s) (threshold "
                f"{self.threshold}): " + "; ".join(lines)
            )
        return ranges

    def summary(self) -> dict[str, int]:
        """Counts on the page, hidden as small (primary) and hidden to protect them."""
        positive = sum(1 for v in self.values.values() if v > 0)
        return {
            "counts": len(self.values),
            "non_zero": positive,
            "hidden": len(self.hidden),
            "primary": len(self.primary),
            "secondary": len(self.hidden - self.primary),
        }

