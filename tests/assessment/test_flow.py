"""The flows of referrals and households (needs.assessment.flow), worked by hand on the tiny
dataset of ``tests/fixtures.py``, and every flow of the example adding up."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, NEIGHBOUR, SHIRE

import needs
from needs.assessment.flow import household_flow, referral_flow
from needs.inputs.dataset import Dataset


def _counts(frame: pd.DataFrame, area: str) -> dict[str, int]:
    return frame[frame["area_code"] == area].set_index("row")["count"].astype(int).to_dict()


def test_referral_flow_by_hand(tiny: Dataset) -> None:
    # Shire 2024-25: R01-R10; accepted R01 R03 R04 R06 R10; unable R02 R05 (space), R07 (needs);
    # withdrawn R08; pending R09.
    counts = _counts(referral_flow(tiny, "2024-25"), SHIRE)
    assert counts["referred"] == 10
    assert counts["decided"] == 8
    assert counts["accepted_supported"] == 5
    assert counts["unable_to_support"] == 3
    assert counts["reason_no_capacity_space"] == 2
    assert counts["reason_needs_not_met"] == 1
    assert counts["survivor_declined"] == 0
    assert (counts["withdrawn_by_referrer"], counts["pending"], counts["not_known"]) == (1, 1, 0)


def test_household_flow_by_hand(tiny: Dataset) -> None:
    counts = _counts(household_flow(tiny, "2024-25"), SHIRE)
    # H01 H02 H03 H05 H09 supported from a referral in the period; H04 (space) and H06 (needs)
    # not supported anywhere; H07 withdrawn; H08 pending.
    assert counts["referred"] == 9
    assert counts["supported_here"] == 5
    assert counts["supported_elsewhere"] == 0
    assert counts["unable_anywhere"] == 2
    assert (counts["unable_no_capacity_space"], counts["unable_needs_not_met"]) == (1, 1)
    assert (counts["withdrawn_by_referrer"], counts["pending"]) == (1, 1)
    # Supported in the period: those 5 plus H10, whose support began in 2023-24.
    assert (counts["supported"], counts["began_in_period"], counts["continued_from_before"]) == (6, 5, 1)
    assert (counts["accepted"], counts["first_for_household"], counts["further_for_household"]) == (5, 5, 0)


def test_supported_elsewhere_and_several_acceptances(tiny: Dataset) -> None:
    referrals = tiny.tables["referrals"]
    # H17, declined by Neighbourton's refuge, is supported by Shire's community service; H16 is
    # accepted by Neighbourton's refuge a second time.
    h17 = referrals[referrals["referral_id"] == "R06"].assign(referral_id="R97", household_id="H17")
    h16 = referrals[referrals["referral_id"] == "R17"].assign(referral_id="R98", date=pd.Timestamp("2024-06-01"))
    tables = dict(tiny.tables, referrals=pd.concat([referrals, h17, h16], ignore_index=True))
    counts = _counts(household_flow(Dataset(tables=tables), "2024-25"), NEIGHBOUR)
    assert counts["referred"] == 3  # H16, H17, H19
    assert (counts["supported_here"], counts["supported_elsewhere"], counts["unable_anywhere"]) == (2, 1, 0)
    assert (counts["accepted"], counts["first_for_household"], counts["further_for_household"]) == (3, 2, 1)


def _adds_up(frame: pd.DataFrame) -> list[str]:
    """Rows whose children (rows naming them as base) do not add up to them."""
    wrong = []
    for (area, section), rows in frame.groupby(["area_code", "section"]):
        counts = rows.set_index("row")["count"]
        for parent, children in rows.dropna(subset=["base_row"]).groupby("base_row"):
            if children["count"].sum() != counts[parent]:
                wrong.append(f"{area} {section} {parent}: {children['count'].sum()} != {counts[parent]}")
    return wrong


def test_tiny_flows_add_up(tiny: Dataset) -> None:
    for period in ("2023-24", "2024-25"):
        assert _adds_up(referral_flow(tiny, period)) == []
        assert _adds_up(household_flow(tiny, period)) == []


def test_adds_up_can_fail() -> None:
    frame = pd.DataFrame(
        {"area_code": "A", "section": "s", "row": ["top", "a", "b"], "base_row": [None, "top", "top"], "count": [5, 2, 2]}
    )
    assert _adds_up(frame) != []


@pytest.fixture(scope="module")
def example_assessment():
    return needs.assess(needs.load(DEFAULT_DATA), DEFAULT_AREA, DEFAULT_PERIOD)


def test_example_flows_add_up_in_the_parts(example_assessment) -> None:
    assert _adds_up(example_assessment.referral_flow) == []
    assert _adds_up(example_assessment.household_flow) == []
    referral = _counts(example_assessment.referral_flow, DEFAULT_AREA)
    household = _counts(example_assessment.household_flow, DEFAULT_AREA)
    assert (referral["referred"], referral["decided"], referral["accepted_supported"]) == (1117, 953, 742)
    assert household["referred"] == 1101
    assert household["supported"] == 800
    unmet = example_assessment.unmet.set_index("area_code")
    assert household["unable_anywhere"] == unmet.loc[DEFAULT_AREA, "households_unmet"] == 117
