"""Children and young people: children in households referred and supported, older sons,
large families and young victims aged 16 to 24."""

from __future__ import annotations

import pandas as pd

from needs.inputs.dataset import Dataset

__all__ = ['children_and_young_people']


def children_and_young_people(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Children and young people counts by host area (not yet built: no rows)."""
    return pd.DataFrame(columns=["area_code"])
