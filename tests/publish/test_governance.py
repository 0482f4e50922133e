"""The governance sections as published: front matter, commissioning intentions, survivor and
stakeholder voice, glossary.

Built from assessments without papermill, then in the rendered HTML of the example (which has
all four) and of the minimal folder (which has none, so each says "not yet provided").
Respondents are counts of people: a small count shows ``[c]`` and its quote is withheld.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, SHIRE, TEST_DATA, tiny_dataset

import needs
from needs.cli import main
from needs.publish.cells import cell_key
from needs.publish.formatting import SYMBOL_CONFIDENTIAL
from needs.publish.governance_specs import FRONT_MATTER_LABELS, NOT_YET_PROVIDED
from needs.publish.publication import Publication
from needs.reference.glossary import GLOSSARY

MINIMAL = TEST_DATA / "valid_minimal"
#: Terms the report uses that the glossary must define.
REQUIRED_TERMS = (
    "Safe accommodation", "Community-based support", "Household", "Individual", "Lead victim", "Child",
    "Referral", "Decided referral", "Unable to support", "Unmet need", "Unit", "Bedspace", "Family place",
    "Occupancy", "Throughput", "Loss model", "Representation ratio", "Confidence interval", "[c], [x] and [z]",
    "Pipeline (planned service)", "Support cost",
)  # fmt: skip


@pytest.fixture(scope="module")
def example() -> needs.Dataset:
    return needs.load(DEFAULT_DATA)


@pytest.fixture(scope="module")
def assessment(example):
    return needs.assess(example, DEFAULT_AREA, DEFAULT_PERIOD)


@pytest.fixture(scope="module")
def publication(assessment, example) -> Publication:
    return Publication(assessment, example)


@pytest.fixture(scope="module")
def minimal() -> Publication:
    dataset = needs.load(MINIMAL)
    return Publication(needs.assess(dataset, DEFAULT_AREA, DEFAULT_PERIOD), dataset)


def _cells(table) -> dict[str, str]:
    return dict(zip(table.frame["Measure"], table.frame["Value"], strict=True))


# ---------------------------------------------------------------------------------------------
# Front matter
# ---------------------------------------------------------------------------------------------


def test_front_matter_of_the_example(publication):
    table = publication.front_matter()
    assert table.caption == "About this assessment"
    assert _cells(table) == {
        "Published": "31 July 2024",
        "Approved by": "Illustrative: Domestic Abuse Local Partnership Board (not a real sign-off)",
        "Next review": "31 July 2025",
        "Contact": "Illustrative: domestic abuse commissioning team (example contact, not real)",
        "Version of this assessment": "Illustrative version 1.0",
    }
    assert table.note.startswith("Illustrative only")
    # the title block already shows authority, period and date of the data: not repeated
    assert not {"Authority", "Period", "Date of data"} & set(table.frame["Measure"])


def test_front_matter_missing_keys_say_not_yet_provided(minimal):
    assert _cells(minimal.front_matter()) == {label: NOT_YET_PROVIDED for _, label in FRONT_MATTER_LABELS}


# ---------------------------------------------------------------------------------------------
# Commissioning intentions
# ---------------------------------------------------------------------------------------------


def test_commissioning_intentions_of_the_example(publication, example):
    table = publication.intentions_table()
    intentions = example.metadata["intentions"]
    assert list(table.frame.columns) == [
        "Action", "Linked gap or finding", "Priority", "Owner", "Cost a year", "Timescale",
    ]  # fmt: skip
    assert list(table.frame["Action"]) == [item["action"] for item in intentions]
    assert list(table.frame["Priority"]) == ["High", "High", "Medium", "Medium", "High", "Low"]
    assert list(table.frame["Cost a year"]) == ["£64,000", "£75,000", "£40,000", "[x]", "[x]", "[x]"]
    assert table.row_header == "Action" and not table.counts
    assert (
        publication.commissioning_intentions()._repr_html_()
        == f'<div class="text-table">{table.to_html()}</div>'
    )


def test_no_intentions_file_gives_a_visible_note(minimal):
    markup = minimal.commissioning_intentions()._repr_html_()
    assert "Commissioning intentions: not yet provided." in markup and "<table" not in markup


# ---------------------------------------------------------------------------------------------
# Survivor and stakeholder voice
# ---------------------------------------------------------------------------------------------


def test_engagement_respondents_are_counts_on_the_page(publication, assessment):
    part = assessment.engagement
    page = publication.page
    keys = [
        cell_key("respondents", {"theme": t, "source": s})
        for t, s in zip(part["theme"], part["source"], strict=True)
    ]
    hidden = [page.is_hidden(key) for key in keys]
    assert hidden == list(part["respondents"] < 5)  # primary suppression only: nothing adds up
    assert sum(hidden) == 2


def test_small_respondent_counts_show_c_and_their_quotes_are_withheld(publication, assessment, example):
    table = publication.engagement_table()
    frame = table.frame.set_index("Theme")
    engagement = example.tables["engagement"].set_index("theme")
    small = engagement.index[engagement["respondents"] < 5]
    shown = engagement.index[engagement["respondents"] >= 5]
    assert (frame.loc[small, "Respondents"] == SYMBOL_CONFIDENTIAL).all()
    assert (frame.loc[small, "Quote"] == SYMBOL_CONFIDENTIAL).all()
    markup = publication.engagement()._repr_html_()
    assert markup.startswith('<div class="text-table">') and table.to_html() in markup
    for quote in engagement.loc[small, "quote"]:
        assert html.escape(quote) not in markup and quote not in markup
    for theme in shown:
        assert frame.loc[theme, "Respondents"] == f"{engagement.loc[theme, 'respondents']:,}"
        quote = engagement.loc[theme, "quote"]
        assert frame.loc[theme, "Quote"] == (quote if isinstance(quote, str) and quote else "[x]")
    assert table.counts == ("Respondents",)
    assert "Illustrative only" in table.note


def test_a_higher_threshold_hides_more_quotes(assessment, example):
    table = Publication(assessment, example, suppress_below=10).engagement_table()
    frame = table.frame.set_index("Theme")
    hidden = frame["Respondents"] == SYMBOL_CONFIDENTIAL
    assert set(frame.index[hidden]) == set(example.tables["engagement"].query("respondents < 10")["theme"])
    assert (frame.loc[hidden, "Quote"] == SYMBOL_CONFIDENTIAL).all()
    assert "My son had to change school" not in table.to_html()  # 9 respondents: now hidden


def test_no_engagement_table_gives_a_visible_note(minimal):
    markup = minimal.engagement()._repr_html_()
    assert "Survivor and stakeholder voice: not yet provided." in markup and "<table" not in markup


def test_engagement_for_another_year_is_an_empty_table_not_a_missing_one():
    tiny = tiny_dataset()
    tiny.tables["engagement"] = pd.DataFrame(
        {"area_code": [SHIRE], "period": ["2023-24"], "theme": ["Refuge space"], "source": ["survey"],
         "respondents": [12], "quote": [None]}
    )  # fmt: skip
    markup = Publication(needs.assess(tiny, SHIRE, "2024-25"), tiny).engagement()._repr_html_()
    assert "No survivor or stakeholder engagement is recorded" in markup and NOT_YET_PROVIDED not in markup


# ---------------------------------------------------------------------------------------------
# Glossary
# ---------------------------------------------------------------------------------------------


def test_glossary_is_a_definition_list_of_every_term_once(publication):
    markup = publication.glossary().markup
    assert markup.startswith('<dl class="glossary">') and markup.endswith("</dl>")
    terms = [html.unescape(t) for t in re.findall(r"<dt[^>]*>(.*?)</dt>", markup)]
    assert terms == [term.term for term in GLOSSARY]
    assert len(set(terms)) == len(terms) and markup.count("<dd>") == len(terms)
    assert set(REQUIRED_TERMS) <= set(terms)
    assert len({term.anchor for term in GLOSSARY}) == len(GLOSSARY)
    family = next(term for term in GLOSSARY if term.term == "Family place")
    assert "Council of Europe" in family.source
    assert "SI 2021/991" in next(term for term in GLOSSARY if term.term == "Safe accommodation").source


# ---------------------------------------------------------------------------------------------
# The rendered reports (slow: one render each)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered_example(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("governance-example")
    assert main(["report", "--out", str(out)]) == 0
    return (out / f"{DEFAULT_AREA}-{DEFAULT_PERIOD}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rendered_minimal(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("governance-minimal")
    assert main(["report", "--data", str(MINIMAL), "--area", DEFAULT_AREA, "--out", str(out)]) == 0
    (page,) = Path(out).glob("*.html")
    return page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_example_report_shows_every_governance_section(rendered_example, example):
    page = html.unescape(rendered_example)  # the text as a reader sees it, whatever the escaping
    assert '-caption">About this assessment</caption>' in page and "31 July 2024" in page
    assert '-caption">Commissioning intentions, Leicestershire</caption>' in page
    for item in example.metadata["intentions"]:
        assert item["action"] in page
    assert '-caption">Survivor and stakeholder voice: themes raised' in page
    engagement = example.tables["engagement"]
    for row in engagement.itertuples():
        assert row.theme in page
        if isinstance(row.quote, str) and row.quote:
            assert (row.quote in page) == (row.respondents >= 5), row.theme
    assert page.count('<dl class="glossary">') == 1
    assert NOT_YET_PROVIDED not in page


@pytest.mark.slow
def test_a_report_without_them_says_not_yet_provided(rendered_minimal):
    page = rendered_minimal
    assert "Commissioning intentions: not yet provided." in page
    assert "Survivor and stakeholder voice: not yet provided." in page
    about = page[page.index('-caption">About this assessment</caption>') :]
    about = about[: about.index("</table>")]
    assert about.count(NOT_YET_PROVIDED) == len(FRONT_MATTER_LABELS)
    assert '<dl class="glossary">' in page
