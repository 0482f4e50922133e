"""Tests for needs.assessment.population on the hand-listed dataset of tests/fixtures.py.

Expected values are worked by hand from the fixture's population and prevalence tables
(see the fixture docstring): e.g. Northton women 16+ in 2023 are 100 (aged 18, band 16-19)
+ 1000 (30) + 200 (80) = 1,300.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from fixtures import DEFAULT_DATA, NEIGHBOUR, NORTHTON, SHIRE, tiny_dataset
from scipy.stats import norm

from needs import load
from needs.assessment.population import (
    check_single_measure,
    expected_victims,
    expected_victims_by_band,
    expected_victims_trend,
    national_population,
    population_totals,
    population_year,
    prevalence_by_band,
    select_prevalence,
)
from needs.errors import InputError
from needs.reference.constants import CSEW_DESIGN_FACTOR


def row(frame: pd.DataFrame, geography: str, sex: str) -> pd.Series:
    chosen = frame[(frame["geography_code"] == geography) & (frame["sex"] == sex)]
    assert len(chosen) == 1
    return chosen.iloc[0]


def test_population_year_prefers_latest_not_after_period_start():
    data = tiny_dataset()
    assert population_year(data, "2024-25") == 2023
    assert population_year(data, "2023-24") == 2023
    assert population_year(data, "2022-23") == 2022
    assert population_year(data, "2019-20") == 2022  # every year is later: the earliest
    assert population_year(data) == 2023


def test_population_totals_sum_districts():
    totals = population_totals(tiny_dataset(), "2024-25").set_index("area_code")
    # Northton 500+100+1000+200+520+110+900+150 = 3480; Southby 300+50+600+100+310+60+500+80 = 2000
    assert totals.loc[SHIRE, "population"] == 3480 + 2000
    # minus the children aged 10: Northton 500+520, Southby 300+310
    assert totals.loc[SHIRE, "population_16plus"] == (3480 - 1020) + (2000 - 610)
    assert totals.loc[NEIGHBOUR, "population"] == 400 + 80 + 800 + 120 + 420 + 90 + 700 + 100
    assert totals.loc[NEIGHBOUR, "population_16plus"] == 80 + 800 + 120 + 90 + 700 + 100
    assert set(totals.index) == {SHIRE, NEIGHBOUR}
    # 2022 figures are 10 lower on each of Shire's 16 rows (12 of them aged 16+).
    older = population_totals(tiny_dataset(), "2022-23").set_index("area_code")
    assert older.loc[SHIRE, "population"] == 5480 - 160
    assert older.loc[SHIRE, "population_16plus"] == 3850 - 120
    assert (older["population_year"] == 2022).all()


def test_default_measure_is_newest_and_latest_period():
    data = tiny_dataset()
    assert select_prevalence(data, "2024-25") == ("new", "2023-24")
    assert select_prevalence(data, "2024-25", "old") == ("old", "2023-24")
    assert select_prevalence(data, "2022-23") == ("old", "2022-23")
    with pytest.raises(InputError, match="no CSEW rates"):
        select_prevalence(data, "2021-22")
    with pytest.raises(ValueError, match="measure"):
        select_prevalence(data, "2024-25", "newest")


BANDS = ["16-19", "20-24", "25-34", "35-44", "45-54", "55-59", "60-64", "65-74", "75+"]

#: Flat age profile: every band the same relative risk, so modelled rates equal the all-adults rate.
FLAT = pd.DataFrame({"age_band": BANDS, "relative_risk": 1.0})
#: Toy age profile for the hand-worked cases: 16-19 twice, 75+ half the 25-34 risk.
TOY_PROFILE = pd.DataFrame(
    {"age_band": BANDS, "relative_risk": [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]}
)
#: Toy national population, the same for each sex: 100 aged 16-19, 600 aged 25-34, 300 aged 75+.
TOY_NATIONAL = pd.DataFrame(
    {
        "sex": ["female"] * 3 + ["male"] * 3,
        "age_band": ["16-19", "25-34", "75+"] * 2,
        "population": [100.0, 600.0, 300.0] * 2,
    }
)


def with_prevalence(data, rows: list[tuple]) -> object:
    """``data`` with its prevalence table replaced by ``rows`` (period, measure, sex, band, rate,
    lower, upper, unweighted_base)."""
    frame = pd.DataFrame(
        rows, columns=["period", "measure", "sex", "age_band", "rate", "lower", "upper", "unweighted_base"]
    )
    frame["source"] = "hand-made test rates"
    frame["source_url"] = None
    return replace(data, tables={**data.tables, "prevalence": frame})


def test_age_weighted_expected_victims_hand_worked():
    """Two-band-style toy: women have a published 16-19 rate, men only an all-adults rate.

    Women (2023-24 new): R = 9.5, r(16-19) = 18.0; national N = 100 / 600 / 300 (16-19 / 25-34 /
    75+), risk 2 / 1 / 0.5. k = (9.5 x 1000 - 18 x 100) / (600 x 1 + 300 x 0.5) = 7700 / 750, so
    25-34: 10.2667%, 75+: 5.1333%; nationally 1800 + 6160 + 1540 = 9500 = 9.5% of 1000.
    Men: k = 6.5 x 1000 / (100 x 2 + 600 + 150) = 6500 / 950.
    """
    data = tiny_dataset()
    bands = expected_victims_by_band(data, "2024-25", national=TOY_NATIONAL, profile=TOY_PROFILE)
    north = bands[(bands["area_code"] == NORTHTON) & (bands["sex"] == "female")].set_index("age_band")
    k = 7700 / 750
    assert north.loc["16-19", "rate"] == 18.0 and north.loc["16-19", "rate_basis"] == "published"
    assert north.loc["25-34", "rate"] == pytest.approx(k)
    assert north.loc["75+", "rate"] == pytest.approx(k * 0.5)
    assert north.loc["75+", "rate_basis"] == "modelled from age profile"
    assert north.loc["75+", "rate_age_band"] == "all"
    # Northton women: 100 aged 18, 1000 aged 30, 200 aged 80.
    result = expected_victims(data, "2024-25", national=TOY_NATIONAL, profile=TOY_PROFILE)
    north_f = row(result, NORTHTON, "female")
    assert north_f["value"] == pytest.approx(100 * 0.18 + 1000 * k / 100 + 200 * k / 200)  # 130.93
    assert north_f["rate_basis"] == "published and modelled"
    men = 6500 / 950
    shire_m = row(result, SHIRE, "male")  # 110 + 60 aged 18, 900 + 500 aged 30, 150 + 80 aged 80
    assert shire_m["value"] == pytest.approx((170 * 2 * men + 1400 * men + 230 * 0.5 * men) / 100)
    assert shire_m["rate_basis"] == "modelled from age profile"
    # The national population reproduces each published all-adults rate exactly.
    national = prevalence_by_band(data, "2024-25", national=TOY_NATIONAL, profile=TOY_PROFILE)
    merged = national.merge(TOY_NATIONAL, on=["sex", "age_band"])
    totals = (merged["rate"] * merged["population"]).groupby(merged["sex"]).sum() / 1000
    assert totals["female"] == pytest.approx(9.5) and totals["male"] == pytest.approx(6.5)
    oldest = national.set_index(["sex", "age_band"])["relative_prevalence"]
    assert oldest[("male", "75+")] == pytest.approx(0.5 * men / 6.5)


def test_modelled_rates_carry_the_limits_of_every_rate_they_use():
    """Northton women's figure = 14.667 x R - 0.4667 x r(16-19) (+ constants): coefficients
    (1000 x 4/3 + 200 x 2/3) / 100 on R (half-width 0.5) and (100 - 1000 x 2/15 - 200 x 1/15) / 100
    on r(16-19) (half-width 1.0), combined as independent."""
    result = expected_victims(tiny_dataset(), "2024-25", national=TOY_NATIONAL, profile=TOY_PROFILE)
    north_f = row(result, NORTHTON, "female")
    on_all = (1000 * 4 / 3 + 200 * 2 / 3) / 100
    on_band = (100 - 1000 * 2 / 15 - 200 / 15) / 100
    half = math.sqrt((on_all * 0.5) ** 2 + (on_band * 1.0) ** 2)
    assert north_f["value"] - north_f["lower"] == pytest.approx(half)
    assert north_f["upper"] - north_f["value"] == pytest.approx(half)


def test_published_band_rates_never_overlap_the_all_adults_rate():
    """2024-25-style rates (persons 7.8% with 16-19 at 18.2% and 20-24 at 12.9%): the national
    total reproduces 7.8% of the national population exactly, an area with the national age mix
    gets exactly 7.8%, and another differs only through its age mix."""
    data = with_prevalence(
        tiny_dataset(),
        [
            ("2024-25", "new", "all", "all", 7.8, np.nan, np.nan, 17500),
            ("2024-25", "new", "all", "16-19", 18.2, np.nan, np.nan, 450),
            ("2024-25", "new", "all", "20-24", 12.9, np.nan, np.nan, 800),
        ],
    )
    # National population = Shire's own 2023 age x sex mix (Northton + Southby).
    shire = expected_victims_by_band(data, "2024-25", profile=TOY_PROFILE, national=TOY_NATIONAL)
    shire = shire[shire["tier_one_code"] == SHIRE]
    national = shire.groupby(["sex", "age_band"], as_index=False)["population"].sum()
    result = expected_victims(data, "2024-25", national=national, profile=TOY_PROFILE)
    shire_all = row(result, SHIRE, "all")
    assert shire_all["value"] == pytest.approx(0.078 * 3850)  # no double counting
    rates = prevalence_by_band(data, "2024-25", national=national, profile=TOY_PROFILE)
    merged = rates.merge(national, on=["sex", "age_band"])
    assert (merged["rate"] * merged["population"]).sum() / merged["population"].sum() == pytest.approx(7.8)
    assert (rates.loc[rates["age_band"] == "16-19", "rate"] == 18.2).all()
    # Neighbourton: 170 aged 18 at 18.2%, 1500 aged 30 and 220 aged 80 at modelled rates.
    table = rates[rates["sex"] == "female"].set_index("age_band")["rate"]
    expected = (170 * 18.2 + 1500 * table["25-34"] + 220 * table["75+"]) / 100
    assert row(result, NEIGHBOUR, "all")["value"] == pytest.approx(expected)
    assert row(result, NEIGHBOUR, "all")["value"] != pytest.approx(0.078 * 1890)
    # The old double count (band rates and 7.8% for every other band) is gone:
    assert row(result, NEIGHBOUR, "all")["rate_basis"] == "published and modelled"


def test_sexes_combined_as_independent_hand_worked():
    """Women +-3 victims and men +-4 combine to +-5 (sqrt(9 + 16)), not +-7."""
    data = with_prevalence(
        tiny_dataset(),
        [
            ("2023-24", "new", "female", "all", 10.0, 9.7, 10.3, np.nan),  # 1000 women: +-3
            ("2023-24", "new", "male", "all", 5.0, 5.0 - 400 / 890, 5.0 + 400 / 890, np.nan),  # 890 men: +-4
        ],
    )
    result = expected_victims(data, "2024-25", national=TOY_NATIONAL, profile=FLAT)
    women, men, persons = (row(result, NEIGHBOUR, sex) for sex in ("female", "male", "all"))
    assert women["upper"] - women["value"] == pytest.approx(3)
    assert men["value"] - men["lower"] == pytest.approx(4)
    assert persons["value"] == pytest.approx(100 + 44.5)
    assert persons["upper"] - persons["value"] == pytest.approx(5)
    assert persons["value"] - persons["lower"] == pytest.approx(5)
    # Districts share the national rate, so their errors add (not combined as independent).
    shire_f = row(result, SHIRE, "female")
    assert shire_f["upper"] - shire_f["value"] == pytest.approx(2050 * 0.003)


def test_design_effect_interval_hand_worked():
    """Men 6.5% on an unweighted base of 2,000, deft 1.2: half-width = 1.96 x 1.2 x
    sqrt(0.065 x 0.935 / 2000) = 1.2966 percentage points; Shire's 1,800 men +-23.34."""
    assert CSEW_DESIGN_FACTOR == 1.2
    half = norm.ppf(0.975) * 1.2 * math.sqrt(0.065 * 0.935 / 2000) * 100
    assert half == pytest.approx(1.2966, abs=1e-4)
    result = expected_victims(tiny_dataset(), "2024-25", national=TOY_NATIONAL, profile=FLAT)
    shire_m = row(result, SHIRE, "male")
    assert shire_m["value"] == pytest.approx(1800 * 0.065)
    assert shire_m["lower"] == pytest.approx(1800 * (6.5 - half) / 100)
    assert shire_m["upper"] == pytest.approx(1800 * (6.5 + half) / 100)


