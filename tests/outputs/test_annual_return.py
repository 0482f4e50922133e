"""The annual MHCLG return: hand-worked figures, reconciliation across sheets, the workbook
and CSV files, and errors.

The hand-worked dataset
-----------------------
Testshire (county ``E10000099``) with district Testdale (``E07000099``); Neighbourton
(unitary ``E06000099``). Period 2023-24: 1 April 2023 to 31 March 2024, **366 days**
(29 February 2024).

Services:

====  =====================  ==========  =====  =====  =======  ==========  ===========  ==========
id    type                   host        units  beds   cost     support     funding      contract
====  =====================  ==========  =====  =====  =======  ==========  ===========  ==========
S1    refuge                 Testdale        5     12  100,000  advocacy    mhclg grant  2020-04-01 -
S2    sanctuary              Testshire      10      0   36,600  housing     la_core      2023-10-01 -
S3    not_accommodation      Testdale        0      0   50,000  advocacy    pcc_moj      2022-04-01 - 2023-06-30
S4    second_stage           Testdale        3      6   20,000  housing     la_core      2024-04-01 - (not active)
S9    refuge                 Neighbourton    4     10   80,000  advocacy    mhclg grant  2020-04-01 - (other area)
====  =====================  ==========  =====  =====  =======  ==========  ===========  ==========

Days of each contract in 2023-24: S1 366; S2 1 Oct-31 Mar = 31+30+31+31+29+31 = 183;
S3 1 Apr-30 Jun = 30+31+30 = 91. Spend: S1 100,000; S2 36,600 x 183/366 = 18,300;
S3 50,000 x 91/366 = 12,431.69...

Households (referrals to Testshire services unless stated):

* HA: declined twice for capacity at S1 (R1, R2), then supported at S2 (sanctuary) from
  2023-10-06 to 2024-01-15, ended "no longer needed". Woman, White British, 2 children.
* HB: declined at S1 for capacity (R4) and for risk (R5); never supported. Woman, Asian.
* HC: supported at S1 (refuge, R6, 2023-04-12 to 2023-11-30, moved to social housing) and
  at S3 (community, R7, 2023-04-20 to 2023-06-30, moved to other safe accommodation).
  Trans adult (sex female, gender identity different), aged 20-24, no children.
* HD: supported at S1 from 2022-12-05, still supported (referred the year before). Man,
  65-74, Black, disabled, mental health need.
* HE: declined at S1 (R10, unable to meet needs), then supported at S1 from 2024-02-03.
  Sex not known, 4 children, no recourse to public funds.
* HF: declined for capacity at S1 (R12); supported in Neighbourton (S9).
* HG: declined at S1 in March 2023 (previous year: not counted).
* HH: referral pending.
* HI: supported at S2 2023-05-02 to 2023-08-31, end reason left blank. Woman, bisexual,
  16-19, mixed ethnicity, 1 child, substance use, older sons, learning disability.
* HJ: supported at S1 until 31 March 2023 (previous year only).
* HK: supported at S1 from 2024-03-31 to 2024-04-10. Woman, White Irish, 1 child, flagged
  large family.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from fixtures import ROOT, TEST_DATA

import needs
from needs.assessment.capacity import provision
from needs.assessment.counting import individuals_supported
from needs.assessment.funding import spend_by_service
from needs.assessment.referrals import unmet_households
from needs.cli.annual_return import run as cli_return
from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.outputs.annual_return import (
    DIMENSION_CODES,
    RETURN_LABELS,
    SECTIONS,
    SPECIALIST_CHARACTERISTICS,
    UNSUPPRESSED_NOTICE,
    build_return,
    tidy_return,
)
from needs.outputs.return_workbook import SHEET_HEADINGS, write_return
from needs.reference import categories as cat
from needs.reference import schema
from needs.settings import choose_area


def resolve_area(dataset: Dataset, area: str | None) -> str:
    """The area the return is for: the settings' rule, without needing population."""
    return choose_area(dataset, area, need_population=False)


COUNTY, DISTRICT, NEIGHBOUR = "E10000099", "E07000099", "E06000099"
PERIOD = "2023-24"
MINIMAL = TEST_DATA / "valid_minimal"


