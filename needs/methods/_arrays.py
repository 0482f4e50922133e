"""Input handling shared by the OHID interval methods (:mod:`needs.methods.intervals`,
:mod:`needs.methods.standardised`, :mod:`needs.methods.comparisons`).

Scalars, array-likes and Series become float arrays with missing values as NaN; confidence
levels are validated and named (``lower``/``upper`` for one level, ``lower_95_0``/``upper_95_0``
per level for several); grouped input is coded by group and summed the way R's ``sum`` does
(a missing value makes the group's sum missing unless ``skipna``). Misuse raises
``ValueError`` naming the argument.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

ArrayLike = Any


def _to_float(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a float64 array (at least 1-D) with missing values as NaN."""
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name} must be a scalar, array or Series, not a DataFrame")
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        try:
            series = pd.Series(values).astype("Float64")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric") from exc
        return series.to_numpy(dtype="float64", na_value=np.nan)
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        try:
            arr = (
                pd.Series(np.atleast_1d(np.asarray(values, dtype=object)))
                .astype("Float64")
                .to_numpy(dtype="float64", na_value=np.nan)
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric") from exc
    return np.atleast_1d(arr)


def _broadcast(**arrays: ArrayLike) -> list[np.ndarray]:
    """Convert each named argument to float and broadcast them together to one flat shape."""
    converted = [_to_float(value, name) for name, value in arrays.items()]
    try:
        out = np.broadcast_arrays(*converted)
    except ValueError as exc:
        raise ValueError(f"{', '.join(arrays)} must have the same length (or be scalars)") from exc
    return [np.ravel(a) for a in out]


def _check_nonnegative(arr: np.ndarray, name: str) -> None:
    if np.any(arr < 0):
        raise ValueError(f"{name} must not be negative")


def _check_positive(arr: np.ndarray, name: str) -> None:
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be greater than zero")


def _check_confidence(confidence: float) -> float:
    try:
        level = float(confidence)
    except (TypeError, ValueError) as exc:
        raise ValueError("confidence must be a number in (0, 1)") from exc
    if not 0 < level < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return level


def _levels(confidence: float | Sequence[float]) -> tuple[list[float], bool]:
    """Validated confidence levels and whether a single level (``lower``/``upper``) was given."""
    if np.ndim(confidence) == 0:
        return [_check_confidence(confidence)], True  # type: ignore[arg-type]
    levels = [_check_confidence(c) for c in confidence]  # type: ignore[union-attr]
    if not levels:
        raise ValueError("confidence must contain at least one level")
    if len({_suffix(level) for level in levels}) != len(levels):
        raise ValueError("confidence must not repeat a level")
    return levels, False


def _suffix(level: float) -> str:
    """Column suffix for a level: 0.95 -> ``95_0``, 0.998 -> ``99_8``."""
    text = f"{level * 100:.10g}"
    if "." not in text:
        text += ".0"
    return text.replace(".", "_")


def _limit_columns(level: float, single: bool) -> tuple[str, str]:
    if single:
        return "lower", "upper"
    suffix = _suffix(level)
    return f"lower_{suffix}", f"upper_{suffix}"


def _z(level: float) -> float:
    """Two-sided standard normal quantile: ``qnorm(level + (1 - level) / 2)``."""
    return float(special.ndtri(level + (1.0 - level) / 2.0))


def _by_list(by: Hashable | Sequence[Hashable] | None) -> list[Hashable]:
    if by is None:
        return []
    if isinstance(by, str) or not isinstance(by, Sequence):
        return [by]
    return list(by)


def _column(data: pd.DataFrame, name: Hashable, argument: str) -> np.ndarray:
    if name not in data.columns:
        raise ValueError(f"{argument}: column {name!r} is not in data")
    return _to_float(data[name], argument)


def _group_codes(data: pd.DataFrame, by: list[Hashable]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of each row and the table of groups (sorted, missing keys kept)."""
    for column in by:
        if column not in data.columns:
            raise ValueError(f"by: column {column!r} is not in data")
    if not by:
        return np.zeros(len(data), dtype="int64"), pd.DataFrame(index=pd.RangeIndex(1))
    grouped = data.groupby(by, sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[by]
    return codes, keys


def _group_sum(values: np.ndarray, codes: np.ndarray, ngroups: int, *, skipna: bool) -> np.ndarray:
    """Sum per group; with ``skipna=False`` a missing value makes the group's sum missing (R ``sum``)."""
    missing = np.isnan(values)
    total = np.bincount(codes, weights=np.where(missing, 0.0, values), minlength=ngroups)
    if not skipna:
        has_missing = np.bincount(codes, weights=missing.astype(float), minlength=ngroups) > 0
        total = np.where(has_missing, np.nan, total)
    return total
