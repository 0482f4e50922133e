"""The "Demand seen by partners" section (needs.publish.partner_tables), on the example's partner part."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from needs.assessment.comparators import comparators
from needs.assessment.partners import partner_rates
from needs.inputs.load import load
from needs.publish.publication import Publication
from needs.reference.locations import example_data


@pytest.fixture(scope="module")
def publication():
    dataset = load(example_data())
    partners = partner_rates(dataset, "2023-24")
    placed, funnels = comparators(["E10000018"], "2023-24")
    assessment = SimpleNamespace(
        options={"area": "E10000018"}, period="2023-24",
        areas=pd.DataFrame({"area_code": ["E10000018"], "area_name": ["Leicestershire"]}),
        partners=partners[partners["area_code"] == "E10000018"], partner_comparators=placed,
        partner_funnels=funnels,
    )
    return Publication(assessment, dataset)


def test_tables_and_sentences(publication):
    marac = publication.partner_table("marac")
    assert "1,241" in marac.to_html() and "26.6" in marac.to_html()
    assert any("26.6 cases per 10,000" in s for s in publication.partner_sentences())


def test_not_provided_note(publication):
    dataset = publication.dataset
    tables = {k: v for k, v in dataset.tables.items() if k != "police"}
    without = Publication(publication.assessment, replace(dataset, tables=tables))
    note = without.partner_table("police")
    assert "Police-recorded domestic abuse: not provided." in note._repr_html_()


def test_funnel_has_alt_text_and_table(publication):
    chart = publication.funnel("marac_cases_rate")
    assert "Leicestershire: 26.6, below the 99.8% limit" in chart.alt
    table = publication.funnel_table("cin_da_parent_share")
    assert table.frame.iloc[0]["Authority"] == "Leicestershire" and len(table) <= 6
