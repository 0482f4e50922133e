"""Funnel plot limits (needs.methods.funnel) against hand-worked values and PHEindicatormethods' own
test workbooks (ukhsa-collaboration/PHEindicatormethods at 093fd288d8f8949dbcfbed70049dbbf385b6141d,
tests/testthat/testdata_funnel_prop_outputs.csv and testdata_funnel_rate_outputs.csv)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from needs.methods.funnel import (
    funnel_axis,
    funnel_denominators,
    funnel_significance,
    proportion_limits,
    rate_funnel,
    rate_limits,
)
from needs.methods.intervals import wilson_lower, wilson_upper


def test_proportion_limit_by_hand():
    # n = 100, average 0.2, 95%: z^2 = 1.959964^2 = 3.841459
    # A = 0.2 * (100 / 3.841459 + 1) = 5.406384;  B = 1 / 3.841459 + 1 / 100 = 0.270319
    # n * (0.2 * (100 / 3.841459 + 2) - 1) + 3.841459 * (0.2 - 1) = 460.6384 - 3.0732 = 457.5652
    # D^2 = 64 * 5.406384^2 - 64 * 0.270319 * 0.2 * 457.5652 = 1870.655 - 1583.218 = 287.437
    # D / 8 = 16.9539 / 8 = 2.11924
    # upper = (5.406384 + 2.11924) / 0.270319 / 100 = 0.278398 -> 27.84%
    # lower = (5.406384 - 2.11924) / 0.270319 / 100 = 0.121602 -> 12.16%
    lower, upper = proportion_limits([100], 0.2, 0.95, multiplier=100)
    assert lower[0] == pytest.approx(12.1602, abs=2e-3)
    assert upper[0] == pytest.approx(27.8398, abs=2e-3)
    # the defining property: the Wilson interval of an observation on a limit ends at the average
    assert wilson_lower(upper[0], 100)[0] == pytest.approx(0.2, abs=1e-9)
    assert wilson_upper(lower[0], 100)[0] == pytest.approx(0.2, abs=1e-9)


def test_rate_limit_by_hand():
    # 10 events, average 0.001 per person, 95%: U(10) = chi2(0.975, 22 df) / 2 = 36.7807 / 2 = 18.3904
    # population where the lower limit is reached = 18.3904 / 0.001 = 18,390.4
    # lower limit = 10 / 18,390.4 x 10,000 = 5.4376 per 10,000
    limits = rate_limits([10], 0.001, 0.95, multiplier=10_000)
    assert stats.chi2.ppf(0.975, 22) == pytest.approx(36.7807, abs=1e-4)
    assert limits["lower_population"][0] == pytest.approx(18390.4, abs=0.5)
    assert limits["lower"][0] == pytest.approx(5.4376, abs=1e-3)


# Rows of testdata_funnel_prop_outputs.csv (Population, Lower2s, Upper2s, Lower3s, Upper3s, Baseline),
# whose inputs (testdata_funnel_prop_inputs.csv, 303 areas) sum to 10,325,813.8504 / 12,804,440.
_PROP_ROWS = [
    (1, 3.204264, 100, 0, 100),
    (2, 25.885383, 100, 0, 100),
    (539, 77.306949, 83.977947, 75.38344, 85.901456),
]
_PROP_AVERAGE = 10_325_813.8504 / 12_804_440


@pytest.mark.parametrize(("n", "lo2", "up2", "lo3", "up3"), _PROP_ROWS)
def test_proportion_limits_match_phe_workbook(n, lo2, up2, lo3, up3):
    lower, upper = proportion_limits([n], _PROP_AVERAGE, 0.95)
    lower3, upper3 = proportion_limits([n], _PROP_AVERAGE, 0.998)
    assert [lower[0], upper[0], lower3[0], upper3[0]] == pytest.approx([lo2, up2, lo3, up3], abs=1e-5)
    baseline = _PROP_AVERAGE * 100
    assert baseline == pytest.approx(80.642448, abs=1e-6)


def test_rate_limits_match_phe_workbook():
    # testdata_funnel_rate_outputs.csv, Events = 1, 3 years of data, baseline 116.1720835 per 100,000:
    # lower_2s_population_1_year 1598.675694, lower_2s_limit 20.85059119, upper_2s_limit 4588.535848
    average = 116.1720835 / 1e5
    limits = rate_limits([1], average, 0.95, multiplier=1e5)
    assert limits["lower_population"][0] / 3 == pytest.approx(1598.675694, rel=1e-6)
    assert limits["lower"][0] == pytest.approx(20.85059119, rel=1e-6)
    assert limits["upper"][0] == pytest.approx(4588.535848, rel=1e-5)


def test_axis_and_grid():
    # largest more than twice the smallest: from 0; 41,980 x 1.05 = 44,079 -> 45,000
    assert funnel_axis(10, 41_980) == (0.0, 45_000.0)
    # 10,000..30,000 is not: 10,000 x 0.95 = 9,500 -> 9,000 (leading digit)
    assert funnel_axis(10_000, 15_000)[0] == 9_000.0
    grid = funnel_denominators(0, 45_000)
    assert len(grid) == 100 and grid[0] == 1 and np.all(np.diff(grid) >= 1)


def test_significance_proportion_and_rate():
    # three equal areas and one far above: the last is above the 99.8% limit
    x = np.array([100, 100, 100, 300])
    n = np.array([1000, 1000, 1000, 1000])
    assert list(funnel_significance(x, n, "proportion"))[-1] == "above_99_8"
    assert list(funnel_significance(x, n, "rate"))[-1] == "above_99_8"
    assert funnel_significance(np.array([100, 100]), np.array([1000, 1000]), "rate").tolist() == ["within"] * 2


def test_rate_funnel_is_tidy():
    frame = rate_funnel([10, 20, 30], [10_000, 20_000, 30_000])
    assert set(frame["level"]) == {0.95, 0.998} and set(frame["side"]) == {"lower", "upper"}
    assert frame["average"].iloc[0] == pytest.approx(10.0)  # 60 / 60,000 x 10,000
