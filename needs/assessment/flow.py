"""The flows of referrals and households through a period: referred, decided, supported,
unable to be supported, withdrawn, pending."""

from __future__ import annotations

import pandas as pd

from needs.inputs.dataset import Dataset

__all__ = ['referral_flow', 'household_flow']


def referral_flow(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Referrals made in the period by stage of the flow, by host area (not yet built: no rows)."""
    return pd.DataFrame(columns=["area_code"])

def household_flow(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Households referred in the period by what became of them, by host area (not yet built: no rows)."""
    return pd.DataFrame(columns=["area_code"])
