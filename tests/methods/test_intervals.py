"""needs.methods.intervals against OHID's own reference values (PHEindicatormethods v2.1.0).

Every expected value in tests/data/phe/ (see SOURCE.md there) for proportions, rates and
means is reproduced: rtol 1e-9.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phe_reference import LEVELS, LIMITS, check, read

from needs.methods import intervals

# ----------------------------------------------------------------------------------------
# Primitives
# ----------------------------------------------------------------------------------------


def test_byars_and_wilson_primitives():
    ref = read("byars_wilson_primitives.csv")
    for row in ref.itertuples():
        if row.method == "byars":
            lower = intervals.byars_lower(row.x, row.confidence)
            upper = intervals.byars_upper(row.x, row.confidence)
        else:
            lower = intervals.wilson_lower(row.x, row.n, row.confidence)
            upper = intervals.wilson_upper(row.x, row.n, row.confidence)
        check(lower, [row.expected_lower_cl])
        check(upper, [row.expected_upper_cl])
    # the x = 1 row at 99.8% has a negative Byar lower limit, returned as missing
    assert np.isnan(intervals.byars_lower(1, 0.998)[0])


# ----------------------------------------------------------------------------------------
# Proportions and rates, row by row and grouped
# ----------------------------------------------------------------------------------------


def test_proportion_wilson_all_rows_both_levels():
    ref = read("proportion_wilson.csv")
    out = intervals.proportion_ci(ref["numerator"], ref["denominator"], LEVELS, ref["multiplier"])
    assert list(out.index) == list(range(len(ref)))
    check(out["value"], ref["expected_value"])
    for ours, theirs in LIMITS.items():
        check(out[ours], ref[theirs])
    # rows Area09-11 have missing inputs and expect missing outputs
    assert out.loc[ref["area"].isin(["Area09", "Area10", "Area11"])].isna().all().all()


@pytest.mark.parametrize("level", LEVELS)
def test_proportion_single_level_columns(level):
    ref = read("proportion_wilson.csv")
    out = intervals.proportion_ci(ref["numerator"], ref["denominator"], level, ref["multiplier"])
    assert list(out.columns) == ["value", "lower", "upper"]
    suffix = "95_0" if level == 0.95 else "99_8"
    check(out["lower"], ref[LIMITS[f"lower_{suffix}"]])
    check(out["upper"], ref[LIMITS[f"upper_{suffix}"]])


def test_proportion_grouped_sums_propagate_missing():
    data = read("proportion_grouped_input.csv")
    ref = read("proportion_grouped_expected.csv")
    sums = intervals.sum_by(data, ["numerator", "denominator"], by="area")
    merged = ref.merge(sums, on="area", how="left", validate="one_to_one")
    check(merged["numerator"], merged["numerator_sum"])
    check(merged["denominator"], merged["denominator_sum"])
    out = intervals.proportion_ci(merged["numerator"], merged["denominator"], 0.95, merged["multiplier"])
    check(out["value"], merged["expected_value"])
    check(out["lower"], merged["expected_lower95_0cl"])
    check(out["upper"], merged["expected_upper95_0cl"])


def test_rate_exact_and_byars_all_rows_both_levels():
    ref = read("rate_byars_exact.csv")
    out = intervals.rate_ci(ref["numerator"], ref["denominator"], LEVELS, ref["multiplier"])
    check(out["value"], ref["expected_value"])
    for ours, theirs in LIMITS.items():
        check(out[ours], ref[theirs])
    # Area12: numerator above denominator is allowed for rates
    assert (ref["area"] == "Area12").any()


def test_rate_grouped():
    data = read("rate_grouped_input.csv")
    ref = read("rate_grouped_expected.csv")
    sums = intervals.sum_by(data, ["numerator", "denominator"], by="area")
    merged = ref.merge(sums, on="area", how="left", validate="one_to_one")
    check(merged["numerator"], merged["numerator_sum"])
    check(merged["denominator"], merged["denominator_sum"])
    out = intervals.rate_ci(merged["numerator"], merged["denominator"], 0.95, merged["multiplier"])
    check(out["value"], merged["expected_value"])
    check(out["lower"], merged["expected_lower95_0cl"])
    check(out["upper"], merged["expected_upper95_0cl"])


def test_rate_zero_count_exact_limits_by_hand():
    # x = 0: lower 0; upper chi2_{2}(0.975)/2 = -ln(0.025) (the chi-square with 2 df is
    # exponential with mean 2).
    out = intervals.rate_ci(0, 1000, 0.95, 1000)
    assert out.loc[0, "value"] == 0
    assert out.loc[0, "lower"] == 0
    check(out["upper"], [-math.log(0.025) / 1000 * 1000])


def test_mean_t_interval_grouped_and_pooled():
    data = read("mean_input.csv")
    ref = read("mean_t_expected.csv").set_index("group")
    grouped = intervals.mean_ci(data, "values", by="area", confidence=LEVELS).set_index("area")
    pooled = intervals.mean_ci(data, "values", confidence=LEVELS)
    pooled.index = ["No grouping"]
    out = pd.concat([grouped, pooled]).loc[ref.index]
    check(out["value_sum"], ref["expected_value_sum"])
    check(out["value_count"], ref["expected_value_count"])
    check(out["stdev"], ref["expected_stdev"])
    check(out["value"], ref["expected_value"])
    for ours, theirs in LIMITS.items():
        check(out[ours], ref[theirs])


def test_mean_missing_value_gives_missing_group():
    data = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [1.0, np.nan, 2.0, 4.0]})
    out = intervals.mean_ci(data, "v", by="g").set_index("g")
    assert out.loc["a", ["value", "lower", "upper"]].isna().all()
    # b: mean 3, sd sqrt(2), t_{1}(0.975) = 12.706204736174698 (Student's t table)
    assert out.loc["b", "value"] == 3
    check([out.loc["b", "upper"]], [3 + 12.706204736174698 * math.sqrt(2) / math.sqrt(2)])


# ----------------------------------------------------------------------------------------
# Misuse
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: intervals.proportion_ci(-1, 10), "x"),
        (lambda: intervals.proportion_ci(11, 10), "x"),
        (lambda: intervals.proportion_ci(1, 0), "n"),
        (lambda: intervals.rate_ci(-1, 10), "x"),
        (lambda: intervals.rate_ci(1, -5), "n"),
        (lambda: intervals.proportion_ci(1, 10, confidence=1.0), "confidence"),
        (lambda: intervals.proportion_ci(1, 10, confidence=0), "confidence"),
        (lambda: intervals.rate_ci(1, 10, confidence=95), "confidence"),
    ],
)
def test_invalid_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()


# ----------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**7)


@st.composite
def proportions(draw):
    n = draw(st.integers(min_value=1, max_value=10**7))
    x = draw(st.integers(min_value=0, max_value=n))
    return x, n


levels = st.floats(min_value=0.5, max_value=0.9999)
level_pairs = st.tuples(levels, levels).filter(lambda p: abs(p[0] - p[1]) > 1e-3).map(sorted)


@settings(max_examples=200, deadline=None)
@given(proportions(), level_pairs)
def test_wilson_brackets_stays_in_unit_interval_and_widens(xn, pair):
    x, n = xn
    lo_c, hi_c = pair
    out = intervals.proportion_ci(x, n, [lo_c, hi_c])
    narrow = out.iloc[0, 1:3].to_numpy()
    wide = out.iloc[0, 3:5].to_numpy()
    value = out.loc[0, "value"]
    assert 0 <= wide[0] <= narrow[0] <= value <= narrow[1] <= wide[1] <= 1


@settings(max_examples=200, deadline=None)
@given(counts, st.integers(min_value=1, max_value=10**8), level_pairs)
def test_rate_limits_bracket_and_widen(x, n, pair):
    lo_c, hi_c = pair
    out = intervals.rate_ci(x, n, [lo_c, hi_c], multiplier=1)
    narrow = out.iloc[0, 1:3].to_numpy()
    wide = out.iloc[0, 3:5].to_numpy()
    value = out.loc[0, "value"]
    scale = 1 + 1e-12
    assert wide[0] <= narrow[0] * scale and narrow[0] <= value * scale
    assert value <= narrow[1] * scale and narrow[1] <= wide[1] * scale
