"""Tests of needs.scenarios.display: the wide, text and formatted tables."""

from __future__ import annotations

import pytest
from handworked import hand_baseline

from needs.scenarios.comparison import compare
from needs.scenarios.display import CHANGES, display_table, format_table, to_wide
from needs.scenarios.figures import CHANGES_LABEL, FIGURES
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
    # The probability is computed from draws or not in the table.
    assert list(table["figure"].unique()) == [f for f in FIGURES if f != "prob_meets_target"]
    assert list(table.columns) == [
        "area_code", "period", "scenario", "description", "changes", "figure", "label", "unit", "value", "lower",
        "upper", "status", "note",
    ]  # fmt: skip
    wide = to_wide(table)
    assert list(wide["scenario"]) == [BASELINE_NAME, "More"]
    assert wide.loc[1, "turnaways"] == pytest.approx(2.0)
    text = format_table(table)
    header = text.splitlines()[text.splitlines().index("") + 1]
    assert "Baseline" in header and "More" in header
    assert text.splitlines()[:3] == [
        "What changes:",
        "  Baseline: nothing: services in place, demand and stays as observed",
        "  More: resizes Service R1 (R1): 1 → 2 units; bedded units 1 → 2",
    ]
    assert "£60,000" in text and "50.0%" in text
    shown = display_table(table)
    assert list(shown.columns) == ["Figure", BASELINE_NAME, "More"]
    assert shown.attrs["figures"][0] == CHANGES and shown.loc[0, "Figure"] == CHANGES_LABEL
    hidden = display_table(compare(hand_baseline()), suppress_below=11)  # demand 10 < 11
    assert hidden.set_index("Figure").loc[FIGURES["turnaways"][0], BASELINE_NAME] == "[c]"
    assert hidden.set_index("Figure").loc[FIGURES["units"][0], BASELINE_NAME] == "1"
