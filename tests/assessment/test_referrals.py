"""Tests for needs.assessment.referrals on a hand-listed dataset; expected values worked out by hand.

Geography: Shire (county E10000001) with districts North (E07000001) and South
(E07000002); Unity (unitary E06000001). Services: S1 refuge (North), S2 refuge (South),
S3 sanctuary (North), U1 refuge (Unity). Period 2024-25.

Referrals (sex F unless noted):

=====  ====  =======  ======  ==================================  ==================
ref    hh    service  origin  outcome (reason)                    support
=====  ====  =======  ======  ==================================  ==================
R1     H1    S1       North   accepted                            2024-05-01..06-01
R12    H1    S2       North   unable (other)                      -
R2     H2 M  S1       South   unable (no_capacity_space)          -
R3     H2 M  S2       South   unable (no_capacity_space)          -
R4     H3    S1       Unity   unable (unable_to_meet_needs)       -
R5     H3    U1       Unity   accepted                            2024-07-01.. open
R6     H4    S3       North   accepted (sanctuary)                2024-04-10..04-20
R7     H5    S1       North   pending                             -
R8     H6    S2       North   survivor_declined                   -
R9     H7    U1       North   unable (no_capacity_space)          -
R10    H8    S1       North   withdrawn_by_referrer               -
R11    H9    S1       North   accepted, made 2023-06-01           2023-06-05..09-01
=====  ====  =======  ======  ==================================  ==================
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from needs.assessment.referrals import (
    cross_border_flows,
    decline_reasons,
    declines_by_group,
    out_of_area,
    outcomes,
    referral_context,
    unmet_households,
)
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat

SHIRE, NORTH, SOUTH, UNITY = "E10000001", "E07000001", "E07000002", "E06000001"
PERIOD = "2024-25"
Z95 = 1.959963984540054  # standard normal 97.5th percentile


def wilson_by_hand(x: float, n: float, z: float = Z95) -> tuple[float, float, float]:
    """Wilson (1927) score interval written out: (p + z^2/2n +- z sqrt(p q/n + z^2/4n^2)) / (1 + z^2/n)."""
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def build(referrals: list[tuple], services: list[tuple]) -> Dataset:
    """A dataset from short referral and service tuples; other columns get defaults."""
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
    svc = pd.DataFrame(
        services,
        columns=["service_id", "host_area_code", "accommodation_type", "specialism", "units", "annual_cost"],
    )
    svc = svc.assign(
        name=svc["service_id"],
        provider="P",
        support_type="advocacy",
        bedspaces=svc["units"] * 2,
        funding_source="mhclg_dasa_grant",
        start=pd.Timestamp("2020-04-01"),
        end=pd.NaT,
        status="in_place",
    )
    ref = pd.DataFrame(
        referrals,
        columns=[
            "referral_id", "household_id", "service_id", "origin_area_code", "date", "outcome",
            "decline_reason", "sex", "support_start", "support_end",
        ],
    )  # fmt: skip
    for column in ("date", "support_start", "support_end"):
        ref[column] = pd.to_datetime(ref[column])
    for column in cat.PROTECTED_CHARACTERISTICS:
        if column != "sex":
            ref[column] = "not_known"
    for code in cat.ADDITIONAL_NEEDS:
        ref[cat.need_column(code)] = "no"
    ref["children"] = 0
    ref["end_reason"] = None
    return Dataset(tables={"areas": areas, "population": population, "services": svc, "referrals": ref})


SERVICES = [
    ("S1", NORTH, "refuge", "generic", 3, 90000.0),
    ("S2", SOUTH, "refuge", "generic", 2, 60000.0),
    ("S3", NORTH, "sanctuary", "generic", 0, 20000.0),
    ("U1", UNITY, "refuge", "generic", 2, 50000.0),
]
# fmt: off
REFERRALS = [
    ("R1", "H1", "S1", NORTH, "2024-04-20", "accepted_supported", None, "female", "2024-05-01", "2024-06-01"),
    ("R12", "H1", "S2", NORTH, "2024-04-02", "unable_to_support", "other", "female", None, None),
    ("R2", "H2", "S1", SOUTH, "2024-05-01", "unable_to_support", "no_capacity_space", "male", None, None),
    ("R3", "H2", "S2", SOUTH, "2024-05-03", "unable_to_support", "no_capacity_space", "male", None, None),
    ("R4", "H3", "S1", UNITY, "2024-06-01", "unable_to_support", "unable_to_meet_needs", "female", None, None),
    ("R5", "H3", "U1", UNITY, "2024-06-20", "accepted_supported", None, "female", "2024-07-01", None),
    ("R6", "H4", "S3", NORTH, "2024-04-05", "accepted_supported", None, "female", "2024-04-10", "2024-04-20"),
    ("R7", "H5", "S1", NORTH, "2025-03-01", "pending", None, "female", None, None),
    ("R8", "H6", "S2", NORTH, "2024-09-01", "survivor_declined", None, "female", None, None),
    ("R9", "H7", "U1", NORTH, "2024-10-01", "unable_to_support", "no_capacity_space", "female", None, None),
    ("R10", "H8", "S1", NORTH, "2024-11-01", "withdrawn_by_referrer", None, "female", None, None),
    ("R11", "H9", "S1", NORTH, "2023-06-01", "accepted_supported", None, "female", "2023-06-05", "2023-09-01"),
]
# fmt: on


@pytest.fixture(params=["strings", "categorical"])
def dataset(request) -> Dataset:
    data = build(REFERRALS, SERVICES)
    if request.param == "categorical":  # loaded data has Categorical columns
        for name, column, codes in [
            ("referrals", "outcome", cat.REFERRAL_OUTCOMES.codes),
            ("referrals", "decline_reason", cat.DECLINE_REASONS.codes),
            ("referrals", "sex", cat.SEX.codes),
            ("services", "accommodation_type", cat.ACCOMMODATION_TYPES.codes),
            ("services", "specialism", cat.SPECIALISMS.codes),
        ]:
            frame = data.tables[name]
            frame[column] = pd.Categorical(frame[column], categories=codes)
    return data


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for key, value in where.items():
        mask &= frame[key].astype(str).to_numpy() == value
    assert mask.sum() == 1, f"expected one row for {where}, found {mask.sum()}"
    return frame[mask].iloc[0]


def test_outcomes_counts_and_decided_denominator(dataset):
    table = outcomes(dataset, PERIOD)
    assert list(table.columns) == [
        "area_code", "accommodation_type", "outcome", "count", "denominator", "share", "lower", "upper",
    ]  # fmt: skip
    # Shire refuges (S1, S2): R1 accepted; R12, R2, R3, R4 unable; R8 survivor declined;
    # R7 pending; R10 withdrawn. R11 was made in 2023-24. Decided = 1 + 4 + 1 = 6.
    unable = row(table, area_code=SHIRE, accommodation_type="refuge", outcome="unable_to_support")
    assert unable["count"] == 4 and unable["denominator"] == 6
    p, lower, upper = wilson_by_hand(4, 6)
    assert unable["share"] == pytest.approx(p)
    assert unable["lower"] == pytest.approx(lower) and unable["upper"] == pytest.approx(upper)
    assert unable["lower"] == pytest.approx(0.29999, abs=1e-4)  # 4/6 Wilson, by hand: 0.3000-0.9032
    assert unable["upper"] == pytest.approx(0.90324, abs=1e-4)
    accepted = row(table, area_code=SHIRE, accommodation_type="refuge", outcome="accepted_supported")
    assert accepted["count"] == 1 and accepted["share"] == pytest.approx(1 / 6)
    pending = row(table, area_code=SHIRE, accommodation_type="refuge", outcome="pending")
    assert pending["count"] == 1 and np.isnan(pending["share"])  # not a decision: no share
    assert row(table, area_code=SHIRE, accommodation_type="refuge", outcome="not_known")["count"] == 0
    # 'all' adds the sanctuary acceptance R6: decided 7, accepted 2.
    accepted_all = row(table, area_code=SHIRE, accommodation_type="all", outcome="accepted_supported")
    assert (accepted_all["count"], accepted_all["denominator"]) == (2, 7)
    # Unity: R5 accepted, R9 unable.
    unity = row(table, area_code=UNITY, accommodation_type="refuge", outcome="unable_to_support")
    assert (unity["count"], unity["denominator"], unity["share"]) == (1, 2, 0.5)
    # every outcome code appears for every (area, type) with referrals: Shire refuge,
    # sanctuary, all; Unity refuge, all.
    assert len(table) == 5 * len(cat.REFERRAL_OUTCOMES)


def test_decline_reasons_share_of_decided_and_capacity_flag(dataset):
    table = decline_reasons(dataset, PERIOD)
    capacity = row(table, area_code=SHIRE, accommodation_type="refuge", reason="no_capacity_space")
    assert (capacity["count"], capacity["denominator"]) == (2, 6)  # R2, R3 of 6 decided
    assert capacity["share"] == pytest.approx(1 / 3) and bool(capacity["capacity_related"])
    assert capacity["lower"] == pytest.approx(wilson_by_hand(2, 6)[1])
    needs_row = row(table, area_code=SHIRE, accommodation_type="refuge", reason="unable_to_meet_needs")
    assert needs_row["count"] == 1 and not bool(needs_row["capacity_related"])
    assert row(table, area_code=SHIRE, accommodation_type="refuge", reason="other")["count"] == 1
    every = row(table, area_code=SHIRE, accommodation_type="all", reason="no_capacity_space")
    assert (every["count"], every["denominator"]) == (2, 7)
    # sanctuary: one decided referral, no declines -> zero rows with share 0
    sanctuary = row(table, area_code=SHIRE, accommodation_type="sanctuary", reason="no_capacity_space")
    assert (sanctuary["count"], sanctuary["denominator"], sanctuary["share"]) == (0, 1, 0.0)
    # shares of the reasons add up to the turn-away rate 4/6
    shire_refuge = table[(table["area_code"] == SHIRE) & (table["accommodation_type"] == "refuge")]
    assert shire_refuge["share"].sum() == pytest.approx(4 / 6)


def test_declines_by_group(dataset):
    table = declines_by_group(dataset, PERIOD)
    assert list(table.columns) == [
        "area_code", "characteristic", "category", "declined", "decided", "share", "lower", "upper",
    ]  # fmt: skip
    # Shire decided referrals: R1 F acc, R12 F unable, R2 M unable, R3 M unable, R4 F unable,
    # R6 F acc, R8 F survivor declined -> female 2 of 5 declined, male 2 of 2.
    female = row(table, area_code=SHIRE, characteristic="sex", category="female")
    assert (female["declined"], female["decided"]) == (2, 5)
    assert female["upper"] == pytest.approx(wilson_by_hand(2, 5)[2])
    male = row(table, area_code=SHIRE, characteristic="sex", category="male")
    assert (male["declined"], male["decided"], male["share"]) == (2, 2, 1.0)
    age = row(table, area_code=SHIRE, characteristic="age_band", category="not_known")
    assert (age["declined"], age["decided"]) == (4, 7)
    need = row(table, area_code=UNITY, characteristic="need_nrpf", category="no")
    assert (need["declined"], need["decided"]) == (1, 2)
    assert set(table["characteristic"]) == set(cat.PROTECTED_CHARACTERISTICS) | {
        cat.need_column(code) for code in cat.ADDITIONAL_NEEDS
    }


def test_unmet_households_counted_once(dataset):
    table = unmet_households(dataset, PERIOD).set_index("area_code")
    # Shire: referred H1, H2, H3, H4, H5, H6, H8 = 7; supported by Shire services H1, H4 = 2.
    # Declined: H1 (but supported), H2 (twice, never supported: unmet, capacity),
    # H3 (supported by Unity's U1 in the period: not unmet).
    shire = table.loc[SHIRE]
    assert shire["households_referred"] == 7
    assert shire["households_supported"] == 2
    assert shire["households_unmet"] == 1
    assert shire["households_unmet_capacity"] == 1
    assert shire["unmet_share"] == pytest.approx(1 / 7)
    assert shire["lower"] == pytest.approx(wilson_by_hand(1, 7)[1])
    # Unity: referred H3, H7; supported H3; H7 declined for capacity, never supported.
    unity = table.loc[UNITY]
    assert list(unity[["households_referred", "households_supported", "households_unmet"]]) == [2, 1, 1]
    assert unity["households_unmet_capacity"] == 1


def test_cross_border_flows(dataset):
    table = cross_border_flows(dataset, PERIOD)
    assert list(table.columns) == ["area_code", "origin_area_code", "origin_name", "referrals", "households"]
    flows = {(r.area_code, r.origin_area_code): (r.referrals, r.households) for r in table.itertuples()}
    # Shire services: from Shire R1, R12, R2, R3, R6, R7, R8, R10 (8 referrals; households
    # H1, H2, H4, H5, H6, H8 = 6); from Unity R4 (H3).
    assert flows == {
        (SHIRE, SHIRE): (8, 6),
        (SHIRE, UNITY): (1, 1),
        (UNITY, UNITY): (1, 1),
        (UNITY, SHIRE): (1, 1),
    }
    assert row(table, area_code=SHIRE, origin_area_code=UNITY)["origin_name"] == "Unity"


def test_out_of_area(dataset):
    table = out_of_area(dataset, PERIOD)
    # in: Shire services got 9 referrals in the period, 1 (R4) from Unity.
    shire_in = row(table, area_code=SHIRE, direction="in")
    assert (shire_in["count"], shire_in["denominator"]) == (1, 9)
    assert shire_in["share"] == pytest.approx(1 / 9)
    assert shire_in["upper"] == pytest.approx(wilson_by_hand(1, 9)[2])
    # out: Shire residents made 9 referrals (R1, R12, R2, R3, R6, R7, R8, R9, R10), R9 to Unity.
    shire_out = row(table, area_code=SHIRE, direction="out")
    assert (shire_out["count"], shire_out["denominator"]) == (1, 9)
    unity_in = row(table, area_code=UNITY, direction="in")
    assert (unity_in["count"], unity_in["denominator"]) == (1, 2)  # R9 from Shire
    unity_out = row(table, area_code=UNITY, direction="out")
    assert (unity_out["count"], unity_out["denominator"]) == (1, 2)  # R4 to Shire of R4, R5


def test_confidence_level_changes_interval(dataset):
    narrow = out_of_area(dataset, PERIOD, confidence=0.95)
    wide = out_of_area(dataset, PERIOD, confidence=0.998)
    z998 = 3.090232306167813
    assert row(wide, area_code=SHIRE, direction="in")["upper"] == pytest.approx(wilson_by_hand(1, 9, z998)[2])
    assert (wide["upper"] >= narrow["upper"]).all()


def test_context_reuse_gives_same_tables(dataset):
    context = referral_context(dataset, PERIOD)
    # R11 (2023-24, support ended 2023-09-01) is neither made nor supported in the period.
    assert "R11" not in set(context["referral_id"])
    pd.testing.assert_frame_equal(outcomes(dataset, PERIOD, context=context), outcomes(dataset, PERIOD))
    pd.testing.assert_frame_equal(
        unmet_households(dataset, PERIOD, context=context), unmet_households(dataset, PERIOD)
    )


def test_blank_decline_reason_counts_as_not_known():
    referrals = [
        ("R1", "H1", "S1", NORTH, "2024-05-01", "unable_to_support", None, "female", None, None),
        ("R2", "H2", "S1", NORTH, "2024-05-02", "accepted_supported", None, "female", "2024-05-03", None),
    ]
    table = decline_reasons(build(referrals, SERVICES), PERIOD)
    blank = row(table, area_code=SHIRE, accommodation_type="refuge", reason="not_known")
    assert (blank["count"], blank["denominator"]) == (1, 2)


def test_unmet_need_counts_capacity_and_needs_only(tiny) -> None:
    """Shire 2024-25 by hand: H04 declined for space (R02, R05), H06 declined (R07), neither
    supported anywhere. Changing R07's reason moves H06 between unmet need and not unmet need."""
    from dataclasses import replace as _replace

    from needs.assessment.flow import household_flow
    from needs.assessment.referrals import unmet_households

    def shire(reason: str) -> tuple[pd.Series, dict[str, int]]:
        referrals = tiny.tables["referrals"].copy()
        referrals.loc[referrals["referral_id"] == "R07", "decline_reason"] = reason
        dataset = _replace(tiny, tables={**tiny.tables, "referrals": referrals})
        unmet = unmet_households(dataset, "2024-25").set_index("area_code").loc["E10000001"]
        flow = household_flow(dataset, "2024-25")
        rows = flow[flow["area_code"] == "E10000001"].set_index("row")["count"].astype(int).to_dict()
        return unmet, rows

    for reason, need, needs_row, other in (
        ("unable_to_meet_needs", 2, 1, 0),
        ("survivor_declined_or_disengaged", 1, 0, 1),
        ("inappropriate_referral_not_eligible", 1, 0, 1),
    ):
        unmet, rows = shire(reason)
        assert unmet["households_unmet"] == 2, reason
        assert (unmet["households_unmet_need"], unmet["households_unmet_capacity"]) == (need, 1), reason
        assert (unmet["households_unmet_needs"], unmet["households_unable_other"]) == (needs_row, other), reason
        assert unmet["unmet_share"] == pytest.approx(need / 9), reason
        # The flow places each unable household in one reason group; the first two are unmet need.
        assert rows["unable_no_capacity_space"] + rows["unable_needs_not_met"] == need, reason
        assert rows["unable_no_capacity_space"] == unmet["households_unmet_capacity"], reason
