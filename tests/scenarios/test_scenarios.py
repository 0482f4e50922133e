"""Tests of needs.scenarios.model and needs.scenarios.charts.

Expected values are worked by hand in the comments. The Erlang B values use the formula
itself, B(c, a) = (a^c / c!) / sum_{k=0..c} a^k / k!, not the code under test.
"""

from __future__ import annotations

import json
import math
from argparse import Namespace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import ROOT, SHIRE, tiny_dataset

from needs.cli import main
from needs.cli.scenarios import run as cli_compare
from needs.errors import InputError, ScenarioError
from needs.publish.charts import OKABE_ITO
from needs.reference import categories as cat
from needs.scenarios.model import (
    BASELINE_NAME,
    FIGURES,
    Baseline,
    apply,
    baseline,
    compare,
    display_table,
    evaluate,
    format_table,
    load_scenario,
    load_scenarios,
    sensitivity,
    to_wide,
)

TEMPLATES = ROOT / "templates" / "scenarios"
NAN = float("nan")
N_TYPES = len(cat.BEDDED_ACCOMMODATION_TYPES)


def erlang_b_by_hand(c: int, a: float) -> float:
    """Erlang's formula written out: (a^c / c!) / sum_k a^k / k!."""
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


def per_type(**values: float) -> np.ndarray:
    out = np.full(N_TYPES, NAN)
    for code, value in values.items():
        out[cat.BEDDED_ACCOMMODATION_TYPES.index(code)] = value
    return out


def services(*rows: tuple) -> pd.DataFrame:
    """Services table as Baseline holds it: id, type, units, cost, grant funded, committed."""
    frame = pd.DataFrame(
        rows,
        columns=["service_id", "accommodation_type", "units", "annual_cost", "grant_funded", "committed"],
    )
    frame["name"] = "Service " + frame["service_id"]
    frame["specialism"] = "generic"
    frame["support_type"] = "advocacy"
    frame["bedspaces"] = frame["units"]
    frame["funding_source"] = np.where(frame["grant_funded"], "mhclg_dasa_grant", "la_core")
    frame["status"] = "in_place"
    frame["change"] = ""
    return frame.astype({"units": "int64", "annual_cost": float, "committed": float})


def hand_baseline(units: int = 1, *, extra: tuple = (), grant: float = 100_000.0) -> Baseline:
    """One refuge: 10 households a year, mean stay 36.525 days, so the offered load is
    10 x 36.525 / 365.25 = 1.0 Erlang. Occupancy 0.9. Population 50,000 (CoE target 5)."""
    arrivals = np.zeros(N_TYPES)
    arrivals[0] = 10.0
    return Baseline(
        area_code="E99999999",
        area_name="Handshire",
        period="2023-24",
        services=services(("R1", "refuge", units, 30_000.0 * units, True, 30_000.0 * units), *extra),
        arrivals=arrivals,
        stay=per_type(refuge=36.525),
        occupancy=np.full(N_TYPES, 0.9),
        observed_capacity_declines=np.zeros(N_TYPES),
        observed_decided=np.zeros(N_TYPES),
        population=50_000.0,
        coe_target_units=5.0,
        coe_types=cat.COE_DEFAULT_TYPES,
        target_turnaway=0.05,
        grant=grant,
        victims=1000.0,
        victims_lower=900.0,
        victims_upper=1100.0,
    )


def figures_of(table: pd.DataFrame, scenario: str) -> dict[str, float]:
    part = table[table["scenario"] == scenario]
    return dict(zip(part["figure"], part["value"], strict=True))


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
    assert more["annual_cost"] - base["annual_cost"] == pytest.approx(30_000)
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
    assert resized["annual_cost"] == pytest.approx(60_000)  # £30,000 a unit x 2


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
    # Annual cost: 30,000 + 50,000 + 80,000 + 20,000 = 180,000 before; 110,000 after.
    assert before["annual_cost"] == pytest.approx(180_000)
    assert after["annual_cost"] == pytest.approx(110_000)
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
    assert figures_of(table, "Council")["annual_cost"] == pytest.approx(40_000)


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
    # S1 refuge £150,000 + S2 community £60,000 + S4 dispersed £40,000.
    assert got["annual_cost"] == pytest.approx(250_000)
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
# Invalid scenarios: file and key named
# --------------------------------------------------------------------------------------

