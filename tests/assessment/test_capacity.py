"""Tests for needs.assessment.capacity on a hand-listed dataset; expected values worked out by hand.

Geography: Shire (county E10000001; districts North E07000001, South E07000002) and Unity
(unitary E06000001). Period 2024-25 (1 April 2024 to 31 March 2025, 365 days).

Services (all open-ended unless noted):

====  =====  ==============================  ================  =====  ====  ========
id    host   type                            specialism        units  beds  cost
====  =====  ==============================  ================  =====  ====  ========
S1    North  refuge                          generic           3      8     90,000
S2    South  refuge (from 2024-10-01)        black_minoritised 2      5     70,000
S3    North  sanctuary                       generic           0      0     20,000
S4    North  dispersed_refuge_level (ended   generic           1      2     15,000
             2024-03-31: not active)
U1    Unity  refuge                          generic           2      4     50,000
====  =====  ==============================  ================  =====  ====  ========

Support episodes in bedded types (stay in nights, censored at 1 April 2025):

====  ====  =======  =====================  =====  ========================
ref   hh    service  support                stay   nights inside 2024-25
====  ====  =======  =====================  =====  ========================
E1    H1    S1       2024-04-11..05-11      30     30
E2    H2    S1       2024-03-02..04-11      40     10 (referred 2024-02-28)
E3    H3    S1       2025-03-22..open       10     10
E4    H4    S2       2024-12-01..2025-01-20 50     50
E5    H5    S1       2025-02-01..2025-06-01 59     59 (censored at 1 April)
E6    H10   U1       2024-06-01..06-21      20     20
====  ====  =======  =====================  =====  ========================

Declines made in 2024-25: D1 H6 S1 no capacity; D2 H6 S2 no capacity (same household);
D3 H7 S1 unable to meet needs; D4 H8 S1 survivor declined; D5 H9 S1 pending;
D6 H11 U1 no capacity. A sanctuary acceptance (H12, S3) is not bedded.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD

import needs
import needs.assessment.capacity as capacity
from needs.assessment.capacity import (
    active_services,
    capacity_inputs,
    coe_benchmark,
    erlang_model,
    gap_table,
    model_capacity,
    provision,
    throughput,
)
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat

SHIRE, NORTH, SOUTH, UNITY = "E10000001", "E07000001", "E07000002", "E06000001"
PERIOD = "2024-25"
YEAR = 365.25


def erlang_b_by_hand(c: int, a: float) -> float:
    """Erlang B from its definition: (a^c / c!) / sum_{k=0..c} a^k / k!."""
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


def build() -> Dataset:
    areas = pd.DataFrame(
        {
            "area_code": [SHIRE, NORTH, SOUTH, UNITY],
            "area_name": ["Shire", "North", "South", "Unity"],
            "area_type": ["county", "district", "district", "unitary"],
            "parent_code": [None, SHIRE, SHIRE, None],
        }
    )
    population = pd.DataFrame(
        {"area_code": [NORTH, SOUTH, UNITY], "year": 2023, "sex": "female", "age": 30, "population": 1000}
    )
    # fmt: off
    services = pd.DataFrame(
        [
            ("S1", NORTH, "refuge", "generic", 3, 8, 90000.0, "2020-04-01", None),
            ("S2", SOUTH, "refuge", "black_minoritised", 2, 5, 70000.0, "2024-10-01", None),
            ("S3", NORTH, "sanctuary", "generic", 0, 0, 20000.0, "2020-04-01", None),
            ("S4", NORTH, "dispersed_refuge_level", "generic", 1, 2, 15000.0, "2022-04-01", "2024-03-31"),
            ("U1", UNITY, "refuge", "generic", 2, 4, 50000.0, "2020-04-01", None),
        ],
        columns=["service_id", "host_area_code", "accommodation_type", "specialism", "units", "bedspaces",
                 "annual_cost", "start", "end"],
    )
    # fmt: on
    services = services.assign(
        name=services["service_id"],
        provider="P",
        support_type="advocacy",
        funding_source="mhclg_dasa_grant",
        status="in_place",
        start=pd.to_datetime(services["start"]),
        end=pd.to_datetime(services["end"]),
    )
    acc, unable = "accepted_supported", "unable_to_support"
    # fmt: off
    rows = [
        ("E1", "H1", "S1", "2024-04-10", acc, None, "2024-04-11", "2024-05-11"),
        ("E2", "H2", "S1", "2024-02-28", acc, None, "2024-03-02", "2024-04-11"),
        ("E3", "H3", "S1", "2025-03-20", acc, None, "2025-03-22", None),
        ("E4", "H4", "S2", "2024-11-28", acc, None, "2024-12-01", "2025-01-20"),
        ("E5", "H5", "S1", "2025-01-30", acc, None, "2025-02-01", "2025-06-01"),
        ("E6", "H10", "U1", "2024-05-30", acc, None, "2024-06-01", "2024-06-21"),
        ("D1", "H6", "S1", "2024-05-01", unable, "no_capacity_space", None, None),
        ("D2", "H6", "S2", "2024-10-05", unable, "no_capacity_space", None, None),
        ("D3", "H7", "S1", "2024-06-01", unable, "unable_to_meet_needs", None, None),
        ("D4", "H8", "S1", "2024-07-01", "survivor_declined", None, None, None),
        ("D5", "H9", "S1", "2024-08-01", "pending", None, None, None),
        ("D6", "H11", "U1", "2024-09-01", unable, "no_capacity_space", None, None),
        ("Q1", "H12", "S3", "2024-09-01", acc, None, "2024-09-10", "2024-10-10"),
    ]
    # fmt: on
    referrals = pd.DataFrame(
        rows,
        columns=[
            "referral_id",
            "household_id",
            "service_id",
            "date",
            "outcome",
            "decline_reason",
            "support_start",
            "support_end",
        ],
    )  # fmt: skip
    for column in ("date", "support_start", "support_end"):
        referrals[column] = pd.to_datetime(referrals[column])
    referrals["origin_area_code"] = NORTH
    for column in cat.PROTECTED_CHARACTERISTICS:
        referrals[column] = "not_known"
    for code in cat.ADDITIONAL_NEEDS:
        referrals[cat.need_column(code)] = "no"
    referrals["children"] = 0
    referrals["end_reason"] = None
    return Dataset(
        tables={"areas": areas, "population": population, "services": services, "referrals": referrals}
    )


@pytest.fixture
def dataset() -> Dataset:
    return build()


def one(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for key, value in where.items():
        mask &= frame[key].astype(str).to_numpy() == value
    assert mask.sum() == 1, f"expected one row for {where}, found {mask.sum()}"
    return frame[mask].iloc[0]


def test_erlang_reexported_and_hand_values():
    # B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2; B(1, 1) = 1/2.
    assert float(capacity.erlang_b(2, 1.0)) == pytest.approx(0.2)
    assert np.asarray(capacity.erlang_b(np.array([1, 2]), np.array([1.0, 1.0]))) == pytest.approx([0.5, 0.2])
    # B(3, 1) = (1/6) / (8/3) = 0.0625 > 0.05; B(4, 1) = (1/24) / (65/24) = 1/65 < 0.05 -> 4.
    assert int(np.asarray(capacity.servers_needed(1.0, 0.05))) == 4


def test_active_services_and_provision(dataset):
    active = active_services(dataset, PERIOD)
    assert sorted(active["service_id"]) == ["S1", "S2", "S3", "U1"]  # S4 ended 2024-03-31
    # S2 runs 1 Oct 2024 to 31 Mar 2025: 31+30+31+31+28+31 days.
    assert int(one(active, service_id="S2")["days_in_period"]) == 182
    table = provision(dataset, PERIOD)
    assert list(table.columns) == [
        "area_code", "accommodation_type", "specialism", "services", "units", "bedspaces", "annual_cost",
        "planned_services", "planned_units", "planned_bedspaces", "planned_annual_cost",
    ]  # fmt: skip
    generic = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="generic")
    assert list(generic[["services", "units", "bedspaces", "annual_cost"]]) == [1, 3, 8, 90000.0]
    minoritised = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="black_minoritised")
    assert list(minoritised[["units", "bedspaces"]]) == [2, 5]
    assert one(table, area_code=SHIRE, accommodation_type="sanctuary", specialism="generic")["units"] == 0
    assert len(table) == 4  # Shire refuge x2, Shire sanctuary, Unity refuge


def test_coe_benchmark(dataset):
    population = pd.DataFrame({"area_code": [SHIRE, UNITY], "population": [30_000, 712_000]})
    table = coe_benchmark(dataset, PERIOD, population=population).set_index("area_code")
    # Unity: 712,000 / 10,000 = 71.2 family places; 2 refuge units; gap 69.2 = 97.19%.
    assert table.loc[UNITY, "coe_target_units"] == pytest.approx(71.2)
    assert table.loc[UNITY, "counted_units"] == 2
    assert table.loc[UNITY, "gap_units"] == pytest.approx(69.2)
    assert table.loc[UNITY, "gap_share"] == pytest.approx(69.2 / 71.2)
    # Shire: target 3.0; counted S1 + S2 = 5 (S4 dispersed not active): 2 above target.
    assert table.loc[SHIRE, "counted_units"] == 5
    assert table.loc[SHIRE, "gap_units"] == pytest.approx(-2.0)
    assert table.loc[SHIRE, "counted_types"] == "refuge, specialist_safe, dispersed_refuge_level"
    only_generic = coe_benchmark(dataset, PERIOD, ("sanctuary",), population=population)
    assert one(only_generic, area_code=SHIRE)["counted_units"] == 0
    with pytest.raises(ValueError, match="coe_types"):
        coe_benchmark(dataset, PERIOD, ("castle",), population=population)


def test_throughput_stay_occupancy(dataset):
    table = throughput(dataset, PERIOD)
    assert list(table.columns) == [
        "area_code", "accommodation_type", "units", "planned_units", "households_supported", "mean_stay_days",
        "occupancy", "annual_throughput", "capacity_full_occupancy",
    ]  # fmt: skip
    shire = one(table, area_code=SHIRE, accommodation_type="refuge")
    # stays 30, 40 (begun 30 nights before the period: enters at 30), 10+ (open), 50, 59+
    # (open); nights in period 159. Kaplan-Meier with delayed entry: at 30, 3 at risk (the
    # stay entering at 30 is not yet), S = 2/3; at 40, 3 at risk, S = 4/9; at 50, 2 at risk,
    # S = 2/9; restricted to the longest stay, 59: 30 + 10(2/3) + 10(4/9) + 9(2/9) = 43.11
    # (the cut-at-the-end mean was 189 / 5 = 37.8).
    km = 30 + 10 * 2 / 3 + 10 * 4 / 9 + 9 * 2 / 9
    assert shire["units"] == 5
    assert shire["households_supported"] == 5
    assert shire["mean_stay_days"] == pytest.approx(km)
    # occupancy over the unit-nights the units were open: S1's 3 units all 365 nights, S2's 2
    # units the 182 nights from 1 October: 159 / (3 x 365 + 2 x 182) = 159 / 1459.
    assert shire["occupancy"] == pytest.approx(159 / (3 * 365 + 2 * 182))
    assert shire["annual_throughput"] == pytest.approx(5 * 365.25 * (159 / 1459) / km)
    # capacity at full occupancy: 5 units x 365.25 / 43.11 nights = 42.4 households a year
    assert shire["capacity_full_occupancy"] == pytest.approx(5 * 365.25 / km)
    assert shire["capacity_full_occupancy"] > shire["annual_throughput"]
    unity = one(table, area_code=UNITY, accommodation_type="refuge")
    assert unity["mean_stay_days"] == pytest.approx(20.0)
    assert unity["occupancy"] == pytest.approx(20 / (2 * 365))
    assert "sanctuary" not in set(table["accommodation_type"])  # not bedded


def test_capacity_inputs_and_erlang_model(dataset):
    inputs = capacity_inputs(dataset, PERIOD)
    shire = one(inputs, area_code=SHIRE, accommodation_type="refuge")
    # offered demand: H1, H3, H4, H5 accepted; H6 declined for capacity twice -> 5 households
    # (E2 was referred in 2023-24). Decided: E1, E3, E4, E5, D1, D2, D3, D4 = 8.
    assert shire["arrivals_per_year"] == 5
    assert (shire["observed_capacity_declines"], shire["observed_decided"]) == (2, 8)
    assert shire["annual_cost"] == 160000.0
    table = erlang_model(dataset, PERIOD, target_turnaway=0.05)
    assert list(table.columns) == list(capacity.ERLANG_COLUMNS)
    # The model's grain is type x specialism: S1 (generic, 3 units) and S2 (black_minoritised,
    # 2 units) are separate pools.
    row = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="generic")
    # Offered to S1: H1, H3, H5 accepted and H6 declined for capacity (D1): 4 households.
    assert (row["units"], row["arrivals_per_year"]) == (3, 4)
    # S1's stays: E1 30 ended; E2 40 ended, entering at 30 (began 2 March); E3 10 and E5 59
    # open at 1 April 2025 (censored). At t=30 at risk E1, E5 (E2 enters at 30): S = 1/2; at
    # t=40 at risk E2, E5: S = 1/4. RMST(59) = 30 + 10/2 + 19/4 = 39.75 days.
    assert (row["stays"], row["censored_stays"]) == (4, 2)
    assert row["mean_stay_days"] == pytest.approx(39.75)
    load = 4 * 39.75 / YEAR  # 0.4353 erlangs
    assert row["offered_load"] == pytest.approx(load)
    assert row["modelled_turnaway"] == pytest.approx(erlang_b_by_hand(3, load))
    assert row["implied_occupancy"] == pytest.approx(load * (1 - erlang_b_by_hand(3, load)) / 3)
    # B(2, a) = 0.0619 > 0.05 > B(3, a) = 0.0089 -> 3 units.
    assert erlang_b_by_hand(2, load) > 0.05 > erlang_b_by_hand(3, load)
    assert row["units_needed"] == 3
    assert row["units_needed_lower"] <= 3 <= row["units_needed_upper"]
    # Observed: 1 declined for space (D1) of 4 offered; nights E1 30 + E2 10 + E3 10 + E5 59.
    assert row["observed_turnaway"] == pytest.approx(1 / 4)
    assert row["observed_occupancy"] == pytest.approx(109 / (3 * 365))
    assert row["simulated_occupancy_lower"] <= row["simulated_occupancy_upper"]
    assert 0 <= row["turnaway_p_value"] <= 1 and 0 <= row["occupancy_p_value"] <= 1
    assert row["consistent"] == (min(row["turnaway_p_value"], row["occupancy_p_value"]) >= 0.05)
    bme = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="black_minoritised")
    # S2: H4 accepted, H6 declined (D2): 2 households; one stay of 50 nights, ended.
    assert (bme["units"], bme["arrivals_per_year"], bme["mean_stay_days"]) == (2, 2, 50.0)
    # S2 was open 182 of the 365 days: 2 arrivals in 182 days are 2 x 365 / 182 a year.
    assert bme["offered_load"] == pytest.approx(2 * (365 / 182) * 50 / YEAR)
    unity = one(table, area_code=UNITY, accommodation_type="refuge")
    assert unity["arrivals_per_year"] == 2  # H10 accepted, H11 declined for capacity
    assert unity["offered_load"] == pytest.approx(2 * 20 / YEAR)
    # Seeded: the same call gives the same intervals and verdicts.
    pd.testing.assert_frame_equal(table, erlang_model(dataset, PERIOD, target_turnaway=0.05))


def test_model_capacity_is_pure_and_hand_checked():
    inputs = pd.DataFrame(
        {
            "area_code": ["A", "B", "C"],
            "accommodation_type": "refuge",
            "units": [2, 1, 3],
            "arrivals_per_year": [365.25, 0, 10],
            "mean_stay_days": [1.0, 30.0, np.nan],
            "observed_capacity_declines": [1, 0, 0],
            "observed_decided": [4, 0, 0],
        }
    )
    out = model_capacity(inputs, 0.05)
    # A: load = 365.25 x 1 / 365.25 = 1 Erlang; B(2, 1) = 0.2; 4 units for 5% (see above).
    assert out.loc[0, "offered_load"] == pytest.approx(1.0)
    assert out.loc[0, "modelled_turnaway"] == pytest.approx(0.2)
    assert out.loc[0, "units_needed"] == 4
    assert out.loc[0, "observed_turnaway_share"] == pytest.approx(0.25)
    # B: no demand -> no turn-aways, no units needed; no decisions -> no observed share.
    assert out.loc[1, "modelled_turnaway"] == pytest.approx(0.0)
    assert out.loc[1, "units_needed"] == 0
    assert np.isnan(out.loc[1, "observed_turnaway_share"])
    # C: no stays -> the model cannot be applied
    assert np.isnan(out.loc[2, "modelled_turnaway"]) and pd.isna(out.loc[2, "units_needed"])
    assert (out["target_turnaway"] == 0.05).all()
    pd.testing.assert_frame_equal(inputs, inputs.copy())  # input untouched
    # a scenario doubling units: B(4, 1) = 1/65
    more = model_capacity(inputs.assign(units=inputs["units"] * 2), 0.05)
    assert more.loc[0, "modelled_turnaway"] == pytest.approx(1 / 65)
    with pytest.raises(ValueError, match="target_turnaway"):
        model_capacity(inputs, 1.5)


@pytest.fixture
def check_passes(monkeypatch):
    """The loss model's check made to pass, to test the gap and cost arithmetic on its own."""
    real = capacity.loss_model_check

    def passing(*args, **kwargs):
        return real(*args, **kwargs).assign(consistent=True, suspect="")

    monkeypatch.setattr(capacity, "loss_model_check", passing)


