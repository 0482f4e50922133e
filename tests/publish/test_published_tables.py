"""Published tables as HTML and as open data (needs.publish.tables, needs.publish.open_data).

On hand-made tables: the HTML of the shared contract (ids, caption ids, ``data-label`` on
every cell, ``num`` by column kind, ``stack``/``wide`` by column count, the CSV download
link), and the CSV behind the link (the cells shown, tidy column names, a notes row, UTF-8
with a byte order mark, CR LF, formula-like text neutralised). Expected texts are written out
by hand.
"""

from __future__ import annotations

import base64
import csv
import io
import re

import pandas as pd
import pytest

from needs.publish.open_data import (
    MIMETYPE,
    column_name,
    column_names,
    embedded_tables,
    notes_text,
    slug,
)
from needs.publish.tables import Column, Html, PublishedTable, measure_table, publish

BOM = b"\xef\xbb\xbf"
C = "[c]"

#: Age bands, a count (one hidden) and a share: the bands read like numbers but are text.
BANDS = pd.DataFrame(
    {
        "category": ["16-19", "20-24", "2023-24"],
        "count": [12, C, 40],
        "share": [0.25, C, 0.5],
        "note": ["=HYPERLINK(\"http://x\",\"y\")", "-2+3", "plain"],
    }
)
COLUMNS = (
    Column("Age band", "category"),
    Column("Households", "count", "count", count=True),
    Column("Share", "share", "percent"),
    Column("Comment", "note"),
)


def _bands() -> PublishedTable:
    return publish(BANDS, COLUMNS, "Households by age band, Shire, 2024-25", row_header="Age band",
                   note="Bands are of the lead victim's age", name="bands_supported")


def _download(markup: str) -> bytes:
    match = re.search(r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]*)"', markup)
    assert match, markup
    return base64.b64decode(match[1])


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def test_slugs_and_tidy_column_names():
    assert slug("representation_sex_supported") == "representation-sex-supported"
    assert slug("Referrals by type, Bournemouth, Christchurch & Poole, 2024-25") == (
        "referrals-by-type-bournemouth-christchurch-poole-2024-25"
    )
    assert slug("Île-de-France") == "ile-de-france"
    assert slug("£ %") == "table"
    assert slug("a" * 50 + " " + "b" * 20) == "a" * 50  # cut at a hyphen, at most 60 characters
    assert column_name("Share 95% confidence interval") == "share_95_percent_confidence_interval"
    assert column_name("Grant (£)") == "grant_gbp"
    assert column_name("Compared with expected (95% and 99.8%)") == (
        "compared_with_expected_95_percent_and_99_8_percent"
    )
    assert column_name("=SUM(A1)") == "sum_a1"
    assert column_names(["Total", "total", "Total "]) == ["total", "total_2", "total_3"]


def test_the_id_comes_from_the_name_else_from_the_caption():
    assert _bands().id == "table-bands-supported"
    assert PublishedTable(pd.DataFrame({"A": ["1"]}), "Input tables used, Shire").id == "table-input-tables-used-shire"


# ---------------------------------------------------------------------------------------------
# The HTML of the contract
# ---------------------------------------------------------------------------------------------


def test_table_html_follows_the_contract():
    markup = _bands().to_html()
    assert markup.startswith(
        '<div class="table-wrap stack" role="region" aria-labelledby="table-bands-supported-caption" '
        'tabindex="0"><table id="table-bands-supported"><caption id="table-bands-supported-caption">'
        "Households by age band, Shire, 2024-25</caption>"
    )
    # headings: the count and the share are numeric columns, the band and the comment text
    assert (
        '<thead><tr><th scope="col">Age band</th><th scope="col" class="num">Households</th>'
        '<th scope="col" class="num">Share</th><th scope="col">Comment</th></tr></thead>'
    ) in markup
    # "16-19" and "2023-24" look like numbers but are text: a row header, no class
    assert '<th scope="row" data-label="Age band">16-19</th>' in markup
    assert '<th scope="row" data-label="Age band">2023-24</th>' in markup
    assert '<td data-label="Households" data-count="" class="num">12</td>' in markup
    assert (
        '<td data-label="Households" data-count="" class="num">'
        '<abbr title="hidden to protect confidentiality">[c]</abbr></td>'
    ) in markup
    assert '<td data-label="Share" class="num">25.0%</td>' in markup
    assert '<td data-label="Comment">-2+3</td>' in markup  # text, though it starts with a sign
    assert '</table></div><p class="table-note">Bands are of the lead victim&#x27;s age</p>' in markup
    assert '<p class="table-download"><a download="table-bands-supported.csv" ' in markup
    assert (
        'Download this table as CSV<span class="visually-hidden">: Households by age band, Shire, '
        "2024-25</span></a> (" in markup
    )
    # every body cell carries its column's heading
    assert markup.count("data-label=") == 3 * 4


def test_text_columns_stay_text_whatever_their_cells_look_like():
    table = publish(
        pd.DataFrame({"period": ["2022-23", "2023-24"], "band": ["16-19", "75+"], "n": [5, 6]}),
        (Column("Year", "period"), Column("Band", "band", "text"), Column("Households", "n", "count")),
        "Years",
    )
    markup = table.to_html()
    assert '<td data-label="Year">2022-23</td>' in markup and '<td data-label="Band">16-19</td>' in markup
    assert '<td data-label="Households" class="num">5</td>' in markup


