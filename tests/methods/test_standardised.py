"""needs.methods.standardised against OHID's own reference values (PHEindicatormethods v2.1.0).

Every expected value in tests/data/phe/ (see SOURCE.md there) for directly and indirectly
standardised rates is reproduced: rtol 1e-9, and atol 1e-7 for the non-independent-events
DSR rows, which the workbook rounds to 8 decimals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from phe_reference import LEVELS, LIMITS, check, read

from needs.methods import standardised


def test_esp2013_matches_reference():
    ref = read("esp2013.csv")
    assert list(standardised.ESP2013["age_band"]) == list(ref["age_band"])
    assert list(standardised.ESP2013["population"]) == list(ref["esp2013_population"])
    assert list(standardised.ESP2013["age_from"]) == list(ref["age_from"])
    assert standardised.ESP2013["population"].sum() == 100_000


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
    std = "esp2013" if standard == "column" else standardised.ESP2013["population"]
    out = standardised.dsr(data, "count", "pop", std, by="area", confidence=LEVELS, multiplier=multiplier)
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
    out = standardised.dsr(data, "count", "pop", "esp1976", by="area", confidence=LEVELS, multiplier=multiplier)
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
    out = standardised.dsr(
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
        standardised.dsr(data, "count", "pop", standardised.ESP2013["population"], by="area")


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
        out = standardised.isr_rate(
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
        out = standardised.isr_rate(
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
        out = standardised.isr_ratio(
            data.drop(columns="count"),
            "total_count",
            "pop",
            "refcount",
            "refpop",
            observed_totals=read("isr_observed_totals.csv"),
            **kwargs,
        )
    else:
        out = standardised.isr_ratio(data, "count", "pop", "refcount", "refpop", **kwargs)
    ref = _isr_reference("ISRatio", "isr_input.csv")
    _check_isr(out, ref[ref["multiplier_or_refvalue"] == refvalue], LIMITS)


def test_isr_reference_as_vectors():
    data = read("isr_input.csv")
    one_area = data[data["area"] == "testdata_big"]
    out = standardised.isr_ratio(
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
    rate = standardised.isr_rate(data, "count", "pop", "refcount", "refpop", by="area", multiplier=100_000)
    _check_isr(rate, _isr_reference("ISRate", "isr_zero_pop_input.csv"), single)
    ratio = standardised.isr_ratio(data, "count", "pop", "refcount", "refpop", by="area", refvalue=100)
    _check_isr(ratio, _isr_reference("ISRatio", "isr_zero_pop_input.csv"), single)



# ----------------------------------------------------------------------------------------
# Misuse
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: standardised.dsr(pd.DataFrame({"c": [-1], "p": [1], "s": [1]}), "c", "p", "s"), "count"),
        (lambda: standardised.dsr(pd.DataFrame({"c": [1], "p": [0], "s": [1]}), "c", "p", "s"), "population"),
    ],
)
def test_invalid_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()
