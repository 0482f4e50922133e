"""Tests of the synthetic data generator and of the embedded example it made."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest
from fixtures import ROOT

import needs.synth as synth
from needs.assessment.counting import individuals_supported, referrals_in_context
from needs.cli.synth import run as cli_synth
from needs.inputs.dataset import Dataset
from needs.inputs.load import load
from needs.reference import categories as cat
from needs.reference import schema
from needs.reference.locations import resource
from needs.synth.households import WHITE_OTHER_MERGED, split_white_other

EXAMPLE = ROOT / "data" / "example"


@pytest.fixture(scope="module")
def example() -> Dataset:
    return load(EXAMPLE)


@pytest.fixture(scope="module")
def national() -> dict[str, pd.DataFrame]:
    return synth.national_dataset(n_referrals=20_000, seed=7)


def assert_referral_rules(referrals: pd.DataFrame) -> None:
    """The schema's date and outcome rules, as vectorised checks."""
    outcome = referrals["outcome"].astype(str)
    date = pd.to_datetime(referrals["date"])
    start = pd.to_datetime(referrals["support_start"])
    end = pd.to_datetime(referrals["support_end"])
    accepted = outcome == "accepted_supported"
    unable = outcome == "unable_to_support"
    assert (start.notna() == accepted).all(), "support_start only and always for accepted_supported"
    assert (referrals["decline_reason"].notna() == unable).all(), "decline_reason only and always when unable"
    assert (start[accepted] >= date[accepted]).all()
    assert (end[end.notna()] >= start[end.notna()]).all()
    assert end[end.notna()].index.isin(start[start.notna()].index).all()
    assert (referrals["end_reason"].notna() == end.notna()).all(), (
        "end_reason only and always with support_end"
    )
    assert referrals["referral_id"].is_unique
    assert (referrals["children"] >= 0).all()
    for column in schema.TABLES["referrals"].columns:
        if column.kind == "category":
            values = referrals[column.name].dropna().astype(str)
            assert values.isin(column.categories.codes).all(), column.name
            if not column.nullable:
                assert referrals[column.name].notna().all(), column.name


# --------------------------------------------------------------------------------------
# The embedded example
# --------------------------------------------------------------------------------------


def test_example_is_calibrated_to_the_published_victims_supported(example):
    # Leicestershire County Council's published figures: 97 victims supported in 2022-23
    # and 1,257 in 2023-24 (lead victims plus children, households counted once).
    assert individuals_supported(example, "2022-23", "E10000018") == 97
    assert individuals_supported(example, "2023-24", "E10000018") == 1257


def test_example_is_demonstration_data_with_records_that_follow_the_rules(example):
    assert example.demonstration
    assert_referral_rules(example.referrals)


def test_example_has_findings_to_show(example):
    referrals = referrals_in_context(example)
    county = referrals[referrals["host_tier_one"] == "E10000018"]
    # Capacity declines, repeat referrals, flows both ways and some not_known everywhere.
    assert (county["decline_reason"].astype(str) == "no_capacity_space").sum() > 0
    assert (referrals["household_id"].value_counts() > 1).any()
    assert (county["origin_tier_one"] != "E10000018").any()
    residents = referrals[referrals["origin_tier_one"] == "E10000018"]
    assert (residents["host_tier_one"] != "E10000018").any()
    for column in ("sex", "age_band", "ethnic_group", "religion", "sexual_orientation", "disability"):
        assert (referrals[column].astype(str) == cat.NOT_KNOWN).any(), column


def test_example_spend_plan_and_grant(example):
    services = example.services
    accommodation = services[services["name"].str.contains("part of: Refuge and dispersed accommodation")]
    # The £250,000 contract over its two-year initial term, split into four services.
    assert len(accommodation) == 4
    assert accommodation["annual_cost"].sum() == pytest.approx(250_000 / 2)
    coordinator = services.loc[services["name"] == "Domestic Abuse Act Coordinator", "annual_cost"]
    assert coordinator.iloc[0] == pytest.approx(95_062 / 2)
    assert (services["status"].astype(str) == "not_yet_in_place").any()
    grant = example.funding.set_index("period")["amount"]
    assert grant["2023-24"] == 1_152_936


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------


def _small(seed: int) -> pd.DataFrame:
    tables = synth.example_tables(EXAMPLE)
    return synth.synthesise_referrals(
        tables["areas"],
        tables["population"],
        tables["services"],
        ["2023-24"],
        characteristics=tables["characteristics"],
        prevalence=tables["prevalence"],
        households=600,
        seed=seed,
    )


def test_same_seed_gives_identical_data_and_another_seed_different_data():
    first, again, other = _small(11), _small(11), _small(12)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert_referral_rules(first)


def test_exact_number_of_referrals_is_returned():
    tables = synth.example_tables(EXAMPLE)
    referrals = synth.synthesise_referrals(
        tables["areas"], tables["population"], tables["services"], ["2023-24"], n_referrals=1234, seed=3
    )
    assert len(referrals) == 1234


