"""How the generator holds referral records, and :func:`finish_referrals` to put them in schema form.

While referrals are made, dates are integer days since 1970-01-01 (:data:`EPOCH`) and
category columns integer codes: fast to gather at 10^6 rows. :func:`finish_referrals` turns
such columns into the ``referrals`` table of :data:`needs.reference.schema.TABLES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from needs.reference import schema

#: Day 0 of the integer day numbers.
EPOCH = np.datetime64("1970-01-01", "D")


def days(timestamps) -> np.ndarray:
    """Dates as integer days since 1970-01-01."""
    values = pd.to_datetime(pd.Series(timestamps)).to_numpy("datetime64[D]")
    return (values - EPOCH).astype(np.int64)


def month_index(day_numbers: np.ndarray, first_month: pd.Timestamp) -> np.ndarray:
    """Calendar months from ``first_month`` (0) to the month of each day number."""
    months = (EPOCH + day_numbers.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)
    return months - np.datetime64(first_month, "M").astype(np.int64)


def ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Identifiers such as ``R0000001`` (fixed width, zero padded)."""
    return np.array([f"{prefix}{number:0{width}d}" for number in numbers.tolist()], dtype=object)


def categorical(values: np.ndarray, codes: Sequence[str]) -> pd.Categorical:
    """Categorical of ``values`` (blank or unknown -> missing) by binary search on the
    sorted codes: fast for 10^6 rows of text."""
    text = np.asarray(values).astype(str)
    categories = np.asarray(codes, dtype=str)
    order = np.argsort(categories)
    ordered = categories[order]
    position = np.clip(np.searchsorted(ordered, text), 0, len(ordered) - 1)
    found = ordered[position] == text
    return pd.Categorical.from_codes(np.where(found, order[position], -1), categories=list(codes))


def finish_referrals(frame: Mapping[str, np.ndarray] | pd.DataFrame) -> pd.DataFrame:
    """Put referral columns in schema form: columns in order, categories, dates.

    Date columns may be integer days since 1970-01-01 (negative = blank) or dates;
    category columns text (blank or ``None`` = missing).
    """
    table = schema.TABLES["referrals"]
    n = len(next(iter(frame.values())) if isinstance(frame, Mapping) else frame)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    for column in table.columns:
        values = frame[column.name]
        if column.kind == "date":
            if np.issubdtype(np.asarray(values).dtype, np.integer):
                day_numbers = np.asarray(values, dtype=np.int64)
                dates = (EPOCH + np.maximum(day_numbers, 0).astype("timedelta64[D]")).astype("datetime64[ns]")
                out[column.name] = pd.Series(dates, index=out.index).where(day_numbers >= 0)
            else:
                out[column.name] = pd.to_datetime(np.asarray(values))
        elif column.kind == "category":
            values = np.asarray(values)
            if np.issubdtype(values.dtype, np.integer):  # category codes already
                out[column.name] = pd.Categorical.from_codes(values, categories=list(column.categories.codes))
            else:
                out[column.name] = categorical(values, column.categories.codes)
        elif column.kind == "int":
            out[column.name] = np.asarray(values, dtype=np.int64)
        else:
            out[column.name] = np.asarray(values, dtype=object)
    return out
