"""Tests for needs.assessment.findings with hand-built assessment parts.

Each part is a small DataFrame with the columns of docs/ARCHITECTURE.md ("The Assessment");
expected sentences are written out in full here. Findings are written from published cells: a
hidden figure arrives as NaN and is never printed; a count that arrives is printed as it is
(tests/assessment/test_findings_published.py covers the published demonstration assessment).
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from fixtures import tiny_dataset
from scipy.stats import norm

from needs.assessment.assemble import Assessment, assess_all
from needs.assessment.findings import FINDING_COLUMNS, TOPICS, findings

A = "E10000001"
B = "E06000001"


def wilson(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    z = norm.ppf(1 - (1 - confidence) / 2)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


def make(period: str = "2024-25", options: dict | None = None, **parts: pd.DataFrame) -> Assessment:
    """An Assessment whose unspecified parts are empty."""
    names = [f.name for f in fields(Assessment) if f.name not in ("period", "options")]
    filled = {name: parts.get(name, pd.DataFrame()) for name in names}
    if "areas" not in parts:
        filled["areas"] = pd.DataFrame({"area_code": [A, B], "area_name": ["Shire", "Neighbourton"]})
    return Assessment(
        period=period, options=options or {"confidence": 0.95, "target_turnaway": 0.05}, **filled
    )


def representation_rows(rows: list[dict]) -> pd.DataFrame:
    base = {
        "area_code": A, "basis": "supported", "observed_total": 300, "ratio_lower": np.nan,
        "ratio_upper": np.nan, "under_reached": True, "lower": np.nan, "upper": np.nan,
    }  # fmt: skip
    return pd.DataFrame([{**base, **row} for row in rows])


def test_under_reached_sentence_matches_design_example():
    rep = representation_rows(
        [
            {"characteristic": "sex", "category": "male", "expected_share": 0.31, "observed_count": 12,
             "observed_share": 0.04, "ratio": 0.129, "ratio_lower": 0.076, "ratio_upper": 0.21},
        ]
    )  # fmt: skip
    out = findings(make(representation=rep))
    assert list(out.columns) == list(FINDING_COLUMNS)
    assert out["sentence"].tolist() == [
        "Male victims were 4% of households supported against 31% of expected victims: about 1 in 10 of the "
        "number expected (ratio 0.13, 95% CI 0.076 to 0.21)."
    ]
    assert out.loc[0, ["value", "lower", "upper"]].tolist() == pytest.approx([0.129, 0.076, 0.21])
    assert out.loc[0, "topic"] == "under_reached" and out.loc[0, "rank"] == 1


def test_under_reached_order_labels_and_filters():
    rep = representation_rows(
        [
            {"characteristic": "age_band", "category": "75+", "expected_share": 0.10, "observed_count": 15,
             "observed_share": 0.05, "ratio": 0.5, "ratio_lower": 0.3, "ratio_upper": 0.8},
            {"characteristic": "disability", "category": "disabled", "expected_share": 0.35, "observed_count": 21,
             "observed_share": 0.07, "ratio": 0.2, "ratio_lower": 0.13, "ratio_upper": 0.3},
            {"characteristic": "ethnic_group", "category": "asian", "expected_share": 0.1, "observed_count": 30,
             "observed_share": 0.1, "ratio": 1.0, "ratio_lower": 0.7, "ratio_upper": 1.4, "under_reached": False},
            {"characteristic": "sex", "category": "male", "expected_share": 0.3, "observed_count": np.nan,
             "observed_share": np.nan, "ratio": np.nan, "ratio_lower": np.nan, "ratio_upper": np.nan,
             "under_reached": np.nan},
        ]
    )  # fmt: skip
    out = findings(make(representation=rep))
    assert out["value"].tolist() == [0.2, 0.5]  # smallest ratio first; not under-reached and hidden left out
    assert out["sentence"].tolist() == [
        "Victims recorded as “Disabled” (disability) were 7% of households supported against 35% of "
        "expected victims (the Census 2021 profile of residents aged 16 and over, weighted by relative prevalence): "
        "about 2 in 10 of the number expected (ratio 0.20, 95% CI 0.13 to 0.30).",
        "Victims aged 75 and over were 5% of households supported against 10% of expected victims: about 5 in 10 "
        "of the number expected (ratio 0.50, 95% CI 0.30 to 0.80).",
    ]
    assert out["rank"].tolist() == [1, 2]


def test_published_count_is_printed_and_hidden_row_is_dropped():
    rep = representation_rows(
        [
            {"characteristic": "sex", "category": "male", "expected_share": 0.31, "observed_count": 3,
             "observed_total": 150, "observed_share": 0.02, "ratio": 0.0645, "ratio_lower": 0.02,
             "ratio_upper": 0.19, "basis": "referred"},
        ]
    )  # fmt: skip
    # disclosure is decided upstream: a count that reaches findings is publishable
    expected = [
        "Male victims were 2% of households referred against 31% of expected victims: about 1 in 10 of the "
        "number expected (ratio 0.065, 95% CI 0.020 to 0.19)."
    ]
    out = findings(make(representation=rep))
    assert out["sentence"].tolist() == expected
    assert out.loc[0, ["value", "lower", "upper"]].tolist() == pytest.approx([0.0645, 0.02, 0.19])
    # suppress_below is kept for compatibility and changes nothing
    assert findings(make(representation=rep), suppress_below=10)["sentence"].tolist() == expected
    # the same row as published with its count hidden: no finding, no placeholder
    hidden = rep.assign(
        **{c: np.nan for c in ("observed_count", "observed_share", "ratio", "ratio_lower", "ratio_upper")},
        under_reached=np.nan,
    )
    assert findings(make(representation=hidden)).empty


def test_zero_count_is_printed():
    unmet = pd.DataFrame(
        {"area_code": [A], "households_referred": [40], "households_supported": [40], "households_unmet": [0],
         "households_unmet_need": [0], "households_unmet_capacity": [0], "unmet_share": [0.0], "lower": [0.0], "upper": [0.0876]}
    )  # fmt: skip
    out = findings(make(unmet=unmet))
    assert out["sentence"].tolist() == [
        "0 of the 40 households referred in 2024-25 were unable to be supported for lack of capacity or for "
        "needs the service could not meet, and were not supported by any service in this dataset "
        "(0%, 95% CI 0% to 9%)."
    ]


def test_capacity_gaps_first_and_ordered_by_cost():
    benchmark = pd.DataFrame(
        {"area_code": [A], "population": [520_000], "coe_target_units": [52.0], "counted_units": [30],
         "gap_units": [22.0], "gap_share": [22 / 52], "counted_types": ["refuge"]}
    )  # fmt: skip
    gaps = pd.DataFrame(
        {
            "area_code": [A, A, A],
            "accommodation_type": ["refuge", "dispersed_refuge_level", "second_stage"],
            "specialism": ["generic", "male_victims", "generic"],
            "units": [20, 2, 4],
            "units_needed": [26, 5, 4],
            "gap_units": [6, 3, 0],
            "cost_per_unit": [25_000.0, 20_000.0, 15_000.0],
            "annual_cost_to_close": [150_000.0, 60_000.0, 0.0],
            "planned_units": [0, 0, 0],
        }
    )
    rep = representation_rows(
        [{"characteristic": "sex", "category": "male", "expected_share": 0.31, "observed_count": 12,
          "observed_share": 0.04, "ratio": 0.129, "ratio_lower": 0.076, "ratio_upper": 0.21}]
    )  # fmt: skip
    out = findings(make(benchmark=benchmark, gaps=gaps, representation=rep))
    assert out["topic"].tolist() == ["capacity_gap", "capacity_gap", "capacity_gap", "under_reached"]
    # the loss model's gaps with their support cost first, the Council of Europe benchmark as context
    assert out["sentence"].tolist()[:3] == [
        "Refuge accommodation: 20 units in place against 26 needed by the loss model to keep turn-aways "
        "for lack of space to 5%, a gap of 6 units; the annual support cost of closing it is about "
        "£150,000 (support only, not the housing).",
        "Dispersed accommodation with refuge-level support for male victims: 2 units in place against 5 "
        "needed by the loss model to keep turn-aways for lack of space to 5%, a gap of 3 units; the annual "
        "support cost of closing it is about £60,000 (support only, not the housing).",
        "For context, the Council of Europe standard of one family place (a place for a woman and her "
        "children, counted here as one unit) per 10,000 residents (Kelly & Dubois 2008) would call for 52 "
        "units of the counted types; Shire has 30 in place, 22 short (42% of the benchmark). It is a "
        "population ratio, not the need modelled from demand.",
    ]
    assert out["value"].tolist()[:3] == [6.0, 3.0, 22.0]
    assert "second" not in " ".join(out["sentence"]).lower()  # no gap, no finding
    assert findings(make(gaps=gaps), max_per_topic=1)["value"].tolist() == [6.0]
    # planned units (the pipeline) are named apart and never close a gap
    planned = gaps.assign(planned_units=[3, 0, 6])
    sentences = findings(make(gaps=planned))["sentence"].tolist()
    assert sentences == [
        "Refuge accommodation: 20 units in place (3 more planned, not yet in place and not counted) "
        "against 26 needed by the loss model to keep turn-aways for lack of space to 5%, a gap of 6 units; "
        "the annual support cost of closing it is about £150,000 (support only, not the housing).",
        sentences[1],
        "Second-stage (move-on) accommodation: 6 units are planned (not yet in place); they are a "
        "pipeline, not counted in the units in place, the loss model or the gap.",
    ]


def test_turn_aways_with_hidden_cells():
    # Neighbourton as published: its unmet households and capacity declines are hidden (NaN),
    # with every figure derived from them.
    unmet = pd.DataFrame(
        {"area_code": [A, B], "households_referred": [200, 40], "households_supported": [150, 30],
         "households_unmet": [40, np.nan], "households_unmet_need": [40, np.nan], "households_unmet_capacity": [12, np.nan],
         "unmet_share": [0.2, np.nan], "lower": [0.1506, np.nan], "upper": [0.2604, np.nan]}
    )  # fmt: skip
    erlang = pd.DataFrame(
        {"area_code": [A, B], "accommodation_type": ["refuge", "refuge"], "units": [20, 4],
         "arrivals_per_year": [90.0, 20.0], "mean_stay_days": [100.0, 90.0], "offered_load": [24.6, 4.9],
         "modelled_turnaway": [0.27, 0.31], "observed_capacity_declines": [10, np.nan],
         "observed_decided": [50, 12], "observed_turnaway_share": [0.2, np.nan], "units_needed": [31, 9],
         "target_turnaway": [0.05, 0.05]}
    )  # fmt: skip
    out = findings(make(unmet=unmet, erlang=erlang))
    shire = out[out["area_code"] == A]
    low, high = wilson(10, 50)
    assert shire["sentence"].tolist() == [
        "40 of the 200 households referred in 2024-25 were unable to be supported for lack of capacity or for "
        "needs the service could not meet, and were not supported by any service in this dataset "
        "(20%, 95% CI 15% to 26%); 12 of them were turned away for lack of space.",
        f"20% of decided referrals to refuge accommodation (10 of 50) were turned away for lack of space "
        f"(95% CI {low * 100:.0f}% to {high * 100:.0f}%); with 20 units the Erlang loss model gives a "
        "turn-away rate of 27% and 31 units would keep it to 5%.",
    ]
    assert shire["value"].tolist() == pytest.approx([0.2, 0.2])
    assert shire["lower"].tolist() == pytest.approx([0.1506, low])
    neighbour = out[out["area_code"] == B]
    # the unmet finding (headline hidden) is dropped; the Erlang finding keeps only the model
    assert neighbour["sentence"].tolist() == [
        "For refuge accommodation, with 4 units the Erlang loss model gives a turn-away rate of 31% "
        "and 9 units would keep it to 5%.",
    ]
    assert neighbour["value"].tolist() == pytest.approx([0.31])
    assert neighbour[["lower", "upper"]].isna().all(axis=None)
    # the modelled turn-away derived from a hidden count is hidden too: nothing left to say
    both = findings(make(unmet=unmet, erlang=erlang.assign(modelled_turnaway=[0.27, np.nan])))
    assert (both["area_code"] == B).sum() == 0


def test_hidden_clauses_are_left_out():
    unmet = pd.DataFrame(
        {"area_code": [A], "households_referred": [200], "households_supported": [150],
         "households_unmet": [40], "households_unmet_need": [40], "households_unmet_capacity": [np.nan], "unmet_share": [0.2],
         "lower": [np.nan], "upper": [np.nan]}
    )  # fmt: skip
    out = findings(make(unmet=unmet))
    assert out["sentence"].tolist() == [
        "40 of the 200 households referred in 2024-25 were unable to be supported for lack of capacity or for "
        "needs the service could not meet, and were not supported by any service in this dataset (20%)."
    ]
    assert out["value"].tolist() == [0.2] and out[["lower", "upper"]].isna().all(axis=None)


def test_capacity_declines_sentence():
    reasons = pd.DataFrame(
        {"area_code": [A, A, A], "accommodation_type": ["all", "all", "refuge"],
         "reason": ["no_capacity_space", "other", "no_capacity_space"], "count": [30, 6, 20],
         "denominator": [120, 120, 60], "share": [0.25, 0.05, 1 / 3], "lower": [0.181, 0.023, 0.2],
         "upper": [0.334, 0.105, 0.46], "capacity_related": [True, False, True]}
    )  # fmt: skip
    out = findings(make(decline_reasons=reasons))
    assert out["sentence"].tolist() == [
        "25% of the 120 decided referrals (30) were declined because of “No space or capacity” "
        "(95% CI 18% to 33%)."
    ]


def test_expected_victims_sentence():
    expected = pd.DataFrame(
        {
            "area_code": [A] * 3 + [B] * 3,
            "geography_code": [A] * 3 + [B] * 3,
            "geography_name": ["Shire"] * 3 + ["Neighbourton"] * 3,
            "level": ["tier_one"] * 6,
            "sex": ["female", "male", "all"] * 2,
            "population_16plus": [250_000, 240_000, 490_000, 1000, 900, 1900],
            "rate": [9.5, 6.5, 8.0, 10.0, 6.0, 8.1],
            "value": [23_750.0, 15_600.0, 39_350.0, 100.0, 54.0, 154.0],
            "lower": [22_500.0, 14_640.0, 37_140.0] + [np.nan] * 3,
            "upper": [25_000.0, 16_555.0, 41_555.0] + [np.nan] * 3,
            "measure": ["new"] * 3 + ["old"] * 3,
            "prevalence_period": ["2023-24"] * 3 + ["2022-23"] * 3,
        }
    )
    out = findings(make(expected_victims=expected)).set_index("area_code")
    assert out.loc[A, "sentence"] == (
        "An estimated 39,400 adults aged 16 and over in Shire experienced domestic abuse in the last year "
        "(95% CI 37,100 to 41,600, covering national survey sampling error only, not local variation): "
        "23,800 women and 15,600 men, applying CSEW prevalence rates for the year ending March 2024 (new CSEW "
        "questions aligned to the Domestic Abuse Act 2021) by sex and age band to the area's population."
    )
    # The figures are quoted as rounded (to the nearest 100, the step its interval supports).
    assert out.loc[A, "value"] == 39_400.0 and out.loc[A, "upper"] == 41_600.0
    assert (
        "(no confidence interval: the prevalence rates came without limits or sample sizes)"
        in out.loc[B, "sentence"]
    )
    assert "year ending March 2023 (previous CSEW domestic abuse questions)" in out.loc[B, "sentence"]


def test_trend_and_funding_sentences():
    trends = pd.DataFrame(
        {
            "area_code": [A, A, B, B],
            "measure": ["households_supported"] * 4,
            "characteristic": ["all"] * 4,
            "category": ["all"] * 4,
            "period": ["2023-24", "2024-25"] * 2,
            "count": [40, 60, np.nan, 8],  # Neighbourton's 2023-24 count hidden, with its rate ratio
            "denominator": [400_000.0] * 4,
            "value": [1.0, 1.5, np.nan, 0.2],
            "lower": [np.nan] * 4,
            "upper": [np.nan] * 4,
            "rate_ratio": [np.nan, 1.5, np.nan, np.nan],
            "ratio_lower": [np.nan, 1.04, np.nan, np.nan],
            "ratio_upper": [np.nan, 2.17, np.nan, np.nan],
        }
    )
    funding = pd.DataFrame(
        {"area_code": [A, B], "period": ["2024-25"] * 2, "grant": [1_000_000.0, 300_000.0],
         "other_funding": [200_000.0, 0.0], "committed_in_place": [900_000.0, 350_000.0],
         "committed_not_yet": [100_000.0, 0.0], "committed_total": [1_000_000.0, 350_000.0],
         "uncommitted_balance": [200_000.0, -50_000.0], "households_supported": [60, np.nan],
         "cost_per_household": [1_000_000 / 60, np.nan], "committed_management": [50_000.0, 0.0],
         "households_safe_accommodation": [20, np.nan], "households_community": [45, 30],
         "cost_per_household_safe_accommodation": [300_000 / 20, np.nan],
         "cost_per_household_community": [540_000 / 45, 350_000 / 30]}
    )  # fmt: skip
    out = findings(make(trends=trends, funding=funding))
    shire = out[out["area_code"] == A]
    assert shire["topic"].tolist() == ["trend", "funding"]
    assert shire["sentence"].tolist() == [
        "Households supported rose from 40 in 2023-24 to 60 in 2024-25 (rate ratio 1.5, 95% CI 1.0 to "
        "2.2: a statistically significant change).",
        "In 2024-25 funding of £1,200,000 (£1,000,000 grant and £200,000 other funding) is set against "
        "£1,000,000 of committed spend (£100,000 of it on contracts not yet in place), leaving £200,000 "
        "uncommitted. By scope of support, spend on accommodation-based services in place was £15,000 per "
        "household supported in safe accommodation (20 households); spend on community-based services in "
        "place was £12,000 per household in community-based support (45 households); management and "
        "coordination (£50,000) is in neither.",
    ]
    neighbour = out[out["area_code"] == B]
    # the trend (rate ratio hidden) is dropped; the safe-accommodation cost (hidden) is left out
    assert neighbour["sentence"].tolist() == [
        "In 2024-25 funding of £300,000 (£300,000 grant and £0 other funding) is set against £350,000 of "
        "committed spend: committed spend exceeds funding by £50,000. By scope of support, spend on "
        "community-based services in place was £11,667 per household in community-based support (30 "
        "households).",
    ]
    assert neighbour["topic"].tolist() == ["funding"]
    assert neighbour["value"].iloc[0] == -50_000.0


def test_confidence_label_follows_options():
    rep = representation_rows(
        [{"characteristic": "sex", "category": "male", "expected_share": 0.31, "observed_count": 12,
          "observed_share": 0.04, "ratio": 0.129, "ratio_lower": 0.05, "ratio_upper": 0.3}]
    )  # fmt: skip
    out = findings(make(representation=rep, options={"confidence": 0.998}))
    assert "99.8% CI 0.050 to 0.30" in out.loc[0, "sentence"]


def test_empty_assessment_gives_no_findings():
    out = findings(make())
    assert out.empty and list(out.columns) == list(FINDING_COLUMNS)


def test_on_a_computed_assessment():
    assessment = assess_all(tiny_dataset(), "2024-25")
    out = assessment.findings
    assert list(out.columns) == list(FINDING_COLUMNS)
    assert set(out["topic"]) <= set(TOPICS)
    for _, ranks in out.groupby("area_code")["rank"]:
        assert ranks.tolist() == list(range(1, len(ranks) + 1))
    # category codes never appear in sentences
    text = " ".join(out["sentence"])
    for code in ("no_capacity_space", "accepted_supported", "refuge_level", "white_british", "_"):
        assert code not in text


def test_one_finding_per_group_preferring_households_supported():
    rep = representation_rows(
        [
            {"characteristic": "sex", "category": "male", "basis": "referred", "expected_share": 0.31,
             "observed_count": 9, "observed_share": 0.03, "ratio": 0.097, "ratio_lower": 0.05, "ratio_upper": 0.18},
            {"characteristic": "sex", "category": "male", "basis": "supported", "expected_share": 0.31,
             "observed_count": 12, "observed_share": 0.04, "ratio": 0.129, "ratio_lower": 0.076, "ratio_upper": 0.21},
            {"characteristic": "age_band", "category": "65-74", "basis": "supported", "expected_share": 0.1,
             "observed_count": 24, "observed_share": 0.08, "ratio": 0.8, "ratio_lower": 0.55, "ratio_upper": 1.2,
             "under_reached": False},
            {"characteristic": "age_band", "category": "65-74", "basis": "referred", "expected_share": 0.1,
             "observed_count": 15, "observed_share": 0.05, "ratio": 0.5, "ratio_lower": 0.3, "ratio_upper": 0.8},
        ]
    )  # fmt: skip
    out = findings(make(representation=rep))
    assert out["value"].tolist() == [0.129, 0.5]
    assert out["sentence"].iloc[1] == (
        "Victims aged 65-74 were 5% of households referred against 10% of expected victims: about 5 in 10 of "
        "the number expected (ratio 0.50, 95% CI 0.30 to 0.80)."
    )


def test_no_funding_recorded():
    funding = pd.DataFrame(
        {"area_code": [A], "period": ["2024-25"], "grant": [0.0], "other_funding": [0.0],
         "committed_in_place": [500_000.0], "committed_not_yet": [0.0], "committed_total": [500_000.0],
         "uncommitted_balance": [0.0], "households_supported": [417], "cost_per_household": [500_000 / 417]}
    )  # fmt: skip
    out = findings(make(funding=funding))
    assert out["sentence"].tolist() == [
        "No funding for 2024-25 is recorded in the funding table, against £500,000 of committed spend."
    ]  # the cost of all services per household mixes scopes: never quoted
    assert np.isnan(out["value"].iloc[0])


def test_a_group_with_a_hidden_row_gets_no_finding():
    rows = [
        {"characteristic": "age_band", "category": "65-74", "basis": "supported", "expected_share": 0.1,
         "observed_count": 24, "observed_share": 0.08, "ratio": 0.8, "ratio_lower": 0.55, "ratio_upper": 1.2,
         "under_reached": False},
        {"characteristic": "age_band", "category": "65-74", "basis": "referred", "expected_share": 0.1,
         "observed_count": 15, "observed_share": 0.05, "ratio": 0.5, "ratio_lower": 0.3, "ratio_upper": 0.8},
        {"characteristic": "sex", "category": "male", "basis": "supported", "expected_share": 0.31,
         "observed_count": 12, "observed_share": 0.04, "ratio": 0.129, "ratio_lower": 0.076, "ratio_upper": 0.21},
        {"characteristic": "sex", "category": "male", "basis": "referred", "expected_share": 0.31,
         "observed_count": 9, "observed_share": 0.03, "ratio": 0.097, "ratio_lower": 0.05, "ratio_upper": 0.18},
    ]  # fmt: skip
    derived = ["observed_count", "observed_share", "ratio", "ratio_lower", "ratio_upper", "under_reached"]
    rep = representation_rows(rows)
    assert findings(make(representation=rep))["value"].tolist() == [0.129, 0.5]
    # 65-74 supported hidden: no fall-back on its (under-reached) referred row
    hidden = rep.astype({c: object for c in derived})
    hidden.loc[0, derived] = np.nan
    out = findings(make(representation=hidden))
    assert out["value"].tolist() == [0.129]
    assert not out["sentence"].str.contains("65-74").any()
    # male referred hidden: the (published) supported row is not quoted either
    hidden = rep.astype({c: object for c in derived})
    hidden.loc[3, derived] = np.nan
    out = findings(make(representation=hidden))
    assert out["value"].tolist() == [0.5]
    assert not out["sentence"].str.contains("Male").any()
