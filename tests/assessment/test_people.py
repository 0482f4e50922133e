"""Households and individuals supported by scope (needs.assessment.people), worked by hand on
the tiny dataset of ``tests/fixtures.py`` and checked on the example."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, SHIRE, SOUTHBY

import needs
from needs.assessment.counting import households_supported, referrals_in_context
from needs.assessment.people import supported_by_scope
from needs.inputs.dataset import Dataset


def _by_scope(frame: pd.DataFrame, area: str) -> pd.DataFrame:
    return frame[frame["area_code"] == area].set_index("scope")[["households", "adults", "children", "individuals"]]


def test_scopes_worked_by_hand(tiny: Dataset) -> None:
    # Shire 2024-25: refuge S1 and dispersed S4 are safe accommodation: H01 (2 children), H03 (0),
    # H10 (2, support from 2023-24 continuing); community S2: H02 (1), H05 (0), H09 (0).
    shire = _by_scope(supported_by_scope(tiny, "2024-25"), SHIRE)
    assert list(shire.index) == ["safe_accommodation", "community", "all"]
    assert shire.loc["safe_accommodation"].tolist() == [3, 3, 4, 7]
    assert shire.loc["community"].tolist() == [3, 3, 1, 4]
    assert shire.loc["all"].tolist() == [6, 6, 5, 11]


def test_a_household_in_both_scopes_counts_in_each_and_once_in_the_total(tiny: Dataset) -> None:
    referrals = tiny.tables["referrals"]
    extra = referrals[referrals["referral_id"] == "R06"].assign(
        referral_id="R99", household_id="H01", children=3, origin_area_code=SOUTHBY
    )
    tables = dict(tiny.tables, referrals=pd.concat([referrals, extra], ignore_index=True))
    shire = _by_scope(supported_by_scope(Dataset(tables=tables), "2024-25"), SHIRE)
    # H01 now also has community support with 3 children: 2 in refuge, 3 in community, 3 in all.
    assert shire.loc["safe_accommodation"].tolist() == [3, 3, 4, 7]
    assert shire.loc["community"].tolist() == [4, 4, 4, 8]
    assert shire.loc["all"].tolist() == [6, 6, 6, 12]
    assert shire.loc[["safe_accommodation", "community"], "households"].sum() > shire.loc["all", "households"]


def test_total_is_the_one_counting_rule(tiny: Dataset) -> None:
    frame = supported_by_scope(tiny, "2024-25")
    totals = frame[frame["scope"] == "all"].set_index("area_code")
    rule = households_supported(referrals_in_context(tiny), "2024-25", by=["host_tier_one"]).set_index("host_tier_one")
    for column in ("households", "children", "individuals"):
        assert totals[column].to_dict() == rule[column].to_dict()


@pytest.fixture(scope="module")
def example_assessment():
    return needs.assess(needs.load(DEFAULT_DATA), DEFAULT_AREA, DEFAULT_PERIOD)


def test_example_scopes(example_assessment) -> None:
    frame = _by_scope(example_assessment.supported, DEFAULT_AREA)
    assert frame.loc["all"].tolist() == [800, 800, 457, 1257]
    assert frame.loc["safe_accommodation", ["households", "individuals"]].tolist() == [30, 61]
    assert frame.loc["community", ["households", "individuals"]].tolist() == [770, 1196]
