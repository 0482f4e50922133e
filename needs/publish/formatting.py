"""Formatting of published figures: ONS symbols, counts, percentages, money, labels.

One definition of how every number and code reads on the published page: counts with
thousands separators, shares as percentages to one decimal place, money in pounds, codes as
plain-English labels from :mod:`needs.reference.categories`, and the ONS symbols ``[c]``
(hidden to protect confidentiality), ``[x]`` (not available) and ``[z]`` (not applicable).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from needs.reference import categories as cat
from needs.reference.constants import (
    SYMBOL_CONFIDENTIAL,
    SYMBOL_NOT_APPLICABLE,
    SYMBOL_NOT_AVAILABLE,
)
from needs.reference.rounding import ratio_in_words, round_significant

SYMBOLS = (SYMBOL_CONFIDENTIAL, SYMBOL_NOT_AVAILABLE, SYMBOL_NOT_APPLICABLE)
_SYMBOL_TITLES = {
    SYMBOL_CONFIDENTIAL: "hidden to protect confidentiality",
    SYMBOL_NOT_AVAILABLE: "not available",
    SYMBOL_NOT_APPLICABLE: "not applicable",
}
ALL = "all"


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def is_symbol(value: Any) -> bool:
    """Whether ``value`` is one of the ONS symbols ``[c]``, ``[x]``, ``[z]``."""
    return isinstance(value, str) and value in SYMBOLS


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _symbol_or_none(value: Any) -> str | None:
    if is_symbol(value):
        return value
    if is_missing(value):
        return SYMBOL_NOT_AVAILABLE
    return None


def format_count(value: Any) -> str:
    """A count with thousands separators (``1,257``); symbols pass through."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    number = float(value)
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.1f}"


def format_number(value: Any, decimals: int = 1) -> str:
    """A number rounded to ``decimals`` places with thousands separators."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    return f"{float(value):,.{decimals}f}"


def format_percent(value: Any, decimals: int = 1) -> str:
    """A proportion (0 to 1) as a percentage: ``0.123`` -> ``12.3%``."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    return f"{100 * float(value):.{decimals}f}%"


def format_rate(value: Any, decimals: int = 1) -> str:
    """A rate already in percent: ``6.9`` -> ``6.9%``."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    return f"{float(value):.{decimals}f}%"


def format_money(value: Any) -> str:
    """Pounds, rounded to the pound: ``1174689.4`` -> ``£1,174,689``."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    number = float(value)
    sign = "-" if number < 0 else ""
    return f"{sign}£{abs(number):,.0f}"


def format_ratio(value: Any) -> str:
    """A ratio to two significant figures (:func:`needs.reference.rounding.round_significant`):
    ``0.3874`` -> ``0.39``, ``1.2345`` -> ``1.2``, ``12.6`` -> ``13``; symbols pass through."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    rounded = round_significant(float(value), 2)
    if not math.isfinite(rounded):
        return SYMBOL_NOT_AVAILABLE
    if rounded == 0:
        return "0"
    # Two significant figures: as many decimals as the second figure needs, none from 10.
    decimals = max(0, 1 - math.floor(math.log10(abs(rounded))))
    return f"{rounded:,.{decimals}f}"


def format_ratio_words(value: Any) -> str:
    """A ratio of observed to expected in words (:func:`needs.reference.rounding.ratio_in_words`):
    ``0.39`` -> ``about 4 in 10 of the number expected``; symbols pass through."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    return ratio_in_words(float(value))


#: p-values below this are written "< 0.001", never "0.000".
P_VALUE_FLOOR = 0.001


def format_p_value(value: Any) -> str:
    """A p-value to three decimal places, or ``< 0.001`` below 0.001 (never ``0.000``);
    symbols pass through."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    number = float(value)
    if number < P_VALUE_FLOOR:
        return f"< {P_VALUE_FLOOR:g}"
    return f"{number:.3f}"


def format_yes_no(value: Any) -> str:
    """Booleans as ``Yes``/``No``; symbols pass through."""
    symbol = _symbol_or_none(value)
    if symbol:
        return symbol
    return "Yes" if bool(value) else "No"


def format_interval(lower: Any, upper: Any, formatter: Callable[[Any], str] = format_percent) -> str:
    """An interval ``lower to upper``; hidden if either limit is hidden."""
    for symbol in SYMBOLS:
        if symbol in (lower, upper):
            return symbol
    if is_missing(lower) or is_missing(upper):
        return SYMBOL_NOT_AVAILABLE
    return f"{formatter(lower)} to {formatter(upper)}"


def format_text(value: Any) -> str:
    """Text as is; missing as ``[x]``."""
    symbol = _symbol_or_none(value)
    return symbol if symbol else str(value)


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "text": format_text,
    "count": format_count,
    "number": format_number,
    "integer": lambda v: format_number(v, 0),
    "percent": format_percent,
    "rate": format_rate,
    "money": format_money,
    "yes_no": format_yes_no,
    "ratio": format_ratio,
    "ratio_words": format_ratio_words,
    "p_value": format_p_value,
}

#: Label lists by column name.
LABELS: dict[str, cat.CategoryList] = {
    "accommodation_type": cat.ACCOMMODATION_TYPES,
    "specialism": cat.SPECIALISMS,
    "outcome": cat.REFERRAL_OUTCOMES,
    "reason": cat.DECLINE_REASONS,
    "support_type": cat.SUPPORT_TYPES,
    "status": cat.SERVICE_STATUSES,
    "sex": cat.PREVALENCE_SEXES,
}

_EXTRA_LABELS = {
    ALL: "All",
    "tier_one": "Whole area",
    "district": "District",
    "referred": "Referred",
    "supported": "Supported",
    "in": "Referred in from other areas",
    "out": "Residents referred to other areas",
}


def code_label(column: str, code: Any) -> str:
    """Plain-English label of a code in a column (the code itself if it has no label)."""
    if is_missing(code):
        return SYMBOL_NOT_AVAILABLE
    code = str(code)
    if column == "accommodation_type" and code == ALL:
        return "All types"
    if column in LABELS and code in LABELS[column]:
        return LABELS[column].label(code)
    if column == "characteristic":
        return cat.CHARACTERISTIC_LABELS.get(code, code.replace("_", " ").capitalize())
    return _EXTRA_LABELS.get(code, code)


def category_label(characteristic: str, code: Any) -> str:
    """Label of a category of a characteristic (``ethnic_group``, ``need_nrpf``, ...)."""
    if is_missing(code):
        return SYMBOL_NOT_AVAILABLE
    code = str(code)
    lists = cat.PROTECTED_CHARACTERISTICS
    if characteristic in lists and code in lists[characteristic]:
        return lists[characteristic].label(code)
    if str(characteristic).startswith("need_") and code in cat.YES_NO:
        return cat.YES_NO.label(code)
    if code == cat.NOT_KNOWN:
        return "Not known"
    return _EXTRA_LABELS.get(code, code)


def finite(value: Any) -> bool:
    """Whether ``value`` is a published finite number (not a symbol, not missing)."""
    if is_symbol(value) or is_missing(value):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
