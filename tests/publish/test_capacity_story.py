"""The one capacity table on the example (Leicestershire, 2023-24): units in place, planned
(the pipeline, never counted) and needed, the gap and its support cost, throughput and
capacity; the Council of Europe benchmark as context; costs per household by scope."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD

import needs
from needs.publish.cells import cell_key
from needs.publish.formatting import SYMBOL_CONFIDENTIAL
from needs.publish.publication import Publication
from needs.reference import categories as cat
from needs.reference.constants import DAYS_PER_YEAR


@pytest.fixture(scope="module")
def publication() -> Publication:
    example = needs.load(DEFAULT_DATA)
    return Publication(needs.assess(example, DEFAULT_AREA, DEFAULT_PERIOD), example)


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def test_gap_is_needed_less_in_place_with_planned_units_apart(publication):
    table = publication.capacity_story()
    data = table.data.reset_index(drop=True)
    needed, units, gap = (_numbers(data[c]) for c in ("units_needed", "units", "gap_units"))
    shown = needed.notna() & gap.notna()
    assert shown.sum() >= 2
    assert (gap[shown] == (needed[shown] - units[shown]).clip(lower=0)).all()
    assert (gap[shown & (needed > units)] == (needed - units)[shown & (needed > units)]).all()
    assert (gap[shown] > 0).any()
    # the planned second-stage scheme: 6 units in their own column, none in place, no gap
    move_on = data[data["accommodation_type"].astype(str) == "second_stage"].iloc[0]
    assert (move_on["units"], move_on["planned_units"]) == (0, 6)
    assert _numbers(pd.Series([move_on["gap_units"]])).iloc[0] == 0
    # units in place are the provision's units in place; the pipeline is not in the loss model
    provision = publication.provision.data
    bedded = provision[
        provision["accommodation_type"].astype(str).isin(data["accommodation_type"].astype(str))
    ]
    assert data["units"].sum() == bedded["units"].sum()
    assert data["planned_units"].sum() == bedded["planned_units"].sum() == 6
    erlang = publication.erlang.data
    assert erlang["units"].sum() == data["units"].sum()
    second = erlang[erlang["accommodation_type"].astype(str) == "second_stage"].iloc[0]
    assert (second["units"], second["planned_units"]) == (0, 6)
    headings = list(table.frame.columns)
    assert "Units in place" in headings and "Units planned (pipeline, not counted)" in headings


def test_costs_are_labelled_support_cost(publication):
    table = publication.capacity_story()
    headings = list(table.frame.columns)
    assert "Support cost per unit a year" in headings
    assert "Annual support cost to close the gap (95% interval)" in headings
    assert "support costs" in table.note.lower()
    assert "funds support, not the housing" in table.note
    data = table.data
    cost, gap, per_unit = (_numbers(data[c]) for c in ("annual_cost_to_close", "gap_units", "cost_per_unit"))
    shown = cost.notna() & gap.notna()
    assert np.allclose(cost[shown], gap[shown] * per_unit[shown])
    assert "support cost" in publication.gaps.note.lower()


def test_throughput_and_capacity_are_labelled_and_worked_out(publication):
    table = publication.capacity_story()
    headings = list(table.frame.columns)
    assert "Throughput: households a year at the observed occupancy" in headings
    assert "Capacity: households a year at full occupancy" in headings
    data = table.data
    stay, units = _numbers(data["mean_stay_days"]), _numbers(data["units"])
    capacity, flow, occupancy = (
        _numbers(data[c]) for c in ("capacity_full_occupancy", "annual_throughput", "occupancy")
    )
    shown = capacity.notna() & stay.notna()
    assert shown.any()
    assert np.allclose(capacity[shown], units[shown] * DAYS_PER_YEAR / stay[shown])
    assert np.allclose(flow[shown], capacity[shown] * occupancy[shown])
    refuge = data[data["accommodation_type"].astype(str) == "refuge"].iloc[0]
    assert float(refuge["capacity_full_occupancy"]) > float(refuge["annual_throughput"])
    throughput = publication.throughput
    assert "Capacity: households a year at full occupancy" in list(throughput.frame.columns)


def test_figures_from_hidden_stays_are_hidden(publication):
    """A specialism whose households supported the page hides shows none of its stay,
    throughput, capacity, need, gap or cost."""
    data = publication.capacity_story().data
    page = publication.page
    keys = [
        cell_key("households_supported", {"accommodation_type": t, "specialism": s})
        for t, s in zip(data["accommodation_type"].astype(str), data["specialism"].astype(str), strict=True)
    ]
    hidden = np.array([page.is_hidden(k) for k in keys])
    assert hidden.any()
    for column in (
        "mean_stay_days",
        "annual_throughput",
        "capacity_full_occupancy",
        "units_needed",
        "gap_units",
    ):
        assert (data.loc[hidden, column].astype(str) == SYMBOL_CONFIDENTIAL).all(), column


def test_benchmark_is_context_with_its_family_place(publication):
    benchmark = publication.benchmark
    assert "family place" in benchmark.caption and "a woman and her children" in benchmark.caption
    assert "Kelly & Dubois 2008" in benchmark.caption
    assert "not the need modelled" in benchmark.caption
    measures = list(benchmark.frame["Measure"])
    assert "Units in place of the types counted" in measures
    sentences = list(publication.findings(["capacity_gap"]).sentences)
    context = [i for i, s in enumerate(sentences) if s.startswith("For context, the Council of Europe")]
    modelled = [i for i, s in enumerate(sentences) if "needed by the loss model" in s]
    assert context and modelled and max(modelled) < context[0]
    assert all("annual support cost" in sentences[i] for i in modelled)
    assert any("planned (not yet in place)" in s for s in sentences)


def test_cost_per_household_by_scope(publication):
    funding = publication.assessment.funding.iloc[0]
    page = publication.page
    safe = cell_key("households_supported", {"scope": "safe_accommodation"})
    community = cell_key("households_supported", {"scope": "community"})
    assert page.values[safe] == funding["households_safe_accommodation"] == 30
    assert page.values[community] == funding["households_community"] == 770
    spend = publication.assessment.spend_by_service
    accommodation = spend[
        (spend["status"] == "in_place")
        & spend["accommodation_type"].isin(cat.SAFE_ACCOMMODATION_TYPES)
        & (spend["support_type"] != "management")
    ]["committed_in_period"].sum()
    assert funding["cost_per_household_safe_accommodation"] == pytest.approx(accommodation / 30)
    measures = publication.funding.frame.set_index("Measure")["Value"]
    assert "Cost per household supported" not in measures.index
    label = "Cost per household supported in safe accommodation (accommodation-based services in place)"
    assert measures[label] == f"£{funding['cost_per_household_safe_accommodation']:,.0f}"
    sentence = publication.findings(["funding"]).sentences[0]
    assert "per household supported in safe accommodation (30 households)" in sentence
