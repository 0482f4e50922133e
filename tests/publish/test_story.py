"""The statutory story as published: who was supported by scope, the reconciliation with the
annual return and the flows, on the page (published cells only)."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, SHIRE

import needs
from needs.inputs.dataset import Dataset
from needs.outputs.annual_return import build_return
from needs.publish.publication import Publication


@pytest.fixture(scope="module")
def example():
    dataset = needs.load(DEFAULT_DATA)
    return dataset, Publication(needs.assess(dataset, DEFAULT_AREA, DEFAULT_PERIOD), dataset)


def _key_figures(pub: Publication) -> dict[str, str]:
    frame = pub.key_figures.frame
    return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))


def test_key_figures_equal_the_annual_return(example) -> None:
    dataset, pub = example
    figures = _key_figures(pub)
    lines = build_return(dataset, DEFAULT_AREA, DEFAULT_PERIOD)["individuals"].set_index("code")["value"]
    expected = {
        "Individuals (adults and children) supported (all support, each once)": lines["total"].iloc[0],
        "Children supported (all support, each once)": lines["child"],
        "Households supported (all support, each once)": lines["total"].iloc[2],
        "Adults (lead victims) supported (all support, each once)": lines["total"].iloc[1],
        **{
            f"{label} supported {name}": lines[f"{scope}:{measure}"]
            for scope, name in (("safe_accommodation", "in safe accommodation"),
                                ("community", "in community-based support"))
            for measure, label in (("individuals", "Individuals"), ("adults", "Adults"),
                                   ("children", "Children"), ("households", "Households"))
        },
    }  # fmt: skip
    for label, value in expected.items():
        assert figures[label] == f"{int(value):,}", label
    assert figures["Individuals (adults and children) supported (all support, each once)"] == "1,257"
    assert figures["Individuals supported in safe accommodation"] == "61"


def test_reconciliation_sentence(example) -> None:
    _, pub = example
    text = pub.reconciliation().markup
    assert "1,257 individuals = 800 adults and 457 children in 800 households" in text
    assert "61 individuals (30 households) in safe accommodation" in text
    assert "1,196 individuals (770 households) in community-based support" in text
    assert any(where.startswith("1,257 individuals") for where, _, _ in pub.page.statements)


def _published_adds_up(frame: pd.DataFrame) -> tuple[list[str], int]:
    """Bases whose shown children do not add up to them (only where no cell is hidden)."""
    wrong, checked = [], 0
    counts = frame.set_index("row")["count"]
    for parent, children in frame.dropna(subset=["base_row"]).groupby("base_row"):
        cells = [*children["count"], counts[parent]]
        if any(isinstance(c, str) for c in cells):
            continue
        checked += 1
        if sum(children["count"]) != counts[parent]:
            wrong.append(str(parent))
    return wrong, checked


def test_every_flow_adds_up_on_the_page(example) -> None:
    _, pub = example
    for part in ("referral_flow", "household_flow"):
        published = pub._published(part)
        for _, section in published.groupby("section"):
            wrong, checked = _published_adds_up(section)
            assert wrong == [], (part, wrong)
            assert checked >= 1
    # the flows as shown: the rows of each base sum to it in the rendered tables too
    shown = pub.household_flow.data
    states = shown[shown["base_row"] == "referred"]["count"]
    if not any(isinstance(c, str) for c in states):
        assert sum(states) == 1101


def test_the_page_stays_safe(example) -> None:
    _, pub = example
    pub.reconciliation()
    assert pub.page.check()["safe"].all()


def test_a_hidden_scope_is_withheld_in_the_sentence(tiny: Dataset) -> None:
    pub = Publication(needs.assess(tiny, SHIRE, "2024-25"), tiny, suppress_below=5)
    text = pub.reconciliation().markup
    # 3 households in safe accommodation and 3 in community are below 5: withheld, not quoted.
    assert "in safe accommodation is withheld" in text
    assert "in community-based support is withheld" in text
    assert "(3 households)" not in text
    pub.page.check()