def test_expected_victims_by_sex_band_and_area():
    result = expected_victims(tiny_dataset(), "2024-25", national=TOY_NATIONAL, profile=FLAT)
    assert list(result.columns[:12]) == [
        "area_code", "geography_code", "geography_name", "level", "sex", "population_16plus",
        "rate", "value", "lower", "upper", "measure", "prevalence_period",
    ]  # fmt: skip
    assert (result["measure"] == "new").all()
    assert (result["prevalence_period"] == "2023-24").all()
    # Flat profile: women's 16-19 at 18.0%, the rest at k = (9.5 x 1000 - 1800) / 900.
    k = 7700 / 900
    north_f = row(result, NORTHTON, "female")
    assert north_f["area_code"] == SHIRE and north_f["level"] == "district"
    assert north_f["geography_name"] == "Northton"
    assert north_f["population_16plus"] == 1300
    assert north_f["value"] == pytest.approx(100 * 0.18 + 1200 * k / 100)
    shire_f = row(result, SHIRE, "female")
    assert shire_f["level"] == "tier_one"
    assert shire_f["value"] == pytest.approx(150 * 0.18 + 1900 * k / 100)
    assert shire_f["rate"] == pytest.approx(shire_f["value"] / 2050 * 100)
    shire_all = row(result, SHIRE, "all")
    assert shire_all["value"] == pytest.approx(shire_f["value"] + 1800 * 0.065)
    assert shire_all["population_16plus"] == 3850
    # A unitary has only its tier-one rows; districts add up to their county.
    neighbour = result[result["area_code"] == NEIGHBOUR]
    assert set(neighbour["level"]) == {"tier_one"}
    districts = result[(result["area_code"] == SHIRE) & (result["level"] == "district")]
    assert districts.groupby("sex")["value"].sum()["all"] == pytest.approx(shire_all["value"])
    assert districts.groupby("sex")["population_16plus"].sum()["all"] == 3850


