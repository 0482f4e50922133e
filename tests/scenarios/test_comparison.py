"""Tests of needs.scenarios.comparison: Monte Carlo intervals and sensitivity, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from handworked import NAN, erlang_b_by_hand, figures_of, hand_baseline

from needs.scenarios.comparison import compare, sensitivity
from needs.scenarios.model import Baseline
from needs.scenarios.spec import BASELINE_NAME

# --------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------


def test_monte_carlo_is_reproducible_and_intervals_contain_the_point_estimate():
    base = hand_baseline(units=2)
    more = {"name": "More", "services": {"resize": [{"service_id": "R1", "units": 3}]}}
    first = compare(base, scenarios=[more], draws=4000, seed=11)
    again = compare(base, scenarios=[more], draws=4000, seed=11)
    other = compare(base, scenarios=[more], draws=4000, seed=12)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["lower"].fillna(0), other["lower"].fillna(0))
    with_interval = first.dropna(subset=["lower", "upper"])
    assert {"turnaways", "demand", "throughput", "units_needed", "cost_per_household"} <= set(
        with_interval["figure"]
    )
    assert (with_interval["lower"] <= with_interval["value"] + 1e-9).all()
    assert (with_interval["value"] <= with_interval["upper"] + 1e-9).all()
    assert (with_interval["lower"] < with_interval["upper"]).any()
    # Fixed figures have no interval.
    fixed = first[first["figure"].isin(["units", "annual_cost", "grant", "balance", "coe_gap"])]
    assert fixed["lower"].isna().all()
    probability = first[first["figure"] == "prob_meets_target"].set_index("scenario")["value"]
    assert 0 <= probability[BASELINE_NAME] <= probability["More"] <= 1


def test_monte_carlo_demand_interval_matches_the_prevalence_interval():
    # s = ln(1100 / 900) / (2 x 1.96); with the stay fixed (cv 0) demand = 10 x m, and the
    # 95% interval of m is exp(+-1.96 s) = sqrt(900 / 1100), sqrt(1100 / 900).
    table = compare(hand_baseline(), draws=200_000, seed=3, stay_cv=0.0)
    demand = table[table["figure"] == "demand"].iloc[0]
    assert demand["lower"] == pytest.approx(10 * math.sqrt(900 / 1100), rel=0.005)
    assert demand["upper"] == pytest.approx(10 * math.sqrt(1100 / 900), rel=0.005)


def test_monte_carlo_probability_by_hand_with_no_uncertainty():
    # No prevalence interval and no stay uncertainty: every draw is the point estimate.
    base = hand_baseline(units=4)
    base = Baseline(**{**base.__dict__, "victims_lower": NAN, "victims_upper": NAN})
    table = compare(base, draws=50, seed=1, stay_cv=0.0)
    got = figures_of(table, BASELINE_NAME)
    # B(4, 1) = 1/65 <= 0.05 in every draw.
    assert got["prob_meets_target"] == 1.0
    tight = compare(hand_baseline(units=3), draws=50, seed=1, stay_cv=0.0, confidence=0.9)
    assert tight.attrs["confidence"] == 0.9


def test_compare_rejects_bad_arguments():
    with pytest.raises(ValueError, match="draws"):
        compare(hand_baseline(), draws=-1)
    with pytest.raises(ValueError, match="confidence"):
        compare(hand_baseline(), confidence=1.5)


# --------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------


def test_sensitivity_of_units_short_by_hand():
    table = sensitivity(hand_baseline(), figures=("units_short",))
    rows = table.set_index("assumption")
    # Target 10%: B(3, 1) = 0.0625 <= 0.10 so 3 needed, 2 short; target 2%: B(4, 1) = 0.0154 so 4 needed, 3 short.
    assert rows.loc["target_turnaway", "low"] == 2 and rows.loc["target_turnaway", "high"] == 3
    # Stay x 1.2: load 1.2; B(4, 1.2) = (1.2^4/24) / (1 + 1.2 + 0.72 + 0.288 + 0.0864) = 0.0262 -> 4 needed, 3 short.
    assert erlang_b_by_hand(4, 1.2) == pytest.approx(0.0864 / 3.2944)
    assert rows.loc["length_of_stay", "high"] == 3
    assert rows.loc["occupancy", "swing"] == 0  # occupancy does not move the Erlang gap
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