def test_national_dataset_covers_every_tier_one_area(national):
    reference = pd.read_csv(resource("england_upper_tier_areas.csv"))
    areas = national["areas"]
    assert set(reference["area_code"]) <= set(areas["area_code"])
    london = areas[areas["area_code"].str.startswith("E09")]
    assert len(london) == 33
    assert (london["area_type"] == "london_borough").all() and (london["parent_code"] == "E61000001").all()
    gla = areas.set_index("area_code").loc["E61000001"]
    assert gla["area_type"] == "greater_london_authority"
    dataset = Dataset(tables=national)
    tier_one = set(dataset.tier_one_areas()["area_code"])
    # 153 upper-tier areas, less the 33 London areas, plus the GLA.
    assert len(tier_one) == 153 - 33 + 1
    hosts = set(referrals_in_context(dataset)["host_tier_one"])
    assert hosts == tier_one
    # Real mid-2023 totals: a county's people live in its districts.
    parents = areas.set_index("area_code")["parent_code"]
    population = national["population"].groupby("area_code")["population"].sum()
    county_of = parents.reindex(population.index).where(lambda p: p.str.startswith("E10", na=False))
    tier = population.groupby(county_of.fillna(pd.Series(population.index, index=population.index))).sum()
    stated = reference.set_index("area_code")["population"]
    assert (tier.reindex(stated.index) == stated).all()


def test_national_counties_have_their_districts(national):
    """Counties have their real districts (ONS codes), as a real county's dataset does."""
    areas = national["areas"].set_index("area_code")
    districts = areas[areas["area_type"] == "district"]
    assert len(districts) == 164  # the districts of England's 21 counties, April 2023
    assert districts["parent_code"].nunique() == 21
    leicestershire = sorted(districts.index[districts["parent_code"] == "E10000018"])
    assert leicestershire == [f"E070001{n}" for n in range(29, 36)]  # Blaby ... Oadby and Wigston
    assert districts.loc["E07000244", "area_name"] == "East Suffolk"
    # Nobody lives in a county itself, and its services are hosted in one of its districts.
    population = national["population"]
    assert not population["area_code"].isin(areas.index[areas["area_type"] == "county"]).any()
    hosts = national["services"].set_index("service_id")["host_area_code"]
    assert set(hosts[hosts.index.str.startswith("E10000018")]) <= set(leicestershire)


def test_national_dataset_has_the_requested_records_and_follows_the_rules(national):
    referrals = national["referrals"]
    assert len(referrals) == 20_000
    assert_referral_rules(referrals)
    assert set(referrals["service_id"]) <= set(national["services"]["service_id"])
    assert set(referrals["origin_area_code"]) <= set(national["areas"]["area_code"])


def test_national_patterns_are_roughly_those_published(national):
    referrals = national["referrals"]
    households = referrals.drop_duplicates("household_id")
    # Children per household about 0.65 (children 39% of individuals, MHCLG 2023-24).
    assert 0.55 < households["children"].mean() < 0.75
    female = (households["sex"].astype(str) == "female").mean()
    assert 0.85 < female < 0.97
    declines = referrals["decline_reason"].dropna().astype(str)
    capacity_share = (declines == "no_capacity_space").mean()
    assert 0.2 < capacity_share < 0.7


def test_written_dataset_loads_and_validates(tmp_path, national):
    small = {name: frame for name, frame in national.items()}
    synth.write_dataset(small, tmp_path, {"title": "test", "demonstration": True})
    loaded = load(tmp_path)
    assert len(loaded.referrals) == 20_000
    assert loaded.demonstration


def test_cli_synth_writes_a_folder(tmp_path):
    args = argparse.Namespace(out=tmp_path / "out", national=True, referrals=3000, seed=5)
    assert cli_synth(args) == 0
    assert (tmp_path / "out" / "referrals.csv").exists()
    written = pd.read_csv(tmp_path / "out" / "referrals.csv")
    assert len(written) == 3000
    assert np.all(written["referral_id"].str.match(r"^R\d{7}$"))


def test_a_single_area_without_neighbours_keeps_every_referral_in_area():
    tables = synth.example_tables()
    rutland = "E06000017"
    referrals = synth.synthesise_referrals(
        tables["areas"][tables["areas"]["area_code"] == rutland],
        tables["population"][tables["population"]["area_code"] == rutland],
        tables["services"][tables["services"]["host_area_code"] == rutland],
        ["2023-24"],
        characteristics=tables["characteristics"],
        prevalence=tables["prevalence"],
        neighbours=pd.DataFrame(columns=["area_code", "origin_code", "weight"]),
        seed=1,
    )
    assert len(referrals) > 0
    assert set(referrals["origin_area_code"].astype(str)) == {rutland}


# --------------------------------------------------------------------------------------
# The merged 8-category White group, split into Gypsy or Irish Traveller, Roma and Other White
# --------------------------------------------------------------------------------------

MERGED = WHITE_OTHER_MERGED
GRT = "gypsy_roma_traveller"


def _white_counts(rows: dict[str, tuple[int, int, int]]) -> pd.DataFrame:
    """Characteristics rows: area -> counts of (Gypsy or Irish Traveller, Roma, Other White)."""
    return pd.DataFrame(
        [
            {"area_code": area, "characteristic": "ethnic_group", "category": code, "count": n}
            for area, counts in rows.items()
            for code, n in zip(cat.WHITE_OTHER_SUBGROUPS, counts, strict=True)
        ]
    )


