"""The declared tables: every spec built from an assessment without papermill, and the
publisher's rows, order and templates on hand-made frames.

For every :class:`~needs.publish.table_specs.TableSpec` and
:class:`~needs.publish.table_specs.MeasureSpec`, built from the example data and from the
tiny dataset's county with six households supported: its headings are the declared columns,
its caption and note have every template filled, its count columns are exactly the count
columns of its part (:data:`~needs.publish.part_specs.PART_SPECS`), and a count cell shows
``[c]`` exactly where the page hides that count.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, SHIRE, tiny_dataset

import needs
from needs.publish.formatting import SYMBOL_CONFIDENTIAL
from needs.publish.part_specs import PART_SPECS
from needs.publish.publication import Publication
from needs.publish.publisher import declared, publish_measures, publish_table, rows, source
from needs.publish.table_specs import MEASURE_SPECS, SOURCES, TABLE_SPECS, Measure, MeasureSpec, TableSpec
from needs.publish.tables import Column

#: Templates every table may name.
COMMON = {"where", "area_name", "area", "period", "ci"}
#: What a table asked for with more is given, by table.
FILLED = {"representation": {"characteristic", "basis", "label"}, "under_reached": {"basis"}}


@pytest.fixture(scope="module")
def publications() -> dict[str, Publication]:
    example = needs.load(DEFAULT_DATA)
    tiny = tiny_dataset()
    return {
        "example": Publication(needs.assess(example, DEFAULT_AREA, DEFAULT_PERIOD), example),
        "example_10": Publication(
            needs.assess(example, DEFAULT_AREA, DEFAULT_PERIOD), example, suppress_below=10, confidence=0.9
        ),
        # Shire in 2024-25: six households supported, most of every table hidden.
        "six_households": Publication(needs.assess(tiny, SHIRE, "2024-25"), tiny),
    }


def _fills(name: str, publication: Publication) -> list[dict[str, str]]:
    """The ways a table is asked for: one for most, one per characteristic and basis for
    the representation tables."""
    if name == "representation":
        return [
            {"characteristic": c, "basis": b, "label": c}
            for c in publication.characteristics()
            for b in ("supported", "referred")
        ]
    if name == "under_reached":
        return [{"basis": b} for b in ("supported", "referred")]
    return [{}]


def _built(publications):
    return [
        (case, name, fill, publication.table(name, **fill))
        for case, publication in publications.items()
        for name in TABLE_SPECS
        for fill in _fills(name, publication)
    ]


def _heading(column: Column, publication: Publication, fill: dict[str, str]) -> str:
    """A declared heading as shown: ``{ci}`` and what the table is asked for filled."""
    return column.heading.format_map({"ci": publication.ci, **fill})


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


# ---------------------------------------------------------------------------------------------
# The declarations
# ---------------------------------------------------------------------------------------------


def test_every_template_names_only_what_its_table_is_given():
    for name, spec in TABLE_SPECS.items():
        texts = [spec.caption, spec.note, *(c.heading for c in spec.columns)]
        texts += [code for _, codes in (*spec.rows, *spec.drop) for code in codes]
        names = set().union(*map(_fields, texts))
        assert names <= COMMON | FILLED.get(name, set()), name
    for name, spec in MEASURE_SPECS.items():
        texts = [spec.caption, spec.empty_caption or "", *(m.label for m in spec.measures)]
        assert set().union(*map(_fields, texts)) <= COMMON, name


def test_every_spec_names_a_part_or_a_source_and_is_keyed_by_its_name():
    for name, spec in TABLE_SPECS.items():
        assert spec.name == name
        assert spec.part in SOURCES or spec.part in PART_SPECS, name
        assert set(spec.order) >= {column for column, _ in spec.codes}, name
        headings = [c.heading for c in spec.columns]
        assert len(set(headings)) == len(headings), name
        assert spec.row_header is None or spec.row_header in headings, name
    for name, spec in MEASURE_SPECS.items():
        assert spec.name == name
        assert {spec.part, *(m.part for m in spec.measures if m.part)} <= set(SOURCES) | set(PART_SPECS)


def test_count_columns_are_the_count_columns_of_their_part():
    """A column is marked as a count exactly when its part declares it a count."""
    for name, spec in TABLE_SPECS.items():
        counts = {c.column for c in PART_SPECS[spec.part].counts} if spec.part in PART_SPECS else set()
        for column in spec.columns:
            assert column.count == (column.source in counts), (name, column.heading)
    for name, spec in MEASURE_SPECS.items():
        for measure in spec.measures:
            part = measure.part or spec.part
            counts = {c.column for c in PART_SPECS[part].counts} if part in PART_SPECS else set()
            assert measure.count == (measure.source in counts), (name, measure.label)


def test_every_regular_table_is_an_attribute_of_the_publication():
    attributes = {
        name for name, value in vars(Publication).items() if isinstance(value, declared)
    } | {
        name
        for base in Publication.__mro__
        for name, value in vars(base).items()
        if isinstance(value, declared)
    }
    asked_for = {"representation", "under_reached", "trends", "trends_by_group"}
    assert attributes | asked_for == set(TABLE_SPECS) | set(MEASURE_SPECS)
    assert Publication.outcome_shares.__doc__ == TABLE_SPECS["outcome_shares"].description


# ---------------------------------------------------------------------------------------------
# Every spec built from an assessment
# ---------------------------------------------------------------------------------------------


def test_headings_captions_and_counts_are_the_declared_ones(publications):
    for case, name, fill, table in _built(publications):
        spec = TABLE_SPECS[name]
        headings = [_heading(c, publications[case], fill) for c in spec.columns]
        assert list(table.frame.columns) == headings, (case, name)
        assert not {"{", "}"} & set(table.caption + table.note + "".join(table.frame.columns)), (case, name)
        assert table.counts == tuple(
            table.frame.columns[i] for i, c in enumerate(spec.columns) if c.count
        ), (case, name)
        assert table.row_header == spec.row_header


def test_every_table_is_named_by_its_spec_and_what_it_was_asked_for(publications):
    """Names (and so ids on the page) differ between tables: the spec's name, then the values
    of the rows it was asked for (``representation_sex_supported``), never the area."""
    for case, publication in publications.items():
        built = [(name, fill, table) for c, name, fill, table in _built(publications) if c == case]
        for name, fill, table in built:
            expected = name
            if name == "representation":
                expected = f"representation_{fill['characteristic']}_{fill['basis']}"
            elif name == "under_reached":
                expected = f"under_reached_{fill['basis']}"
            assert table.name == expected, (case, name, fill)
            assert table.id == "table-" + expected.replace("_", "-")
        measures = [publication.table(name) for name in MEASURE_SPECS]
        ids = [table.id for _, _, table in built] + [table.id for table in measures]
        assert len(set(ids)) == len(ids), case
        assert publication.key_figures.id == "table-key-figures"


def test_numeric_columns_are_the_declared_kinds_of_numbers(publications):
    """A column's cells align right exactly when its kind is a kind of number."""
    numbers = {"count", "number", "integer", "percent", "rate", "money", "ratio", "p_value", "interval"}
    for case, name, fill, table in _built(publications):
        spec = TABLE_SPECS[name]
        expected = tuple(_heading(c, publications[case], fill) for c in spec.columns if c.kind in numbers)
        assert table.numeric == expected, (case, name)
        markup = table.to_html()
        for heading in table.frame.columns:
            if heading == spec.row_header or table.frame.empty:
                continue
            cell = f'data-label="{html.escape(heading)}"'
            classes = re.findall(rf'<td {re.escape(cell)}(?: data-count="")?( class="num")?>', markup)
            assert len(classes) == len(table.frame), (case, name, heading)
            assert all(bool(c) == (heading in expected) for c in classes), (case, name, heading)


