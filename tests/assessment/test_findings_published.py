"""Findings written from published cells (issue 12).

The publication calls ``findings`` on the assessment whose parts are the published versions:
every hidden count, and every figure derived from it, is NaN (object columns, as the page
masks them), and parts may carry extra columns. A sentence must never print a NaN figure, nor
anything derived from one, and never fall back on a "fewer than N" wording of its own.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

import needs
from needs.assessment.findings import FINDING_COLUMNS, findings

AREA = "E10000018"
PERIOD = "2023-24"

#: Per part: the counts of people and every figure derived from them, as the page hides them.
HIDDEN = {
    "representation": [
        "observed_count", "observed_total", "observed_share", "lower", "upper", "ratio", "ratio_lower",
        "ratio_upper", "under_reached",
    ],
    "unmet": [
        "households_referred", "households_supported", "households_unmet", "households_unmet_capacity",
        "unmet_share", "lower", "upper",
    ],
    "erlang": [
        "arrivals_per_year", "mean_stay_days", "offered_load", "modelled_turnaway", "observed_capacity_declines",
        "observed_decided", "observed_turnaway_share", "units_needed",
    ],
    "decline_reasons": ["count", "denominator", "share", "lower", "upper"],
    "supported": ["households", "adults", "children", "individuals"],
    "trends": ["count", "value", "lower", "upper", "rate_ratio", "ratio_lower", "ratio_upper"],
    "gaps": [
        "arrivals_per_year", "households_supported", "mean_stay_days", "occupancy", "annual_throughput",
        "capacity_full_occupancy", "units_needed", "gap_units", "annual_cost_to_close",
    ],
}  # fmt: skip

#: The topic each part feeds (turn-aways come from three parts).
TOPIC = {
    "representation": "under_reached",
    "unmet": "turn_aways",
    "erlang": "turn_aways",
    "decline_reasons": "turn_aways",
    "trends": "trend",
    "gaps": "capacity_gap",
    "supported": "supported",
}


@pytest.fixture(scope="module")
def assessment():
    return needs.assess(needs.load("data/example"), AREA, PERIOD)


def hide(frame: pd.DataFrame, columns: list[str], rows: pd.Series | None = None) -> pd.DataFrame:
    """``frame`` with ``columns`` set to NaN (on ``rows``, else everywhere), as object columns."""
    out = frame.copy()
    present = [c for c in columns if c in out.columns]
    out[present] = out[present].astype(object)
    out.loc[slice(None) if rows is None else rows, present] = np.nan
    return out


def assert_clean(out: pd.DataFrame) -> None:
    assert list(out.columns) == list(FINDING_COLUMNS)
    for sentence in out["sentence"]:
        assert "[x]" not in sentence, sentence
        assert "fewer than" not in sentence.lower(), sentence
        assert not re.search(r"\bnan\b", sentence, flags=re.IGNORECASE), sentence
        assert "  " not in sentence and "()" not in sentence and " ," not in sentence, sentence


def test_hidden_age_band_is_not_quoted(assessment):
    rep = assessment.representation
    cell = (
        (rep["characteristic"] == "age_band") & (rep["category"] == "65-74") & (rep["basis"] == "supported")
    )
    assert cell.sum() == 1
    # the raw findings quote it (the bug of issue 12, in the unpublished part)
    assert any("65-74" in s and "%" in s for s in assessment.findings["sentence"])
    derived = [
        "observed_count", "observed_share", "lower", "upper", "ratio", "ratio_lower", "ratio_upper",
        "under_reached",
    ]  # fmt: skip
    published = dataclasses.replace(assessment, representation=hide(rep, derived, cell))
    out = findings(published)
    assert_clean(out)
    for sentence in out["sentence"]:
        assert not ("65-74" in sentence and "%" in sentence), sentence
    # no fall-back on households referred either (65-74 is under-reached among them): which
    # basis a finding uses would say whether the hidden row is under-reached
    referred = rep[
        (rep["characteristic"] == "age_band") & (rep["category"] == "65-74") & (rep["basis"] == "referred")
    ]
    assert bool(referred["under_reached"].iloc[0])
    assert not out["sentence"].str.contains("65-74").any()
    # other groups and topics are untouched
    before = assessment.findings
    assert out[out["topic"] != "under_reached"]["sentence"].tolist() == (
        before[before["topic"] != "under_reached"]["sentence"].tolist()
    )
    kept = before[(before["topic"] == "under_reached") & ~before["sentence"].str.contains("65-74")]
    assert (
        out[out["topic"] == "under_reached"]["sentence"].iloc[: len(kept)].tolist()
        == kept["sentence"].tolist()
    )


@pytest.mark.parametrize("part", sorted(HIDDEN))
def test_every_count_hidden_drops_the_topic(assessment, part):
    frame = getattr(assessment, part)
    published = dataclasses.replace(assessment, **{part: hide(frame, HIDDEN[part])})
    out = findings(published, suppress_below=10, max_per_topic=None)
    assert_clean(out)
    before = findings(assessment, max_per_topic=None)
    topic = TOPIC[part]
    if part == "gaps":
        # the planned units (the pipeline) and the benchmark (units against population) stay;
        # every gap sentence goes
        kept = before[(before["topic"] == topic) & ~before["sentence"].str.contains("needed by the loss model")]
        assert len(kept) < len(before[before["topic"] == topic])
        assert out[out["topic"] == topic]["sentence"].tolist() == kept["sentence"].tolist()
    elif topic == "turn_aways":
        # the other parts of the topic keep their sentences; this part's are dropped
        assert len(out[out["topic"] == topic]) < len(before[before["topic"] == topic])
    else:
        assert not (out["topic"] == topic).any()
    # every other topic is unchanged
    assert (
        out[out["topic"] != topic]["sentence"].tolist()
        == before[before["topic"] != topic]["sentence"].tolist()
    )


def test_every_turn_away_count_hidden_drops_the_topic(assessment):
    parts = {
        part: hide(getattr(assessment, part), HIDDEN[part]) for part in ("unmet", "erlang", "decline_reasons")
    }
    out = findings(dataclasses.replace(assessment, **parts))
    assert_clean(out)
    assert not (out["topic"] == "turn_aways").any()


def test_every_count_hidden_everywhere(assessment):
    parts = {part: hide(getattr(assessment, part), columns) for part, columns in HIDDEN.items()}
    parts["funding"] = hide(
        assessment.funding,
        [
            "households_supported", "cost_per_household", "households_safe_accommodation",
            "households_community", "cost_per_household_safe_accommodation", "cost_per_household_community",
        ],
    )  # fmt: skip
    out = findings(dataclasses.replace(assessment, **parts))
    assert_clean(out)
    assert set(out["topic"]) == {"capacity_gap", "expected_victims", "funding", "projection"}
    (funding,) = out.loc[out["topic"] == "funding", "sentence"]
    assert "per household" not in funding and funding.endswith("uncommitted.")
    assert out["value"].notna().all()


def test_hidden_expected_victims_drop_their_sentence(assessment):
    expected = hide(assessment.expected_victims, ["value", "lower", "upper"])
    out = findings(dataclasses.replace(assessment, expected_victims=expected))
    assert_clean(out)
    # The assessed year's sentence goes; the projection's (its own part) may stay.
    assert not out["sentence"].str.startswith("An estimated").any()


def test_no_hidden_cell_gives_the_same_sentences(assessment):
    # published parts with nothing hidden, object columns and a few extra columns
    parts = {
        part: hide(getattr(assessment, part), [], None).assign(
            published=True, note="", group="x", count_before=-1, value_before=-1, _basis=9, _merge="x"
        )
        for part in (*HIDDEN, "funding", "benchmark", "expected_victims")
    }
    out = findings(dataclasses.replace(assessment, **parts))
    assert_clean(out)
    pd.testing.assert_frame_equal(out, assessment.findings)
    by_topic = out.groupby("topic")["sentence"].apply(list)
    assert by_topic["capacity_gap"] == [
        "Dispersed accommodation with refuge-level support for male victims: 2 units in place against 12 (95%"
        " interval 7 to 17) needed by the loss model to keep turn-aways for lack of space to 5%, a gap of 10 "
        "units (95% interval 5 to 15); the annual support cost of closing it is about £113,000 (95% interval "
        "£56,000 to £169,000) (support only, not the housing).",
        "Dispersed accommodation with refuge-level support for disabled victims (accessible units): 2 units "
        "in place against 12 (95% interval 6 to 20) needed by the loss model to keep turn-aways for lack of "
        "space to 5%, a gap of 10 units (95% interval 4 to 18); the annual support cost of closing it is "
        "about £113,000 (95% interval £45,000 to £203,000) (support only, not the housing).",
        "Refuge accommodation: 6 units in place against 18 (95% interval 12 to 25) needed by the loss model "
        "to keep turn-aways for lack of space to 5%, a gap of 12 units (95% interval 6 to 19); the annual "
        "support cost of closing it is about £110,000 (95% interval £55,000 to £174,000) (support only, not "
        "the housing).",
        "Specialist safe accommodation (including 'by and for') for black and minoritised victims: 3 units in"
        " place against 13 (95% interval 8 to 18) needed by the loss model to keep turn-aways for lack of "
        "space to 5%, a gap of 10 units (95% interval 5 to 15); the annual support cost of closing it is "
        "about £83,000 (95% interval £42,000 to £125,000) (support only, not the housing).",
        "Second-stage (move-on) accommodation: 6 units are planned (not yet in place); they are a pipeline, "
        "not counted in the units in place, the loss model or the gap.",
        "For context, the Council of Europe standard of one family place (a place for a woman and her "
        "children, counted here as one unit) per 10,000 residents (Kelly & Dubois 2008) would call for 72.3 "
        "units of the counted types; Leicestershire has 13 in place, 59.3 short (82% of the benchmark). It is"
        " a population ratio, not the need modelled from demand.",
    ]
    assert by_topic["expected_victims"] == [
        "An estimated 47,100 adults aged 16 and over in Leicestershire experienced domestic abuse in the last"
        " year (95% CI 44,200 to 50,100, covering national survey sampling error only, not local variation): "
        "28,400 women and 18,700 men, applying CSEW prevalence rates for the year ending March 2024 (new CSEW"
        " questions aligned to the Domestic Abuse Act 2021) by sex and age band to the area's population.",
    ]
    assert by_topic["projection"] == [
        "On ONS population projections, expected adult victims in Leicestershire would rise from 47,100 in "
        "2023-24 to 49,600 in 2026-27 (95% CI 46,500 to 52,700, national survey sampling error only): a rise "
        "of 5%, if prevalence by sex and age and the share of victims reaching services stayed as in the "
        "assessed year. With households arriving in step, the loss model needs in 2026-27: refuge "
        "accommodation 19 (6 in place); specialist safe accommodation (including 'by and for') (black and "
        "minoritised victims) 13 (3 in place); dispersed accommodation with refuge-level support (male "
        "victims) 12 (2 in place); dispersed accommodation with refuge-level support (disabled victims "
        "(accessible units)) 13 (2 in place).",
    ]
    assert by_topic["trend"] == [
        "Households supported went from 61 in 2022-23 to 800 in 2023-24; per month of service operation (50.3"
        " months in 2022-23 and 198.0 in 2023-24, summed over the services) they rose (rate ratio 3.3, 95% "
        "CI 2.6 to 4.3: a statistically significant change); the services began on 1 January 2023, so "
        "2022-23 holds only 3 of its 12 months of their work, and a change may reflect services starting, not"
        " their impact.",
    ]