def test_white_other_split_follows_the_origin_and_keeps_grt_service_clients_in_grt_groups():
    """Area A has only Other White, area B Gypsy or Irish Traveller 30 and Roma 10. Merged
    entries from A become Other White, except the GRT service's, which (A having no GRT
    counts) follow England's Gypsy or Irish Traveller : Roma; entries from B are Gypsy or Irish
    Traveller with probability 30/40 = 0.75, else Roma. Entries not merged are untouched."""
    n = 4000
    origin = np.repeat([0, 1], n // 2)
    ethnic = np.full(n, MERGED, dtype=object)
    ethnic[::50] = "asian"
    specialism = np.full(n, "generic", dtype=object)
    specialism[1000:2000] = GRT
    chars = _white_counts({"A": (0, 0, 50), "B": (30, 10, 0)})
    codes = np.array(["A", "B"])
    out = split_white_other(np.random.default_rng([5, 19]), ethnic, origin, specialism, codes, chars)
    merged = ethnic == MERGED
    assert (out[~merged] == "asian").all()
    assert set(out[merged]) <= set(cat.WHITE_OTHER_SUBGROUPS)
    assert (out[merged & (origin == 0) & (specialism == "generic")] == "white_other").all()
    a_grt = out[merged & (origin == 0) & (specialism == GRT)]
    assert set(a_grt) == set(cat.GYPSY_ROMA_TRAVELLER)
    # England 16+ (Table 1b): 44,793 : 81,540, so about 35% Gypsy or Irish Traveller.
    assert np.mean(a_grt == "white_gypsy_irish_traveller") == pytest.approx(44_793 / 126_333, abs=0.05)
    b = out[merged & (origin == 1)]
    assert set(b) == set(cat.GYPSY_ROMA_TRAVELLER)
    assert np.mean(b == "white_gypsy_irish_traveller") == pytest.approx(0.75, abs=0.03)
    # Seeded: the same stream gives the same split, another stream another.
    again = split_white_other(np.random.default_rng([5, 19]), ethnic, origin, specialism, codes, chars)
    other = split_white_other(np.random.default_rng([6, 19]), ethnic, origin, specialism, codes, chars)
    assert (again == out).all()
    assert (other != out).any()


def test_splitting_the_white_group_changes_no_other_column():
    """Two Census profiles with the same 8-category counts but a different split give the same
    records except the split itself: the split has a random stream of its own."""
    tables = synth.example_tables(EXAMPLE)
    chars = tables["characteristics"].copy()
    subgroup = chars["category"].astype(str).isin(cat.GYPSY_ROMA_TRAVELLER)
    other_white = chars["category"].astype(str) == "white_other"
    moved = chars.loc[subgroup].groupby("area_code")["count"].sum()
    # Everyone of the merged group counted as Other White.
    chars.loc[other_white, "count"] += chars.loc[other_white, "area_code"].map(moved).to_numpy()
    chars.loc[subgroup, "count"] = 0

    def referrals(characteristics: pd.DataFrame) -> pd.DataFrame:
        return synth.synthesise_referrals(
            tables["areas"], tables["population"], tables["services"], ["2023-24"],
            characteristics=characteristics, prevalence=tables["prevalence"], households=600, seed=11,
        )  # fmt: skip

    split, all_other = referrals(tables["characteristics"]), referrals(chars)
    pd.testing.assert_frame_equal(split.drop(columns="ethnic_group"), all_other.drop(columns="ethnic_group"))
    in_group = split["ethnic_group"].astype(str).isin(cat.WHITE_OTHER_SUBGROUPS)
    assert in_group.any()
    assert (in_group == all_other["ethnic_group"].astype(str).isin(cat.WHITE_OTHER_SUBGROUPS)).all()
    assert (split["ethnic_group"] != all_other["ethnic_group"]).any()
    # With no Gypsy, Roma or Traveller residents, only the GRT service's households are in those groups.
    grt_households = set(
        all_other.loc[all_other["ethnic_group"].astype(str).isin(cat.GYPSY_ROMA_TRAVELLER), "household_id"]
    )
    s04_households = set(all_other.loc[all_other["service_id"].astype(str) == "S04", "household_id"])
    assert grt_households and grt_households <= s04_households


def test_example_grt_service_clients_are_in_gypsy_roma_traveller_groups(example):
    referrals = example.referrals
    ethnic = referrals["ethnic_group"].astype(str)
    s04 = referrals["service_id"].astype(str) == "S04"
    assert ethnic[s04].isin(cat.GYPSY_ROMA_TRAVELLER).sum() >= 30
    assert not ethnic[s04].isin(["white_other"]).any()
    assert set(cat.WHITE_OTHER_SUBGROUPS) <= set(ethnic)
    # A household's lead victim has one ethnic group on all its referrals.
    assert (referrals.groupby("household_id", observed=True)["ethnic_group"].nunique() <= 1).all()
