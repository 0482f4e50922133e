"""Tests for needs.assessment.projection (projected need for the strategy period).

The toy: the hand-listed dataset of tests/fixtures.py with every CSEW age band published for
each sex (so no band is modelled and each rate is its own estimate, limits +-1 point), and a
population projection for Shire's two districts with people in two adult bands only (aged 18,
band 16-19, and 30, band 25-34; the children aged 10 do not count):

================  ==========  ==========
2025 (2026)       age 18      age 30
================  ==========  ==========
Northton F        100 (120)   1000 (1100)
Northton M        110 (110)    900  (800)
Southby F          50  (60)    600  (600)
Southby M          60  (60)    500  (550)
================  ==========  ==========

Rates (percent): women 16-19 20, 25-34 10, other bands 5; men 16-19 8, 25-34 4, others 2.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest
from fixtures import DEFAULT_DATA, NORTHTON, SHIRE, SOUTHBY, tiny_dataset

from needs import load
from needs.assessment.assemble import assess
from needs.assessment.projection import projection, projection_periods
from needs.publish.publication import Publication
from needs.reference import categories as cat

BANDS = list(cat.AGE_BAND_LIMITS)
RATES = {"female": {"16-19": 20.0, "25-34": 10.0}, "male": {"16-19": 8.0, "25-34": 4.0}}
OTHER = {"female": 5.0, "male": 2.0}

#: ONS 2022-based SNPP, migration category variant (2023 geography), the ``All ages`` rows of
#: GitHub MastodonC/witan.population, resources/2022snpppopulationsyoa/
#: 2022snpppopulationsyoamigcat23/2022 SNPP Population females.csv (commit
#: 78070098dfa78592ce1a78785142260448337fac) and ... males.csv (commit
#: f0bbb2ad03c4f36a6e1539c66121add7383d80c4): mid-2023, 2024, 2025, 2026.
SOURCE_ALL_AGES = {
    ("E07000129", "female"): (53692.949, 54257.537, 54781.342, 55274.081),
    ("E07000129", "male"): (51685.679, 52275.478, 52817.756, 53337.825),
    ("E07000130", "female"): (94101.292, 95593.505, 96571.066, 97421.663),
    ("E07000130", "male"): (94651.991, 96192.736, 97140.728, 97933.225),
    ("E07000131", "female"): (51694.835, 52560.943, 53406.611, 54231.785),
    ("E07000131", "male"): (50355.886, 51081.982, 51771.726, 52443.890),
    ("E07000132", "female"): (58380.795, 58864.107, 59299.810, 59739.694),
    ("E07000132", "male"): (56770.357, 57211.219, 57628.902, 58021.804),
    ("E07000133", "female"): (27083.223, 27292.626, 27479.968, 27659.870),
    ("E07000133", "male"): (25599.544, 25703.405, 25807.126, 25891.135),
    ("E07000134", "female"): (55678.291, 56671.286, 57622.962, 58550.735),
    ("E07000134", "male"): (53849.134, 54741.357, 55581.361, 56393.949),
    ("E07000135", "female"): (30490.026, 30768.740, 30930.938, 31072.960),
    ("E07000135", "male"): (28977.974, 29317.500, 29511.807, 29691.943),
}


def _prevalence() -> pd.DataFrame:
    rows = [
        ("2023-24", "new", sex, band, rate, rate - 1, rate + 1)
        for sex in ("female", "male")
        for band in BANDS
        for rate in [RATES[sex].get(band, OTHER[sex])]
    ]
    out = pd.DataFrame(rows, columns=["period", "measure", "sex", "age_band", "rate", "lower", "upper"])
    out["unweighted_base"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["source"] = "hand-made test rates"
    out["source_url"] = None
    return out


def _projection_table(scale_2026: float = 1.0) -> pd.DataFrame:
    people = {  # (area, sex, age): (2025, 2026)
        (NORTHTON, "female", 18): (100, 120), (NORTHTON, "female", 30): (1000, 1100),
        (NORTHTON, "male", 18): (110, 110), (NORTHTON, "male", 30): (900, 800),
        (SOUTHBY, "female", 18): (50, 60), (SOUTHBY, "female", 30): (600, 600),
        (SOUTHBY, "male", 18): (60, 60), (SOUTHBY, "male", 30): (500, 550),
        (NORTHTON, "female", 10): (500, 500), (SOUTHBY, "male", 10): (300, 300),
    }  # fmt: skip
    rows = [
        (area, year, sex, age, float(values[k]) * (scale_2026 if year == 2026 else 1.0))
        for (area, sex, age), values in people.items()
        for k, year in enumerate((2025, 2026))
    ]
    out = pd.DataFrame(rows, columns=["area_code", "year", "sex", "age", "population"])
    out["edition"] = "hand-made test projection"
    return out


def toy(scale_2026: float = 1.0):
    data = tiny_dataset()
    tables = {
        **data.tables,
        "prevalence": _prevalence(),
        "population_projection": _projection_table(scale_2026),
    }
    return replace(data, tables=tables)


def _half(*coefficients: float) -> float:
    """Half-width of a sum of independent estimates with limits +-1 point: sqrt(sum (pop/100)^2)."""
    return math.sqrt(sum((c / 100) ** 2 for c in coefficients))


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame[(frame["area_code"] == SHIRE) & (frame["accommodation_type"] == "all")]
    return rows.set_index("period")


def test_projection_periods_are_the_next_three_financial_years():
    assert projection_periods("2023-24") == ["2024-25", "2025-26", "2026-27"]
    assert projection_periods("2024-25", 2) == ["2025-26", "2026-27"]


def test_projected_expected_victims_hand_worked():
    out = _totals(projection(toy(), "2024-25"))
    # Projection years: 2025-26 -> mid-2025, 2026-27 -> mid-2026; 2027-28 (mid-2027) is not in
    # the table, so it is left out.
    assert list(out.index) == ["2024-25", "2025-26", "2026-27"]
    assert list(out["basis"]) == ["current", "projected", "projected"]
    assert list(out["population_year"]) == [2023, 2025, 2026]
    # 2025: women 16-19 (100+50) x 20% = 30, 25-34 (1000+600) x 10% = 160;
    #       men 16-19 (110+60) x 8% = 13.6, 25-34 (900+500) x 4% = 56.
    assert out.loc["2025-26", "expected_victims"] == pytest.approx(30 + 160 + 13.6 + 56)
    # 2026: (120+60) x 20% = 36, (1100+600) x 10% = 170, (110+60) x 8% = 13.6, (800+550) x 4% = 54.
    assert out.loc["2026-27", "expected_victims"] == pytest.approx(36 + 170 + 13.6 + 54)
    assert out.loc["2025-26", "population_16plus"] == pytest.approx(150 + 1600 + 170 + 1400)
    # The assessed year is the assessment's own (mid-2023 of the fixture, with age 80 in band 75+):
    # 30 + 160 + 300 x 5% + 13.6 + 56 + 230 x 2% = 279.2; the scale is projected / current.
    assert out.loc["2024-25", "expected_victims"] == pytest.approx(279.2)
    assert out.loc["2025-26", "scale"] == pytest.approx(259.6 / 279.2)


def test_prevalence_interval_is_carried_hand_worked():
    out = _totals(projection(toy(), "2024-25"))
    # Each band's rate is its own estimate (+-1 point), shared by the two districts:
    # half-width = sqrt(1.5^2 + 16^2 + 1.7^2 + 14^2) for 2025.
    half = _half(150, 1600, 170, 1400)
    assert out.loc["2025-26", "expected_lower"] == pytest.approx(259.6 - half)
    assert out.loc["2025-26", "expected_upper"] == pytest.approx(259.6 + half)
    assert out.loc["2026-27", "expected_upper"] == pytest.approx(273.6 + _half(180, 1700, 170, 1350))
    assert (out["expected_lower"] <= out["expected_victims"]).all()
    assert (out["expected_victims"] <= out["expected_upper"]).all()
    projected = out[out["basis"] == "projected"]
    assert projected["scale_lower"].to_numpy() == pytest.approx(
        (projected["expected_lower"] / 279.2).to_numpy()
    )
    assert (projected["scale_lower"] <= projected["scale"]).all() and (
        projected["scale"] <= projected["scale_upper"]
    ).all()


def test_units_needed_rise_with_arrivals_and_start_from_the_loss_model():
    out = projection(toy(scale_2026=4.0), "2024-25")
    units = out[(out["area_code"] == SHIRE) & (out["accommodation_type"] != "all")]
    refuge = units[units["accommodation_type"] == "refuge"].set_index("period")
    # The assessed year is the loss model's own units needed (arrivals scaled by 1).
    gaps = assess(toy(), SHIRE, "2024-25").gaps.set_index(["accommodation_type", "specialism"])
    assert refuge.loc["2024-25", "units_needed"] == gaps.loc[("refuge", "generic"), "units_needed"]
    # Four times the population in 2026 -> about four times the expected victims and arrivals.
    assert refuge.loc["2026-27", "scale"] > 3
    assert refuge.loc["2026-27", "units_needed"] > refuge.loc["2025-26", "units_needed"]
    assert (units["units_needed_lower"] <= units["units_needed"]).all()
    assert (units["units_needed"] <= units["units_needed_upper"]).all()
    # Observed arrivals are carried unscaled (the same count as the loss model's).
    assert refuge["arrivals_per_year"].nunique() == 1


def test_area_without_a_complete_projection_has_no_rows():
    data = toy()
    table = data.tables["population_projection"]
    partial = replace(
        data, tables={**data.tables, "population_projection": table[table["area_code"] != SOUTHBY]}
    )
    assert projection(partial, "2024-25").empty  # Southby missing: Shire is not projected on Northton alone
    assert not projection(data, "2024-25")["area_code"].eq("E06000001").any()  # Neighbourton has no rows


def test_absent_table_gives_an_empty_part_and_a_visible_not_provided():
    data = tiny_dataset()
    assert projection(data, "2024-25").empty
    assessment = assess(data, SHIRE, "2024-25")
    assert assessment.projection.empty
    markup = Publication(assessment, data).projection().markup
    assert "Not provided" in markup
    assert "<svg" not in markup  # no chart without a projection


def test_publication_shows_the_projection():
    data = toy()
    markup = Publication(assess(data, SHIRE, "2024-25"), data).projection().markup
    assert "2026-27 (projected)" in markup and "<svg" in markup and "Not provided" not in markup


def test_example_projection_sums_to_the_source_all_ages_rows():
    table = pd.read_csv(DEFAULT_DATA / "population_projection.csv")
    sums = table.groupby(["area_code", "sex", "year"])["population"].sum()
    assert set(table["year"]) == {2023, 2024, 2025, 2026}
    assert set(table["age"]) == set(range(cat.OLDEST_AGE + 1))
    for (area, sex), totals in SOURCE_ALL_AGES.items():
        for year, total in zip((2023, 2024, 2025, 2026), totals, strict=True):
            # 91 values each rounded to 0.001 in the source: the sum is within 91 x 0.0005
            assert sums[(area, sex, year)] == pytest.approx(total, abs=0.05), (area, sex, year)


def test_example_loads_the_projection_and_projects_the_county():
    data = load(DEFAULT_DATA)
    out = projection(data, "2023-24")
    totals = out[out["accommodation_type"] == "all"].set_index("period")
    assert list(totals.index) == ["2023-24", "2024-25", "2025-26", "2026-27"]
    assert set(out["area_code"]) == {"E10000018"}  # Leicester and Rutland have no projection rows
    # The county's population grows in the projection, so its expected victims do too.
    assert totals["population_16plus"].is_monotonic_increasing
    assert totals["expected_victims"].is_monotonic_increasing


def test_the_assessed_years_units_interval_is_the_loss_models_bootstrap():
    """At the assessed year the scale is 1 at both prevalence limits, and each pool's bootstrap
    draws are keyed by the pool, so the projection's interval of units needed is exactly the
    loss-model part's; a projected year's interval is at least as wide at the same scale."""
    data = load(DEFAULT_DATA)
    out = projection(data, "2023-24")
    erlang = assess(data, "E10000018", "2023-24").erlang.set_index(["accommodation_type", "specialism"])
    current = out[(out["period"] == "2023-24") & (out["accommodation_type"] != "all")]
    current = current.set_index(["accommodation_type", "specialism"])
    for column in ("units_needed", "units_needed_lower", "units_needed_upper"):
        assert current[column].astype(float).to_dict() == erlang[column].reindex(current.index).astype(float).to_dict()
    refuge = out[out["accommodation_type"] == "refuge"].set_index("period")
    assert refuge.loc["2026-27", "units_needed_upper"] >= refuge.loc["2023-24", "units_needed_upper"]