def test_a_count_shows_c_exactly_where_the_page_hides_it(publications):
    hidden_seen = 0
    for case, name, fill, table in _built(publications):
        spec = TABLE_SPECS[name]
        if spec.part not in PART_SPECS or table.data.empty:
            continue
        page = publications[case].page
        declared_counts = {c.column: c for c in PART_SPECS[spec.part].counts}
        for column in spec.columns:
            if not column.count:
                continue
            keys = declared_counts[column.source].keys(table.data)
            expected = keys.map(page.is_hidden).to_numpy(dtype=bool)
            shown = (table.frame[_heading(column, publications[case], fill)] == SYMBOL_CONFIDENTIAL).to_numpy(dtype=bool)
            assert (shown == expected).all(), (case, name, fill, column.heading)
            hidden_seen += int(expected.sum())
    assert hidden_seen > 0, "no table hid anything: the test proves nothing"


def test_measure_counts_show_c_exactly_where_the_page_hides_them(publications):
    for case, publication in publications.items():
        for name, spec in MEASURE_SPECS.items():
            table = publication.table(name)
            assert not {"{", "}"} & set(table.caption), (case, name)
            if table.frame.empty:
                continue
            assert list(table.frame["Measure"]) == [m.label.replace("{ci}", publication.ci) for m in spec.measures]
            assert list(table.count_cells["Value"]) == [m.count for m in spec.measures]
            for row, measure in enumerate(spec.measures):
                if not measure.count:
                    continue
                part = measure.part or spec.part
                count = next(c for c in PART_SPECS[part].counts if c.column == measure.source)
                key = count.keys(source(part, publication).head(1)).iloc[0]
                assert (table.frame["Value"].iloc[row] == SYMBOL_CONFIDENTIAL) == publication.page.is_hidden(key)