def _services() -> pd.DataFrame:
    columns = [
        "service_id",
        "name",
        "provider",
        "host_area_code",
        "accommodation_type",
        "support_type",
        "specialism",
        "units",
        "bedspaces",
        "annual_cost",
        "funding_source",
        "start",
        "end",
        "status",
    ]
    rows = [
        ("S1", "Refuge", "P", DISTRICT, "refuge", "advocacy", "generic", 5, 12, 100000.0, "mhclg_dasa_grant",
         "2020-04-01", None, "in_place"),
        ("S2", "Sanctuary", "P", COUNTY, "sanctuary", "housing", "generic", 10, 0, 36600.0, "la_core",
         "2023-10-01", None, "in_place"),
        ("S3", "Outreach", "P", DISTRICT, "not_accommodation", "advocacy", "generic", 0, 0, 50000.0, "pcc_moj",
         "2022-04-01", "2023-06-30", "in_place"),
        ("S4", "Move-on", "P", DISTRICT, "second_stage", "housing", "generic", 3, 6, 20000.0, "la_core",
         "2024-04-01", None, "not_yet_in_place"),
        ("S9", "Other refuge", "Q", NEIGHBOUR, "refuge", "advocacy", "generic", 4, 10, 80000.0,
         "mhclg_dasa_grant", "2020-04-01", None, "in_place"),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    return out


_REFERRAL_COLUMNS = [
    "referral_id",
    "household_id",
    "date",
    "service_id",
    "outcome",
    "decline_reason",
    "sex",
    "gender_identity",
    "age_band",
    "ethnic_group",
    "children",
    "support_start",
    "support_end",
    "end_reason",
]
# fmt: off
_REFERRALS = [
    ("R1", "HA", "2023-05-01", "S1", "unable_to_support", "no_capacity_space", "female", "same_as_birth_sex",
     "25-34", "white_british", 2, None, None, None),
    ("R2", "HA", "2023-06-01", "S1", "unable_to_support", "no_capacity_space", "female", "same_as_birth_sex",
     "25-34", "white_british", 2, None, None, None),
    ("R3", "HA", "2023-10-05", "S2", "accepted_supported", None, "female", "same_as_birth_sex", "25-34",
     "white_british", 2, "2023-10-06", "2024-01-15", "no_longer_needed"),
    ("R4", "HB", "2023-08-01", "S1", "unable_to_support", "no_capacity_space", "female", "same_as_birth_sex",
     "35-44", "asian", 1, None, None, None),
    ("R5", "HB", "2023-09-01", "S1", "unable_to_support", "risk_location_unsafe", "female", "same_as_birth_sex",
     "35-44", "asian", 1, None, None, None),
    ("R6", "HC", "2023-04-10", "S1", "accepted_supported", None, "female", "different_from_birth_sex", "20-24",
     "white_british", 0, "2023-04-12", "2023-11-30", "moved_settled_social_housing"),
    ("R7", "HC", "2023-04-15", "S3", "accepted_supported", None, "female", "different_from_birth_sex", "20-24",
     "white_british", 0, "2023-04-20", "2023-06-30", "moved_other_safe_accommodation"),
    ("R8", "HD", "2022-12-01", "S1", "accepted_supported", None, "male", "same_as_birth_sex", "65-74", "black",
     0, "2022-12-05", None, None),
    ("R9", "HE", "2024-02-01", "S1", "accepted_supported", None, "not_known", "not_known", "not_known",
     "not_known", 4, "2024-02-03", None, None),
    ("R10", "HE", "2024-01-15", "S1", "unable_to_support", "unable_to_meet_needs", "not_known", "not_known",
     "not_known", "not_known", 4, None, None, None),
    ("R11", "HF", "2023-05-05", "S9", "accepted_supported", None, "female", "same_as_birth_sex", "25-34",
     "white_british", 0, "2023-05-06", None, None),
    ("R12", "HF", "2023-05-01", "S1", "unable_to_support", "no_capacity_space", "female", "same_as_birth_sex",
     "25-34", "white_british", 0, None, None, None),
    ("R13", "HG", "2023-03-20", "S1", "unable_to_support", "no_capacity_space", "female", "same_as_birth_sex",
     "25-34", "white_british", 0, None, None, None),
    ("R14", "HH", "2023-06-01", "S1", "pending", None, "female", "same_as_birth_sex", "25-34", "white_british",
     0, None, None, None),
    ("R15", "HI", "2023-05-01", "S2", "accepted_supported", None, "female", "same_as_birth_sex", "16-19",
     "mixed", 1, "2023-05-02", "2023-08-31", None),
    ("R16", "HJ", "2022-06-01", "S1", "accepted_supported", None, "female", "same_as_birth_sex", "25-34",
     "white_british", 0, "2022-06-02", "2023-03-31", "no_longer_needed"),
    ("R17", "HK", "2024-03-31", "S1", "accepted_supported", None, "female", "same_as_birth_sex", "25-34",
     "white_irish", 1, "2024-03-31", "2024-04-10", "moved_settled_private_rented"),
]
# fmt: on


def _referrals() -> pd.DataFrame:
    out = pd.DataFrame(_REFERRALS, columns=_REFERRAL_COLUMNS)
    for column in ("date", "support_start", "support_end"):
        out[column] = pd.to_datetime(out[column])
    out["origin_area_code"] = DISTRICT
    out["religion"] = "not_known"
    out["sexual_orientation"] = "heterosexual"
    out["disability"] = "not_disabled"
    out["pregnant"] = "no"
    for code in cat.ADDITIONAL_NEEDS:
        out[cat.need_column(code)] = "no"
    hd, he, hi, hk = (out["household_id"] == h for h in ("HD", "HE", "HI", "HK"))
    out.loc[hd, "disability"] = "disabled"
    out.loc[hd, cat.need_column("mental_health")] = "yes"
    out.loc[he, "disability"] = "not_known"
    out.loc[he, cat.need_column("nrpf")] = "yes"
    out.loc[hi, "sexual_orientation"] = "bisexual"
    for need in ("substance_use", "older_sons", "learning_disability"):
        out.loc[hi, cat.need_column(need)] = "yes"
    out.loc[hk, cat.need_column("large_family")] = "yes"
    out["children"] = out["children"].astype("int64")
    return out


def _areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [COUNTY, DISTRICT, NEIGHBOUR],
            "area_name": ["Testshire", "Testdale", "Neighbourton"],
            "area_type": ["county", "district", "unitary"],
            "parent_code": [None, COUNTY, None],
        }
    )