def test_gap_is_not_costed_where_the_check_fails(dataset):
    # The toy pools contradict the loss model: S1 turned away 1 of 4 (25%) at 10% occupancy
    # where the model implies 0.9% turned away, and no simulated year turns away as many.
    table = gap_table(dataset, PERIOD, target_turnaway=0.01)
    model = erlang_model(dataset, PERIOD, target_turnaway=0.01)
    generic = one(model, area_code=SHIRE, accommodation_type="refuge", specialism="generic")
    assert generic["observed_turnaway"] > generic["simulated_turnaway_upper"]
    assert not generic["consistent"] and generic["suspect_input"] == "capacity_declines"
    failed = table[~table["consistent"].astype(bool)]
    assert len(failed) >= 1
    assert failed["gap_units"].isna().all() and failed["annual_cost_to_close"].isna().all()
    assert failed["gap_units_lower"].isna().all() and failed["annual_cost_to_close_upper"].isna().all()
    # units needed (with its interval) is still shown
    assert failed["units_needed"].notna().all() and failed["units_needed_upper"].notna().all()


def test_gap_table_by_specialism(dataset, check_passes):
    table = gap_table(dataset, PERIOD, target_turnaway=0.01)
    assert list(table.columns) == list(capacity.GAP_COLUMNS)
    # Shire refuge cost per unit: (90,000 + 70,000) / (3 + 2) = 32,000.
    generic = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="generic")
    # S1 pool: H1, H3, H5 accepted + H6 (capacity) = 4; Kaplan-Meier mean stay 39.75.
    load = 4 * 39.75 / YEAR
    assert erlang_b_by_hand(2, load) > 0.01 > erlang_b_by_hand(3, load)
    assert (generic["units"], generic["units_needed"], generic["gap_units"]) == (3, 3, 0)
    assert generic["cost_per_unit"] == pytest.approx(32000.0)
    assert generic["annual_cost_to_close"] == 0.0
    # S2 pool: H4 accepted + H6 (capacity) = 2 in the 182 days S2 was open (from 1 October),
    # 2 x 365 / 182 a year; stay 50 -> load 0.549; B(3) = 0.016 > 0.01 > B(4) = 0.002.
    minoritised = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="black_minoritised")
    load = 2 * (365 / 182) * 50 / YEAR
    assert erlang_b_by_hand(3, load) > 0.01 > erlang_b_by_hand(4, load)
    assert (minoritised["units"], minoritised["units_needed"], minoritised["gap_units"]) == (2, 4, 2)
    assert minoritised["annual_cost_to_close"] == pytest.approx(64000.0)
    # the range: gap from the interval of units needed, at the same price
    for bound in ("lower", "upper"):
        gap = max(minoritised[f"units_needed_{bound}"] - 2, 0)
        assert minoritised[f"gap_units_{bound}"] == gap
        assert minoritised[f"annual_cost_to_close_{bound}"] == pytest.approx(32000.0 * gap)
    assert minoritised["gap_units_lower"] <= 2 <= minoritised["gap_units_upper"]
    unity = one(table, area_code=UNITY, accommodation_type="refuge", specialism="generic")
    assert unity["cost_per_unit"] == pytest.approx(25000.0)
    # throughput and capacity per specialism: S2 (2 units from 1 October) had H4's 50 nights.
    assert minoritised["mean_stay_days"] == pytest.approx(50.0)
    assert minoritised["capacity_full_occupancy"] == pytest.approx(2 * 365.25 / 50)
    assert minoritised["annual_throughput"] == pytest.approx(2 * 365.25 * (50 / (2 * 182)) / 50)
    assert (table["planned_units"] == 0).all()


