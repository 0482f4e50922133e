"""Statistical disclosure control of one table: primary, derived and secondary suppression.

The published report is protected as a whole by :class:`needs.publish.page.Page`, which keys
every count once across tables and checks the page with linear bounds
(:mod:`needs.methods.linear_bounds`); the functions here protect a single table on its own
(the scenario display, tables without counts of people) and hold the shared wording of the
symbols (:func:`suppression_note`).

The published report goes on a council website, so no table may reveal a small number of
people. The rules follow the Office for National Statistics "Policy on protecting
confidentiality in tables of birth and death statistics" and the Government Statistical
Service (GSS) guidance on statistical disclosure control for tables:

* **Primary suppression.** A count from 1 to ``threshold - 1`` (1 to 4 by default,
  :data:`needs.reference.constants.DEFAULT_SUPPRESS_BELOW`) is replaced by the ONS symbol ``[c]``
  ("confidential"). Zeros are shown, as ONS does for these tables: a zero describes nobody.
  A missing count is shown as ``[x]`` ("not available"), following the ONS guidance
  "Symbols, suppressed and rounded data" (``[z]`` is "not applicable").
* **Derived figures.** Shares, rates, confidence limits and ratios computed from a hidden
  count would give the count back, so they are hidden with it.
* **Secondary suppression.** Where cells add up to a published (or derivable) total, a single
  hidden cell can be recovered by subtraction. In every such line either no cell is hidden or
  at least two are; the extra cells are the smallest non-zero ones (least information lost),
  never the total itself. For two-way tables (:func:`suppress_crosstab`) the hidden cells
  must in addition lie on a cycle of hidden cells, the condition under which no hidden cell is
  fixed by the row and column totals (Cox 1980, "Suppression methodology and statistical
  disclosure control", JASA 75:377-385; the "no single suppression / no bridge" rule of the
  GSS guidance).

Functions
---------
suppress
    Long tables: primary, derived and (with ``within``) one-way secondary suppression.
suppress_crosstab
    Wide two-way tables with row and column totals.
is_disclosive
    Whether a value is a small non-zero count.
check_published
    Audit a published table for surviving small counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from needs.reference.constants import (
    DEFAULT_SUPPRESS_BELOW,
    SYMBOL_CONFIDENTIAL,
    SYMBOL_NOT_APPLICABLE,
    SYMBOL_NOT_AVAILABLE,
)

__all__ = [
    "SUPPRESSION_NOTE",
    "check_published",
    "is_disclosive",
    "suppression_note",
    "suppress",
    "suppress_crosstab",
]

_SYMBOLS = (SYMBOL_CONFIDENTIAL, SYMBOL_NOT_AVAILABLE, SYMBOL_NOT_APPLICABLE)

#: Key of ``DataFrame.attrs`` where :func:`suppress` records what it did, for audits.
ATTRS_KEY = "disclosure"


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1, got {threshold!r}")


def suppression_note(threshold: int = DEFAULT_SUPPRESS_BELOW) -> str:
    """Plain-English note for the report explaining the symbols and the threshold.

    Parameters
    ----------
    threshold : int
        Smallest count that is published (counts from 1 to ``threshold - 1`` are hidden).

    Returns
    -------
    str
        Three sentences, one per ONS symbol ([c], [x], [z]; ONS "Symbols, suppressed and
        rounded data" guidance), and a sentence on zeros.
    """
    _check_threshold(threshold)
    return (
        f"[c] A count from 1 to {threshold - 1}, or a figure that would reveal one, is hidden "
        "to protect the people it describes. Where numbers add up to a total, at least one "
        "more figure is hidden so the hidden one cannot be worked out by subtraction. "
        "[x] The figure is not available. "
        "[z] The figure does not apply. "
        "A zero means nobody, and is shown."
    )


#: The note for the default threshold (:data:`needs.reference.constants.DEFAULT_SUPPRESS_BELOW`).
SUPPRESSION_NOTE: str = suppression_note(DEFAULT_SUPPRESS_BELOW)


def is_disclosive(value: Any, threshold: int = DEFAULT_SUPPRESS_BELOW) -> Any:
    """Whether a count is small enough to identify people: ``0 < value < threshold``.

    Parameters
    ----------
    value : scalar, array-like or pandas.Series
        Count(s). Missing values, symbols such as ``"[c]"`` and other non-numbers are not
        disclosive (they reveal no number).
    threshold : int
        Smallest count that may be published (ONS birth and death statistics policy: 3; this
        toolkit's default 5, :data:`needs.reference.constants.DEFAULT_SUPPRESS_BELOW`).

    Returns
    -------
    bool, numpy.ndarray of bool or pandas.Series of bool
        Same shape as ``value``. Zero is not disclosive: it describes nobody. A non-integer
        value between 0 and 1 (an estimate or weighted count) is treated as disclosive.
    """
    _check_threshold(threshold)
    if isinstance(value, pd.Series):
        numbers = pd.to_numeric(value.where(value.map(_is_number)), errors="coerce")
        return (numbers > 0) & (numbers < threshold)
    if np.ndim(value) == 0:
        if not _is_number(value) or pd.isna(value):
            return False
        return bool(0 < value < threshold)
    flat = pd.Series(np.asarray(value, dtype=object).ravel())
    return is_disclosive(flat, threshold).to_numpy().reshape(np.shape(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# Long tables
# --------------------------------------------------------------------------------------------


def _count_values(table: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers, already-hidden mask and symbol text of a count column.

    Already-published symbols are kept, so suppressing a published table again changes nothing.
    """
    # Object dtype so nullable (Int64, category) missing values compare as False, not <NA>.
    raw = table[column].astype(object)
    symbol = raw.where(raw.isin(_SYMBOLS))
    numbers = raw.where(symbol.isna())
    try:
        numbers = pd.to_numeric(numbers, errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"count column '{column}' must hold numbers or ONS symbols: {exc}") from None
    if (numbers < 0).any():
        raise ValueError(f"count column '{column}' holds negative values; counts cannot be negative")
    already_hidden = symbol.eq(SYMBOL_CONFIDENTIAL)
    return numbers, already_hidden, symbol


def _group_ids(table: pd.DataFrame, within: Sequence[str]) -> np.ndarray:
    if len(within) == 0:
        return np.zeros(len(table), dtype=np.int64)
    return table.groupby(list(within), observed=True, dropna=False, sort=False).ngroup().to_numpy()


def _secondary_within(
    numbers: pd.Series,
    hidden: pd.Series,
    groups: np.ndarray,
    is_total: pd.Series,
    threshold: int,
) -> pd.Series:
    """One-way secondary suppression inside groups that add up to a total.

    Every group is one linear equation: the sum of its component rows equals the group total
    (the ``total_rows`` value when the group has one, otherwise the derivable sum). Rules:

    1. If ``0 < total < threshold`` the whole group is hidden (zeros included, so a small group
       cannot be seen to fall entirely in one category).
    2. If exactly one member of the equation (components and total) is hidden, the smallest
       non-zero visible component is hidden too (ties: first row); if there is none, the
       first visible zero component. Total rows are never chosen.

    One pass suffices: each row belongs to one group, so fixing one group cannot upset another.
    All steps are vectorised group-by operations.
    """
    index = numbers.index
    g = pd.Series(groups, index=index)
    missing = numbers.isna() & ~hidden
    filled = numbers.fillna(0.0)

    has_total = is_total.groupby(g).transform("any")
    total_sum = filled.where(is_total, 0.0).groupby(g).transform("sum")
    part_sum = filled.where(~is_total, 0.0).groupby(g).transform("sum")
    group_total = total_sum.where(has_total, part_sum)
    # A group whose hidden total is already "[c]" counts as small too.
    total_hidden = (hidden & is_total).groupby(g).transform("any")
    small = ((group_total > 0) & (group_total < threshold)) | total_hidden
    hidden = hidden | (small & ~missing)

    n_hidden = hidden.groupby(g).transform("sum")
    needs_more = n_hidden.eq(1)
    candidate = needs_more & ~hidden & ~is_total & ~missing
    for allow_zero in (False, True):
        pool = candidate & (filled > 0) if not allow_zero else candidate
        if not pool.any():
            continue
        # Rank the pool within each group: smallest value first, ties by position.
        ranks = filled.where(pool).groupby(g).rank(method="first")
        chosen = ranks.eq(1)
        hidden = hidden | chosen
        got = chosen.groupby(g).transform("any")
        candidate = candidate & ~got
        needs_more = needs_more & ~got
        if not needs_more.any():
            break
    return hidden


def suppress(
    table: pd.DataFrame,
    counts: Sequence[str] = ("count",),
    *,
    derived: Mapping[str, Sequence[str]] | None = None,
    within: Sequence[str] | None = None,
    threshold: int = DEFAULT_SUPPRESS_BELOW,
    total_rows: pd.Series | None = None,
) -> pd.DataFrame:
    """Hide small counts, the figures derived from them, and cells recoverable from totals.

    Parameters
    ----------
    table : pandas.DataFrame
        A tidy long table. Not modified.
    counts : sequence of str
        Count columns. A count ``n`` with ``0 < n < threshold`` becomes ``"[c]"`` (primary
        suppression; ONS birth and death statistics confidentiality policy, GSS statistical
        disclosure control guidance). Zero stays 0: zeros are shown, as ONS does for these
        tables. A missing count becomes ``"[x]"`` (ONS symbols guidance). Cells that already
        hold ``"[c]"``, ``"[x]"`` or ``"[z]"`` are kept, so suppressing twice changes nothing.
    derived : mapping of str to sequence of str, optional
        For each count column, the columns computed from it (shares, rates, lower and upper
        limits, ratios, percentages). Each is ``"[c]"`` wherever its count is hidden, by
        primary or secondary suppression; a column listed under two counts is hidden when
        either is. Missing derived values become ``"[x]"``.
    within : sequence of str, optional
        Columns defining groups of rows whose counts add up to a published or derivable total,
        e.g. ``["area_code", "characteristic", "basis"]``; an empty sequence makes the whole
        table one group. In every group, separately for each count column: if ``0 < total <
        threshold`` the whole group is hidden (zeros included); otherwise if exactly one cell
        is hidden, the next smallest non-zero cell is hidden too, so no hidden cell equals the
        total minus the visible cells. ``None`` (default): rows are independent, no totals
        are published, only primary suppression applies.
    threshold : int
        Smallest count that may be published (default 5,
        :data:`needs.reference.constants.DEFAULT_SUPPRESS_BELOW`).
    total_rows : pandas.Series of bool, optional
        Aligned with ``table``: rows that are the total of their ``within`` group (e.g. an
        ``"all"`` category). They give the group total, are published (unless the total itself
        is small) and are never chosen for secondary suppression. Without it the group total is
        the sum of the group's rows.

    Returns
    -------
    pandas.DataFrame
        A copy. Count and derived columns have object dtype: numbers stay numbers (whole-number
        counts as ``int``), hidden cells are ``"[c]"``, missing ones ``"[x]"``. Other columns
        are untouched. ``result.attrs["disclosure"]`` records the counts, derived columns and
        threshold for :func:`check_published`.

    Raises
    ------
    ValueError
        An unknown column, a negative or non-numeric count, a bad threshold, or ``total_rows``
        not aligned with ``table`` or given without ``within``.

    Notes
    -----
    Secondary suppression here is one-way: each row belongs to one group. A long table that
    adds up in two directions (e.g. outcomes by accommodation type with an ``"all"`` type
    **and** an outcome total) must be pivoted and passed to :func:`suppress_crosstab`, which
    protects both directions.

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["a", "b", "c"], "count": [3, 10, 40]})
    >>> suppress(t, within=[])["count"].tolist()
    ['[c]', '[c]', 40]
    """
    _check_threshold(threshold)
    counts = [counts] if isinstance(counts, str) else list(counts)
    derived = {
        key: ([cols] if isinstance(cols, str) else list(cols)) for key, cols in (derived or {}).items()
    }
    unknown = [c for c in counts if c not in table.columns]
    if unknown:
        raise ValueError(f"counts: column(s) {unknown} not in the table")
    for key, cols in derived.items():
        if key not in counts:
            raise ValueError(f"derived: '{key}' is not one of the count columns {counts}")
        missing_cols = [c for c in cols if c not in table.columns]
        if missing_cols:
            raise ValueError(f"derived['{key}']: column(s) {missing_cols} not in the table")
        clash = [c for c in cols if c in counts]
        if clash:
            raise ValueError(f"derived['{key}']: column(s) {clash} are also count columns")
    if within is not None:
        within = [within] if isinstance(within, str) else list(within)
        absent = [c for c in within if c not in table.columns]
        if absent:
            raise ValueError(f"within: column(s) {absent} not in the table")
    if total_rows is not None:
        if within is None:
            raise ValueError("total_rows needs within: totals are totals of within-groups")
        if isinstance(total_rows, pd.Series):
            if not total_rows.index.equals(table.index):
                raise ValueError("total_rows must have the same index as table")
            is_total = total_rows.fillna(False).astype(bool)
        else:
            arr = np.asarray(total_rows, dtype=bool)
            if arr.shape != (len(table),):
                raise ValueError("total_rows must have one entry per row of table")
            is_total = pd.Series(arr, index=table.index)
    else:
        is_total = pd.Series(False, index=table.index)

    groups = _group_ids(table, within) if within is not None else None
    out = table.copy()
    derived_hidden: dict[str, pd.Series] = {}
    for column in counts:
        numbers, hidden, symbol = _count_values(table, column)
        hidden = hidden | ((numbers > 0) & (numbers < threshold))
        if groups is not None:
            hidden = _secondary_within(numbers, hidden, groups, is_total, threshold)
        out[column] = _publish(numbers, hidden, symbol, integers=True)
        for target in derived.get(column, []):
            derived_hidden[target] = derived_hidden.get(target, False) | hidden
    for target, hidden in derived_hidden.items():
        raw = table[target].astype(object)
        symbol = raw.where(raw.isin(_SYMBOLS))
        values = raw.where(symbol.isna())
        out[target] = _publish(values, hidden | symbol.eq(SYMBOL_CONFIDENTIAL), symbol, integers=False)
    out.attrs = dict(table.attrs)
    out.attrs[ATTRS_KEY] = {"counts": counts, "derived": derived, "threshold": int(threshold)}
    return out


def _publish(values: pd.Series, hidden: pd.Series, symbol: pd.Series, *, integers: bool) -> pd.Series:
    """Object column: numbers where shown, ``[c]`` where hidden, ``[x]`` where missing."""
    shown = values.where(~hidden)
    if integers:
        numeric = pd.to_numeric(shown, errors="coerce")
        present = numeric.dropna()
        if len(present) and np.all(np.mod(present.to_numpy(), 1) == 0):
            result = numeric.astype("Int64").astype(object)
        else:
            result = numeric.astype(object)
    else:
        result = shown.astype(object)
    result = result.where(~pd.isna(result), SYMBOL_NOT_AVAILABLE)
    result = result.where(symbol.isna(), symbol)
    return result.where(~hidden, SYMBOL_CONFIDENTIAL).astype(object)


# --------------------------------------------------------------------------------------------
# Two-way tables
# --------------------------------------------------------------------------------------------


def _bridges(edges: np.ndarray, n_nodes: int) -> list[int]:
    """Indices of the bridges of an undirected simple graph (Tarjan 1974), iteratively."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for k, (a, b) in enumerate(edges):
        adjacency[a].append((b, k))
        adjacency[b].append((a, k))
    order = [-1] * n_nodes
    low = [0] * n_nodes
    found: list[int] = []
    counter = 0
    for start in range(n_nodes):
        if order[start] != -1 or not adjacency[start]:
            continue
        order[start] = low[start] = counter
        counter += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for nxt, k in neighbours:
                if k == via:
                    continue
                if order[nxt] == -1:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, k, iter(adjacency[nxt])))
                    advanced = True
                    break
                low[node] = min(low[node], order[nxt])
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
    return found


def _component(start: int, edges: np.ndarray, skip: int, n_nodes: int) -> np.ndarray:
    """Boolean mask of the nodes reachable from ``start`` without edge ``skip``."""
    adjacency: list[list[int]] = [[] for _ in range(n_nodes)]
    for k, (a, b) in enumerate(edges):
        if k != skip:
            adjacency[a].append(b)
            adjacency[b].append(a)
    seen = np.zeros(n_nodes, dtype=bool)
    seen[start] = True
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in adjacency[node]:
            if not seen[nxt]:
                seen[nxt] = True
                todo.append(nxt)
    return seen


def _pick(values: np.ndarray, pool: np.ndarray) -> tuple[int, int] | None:
    """Cell of the pool to hide: smallest non-zero value, else a zero (ties: first)."""
    for mask in (pool & (values > 0), pool):
        if mask.any():
            flat = np.where(mask, values, np.inf).ravel()
            r, c = np.unravel_index(int(np.argmin(flat)), values.shape)
            return int(r), int(c)
    return None


def _secondary_crosstab(values: np.ndarray, hidden: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Secondary suppression of a two-way table whose last row and column are its totals.

    Every row and every column, the totals row and column included, is the equation
    "components add up to the last cell". Repeat until nothing changes:

    1. every line with exactly one hidden cell gets its smallest non-zero visible component
       hidden (rows in one vectorised step, then columns);
    2. if the hidden cells, seen as edges between their row and column, contain a bridge (a
       hidden cell on no cycle of hidden cells, whose value is then fixed by the totals), hide
       the smallest visible cell joining the two sides of the bridge, which closes a cycle.

    When every line has 0 or >= 2 hidden cells and there is no bridge, each hidden cell lies
    on a cycle and can be moved up and down along it while every total is kept, so none can
    be deduced (Cox 1980). ``usable`` marks cells that may be chosen (not the grand total,
    not missing).
    """
    hidden = hidden.copy()
    n_rows, n_cols = values.shape
    component = np.ones_like(hidden)
    component[:, -1] = False  # a line's last cell is its total: never its own secondary cell
    while True:
        changed = False
        for axis in (1, 0):  # rows, then columns
            count = hidden.sum(axis=axis)
            lines = np.flatnonzero(count == 1)
            if axis == 0:
                comp_mask = np.ones_like(hidden)
                comp_mask[-1, :] = False
            else:
                comp_mask = component
            for pool_kind in ("nonzero", "any"):
                if lines.size == 0:
                    break
                pool = ~hidden & usable & comp_mask
                if pool_kind == "nonzero":
                    pool &= values > 0
                line_pool = np.take(pool, lines, axis=1 - axis)
                line_vals = np.where(line_pool, np.take(values, lines, axis=1 - axis), np.inf)
                best = np.argmin(line_vals, axis=axis)
                ok = np.isfinite(
                    np.take_along_axis(line_vals, np.expand_dims(best, axis), axis).squeeze(axis)
                )
                if axis == 1:
                    hidden[lines[ok], best[ok]] = True
                else:
                    hidden[best[ok], lines[ok]] = True
                changed |= bool(ok.any())
                lines = lines[~ok]
        if changed:
            continue
        rows, cols = np.nonzero(hidden)
        edges = np.column_stack([rows, n_rows + cols])
        bridges = _bridges(edges, n_rows + n_cols)
        fixed = False
        for k in bridges:
            side = _component(int(edges[k, 0]), edges, k, n_rows + n_cols)
            row_side = side[:n_rows]
            col_other = ~side[n_rows:]
            pool = ~hidden & usable & np.outer(row_side, col_other)
            cell = _pick(values, pool)
            if cell is not None:
                hidden[cell] = True
                fixed = True
                break
        if not fixed:
            return hidden


def suppress_crosstab(
    table: pd.DataFrame,
    threshold: int = DEFAULT_SUPPRESS_BELOW,
    margins: bool = True,
    *,
    margins_name: str = "Total",
) -> pd.DataFrame:
    """Suppress a wide two-way table of counts with its row and column totals.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows by columns of counts (no totals), e.g. host area by origin area, or accommodation
        type by outcome. Single-level index and columns. Missing counts are shown ``"[x]"``
        and count as zero in the totals.
    threshold : int
        Smallest count that may be published (default 5).
    margins : bool
        If True (default) a row and a column of totals, computed from the true counts, are
        added and published, and secondary suppression protects every hidden cell against
        them. If False no totals are published and only primary suppression applies.
    margins_name : str
        Label of the totals row and column.

    Returns
    -------
    pandas.DataFrame
        Object dtype, with the totals row and column when ``margins``: numbers where shown,
        ``"[c]"`` where hidden.

    Notes
    -----
    Primary suppression hides every count (totals included) from 1 to ``threshold - 1``
    (ONS birth and death statistics confidentiality policy; GSS statistical disclosure
    control guidance). Secondary suppression then makes every row and every column, the
    totals row and column included, hold either no hidden cell or at least two, and makes
    every hidden cell lie on a cycle of hidden cells, choosing the smallest non-zero cells.
    Each hidden cell can then be moved up and down along its cycle without changing any
    published figure or making a count negative, so it cannot be deduced from the totals
    (Cox 1980, JASA 75:377-385). A total is hidden by secondary suppression only when that
    is the only way to protect a hidden total in the totals line; the grand total is hidden
    only when it is itself small. Tables are small (areas, types), so the graph steps loop
    over hidden cells; the line steps are vectorised.
    """
    _check_threshold(threshold)
    if table.index.nlevels != 1 or table.columns.nlevels != 1:
        raise ValueError("table must have a single-level index and single-level columns")
    if margins and (margins_name in table.index or margins_name in table.columns):
        raise ValueError(f"margins_name '{margins_name}' is already a row or column label of table")
    try:
        numbers = table.apply(pd.to_numeric, errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"table must hold numbers only: {exc}") from None
    if (numbers < 0).any().any():
        raise ValueError("table holds negative counts; counts cannot be negative")
    missing = numbers.isna()
    if margins:
        full = numbers.fillna(0.0).copy()
        full[margins_name] = full.sum(axis=1)
        full.loc[margins_name] = full.sum(axis=0)
        miss = missing.copy()
        miss[margins_name] = False
        miss.loc[margins_name] = False
        miss = miss.astype(bool)
    else:
        full = numbers.fillna(0.0)
        miss = missing
    values = full.to_numpy()
    missing_arr = miss.to_numpy()
    hidden = (values > 0) & (values < threshold) & ~missing_arr
    if margins:
        usable = ~missing_arr
        usable[-1, -1] = False
        hidden = _secondary_crosstab(values, hidden, usable)
    result = pd.DataFrame(values, index=full.index, columns=full.columns)
    integral = bool(np.all(np.mod(values, 1) == 0))
    published = result.astype("Int64" if integral else float).astype(object)
    published = published.mask(missing_arr, SYMBOL_NOT_AVAILABLE).mask(hidden, SYMBOL_CONFIDENTIAL)
    published.attrs = dict(table.attrs)
    published.attrs[ATTRS_KEY] = {
        "counts": list(published.columns),
        "derived": {},
        "threshold": int(threshold),
    }
    return published


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------


def check_published(
    table: pd.DataFrame,
    threshold: int = DEFAULT_SUPPRESS_BELOW,
    *,
    counts: Sequence[str] | None = None,
) -> list[str]:
    """Problems that would make a table unsafe to publish; an empty list means none found.

    Parameters
    ----------
    table : pandas.DataFrame
        A table about to be published.
    threshold : int
        Smallest count that may be published.
    counts : sequence of str, optional
        Count columns to check. Default: those recorded by :func:`suppress` or
        :func:`suppress_crosstab` in ``table.attrs["disclosure"]``; failing that, every column
        whose numbers are all whole (conservative: any whole-number column may be a count).

    Returns
    -------
    list of str
        One message per count cell with ``0 < value < threshold`` (row label, column and
        value), and, when ``attrs`` records derived columns, one per derived cell shown
        where its count is hidden.
    """
    _check_threshold(threshold)
    record: Mapping[str, Any] = table.attrs.get(ATTRS_KEY, {}) if hasattr(table, "attrs") else {}
    if counts is None:
        counts = record.get("counts")
    if counts is None:
        counts = []
        for column in table.columns:
            values = table[column]
            numbers = pd.to_numeric(values.where(values.map(_is_number)), errors="coerce").dropna()
            if len(numbers) and np.all(np.mod(numbers.to_numpy(), 1) == 0):
                counts.append(column)
    problems: list[str] = []
    for column in counts:
        if column not in table.columns:
            problems.append(f"column '{column}' is missing from the table")
            continue
        flags = is_disclosive(table[column].astype(object), threshold)
        for label, value in table.loc[flags.to_numpy(), column].items():
            problems.append(
                f"row {_label(label)}, column '{column}': {value} is a count from 1 to {threshold - 1}"
            )
    for count, targets in (record.get("derived") or {}).items():
        if count not in table.columns:
            continue
        hidden = table[count].astype(object).eq(SYMBOL_CONFIDENTIAL)
        for target in targets:
            if target not in table.columns:
                continue
            leak = hidden & ~table[target].astype(object).eq(SYMBOL_CONFIDENTIAL)
            for label in table.index[leak.to_numpy()]:
                problems.append(
                    f"row {_label(label)}, column '{target}' is shown but its count '{count}' is hidden"
                )
    return problems


def _label(label: Hashable) -> str:
    return repr(label) if not isinstance(label, (int, np.integer)) else str(label)
