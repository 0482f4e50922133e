"""Issue 18: the scenario comparison tells one consistent story.

One test (or more) per inconsistency the issue lists, worked by hand on the one-refuge
baseline of tests/scenarios/handworked.py (10 households a year, mean stay 36.525 days, so
an offered load of 1 Erlang; occupancy 0.9; R1 costs £30,000 a unit), then checked on the
example (Leicestershire, 2023-24).
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_PERIOD
from handworked import NAN, figures_of, hand_baseline, per_type

import needs
from needs.assessment.capacity import gap_table
from needs.assessment.funding import funding_summary
from needs.publish.publication import MODELLED_FROM_COUNTS, MODELLED_FROM_STAYS, Publication
from needs.scenarios.comparison import compare
from needs.scenarios.display import CHANGES, display_table, format_table
from needs.scenarios.figures import CHANGES_LABEL, FIGURES, MIN_AVOIDED, NOT_MEANINGFUL
from needs.scenarios.model import baseline
from needs.scenarios.spec import BASELINE_NAME, NewService, Scenario, ServiceChanges

DISPERSED = "dispersed_refuge_level"


def _row(table: pd.DataFrame, scenario: str, figure: str) -> pd.Series:
    return table[(table["scenario"] == scenario) & (table["figure"] == figure)].iloc[0]


def _add_dispersed(units: int, annual_cost: float | None, name: str = "Dispersed") -> Scenario:
    return Scenario(
        name=name,
        services=ServiceChanges(
            add=(NewService(DISPERSED, "male_victims", units, annual_cost, name="Male victims dispersed"),)
        ),
    )


@pytest.fixture(scope="module")
def example():
    from fixtures import ROOT

    return needs.load(ROOT / "data" / "example")


# --------------------------------------------------------------------------------------
# Throughput beside households accommodated: two labelled figures, and why they differ
# --------------------------------------------------------------------------------------


def test_throughput_and_accommodated_are_labelled_apart_and_the_difference_explained():
    assert FIGURES["throughput"][0] != FIGURES["accommodated"][0]
    assert "observed occupancy" in FIGURES["throughput"][0] and "loss model" in FIGURES["accommodated"][0]
    table = compare(
        hand_baseline(),
        scenarios=[
            {"name": "Low occupancy", "assumptions": {"occupancy": 0.3}},
            {"name": "Half full", "assumptions": {"occupancy": 0.5}},
        ],
    )
    # Baseline: throughput = 1 x 365.25 x 0.9 / 36.525 = 9; accommodated = 10 x (1 - B(1, 1)) = 5.
    # The loss model's unit carries 5 x 36.525 / 365.25 = 0.5 Erlang: 50% occupied, against 90%.
    base = _row(table, BASELINE_NAME, "accommodated")
    assert base["value"] == pytest.approx(5.0)
    assert _row(table, BASELINE_NAME, "throughput")["value"] == pytest.approx(9.0)
    assert base["note"].startswith("fewer than the throughput (9.0)")
    assert "50% occupied, against the 90% occupancy" in base["note"]
    # Occupancy 0.3: throughput 3 < accommodated 5, because the loss model re-lets at once.
    low = _row(table, "Low occupancy", "accommodated")["note"]
    assert low.startswith("more than the throughput (3.0)") and "re-lets a unit as soon as it is free" in low
    assert "50% occupied, against the 30% occupancy" in low
    # Occupancy 0.5: throughput 5 = accommodated 5, nothing to explain.
    assert _row(table, "Half full", "accommodated")["note"] == ""
    notes = display_table(table).attrs["notes"]
    assert any(n.startswith(FIGURES["accommodated"][0] + " (Baseline)") for n in notes)


# --------------------------------------------------------------------------------------
# Cost per unit: the gap table's, or the scenario's stated cost, said which
# --------------------------------------------------------------------------------------


def test_an_added_unit_costs_the_gap_tables_price_unless_the_scenario_states_one():
    base = dataclasses.replace(hand_baseline(), unit_costs=per_type(**{DISPERSED: 11_250.0}))
    table = compare(
        base, scenarios=[_add_dispersed(6, None, "Priced"), _add_dispersed(6, 96_000.0, "Stated")]
    )
    spend = {s: _row(table, s, "committed_spend")["value"] for s in (BASELINE_NAME, "Priced", "Stated")}
    # 6 x £11,250 = £67,500 a year from the gap table; £96,000 as stated (£16,000 a unit).
    assert spend["Priced"] - spend[BASELINE_NAME] == pytest.approx(67_500)
    assert spend["Stated"] - spend[BASELINE_NAME] == pytest.approx(96_000)
    priced = _row(table, "Priced", "units")["changes"]
    stated = _row(table, "Stated", "units")["changes"]
    assert "at the gap table's £11,250 a unit a year (£67,500)" in priced
    assert (
        "for £96,000 a year (£16,000 a unit, as the scenario states; the gap table's cost is £11,250 a unit)"
        in stated
    )


def test_the_baselines_unit_costs_are_the_gap_tables(example):
    base = baseline(example, DEFAULT_AREA, DEFAULT_PERIOD)
    gaps = gap_table(example, DEFAULT_PERIOD)
    gaps = gaps[gaps["area_code"] == DEFAULT_AREA].groupby("accommodation_type")["cost_per_unit"].first()
    for code, cost in gaps.items():
        assert base.unit_cost(code) == pytest.approx(cost)
    # Dispersed with refuge-level support: S17 + S18 = £45,000 for 4 units = £11,250 a unit.
    assert base.unit_cost(DISPERSED) == pytest.approx(11_250)
    with pytest.raises(needs.errors.ScenarioError, match="no cost per unit of sanctuary"):
        compare(
            base,
            scenarios=[
                Scenario("Free", services=ServiceChanges(add=(NewService("sanctuary", "generic", 1, None),)))
            ],
        )


# --------------------------------------------------------------------------------------
# One baseline cost: the spend committed in the period, as the funding table
# --------------------------------------------------------------------------------------


def test_the_one_cost_figure_is_committed_spend_as_the_funding_table(example):
    assert "annual_cost" not in FIGURES
    assert [k for k, (_, unit) in FIGURES.items() if unit == "pounds" and "spend" in k] == ["committed_spend"]
    table = compare(example, DEFAULT_AREA, DEFAULT_PERIOD)
    money = funding_summary(example, DEFAULT_PERIOD)
    money = money[money["area_code"] == DEFAULT_AREA].iloc[0]
    got = figures_of(table, BASELINE_NAME)
    assert got["committed_spend"] == pytest.approx(money["committed_total"])
    assert got["committed_spend"] == pytest.approx(1_005_264, abs=1)
    # The balance is the grant less the same spend (all of it grant-funded here).
    assert got["balance"] == pytest.approx(money["grant"] - 1_005_264, abs=1)


# --------------------------------------------------------------------------------------
# The probability row: computed from the draws, or not shown
# --------------------------------------------------------------------------------------


def test_the_probability_is_computed_from_draws_or_not_shown():
    label = FIGURES["prob_meets_target"][0]
    table = compare(hand_baseline(units=4))
    assert "prob_meets_target" not in set(table["figure"])
    assert label not in list(display_table(table)["Figure"]) and label not in format_table(table)
    # No uncertainty: B(4, 1) = 1/65 <= 5% in every draw, so the share of draws is 100%.
    base = dataclasses.replace(hand_baseline(units=4), victims_lower=NAN, victims_upper=NAN)
    drawn = compare(base, draws=20, seed=1, stay_cv=0.0)
    shown = display_table(drawn).set_index("Figure")
    assert shown.loc[label, BASELINE_NAME] == "100.0%"
    assert "[x]" not in display_table(drawn).to_string()


# --------------------------------------------------------------------------------------
# Changes described as changes
# --------------------------------------------------------------------------------------


def test_changes_are_described_as_changes_from_the_baseline():
    base = dataclasses.replace(hand_baseline(), unit_costs=per_type(**{DISPERSED: 11_250.0}))
    table = compare(
        base,
        scenarios=[
            _add_dispersed(6, 96_000.0, "Six more"),
            {"name": "Shorter", "assumptions": {"length_of_stay_change_days": {"refuge": -10}}},
            {"name": "Cut", "services": {"remove": ["R1"]}, "funding": {"grant_change": -0.2}},
        ],
    )
    shown = display_table(table)
    assert shown.attrs["figures"][0] == CHANGES
    changes = shown.set_index("Figure").loc[CHANGES_LABEL]
    # One refuge unit in place; six added: 1 -> 7 (the units row then shows 7, the total).
    assert changes["Six more"].startswith("adds 6 units of dispersed accommodation with refuge-level support")
    assert changes["Six more"].endswith("bedded units 1 → 7")
    assert figures_of(table, "Six more")["units"] == 7
    assert changes["Shorter"] == "refuge accommodation: mean stay 10 days shorter"
    assert (
        changes["Cut"]
        == "stops Service R1 (R1; £30,000 committed); bedded units 1 → 0; grant £100,000 → £80,000"
    )
    assert changes[BASELINE_NAME].startswith("nothing")
    text = format_table(table)
    assert "  Six more: adds 6 units" in text and text.startswith(CHANGES_LABEL)


# --------------------------------------------------------------------------------------
# A ratio over a near-zero denominator: "not meaningful", with the reason
# --------------------------------------------------------------------------------------


def test_cost_per_turnaway_avoided_is_not_meaningful_below_one_avoided():
    assert MIN_AVOIDED == 1
    one_more = {
        "name": "One more",
        "services": {"resize": [{"service_id": "R1", "units": 5, "annual_cost": 150_000}]},
    }
    # 4 units: B(4, 1) = 1/65, 10/65 = 0.154 turned away; 5 units: B(5, 1) = (1/120) / (1 + 1 + 1/2 + 1/6
    # + 1/24 + 1/120) = 1/326, 0.031 turned away: 0.123 avoided (< 1) for £30,000 more.
    table = compare(hand_baseline(units=4), scenarios=[one_more])
    row = _row(table, "One more", "cost_per_turnaway_avoided")
    assert math.isnan(row["value"]) and row["status"] == NOT_MEANINGFUL
    assert row["note"] == (
        f"{NOT_MEANINGFUL}: only 0.12 turn-aways a year avoided, fewer than 1, so the ratio "
        "(spend change £30,000 / 0.12) is mostly noise"
    )
    shown = display_table(table).set_index("Figure")
    assert shown.loc[FIGURES["cost_per_turnaway_avoided"][0], "One more"] == NOT_MEANINGFUL
    assert any("only 0.12 turn-aways a year avoided" in n for n in display_table(table).attrs["notes"])
    text = format_table(table)
    assert NOT_MEANINGFUL in text and "only 0.12 turn-aways a year avoided" in text


def test_cost_per_turnaway_avoided_is_not_meaningful_when_the_intervals_lower_end_is_below_one():
    more = {"name": "More", "services": {"resize": [{"service_id": "R1", "units": 3}]}}
    # Point: 10 x B(2, 1) = 2 less 10 x B(3, 1) = 0.625, so 1.375 avoided for £30,000: £21,818.
    point = compare(hand_baseline(units=2), scenarios=[more])
    assert _row(point, "More", "cost_per_turnaway_avoided")["value"] == pytest.approx(30_000 / 1.375)
    # With draws (seed 1) the 95% interval of turn-aways avoided reaches below 1: not meaningful.
    drawn = compare(hand_baseline(units=2), scenarios=[more], draws=4000, seed=1)
    row = _row(drawn, "More", "cost_per_turnaway_avoided")
    assert row["status"] == NOT_MEANINGFUL and math.isnan(row["value"]) and math.isnan(row["lower"])
    assert "(95% interval), the lower end fewer than 1" in row["note"]
    # Without uncertainty every draw avoids 1.375: the interval is the point.
    fixed = dataclasses.replace(hand_baseline(units=2), victims_lower=NAN, victims_upper=NAN)
    exact = _row(
        compare(fixed, scenarios=[more], draws=50, seed=1, stay_cv=0.0), "More", "cost_per_turnaway_avoided"
    )
    assert exact["status"] == ""
    assert exact["lower"] == pytest.approx(30_000 / 1.375) and exact["upper"] == pytest.approx(30_000 / 1.375)


# --------------------------------------------------------------------------------------
# The report shows the same table as the CLI and the notebook, with its disclosure hiding
# --------------------------------------------------------------------------------------


def test_the_report_shows_the_one_comparison_table(example):
    from fixtures import ROOT

    pub = Publication(needs.assess(example, DEFAULT_AREA, DEFAULT_PERIOD), example)
    table = compare(
        example, DEFAULT_AREA, DEFAULT_PERIOD, [ROOT / "templates" / "scenarios" / "male-units.yaml"]
    )
    published = pub.scenario_table(table)
    # The example's page hides a count of stays the loss model's mean stay is taken over, so
    # every figure modelled from the stays is hidden; demand (the sum of arrivals) is shown.
    assert pub._loss_model_hidden("stays") and not pub._loss_model_hidden("arrivals_per_year")
    expected = display_table(table, hide=MODELLED_FROM_STAYS, whole_households=True)
    pd.testing.assert_frame_equal(published.frame, pd.DataFrame(expected), check_flags=False)
    frame = published.frame.set_index("Figure")
    name = "Six dispersed units for male victims"
    assert frame.loc[CHANGES_LABEL, name].endswith("bedded units 13 → 19")
    # The worked example states no price: 6 x the gap table's £11,250 = £67,500 more spend.
    assert "at the gap table's £11,250 a unit a year (£67,500)" in frame.loc[CHANGES_LABEL, name]
    assert frame.loc[FIGURES["committed_spend"][0], name] == "£1,072,764"  # 1,005,264 + 67,500
    assert frame.loc[FIGURES["committed_spend"][0], BASELINE_NAME] == "£1,005,264"
    # demand: households offered to the bedded types (recalibrated example: 33 + 18 + 13 + 11)
    assert frame.loc[FIGURES["demand"][0], BASELINE_NAME] == "75"
    assert frame.loc[FIGURES["throughput"][0], BASELINE_NAME] == "[c]"
    assert "[x]" not in published.to_html()
    assert "re-lets a unit as soon as it is free" in published.note
    # Household rows are count cells; the changes row is not.
    households = [u == "households" for u in expected.attrs["units"]]
    assert published.count_cells[BASELINE_NAME].tolist() == households
    # The publication's hiding goes through the same function: every modelled figure [c], notes dropped.
    hidden = display_table(table, hide=MODELLED_FROM_COUNTS, whole_households=True)
    assert set(hidden.set_index("Figure").loc[FIGURES["turnaways"][0]]) == {"[c]"}
    assert hidden.attrs["notes"] == []