# ---------------------------------------------------------------------------------------------
# Planned services: a pipeline, never counted as in place
# ---------------------------------------------------------------------------------------------


def with_planned() -> Dataset:
    """The dataset plus P1, a refuge in North of 4 units / 10 bedspaces, 40,000 a year, generic,
    contracted from 2024-06-01 but ``not_yet_in_place``, and P2, a planned second-stage scheme
    of 6 units (60,000 a year) in North, a type with nothing in place."""
    dataset = build()
    services = dataset.tables["services"]
    planned = pd.DataFrame(
        {
            "service_id": ["P1", "P2"],
            "host_area_code": NORTH,
            "accommodation_type": ["refuge", "second_stage"],
            "specialism": "generic",
            "units": [4, 6],
            "bedspaces": [10, 12],
            "annual_cost": [40000.0, 60000.0],
            "start": pd.to_datetime(["2024-06-01", "2024-06-01"]),
            "end": pd.NaT,
            "name": ["P1", "P2"],
            "provider": "To be procured",
            "support_type": "advocacy",
            "funding_source": "mhclg_dasa_grant",
            "status": "not_yet_in_place",
        }
    )
    tables = dict(
        dataset.tables, services=pd.concat([services, planned[services.columns]], ignore_index=True)
    )
    return Dataset(tables=tables)