def test_old_measure_and_earlier_period():
    data = tiny_dataset()
    old = expected_victims(data, "2024-25", measure="old", profile=FLAT)
    assert row(old, SHIRE, "female")["value"] == pytest.approx(2050 * 0.06)
    assert row(old, SHIRE, "female")["lower"] == pytest.approx(2050 * 0.056)
    assert row(old, SHIRE, "male")["upper"] == pytest.approx(1800 * 0.033)
    earlier = expected_victims(data, "2022-23", profile=FLAT)
    assert (earlier["measure"] == "old").all() and (earlier["prevalence_period"] == "2022-23").all()
    women = (100 - 10) + (1000 - 10) + (200 - 10) + (50 - 10) + (600 - 10) + (100 - 10)
    assert row(earlier, SHIRE, "female")["value"] == pytest.approx(women * 0.057)


def test_other_confidence_rescales_published_limits_and_uses_base():
    result = expected_victims(tiny_dataset(), "2024-25", measure="old", confidence=0.9, profile=FLAT)
    scale = norm.ppf(0.95) / norm.ppf(0.975)
    assert row(result, SHIRE, "female")["lower"] == pytest.approx(2050 * (6.0 - 0.4 * scale) / 100)
    new = expected_victims(tiny_dataset(), "2024-25", confidence=0.9, national=TOY_NATIONAL, profile=FLAT)
    half = norm.ppf(0.95) * 1.2 * math.sqrt(0.065 * 0.935 / 2000) * 100
    assert row(new, SHIRE, "male")["upper"] == pytest.approx(1800 * (6.5 + half) / 100)


