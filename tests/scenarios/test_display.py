"""Tests of needs.scenarios.display: the wide, text and formatted tables."""

from __future__ import annotations

import pytest
from handworked import hand_baseline

from needs.scenarios.comparison import compare
from needs.scenarios.display import display_table, format_table, to_wide
from needs.scenarios.figures import FIGURES
from needs.scenarios.spec import BASELINE_NAME

# --------------------------------------------------------------------------------------
# Output shapes
# --------------------------------------------------------------------------------------


def test_table_shape_wide_and_text():
    scenario = {
        "name": "More",
        "description": "One more unit",
        "services": {"resize": [{"service_id": "R1", "units": 2}]},
    }
    table = compare(hand_baseline(), scenarios=[scenario])
    assert list(table["scenario"].unique()) == [BASELINE_NAME, "More"]
    assert list(table["figure"].unique()) == list(FIGURES)
    assert list(table.columns) == [
        "area_code", "period", "scenario", "description", "figure", "label", "unit", "value", "lower", "upper", "note",
    ]  # fmt: skip
    wide = to_wide(table)
    assert list(wide["scenario"]) == [BASELINE_NAME, "More"]
    assert wide.loc[1, "turnaways"] == pytest.approx(2.0)
    text = format_table(table)
    assert "Baseline" in text.splitlines()[0] and "More" in text.splitlines()[0]
    assert "£60,000" in text and "50.0%" in text
    shown = display_table(table)
    assert list(shown.columns) == ["Figure", BASELINE_NAME, "More"]
    hidden = display_table(compare(hand_baseline()), suppress_below=11)  # demand 10 < 11
    assert hidden.set_index("Figure").loc[FIGURES["turnaways"][0], BASELINE_NAME] == "[c]"
    assert hidden.set_index("Figure").loc[FIGURES["units"][0], BASELINE_NAME] == "1"
