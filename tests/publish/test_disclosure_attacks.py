"""The four attacks of issue 12 on the published page, each of which must now recover nothing.

Read as an attacker would, the Leicestershire 2023-24 report gave away cells its tables hid:

1. a findings sentence quoted a rounded share of a hidden count ("Victims aged 65-74 were
   0.9% of households supported": only 7 of 784 rounds to 0.9%, and 75+ followed by
   subtraction);
2. the chi-square statistic was computed on hidden counts (only the split Buddhist 6 /
   Jewish 4 reproduced the published 43.36);
3. a derived column was not suppressed with its parts (decided referrals = total - withdrawn
   - pending - not known gave Pending back);
4. a small area gave itself away in words ("83% of households supported" of 6).

Each attack is run on the example data and on the tiny dataset's county with six
households supported, at thresholds 5 and 10, without papermill: the page model is built
exactly as the notebook builds it. The whole-page audit (:meth:`needs.publish.page.Page.check`)
must pass on every one.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, SHIRE, tiny_dataset

import needs
from needs.publish.formatting import category_label
from needs.publish.publication import Publication
from needs.scenarios.comparison import compare

THRESHOLDS = (5, 10)
CASES = ("example", "six_households")


@pytest.fixture(scope="module")
def assessments():
    example = needs.load(DEFAULT_DATA)
    tiny = tiny_dataset()
    return {
        "example": (needs.assess(example, DEFAULT_AREA, DEFAULT_PERIOD), example),
        # Shire in 2024-25: six households supported, five women and one man.
        "six_households": (needs.assess(tiny, SHIRE, "2024-25"), tiny),
    }


@pytest.fixture(scope="module")
def publications(assessments):
    return {
        (case, threshold): Publication(*assessments[case], suppress_below=threshold)
        for case in CASES
        for threshold in THRESHOLDS
    }


def test_six_household_case_is_the_one_the_issue_describes(assessments):
    unmet = assessments["six_households"][0].unmet.iloc[0]
    assert unmet["households_supported"] == 6
    sex = assessments["six_households"][0].representation
    sex = sex[(sex["characteristic"] == "sex") & (sex["basis"] == "supported")].set_index("category")
    assert sex.loc["female", "observed_count"] == 5 and sex.loc["male", "observed_count"] == 1


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("case", CASES)
def test_whole_page_audit_passes(publications, case, threshold):
    publication = publications[(case, threshold)]
    ranges = publication.page.check()
    assert len(ranges) == publication.page.summary()["hidden"] > 0
    assert (ranges["width"] >= threshold).all()


# -- attack 1: sentences ---------------------------------------------------------------------


def _hidden_groups(publication: Publication) -> pd.DataFrame:
    data = publication._representation
    return data[data["observed_count"].astype(str) == "[c]"]


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("case", CASES)
def test_attack_1_no_sentence_speaks_of_a_hidden_group(publications, case, threshold):
    publication = publications[(case, threshold)]
    sentences = publication.findings().sentences
    hidden = _hidden_groups(publication)
    assert len(hidden)  # the attack has something to aim at
    for row in hidden.itertuples():
        label = category_label(str(row.characteristic), row.category)
        if label in ("Yes", "No"):  # additional needs: too common a word to search for
            continue
        for sentence in sentences:
            assert not re.search(rf"\b{re.escape(label)}\b.*\d%", sentence, flags=re.IGNORECASE), (
                label,
                sentence,
            )


def test_attack_1_the_older_age_bands_are_hidden_everywhere_on_the_example(publications):
    publication = publications[("example", 5)]
    hidden = _hidden_groups(publication)
    older = hidden[(hidden["characteristic"] == "age_band") & (hidden["basis"] == "supported")]
    assert set(older["category"].astype(str)) == {"65-74", "75+"}
    assert not any("65-74" in s for s in publication.findings().sentences)


def test_attack_1_the_old_sentence_would_fail_the_audit(assessments):
    # The sentence the report used to print, declared as a figure of the page.
    from needs.publish.cells import cell_key
    from needs.publish.page import DisclosureLeak

    publication = Publication(*assessments["example"], suppress_below=5)
    age = {"characteristic": "age_band"}
    sentence = publication.say(
        "Victims aged 65-74 were 0.9% of households supported.",
        shares=[
            (
                cell_key("households_supported", {**age, "category": "65-74"}),
                cell_key("households_supported", {**age, "category": "known"}),
                0.009,
                3,
            )
        ],
    )
    assert "0.9%" in sentence.to_html()
    with pytest.raises(DisclosureLeak, match=r"category=65-74.*Victims aged 65-74"):
        publication.page.check()


# -- attack 2: the test statistic ------------------------------------------------------------


def _swap_hidden_split(assessment, characteristic: str, basis: str, first: str, second: str):
    """The same assessment with two categories' counts exchanged (everything else equal)."""
    frame = assessment.representation.copy()
    rows = (frame["characteristic"] == characteristic) & (frame["basis"] == basis)
    a = rows & (frame["category"] == first)
    b = rows & (frame["category"] == second)
    counts = frame.loc[a, "observed_count"].iloc[0], frame.loc[b, "observed_count"].iloc[0]
    frame.loc[a, "observed_count"], frame.loc[b, "observed_count"] = counts[1], counts[0]
    # The trend table shows the same counts for the assessment's year.
    trends = assessment.trends.copy()
    rows = (trends["characteristic"] == characteristic) & (trends["period"] == assessment.period)
    a, b = rows & (trends["category"] == first), rows & (trends["category"] == second)
    trends.loc[a, "count"], trends.loc[b, "count"] = counts[1], counts[0]
    return dataclasses.replace(assessment, representation=frame, trends=trends), counts


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_attack_2_the_chi_square_does_not_depend_on_how_hidden_counts_split(assessments, threshold):
    assessment, dataset = assessments["example"]
    swapped, counts = _swap_hidden_split(assessment, "religion", "supported", "buddhist", "jewish")
    assert counts == (5, 3)
    original = Publication(assessment, dataset, suppress_below=threshold)
    other = Publication(swapped, dataset, suppress_below=threshold)
    hidden = _hidden_groups(original)
    religion = hidden[(hidden["characteristic"] == "religion") & (hidden["basis"] == "supported")]
    assert {"buddhist", "jewish"} <= set(religion["category"].astype(str))
    pd.testing.assert_frame_equal(original.goodness_of_fit.frame, other.goodness_of_fit.frame)
    row = original.goodness_of_fit.data
    row = row[(row["characteristic"] == "religion") & (row["basis"] == "supported")].iloc[0]
    assert "Buddhist" in row["merged"] and "Jewish" in row["merged"]
    assert round(float(row["statistic"]), 2) != 43.36  # the old statistic encoded the split