INVALID = [
    (
        "male-units.yaml",
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: male_victims, units: -6, annual_cost: 1}\n",
        "male-units.yaml: services.add[0].units: expected a whole number >= 0, found -6",
    ),
    (
        "bool.yaml",
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: generic, units: true, annual_cost: 1}\n",
        "bool.yaml: services.add[0].units: expected a whole number >= 0, found True",
    ),
    (
        "half.yaml",
        "services:\n  resize:\n    - {service_id: R1, units: 2.5}\n",
        "half.yaml: services.resize[0].units: expected a whole number >= 0, found 2.5",
    ),
    ("top.yaml", "name: x\nservice: {}\n", "top.yaml: service: unknown key (did you mean 'services'?)"),
    (
        "nested.yaml",
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: generic, unit: 6, annual_cost: 1}\n",
        "nested.yaml: services.add[0].unit: unknown key (did you mean 'units'?)",
    ),
    (
        "assume.yaml",
        "assumptions:\n  lenght_of_stay_days: {refuge: 10}\n",
        "assume.yaml: assumptions.lenght_of_stay_days: unknown key (did you mean 'length_of_stay_days'?)",
    ),
    ("money.yaml", "funding:\n  grant: 5\n", "money.yaml: funding.grant: unknown key"),
    (
        "occ.yaml",
        "assumptions:\n  occupancy: 1.2\n",
        "occ.yaml: assumptions.occupancy: expected a proportion > 0 and <= 1, found 1.2",
    ),
    (
        "occtype.yaml",
        "assumptions:\n  occupancy: {refuge: 0}\n",
        "occtype.yaml: assumptions.occupancy.refuge: expected a proportion > 0 and <= 1, found 0",
    ),
    (
        "target0.yaml",
        "assumptions:\n  target_turnaway: 0\n",
        "target0.yaml: assumptions.target_turnaway: expected a proportion between 0 and 1 (e.g. 0.05), found 0",
    ),
    (
        "target1.yaml",
        "assumptions:\n  target_turnaway: 1.0\n",
        "target1.yaml: assumptions.target_turnaway: expected a proportion between 0 and 1 (e.g. 0.05), found 1.0",
    ),
    (
        "prev.yaml",
        "assumptions:\n  prevalence_multiplier: -1\n",
        "prev.yaml: assumptions.prevalence_multiplier: expected a number > 0",
    ),
    (
        "growth.yaml",
        "assumptions:\n  demand_growth: -1\n",
        "growth.yaml: assumptions.demand_growth: expected a proportional change > -1",
    ),
    (
        "stay.yaml",
        "assumptions:\n  length_of_stay_days: {refuge: 0}\n",
        "stay.yaml: assumptions.length_of_stay_days.refuge: expected a number of days > 0, found 0",
    ),
    (
        "staytype.yaml",
        "assumptions:\n  length_of_stay_days: {sanctuary: 30}\n",
        "staytype.yaml: assumptions.length_of_stay_days.sanctuary: expected a bedded accommodation type",
    ),
    (
        "type.yaml",
        "services:\n  add:\n    - {accommodation_type: refuges, specialism: generic, units: 1, annual_cost: 1}\n",
        "type.yaml: services.add[0].accommodation_type: expected an accommodation type: one of refuge",
    ),
    (
        "spec.yaml",
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: men, units: 1, annual_cost: 1}\n",
        "spec.yaml: services.add[0].specialism: expected a specialism",
    ),
    (
        "source.yaml",
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: generic, units: 1, annual_cost: 1, funding_source: lottery}\n",
        "source.yaml: services.add[0].funding_source: expected a funding source",
    ),
    (
        "missing.yaml",
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: generic, units: 1}\n",
        "missing.yaml: services.add[0].annual_cost: missing",
    ),
    (
        "cost.yaml",
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: generic, units: 1, annual_cost: -5}\n",
        "cost.yaml: services.add[0].annual_cost: expected an amount in pounds >= 0, found -5",
    ),
    (
        "coe.yaml",
        "assumptions:\n  coe_types: [refuge, castle]\n",
        "coe.yaml: assumptions.coe_types[1]: expected an accommodation type",
    ),
    (
        "coeempty.yaml",
        "assumptions:\n  coe_types: []\n",
        "coeempty.yaml: assumptions.coe_types: expected a non-empty list",
    ),
    (
        "grant.yaml",
        "funding:\n  grant_change: -1.5\n",
        "grant.yaml: funding.grant_change: expected a proportional change >= -1",
    ),
    (
        "twice.yaml",
        "services:\n  remove: [R1]\n  resize: [{service_id: R1, units: 2}]\n",
        "twice.yaml: services: service_id 'R1' is removed or resized more than once",
    ),
    (
        "list.yaml",
        "- name: a\n",
        "list.yaml: expected a mapping with keys name, description, services, assumptions, funding at the top level, found a list",
    ),
    ("scalar.yaml", "just text\n", "scalar.yaml: expected a mapping"),
    (
        "addlist.yaml",
        "services:\n  add: {units: 1}\n",
        "addlist.yaml: services.add: expected a list, found a mapping",
    ),
    ("syntax.yaml", "name: x\nservices:\n  add: [\n", "syntax.yaml: line 4, column 1: YAML syntax error"),
    (
        "dupe.yaml",
        "name: x\nname: y\n",
        "dupe.yaml: line 2, column 1: YAML syntax error: key 'name' is given twice",
    ),
    (
        "baseline.yaml",
        "name: Baseline\n",
        "baseline.yaml: name: 'Baseline' is the name of the unchanged baseline",
    ),
]


