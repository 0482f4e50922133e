"""Tests for needs.assessment.funding on a hand-listed dataset; expected values worked out by hand.

Shire (county E10000001; district North E07000001) and Unity (unitary E06000001).

Services:

====  =====  ================  ========  ==================  ========================  ================
id    host   funding source    cost      status              contract                  days in 2024-25
====  =====  ================  ========  ==================  ========================  ================
S1    North  mhclg_dasa_grant  90,000    in_place            2020-04-01..open          365 of 365
S2    North  mhclg_dasa_grant  73,000    not_yet_in_place    2024-10-01..open          182 of 365
S3    North  la_core           20,000    in_place            2024-04-01..2024-09-30    183 of 365
S4    North  mhclg_dasa_grant  15,000    in_place            2022-04-01..2024-03-31    0 (ended)
U1    Unity  mhclg_dasa_grant  50,000    in_place            2024-01-01..open          365 of 365
====  =====  ================  ========  ==================  ========================  ================

2023-24 has 366 days (29 February 2024).

Funding: Shire 2023-24 grant 180,000; Shire 2024-25 grant 200,000 and la_core 30,000;
Unity 2024-25 grant 100,000.

Households supported in 2024-25: Shire H1 (S1), H2 (S1 twice: counted once), H3 (S3);
Unity H4 (U1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needs.assessment.funding import funding_by_year, funding_summary, spend_by_service
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat

SHIRE, NORTH, UNITY = "E10000001", "E07000001", "E06000001"
PERIOD = "2024-25"


def build() -> Dataset:
    areas = pd.DataFrame(
        {
            "area_code": [SHIRE, NORTH, UNITY],
            "area_name": ["Shire", "North", "Unity"],
            "area_type": ["county", "district", "unitary"],
            "parent_code": [None, SHIRE, None],
        }
    )
    population = pd.DataFrame(
        {"area_code": [NORTH, UNITY], "year": 2023, "sex": "female", "age": 30, "population": 1000}
    )
    # fmt: off
    services = pd.DataFrame(
        [
            ("S1", NORTH, "refuge", 90000.0, "mhclg_dasa_grant", "in_place", "2020-04-01", None),
            ("S2", NORTH, "specialist_safe", 73000.0, "mhclg_dasa_grant", "not_yet_in_place", "2024-10-01", None),
            ("S3", NORTH, "sanctuary", 20000.0, "la_core", "in_place", "2024-04-01", "2024-09-30"),
            ("S4", NORTH, "refuge", 15000.0, "mhclg_dasa_grant", "in_place", "2022-04-01", "2024-03-31"),
            ("U1", UNITY, "refuge", 50000.0, "mhclg_dasa_grant", "in_place", "2024-01-01", None),
        ],
        columns=["service_id", "host_area_code", "accommodation_type", "annual_cost", "funding_source",
                 "status", "start", "end"],
    )
    # fmt: on
    services = services.assign(
        name="Service " + services["service_id"],
        provider="Provider",
        support_type="advocacy",
        specialism="generic",
        units=2,
        bedspaces=4,
        start=pd.to_datetime(services["start"]),
        end=pd.to_datetime(services["end"]),
    )
    acc = "accepted_supported"
    referrals = pd.DataFrame(
        [
            ("R1", "H1", "S1", "2024-05-01", acc, "2024-05-02", "2024-08-01"),
            ("R2", "H2", "S1", "2024-06-01", acc, "2024-06-02", "2024-07-01"),
            ("R3", "H2", "S1", "2024-09-01", acc, "2024-09-02", None),
            ("R4", "H3", "S3", "2024-06-01", acc, "2024-06-05", "2024-06-30"),
            ("R5", "H4", "U1", "2024-06-01", acc, "2024-06-05", None),
            ("R6", "H5", "S1", "2023-05-01", acc, "2023-05-02", "2023-08-01"),  # 2023-24 only
        ],
        columns=[
            "referral_id",
            "household_id",
            "service_id",
            "date",
            "outcome",
            "support_start",
            "support_end",
        ],
    )
    for column in ("date", "support_start", "support_end"):
        referrals[column] = pd.to_datetime(referrals[column])
    referrals["origin_area_code"] = NORTH
    referrals["decline_reason"] = None
    for column in cat.PROTECTED_CHARACTERISTICS:
        referrals[column] = "not_known"
    for code in cat.ADDITIONAL_NEEDS:
        referrals[cat.need_column(code)] = "no"
    referrals["children"] = 0
    funding = pd.DataFrame(
        {
            "area_code": [SHIRE, SHIRE, SHIRE, UNITY],
            "period": ["2023-24", "2024-25", "2024-25", "2024-25"],
            "source": ["mhclg_dasa_grant", "mhclg_dasa_grant", "la_core", "mhclg_dasa_grant"],
            "amount": [180000.0, 200000.0, 30000.0, 100000.0],
        }
    )
    return Dataset(
        tables={
            "areas": areas,
            "population": population,
            "services": services,
            "referrals": referrals,
            "funding": funding,
        }
    )


@pytest.fixture
def dataset() -> Dataset:
    return build()


def test_funding_summary(dataset):
    table = funding_summary(dataset, PERIOD)
    assert list(table.columns) == [
        "area_code", "period", "grant", "other_funding", "committed_in_place", "committed_not_yet",
        "committed_total", "committed_safe_accommodation", "committed_community", "committed_management",
        "committed_other", "uncommitted_balance", "households_supported", "households_safe_accommodation",
        "households_community", "cost_per_household", "cost_per_household_safe_accommodation",
        "cost_per_household_community",
    ]  # fmt: skip
    shire = table.set_index("area_code").loc[SHIRE]
    in_place = 90000 + 20000 * 183 / 365  # S1 all year, S3 six months (10,027.40)
    not_yet = 73000 * 182 / 365  # S2 from 1 October: 36,400
    assert shire["period"] == PERIOD
    assert shire["grant"] == 200000 and shire["other_funding"] == 30000
    assert shire["committed_in_place"] == pytest.approx(in_place)
    assert shire["committed_not_yet"] == pytest.approx(36400.0)
    assert shire["committed_total"] == pytest.approx(in_place + not_yet)
    # grant-funded: S1 90,000 + S2 36,400 (S3 is council-funded, S4 has ended)
    assert shire["uncommitted_balance"] == pytest.approx(200000 - 90000 - 36400)
    assert shire["households_supported"] == 3  # H1, H2 (twice), H3
    assert shire["cost_per_household"] == pytest.approx((in_place + not_yet) / 3)
    unity = table.set_index("area_code").loc[UNITY]
    assert unity["committed_total"] == pytest.approx(50000.0)
    assert unity["uncommitted_balance"] == pytest.approx(50000.0)
    assert unity["cost_per_household"] == pytest.approx(50000.0)


def test_funding_by_year(dataset):
    table = funding_by_year(dataset)
    assert list(table["period"].unique()) == ["2023-24", "2024-25"]
    shire = table[table["area_code"] == SHIRE].set_index("period")
    # 2023-24 (366 days): S1 90,000 and S4 15,000 all year; grant 180,000.
    assert shire.loc["2023-24", "committed_total"] == pytest.approx(105000.0)
    assert shire.loc["2023-24", "uncommitted_balance"] == pytest.approx(180000 - 105000)
    assert shire.loc["2024-25", "uncommitted_balance"] == pytest.approx(200000 - 90000 - 36400)
    # Unity had no funding row for 2023-24 but U1 ran from 1 January 2024: 31 + 29 + 31 days.
    unity = table[table["area_code"] == UNITY].set_index("period")
    assert unity.loc["2023-24", "grant"] == 0
    assert unity.loc["2023-24", "committed_in_place"] == pytest.approx(50000 * 91 / 366)
    assert "households_supported" not in table.columns


def test_spend_by_service(dataset):
    table = spend_by_service(dataset, PERIOD)
    assert list(table.columns) == [
        "area_code", "service_id", "name", "provider", "accommodation_type", "support_type", "status",
        "annual_cost", "committed_in_period",
    ]  # fmt: skip
    assert list(table["service_id"]) == ["U1", "S1", "S2", "S3"]  # sorted by area; S4 ended
    spend = table.set_index("service_id")
    assert spend.loc["S2", "committed_in_period"] == pytest.approx(36400.0)
    assert spend.loc["S3", "committed_in_period"] == pytest.approx(20000 * 183 / 365)
    assert spend.loc["S2", "status"] == "not_yet_in_place"
    assert spend.loc["S1", "area_code"] == SHIRE and spend.loc["U1", "area_code"] == UNITY
    assert spend.loc["S1", "name"] == "Service S1"


def with_community_and_management() -> Dataset:
    """The dataset plus, in North, C1 (community-based advocacy, not accommodation, 24,000 a
    year, in place all year) and M1 (a management post, 10,000 a year); H6 supported by C1 and
    H1 (also in refuge S1) supported by C1 too."""
    dataset = build()
    services = dataset.tables["services"]
    extra = services.iloc[:2].copy()
    extra["service_id"] = ["C1", "M1"]
    extra["name"] = ["Community advocacy", "Coordinator"]
    extra["accommodation_type"] = "not_accommodation"
    extra["support_type"] = ["advocacy", "management"]
    extra["annual_cost"] = [24000.0, 10000.0]
    extra["funding_source"] = "mhclg_dasa_grant"
    extra["status"] = "in_place"
    extra["start"] = pd.Timestamp("2020-04-01")
    extra["end"] = pd.NaT
    extra["units"] = 0
    extra["bedspaces"] = 0
    referrals = dataset.tables["referrals"]
    more = referrals.iloc[:2].copy()
    more["referral_id"] = ["R7", "R8"]
    more["household_id"] = ["H6", "H1"]
    more["service_id"] = "C1"
    more["date"] = pd.Timestamp("2024-07-01")
    more["support_start"] = pd.Timestamp("2024-07-02")
    more["support_end"] = pd.Timestamp("2024-09-01")
    tables = dict(
        dataset.tables,
        services=pd.concat([services, extra], ignore_index=True),
        referrals=pd.concat([referrals, more], ignore_index=True),
    )
    return Dataset(tables=tables)


def test_spend_and_cost_per_household_by_scope():
    table = funding_summary(with_community_and_management(), PERIOD).set_index("area_code")
    shire = table.loc[SHIRE]
    s3 = 20000 * 183 / 365  # sanctuary S3, six months in place
    # accommodation-based: S1 90,000 + S3 (in place) + S2 36,400 (not yet in place)
    assert shire["committed_safe_accommodation"] == pytest.approx(90000 + s3 + 36400)
    assert shire["committed_community"] == pytest.approx(24000.0)
    assert shire["committed_management"] == pytest.approx(10000.0)
    assert shire["committed_other"] == 0.0
    scopes = [
        "committed_safe_accommodation",
        "committed_community",
        "committed_management",
        "committed_other",
    ]
    assert shire[scopes].sum() == pytest.approx(shire["committed_total"])
    # households: safe accommodation H1, H2, H3; community H6 and H1 (in both); all four once.
    assert (shire["households_safe_accommodation"], shire["households_community"]) == (3, 2)
    assert shire["households_supported"] == 4
    # in place only: S2's 36,400 supported nobody; management is in neither scope.
    assert shire["cost_per_household_safe_accommodation"] == pytest.approx((90000 + s3) / 3)
    assert shire["cost_per_household_community"] == pytest.approx(24000 / 2)
    assert shire["cost_per_household"] == pytest.approx(shire["committed_total"] / 4)
    unity = table.loc[UNITY]
    assert unity["cost_per_household_safe_accommodation"] == pytest.approx(50000.0)
    assert unity["households_community"] == 0 and np.isnan(unity["cost_per_household_community"])


def test_households_by_scope_are_the_counting_rule_by_scope():
    """The same numbers as counting.households_supported grouped by the scope of each type."""
    from needs.assessment.counting import households_supported, referrals_in_context

    dataset = with_community_and_management()
    context = referrals_in_context(dataset)
    context["scope"] = context["accommodation_type"].astype(str).map(cat.SCOPE_OF_ACCOMMODATION_TYPE)
    counted = households_supported(context, PERIOD, by=["host_tier_one", "scope"])
    counted = counted.astype({"host_tier_one": str}).set_index(["host_tier_one", "scope"])["households"]
    table = funding_summary(dataset, PERIOD).set_index("area_code")
    for area in (SHIRE, UNITY):
        for scope in ("safe_accommodation", "community"):
            assert table.loc[area, f"households_{scope}"] == counted.get((area, scope), 0), (area, scope)


def test_funding_by_year_splits_spend_by_scope():
    table = funding_by_year(with_community_and_management())
    shire = table[table["area_code"] == SHIRE].set_index("period")
    # 2023-24: S1 90,000 and S4 15,000 (refuges), C1 24,000, M1 10,000, all year.
    assert shire.loc["2023-24", "committed_safe_accommodation"] == pytest.approx(105000.0)
    assert shire.loc["2023-24", "committed_community"] == pytest.approx(24000.0)
    assert shire.loc["2023-24", "committed_management"] == pytest.approx(10000.0)
    assert "in_place_safe_accommodation" not in table.columns