def test_planned_units_are_shown_apart_in_provision_and_benchmark():
    planned = with_planned()
    table = provision(planned, PERIOD)
    generic = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="generic")
    # S1 in place (3 units, 8 bedspaces, 90,000); P1 planned (4, 10, 40,000).
    assert list(generic[["services", "units", "bedspaces", "annual_cost"]]) == [1, 3, 8, 90000.0]
    assert list(generic[["planned_services", "planned_units", "planned_bedspaces", "planned_annual_cost"]]) == [
        1, 4, 10, 40000.0,
    ]  # fmt: skip
    move_on = one(table, area_code=SHIRE, accommodation_type="second_stage")
    assert (move_on["units"], move_on["planned_units"]) == (0, 6)
    population = pd.DataFrame({"area_code": [SHIRE, UNITY], "population": [30_000, 712_000]})
    bench = coe_benchmark(planned, PERIOD, population=population).set_index("area_code")
    # counted: S1 3 + S2 2 = 5 in place, as without P1; P1's 4 units are planned, not counted.
    assert bench.loc[SHIRE, "counted_units"] == 5
    assert bench.loc[SHIRE, "planned_units"] == 4
    assert bench.loc[SHIRE, "gap_units"] == pytest.approx(3.0 - 5)


def test_planned_units_never_enter_the_loss_model_or_throughput(dataset):
    planned = with_planned()
    model = erlang_model(planned, PERIOD, target_turnaway=0.05)
    before = erlang_model(dataset, PERIOD, target_turnaway=0.05)
    row = one(model, area_code=SHIRE, accommodation_type="refuge", specialism="generic")
    # the model is the one without P1: S1's 3 units, B(3, 4 x 39.75 / 365.25), 3 units needed
    assert (row["units"], row["planned_units"], row["units_needed"]) == (3, 4, 3)
    assert row["modelled_turnaway"] == pytest.approx(erlang_b_by_hand(3, 4 * 39.75 / YEAR))
    shared = [c for c in capacity.ERLANG_COLUMNS if c != "planned_units"]
    pd.testing.assert_frame_equal(
        model[model["accommodation_type"] == "refuge"][shared].reset_index(drop=True),
        before[before["accommodation_type"] == "refuge"][shared].reset_index(drop=True),
    )
    flow = one(throughput(planned, PERIOD), area_code=SHIRE, accommodation_type="refuge")
    assert (flow["units"], flow["planned_units"]) == (5, 4)
    assert flow["occupancy"] == pytest.approx(159 / (3 * 365 + 2 * 182))  # over the units in place