@pytest.mark.parametrize(("file", "text", "message"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_scenarios_name_file_and_key(tmp_path: Path, file: str, text: str, message: str):
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert caught.value.exit_code == 2


def test_every_problem_is_reported_at_once(tmp_path: Path):
    path = tmp_path / "many.yaml"
    path.write_text(
        "assumptions:\n  occupancy: 2\n  target_turnaway: 5\nfunding:\n  grant_cut: 1\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert [line.split(": ")[1] for line in lines] == [
        "assumptions.occupancy",
        "assumptions.target_turnaway",
        "funding.grant_cut",
    ]


def test_missing_file_and_dict_source_are_named(tmp_path: Path):
    with pytest.raises(ScenarioError, match="nowhere.yaml: no such scenario file"):
        load_scenario(tmp_path / "nowhere.yaml")
    with pytest.raises(ScenarioError, match=r"^Bad: assumptions.occupancy: expected"):
        load_scenario({"name": "Bad", "assumptions": {"occupancy": -1}})


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


def test_duplicate_names_are_refused(tmp_path: Path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("name: Same\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="b.yaml: name: 'Same' is also the name of .*a.yaml"):
        load_scenarios([tmp_path / "a.yaml", tmp_path / "b.yaml"])


def test_worked_examples_load():
    files = sorted(TEMPLATES.glob("*.yaml"))
    assert {f.name for f in files} >= {"male-units.yaml", "grant-cut.yaml", "shorter-stays.yaml"}
    loaded = load_scenarios(files)
    male = next(s for s in loaded if s.source.endswith("male-units.yaml"))
    assert male.services.add[0].units == 6 and male.services.add[0].specialism == "male_victims"
    cut = next(s for s in loaded if s.source.endswith("grant-cut.yaml"))
    assert cut.funding.grant_change == -0.2 and len(cut.services.remove) == 2
    shorter = next(s for s in loaded if s.source.endswith("shorter-stays.yaml"))
    assert shorter.assumptions.length_of_stay_change_days == {"refuge": -30}


def test_file_name_is_the_default_name(tmp_path: Path):
    path = tmp_path / "quiet-change.yaml"
    path.write_text("description: nothing\n", encoding="utf-8")
    assert load_scenario(path).name == "quiet-change"


# --------------------------------------------------------------------------------------
# Command line: exit 2 for bad scenarios and bad data
# --------------------------------------------------------------------------------------


def _write_dataset(folder: Path) -> Path:
    folder.mkdir()
    for name, table in tiny_dataset().tables.items():
        table.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    return folder


def test_cli_bad_scenario_exits_2_naming_file_and_key(tmp_path: Path, capsys):
    path = tmp_path / "male-units.yaml"
    path.write_text(
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: male_victims, units: -6, annual_cost: 1}\n"
    )
    code = main(["scenarios", "compare", str(path), "--data", str(tmp_path / "no-data")])
    assert code == 2
    err = capsys.readouterr().err
    assert "male-units.yaml: services.add[0].units: expected a whole number >= 0, found -6" in err
    assert "Traceback" not in err


def test_cli_unknown_service_exits_2(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    path = tmp_path / "cut.yaml"
    path.write_text("services:\n  remove: [S1, S99]\n")
    code = main(
        ["scenarios", "compare", str(path), "--data", str(data), "--area", SHIRE, "--period", "2024-25"]
    )
    assert code == 2
    assert "cut.yaml: services.remove[1]: unknown service_id 'S99'" in capsys.readouterr().err


def test_cli_bad_data_exits_2_with_the_validation_message(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    services = pd.read_csv(data / "services.csv")
    services.loc[0, "units"] = -3
    services.to_csv(data / "services.csv", index=False)
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n")
    code = main(
        ["scenarios", "compare", str(path), "--data", str(data), "--area", SHIRE, "--period", "2024-25"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "services" in err and "units" in err


def test_cli_prints_the_table_and_writes_csv_atomically(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    path = tmp_path / "more.yaml"
    path.write_text("name: Two more refuge units\nservices:\n  resize: [{service_id: S1, units: 8}]\n")
    out = tmp_path / "out" / "comparison.csv"
    args = Namespace(files=[path], data=data, area=SHIRE, period="2024-25", csv=out, draws=200, seed=7)
    assert cli_compare(args) == 0
    printed = capsys.readouterr().out
    assert "Scenarios for Shire (E10000001), 2024-25" in printed
    assert "Two more refuge units" in printed and FIGURES["turnaways"][0] in printed
    written = pd.read_csv(out)
    assert list(written["scenario"].unique()) == [BASELINE_NAME, "Two more refuge units"]
    assert [p.name for p in out.parent.iterdir()] == ["comparison.csv"]  # no temporary left


def test_cli_area_defaults_need_a_choice_when_several(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n")
    code = main(["scenarios", "compare", str(path), "--data", str(data), "--period", "2024-25"])
    assert code == 2
    assert "choose one with --area" in capsys.readouterr().err


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
# Output shapes, sensitivity, charts
# --------------------------------------------------------------------------------------


def test_table_shape_wide_and_text():
    scenario = {
        "name": "More",
        "description": "One more unit",
        "services": {"resize": [{"service_id": "R1", "units": 2}]},
    }
    table = compare(hand_baseline(), scenarios=[scenario])
    assert list(table["scenario"].unique()) == [BASELINE_NAME, "More"]
    assert list(table["figure"].unique()) == list(FIGURES)
    assert list(table.columns) == [
        "area_code", "period", "scenario", "description", "figure", "label", "unit", "value", "lower", "upper", "note",
    ]  # fmt: skip
    wide = to_wide(table)
    assert list(wide["scenario"]) == [BASELINE_NAME, "More"]
    assert wide.loc[1, "turnaways"] == pytest.approx(2.0)
    text = format_table(table)
    assert "Baseline" in text.splitlines()[0] and "More" in text.splitlines()[0]
    assert "£60,000" in text and "50.0%" in text
    shown = display_table(table)
    assert list(shown.columns) == ["Figure", BASELINE_NAME, "More"]
    hidden = display_table(compare(hand_baseline()), suppress_below=11)  # demand 10 < 11
    assert hidden.set_index("Figure").loc[FIGURES["turnaways"][0], BASELINE_NAME] == "[c]"
    assert hidden.set_index("Figure").loc[FIGURES["units"][0], BASELINE_NAME] == "1"


def test_point_evaluation_matches_the_table():
    base = hand_baseline()
    figures = evaluate(apply(base, None))
    assert figures["turnaways"] == pytest.approx(5.0)


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


def test_charts_are_accessible():
    from needs.scenarios.charts import comparison, tornado

    scenario = {"name": "More", "services": {"resize": [{"service_id": "R1", "units": 2}]}}
    table = compare(hand_baseline(), scenarios=[scenario], draws=500, seed=5)
    figure, alt = comparison(table, where="Handshire, 2023-24")
    assert "Bar charts comparing 2 scenarios" in alt and "Baseline 5.0" in alt and "More 2.0" in alt
    assert "interval" in alt
    from matplotlib.colors import to_hex

    colours = {to_hex(patch.get_facecolor()) for axes in figure.axes for patch in axes.patches}
    assert colours <= {code.lower() for code in OKABE_ITO.values()}
    assert all(axes.get_xlabel() for axes in figure.axes if axes.get_visible())
    hatches = [patch.get_hatch() for axes in figure.axes[:1] for patch in axes.patches]
    assert len(set(hatches)) == 2  # baseline and scenario told apart without colour
    figure, alt = tornado(sensitivity(hand_baseline()), "units_short")
    assert alt.startswith("Tornado chart of how units short of that need")
    assert "Target turn-away rate 10% / 2%" in alt and "no effect" in alt
    assert figure.axes[0].get_xlabel()
    with pytest.raises(ValueError, match="nonsense"):
        tornado(sensitivity(hand_baseline()), "nonsense")


def test_notebook_is_committed_clean():
    notebook = json.loads((ROOT / "notebooks" / "scenarios.ipynb").read_text(encoding="utf-8"))
    first = notebook["cells"][0]
    assert "parameters" in first["metadata"].get("tags", [])
    source = "".join(first["source"])
    for name in ("data_dir", "area", "period", "scenario_files", "draws", "seed", "suppress_below"):
        assert f"{name} =" in source
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.slow
def test_notebook_renders_through_the_report_pipeline(tmp_path: Path):
    from needs.outputs.report import render

    files = [str(TEMPLATES / "male-units.yaml"), str(TEMPLATES / "grant-cut.yaml")]
    page = render(
        out_dir=tmp_path, scenarios=files, notebook=ROOT / "notebooks" / "scenarios.ipynb", progress=False
    ).read_text(encoding="utf-8")
    assert "Six dispersed units for male victims" in page and "Grant cut by a fifth" in page
    assert 'alt="Bar charts comparing 3 scenarios' in page
    assert 'alt="Tornado chart of how' in page
    assert "Traceback" not in page
