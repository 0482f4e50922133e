"""The live scenario explorer (needs.scenarios.explorer): its Python API worked by hand, the
scenario file it saves (round trip through ``needs scenarios compare``), and its widgets
driven without a browser. ``tests/outputs/test_explorer_browser.py`` drives it in JupyterLab."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD
from handworked import erlang_b_by_hand, hand_baseline, per_type, services

import needs
from needs.reference.constants import DEFAULT_SEED
from needs.scenarios.explorer import EXPLORED_NAME, Explorer, ExplorerState, StaticComparison, explore
from needs.scenarios.model import baseline
from needs.scenarios.spec import BASELINE_NAME, dump_scenario, load_scenario, scenario_to_dict


def hand_state(**options) -> ExplorerState:
    """One refuge unit at an offered load of 1 Erlang (handworked.hand_baseline: 10 households
    a year x 36.525 days / 365.25), refuge units costed at £30,000 a year (the gap table's
    cost per unit), and a second, grant-funded community service S2."""
    base = hand_baseline(extra=(("S2", "not_accommodation", 0, 20_000.0, True, 20_000.0),))
    base = dataclasses.replace(base, unit_costs=per_type(refuge=30_000.0))
    return ExplorerState(base, **{"draws": 0, **options})


def cell(html: str, figure: str, scenario: str) -> str:
    row = re.search(rf'<tr data-figure="{figure}">(.*?)</tr>', html)
    assert row, f"no row {figure}"
    found = re.search(rf'<td data-scenario="{re.escape(scenario)}">(.*?)</td>', row.group(1))
    assert found, f"no cell {scenario}"
    return found.group(1)


# --------------------------------------------------------------------------------------
# The Python API, worked by hand
# --------------------------------------------------------------------------------------


def test_one_more_refuge_unit_at_load_one_turns_away_a_fifth_not_a_half():
    state = hand_state()
    before = state.comparison()
    # B(1, 1) = 1 / (1 + 1) = 1/2; B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5.
    assert erlang_b_by_hand(1, 1.0) == pytest.approx(0.5)
    assert state.value(before, "turnaway_rate") == pytest.approx(0.5)
    assert state.value(before, "turnaways") == pytest.approx(5.0)
    state.set_units("refuge", "generic", 1)
    after = state.comparison()
    assert state.value(after, "turnaway_rate") == pytest.approx(0.2)
    assert state.value(after, "turnaways") == pytest.approx(2.0)  # 10 x 1/5
    assert state.value(after, "units") == 2
    assert state.value(after, "turnaway_rate", BASELINE_NAME) == pytest.approx(0.5)
    added = state.scenario().services.add
    assert [(s.accommodation_type, s.specialism, s.units, s.annual_cost) for s in added] == [
        ("refuge", "generic", 1, None)  # costed at the gap table's cost per unit when applied
    ]
    shown = state.table_html(after)
    assert cell(shown, "turnaway_rate", BASELINE_NAME) == "50.0%"
    assert cell(shown, "turnaway_rate", EXPLORED_NAME) == "20.0%"


def test_each_control_maps_to_the_scenario_format():
    state = hand_state()
    state.set(
        prevalence_multiplier=2.0,
        demand_growth=0.5,
        occupancy=0.8,
        target_turnaway=0.1,
        grant_change=-0.25,
        stopped=["S2"],
    )
    state.set_stay_change("refuge", -6.525)
    scenario = state.scenario()
    assert scenario.services.remove == ("S2",)
    a = scenario.assumptions
    assert (a.prevalence_multiplier, a.demand_growth, a.occupancy, a.target_turnaway) == (2.0, 0.5, 0.8, 0.1)
    assert a.length_of_stay_change_days == {"refuge": -6.525}
    assert scenario.funding.grant_change == -0.25
    figures = state.comparison()
    # Demand 10 x 2 x 1.5 = 30 a year, stay 30 days: load 30 x 30 / 365.25; one unit.
    load = 30 * 30 / 365.25
    assert state.value(figures, "demand") == pytest.approx(30.0)
    assert state.value(figures, "turnaway_rate") == pytest.approx(erlang_b_by_hand(1, load))
    assert state.value(figures, "grant") == pytest.approx(75_000.0)
    # The baseline's target is not written: it is the baseline's already.
    state.set(target_turnaway=0.05)
    assert state.scenario().assumptions.target_turnaway is None


def test_removing_units_resizes_the_largest_service_then_removes_whole_ones():
    base = hand_baseline(units=3, extra=(("R2", "refuge", 1, 10_000.0, True, 10_000.0),))
    state = ExplorerState(base, draws=0)
    assert state.removable_units("refuge", "generic") == 4
    state.set_units("refuge", "generic", -2)
    changes = state.scenario().services
    assert changes.resize[0].service_id == "R1" and changes.resize[0].units == 1 and changes.remove == ()
    state.set_units("refuge", "generic", -3)
    changes = state.scenario().services
    assert changes.remove == ("R1",) and [(r.service_id, r.units) for r in changes.resize] == []
    assert state.value(state.comparison(), "units") == 1
    state.set(stopped=["R2"])  # a stopped service is not also resized
    assert state.removable_units("refuge", "generic") == 3
    with pytest.raises(ValueError, match="cannot remove 4 units"):
        state.set_units("refuge", "generic", -4)
        state.scenario()


def test_monte_carlo_is_seeded_and_fewer_draws_while_moving():
    state = hand_state(draws=2000, quick_draws=500)
    assert state.seed == DEFAULT_SEED and state.quick_draws == 500
    full, again, quick = state.comparison(), state.comparison(), state.comparison(state.quick_draws)
    pd.testing.assert_frame_equal(full, again)
    assert full.attrs["draws"] == 2000 and quick.attrs["draws"] == 500
    rows = full[(full["scenario"] == EXPLORED_NAME) & (full["figure"] == "turnaways")]
    assert np.isfinite(rows["lower"]).all() and (rows["lower"] < rows["upper"]).all()


# --------------------------------------------------------------------------------------
# Save as scenario
# --------------------------------------------------------------------------------------


def test_scenario_files_round_trip_through_dump_and_load(tmp_path: Path):
    for path in sorted((Path(__file__).resolve().parents[2] / "templates" / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        again = load_scenario(dump_scenario(scenario, tmp_path / path.name))
        assert dataclasses.replace(again, source=scenario.source) == scenario
    state = hand_state()
    state.set_units("refuge", "generic", 2)
    state.set(grant_change=-0.1, occupancy=0.75)
    saved = load_scenario(state.save(tmp_path / "explored.yaml"))
    assert dataclasses.replace(saved, source="explorer") == state.scenario()
    assert "annual_cost" not in scenario_to_dict(state.scenario())["services"]["add"][0]


@pytest.mark.slow
def test_saved_scenario_gives_the_same_figures_through_needs_scenarios_compare(tmp_path: Path):
    dataset = needs.load(DEFAULT_DATA)
    state = ExplorerState(baseline(dataset, DEFAULT_AREA, DEFAULT_PERIOD), draws=500)
    state.set_units("refuge", "generic", 2)
    state.set_units("dispersed_refuge_level", "male_victims", -1)
    state.set_stay_change("refuge", -20)
    state.set(
        prevalence_multiplier=1.1, grant_change=-0.1, occupancy=0.85, target_turnaway=0.1, stopped=["S11"]
    )
    path = state.save(tmp_path / "explored.yaml")
    csv = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "-m", "needs.cli", "scenarios", "compare", str(path), "--data", str(DEFAULT_DATA),
         "--area", DEFAULT_AREA, "--period", DEFAULT_PERIOD, "--draws", "500", "--csv", str(csv)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert EXPLORED_NAME in done.stdout
    cli = pd.read_csv(csv)
    ours = state.comparison()
    assert list(cli["figure"]) == list(ours["figure"]) and list(cli["scenario"]) == list(ours["scenario"])
    for column in ("value", "lower", "upper"):
        np.testing.assert_allclose(cli[column].to_numpy(float), ours[column].to_numpy(float), rtol=1e-9)
    assert state.value(ours, "units") == state.value(ours, "units", BASELINE_NAME) + 2 - 1


# --------------------------------------------------------------------------------------
# The widgets, without a browser
# --------------------------------------------------------------------------------------


def test_widgets_follow_a_change_and_save(tmp_path: Path):
    explorer = explore(hand_state().base, draws=0, interactive=True, save_folder=tmp_path)
    assert isinstance(explorer, Explorer)
    for name in ("unit_type", "unit_specialism", "units", "prevalence", "growth", "stay_type", "stay",
                 "occupancy", "target", "grant", "stop", "save_button", "reset_button", "table", "chart"):  # fmt: skip
        assert getattr(explorer, name) is not None, name
    assert ("Service S2 (S2)", "S2") in explorer.stop.options
    assert explorer.units.min == -1  # the one refuge unit in place
    assert cell(explorer.table.value, "turnaway_rate", EXPLORED_NAME) == "50.0%"
    assert '>Bar charts comparing 2 scenarios' in explorer.chart.value
    explorer.unit_type.value, explorer.unit_specialism.value = "refuge", "generic"
    explorer.units.value = 1  # an observe change, as a front end sends it
    assert cell(explorer.table.value, "turnaway_rate", EXPLORED_NAME) == "20.0%"
    assert explorer.state.unit_changes == {("refuge", "generic"): 1}
    assert [kind for kind, _ in explorer.timings[-2:]] == ["quick", "settled"]
    explorer.stop.value = ("S2",)
    assert explorer.state.stopped == ("S2",)
    explorer.file_name.value = "mine"
    explorer.save_button.click()
    saved = load_scenario(tmp_path / "mine.yaml")
    assert saved.services.remove == ("S2",) and saved.services.add[0].units == 1
    assert "Saved" in explorer.status.value
    explorer.reset_button.click()
    assert explorer.state.scenario().services == load_scenario({"name": "x"}).services
    assert cell(explorer.table.value, "turnaway_rate", EXPLORED_NAME) == "50.0%"


def test_a_scenario_the_data_refuse_is_reported_and_the_table_kept():
    base = dataclasses.replace(hand_baseline(), unit_costs=None)  # no cost per unit of any type
    explorer = Explorer(ExplorerState(base, draws=0))
    before = explorer.table.value
    explorer.units.value = 2
    assert "Not applied" in explorer.status.value and "annual_cost" in explorer.status.value
    assert explorer.table.value == before


def test_without_a_front_end_the_static_comparison_of_the_files_is_shown():
    state = hand_state()
    scenario = {"name": "Two refuge units", "services": {"resize": [{"service_id": "R1", "units": 2}]}}
    shown = explore(state.base, scenarios=[scenario], draws=0, interactive=False)
    assert isinstance(shown, StaticComparison)
    page = shown._repr_html_()
    assert cell(page, "turnaway_rate", "Two refuge units") == "20.0%"
    assert '>Bar charts comparing 2 scenarios' in page
    assert "Two refuge units" in repr(shown) and "<table" not in repr(shown)


def test_services_helper_lists_names_and_ids():
    frame = services(("A1", "refuge", 2, 1.0, True, 1.0))
    state = ExplorerState(dataclasses.replace(hand_baseline(), services=frame), draws=0)
    assert state.services() == [("Service A1 (A1)", "A1")]
