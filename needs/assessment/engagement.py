"""Survivor and stakeholder voice: themes from the optional ``engagement`` table."""

from __future__ import annotations

import pandas as pd

from needs.inputs.dataset import Dataset

__all__ = ['engagement_themes']


def engagement_themes(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Engagement themes and respondents by area (not yet built: no rows)."""
    return pd.DataFrame(columns=["area_code"])
