"""Numbers align right and text aligns left (issue 14, item 3).

A declared column is numeric by its kind (``needs.publish.tables.NUMERIC_KINDS``), never by
how its cells look; a table with undeclared columns falls back on
``needs.publish.tables._numeric_text``, in which a hyphen inside a cell (an age band, a
period) makes it text.
"""

from __future__ import annotations

import pandas as pd
import pytest

from needs.publish.tables import NUMERIC_KINDS, Column, _numeric_text, publish


@pytest.mark.parametrize(
    "cell", ["1,257", "12.5%", "£1,005,264", "-0.4", "-£1,005", "+3", "[c]", "0.33 to 0.46", "£1 to £2"]
)
def test_numbers_symbols_and_intervals_of_numbers_are_numeric(cell):
    assert _numeric_text(cell)


@pytest.mark.parametrize(
    "cell",
    ["They listened to me", "Refuge to dispersed", "1 to many", "High", "65-74 or older", "16-19", "2023-24",
     "75+", "1,25", "E10000018", "12.5.3", ""],
)
def test_sentences_words_bands_periods_and_codes_are_text(cell):
    assert not _numeric_text(cell)


def test_numeric_kinds_are_the_kinds_of_numbers():
    assert {"count", "number", "integer", "percent", "rate", "money", "ratio", "p_value", "interval"} == NUMERIC_KINDS
    assert not {"text", "label", "category", "yes_no"} & NUMERIC_KINDS


def test_a_declared_text_column_is_text_even_when_every_cell_looks_like_a_number():
    table = publish(
        pd.DataFrame({"code": ["10", "20"], "n": ["[c]", 7]}),
        (Column("Code", "code"), Column("Households", "n", "count", count=True)),
        "Codes",
    )
    assert table.numeric == ("Households",)
    assert table.numeric_mask().to_dict("list") == {"Code": [False, False], "Households": [True, True]}
