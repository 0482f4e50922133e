"""Tests for needs.assessment.representation on the hand-listed dataset of tests/fixtures.py.

Counts are read off the fixture's referral list by hand. Shire (E10000001), 2024-25:

- referred (referrals made in 2024-25 to Shire services): H01-H09, nine households. H02 was
  referred twice; its later referral (R03) gives its characteristics.
- supported (accepted, support overlapping 2024-25): H01, H02, H03, H05, H09 and H10 (referred
  in 2023-24, supported until 1 May 2024): six households.

Expected shares are worked from the population and prevalence tables (sex: women 207.5, men
117.0 expected victims) and the Census profile (disability: disabled (300 + 150) x 2 = 900
against not disabled 1000 + 650 = 1650).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fixtures import NEIGHBOUR, SHIRE, tiny_dataset
from scipy.stats import chi2, norm

from needs.assessment.representation import representation
from needs.inputs.dataset import Dataset
from needs.inputs.load import load
from needs.reference import categories as cat


def wilson(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    z = norm.ppf(1 - (1 - confidence) / 2)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


@pytest.fixture(scope="module")
def parts():
    return representation(tiny_dataset(), "2024-25")


def pick(
    frame: pd.DataFrame, area: str, characteristic: str, basis: str, category: str | None = None
) -> pd.Series:
    chosen = frame[
        (frame["area_code"] == area) & (frame["characteristic"] == characteristic) & (frame["basis"] == basis)
    ]
    if category is not None:
        chosen = chosen[chosen["category"] == category]
    assert len(chosen) == 1
    return chosen.iloc[0]


def test_columns(parts):
    rep, fit, not_known = parts
    assert list(rep.columns) == [
        "area_code", "characteristic", "category", "basis", "expected_share", "observed_count",
        "observed_total", "observed_share", "lower", "upper", "ratio", "ratio_lower", "ratio_upper",
        "under_reached",
    ]  # fmt: skip
    assert list(fit.columns) == [
        "area_code", "characteristic", "basis", "statistic", "dof", "p_value", "small_expected"
    ]  # fmt: skip
    assert list(not_known.columns) == ["area_code", "characteristic", "basis", "count", "total", "share"]
    assert set(rep["area_code"]) == {SHIRE, NEIGHBOUR}
    assert rep["under_reached"].dtype == bool


def test_sex_shares_against_expected_victims(parts):
    rep, _, _ = parts
    expected_male = 117.0 / 324.5
    male = pick(rep, SHIRE, "sex", "supported", "male")
    assert male["observed_count"] == 1 and male["observed_total"] == 6
    assert male["observed_share"] == pytest.approx(1 / 6)
    low, high = wilson(1, 6)
    assert (male["lower"], male["upper"]) == pytest.approx((low, high))
    assert male["expected_share"] == pytest.approx(expected_male)
    assert male["ratio"] == pytest.approx((1 / 6) / expected_male)
    assert male["ratio_lower"] == pytest.approx(low / expected_male)
    assert male["ratio_upper"] == pytest.approx(high / expected_male)
    assert not male["under_reached"]  # upper limit 1.56 is above 1

    # Referred: H08's sex is not known, so shares are among the 8 known.
    female = pick(rep, SHIRE, "sex", "referred", "female")
    assert (female["observed_count"], female["observed_total"]) == (6, 8)
    assert female["expected_share"] == pytest.approx(207.5 / 324.5)


def test_household_counted_once_with_latest_referral(parts):
    rep, _, not_known = parts
    # H02: R02 disability not known, R03 disabled -> disabled. Disabled referred: H01, H02, H06, H09.
    disabled = pick(rep, SHIRE, "disability", "referred", "disabled")
    assert (disabled["observed_count"], disabled["observed_total"]) == (4, 9)
    assert pick(not_known, SHIRE, "disability", "referred")["count"] == 0
    assert disabled["expected_share"] == pytest.approx(900 / 2550)


def test_census_profile_weighted_by_relative_prevalence(parts):
    rep, _, _ = parts
    # white_british 1600, asian (200 + 100) x 0.8 = 240, black 150, mixed 50, other 50: total 2090
    asian = pick(rep, SHIRE, "ethnic_group", "referred", "asian")
    assert asian["expected_share"] == pytest.approx(240 / 2090)
    assert (asian["observed_count"], asian["observed_total"]) == (1, 8)  # H04 not known
    irish = pick(rep, SHIRE, "ethnic_group", "referred", "white_irish")
    assert irish["expected_share"] == 0 and np.isnan(irish["ratio"])
    # Neighbourton has no ethnic-group profile: no expected share; its disability profile is unweighted.
    assert np.isnan(pick(rep, NEIGHBOUR, "ethnic_group", "referred", "white_british")["expected_share"])
    assert pick(rep, NEIGHBOUR, "disability", "supported", "disabled")["expected_share"] == pytest.approx(0.2)


def test_age_band_expected_from_band_rates(parts):
    rep, _, _ = parts
    # 25-34: women 1600 x 9.5% = 152, men 1400 x 6.5% = 91 of 324.5 expected victims.
    band = pick(rep, SHIRE, "age_band", "referred", "25-34")
    assert band["expected_share"] == pytest.approx(243 / 324.5)
    assert (band["observed_count"], band["observed_total"]) == (6, 8)  # H07 not known
    young = pick(rep, SHIRE, "age_band", "referred", "16-19")
    assert young["expected_share"] == pytest.approx((150 * 0.18 + 170 * 0.065) / 324.5)


def test_no_population_profile_for_pregnancy_and_needs(parts):
    rep, _, _ = parts
    pregnant = pick(rep, SHIRE, "pregnant", "supported", "yes")
    assert (pregnant["observed_count"], pregnant["observed_total"]) == (1, 6)
    assert np.isnan(pregnant["expected_share"]) and np.isnan(pregnant["ratio"])
    assert not pregnant["under_reached"]
    # Mental health: H01 and H05 yes; H02, H03, H10 no; H09 not known.
    mental = pick(rep, SHIRE, "need_mental_health", "supported", "yes")
    assert (mental["observed_count"], mental["observed_total"]) == (2, 5)
    low, high = wilson(2, 5)
    assert (mental["lower"], mental["upper"]) == pytest.approx((low, high))


def test_not_known_reported(parts):
    _, _, not_known = parts
    ethnic = pick(not_known, SHIRE, "ethnic_group", "referred")
    assert (ethnic["count"], ethnic["total"]) == (1, 9)
    assert ethnic["share"] == pytest.approx(1 / 9)
    religion = pick(not_known, SHIRE, "religion", "supported")
    assert (religion["count"], religion["total"], religion["share"]) == (6, 6, 1.0)
    # Neighbourton: H16, H17, H19 referred; H16, H19 supported (H18's support ended March 2024).
    assert pick(not_known, NEIGHBOUR, "religion", "referred")["total"] == 3
    assert pick(not_known, NEIGHBOUR, "religion", "supported")["total"] == 2


def test_all_values_not_known_gives_missing_shares(parts):
    rep, fit, _ = parts
    religion = rep[(rep["area_code"] == SHIRE) & (rep["characteristic"] == "religion")]
    assert (religion["observed_total"] == 0).all()
    assert religion["observed_share"].isna().all()
    assert not (fit["characteristic"] == "religion").any()
    assert not (fit["characteristic"] == "pregnant").any()


def test_goodness_of_fit(parts):
    _, fit, _ = parts
    sex = pick(fit, SHIRE, "sex", "supported")
    expected = np.array([207.5, 117.0]) / 324.5 * 6
    statistic = (5 - expected[0]) ** 2 / expected[0] + (1 - expected[1]) ** 2 / expected[1]
    assert sex["statistic"] == pytest.approx(statistic)
    assert sex["dof"] == 1
    assert sex["p_value"] == pytest.approx(chi2.sf(statistic, 1))
    assert bool(sex["small_expected"])  # 6 x 117 / 324.5 = 2.2 < 5
    # Age bands with expected share 0 and nobody observed are left out: 16-19, 25-34, 75+.
    age = pick(fit, SHIRE, "age_band", "referred")
    assert age["dof"] == 2
    weights = np.array([38.05, 243.0, 43.45]) / 324.5 * 8
    observed = np.array([1, 6, 1])
    assert age["statistic"] == pytest.approx(((observed - weights) ** 2 / weights).sum())
    assert pick(fit, SHIRE, "ethnic_group", "referred")["dof"] == 4


def test_categorical_columns_give_the_same_result(parts):
    data = tiny_dataset()
    tables = dict(data.tables)
    referrals = tables["referrals"].copy()
    for column in ("sex", "age_band", "ethnic_group", "disability", "outcome", "pregnant"):
        referrals[column] = referrals[column].astype("category")
    tables["referrals"] = referrals
    tables["services"] = tables["services"].astype(
        {"accommodation_type": "category", "specialism": "category"}
    )
    rep, fit, not_known = representation(Dataset(tables=tables), "2024-25")
    pd.testing.assert_frame_equal(rep, parts[0])
    pd.testing.assert_frame_equal(fit, parts[1])
    pd.testing.assert_frame_equal(not_known, parts[2])


def test_under_reached_flag():
    data = tiny_dataset()
    tables = dict(data.tables)
    referrals = tables["referrals"].copy()
    # Make every 2024-25 household referred to Shire female: men expected 36%, observed 0 of 8.
    referrals.loc[referrals["household_id"].isin(["H03", "H06", "H08"]), "sex"] = "female"
    tables["referrals"] = referrals
    rep, _, _ = representation(Dataset(tables=tables), "2024-25")
    male = pick(rep, SHIRE, "sex", "referred", "male")
    assert male["observed_count"] == 0 and male["observed_total"] == 9
    _, high = wilson(0, 9)
    assert male["ratio_upper"] == pytest.approx(high / (117 / 324.5))  # 0.30 / 0.36 = 0.83
    assert male["under_reached"]


def test_example_lists_gypsy_or_irish_traveller_roma_and_other_white_apart(example_folder):
    """The example's ethnic-group rows have the three White groups the 8 Census categories merge.
    They carry the same relative prevalence weight, so their expected shares are in the ratio of
    the seven districts' Census 16+ counts in characteristics.csv."""
    rep, _, _ = representation(load(example_folder), "2023-24")
    ethnic = rep[
        (rep["area_code"] == "E10000018")
        & (rep["characteristic"] == "ethnic_group")
        & (rep["basis"] == "referred")
    ].set_index("category")
    assert set(cat.WHITE_OTHER_SUBGROUPS) <= set(ethnic.index)
    assert "white_gypsy_roma_other" not in ethnic.index
    chars = pd.read_csv(example_folder / "characteristics.csv")
    county = chars[chars["area_code"].str.startswith("E07")].groupby("category")["count"].sum()
    for code in ("white_gypsy_irish_traveller", "white_roma"):
        ratio = ethnic.loc[code, "expected_share"] / ethnic.loc["white_other", "expected_share"]
        assert ratio == pytest.approx(county[code] / county["white_other"])
    assert (ethnic.loc[list(cat.WHITE_OTHER_SUBGROUPS), "observed_count"] > 0).all()