def test_gap_is_needed_less_in_place_and_planned_types_are_costed_at_their_price(check_passes):
    table = gap_table(with_planned(), PERIOD, target_turnaway=0.01)
    generic = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="generic")
    # in place 3 (not 3 + 4 planned), 3 needed: no gap; cost per unit of services in place 32,000.
    assert (generic["units"], generic["planned_units"], generic["units_needed"], generic["gap_units"]) == (
        3,
        4,
        3,
        0,
    )
    assert generic["cost_per_unit"] == pytest.approx(32000.0)
    minoritised = one(table, area_code=SHIRE, accommodation_type="refuge", specialism="black_minoritised")
    assert minoritised["gap_units"] == minoritised["units_needed"] - minoritised["units"] == 2
    assert minoritised["annual_cost_to_close"] == pytest.approx(64000.0)
    # second stage: nothing in place, 6 planned, no demand: nothing needed, no gap; its cost
    # per unit is the planned contract's price, 60,000 / 6 = 10,000.
    move_on = one(table, area_code=SHIRE, accommodation_type="second_stage")
    assert (move_on["units"], move_on["planned_units"], move_on["units_needed"], move_on["gap_units"]) == (
        0,
        6,
        0,
        0,
    )
    assert move_on["cost_per_unit"] == pytest.approx(10000.0)
    assert np.isnan(move_on["occupancy"]) and np.isnan(move_on["capacity_full_occupancy"])
    shown = table[table["gap_units"].notna()]
    expected = (shown["units_needed"] - shown["units"]).clip(lower=0)
    assert (shown["gap_units"] == expected).all()