# -- attack 3: derived columns ---------------------------------------------------------------


def _number(text: str) -> float | None:
    text = str(text).replace(",", "")
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None


def _solve(equations: list[tuple[str, list[str]]], known: dict[str, float | None]) -> dict[str, float]:
    """Subtraction as an attacker does it: any sum with one unknown term gives it away,
    repeated until nothing more follows."""
    known = dict(known)
    recovered: dict[str, float] = {}
    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            terms = [total, *parts]
            unknown = [t for t in terms if known.get(t) is None]
            if len(unknown) != 1:
                continue
            (name,) = unknown
            value = (
                sum(known[p] for p in parts)
                if name == total
                else known[total] - sum(known[p] for p in parts if p != name)
            )
            known[name] = value
            recovered[name] = value
            changed = True
    return recovered


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("case", CASES)
def test_attack_3_outcome_rows_and_decided_referrals_give_nothing_away(publications, case, threshold):
    publication = publications[(case, threshold)]
    outcomes = publication.outcomes.frame.set_index("Accommodation type")
    erlang = publication.erlang.frame.set_index("Accommodation type")
    outcome_columns = [c for c in outcomes.columns if c != "Total"]
    decided_columns = ["Accepted and supported", "Unable to support", "Survivor declined the offer"]
    attempts = 0
    for service, row in outcomes.iterrows():
        known = {c: _number(row[c]) for c in outcomes.columns}
        equations = [("Total", outcome_columns)]
        if service in erlang.index:
            known["Decided"] = _number(erlang.loc[service, "Decided referrals"])
            equations.append(("Decided", [c for c in decided_columns if c in outcomes.columns]))
        hidden = {c for c in outcomes.columns if row[c] == "[c]"}
        attempts += bool(hidden)
        recovered = _solve(equations, known)
        assert not (hidden & set(recovered)), (service, {h: recovered[h] for h in hidden & set(recovered)})
    assert attempts  # hidden cells were there to attack


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("case", CASES)
def test_attack_3_columns_of_the_outcome_table_add_up_without_giving_away(publications, case, threshold):
    outcomes = publications[(case, threshold)].outcomes.frame.set_index("Accommodation type")
    if "All types" not in outcomes.index:
        pytest.fail("the outcome table has an all-types row")
    services = [s for s in outcomes.index if s != "All types"]
    for column in outcomes.columns:
        known = {s: _number(outcomes.loc[s, column]) for s in outcomes.index}
        hidden = {s for s in outcomes.index if outcomes.loc[s, column] == "[c]"}
        recovered = _solve([("All types", services)], known)
        assert not (hidden & set(recovered)), (column, hidden & set(recovered))