def test_missing_limits_leave_the_interval_missing():
    data = with_prevalence(
        tiny_dataset(),
        [
            ("2023-24", "new", "female", "all", 9.5, np.nan, np.nan, np.nan),
            ("2023-24", "new", "male", "all", 6.5, np.nan, np.nan, 2000),
        ],
    )
    result = expected_victims(data, "2024-25", profile=FLAT)
    assert np.isnan(row(result, SHIRE, "female")["lower"])
    assert np.isnan(row(result, SHIRE, "all")["upper"])
    assert not np.isnan(row(result, SHIRE, "male")["upper"])


def test_persons_rate_used_only_when_no_sex_rate():
    data = tiny_dataset()
    prevalence = data.prevalence
    prevalence = prevalence[~((prevalence["measure"] == "new") & (prevalence["sex"] == "male"))]
    extra = prevalence.iloc[[0]].assign(
        period="2023-24", measure="new", sex="all", age_band="all", rate=8.0, lower=7.5, upper=8.5
    )
    data = replace(
        data, tables={**data.tables, "prevalence": pd.concat([prevalence, extra], ignore_index=True)}
    )
    result = expected_victims(data, "2024-25", national=TOY_NATIONAL, profile=FLAT)
    assert row(result, SHIRE, "male")["value"] == pytest.approx(1800 * 0.08)
    assert row(result, SHIRE, "female")["value"] == pytest.approx(150 * 0.18 + 1900 * 7700 / 900 / 100)


def test_missing_rate_for_a_sex_is_an_input_error():
    data = tiny_dataset()
    prevalence = data.prevalence
    prevalence = prevalence[~((prevalence["measure"] == "new") & (prevalence["sex"] == "male"))]
    data = replace(data, tables={**data.tables, "prevalence": prevalence})
    with pytest.raises(InputError, match="male"):
        expected_victims(data, "2024-25")