def test_the_public_names_show_the_declared_tables(publications):
    publication = publications["example"]
    assert publication.outcome_shares is publication.table("outcome_shares")
    assert publication.trends(overall=False) is publication.table("trends_by_group")
    sex = publication.representation("sex", "referred")
    assert sex.caption.startswith("Sex: households referred against expected victims, ")
    assert set(sex.data["characteristic"]) == {"sex"} and set(sex.data["basis"]) == {"referred"}
    with pytest.raises(ValueError, match="basis"):
        publication.under_reached("everyone")


def test_declared_rows_and_order_on_the_example(publications):
    publication = publications["example"]
    shares = publication.outcome_shares.data
    assert set(shares["accommodation_type"]) == {"all"}
    assert set(shares["outcome"]) <= {"accepted_supported", "unable_to_support", "survivor_declined"}
    provision = list(publication.provision.data["accommodation_type"])
    assert provision == sorted(provision, key=list(needs.reference.categories.ACCOMMODATION_TYPES.codes).index)
    overall = publication.trends(overall=True).data
    assert set(overall["characteristic"].astype(str)) <= {"all", ""}
    assert list(overall["period"]) == sorted(overall["period"])
    under = publication.under_reached().data
    assert (under["under_reached"] == True).all() and (under["category"] != "not_known").all()  # noqa: E712


# ---------------------------------------------------------------------------------------------
# The publisher on hand-made frames
# ---------------------------------------------------------------------------------------------


class _Stub:
    """The few members of a publication the publisher reads."""

    area = "E1"
    area_name = "Shire"
    period = "2024-25"
    ci = "95% confidence interval"
    dataset = None

    def _where(self) -> str:
        return f"{self.area_name}, {self.period}"


TINY = pd.DataFrame(
    {
        "accommodation_type": ["refuge", "all", "unknown_type", "dispersed_refuge_level", "refuge", "all"],
        "group": ["b", "a", "a", None, "a", np.nan],
        "basis": ["supported", "supported", "referred", "supported", "supported", "supported"],
        "count": [7, 30, 2, 3, 8, 11],
    }
)

TINY_SPEC = TableSpec(
    "tiny",
    part="tiny",
    columns=(
        Column("Accommodation type", "accommodation_type", "label"),
        Column("Group", "group"),
        Column("Households {basis}", "count", "count", count=True),
        Column("Share {ci}", "count", "count"),
    ),
    caption="Tiny table of households {basis}, {where}",
    row_header="Accommodation type",
    note="Note for {area_name} ({area}) in {period}.",
    rows=(("basis", ("{basis}",)),),
    order=("accommodation_type", "count"),
    codes=(("accommodation_type", ("refuge", "dispersed_refuge_level")),),
)


