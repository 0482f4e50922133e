"""Financial-year periods (``2024-25`` = 1 April 2024 to 31 March 2025)."""

from __future__ import annotations

import re

import pandas as pd

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def is_period(label: object) -> bool:
    """True if ``label`` is a well-formed financial-year label such as ``2024-25``."""
    if not isinstance(label, str):
        return False
    match = _PERIOD.match(label)
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def check_period(label: str) -> str:
    """Return ``label`` if it is a financial-year label, else raise ``ValueError``."""
    if not is_period(label):
        raise ValueError(f"period {label!r} is not a financial year written as YYYY-YY, e.g. 2024-25")
    return label


def start_year(label: str) -> int:
    return int(check_period(label)[:4])


def period_label(start: int) -> str:
    """Label of the financial year starting 1 April ``start``."""
    return f"{start}-{(start + 1) % 100:02d}"


def period_start(label: str) -> pd.Timestamp:
    return pd.Timestamp(start_year(label), 4, 1)


def period_end(label: str) -> pd.Timestamp:
    """Last day of the financial year (31 March)."""
    return pd.Timestamp(start_year(label) + 1, 3, 31)


def period_days(label: str) -> int:
    return int((period_end(label) - period_start(label)).days) + 1


def previous_period(label: str) -> str:
    return period_label(start_year(label) - 1)


def period_of_dates(dates: pd.Series) -> pd.Series:
    """Financial-year label of each date (vectorised); missing dates give missing labels."""
    dates = pd.to_datetime(dates)
    start = (dates.dt.year - (dates.dt.month < 4)).astype("Int64")
    end = (start + 1) % 100
    labels = start.astype("string") + "-" + end.astype("string").str.zfill(2)
    return labels.where(dates.notna())