def test_band_rates_exceeding_the_total_are_an_input_error():
    data = with_prevalence(
        tiny_dataset(),
        [
            ("2023-24", "new", "all", "all", 1.0, np.nan, np.nan, np.nan),
            ("2023-24", "new", "all", "25-34", 30.0, np.nan, np.nan, np.nan),
        ],
    )
    with pytest.raises(InputError, match="cannot be modelled"):
        expected_victims(data, "2024-25", national=TOY_NATIONAL, profile=TOY_PROFILE)


def test_trend_refuses_mixed_question_sets():
    data = tiny_dataset()
    with pytest.raises(InputError, match="not comparable"):
        expected_victims_trend(data, ["2022-23", "2024-25"])
    trend = expected_victims_trend(data, ["2022-23", "2024-25"], measure="old", profile=FLAT)
    shire = trend[(trend["geography_code"] == SHIRE) & (trend["sex"] == "female")].set_index("period")
    assert shire.loc["2022-23", "value"] == pytest.approx(1990 * 0.057)
    assert shire.loc["2024-25", "value"] == pytest.approx(2050 * 0.06)
    assert set(trend["prevalence_period"]) == {"2022-23", "2023-24"}
    with pytest.raises(InputError, match="'new'"):
        expected_victims_trend(data, ["2022-23", "2024-25"], measure="new")


def test_example_rates_reproduce_national_rates_and_fall_with_age():
    """On the shipped example and resources: 2024-25 reproduces 7.8% nationally (no double
    counting), young bands as published, the oldest bands below the all-adults rate; the
    area's total differs from 7.8% x population only through its age and sex mix."""
    data = load(DEFAULT_DATA)
    rates = prevalence_by_band(data, "2024-25")
    national = national_population()
    merged = rates.merge(national, on=["sex", "age_band"])
    assert (merged["rate"] * merged["population"]).sum() / merged["population"].sum() == pytest.approx(7.8)
    by_band = rates.set_index(["sex", "age_band"])
    assert by_band.loc[("female", "16-19"), "rate_basis"] == "published"
    assert by_band.loc[("female", "16-19"), "rate"] == 18.2
    assert by_band.loc[("female", "75+"), "rate"] < 7.8 < by_band.loc[("female", "25-34"), "rate"] * 1.5
    bands = expected_victims_by_band(data, "2024-25")
    result = expected_victims(data, "2024-25")
    tier = result[(result["level"] == "tier_one") & (result["sex"] == "all")].set_index("area_code")
    summed = bands.groupby("tier_one_code")["value"].sum()
    assert tier["value"].to_numpy() == pytest.approx(summed.reindex(tier.index).to_numpy())
    assert (tier["lower"] < tier["value"]).all() and (tier["value"] < tier["upper"]).all()
    # 2023-24 has no band rates: every band modelled, women's and men's national rates reproduced.
    earlier = prevalence_by_band(data, "2023-24").merge(national, on=["sex", "age_band"])
    assert set(earlier["rate_basis"]) == {"modelled from age profile"}
    for sex, published in (("female", 9.5), ("male", 6.5)):
        part = earlier[earlier["sex"] == sex]
        assert (part["rate"] * part["population"]).sum() / part["population"].sum() == pytest.approx(
            published
        )


def test_check_single_measure():
    assert check_single_measure(["new", "new"]) == "new"
    with pytest.raises(InputError, match="different CSEW question sets"):
        check_single_measure(["old", "new"], what="expected victims")


def test_national_population_has_englands_census_margins():
    """The population the age profile is scaled on: England's Census 2021 residents aged 16+
    by sex (23,719,833 women, 22,287,125 men) and by age group (e.g. 5,989,233 aged 16-24,
    4,837,158 aged 75 and over; ONS C21_SO_FURTHER_CHAR Table 4b), the two margins agreeing to
    within 2 people, with 16-24 split into CSEW's 16-19 and 20-24 as in the shipped profile."""
    national = national_population()
    by_sex = national.groupby("sex")["population"].sum()
    assert by_sex["female"] == pytest.approx(23_719_833, abs=5)
    assert by_sex["male"] == pytest.approx(22_287_125, abs=5)
    by_band = national.groupby("age_band")["population"].sum()
    assert by_band["16-19"] + by_band["20-24"] == pytest.approx(5_989_233, abs=5)
    assert by_band["75+"] == pytest.approx(4_837_158, abs=5)
    assert national["population"].sum() == pytest.approx(46_006_957, abs=5)
