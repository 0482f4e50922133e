"""Random numbers keyed by what they are drawn for.

A seeded generator shared by many groups gives each group draws that depend on which other
groups were drawn before it, so one area assessed alone would get a different bootstrap from
the same area assessed with all the others. Here every draw is a function of its own key (a
group, a replicate, a purpose) and of how many draws that key has had, so a group's numbers
are the same whatever else is computed beside it.

The generator is a counter-based one: the uniform for key :math:`k` and counter :math:`i` is
the SplitMix64 output function applied to :math:`k + (i + 1)\\,\\gamma`, with :math:`\\gamma`
the 64-bit golden-ratio increment, and its top 53 bits scaled to :math:`(0, 1)` (Steele, Lea
and Flood 2014, "Fast splittable pseudorandom number generators", *OOPSLA*; Salmon et al.
2011, "Parallel random numbers: as easy as 1, 2, 3", *SC11*, for counter-based generators).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["KeyedStream", "keys_of", "mix", "uniforms"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 output function of each unsigned 64-bit value (wrapping arithmetic)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrapping multiplication is the algorithm
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def uniforms(keys: np.ndarray, counters: np.ndarray) -> np.ndarray:
    """Uniform numbers in the open interval (0, 1), one per (key, counter) pair.

    :math:`u = (\\lfloor m / 2^{11} \\rfloor + 1/2) / 2^{53}` with
    :math:`m = \\mathrm{mix}(k + (i + 1)\\gamma)`.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    with np.errstate(over="ignore"):
        step = (np.asarray(counters, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        bits = mix(keys + step) >> np.uint64(11)
    return (bits.astype(np.float64) + 0.5) / 2.0**53


def keys_of(labels: pd.DataFrame, *salts: int) -> np.ndarray:
    """A stable 64-bit key per row of ``labels`` (its values, not its position), mixed with
    ``salts`` (a seed, a purpose): :func:`pandas.util.hash_pandas_object` of the row, which
    does not change between runs or machines."""
    key = pd.util.hash_pandas_object(labels.reset_index(drop=True), index=False).to_numpy(dtype=np.uint64)
    for salt in salts:
        key = mix(key ^ mix(np.uint64(salt % 2**64)))
    return key


def _occurrence(which: np.ndarray) -> np.ndarray:
    """0 for the first time a value appears in ``which``, 1 the second time, and so on."""
    if len(which) < 2 or bool(np.all(which[1:] > which[:-1])):  # increasing: no repeats
        return np.zeros(len(which), dtype=np.int64)
    order = np.argsort(which, kind="stable")
    ranked = which[order]
    position = np.arange(len(which))
    first = np.maximum.accumulate(np.where(np.r_[True, ranked[1:] != ranked[:-1]], position, 0))
    occurrence = np.empty(len(which), dtype=np.int64)
    occurrence[order] = position - first
    return occurrence


class KeyedStream:
    """One stream of uniforms per key, drawn for any subset of the keys at once.

    Parameters
    ----------
    keys
        One unsigned 64-bit key per stream (e.g. a system of a simulation).

    Examples
    --------
    The same key gives the same numbers, whichever other keys are drawn beside it:

    >>> a = KeyedStream(np.array([1, 2], dtype=np.uint64)).random(np.array([1]))
    >>> b = KeyedStream(np.array([2], dtype=np.uint64)).random(np.array([0]))
    >>> bool(a[0] == b[0])
    True
    """

    def __init__(self, keys: Sequence[int] | np.ndarray) -> None:
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.used = np.zeros(len(self.keys), dtype=np.uint64)

    def random(self, which: np.ndarray) -> np.ndarray:
        """The next uniform of each stream in ``which`` (a stream listed twice gets two)."""
        which = np.asarray(which, dtype=np.int64)
        occurrence = _occurrence(which)
        counters = self.used[which] + occurrence.astype(np.uint64)
        values = uniforms(self.keys[which], counters)
        if occurrence.any():
            np.add.at(self.used, which, np.uint64(1))
        else:
            self.used[which] += np.uint64(1)
        return values

    def exponential(self, which: np.ndarray) -> np.ndarray:
        """The next standard exponential of each stream in ``which``: :math:`-\\ln u`."""
        return -np.log(self.random(which))
