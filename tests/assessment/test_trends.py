"""Tests for needs.assessment.trends on the hand-listed dataset of tests/fixtures.py.

Households supported by Shire services (read off the referral list by hand):
2023-24: H10, H11, H12, H14 (four; H14 male); 2024-25: H01, H02, H03, H05, H09, H10 (six; H03
male). Neighbourton: 2023-24 H18; 2024-25 H16 and H19. Shire has 3,850 residents aged 16+ in
mid-2023, the population year of both periods; Neighbourton 1,890. Shire's services S1 and S2
run all of 2023-24 (24 months of operation), S1, S2 and S4 all of 2024-25 (36 months), so the
households are compared per resident; a group's share is compared as a ratio of two proportions
(Koopman's score interval).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from fixtures import NEIGHBOUR, SHIRE, tiny_dataset
from scipy.stats import chi2, norm

from needs.assessment.counting import referrals_in_context
from needs.assessment.trends import periods_present, service_coverage, trends
from needs.methods.proportions import koopman_statistic


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
        "value", "lower", "upper", "rate_ratio", "ratio_lower", "ratio_upper", "ratio_basis",
        "compared_per", "months_of_operation", "per_month",
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
    assert female_now["ratio_basis"] == "proportion"
    assert female_now["rate_ratio"] == pytest.approx((5 / 6) / (3 / 4))
    # Koopman's score interval: at each limit the score statistic of 5/6 against 3/4 is z^2.
    z2 = norm.ppf(0.975) ** 2
    limits = [female_now["ratio_lower"], female_now["ratio_upper"]]
    assert koopman_statistic(5, 6, 3, 4, limits) == pytest.approx([z2, z2], rel=1e-6)
    assert limits[0] < 1.0 < limits[1]
    # It is not the Poisson (conditional binomial) interval that was used before.
    low, high = wilson(5, 8)
    assert female_now["ratio_lower"] != pytest.approx(low / (1 - low) * 4 / 6, rel=1e-3)


def test_share_of_every_household_both_years_has_the_closed_form_interval(result):
    # Every Shire household supported is heterosexual: 4 of 4, then 6 of 6. With both shares 1
    # Koopman's limits are n1 / (n1 + z^2) and (n2 + z^2) / n2 (PropCIs::riskscoreci).
    now = pick(result, SHIRE, "group_share", "2024-25", "sexual_orientation", "heterosexual")
    before = pick(result, SHIRE, "group_share", "2023-24", "sexual_orientation", "heterosexual")
    assert (now["count"], now["denominator"], before["count"], before["denominator"]) == (6, 6, 4, 4)
    z2 = norm.ppf(0.975) ** 2
    assert now["rate_ratio"] == 1
    assert now["ratio_lower"] == pytest.approx(6 / (6 + z2), rel=1e-9)
    assert now["ratio_upper"] == pytest.approx((4 + z2) / 4, rel=1e-9)
    # The Poisson treatment would have given Wilson limits of 6/10 mapped back: far wider.
    low, high = wilson(6, 10)
    assert high / (1 - high) * 4 / 6 > 1.5 * now["ratio_upper"]
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


def test_whole_years_compare_households_per_resident(result):
    now = pick(result, SHIRE, "households_supported", "2024-25")
    before = pick(result, SHIRE, "households_supported", "2023-24")
    assert now["ratio_basis"] == "population"
    assert (before["months_of_operation"], now["months_of_operation"]) == (24, 36)
    assert now["per_month"] == pytest.approx(6 / 36)
    assert np.isnan(pick(result, SHIRE, "group_share", "2024-25", "sex", "female")["months_of_operation"])


def _late_start():
    """Shire's S1 starts on 1 October 2023 and S2 on 1 November 2023 (as tests of service_coverage)."""
    dataset = tiny_dataset()
    services = dataset.tables["services"].copy()
    services.loc[services["service_id"] == "S1", "start"] = pd.Timestamp("2023-10-01")
    services.loc[services["service_id"] == "S2", "start"] = pd.Timestamp("2023-11-01")
    return replace(dataset, tables={**dataset.tables, "services": services})


def test_part_year_compares_households_per_month_of_operation():
    # 2023-24 (366 days): S1 ran 183 days (1 Oct - 31 Mar), S2 152 (1 Nov - 31 Mar):
    # (183 + 152) x 12 / 366 = 10.984 months. 2024-25: S1, S2, S4 all year, 36 months.
    dataset = _late_start()
    months_before = (183 + 152) * 12 / 366
    coverage = service_coverage(dataset, ["2023-24", "2024-25"]).set_index(["area_code", "period"])
    assert coverage.loc[(SHIRE, "2023-24"), "months_of_operation"] == pytest.approx(months_before)
    assert coverage.loc[(SHIRE, "2023-24"), "services_part_year"] == 2
    assert coverage.loc[(SHIRE, "2024-25"), "services_part_year"] == 0
    out = trends(dataset, "2024-25")
    now = pick(out, SHIRE, "households_supported", "2024-25")
    assert now["ratio_basis"] == "months_of_operation"
    assert now["rate_ratio"] == pytest.approx((6 / 36) / (4 / months_before))
    # Conditional binomial: 6 of the 10 households fall in 2024-25; Wilson limits of 6/10
    # mapped back with pi / (1 - pi) x months_before / 36.
    low, high = wilson(6, 10)
    assert now["ratio_lower"] == pytest.approx(low / (1 - low) * months_before / 36)
    assert now["ratio_upper"] == pytest.approx(high / (1 - high) * months_before / 36)
    # The rate per 10,000 residents is still shown; only the comparison changes basis.
    assert now["value"] == pytest.approx(6 / 3850 * 10_000)
    # Neighbourton's service ran both whole years: still per resident.
    assert pick(out, NEIGHBOUR, "households_supported", "2024-25")["ratio_basis"] == "population"