def test_stack_up_to_six_columns_then_wide():
    def table(width: int) -> str:
        frame = pd.DataFrame({f"Column {i}": ["1"] for i in range(width)})
        return PublishedTable(frame, f"{width} columns").to_html()

    assert table(6).startswith('<div class="table-wrap stack"')
    assert table(7).startswith('<div class="table-wrap wide"')


def test_measure_table_values_are_numeric_by_their_kind():
    table = measure_table(
        [("Households", 1257, "count", True), ("Interval", "1.0% to 2.0%", "interval", False),
         ("Area type", "County", "text", False)],
        "Key figures",
        name="key_figures",
    )
    markup = table.to_html()
    assert '<th scope="col">Value</th>' in markup  # a column with a text cell: no class on its heading
    assert '<td data-label="Value" data-count="" class="num">1,257</td>' in markup
    assert '<td data-label="Value" class="num">1.0% to 2.0%</td>' in markup
    assert '<td data-label="Value">County</td>' in markup


def test_an_undeclared_table_decides_by_cell_with_hyphens_as_text():
    frame = pd.DataFrame({"Figure": ["Demand", "Cost"], "Baseline": ["1,257", "-£1,005"], "Band": ["16-19", "65-74"]})
    markup = PublishedTable(frame, "Scenarios", row_header="Figure").to_html()
    assert '<th scope="col" class="num">Baseline</th>' in markup
    assert '<td data-label="Baseline" class="num">-£1,005</td>' in markup
    assert '<th scope="col">Band</th>' in markup and '<td data-label="Band">16-19</td>' in markup


def test_an_empty_table_keeps_its_id_and_has_no_download():
    markup = PublishedTable(pd.DataFrame(), "Cross-border flows", name="cross_border").to_html()
    assert markup.startswith('<p class="no-data" id="table-cross-border">')
    assert "download" not in markup


# ---------------------------------------------------------------------------------------------
# The CSV behind the link
# ---------------------------------------------------------------------------------------------


def test_the_download_is_the_tables_csv_with_bom_crlf_and_a_notes_row():
    table = _bands()
    data = _download(table.to_html())
    assert data == table.csv()
    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in text.replace("\r\n", "")  # CR LF only, and a last one
    assert lines[0] == "age_band,households,share,comment"
    assert lines[1] == "16-19,12,25.0%,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""  # neutralised, quoted
    assert lines[2] == "20-24,[c],[c],'-2+3"
    assert lines[3] == "2023-24,40,50.0%,plain"
    assert lines[4] == (
        "Notes: Bands are of the lead victim's age. Symbols: [c] hidden to protect confidentiality; "
        "[x] not available; [z] not applicable.,,,"
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [len(row) for row in rows] == [4] * 5


def test_a_cell_starting_with_equals_never_reaches_a_spreadsheet_as_a_formula():
    frame = pd.DataFrame({"Service": ["=1+2", "@SUM(A1)", "+cmd", "Refuge"], "Units": ["-5", "3", "0", "1"]})
    rows = list(csv.reader(io.StringIO(PublishedTable(frame, "Units").csv()[3:].decode("utf-8"), newline="")))
    assert [row[0] for row in rows[1:5]] == ["'=1+2", "'@SUM(A1)", "'+cmd", "Refuge"]
    assert [row[1] for row in rows[1:5]] == ["-5", "3", "0", "1"]  # a negative number is not a formula


def test_notes_text():
    assert notes_text("") == (
        "Notes: Symbols: [c] hidden to protect confidentiality; [x] not available; [z] not applicable."
    )
    assert notes_text("Rounded  to tens\n").startswith("Notes: Rounded to tens. Symbols:")


# ---------------------------------------------------------------------------------------------
# The tables a display carries to the open-data zip
# ---------------------------------------------------------------------------------------------


def test_a_table_display_carries_its_csv_in_the_custom_mimetype():
    table = _bands()
    bundle = table._repr_mimebundle_()
    assert bundle["text/html"] == table.to_html()
    assert bundle["text/plain"] == table.caption  # not a repr of the whole frame
    (carried,) = bundle[MIMETYPE]["tables"]
    assert carried == {
        "name": "table-bands-supported",
        "file": "table-bands-supported.csv",
        "caption": "Households by age band, Shire, 2024-25",
        "csv": table.csv()[len(BOM) :].decode("utf-8"),
    }


@pytest.mark.parametrize("caption", ["Caption with <b>markup</b> & \"quotes\"", "Plain"])
def test_html_blocks_carry_every_table_they_hold(caption):
    one = _bands()
    two = PublishedTable(pd.DataFrame({"A": ["x"]}), caption, name="two")
    bundle = Html("<p>Lead</p>" + one.to_html() + two.to_html())._repr_mimebundle_()
    assert [t["file"] for t in bundle[MIMETYPE]["tables"]] == ["table-bands-supported.csv", "table-two.csv"]
    assert bundle[MIMETYPE]["tables"][1]["caption"] == caption
    assert embedded_tables(two.to_html())[0]["csv"].startswith("a\r\nx\r\n")
    assert MIMETYPE not in Html("<p>No table</p>")._repr_mimebundle_()
