"""Numbers align right and text aligns left (needs.publish.tables._numeric_text)."""

from __future__ import annotations

import pytest

from needs.publish.tables import _numeric_text


@pytest.mark.parametrize("cell", ["1,257", "12.5%", "£1,005,264", "-0.4", "[c]", "0.33 to 0.46", "£1 to £2"])
def test_numbers_symbols_and_intervals_of_numbers_are_numeric(cell):
    assert _numeric_text(cell)


@pytest.mark.parametrize("cell", ["They listened to me", "Refuge to dispersed", "1 to many", "High", "65-74 or older"])
def test_sentences_with_to_and_words_are_text(cell):
    assert not _numeric_text(cell)