def _as_categorical(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Category columns as pandas Categoricals over the schema's lists, as after loading."""
    out = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for column in schema.TABLES[name].columns:
            if column.categories is not None and column.name in frame:
                frame[column.name] = pd.Categorical(
                    frame[column.name], categories=list(column.categories.codes)
                )
        out[name] = frame
    return out


@pytest.fixture(params=["strings", "categorical"])
def dataset(request: pytest.FixtureRequest) -> Dataset:
    tables = {"areas": _areas(), "services": _services(), "referrals": _referrals()}
    if request.param == "categorical":
        tables = _as_categorical(tables)
    return Dataset(tables=tables)


@pytest.fixture
def result(dataset: Dataset) -> dict[str, pd.DataFrame]:
    return build_return(dataset, COUNTY, PERIOD)


def values(section: pd.DataFrame, group_contains: str = "") -> dict[str, float]:
    rows = section[section["group"].str.contains(group_contains, regex=False)]
    return dict(zip(rows["code"], rows["value"], strict=True))


# --------------------------------------------------------------------------------------
# Hand-worked figures
# --------------------------------------------------------------------------------------


def test_individuals_by_person_type(result: dict[str, pd.DataFrame]) -> None:
    # supported in 2023-24 at Testshire services: HA, HC, HD, HE, HI, HK (6 households);
    # HF was supported in Neighbourton, HJ's support ended on 31 March 2023.
    lines = values(result["individuals"], "Individuals")
    assert lines["woman"] == 3  # HA, HI, HK
    assert lines["man"] == 1  # HD
    assert lines["trans_adult"] == 1  # HC
    assert lines[cat.NOT_KNOWN] == 1  # HE
    assert lines["child"] == 2 + 4 + 1 + 1  # HA, HE, HI, HK
    assert values(result["individuals"], "Households supported")["total"] == 6
    total = result["individuals"].set_index("line")["value"]
    assert total[RETURN_LABELS["total"]["individuals"]] == 6 + 8
    assert total[RETURN_LABELS["total"]["adults"]] == 6


def test_gypsy_roma_and_traveller_survivors_are_a_line_of_their_own() -> None:
    # HK (White Irish) recorded as Roma instead: still black and minoritised, and now GRT.
    referrals = _referrals()
    referrals.loc[referrals["household_id"] == "HK", "ethnic_group"] = "white_roma"
    sections = build_return(Dataset(tables={"areas": _areas(), "services": _services(), "referrals": referrals}), COUNTY, PERIOD)
    lines = values(sections["characteristics"])
    assert lines["gypsy_roma_traveller"] == 1
    assert lines["black_minoritised"] == 3


def test_the_return_has_a_children_and_young_people_section(result: dict[str, pd.DataFrame]) -> None:
    children = result["children"]
    assert list(children.columns) == ["group", "line", "code", "unit", "value"]
    assert len(children) > 0
    lines = children.drop_duplicates("code").set_index("code")["value"]
    # Children in households supported: the same 8 as the individuals section (HA 2, HE 4, HI 1, HK 1).
    assert lines["children_supported"] == 8
    assert lines["households_with_children_supported"] == 4
    by_type = values(children, "Children in households supported by accommodation type")
    assert by_type["refuge"] == 4 + 1  # HE, HK
    assert by_type["sanctuary"] == 2 + 1  # HA, HI
    assert by_type["total"] == 8


def test_households_and_individuals_by_accommodation_type(result: dict[str, pd.DataFrame]) -> None:
    households = values(result["households"], "Households")
    assert households["refuge"] == 4  # HC, HD, HE, HK
    assert households["sanctuary"] == 2  # HA, HI
    assert households["not_accommodation"] == 1  # HC again
    assert households["second_stage"] == 0
    assert households["total"] == 6  # HC once
    individuals = values(result["households"], "Individuals")
    assert individuals["refuge"] == 1 + 1 + (1 + 4) + (1 + 1)
    assert individuals["sanctuary"] == (1 + 2) + (1 + 1)
    assert individuals["not_accommodation"] == 1
    assert individuals["total"] == 14


def test_specialist_characteristics(result: dict[str, pd.DataFrame]) -> None:
    lines = values(result["characteristics"])
    assert lines == {
        "black_minoritised": 3,  # HD black, HI mixed, HK White Irish
        "gypsy_roma_traveller": 0,  # nobody of these groups
        "mental_health": 1,  # HD
        "disabled": 1,  # HD
        "lgbt": 2,  # HC trans, HI bisexual
        "substance_use": 1,  # HI
        "nrpf": 1,  # HE
        "older": 1,  # HD 65-74
        "young": 2,  # HC 20-24, HI 16-19
        "male_victims": 1,  # HD
        "large_family": 2,  # HE 4 children, HK flagged
        "older_sons": 1,  # HI
        "learning_disability": 1,  # HI
        "any": 5,  # all but HA
        "total": 6,
    }


def test_unable_to_support_counts_each_reason_once_per_household(result: dict[str, pd.DataFrame]) -> None:
    lines = values(result["unable_to_support"])
    # HA declined twice for capacity -> once; HB capacity and risk -> once under each;
    # HE unable to meet needs; HF capacity; HG's decline was in 2022-23.
    assert lines["no_capacity_space"] == 3  # HA, HB, HF
    assert lines["risk_location_unsafe"] == 1  # HB
    assert lines["unable_to_meet_needs"] == 1  # HE
    assert lines["other"] == 0
    assert sum(lines[code] for code in cat.DECLINE_REASONS.codes) == 5
    by_line = result["unable_to_support"].set_index("line")["value"]
    assert by_line[RETURN_LABELS["total"]["households_unable"]] == 4  # HA, HB, HE, HF once each
    assert by_line[RETURN_LABELS["total"]["referrals_unable"]] == 6  # R1, R2, R4, R5, R10, R12
    # supported nowhere in the period: HB only (HA, HE here; HF in Neighbourton)
    assert by_line[RETURN_LABELS["total"]["households_unmet"]] == 1


def test_support_ended_by_reason(result: dict[str, pd.DataFrame]) -> None:
    lines = values(result["support_ended"])
    assert lines["no_longer_needed"] == 1  # HA (HJ ended in 2022-23)
    assert lines["moved_settled_social_housing"] == 1  # HC at S1
    assert lines["moved_other_safe_accommodation"] == 1  # HC at S3
    assert lines[cat.NOT_KNOWN] == 1  # HI, reason left blank
    assert lines["moved_settled_private_rented"] == 0  # HK ends in 2024-25
    assert lines["total"] == 3  # HA, HC, HI


def test_capacity_by_type(result: dict[str, pd.DataFrame]) -> None:
    capacity = result["capacity"]
    services, units, beds = (values(capacity, name) for name in ("Services", "Units", "Bedspaces"))
    assert services == {
        **dict.fromkeys(cat.ACCOMMODATION_TYPES.codes, 0),
        "refuge": 1,
        "sanctuary": 1,
        "not_accommodation": 1,
        "total": 3,
    }
    assert units["refuge"] == 5 and units["sanctuary"] == 10 and units["second_stage"] == 0
    assert units["total"] == 15
    assert beds["refuge"] == 12 and beds["total"] == 12


def test_spend_pro_rata(result: dict[str, pd.DataFrame]) -> None:
    s3 = 50000 * 91 / 366
    by_type = values(result["spend"], "accommodation type")
    assert by_type["refuge"] == pytest.approx(100000)
    assert by_type["sanctuary"] == pytest.approx(18300)  # 36,600 x 183 / 366
    assert by_type["not_accommodation"] == pytest.approx(s3)
    assert by_type["total"] == pytest.approx(118300 + s3)
    by_support = values(result["spend"], "support type")
    assert by_support["advocacy"] == pytest.approx(100000 + s3)
    assert by_support["housing"] == pytest.approx(18300)
    by_source = values(result["spend"], "funding source")
    assert by_source["mhclg_dasa_grant"] == pytest.approx(100000)
    assert by_source["la_core"] == pytest.approx(18300)
    assert by_source["pcc_moj"] == pytest.approx(s3)


def test_the_neighbouring_area_has_its_own_return(dataset: Dataset) -> None:
    result = build_return(dataset, NEIGHBOUR, PERIOD)
    assert values(result["individuals"], "Households supported")["total"] == 1  # HF
    assert values(result["unable_to_support"])["total"] == 0
    assert values(result["spend"], "accommodation type")["refuge"] == pytest.approx(80000)


# --------------------------------------------------------------------------------------
# Reconciliation
# --------------------------------------------------------------------------------------


def _reconcile(result: dict[str, pd.DataFrame]) -> None:
    individuals = values(result["individuals"], "Individuals")
    by_line = result["individuals"].set_index("line")["value"]
    total_individuals = by_line[RETURN_LABELS["total"]["individuals"]]
    total_households = values(result["individuals"], "Households supported")["total"]
    assert total_individuals == sum(
        individuals[code] for code in ("woman", "man", "trans_adult", cat.NOT_KNOWN, "child")
    )
    assert by_line[RETURN_LABELS["total"]["adults"]] == total_households
    households = values(result["households"], "Households")
    type_sum = sum(households[code] for code in cat.ACCOMMODATION_TYPES.codes)
    assert type_sum >= households["total"] == total_households
    by_type_individuals = values(result["households"], "Individuals")
    assert sum(by_type_individuals[c] for c in cat.ACCOMMODATION_TYPES.codes) >= by_type_individuals["total"]
    assert by_type_individuals["total"] == total_individuals
    characteristics = values(result["characteristics"])
    assert characteristics["total"] == total_households
    assert max(characteristics[code] for code in SPECIALIST_CHARACTERISTICS) <= characteristics["any"]
    assert characteristics["any"] <= total_households
    assert characteristics["male_victims"] == individuals["man"]
    unable = result["unable_to_support"].set_index("line")["value"]
    unable_total = unable[RETURN_LABELS["total"]["households_unable"]]
    reason_sum = sum(values(result["unable_to_support"])[code] for code in cat.DECLINE_REASONS.codes)
    assert reason_sum >= unable_total >= unable[RETURN_LABELS["total"]["households_unmet"]]
    assert unable[RETURN_LABELS["total"]["referrals_unable"]] >= unable_total
    ended = values(result["support_ended"])
    assert sum(ended[code] for code in cat.END_REASONS.codes) >= ended["total"]
    for name in ("Services", "Units", "Bedspaces"):
        lines = values(result["capacity"], name)
        assert sum(lines[code] for code in cat.ACCOMMODATION_TYPES.codes) == lines["total"]
    totals = []
    for group, codes in (
        ("accommodation type", cat.ACCOMMODATION_TYPES.codes),
        ("support type", cat.SUPPORT_TYPES.codes),
        ("funding source", cat.FUNDING_SOURCES.codes),
    ):
        lines = values(result["spend"], group)
        assert sum(lines[code] for code in codes) == pytest.approx(lines["total"])
        totals.append(lines["total"])
    assert totals[0] == pytest.approx(totals[1]) and totals[1] == pytest.approx(totals[2])


def test_totals_reconcile_across_sections(result: dict[str, pd.DataFrame]) -> None:
    _reconcile(result)


def test_totals_reconcile_on_the_example_data() -> None:
    example = needs.load(ROOT / "data" / "example")
    for period in ("2022-23", "2023-24"):
        result = build_return(example, "E10000018", period)
        _reconcile(result)
        # the one counting rule: the same figure as needs.assessment.counting
        total = result["individuals"].set_index("line")["value"][RETURN_LABELS["total"]["individuals"]]
        assert total == individuals_supported(example, period, "E10000018")
        # ... and the same figures as the assessment's modules
        spend = spend_by_service(example, period)
        spend = spend.loc[spend["area_code"] == "E10000018", "committed_in_period"].sum()
        assert values(result["spend"], "accommodation type")["total"] == pytest.approx(spend)
        stock = provision(example, period)
        stock = stock[stock["area_code"] == "E10000018"]
        # the return counts every contracted service whatever its status; provision keeps the
        # planned ones (not yet in place) apart
        assert values(result["capacity"], "Units")["total"] == stock["units"].sum() + stock["planned_units"].sum()
        assert (
            values(result["capacity"], "Bedspaces")["total"]
            == stock["bedspaces"].sum() + stock["planned_bedspaces"].sum()
        )
        unmet = unmet_households(example, period).set_index("area_code").loc["E10000018"]
        unable = result["unable_to_support"].set_index("line")["value"]
        assert unable[RETURN_LABELS["total"]["households_unmet"]] == unmet["households_unmet"]
        assert values(result["individuals"], "Households supported")["total"] == unmet["households_supported"]


def test_households_counted_once_however_many_referrals(dataset: Dataset) -> None:
    """Adding a duplicate supported referral for HA (another referral, same household) changes
    no household or individual count."""
    referrals = dataset.tables["referrals"]
    extra = referrals[referrals["referral_id"].astype(str) == "R3"].copy()
    extra["referral_id"] = "R3b"
    tables = {**dataset.tables, "referrals": pd.concat([referrals, extra], ignore_index=True)}
    again = build_return(Dataset(tables=tables), COUNTY, PERIOD)
    before = build_return(dataset, COUNTY, PERIOD)
    for section in ("individuals", "households", "characteristics", "support_ended"):
        pd.testing.assert_frame_equal(again[section], before[section])


def test_every_code_has_a_return_label() -> None:
    for dimension, codes in DIMENSION_CODES.items():
        assert set(codes) <= set(RETURN_LABELS[dimension]), dimension
    assert set(SPECIALIST_CHARACTERISTICS) | {"any"} == set(RETURN_LABELS["specialist_characteristic"])
    # the rules name real columns and real codes
    lists = {
        "ethnic_group": cat.ETHNIC_GROUPS,
        "sexual_orientation": cat.SEXUAL_ORIENTATIONS,
        "gender_identity": cat.GENDER_IDENTITIES,
        "disability": cat.DISABILITY,
        "age_band": cat.AGE_BANDS,
        "person_type": cat.PERSON_TYPES,
        "three_or_more_children": cat.YES_NO,
        **{cat.need_column(code): cat.YES_NO for code in cat.ADDITIONAL_NEEDS},
    }
    for rules in SPECIALIST_CHARACTERISTICS.values():
        for column, codes in rules:
            assert set(codes) <= set(lists[column].codes), column


def test_mapping_decisions() -> None:
    (ethnic,) = SPECIALIST_CHARACTERISTICS["black_minoritised"]
    assert set(ethnic[1]) == {
        "asian", "black", "mixed", "white_irish", "white_gypsy_irish_traveller", "white_roma", "white_other", "other",
    }  # fmt: skip
    assert SPECIALIST_CHARACTERISTICS["older"] == (("age_band", ("65-74", "75+")),)
    assert SPECIALIST_CHARACTERISTICS["young"] == (("age_band", ("16-19", "20-24")),)


def test_sections_have_the_same_columns(result: dict[str, pd.DataFrame]) -> None:
    assert list(result) == list(SECTIONS)
    for frame in result.values():
        assert list(frame.columns) == ["group", "line", "code", "unit", "value"]
        assert frame["value"].notna().all()
        assert (frame["value"] >= 0).all()


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def test_workbook_and_csv(dataset: Dataset, result: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    workbook_path, csv_path = write_return(
        result, tmp_path / "out" / "return.xlsx", dataset=dataset, area=COUNTY, period=PERIOD
    )
    assert csv_path == tmp_path / "out" / "return.csv"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["return.csv", "return.xlsx"]
    book = openpyxl.load_workbook(workbook_path)
    assert book.sheetnames == ["Cover", *SECTIONS.values()]
    cover = [row for row in book["Cover"].iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in cover)
    assert cover[1][0] == UNSUPPRESSED_NOTICE
    assert "Testshire (E10000099)" in text
    assert "2023-24 (1 April 2023 to 31 March 2024)" in text
    assert "Definitions" in text
    for key, sheet_name in SECTIONS.items():
        sheet = book[sheet_name]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == SHEET_HEADINGS
        assert sheet.freeze_panes == "A2"
        body = pd.DataFrame(rows[1:], columns=["group", "line", "code", "unit", "value"])
        expected = result[key]
        assert body["line"].tolist() == expected["line"].tolist()
        np.testing.assert_allclose(body["value"].astype(float), expected["value"].astype(float), atol=0.005)
    tidy = pd.read_csv(csv_path, dtype={"value": str})
    assert list(tidy.columns) == ["area_code", "period", "section", "group", "line", "code", "unit", "value"]
    expected = tidy_return(result, COUNTY, PERIOD)
    assert tidy["line"].tolist() == expected["line"].tolist()
    np.testing.assert_allclose(tidy["value"].astype(float), expected["value"].astype(float), atol=0.005)
    assert tidy.loc[tidy["unit"] != "pounds", "value"].str.fullmatch(r"\d+").all()  # counts as whole numbers
    assert (tidy["area_code"] == COUNTY).all() and (tidy["period"] == PERIOD).all()


def test_same_inputs_same_bytes(dataset: Dataset, result: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    first = write_return(result, tmp_path / "a.xlsx", dataset=dataset, area=COUNTY, period=PERIOD)
    second = write_return(result, tmp_path / "b.xlsx", dataset=dataset, area=COUNTY, period=PERIOD)
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()


def test_cover_lists_input_files_with_sha256(tmp_path: Path) -> None:
    args = _args(data=MINIMAL, out=tmp_path / "r.xlsx", period="2023-24")
    assert cli_return(args) == 0
    cover = list(openpyxl.load_workbook(tmp_path / "r.xlsx")["Cover"].iter_rows(values_only=True))
    hashes = {row[0]: row[1] for row in cover if row and row[0]}
    for path in MINIMAL.iterdir():
        assert hashes[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    # demonstration data say so
    assert any(row[0] == "Demonstration data" for row in cover if row)


def _args(**overrides: object) -> argparse.Namespace:
    base = {"data": MINIMAL, "area": None, "period": "2023-24", "out": None}
    return argparse.Namespace(**{**base, **overrides})


def test_default_output_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli_return(_args()) == 0
    assert (tmp_path / "reports" / "E10000018-2023-24-return.xlsx").exists()
    assert (tmp_path / "reports" / "E10000018-2023-24-return.csv").exists()
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".")]  # no temporary files


def test_command_line_on_the_example(tmp_path: Path) -> None:
    out = tmp_path / "ret.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "needs.cli", "return", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert UNSUPPRESSED_NOTICE in result.stdout
    tidy = pd.read_csv(out.with_suffix(".csv"))
    assert set(tidy["area_code"]) == {"E10000018"}


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_unknown_area(dataset: Dataset) -> None:
    with pytest.raises(InputError, match="E99999999.*not in the areas table.*E10000099"):
        build_return(dataset, "E99999999", PERIOD)


def test_district_is_not_a_tier_one_area(dataset: Dataset) -> None:
    with pytest.raises(InputError, match="Testdale.*not a tier-one.*E10000099"):
        build_return(dataset, DISTRICT, PERIOD)


def test_period_with_no_data(dataset: Dataset) -> None:
    with pytest.raises(InputError, match="no data for 2030-31.*2022-23, 2023-24"):
        build_return(dataset, COUNTY, "2030-31")


def test_area_with_nothing_in_the_period(dataset: Dataset) -> None:
    """The referrals cover 2022-23. A new unitary area 'Empty' has no referral, support or
    contract in 2022-23, so it is refused. Neighbourton had no referral in 2022-23 either,
    but its refuge S9 was under contract, so its return (of zeros and capacity) is made."""
    areas = pd.concat(
        [
            dataset.tables["areas"],
            pd.DataFrame(
                {
                    "area_code": ["E06000098"],
                    "area_name": ["Empty"],
                    "area_type": ["unitary"],
                    "parent_code": [None],
                }
            ),
        ],
        ignore_index=True,
    )
    empty = Dataset(tables={**dataset.tables, "areas": areas})
    with pytest.raises(InputError, match=r"no data for Empty \(E06000098\) in 2022-23"):
        build_return(empty, "E06000098", "2022-23")
    assert values(build_return(empty, NEIGHBOUR, "2022-23")["capacity"], "Units")["refuge"] == 4


def test_malformed_period(dataset: Dataset) -> None:
    with pytest.raises(InputError, match="2023/24.*YYYY-YY"):
        build_return(dataset, COUNTY, "2023/24")


def test_area_must_be_chosen_when_there_are_several(dataset: Dataset) -> None:
    with pytest.raises(InputError, match="2 tier-one areas.*--area"):
        resolve_area(dataset, None)
    # dataset.yaml's area_code chooses one (it replaced the command line's default area)
    chosen = Dataset(tables=dataset.tables, metadata={"area_code": NEIGHBOUR})
    assert resolve_area(chosen, None) == NEIGHBOUR


def test_exit_code_2_for_bad_input(tmp_path: Path) -> None:
    for arguments in (["--area", "E99999999"], ["--period", "2030-31"]):
        command = [
            sys.executable,
            "-m",
            "needs.cli",
            "return",
            "--data",
            str(MINIMAL),
            "--out",
            str(tmp_path / "x.xlsx"),
            *arguments,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 2, result.stderr
        assert "needs:" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_bad_data_is_exit_code_2(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for path in MINIMAL.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    services = pd.read_csv(folder / "services.csv", dtype=str, keep_default_na=False)
    services.loc[0, "accommodation_type"] = "castle"
    buffer = io.StringIO()
    services.to_csv(buffer, index=False)
    (folder / "services.csv").write_text(buffer.getvalue())
    command = [
        sys.executable,
        "-m",
        "needs.cli",
        "return",
        "--data",
        str(folder),
        "--out",
        str(tmp_path / "x.xlsx"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "castle" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_refuses_an_output_that_is_not_xlsx(
    dataset: Dataset, result: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    with pytest.raises(InputError, match=".xlsx"):
        write_return(result, tmp_path / "r.ods", dataset=dataset, area=COUNTY, period=PERIOD)


# --------------------------------------------------------------------------------------
# Scope: safe accommodation apart from community-based support (issue 13)
# --------------------------------------------------------------------------------------


def test_scope_lines_worked_by_hand() -> None:
    from fixtures import SHIRE, tiny_dataset

    section = build_return(tiny_dataset(), SHIRE, "2024-25")["individuals"].set_index("code")["value"]
    # Refuge S1 and dispersed S4: H01 (2 children), H03 (0), H10 (2); community S2: H02 (1), H05, H09.
    assert [section[f"safe_accommodation:{m}"] for m in ("households", "adults", "children", "individuals")] == [
        3, 3, 4, 7,
    ]  # fmt: skip
    assert [section[f"community:{m}"] for m in ("households", "adults", "children", "individuals")] == [3, 3, 1, 4]
    assert section["child"] == 5
    assert "other:households" not in section.index  # no support of another type


def test_return_individuals_come_from_the_report_function() -> None:
    from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD

    from needs.assessment.people import supported_by_scope

    dataset = needs.load(DEFAULT_DATA)
    section = build_return(dataset, DEFAULT_AREA, DEFAULT_PERIOD)["individuals"]
    lines = section.set_index("code")["value"]
    report = supported_by_scope(dataset, DEFAULT_PERIOD).set_index(["area_code", "scope"])
    for scope in ("safe_accommodation", "community"):
        for measure in ("households", "adults", "children", "individuals"):
            assert lines[f"{scope}:{measure}"] == report.loc[(DEFAULT_AREA, scope), measure]
    totals = section[section["code"] == "total"].set_index("line")["value"]
    assert totals["Total individuals supported"] == report.loc[(DEFAULT_AREA, "all"), "individuals"] == 1257
    assert lines["child"] == 457
    assert (lines["safe_accommodation:individuals"], lines["community:individuals"]) == (61, 1196)
