"""Vectorised random draws from one :class:`numpy.random.Generator`.

Each helper makes one draw per row with whole-array operations (no Python loop over
records), so the generator stays fast at 10^6 referrals. The number and order of the
generator's calls are part of each helper's contract: the same seed gives the same data.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from needs.reference import categories as cat


def draw(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probabilities`` (rows need not sum to one)."""
    cumulative = np.cumsum(probabilities, axis=1)
    total = cumulative[:, -1:]
    u = rng.random((len(probabilities), 1)) * total
    return np.minimum((u >= cumulative).sum(axis=1), probabilities.shape[1] - 1)


def draw_fixed(rng: np.random.Generator, shares: Mapping[str, float], size: int) -> np.ndarray:
    """``size`` codes drawn with probability ∝ ``shares`` (the same shares for every row)."""
    codes = np.array(list(shares))
    p = np.array(list(shares.values()), dtype=float)
    return codes[rng.choice(len(codes), size=size, p=p / p.sum())]


def choose_in_groups(
    rng: np.random.Generator, row_group: np.ndarray, item_group: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """For each row, an item of the row's group chosen with probability ∝ ``weights``.

    ``item_group`` must be sorted. Returns item positions, or -1 where the row's group has
    no item with positive weight. One ``searchsorted`` over the cumulative weights: no loop.
    """
    if len(weights) == 0:  # no items at all (e.g. no neighbouring areas)
        return np.full(len(row_group), -1)
    cumulative = np.cumsum(weights, dtype=float)
    first = np.searchsorted(item_group, row_group, side="left")
    last = np.searchsorted(item_group, row_group, side="right")
    before = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
    total = np.where(last > first, cumulative[np.maximum(last - 1, 0)] - before, 0.0)
    target = before + rng.random(len(row_group)) * total
    position = np.searchsorted(cumulative, target, side="right")
    position = np.clip(position, first, np.maximum(last - 1, first))
    return np.where(total > 0, position, -1)


def take_or_missing(items: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``items[positions]``, with -1 where a position is -1 (nothing to choose from)."""
    if len(items) == 0:
        return np.full(len(positions), -1)
    return np.where(positions >= 0, items[np.maximum(positions, 0)], -1)


def replace_not_known(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """``values`` with each replaced by ``not_known`` with probability ``share`` (recording gaps)."""
    return np.where(rng.random(len(values)) < share, cat.NOT_KNOWN, values)
