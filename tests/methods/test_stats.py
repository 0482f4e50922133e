"""needs.methods.stats against OHID's own reference values (PHEindicatormethods v2.1.0).

Every expected value in tests/data/phe/ (see SOURCE.md there) is reproduced: rtol 1e-9, and
atol 1e-7 for the non-independent-events DSR rows, which the workbook rounds to 8 decimals.
The helpers the assessment adds are checked against values worked by hand below.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from fixtures import TEST_DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from needs.methods import stats
from needs.reference.constants import MIN_EXPECTED_COUNT_FOR_GOF

PHE = TEST_DATA / "phe"
RTOL = 1e-9
LEVELS = (0.95, 0.998)
# our column -> reference column
LIMITS = {
    "lower_95_0": "expected_lower95_0cl",
    "upper_95_0": "expected_upper95_0cl",
    "lower_99_8": "expected_lower99_8cl",
    "upper_99_8": "expected_upper99_8cl",
}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(PHE / name)


def check(actual, expected, *, rtol: float = RTOL, atol: float = 0.0) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
    )


# ----------------------------------------------------------------------------------------
# Primitives
# ----------------------------------------------------------------------------------------


def test_byars_and_wilson_primitives():
    ref = read("byars_wilson_primitives.csv")
    for row in ref.itertuples():
        if row.method == "byars":
            lower = stats.byars_lower(row.x, row.confidence)
            upper = stats.byars_upper(row.x, row.confidence)
        else:
            lower = stats.wilson_lower(row.x, row.n, row.confidence)
            upper = stats.wilson_upper(row.x, row.n, row.confidence)
        check(lower, [row.expected_lower_cl])
        check(upper, [row.expected_upper_cl])
    # the x = 1 row at 99.8% has a negative Byar lower limit, returned as missing
    assert np.isnan(stats.byars_lower(1, 0.998)[0])


def test_esp2013_matches_reference():
    ref = read("esp2013.csv")
    assert list(stats.ESP2013["age_band"]) == list(ref["age_band"])
    assert list(stats.ESP2013["population"]) == list(ref["esp2013_population"])
    assert list(stats.ESP2013["age_from"]) == list(ref["age_from"])
    assert stats.ESP2013["population"].sum() == 100_000


# ----------------------------------------------------------------------------------------
# Proportions and rates, row by row and grouped
# ----------------------------------------------------------------------------------------


def test_proportion_wilson_all_rows_both_levels():
    ref = read("proportion_wilson.csv")
    out = stats.proportion_ci(ref["numerator"], ref["denominator"], LEVELS, ref["multiplier"])
    assert list(out.index) == list(range(len(ref)))
    check(out["value"], ref["expected_value"])
    for ours, theirs in LIMITS.items():
        check(out[ours], ref[theirs])
    # rows Area09-11 have missing inputs and expect missing outputs
    assert out.loc[ref["area"].isin(["Area09", "Area10", "Area11"])].isna().all().all()


@pytest.mark.parametrize("level", LEVELS)
def test_proportion_single_level_columns(level):
    ref = read("proportion_wilson.csv")
    out = stats.proportion_ci(ref["numerator"], ref["denominator"], level, ref["multiplier"])
    assert list(out.columns) == ["value", "lower", "upper"]
    suffix = "95_0" if level == 0.95 else "99_8"
    check(out["lower"], ref[LIMITS[f"lower_{suffix}"]])
    check(out["upper"], ref[LIMITS[f"upper_{suffix}"]])


def test_proportion_grouped_sums_propagate_missing():
    data = read("proportion_grouped_input.csv")
    ref = read("proportion_grouped_expected.csv")
    sums = stats.sum_by(data, ["numerator", "denominator"], by="area")
    merged = ref.merge(sums, on="area", how="left", validate="one_to_one")
    check(merged["numerator"], merged["numerator_sum"])
    check(merged["denominator"], merged["denominator_sum"])
    out = stats.proportion_ci(merged["numerator"], merged["denominator"], 0.95, merged["multiplier"])
    check(out["value"], merged["expected_value"])
    check(out["lower"], merged["expected_lower95_0cl"])
    check(out["upper"], merged["expected_upper95_0cl"])


def test_rate_exact_and_byars_all_rows_both_levels():
    ref = read("rate_byars_exact.csv")
    out = stats.rate_ci(ref["numerator"], ref["denominator"], LEVELS, ref["multiplier"])
    check(out["value"], ref["expected_value"])
    for ours, theirs in LIMITS.items():
        check(out[ours], ref[theirs])
    # Area12: numerator above denominator is allowed for rates
    assert (ref["area"] == "Area12").any()


def test_rate_grouped():
    data = read("rate_grouped_input.csv")
    ref = read("rate_grouped_expected.csv")
    sums = stats.sum_by(data, ["numerator", "denominator"], by="area")
    merged = ref.merge(sums, on="area", how="left", validate="one_to_one")
    check(merged["numerator"], merged["numerator_sum"])
    check(merged["denominator"], merged["denominator_sum"])
    out = stats.rate_ci(merged["numerator"], merged["denominator"], 0.95, merged["multiplier"])
    check(out["value"], merged["expected_value"])
    check(out["lower"], merged["expected_lower95_0cl"])
    check(out["upper"], merged["expected_upper95_0cl"])


def test_rate_zero_count_exact_limits_by_hand():
    # x = 0: lower 0; upper chi2_{2}(0.975)/2 = -ln(0.025) (the chi-square with 2 df is
    # exponential with mean 2).
    out = stats.rate_ci(0, 1000, 0.95, 1000)
    assert out.loc[0, "value"] == 0
    assert out.loc[0, "lower"] == 0
    check(out["upper"], [-math.log(0.025) / 1000 * 1000])


def test_mean_t_interval_grouped_and_pooled():
    data = read("mean_input.csv")
    ref = read("mean_t_expected.csv").set_index("group")
    grouped = stats.mean_ci(data, "values", by="area", confidence=LEVELS).set_index("area")
    pooled = stats.mean_ci(data, "values", confidence=LEVELS)
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
    out = stats.mean_ci(data, "v", by="g").set_index("g")
    assert out.loc["a", ["value", "lower", "upper"]].isna().all()
    # b: mean 3, sd sqrt(2), t_{1}(0.975) = 12.706204736174698 (Student's t table)
    assert out.loc["b", "value"] == 3
    check([out.loc["b", "upper"]], [3 + 12.706204736174698 * math.sqrt(2) / math.sqrt(2)])


# ----------------------------------------------------------------------------------------
# Standardised rates
# ----------------------------------------------------------------------------------------


def _dsr_reference(independent: bool) -> pd.DataFrame:
    ref = read("dsr_expected.csv")
    return ref[ref["independent_events"] == independent]


@pytest.mark.parametrize("multiplier", [10_000, 100_000])
@pytest.mark.parametrize("standard", ["column", "vector"])
def test_dsr_independent_events(multiplier, standard):
    data = read("dsr_input_esp2013.csv")
    std = "esp2013" if standard == "column" else stats.ESP2013["population"]
    out = stats.dsr(data, "count", "pop", std, by="area", confidence=LEVELS, multiplier=multiplier)
    assert list(out.columns[:3]) == ["area", "total_count", "total_population"]
    ref = _dsr_reference(True)
    ref = ref[ref["multiplier"] == multiplier].merge(out, on="area", validate="one_to_one")
    assert len(ref) == 3
    check(ref["total_count"], ref["expected_total_count"])
    check(ref["total_population"], ref["expected_total_pop"])
    check(ref["value"], ref["expected_value"])
    for ours, theirs in LIMITS.items():
        check(ref[ours], ref[theirs])
    # testdata_tiny: total count 9 < 10 -> no DSR (and its one missing count counts as 0)
    tiny = ref.set_index("area").loc["testdata_tiny"]
    assert tiny["total_count"] == 9
    assert np.isnan(tiny[["value", *LIMITS]].to_numpy(dtype=float)).all()


@pytest.mark.parametrize("multiplier", [10_000, 100_000])
def test_dsr_user_standard_esp1976(multiplier):
    data = read("dsr_input_esp1976.csv")
    out = stats.dsr(data, "count", "pop", "esp1976", by="area", confidence=LEVELS, multiplier=multiplier)
    ref = _dsr_reference(True)
    ref = ref[(ref["multiplier"] == multiplier) & (ref["area"] == "testdata_1976")]
    check(out["total_count"], ref["expected_total_count"])
    check(out["total_population"], ref["expected_total_pop"])
    check(out["value"], ref["expected_value"])
    check(out["lower_95_0"], ref["expected_lower95_0cl"])
    check(out["upper_95_0"], ref["expected_upper95_0cl"])
    # The workbook's 99.8% limits for this case are wrong (10x) and left blank; the README
    # gives the recomputed values to six significant figures.
    per = multiplier / 10_000
    check(out["lower_99_8"], [765.928 * per], rtol=2e-6)
    check(out["upper_99_8"], [959.921 * per], rtol=2e-6)


@pytest.mark.parametrize("with_band", [False, True])
def test_dsr_non_independent_events(with_band):
    data = read("dsr_nonindependent_input.csv")
    out = stats.dsr(
        data,
        None,
        "pop",
        "esp2013",
        by="area",
        confidence=LEVELS,
        multiplier=100_000,
        independent_events=False,
        event_frequency="event_frequency",
        unique_individuals="unique_individuals",
        age_band="age_band_as_in_source" if with_band else None,
    )
    ref = _dsr_reference(False).merge(out, on="area", validate="one_to_one")
    assert len(ref) == 4
    check(ref["total_count"], ref["expected_total_count"])
    check(ref["total_population"], ref["expected_total_pop"])
    check(ref["value"], ref["expected_value"], atol=1e-7)
    for ours, theirs in LIMITS.items():
        check(ref[ours], ref[theirs], atol=1e-7)


def test_dsr_vector_standard_needs_matching_rows():
    data = read("dsr_input_esp2013.csv").iloc[:-1]
    with pytest.raises(ValueError, match="standard"):
        stats.dsr(data, "count", "pop", stats.ESP2013["population"], by="area")


def _isr_reference(function: str, input_file: str) -> pd.DataFrame:
    ref = read("isr_smr_expected.csv")
    return ref[(ref["function"] == function) & (ref["input_file"] == input_file)]


def _check_isr(out: pd.DataFrame, ref: pd.DataFrame, limits: dict[str, str]) -> None:
    merged = ref.merge(out, on="area", validate="one_to_one")
    assert len(merged) == len(ref)
    check(merged["observed"], merged["expected_observed"])
    check(merged["expected"], merged["expected_expected"])
    if "ref_rate" in merged:
        check(merged["ref_rate"], merged["expected_ref_rate"])
    check(merged["value"], merged["expected_value"])
    for ours, theirs in limits.items():
        check(merged[ours], merged[theirs])


@pytest.mark.parametrize("multiplier", [100_000, 1000])
@pytest.mark.parametrize("totals", [False, True])
def test_isr_rate(multiplier, totals):
    data = read("isr_input.csv")
    if totals:
        out = stats.isr_rate(
            data.drop(columns="count"),
            "total_count",
            "pop",
            "refcount",
            "refpop",
            by="area",
            confidence=LEVELS,
            multiplier=multiplier,
            observed_totals=read("isr_observed_totals.csv"),
        )
    else:
        out = stats.isr_rate(
            data, "count", "pop", "refcount", "refpop", by="area", confidence=LEVELS, multiplier=multiplier
        )
    ref = _isr_reference("ISRate", "isr_input.csv")
    _check_isr(out, ref[ref["multiplier_or_refvalue"] == multiplier], LIMITS)


@pytest.mark.parametrize("refvalue", [1, 100])
@pytest.mark.parametrize("totals", [False, True])
def test_isr_ratio(refvalue, totals):
    data = read("isr_input.csv")
    kwargs = {"by": "area", "confidence": LEVELS, "refvalue": refvalue}
    if totals:
        out = stats.isr_ratio(
            data.drop(columns="count"),
            "total_count",
            "pop",
            "refcount",
            "refpop",
            observed_totals=read("isr_observed_totals.csv"),
            **kwargs,
        )
    else:
        out = stats.isr_ratio(data, "count", "pop", "refcount", "refpop", **kwargs)
    ref = _isr_reference("ISRatio", "isr_input.csv")
    _check_isr(out, ref[ref["multiplier_or_refvalue"] == refvalue], LIMITS)


def test_isr_reference_as_vectors():
    data = read("isr_input.csv")
    one_area = data[data["area"] == "testdata_big"]
    out = stats.isr_ratio(
        data[["area", "count", "pop"]],
        "count",
        "pop",
        one_area["refcount"].to_numpy(),
        one_area["refpop"].to_numpy(),
        by="area",
        confidence=LEVELS,
        refvalue=100,
    )
    ref = _isr_reference("ISRatio", "isr_input.csv")
    _check_isr(out, ref[ref["multiplier_or_refvalue"] == 100], LIMITS)


def test_isr_zero_population_band():
    data = read("isr_zero_pop_input.csv")
    single = {"lower": "expected_lower95_0cl", "upper": "expected_upper95_0cl"}
    rate = stats.isr_rate(data, "count", "pop", "refcount", "refpop", by="area", multiplier=100_000)
    _check_isr(rate, _isr_reference("ISRate", "isr_zero_pop_input.csv"), single)
    ratio = stats.isr_ratio(data, "count", "pop", "refcount", "refpop", by="area", refvalue=100)
    _check_isr(ratio, _isr_reference("ISRatio", "isr_zero_pop_input.csv"), single)


# ----------------------------------------------------------------------------------------
# Assessment helpers, worked by hand
# ----------------------------------------------------------------------------------------

# Wilson 95% limits for 20/100 and 65/100, from proportion_wilson.csv (Area3, Area4).
W20 = (0.1333669333310325, 0.28882916559315885)
W65 = (0.5525444329688797, 0.7363575175690247)


def test_representation_ratio_is_wilson_over_expected_share():
    out = stats.representation_ratio([20, 65], [100, 100], [0.4, 0.65])
    check(out["share"], [0.2, 0.65])
    check(out["share_lower"], [W20[0], W65[0]])
    check(out["value"], [0.5, 1.0])
    check(out["lower"], [W20[0] / 0.4, W65[0] / 0.65])
    check(out["upper"], [W20[1] / 0.4, W65[1] / 0.65])
    # an expected share of 0 leaves the ratio undefined
    assert np.isnan(stats.representation_ratio(1, 10, 0.0)[["value", "lower", "upper"]].to_numpy()).all()
    with pytest.raises(ValueError, match="expected_share"):
        stats.representation_ratio(1, 10, 1.5)


def test_rate_ratio_conditional_binomial():
    # 65 events in 2000 person-years against 35 in 1000: RR = (65/2000)/(35/1000) = 0.928571...
    # Conditional on 100 events, x1/100 has Wilson limits W65, and RR = pi/(1-pi) * n2/n1.
    out = stats.rate_ratio(65, 2000, 35, 1000)
    check(out["value"], [65 / 2000 / (35 / 1000)])
    check(out["lower"], [W65[0] / (1 - W65[0]) * 0.5])
    check(out["upper"], [W65[1] / (1 - W65[1]) * 0.5])


def test_rate_ratio_undefined_cases():
    out = stats.rate_ratio([0, 5, 0, np.nan], [100, 100, 100, 100], [5, 0, 0, 5], [100, 100, 100, 100])
    assert out.loc[0, "value"] == 0 and out.loc[0, "lower"] == 0 and out.loc[0, "upper"] > 0
    assert np.isnan(out.loc[1, "value"]) and np.isnan(out.loc[1, "upper"]) and out.loc[1, "lower"] > 0
    assert out.loc[2:3].isna().all().all()


def test_goodness_of_fit_by_hand():
    # E = 20 each; X2 = (100 + 0 + 100)/20 = 10; chi2 with 2 dof: p = exp(-X2/2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = stats.goodness_of_fit([10, 20, 30], [1, 1, 1])
    assert result["dof"] == 2
    check([result["statistic"]], [10.0])
    check([result["p_value"]], [math.exp(-5)])
    assert result["min_expected"] == 20 and result["small_expected"] is False


def test_goodness_of_fit_warns_on_small_expected():
    # E = 2 each: X2 = (1 + 0 + 1)/2 = 1, p = exp(-0.5)
    with pytest.warns(stats.SmallExpectedCountWarning):
        result = stats.goodness_of_fit([1, 2, 3], [0.2, 0.2, 0.2])
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
        out = stats.goodness_of_fit_grouped(data, "count", "share", by="area").set_index("area")
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
    with pytest.warns(stats.SmallExpectedCountWarning):
        out = stats.goodness_of_fit_grouped(data, "count", "share", by="g")
    assert bool(out.loc[0, "small_expected"])
    check([out.loc[0, "statistic"], out.loc[0, "p_value"]], [1.0, math.exp(-0.5)])


# ----------------------------------------------------------------------------------------
# Misuse
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: stats.proportion_ci(-1, 10), "x"),
        (lambda: stats.proportion_ci(11, 10), "x"),
        (lambda: stats.proportion_ci(1, 0), "n"),
        (lambda: stats.rate_ci(-1, 10), "x"),
        (lambda: stats.rate_ci(1, -5), "n"),
        (lambda: stats.proportion_ci(1, 10, confidence=1.0), "confidence"),
        (lambda: stats.proportion_ci(1, 10, confidence=0), "confidence"),
        (lambda: stats.rate_ci(1, 10, confidence=95), "confidence"),
        (lambda: stats.rate_ratio(1, 0, 1, 10), "n1"),
        (lambda: stats.rate_ratio(1, 10, -1, 10), "x2"),
        (lambda: stats.goodness_of_fit([-1, 2], [1, 1]), "observed"),
        (lambda: stats.dsr(pd.DataFrame({"c": [-1], "p": [1], "s": [1]}), "c", "p", "s"), "count"),
        (lambda: stats.dsr(pd.DataFrame({"c": [1], "p": [0], "s": [1]}), "c", "p", "s"), "population"),
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
    out = stats.proportion_ci(x, n, [lo_c, hi_c])
    narrow = out.iloc[0, 1:3].to_numpy()
    wide = out.iloc[0, 3:5].to_numpy()
    value = out.loc[0, "value"]
    assert 0 <= wide[0] <= narrow[0] <= value <= narrow[1] <= wide[1] <= 1


@settings(max_examples=200, deadline=None)
@given(counts, st.integers(min_value=1, max_value=10**8), level_pairs)
def test_rate_limits_bracket_and_widen(x, n, pair):
    lo_c, hi_c = pair
    out = stats.rate_ci(x, n, [lo_c, hi_c], multiplier=1)
    narrow = out.iloc[0, 1:3].to_numpy()
    wide = out.iloc[0, 3:5].to_numpy()
    value = out.loc[0, "value"]
    scale = 1 + 1e-12
    assert wide[0] <= narrow[0] * scale and narrow[0] <= value * scale
    assert value <= narrow[1] * scale and narrow[1] <= wide[1] * scale


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**5),
    st.integers(min_value=1, max_value=10**5),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=1, max_value=10**6),
    levels,
)
def test_rate_ratio_brackets(x1, x2, n1, n2, level):
    out = stats.rate_ratio(x1, n1, x2, n2, level)
    value, lower, upper = out.loc[0, ["value", "lower", "upper"]]
    assert lower <= value * (1 + 1e-12) and value <= upper * (1 + 1e-12)
