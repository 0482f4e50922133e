"""Tests of needs.scenarios.model: the baseline, applying a scenario, the key figures.

Expected values are worked by hand in the comments (tests/scenarios/handworked.py has the
baseline and Erlang's formula written out). The figures are read from
needs.scenarios.comparison.compare, which tabulates needs.scenarios.model.evaluate.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from fixtures import SHIRE, tiny_dataset
from handworked import erlang_b_by_hand, figures_of, hand_baseline

from needs.errors import InputError, ScenarioError
from needs.reference import categories as cat
from needs.scenarios.comparison import compare
from needs.scenarios.model import apply, baseline, evaluate
from needs.scenarios.spec import BASELINE_NAME

# --------------------------------------------------------------------------------------
# Hand-worked Erlang: adding a unit
# --------------------------------------------------------------------------------------


def test_erlang_by_hand_matches_the_worked_values():
    # B(1, 1) = 1 / (1 + 1) = 0.5; B(2, 1) = 0.5 / (1 + 1 + 0.5) = 0.2
    assert erlang_b_by_hand(1, 1.0) == pytest.approx(0.5)
    assert erlang_b_by_hand(2, 1.0) == pytest.approx(0.2)


def test_adding_a_unit_cuts_turnaways_from_five_to_two():
    add = {
        "name": "One more refuge unit",
        "services": {
            "add": [
                {"accommodation_type": "refuge", "specialism": "generic", "units": 1, "annual_cost": 30000}
            ]
        },
    }
    table = compare(hand_baseline(), scenarios=[add])
    base, more = figures_of(table, BASELINE_NAME), figures_of(table, "One more refuge unit")
    # 10 arrivals x B(1, 1) = 10 x 0.5 = 5; 10 x B(2, 1) = 10 x 0.2 = 2.
    assert base["turnaways"] == pytest.approx(10 * erlang_b_by_hand(1, 1.0)) == pytest.approx(5.0)
    assert more["turnaways"] == pytest.approx(10 * erlang_b_by_hand(2, 1.0)) == pytest.approx(2.0)
    assert base["turnaway_rate"] == pytest.approx(0.5)
    assert more["accommodated"] == pytest.approx(8.0)
    # Units needed at 5%: B(3, 1) = (1/6) / (1 + 1 + 1/2 + 1/6) = 1/16 = 0.0625 > 0.05;
    # B(4, 1) = (1/24) / (8/3 + 1/24) = 1/65 = 0.0154 <= 0.05, so 4 units.
    assert erlang_b_by_hand(3, 1.0) == pytest.approx(1 / 16)
    assert erlang_b_by_hand(4, 1.0) == pytest.approx(1 / 65)
    assert base["units_needed"] == more["units_needed"] == 4
    assert base["units_short"] == 3 and more["units_short"] == 2
    # Throughput: c x 365.25 x 0.9 / 36.525 = 9 c.
    assert base["throughput"] == pytest.approx(9.0) and more["throughput"] == pytest.approx(18.0)
    # Cost: +£30,000 for 5 - 2 = 3 turn-aways avoided = £10,000 each.
    assert more["committed_spend"] - base["committed_spend"] == pytest.approx(30_000)
    assert more["cost_per_turnaway_avoided"] == pytest.approx(10_000)
    # Accommodation cost per household: £30,000 / (10 - 5) = £6,000; £60,000 / 8 = £7,500.
    assert base["cost_per_household"] == pytest.approx(6_000)
    assert more["cost_per_household"] == pytest.approx(7_500)
    # CoE: target 5 - 1 refuge unit = 4; with two units, 3.
    assert base["coe_gap"] == pytest.approx(4.0) and more["coe_gap"] == pytest.approx(3.0)


def test_resize_without_cost_scales_the_cost_with_units():
    table = compare(
        hand_baseline(),
        scenarios=[{"name": "Resized", "services": {"resize": [{"service_id": "R1", "units": 2}]}}],
    )
    resized = figures_of(table, "Resized")
    assert resized["turnaways"] == pytest.approx(2.0)  # 10 x B(2, 1) = 2
    assert resized["committed_spend"] == pytest.approx(60_000)  # £30,000 a unit x 2, whole year


def test_cost_per_turnaway_avoided_is_missing_not_infinite_when_nothing_is_avoided():
    same = {
        "name": "Dearer",
        "services": {"resize": [{"service_id": "R1", "units": 1, "annual_cost": 40000}]},
    }
    fewer = {"name": "Cut", "services": {"remove": ["R1"]}}
    cheaper_better = {
        "name": "Cheaper",
        "services": {"resize": [{"service_id": "R1", "units": 2, "annual_cost": 20000}]},
    }
    table = compare(hand_baseline(), scenarios=[same, fewer, cheaper_better])
    rows = table[table["figure"] == "cost_per_turnaway_avoided"].set_index("scenario")
    assert math.isnan(rows.loc["Dearer", "value"])
    assert "no turn-aways avoided" in rows.loc["Dearer", "note"]
    # Removing the only unit: every one of the 10 households is turned away (5 more).
    assert figures_of(table, "Cut")["turnaways"] == pytest.approx(10.0)
    assert math.isnan(rows.loc["Cut", "value"]) and "5.0 more turn-aways" in rows.loc["Cut", "note"]
    # -£10,000 for 3 avoided: negative, and the note says it saves money.
    assert rows.loc["Cheaper", "value"] == pytest.approx(-10_000 / 3)
    assert "saves money" in rows.loc["Cheaper", "note"]
    assert not np.isinf(table["value"]).any()


def test_assumptions_change_demand_and_stay_by_hand():
    # Demand x 1.5 x (1 + 0.2) = 18 a year; refuge stay 36.525 - 16.2375 + ... set absolute 20.29166 days:
    # load = 18 x 20.2916667 / 365.25 = 1.0 again, so B(1, 1) = 0.5 and 9 turned away.
    scenario = {
        "name": "More demand, shorter stays",
        "assumptions": {
            "prevalence_multiplier": 1.5,
            "demand_growth": 0.2,
            "length_of_stay_days": {"refuge": 365.25 / 18},
            "target_turnaway": 0.2,
            "occupancy": 0.5,
        },
    }
    table = compare(hand_baseline(), scenarios=[scenario])
    got = figures_of(table, "More demand, shorter stays")
    assert got["demand"] == pytest.approx(18.0)
    assert got["turnaways"] == pytest.approx(9.0)
    assert got["units_needed"] == 2  # B(2, 1) = 0.2 <= 0.2
    assert got["throughput"] == pytest.approx(1 * 365.25 * 0.5 / (365.25 / 18))  # = 9
    change = {
        "name": "Shorter by 18.2625",
        "assumptions": {"length_of_stay_change_days": {"refuge": -18.2625}},
    }
    half = figures_of(compare(hand_baseline(), scenarios=[change]), "Shorter by 18.2625")
    # load = 10 x 18.2625 / 365.25 = 0.5: B(1, 0.5) = 0.5 / 1.5 = 1/3, so 10/3 turned away.
    assert half["turnaways"] == pytest.approx(10 * erlang_b_by_hand(1, 0.5)) == pytest.approx(10 / 3)


# --------------------------------------------------------------------------------------
# Grant cut removing named services: costs by hand
# --------------------------------------------------------------------------------------


def test_grant_cut_removes_the_named_services_and_the_money_follows():
    extra = (
        ("C1", "not_accommodation", 0, 50_000.0, True, 25_000.0),  # grant-funded, half the year committed
        ("R2", "refuge", 2, 80_000.0, False, 80_000.0),  # council-funded refuge
        ("S1", "sanctuary", 0, 20_000.0, True, 20_000.0),
    )
    base = hand_baseline(extra=extra, grant=200_000.0)
    cut = {"name": "Grant cut", "services": {"remove": ["C1", "S1"]}, "funding": {"grant_change": -0.2}}
    applied = apply(base, cut)
    assert sorted(applied.services["service_id"]) == ["R1", "R2"]
    table = compare(base, scenarios=[cut])
    before, after = figures_of(table, BASELINE_NAME), figures_of(table, "Grant cut")
    # Committed spend: 30,000 + 25,000 (C1, half the year) + 80,000 + 20,000 = 155,000 before;
    # 30,000 + 80,000 = 110,000 after.
    assert before["committed_spend"] == pytest.approx(155_000)
    assert after["committed_spend"] == pytest.approx(110_000)
    # Grant: 200,000 x 0.8 = 160,000.
    assert before["grant"] == pytest.approx(200_000) and after["grant"] == pytest.approx(160_000)
    # Balance = grant - committed spend of grant-funded services:
    # before 200,000 - (30,000 + 25,000 + 20,000) = 125,000; after 160,000 - 30,000 = 130,000.
    assert before["balance"] == pytest.approx(125_000)
    assert after["balance"] == pytest.approx(130_000)
    # Bedded units unchanged (1 + 2), so turn-aways too: no cost per turn-away avoided.
    assert after["units"] == before["units"] == 3
    assert math.isnan(after["cost_per_turnaway_avoided"])
    amount = {"name": "Flat cut", "funding": {"grant_change": -0.1, "grant_change_amount": -5000}}
    flat = figures_of(compare(base, scenarios=[amount]), "Flat cut")
    assert flat["grant"] == pytest.approx(200_000 * 0.9 - 5000)  # 175,000


def test_added_service_counts_its_full_cost_against_the_grant_unless_funded_elsewhere():
    base = hand_baseline(grant=100_000.0)  # R1: £30,000 committed, grant-funded: balance £70,000
    grant_funded = {
        "accommodation_type": "sanctuary",
        "specialism": "generic",
        "units": 0,
        "annual_cost": 10000,
    }
    council = dict(grant_funded, funding_source="la_core")
    table = compare(
        base,
        scenarios=[
            {"name": "Grant", "services": {"add": [grant_funded]}},
            {"name": "Council", "services": {"add": [council]}},
        ],
    )
    assert figures_of(table, BASELINE_NAME)["balance"] == pytest.approx(70_000)
    assert figures_of(table, "Grant")["balance"] == pytest.approx(60_000)
    assert figures_of(table, "Council")["balance"] == pytest.approx(70_000)
    assert figures_of(table, "Council")["committed_spend"] == pytest.approx(40_000)


# --------------------------------------------------------------------------------------
# The baseline from a dataset (tests/fixtures.py, Shire, 2024-25)
# --------------------------------------------------------------------------------------


def test_baseline_from_the_tiny_dataset_by_hand():
    base = baseline(tiny_dataset(), SHIRE, "2024-25")
    refuge = cat.BEDDED_ACCOMMODATION_TYPES.index("refuge")
    # Refuge demand 2024-25: H01, H03 accepted; H02, H04 declined for capacity = 4 households.
    assert base.arrivals[refuge] == 4
    # Stays overlapping 2024-25: R01 108 nights, R04 151, R11 86 (from 5 Feb): mean 345 / 3 = 115.
    assert base.stay[refuge] == pytest.approx(115.0)
    # Occupied nights in the period 108 + 151 + 30 = 289 over 6 units x 365 nights.
    assert base.occupancy[refuge] == pytest.approx(289 / 2190)
    assert base.grant == 500_000
    table = compare(base)
    got = figures_of(table, BASELINE_NAME)
    # Committed in the period (whole year each): S1 refuge £150,000 + S2 community £60,000 + S4 dispersed £40,000.
    assert got["committed_spend"] == pytest.approx(250_000)
    # Grant-funded committed spend: S1 150,000 + S4 40,000 (both the whole year).
    assert got["balance"] == pytest.approx(500_000 - 190_000)
    # Population 1,800 + 1,680 + 1,050 + 950 = 5,480: target 0.548; counted units 6 + 2.
    assert got["coe_gap"] == pytest.approx(0.548 - 8)
    load = 4 * 115 / 365.25
    assert got["turnaways"] == pytest.approx(4 * erlang_b_by_hand(6, load))
    assert got["throughput"] == pytest.approx(6 * 365.25 * (289 / 2190) / 115)
    assert got["units"] == 8
    # The dispersed type has units but no stays: named in the throughput note.
    note = table[(table["scenario"] == BASELINE_NAME) & (table["figure"] == "throughput")]["note"].iloc[0]
    assert "dispersed_refuge_level" in note


def test_baseline_erlang_agrees_with_the_capacity_module():
    from needs.assessment.capacity import erlang_model

    dataset = tiny_dataset()
    model = erlang_model(dataset, "2024-25")
    model = model[(model["area_code"] == SHIRE) & (model["arrivals_per_year"] > 0)]
    got = figures_of(compare(dataset, SHIRE, "2024-25"), BASELINE_NAME)
    expected = (model["arrivals_per_year"] * model["modelled_turnaway"]).sum()
    assert got["turnaways"] == pytest.approx(expected)
    assert got["units_needed"] == model["units_needed"].sum()


def test_unknown_area_is_an_input_error():
    with pytest.raises(InputError, match="E10000099"):
        baseline(tiny_dataset(), "E10000099", "2024-25")


# --------------------------------------------------------------------------------------
# Applying a scenario: service ids and stays checked against the data
# --------------------------------------------------------------------------------------


def test_unknown_service_id_and_impossible_stay_are_refused_on_apply(tmp_path: Path):
    path = tmp_path / "grant-cut.yaml"
    path.write_text("services:\n  remove: [R1, S99]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        apply(hand_baseline(), path)
    assert str(caught.value).startswith(
        f"{path}: services.remove[1]: unknown service_id 'S99': services active in E99999999 in 2023-24 are R1"
    )
    with pytest.raises(ScenarioError, match=r"services.resize\[0\].service_id: unknown service_id 'X'"):
        apply(hand_baseline(), {"name": "r", "services": {"resize": [{"service_id": "X", "units": 1}]}})
    too_short = {"name": "Too short", "assumptions": {"length_of_stay_change_days": {"refuge": -40}}}
    with pytest.raises(
        ScenarioError,
        match=r"length_of_stay_change_days.refuge: a change of -40 days makes the mean stay -3.5",
    ):
        apply(hand_baseline(), too_short)
    no_stays = {"name": "No stays", "assumptions": {"length_of_stay_change_days": {"second_stage": 10}}}
    with pytest.raises(ScenarioError, match="give length_of_stay_days"):
        apply(hand_baseline(), no_stays)


def test_point_evaluation_matches_the_table():
    base = hand_baseline()
    figures = evaluate(apply(base, None))
    assert figures["turnaways"] == pytest.approx(5.0)
