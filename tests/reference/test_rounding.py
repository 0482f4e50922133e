"""Modelled money is quoted to the precision its interval supports."""

import math

import pytest

from needs.reference.rounding import round_money_estimate


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(174_166.67, 174_000.0), (55_500.0, 56_000.0), (10_000.0, 10_000.0), (9_950.0, 10_000.0),
     (8_333.3, 8_300.0), (8_350.0, 8_400.0), (-41_666.7, -42_000.0), (0.0, 0.0)],
)  # fmt: skip
def test_rounded_to_the_thousand_from_ten_thousand_else_the_hundred(value, rounded):
    assert round_money_estimate(value) == rounded


def test_missing_stays_missing():
    assert math.isnan(round_money_estimate(math.nan))
