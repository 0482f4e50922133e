"""The area among every English authority (needs.assessment.comparators)."""

from __future__ import annotations

import pytest

from needs.assessment.comparators import comparators, national_cin, national_marac


def test_national_tables_cover_england():
    assert len(national_cin("2023-24")) >= 150  # 153 authorities less DfE's suppressed cells
    marac = national_marac("2023-24")
    assert 35 <= len(marac) <= 39  # English police force areas that published a rate
    assert marac.loc[marac["comparator_code"] == "E23000021", "numerator"].item() == 1241


def test_leicestershire_positions():
    placed, funnels = comparators(["E10000018"], "2023-24")
    own = placed[placed["is_area"]].set_index("indicator")
    # 26.6 per 10,000 against an England average of about 45: far below (outside 99.8%)
    assert own.loc["marac_cases_rate", "position"] == "below_99_8"
    assert own.loc["cin_da_parent_share", "value"] == pytest.approx(100 * 1336 / 3705)
    assert placed.groupby("indicator")["is_neighbour"].sum().le(5).all()
    assert set(funnels["indicator"]) == {"marac_cases_rate", "cin_da_parent_share"}
