"""Tests for needs.assess: the whole assessment, one area at a time and all at once.

Uses the hand-listed ``tests/fixtures.py`` dataset (Shire E10000001 with two districts and
Neighbourton E06000001); see its docstring for every record.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures import NEIGHBOUR, ROOT, SHIRE, tiny_dataset

import needs
from needs.assessment.assemble import Assessment, assess, assess_all
from needs.errors import InputError
from needs.inputs.dataset import Dataset

PERIOD = "2024-25"
EXAMPLE = ROOT / "data" / "example"

#: Columns of the parts built in needs.assessment.referrals, needs.assessment.capacity and needs.assessment.funding
#: (docs/ARCHITECTURE.md, "The Assessment").
COLUMNS = {
    "areas": ["area_code", "area_name", "population", "population_16plus"],
    "outcomes": ["area_code", "accommodation_type", "outcome", "count", "denominator", "share", "lower", "upper"],
    "decline_reasons": [
        "area_code", "accommodation_type", "reason", "count", "denominator", "share", "lower", "upper",
        "capacity_related",
    ],
    "declines_by_group": ["area_code", "characteristic", "category", "declined", "decided", "share", "lower", "upper"],
    "unmet": [
        "area_code", "households_referred", "households_supported", "households_unmet",
        "households_unmet_need", "households_unmet_capacity", "households_unmet_needs",
        "households_unable_other", "unmet_share", "lower", "upper",
    ],
    "cross_border": ["area_code", "origin_area_code", "origin_name", "referrals", "households"],
    "out_of_area": ["area_code", "direction", "count", "denominator", "share", "lower", "upper"],
    "provision": [
        "area_code", "accommodation_type", "specialism", "services", "units", "bedspaces", "annual_cost",
        "planned_services", "planned_units", "planned_bedspaces", "planned_annual_cost",
    ],
    "benchmark": [
        "area_code", "population", "coe_target_units", "counted_units", "planned_units", "gap_units", "gap_share",
        "counted_types",
    ],
    "throughput": [
        "area_code", "accommodation_type", "units", "planned_units", "households_supported", "mean_stay_days",
        "occupancy", "annual_throughput", "capacity_full_occupancy",
    ],
    "erlang": [
        "area_code", "accommodation_type", "specialism", "units", "planned_units", "arrivals_per_year",
        "stays", "censored_stays", "mean_stay_days", "offered_load", "modelled_turnaway",
        "modelled_turnaway_lower", "modelled_turnaway_upper", "observed_capacity_declines", "observed_decided",
        "observed_offered", "observed_turnaway_share", "observed_turnaway", "implied_occupancy",
        "implied_occupancy_lower", "implied_occupancy_upper", "simulated_turnaway_lower",
        "simulated_turnaway_upper", "observed_occupancy", "simulated_occupancy_lower",
        "simulated_occupancy_upper", "turnaway_p_value", "occupancy_p_value", "consistent", "suspect_input",
        "units_needed", "units_needed_lower", "units_needed_upper", "target_turnaway",
    ],
    "gaps": [
        "area_code", "accommodation_type", "specialism", "units", "planned_units", "arrivals_per_year",
        "households_supported", "mean_stay_days", "occupancy", "annual_throughput", "capacity_full_occupancy",
        "units_needed", "units_needed_lower", "units_needed_upper", "stays", "censored_stays", "consistent",
        "suspect_input", "gap_units", "gap_units_lower", "gap_units_upper", "cost_per_unit",
        "annual_cost_to_close", "annual_cost_to_close_lower", "annual_cost_to_close_upper", "target_turnaway",
    ],
    "funding": [
        "area_code", "period", "grant", "other_funding", "committed_in_place", "committed_not_yet",
        "committed_total", "committed_safe_accommodation", "committed_community", "committed_management",
        "committed_other", "uncommitted_balance", "households_supported", "households_safe_accommodation",
        "households_community", "cost_per_household", "cost_per_household_safe_accommodation",
        "cost_per_household_community",
    ],
    "spend_by_service": [
        "area_code", "service_id", "name", "provider", "accommodation_type", "support_type", "status",
        "annual_cost", "committed_in_period",
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def everything() -> Assessment:
    return assess_all(tiny_dataset(), PERIOD)


def test_parts_have_the_documented_columns(everything):
    for name, columns in COLUMNS.items():
        assert list(getattr(everything, name).columns) == columns, name
    for name, frame in everything.parts().items():
        assert "area_code" in frame.columns, name
    assert set(everything.areas["area_code"]) == {SHIRE, NEIGHBOUR}
    assert everything.options["target_turnaway"] == 0.05


def test_assess_one_area_equals_all_areas_filtered(everything):
    for area in (SHIRE, NEIGHBOUR):
        one = assess(tiny_dataset(), area, PERIOD)
        expected = everything.for_area(area)
        assert one.period == PERIOD and one.options["area"] == area
        for name, frame in expected.parts().items():
            pd.testing.assert_frame_equal(getattr(one, name), frame, obj=f"{area} {name}")


def test_hand_checked_figures_in_the_assessment(everything):
    shire = everything.for_area(SHIRE)
    # 2024-25 Shire: H04 (capacity) and H06 (needs) declined and never supported; H02 was
    # declined for capacity and then supported (R03). Referred households H01-H09 = 9.
    unmet = shire.unmet.iloc[0]
    assert (unmet["households_referred"], unmet["households_unmet"], unmet["households_unmet_capacity"]) == (
        9,
        2,
        1,
    )
    # Neighbourton: H17 (from Northton) declined for capacity; H16 and H19 accepted.
    neighbour = everything.for_area(NEIGHBOUR)
    assert neighbour.unmet.iloc[0]["households_unmet_capacity"] == 1
    flows = neighbour.cross_border.set_index("origin_area_code")["referrals"].to_dict()
    assert flows == {NEIGHBOUR: 2, SHIRE: 1}
    # Shire funding 2024-25: grant 500,000, la_core 100,000; services S1 150,000 + S4
    # 40,000 (grant) and S2 60,000 (council) all year; uncommitted 500,000 - 190,000.
    funding = shire.funding.iloc[0]
    assert (funding["grant"], funding["other_funding"]) == (500000.0, 100000.0)
    assert funding["committed_total"] == pytest.approx(250000.0)
    assert funding["uncommitted_balance"] == pytest.approx(310000.0)


def test_options_reach_the_parts():
    result = assess_all(tiny_dataset(), PERIOD, coe_types=("refuge",), target_turnaway=0.01, confidence=0.998)
    assert set(result.benchmark["counted_types"]) == {"refuge"}
    # Shire: 6 refuge units counted (S4's 2 dispersed units no longer count)
    assert result.benchmark.set_index("area_code").loc[SHIRE, "counted_units"] == 6
    assert (result.erlang["target_turnaway"] == 0.01).all()
    wide = result.out_of_area
    narrow = assess_all(tiny_dataset(), PERIOD).out_of_area
    assert (wide["upper"] >= narrow["upper"]).all() and (wide["upper"] > narrow["upper"]).any()


def test_unknown_area_lists_valid_codes():
    with pytest.raises(InputError, match=f"{SHIRE}.*{NEIGHBOUR}|{NEIGHBOUR}.*{SHIRE}"):
        assess(tiny_dataset(), "E99999999", PERIOD)
    with pytest.raises(InputError, match="not a tier-one area"):
        assess(tiny_dataset(), "E07000001", PERIOD)  # a district, not tier one


def test_period_outside_the_data():
    with pytest.raises(InputError, match="2019-20.*outside the data.*2023-24, 2024-25"):
        assess(tiny_dataset(), SHIRE, "2019-20")
    with pytest.raises(InputError, match="outside the data"):
        assess_all(tiny_dataset(), "2030-31")
    with pytest.raises(InputError, match="financial year"):
        assess_all(tiny_dataset(), "2024/25")


def test_package_level_functions_are_callable():
    import needs.assessment.assemble as module  # importing the module must not shadow needs.assess(...)

    result = needs.assess(tiny_dataset(), NEIGHBOUR, PERIOD)
    assert isinstance(result, Assessment)
    assert module.assess is assess
    assert isinstance(needs.assess_all(tiny_dataset(), PERIOD), Assessment)


def test_example_data_findings_name_groups_and_capacity_gap():
    result = needs.assess(needs.load(EXAMPLE), "E10000018", "2023-24")
    assert set(result.areas["area_code"]) == {"E10000018"}
    findings = result.findings.astype({"topic": str, "sentence": str})
    topics = set(findings["topic"])
    assert {"under_reached", "capacity_gap"} <= topics, topics
    # the groups least reached are named, with their representation ratio
    reached = findings.loc[findings["topic"] == "under_reached", "sentence"]
    assert reached.str.contains("expected victims").all()
    # the capacity gap: the Council of Europe shortfall and the units needed by type
    gaps = " ".join(findings.loc[findings["topic"] == "capacity_gap", "sentence"])
    assert "Council of Europe" in gaps and "needed" in gaps
    benchmark = result.benchmark.iloc[0]
    assert benchmark["coe_target_units"] == pytest.approx(benchmark["population"] / 10_000)
    assert (result.gaps["gap_units"].dropna() >= 0).all()


def test_area_with_zero_population_is_refused():
    dataset = tiny_dataset()
    population = dataset.tables["population"].copy()
    districts = dataset.districts_of(NEIGHBOUR)
    population.loc[population["area_code"].isin(districts), "population"] = 0
    broken = Dataset(tables={**dataset.tables, "population": population})
    with pytest.raises(InputError, match="population.csv, column 'population'.*is 0"):
        assess(broken, NEIGHBOUR, PERIOD)
