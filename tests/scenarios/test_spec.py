"""Tests of needs.scenarios.spec: invalid scenario files name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from handworked import TEMPLATES

from needs.errors import ScenarioError
from needs.scenarios.spec import load_scenario, load_scenarios

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
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: generic, annual_cost: 1}\n",
        "missing.yaml: services.add[0].units: missing",
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
