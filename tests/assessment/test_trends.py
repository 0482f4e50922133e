"""Tests for needs.assessment.trends on the hand-listed dataset of tests/fixtures.py.

Households supported by Shire services (read off the referral list by hand):
2023-24: H10, H11, H12, H14 (four; H14 male); 2024-25: H01, H02, H03, H05, H09, H10 (six; H03
male). Neighbourton: 2023-24 H18; 2024-25 H16 and H19. Shire has 3,850 residents aged 16+ in
mid-2023, the population year of both periods; Neighbourton 1,890.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fixtures import NEIGHBOUR, SHIRE, tiny_dataset
from scipy.stats import chi2, norm

from needs.assessment.counting import referrals_in_context
from needs.assessment.trends import periods_present, trends


def wilson(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    z = norm.ppf(1 - (1 - confidence) / 2)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


def exact_poisson(x: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact Poisson limits (Garwood) for counts below 10."""
    alpha = 1 - confidence
    lower = chi2.ppf(alpha / 2, 2 * x) / 2 if x > 0 else 0.0
    return lower, chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2


@pytest.fixture(scope="module")
def result():
    return trends(tiny_dataset(), "2024-25")


def pick(frame, area, measure, period, characteristic="all", category="all") -> pd.Series:
    chosen = frame[
        (frame["area_code"] == area)
        & (frame["measure"] == measure)
        & (frame["period"] == period)
        & (frame["characteristic"] == characteristic)
        & (frame["category"] == category)
    ]
    assert len(chosen) == 1
    return chosen.iloc[0]


def test_columns_and_periods(result):
    assert list(result.columns) == [
        "area_code", "measure", "characteristic", "category", "period", "count", "denominator",
        "value", "lower", "upper", "rate_ratio", "ratio_lower", "ratio_upper",
    ]  # fmt: skip
    assert set(result["period"]) == {"2023-24", "2024-25"}
    assert set(result["measure"]) == {"households_supported", "group_share"}
    referrals = referrals_in_context(tiny_dataset())
    assert periods_present(referrals, "2024-25") == ["2023-24", "2024-25"]
    assert periods_present(referrals, "2023-24") == ["2023-24"]
    assert periods_present(referrals, "2026-27") == ["2023-24", "2024-25", "2026-27"]


def test_households_supported_rate_per_10000(result):
    now = pick(result, SHIRE, "households_supported", "2024-25")
    assert (now["count"], now["denominator"]) == (6, 3850)
    assert now["value"] == pytest.approx(6 / 3850 * 10_000)
    low, high = exact_poisson(6)
    assert now["lower"] == pytest.approx(low / 3850 * 10_000)
    assert now["upper"] == pytest.approx(high / 3850 * 10_000)
    before = pick(result, SHIRE, "households_supported", "2023-24")
    assert before["count"] == 4
    assert np.isnan(before["rate_ratio"])  # no 2022-23 in the data


def test_rate_ratio_against_previous_year(result):
    now = pick(result, SHIRE, "households_supported", "2024-25")
    assert now["rate_ratio"] == pytest.approx((6 / 3850) / (4 / 3850))
    # Conditional binomial: 6 of the 10 events fall in 2024-25; Wilson limits of 6/10 mapped
    # back with pi / (1 - pi) x n2 / n1 (equal denominators).
    low, high = wilson(6, 10)
    assert now["ratio_lower"] == pytest.approx(low / (1 - low))
    assert now["ratio_upper"] == pytest.approx(high / (1 - high))
    neighbour = pick(result, NEIGHBOUR, "households_supported", "2024-25")
    assert (neighbour["count"], neighbour["denominator"]) == (2, 1890)
    assert neighbour["rate_ratio"] == pytest.approx(2.0)


def test_group_shares_and_their_change(result):
    female_now = pick(result, SHIRE, "group_share", "2024-25", "sex", "female")
    assert (female_now["count"], female_now["denominator"]) == (5, 6)
    low, high = wilson(5, 6)
    assert (female_now["value"], female_now["lower"], female_now["upper"]) == pytest.approx(
        (5 / 6, low, high)
    )
    female_before = pick(result, SHIRE, "group_share", "2023-24", "sex", "female")
    assert (female_before["count"], female_before["denominator"]) == (3, 4)
    assert female_now["rate_ratio"] == pytest.approx((5 / 6) / (3 / 4))
    low, high = wilson(5, 8)
    assert female_now["ratio_lower"] == pytest.approx(low / (1 - low) * 4 / 6)
    assert female_now["ratio_upper"] == pytest.approx(high / (1 - high) * 4 / 6)
    male_now = pick(result, SHIRE, "group_share", "2024-25", "sex", "male")
    assert male_now["rate_ratio"] == pytest.approx((1 / 6) / (1 / 4))
    # Shares are among known values: mental health 2024-25 is 2 of 5 (H09 not known).
    mental = pick(result, SHIRE, "group_share", "2024-25", "need_mental_health", "yes")
    assert (mental["count"], mental["denominator"]) == (2, 5)


def test_previous_count_zero_gives_no_finite_ratio(result):
    # Neighbourton: no man supported in 2023-24 (H18 female), one (H19) in 2024-25.
    male = pick(result, NEIGHBOUR, "group_share", "2024-25", "sex", "male")
    assert male["count"] == 1
    assert np.isnan(male["rate_ratio"]) and np.isnan(male["ratio_upper"])
