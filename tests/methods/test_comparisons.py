"""needs.methods.comparisons: the helpers the assessment adds, against values worked by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phe_reference import check

from needs.methods import comparisons
from needs.reference.constants import MIN_EXPECTED_COUNT_FOR_GOF

# ----------------------------------------------------------------------------------------
# Assessment helpers, worked by hand
# ----------------------------------------------------------------------------------------

# Wilson 95% limits for 20/100 and 65/100, from proportion_wilson.csv (Area3, Area4).
W20 = (0.1333669333310325, 0.28882916559315885)
W65 = (0.5525444329688797, 0.7363575175690247)


def test_representation_ratio_is_wilson_over_expected_share():
    out = comparisons.representation_ratio([20, 65], [100, 100], [0.4, 0.65])
    check(out["share"], [0.2, 0.65])
    check(out["share_lower"], [W20[0], W65[0]])
    check(out["value"], [0.5, 1.0])
    check(out["lower"], [W20[0] / 0.4, W65[0] / 0.65])
    check(out["upper"], [W20[1] / 0.4, W65[1] / 0.65])
    # an expected share of 0 leaves the ratio undefined
    assert np.isnan(comparisons.representation_ratio(1, 10, 0.0)[["value", "lower", "upper"]].to_numpy()).all()
    with pytest.raises(ValueError, match="expected_share"):
        comparisons.representation_ratio(1, 10, 1.5)


def test_rate_ratio_conditional_binomial():
    # 65 events in 2000 person-years against 35 in 1000: RR = (65/2000)/(35/1000) = 0.928571...
    # Conditional on 100 events, x1/100 has Wilson limits W65, and RR = pi/(1-pi) * n2/n1.
    out = comparisons.rate_ratio(65, 2000, 35, 1000)
    check(out["value"], [65 / 2000 / (35 / 1000)])
    check(out["lower"], [W65[0] / (1 - W65[0]) * 0.5])
    check(out["upper"], [W65[1] / (1 - W65[1]) * 0.5])


def test_rate_ratio_undefined_cases():
    out = comparisons.rate_ratio([0, 5, 0, np.nan], [100, 100, 100, 100], [5, 0, 0, 5], [100, 100, 100, 100])
    assert out.loc[0, "value"] == 0 and out.loc[0, "lower"] == 0 and out.loc[0, "upper"] > 0
    assert np.isnan(out.loc[1, "value"]) and np.isnan(out.loc[1, "upper"]) and out.loc[1, "lower"] > 0
    assert out.loc[2:3].isna().all().all()


def test_goodness_of_fit_by_hand():
    # E = 20 each; X2 = (100 + 0 + 100)/20 = 10; chi2 with 2 dof: p = exp(-X2/2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = comparisons.goodness_of_fit([10, 20, 30], [1, 1, 1])
    assert result["dof"] == 2
    check([result["statistic"]], [10.0])
    check([result["p_value"]], [math.exp(-5)])
    assert result["min_expected"] == 20 and result["small_expected"] is False


def test_goodness_of_fit_warns_on_small_expected():
    # E = 2 each: X2 = (1 + 0 + 1)/2 = 1, p = exp(-0.5)
    with pytest.warns(comparisons.SmallExpectedCountWarning):
        result = comparisons.goodness_of_fit([1, 2, 3], [0.2, 0.2, 0.2])
    check([result["statistic"]], [1.0])
    check([result["p_value"]], [math.exp(-0.5)])
    assert result["small_expected"] is True
    assert result["min_expected"] < MIN_EXPECTED_COUNT_FOR_GOF


def test_goodness_of_fit_grouped_by_hand():
    data = pd.DataFrame(
        {
            "area": ["A"] * 3 + ["B"] * 3 + ["C"] * 2 + ["D"] * 2,
            "category": ["x", "y", "z"] * 2 + ["x", "y"] * 2,
            "count": [10, 20, 30, 10, 30, 0, 5, np.nan, 0, 0],
            "share": [1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 0.0, 0.5, 0.5, 0.5, 0.5],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no expected count below 5 in A or B; C and D untested
        out = comparisons.goodness_of_fit_grouped(data, "count", "share", by="area").set_index("area")
    # A: as test_goodness_of_fit_by_hand
    check([out.loc["A", "statistic"], out.loc["A", "p_value"]], [10.0, math.exp(-5)])
    assert out.loc["A", "dof"] == 2 and not out.loc["A", "small_expected"]
    # B: the zero-share, zero-count category is left out: E = (20, 20), X2 = 10, dof 1,
    # p = P(chi2_1 > 10) = erfc(sqrt(10/2))
    check([out.loc["B", "statistic"], out.loc["B", "p_value"]], [10.0, math.erfc(math.sqrt(5))])
    assert out.loc["B", "dof"] == 1
    # C: a missing count makes the group missing; D: nothing observed
    assert np.isnan(out.loc["C", "statistic"]) and np.isnan(out.loc["D", "statistic"])
    assert not out.loc["C", "small_expected"] and not out.loc["D", "small_expected"]


def test_goodness_of_fit_grouped_small_expected_flag():
    data = pd.DataFrame({"g": ["a", "a", "a"], "count": [1, 2, 3], "share": [1, 1, 1]})
    with pytest.warns(comparisons.SmallExpectedCountWarning):
        out = comparisons.goodness_of_fit_grouped(data, "count", "share", by="g")
    assert bool(out.loc[0, "small_expected"])
    check([out.loc[0, "statistic"], out.loc[0, "p_value"]], [1.0, math.exp(-0.5)])


# ----------------------------------------------------------------------------------------
# Misuse
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: comparisons.rate_ratio(1, 0, 1, 10), "n1"),
        (lambda: comparisons.rate_ratio(1, 10, -1, 10), "x2"),
        (lambda: comparisons.goodness_of_fit([-1, 2], [1, 1]), "observed"),
    ],
)
def test_invalid_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()


# ----------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------

levels = st.floats(min_value=0.5, max_value=0.9999)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**5),
    st.integers(min_value=1, max_value=10**5),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=1, max_value=10**6),
    levels,
)
def test_rate_ratio_brackets(x1, x2, n1, n2, level):
    out = comparisons.rate_ratio(x1, n1, x2, n2, level)
    value, lower, upper = out.loc[0, ["value", "lower", "upper"]]
    assert lower <= value * (1 + 1e-12) and value <= upper * (1 + 1e-12)
