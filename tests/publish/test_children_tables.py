"""The published children and young people section: every count a cell of the page, hidden
cells ``[c]``, a lead sentence written only from published figures, and the report renders
with it and passes its disclosure audit.

Figures of the example (Leicestershire, 2023-24) worked out from the counting rules and the
other parts of the report: 800 households supported with 457 children (363 households with
children), 117 households not supported by any service in the dataset (``unmet``), 68 households supported with
older sons (the representation tables' number).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fixtures import SHIRE

import needs
from needs.assessment.children import COUNT_COLUMNS
from needs.cli import main
from needs.publish.cells import cell_key
from needs.publish.formatting import format_count
from needs.publish.publication import Publication
from needs.reference.constants import SYMBOL_CONFIDENTIAL

AREA, EXAMPLE_PERIOD = "E10000018", "2023-24"
COUNTS = COUNT_COLUMNS


@pytest.fixture(scope="module")
def example(example_folder) -> Publication:
    dataset = needs.load(example_folder)
    return Publication(needs.assess(dataset, AREA, EXAMPLE_PERIOD), dataset)


def _cells(pub: Publication, table_name: str, label_column: str) -> pd.DataFrame:
    """The table's count cells against the page's keys and values for the same rows."""
    table = getattr(pub, table_name)
    registered = pub.page.parts["children"]
    frame = registered.frame
    shown = table.data.reset_index(drop=True)
    rows = []
    for i, row in shown.iterrows():
        match = frame.index[
            (frame["scope"] == row["scope"])
            & (frame["accommodation_type"] == row["accommodation_type"])
            & (frame["characteristic"] == row["characteristic"])
            & (frame["category"] == row["category"])
        ]
        for column in COUNTS:
            key = registered.keys[column].loc[match[0]]
            heading = table.frame.columns[1 + COUNTS.index(column)]
            rows.append(
                {
                    "row": table.frame.loc[i, label_column],
                    "column": column,
                    "text": table.frame.loc[i, heading],
                    "value": pub.page.values[key],
                    "hidden": pub.page.is_hidden(key),
                }
            )
    return pd.DataFrame(rows)


def test_the_example_tables_show_the_counts_of_the_other_parts(example):
    groups = example.children_groups.frame.set_index("Group of households")
    assert groups.loc["All households", "Households supported"] == "800"
    assert groups.loc["All households", "Children in households supported"] == "457"
    assert groups.loc["Households with children", "Households supported"] == "363"
    assert groups.loc["Households with older sons (aged 12 or over)", "Households supported"] == "68"
    assert groups.loc["All households", "Households not supported by any service in this dataset"] == "117"
    # Older sons supported by all services are the representation tables' cell.
    assert (
        example.page.values[
            cell_key("households_supported", {"characteristic": "need_older_sons", "category": "yes"})
        ]
        == 68
    )
    assert (
        "representation.observed_count"
        in example.page.shown_in[
            cell_key("households_supported", {"characteristic": "need_older_sons", "category": "yes"})
        ]
    )


@pytest.mark.parametrize(
    ("table", "label"), [("children_groups", "Group of households"), ("children_by_services", "Services")]
)
def test_hidden_cells_are_c_and_shown_cells_are_the_pages_values(example, table, label):
    cells = _cells(example, table, label)
    hidden = cells[cells["hidden"]]
    assert (hidden["text"] == SYMBOL_CONFIDENTIAL).all()
    shown = cells[~cells["hidden"]]
    assert (shown["text"] == shown["value"].map(format_count)).all()
    # Small counts are never shown.
    assert not ((shown["value"] > 0) & (shown["value"] < example.threshold)).any()


def test_a_higher_threshold_hides_the_small_accommodation_types(example_folder):
    # Dispersed accommodation supported 7 households with 9 children: shown at the default
    # threshold, hidden at 10, with every other count below 10 in the table.
    dataset = needs.load(example_folder)
    strict = Publication(needs.assess(dataset, AREA, EXAMPLE_PERIOD), dataset, suppress_below=10)
    cells = _cells(strict, "children_by_services", "Services")
    small = (cells["value"] > 0) & (cells["value"] < 10)
    assert small.any() and cells.loc[small, "hidden"].all()
    assert (cells.loc[cells["hidden"], "text"] == SYMBOL_CONFIDENTIAL).all()


def test_the_lead_sentence_quotes_published_figures_and_the_page_passes_its_audit(example):
    markup = example.children_and_young_people().markup
    assert "supported 457 children in 363 households; 31 of the children were supported in safe" in markup
    assert "88 children were in households that services were unable to support and that no service in this dataset supported" in markup
    assert markup.count("<table ") == 2
    stated = [s for s in example.page.statements if s[0] == "children and young people: lead sentence"]
    assert stated and dict(stated[-1][1])[cell_key("children_supported", {})] == 457
    example.page.check()  # raises DisclosureLeak if a hidden count can be worked out


def test_a_hidden_figure_is_withheld_in_the_sentence(tiny):
    # Shire in 2024-25 (tests/fixtures.py): 6 households supported (H01, H02, H03, H05, H09
    # and H10, supported into the year) with 2 + 1 + 2 = 5 children in the 3 with children.
    pub = Publication(needs.assess(tiny, SHIRE, "2024-25"), tiny)
    markup = pub.children_and_young_people().markup
    assert "supported 5 children." in markup  # in 3 households: hidden
    assert pub.page.is_hidden(
        cell_key("households_supported", {"characteristic": "with_children", "category": "yes"})
    )
    pub.page.check()
    # Threshold 10: the 5 children are hidden too, and the sentence says so.
    strict = Publication(needs.assess(tiny, SHIRE, "2024-25"), tiny, suppress_below=10)
    markup = strict.children_and_young_people().markup
    assert "is withheld to protect confidentiality" in markup
    assert "5 children" not in markup
    assert strict.page.is_hidden(cell_key("children_supported", {}))
    strict.page.check()


@pytest.mark.slow
def test_the_report_renders_the_section_and_passes_its_audit(tmp_path_factory):
    out = tmp_path_factory.getbasetemp() / "default-report"
    html = out / f"{AREA}-{EXAMPLE_PERIOD}.html"
    if not html.exists():
        assert main(["report", "--out", str(out)]) == 0
    page = Path(html).read_text(encoding="utf-8")
    section = page[page.index("Children and young people</h2>") :]
    assert "Children and young people referred, supported and not supported, all services" in section
    assert "by scope of support and accommodation type" in section
    assert "Disclosure check:" in page
