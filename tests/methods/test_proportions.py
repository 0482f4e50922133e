"""needs.methods.proportions: the ratio of two proportions against published and exact references.

References used:

* Koopman (1984), Biometrics 40:513-517, worked example: 36/40 against 16/80, ratio 4.5, 95%
  score interval 2.94 to 7.15 (to four places 2.9396 to 7.1522, as DescTools' test of
  ``BinomRatioCI(method = "koopman")`` records it);
* R ``PropCIs::riskscoreci(7, 34, 1, 34, 0.95)`` = 1.220853 to 42.575718 (Perondi et al. 2004
  trial, as recorded in statsmodels' tests of ``confint_proportions_2indep``);
* ``PropCIs::riskscoreci`` with both proportions 1 has the closed form
  ``(n1 / (n1 + z^2), (n2 + z^2) / n2)``;
* the non-iterative (cubic) form of the same limits (Nam 1995, the code of
  ``PropCIs::riskscoreci``), re-implemented here independently of the bisection;
* ``scipy.stats.contingency.relative_risk(...).confidence_interval()`` for the Katz interval;
* Fisher's exact test (``scipy.stats.fisher_exact``) for 52/52 against 645/761 (p = 0.00036).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import fisher_exact, norm
from scipy.stats.contingency import relative_risk

from needs.methods import comparisons
from needs.methods.proportions import koopman_statistic, proportion_ratio_ci


def nam_cubic(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Koopman limits from the closed-form cubic of PropCIs::riskscoreci (no zero or full cell)."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    a1 = n2 * (n2 * (n2 + n1) * x1 + n1 * (n2 + x1) * z**2)
    a2 = -n2 * (n2 * n1 * (x2 + x1) + 2 * (n2 + n1) * x2 * x1 + n1 * (n2 + x2 + 2 * x1) * z**2)
    a3 = 2 * n2 * n1 * x2 * (x2 + x1) + (n2 + n1) * x2**2 * x1 + n2 * n1 * (x2 + x1) * z**2
    a4 = -n1 * x2**2 * (x2 + x1)
    b1, b2, b3 = a2 / a1, a3 / a1, a4 / a1
    c1 = b2 - b1**2 / 3
    c2 = b3 - b1 * b2 / 3 + 2 * b1**3 / 27
    theta = math.acos(math.sqrt(27) * c2 / (2 * c1 * math.sqrt(-c1)))
    roots = [
        -2 * math.sqrt(-c1 / 3) * math.cos(math.pi / 3 - theta / 3) - b1 / 3,
        -2 * math.sqrt(-c1 / 3) * math.cos(math.pi / 3 + theta / 3) - b1 / 3,
        2 * math.sqrt(-c1 / 3) * math.cos(theta / 3) - b1 / 3,
    ]
    up, low = min(roots), sorted(roots)[1]

    def limit(p0: float) -> float:
        return (1 - (n1 - x1) * (1 - p0) / (x2 + n1 - (n2 + n1) * p0)) / p0

    return limit(low), limit(up)


def test_koopman_1984_worked_example():
    out = proportion_ratio_ci(36, 40, 16, 80).iloc[0]
    assert out["value"] == pytest.approx(4.5)
    assert out["lower"] == pytest.approx(2.9396, abs=1e-4)
    assert out["upper"] == pytest.approx(7.1522, abs=1e-4)
    # As published, to two places.
    assert (round(out["lower"], 2), round(out["upper"], 2)) == (2.94, 7.15)


def test_riskscoreci_reference_and_closed_forms():
    out = proportion_ratio_ci([7, 52], [34, 52], [1, 52], [34, 52])
    assert out.loc[0, "lower"] == pytest.approx(1.220853, abs=1e-6)
    assert out.loc[0, "upper"] == pytest.approx(42.575718, abs=1e-5)
    z2 = norm.ppf(0.975) ** 2
    assert out.loc[1, "value"] == 1
    assert out.loc[1, "lower"] == pytest.approx(52 / (52 + z2), rel=1e-9)
    assert out.loc[1, "upper"] == pytest.approx((52 + z2) / 52, rel=1e-9)


@pytest.mark.parametrize(
    "x1, n1, x2, n2",
    [(645, 761, 40, 52), (5, 6, 3, 4), (12, 100, 20, 100), (3, 250, 9, 120), (88, 90, 70, 95)],
)
def test_bisection_agrees_with_the_cubic_closed_form(x1, n1, x2, n2):
    out = proportion_ratio_ci(x1, n1, x2, n2, confidence=[0.95, 0.998])
    for level, suffix in ((0.95, "95_0"), (0.998, "99_8")):
        low, high = nam_cubic(x1, n1, x2, n2, level)
        assert out.loc[0, f"lower_{suffix}"] == pytest.approx(low, rel=1e-7)
        assert out.loc[0, f"upper_{suffix}"] == pytest.approx(high, rel=1e-7)
        # At each limit the score statistic equals the chi-square critical value.
        z2 = norm.ppf(1 - (1 - level) / 2) ** 2
        assert koopman_statistic(x1, n1, x2, n2, [low, high]) == pytest.approx([z2, z2], rel=1e-6)


def test_share_near_one_is_significant_where_the_rate_method_is_not():
    # "Not disabled" 52 of 52 households with a known value, then 645 of 761 (issue 15).
    share = proportion_ratio_ci(645, 761, 52, 52).iloc[0]
    assert share["value"] == pytest.approx((645 / 761) / 1.0)
    assert share["upper"] < 1  # excludes no change, as the exact test does:
    assert fisher_exact([[645, 761 - 645], [52, 0]]).pvalue == pytest.approx(0.000358, abs=1e-6)
    rate = comparisons.rate_ratio(645, 761, 52, 52).iloc[0]
    assert rate["lower"] < 1 < rate["upper"]  # the Poisson treatment: 0.64 to 1.12
    assert (rate["upper"] - rate["lower"]) > 5 * (share["upper"] - share["lower"])


def test_katz_matches_scipy_relative_risk():
    for x1, n1, x2, n2 in ((36, 40, 16, 80), (7, 34, 1, 34), (645, 761, 40, 52)):
        out = proportion_ratio_ci(x1, n1, x2, n2, method="katz").iloc[0]
        reference = relative_risk(x1, n1, x2, n2)
        interval = reference.confidence_interval(0.95)
        assert out["value"] == pytest.approx(reference.relative_risk)
        assert (out["lower"], out["upper"]) == pytest.approx((interval.low, interval.high), rel=1e-12)


def test_zero_counts_and_missing_values():
    out = proportion_ratio_ci([0, 4, 0, np.nan], [10, 10, 10, 10], [5, 0, 0, 5], [10, 10, 10, 10])
    # x1 = 0: ratio 0, lower limit 0, finite upper limit on which the statistic is critical.
    assert out.loc[0, "value"] == 0 and out.loc[0, "lower"] == 0
    assert koopman_statistic(0, 10, 5, 10, out.loc[0, "upper"])[0] == pytest.approx(norm.ppf(0.975) ** 2)
    # x2 = 0: ratio and upper limit infinite, finite lower limit above 1.
    assert np.isinf(out.loc[1, "value"]) and np.isinf(out.loc[1, "upper"]) and out.loc[1, "lower"] > 1
    assert out.loc[2:3].isna().all().all()
    katz = proportion_ratio_ci([0, 4], [10, 10], [5, 0], [10, 10], method="katz")
    assert katz[["lower", "upper"]].isna().all().all()


def test_vectorised_rows_equal_single_calls():
    x1, n1, x2, n2 = [36, 7, 5], [40, 34, 6], [16, 1, 3], [80, 34, 4]
    together = proportion_ratio_ci(x1, n1, x2, n2)
    for i in range(3):
        alone = proportion_ratio_ci(x1[i], n1[i], x2[i], n2[i]).iloc[0]
        assert together.iloc[i].to_numpy() == pytest.approx(alone.to_numpy(), rel=1e-12)


def test_misuse_is_refused():
    with pytest.raises(ValueError, match="exceed"):
        proportion_ratio_ci(5, 4, 1, 4)
    with pytest.raises(ValueError, match="method"):
        proportion_ratio_ci(1, 4, 1, 4, method="wald")
    with pytest.raises(ValueError, match="n2"):
        proportion_ratio_ci(1, 4, 0, 0)