@pytest.fixture
def tiny_source(monkeypatch):
    monkeypatch.setitem(SOURCES, "tiny", lambda publication: TINY)


def test_publisher_keeps_the_declared_rows_in_the_declared_order(tiny_source):
    table = publish_table(TINY_SPEC, _Stub(), basis="supported")
    # "all" first, then the declared codes in their order, unknown codes last; ties by count.
    assert list(table.data["accommodation_type"]) == ["all", "all", "refuge", "refuge", "dispersed_refuge_level"]
    assert list(table.data["count"]) == [11, 30, 7, 8, 3]
    assert list(table.frame.columns) == ["Accommodation type", "Group", "Households supported",
                                         "Share 95% confidence interval"]
    assert table.caption == "Tiny table of households supported, Shire, 2024-25"
    assert table.note == "Note for Shire (E1) in 2024-25."
    assert table.counts == ("Households supported",)
    assert table.row_header == "Accommodation type"


def test_publisher_drops_declared_rows_and_reads_missing_cells_as_empty(tiny_source):
    spec = replace(TINY_SPEC, rows=(), drop=(("group", ("",)), ("accommodation_type", ("unknown_type",))))
    kept = rows(TINY, spec, {"basis": "supported"})
    assert list(kept.index) == [1, 0, 4]
    spec = replace(TINY_SPEC, rows=(("group", ("",)),), order=())
    assert list(rows(TINY, spec, {}).index) == [3, 5]


def test_publisher_leaves_an_empty_part_as_it_is(monkeypatch):
    monkeypatch.setitem(SOURCES, "tiny", lambda publication: pd.DataFrame())
    table = publish_table(TINY_SPEC, _Stub(), basis="supported")
    assert table.frame.empty and len(table) == 0
    assert "There is no data for this table." in table.to_html()


def test_publisher_refuses_an_unknown_part_or_an_unfilled_template(tiny_source):
    with pytest.raises(KeyError, match="nowhere"):
        publish_table(replace(TINY_SPEC, part="nowhere"), _Stub(), basis="supported")
    with pytest.raises(KeyError, match="basis"):
        publish_table(TINY_SPEC, _Stub())


def test_optional_columns_only_when_the_part_has_them(tiny_source):
    spec = replace(TINY_SPEC, columns=(*TINY_SPEC.columns, Column("Grant", "grant", "money", optional=True)))
    assert "Grant" not in publish_table(spec, _Stub(), basis="supported").frame.columns


def test_measure_publisher(monkeypatch):
    monkeypatch.setitem(
        SOURCES, "row", lambda publication: pd.DataFrame({"n": [12], "share": [0.25], "lo": [0.1], "hi": [0.4]})
    )
    monkeypatch.setitem(SOURCES, "none", lambda publication: pd.DataFrame())
    spec = MeasureSpec(
        "m",
        part="row",
        measures=(
            Measure("Households", "n", "count", True),
            Measure("Share", "share", "percent"),
            Measure("{ci}", "lo", "percent", upper="hi"),
            Measure("From elsewhere", "x", "count", True, part="none"),
        ),
        caption="Measures, {where}",
        empty_caption="Nothing, {where}",
    )
    table = publish_measures(spec, _Stub())
    assert table.caption == "Measures, Shire, 2024-25"
    assert list(table.frame["Measure"]) == ["Households", "Share", "95% confidence interval", "From elsewhere"]
    assert list(table.frame["Value"]) == ["12", "25.0%", "10.0% to 40.0%", "[x]"]
    assert list(table.count_cells["Value"]) == [True, False, False, True]
    empty = publish_measures(replace(spec, part="none"), _Stub())
    assert empty.frame.empty and empty.caption == "Nothing, Shire, 2024-25"
