"""Households and individuals supported, by scope: in safe accommodation (the Part 4 duty)
and community-based support."""

from __future__ import annotations

import pandas as pd

from needs.inputs.dataset import Dataset

__all__ = ['supported_by_scope']


def supported_by_scope(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Households, adults, children and individuals supported by scope, by host area (not yet built: no rows)."""
    return pd.DataFrame(columns=["area_code"])