# -- attack 4: a small area in words ---------------------------------------------------------


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_attack_4_a_six_household_county_says_no_share_of_a_hidden_group(publications, threshold):
    publication = publications[("six_households", threshold)]
    sentences = " ".join(publication.findings().sentences)
    assert "83%" not in sentences and "17%" not in sentences
    table = publication.representation("sex").frame.set_index("Group")
    assert table.loc["Female", "Number of households supported"] == "[c]"
    assert table.loc["Female", "Share of households supported"] == "[c]"


# -- item 6: a reason code is never read as an outcome code ----------------------------------


def test_decline_reason_not_known_is_the_reasons_count_not_the_outcomes(assessments):
    assessment, dataset = assessments["example"]
    reasons = assessment.decline_reasons
    outcomes = assessment.outcomes
    reason = reasons[(reasons["accommodation_type"] == "all") & (reasons["reason"] == "not_known")]
    outcome = outcomes[(outcomes["accommodation_type"] == "all") & (outcomes["outcome"] == "not_known")]
    assert int(reason["count"].iloc[0]) != int(outcome["count"].iloc[0])  # 1 against 27
    published = Publication(assessment, dataset, suppress_below=1).decline_reason_shares.frame
    row = published.set_index("Reason").loc["Not known"]
    assert row["Referrals declined"] == str(int(reason["count"].iloc[0]))


# -- scenario figures ------------------------------------------------------------------------

SCENARIO = Path(__file__).resolve().parents[2] / "templates" / "scenarios" / "male-units.yaml"


@pytest.mark.parametrize("case", CASES)
def test_scenario_figures_in_households_follow_the_loss_model_counts(assessments, case):
    publication = Publication(*assessments[case], suppress_below=5)
    table = publication.scenario_table(
        compare(assessments[case][1], publication.area, publication.period, [SCENARIO])
    )
    data = table.data
    demand = data[data["figure"] == "demand"]["value"]
    assert (data[data["figure"] == "units"]["value"] != "[c]").all()  # units are not people
    if publication._loss_model_hidden("stays"):
        # A mean stay the table hides would follow from the throughput and turn-aways.
        assert (data[data["figure"] == "turnaways"]["value"] == "[c]").all()
        assert (data[data["figure"] == "throughput"]["value"] == "[c]").all()
    if publication._loss_model_hidden("arrivals_per_year"):
        assert (demand == "[c]").all()
    else:
        # The baseline demand is the sum of the arrivals the loss-model table shows.
        arrivals = publication.erlang.data["arrivals_per_year"]
        assert float(demand.iloc[0]) == pytest.approx(sum(float(v) for v in arrivals))
    publication.page.check()  # the declared demand leaves every hidden count safe


def test_both_kinds_of_scenario_hiding_are_exercised(assessments):
    example = Publication(*assessments["example"], suppress_below=5)
    assert example._loss_model_hidden("stays") and not example._loss_model_hidden("arrivals_per_year")
    tiny = Publication(*assessments["six_households"], suppress_below=5)
    assert tiny._loss_model_hidden("arrivals_per_year")
