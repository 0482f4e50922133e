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
from fixtures import NEIGHBOUR, NORTHTON, SHIRE, SOUTHBY, tiny_dataset
from scipy.stats import norm

from needs.assessment.population import (
    check_single_measure,
    expected_victims,
    expected_victims_by_band,
    expected_victims_trend,
    population_totals,
    population_year,
    select_prevalence,
)
from needs.errors import InputError


def wilson(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score limits written out (Wilson 1927)."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


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


def test_expected_victims_by_sex_band_and_area():
    result = expected_victims(tiny_dataset(), "2024-25")
    assert list(result.columns[:12]) == [
        "area_code", "geography_code", "geography_name", "level", "sex", "population_16plus",
        "rate", "value", "lower", "upper", "measure", "prevalence_period",
    ]  # fmt: skip
    assert (result["measure"] == "new").all()
    assert (result["prevalence_period"] == "2023-24").all()

    # Women: band 16-19 at 18.0% (17.0-19.0), other bands at the all-adults 9.5% (9.0-10.0).
    north_f = row(result, NORTHTON, "female")
    assert north_f["area_code"] == SHIRE and north_f["level"] == "district"
    assert north_f["geography_name"] == "Northton"
    assert north_f["population_16plus"] == 1300
    assert north_f["value"] == pytest.approx(100 * 0.18 + 1200 * 0.095)  # 132
    assert north_f["lower"] == pytest.approx(100 * 0.17 + 1200 * 0.090)  # 125
    assert north_f["upper"] == pytest.approx(100 * 0.19 + 1200 * 0.100)  # 139

    shire_f = row(result, SHIRE, "female")
    assert shire_f["level"] == "tier_one"
    assert shire_f["value"] == pytest.approx(132 + (50 * 0.18 + 700 * 0.095))  # 207.5
    assert shire_f["lower"] == pytest.approx(125 + (50 * 0.17 + 700 * 0.09))  # 196.5
    assert shire_f["rate"] == pytest.approx(207.5 / 2050 * 100)

    # Men: 6.5% with no published limits but an unweighted base of 2,000 -> Wilson on 130/2000.
    low, high = wilson(130, 2000)
    shire_m = row(result, SHIRE, "male")
    assert shire_m["population_16plus"] == 1160 + 640
    assert shire_m["value"] == pytest.approx(1800 * 0.065)
    assert shire_m["lower"] == pytest.approx(1800 * low)
    assert shire_m["upper"] == pytest.approx(1800 * high)

    # Persons = women + men, limits added (perfect correlation).
    shire_all = row(result, SHIRE, "all")
    assert shire_all["value"] == pytest.approx(207.5 + 117)
    assert shire_all["lower"] == pytest.approx(196.5 + 1800 * low)
    assert shire_all["upper"] == pytest.approx(218.5 + 1800 * high)
    assert shire_all["population_16plus"] == 3850
    assert shire_all["rate"] == pytest.approx(324.5 / 3850 * 100)

    # A unitary has only its tier-one rows.
    neighbour = result[result["area_code"] == NEIGHBOUR]
    assert set(neighbour["level"]) == {"tier_one"}
    assert row(result, NEIGHBOUR, "female")["value"] == pytest.approx(80 * 0.18 + 920 * 0.095)
    # Districts add up to their county.
    districts = result[(result["area_code"] == SHIRE) & (result["level"] == "district")]
    assert districts.groupby("sex")["value"].sum()["all"] == pytest.approx(shire_all["value"])


def test_old_measure_and_earlier_period():
    data = tiny_dataset()
    old = expected_victims(data, "2024-25", measure="old")
    assert row(old, SHIRE, "female")["value"] == pytest.approx(2050 * 0.06)
    assert row(old, SHIRE, "female")["lower"] == pytest.approx(2050 * 0.056)
    assert row(old, SHIRE, "male")["upper"] == pytest.approx(1800 * 0.033)
    earlier = expected_victims(data, "2022-23")
    assert (earlier["measure"] == "old").all() and (earlier["prevalence_period"] == "2022-23").all()
    # 2022 population: each 16+ row 10 lower; women 16+ in Shire 1990.
    women = (100 - 10) + (1000 - 10) + (200 - 10) + (50 - 10) + (600 - 10) + (100 - 10)
    assert row(earlier, SHIRE, "female")["value"] == pytest.approx(women * 0.057)


def test_other_confidence_uses_base_or_gives_missing_limits():
    result = expected_victims(tiny_dataset(), "2024-25", confidence=0.9)
    # Published limits are 95% only; women's rates have no base -> no limits.
    assert np.isnan(row(result, SHIRE, "female")["lower"])
    assert np.isnan(row(result, SHIRE, "all")["upper"])
    low, high = wilson(130, 2000, 0.9)
    assert row(result, SHIRE, "male")["lower"] == pytest.approx(1800 * low)
    assert row(result, SHIRE, "male")["upper"] == pytest.approx(1800 * high)


def test_band_grain_records_which_rate_was_used():
    bands = expected_victims_by_band(tiny_dataset(), "2024-25")
    north = bands[(bands["area_code"] == NORTHTON) & (bands["sex"] == "female")].set_index("age_band")
    assert north.loc["16-19", "rate_age_band"] == "16-19"
    assert north.loc["16-19", "rate"] == 18.0
    assert north.loc["75+", "rate_age_band"] == "all"
    assert north.loc["75+", "value"] == pytest.approx(200 * 0.095)
    assert set(bands.loc[bands["area_code"] == SOUTHBY, "tier_one_code"]) == {SHIRE}


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
    result = expected_victims(data, "2024-25")
    assert row(result, SHIRE, "male")["value"] == pytest.approx(1800 * 0.08)
    assert row(result, SHIRE, "female")["value"] == pytest.approx(207.5)  # women keep their own rates


def test_missing_rate_for_a_sex_is_an_input_error():
    data = tiny_dataset()
    prevalence = data.prevalence
    prevalence = prevalence[~((prevalence["measure"] == "new") & (prevalence["sex"] == "male"))]
    data = replace(data, tables={**data.tables, "prevalence": prevalence})
    with pytest.raises(InputError, match="male"):
        expected_victims(data, "2024-25")


def test_trend_refuses_mixed_question_sets():
    data = tiny_dataset()
    with pytest.raises(InputError, match="not comparable"):
        expected_victims_trend(data, ["2022-23", "2024-25"])
    trend = expected_victims_trend(data, ["2022-23", "2024-25"], measure="old")
    shire = trend[(trend["geography_code"] == SHIRE) & (trend["sex"] == "female")].set_index("period")
    assert shire.loc["2022-23", "value"] == pytest.approx(1990 * 0.057)
    assert shire.loc["2024-25", "value"] == pytest.approx(2050 * 0.06)
    assert set(trend["prevalence_period"]) == {"2022-23", "2023-24"}
    # new rates do not exist for 2022-23
    with pytest.raises(InputError, match="'new'"):
        expected_victims_trend(data, ["2022-23", "2024-25"], measure="new")


def test_check_single_measure():
    assert check_single_measure(["new", "new"]) == "new"
    with pytest.raises(InputError, match="different CSEW question sets"):
        check_single_measure(["old", "new"], what="expected victims")