def test_the_recalibrated_example_agrees_with_its_loss_model():
    """The synthetic example's turn-aways and occupancy are what its units and stays imply:
    for every bedded pool of the county, the observed share turned away for lack of space and
    the observed occupancy fall inside the 95% range of the simulated years, and the check
    passes (issue 15: "modelled and observed turn-aways agree for every accommodation type")."""
    erlang = needs.assess(needs.load(DEFAULT_DATA), DEFAULT_AREA, DEFAULT_PERIOD).erlang
    pools = erlang[erlang["units"] > 0]
    assert len(pools) >= 4
    assert pools["consistent"].astype(bool).all(), pools[["accommodation_type", "specialism", "suspect_input"]]
    inside = pools["observed_turnaway"].between(pools["simulated_turnaway_lower"], pools["simulated_turnaway_upper"])
    busy = pools["observed_occupancy"].between(pools["simulated_occupancy_lower"], pools["simulated_occupancy_upper"])
    assert inside.all() and busy.all()
    assert (pools["units_needed_lower"] <= pools["units_needed"]).all()
    assert (pools["units_needed"] <= pools["units_needed_upper"]).all()


def test_a_pool_open_part_of_the_year_is_modelled_per_day_open():
    """10 households arrived in the half year the units were open, staying 36.525 days on
    average: a rate of 20 a year, so the load is 20 x 36.525 / 365.25 = 2 Erlangs, not 1."""
    inputs = pd.DataFrame(
        {"units": [3, 3], "arrivals_per_year": [10, 10], "mean_stay_days": [36.525, 36.525],
         "operating_share": [0.5, 1.0]}
    )  # fmt: skip
    modelled = model_capacity(inputs, 0.05)
    assert modelled["offered_load"].tolist() == pytest.approx([2.0, 1.0])


def test_the_example_refuge_opened_in_january_2023_is_read_per_day_open():
    """In 2022-23 the example's services ran from 1 January 2023: 90 of the year's 365 days.
    Arrivals, occupancy and the simulated years are read over those 90 days, and the model
    agrees with what was observed."""
    dataset = needs.load(DEFAULT_DATA)
    inputs = capacity_inputs(dataset, "2022-23", by=("accommodation_type", "specialism"))
    refuge = inputs[(inputs["area_code"] == DEFAULT_AREA) & (inputs["accommodation_type"] == "refuge")].iloc[0]
    assert refuge["operating_share"] == pytest.approx(90 / 365)
    erlang = needs.assess(dataset, DEFAULT_AREA, "2022-23").erlang
    assert erlang.loc[erlang["units"] > 0, "consistent"].astype(bool).all()
