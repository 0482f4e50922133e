"""Words for numbers (issue 14 item 5): ratios in words, p-values, and no figure quoted more
precisely than its interval supports. Every expected value is worked by hand."""

from __future__ import annotations

import math

import pytest

from needs.publish.formatting import format_p_value, format_ratio, format_ratio_words
from needs.reference.rounding import estimate_step, ratio_in_words, round_estimate, round_significant


@pytest.mark.parametrize(
    ("ratio", "words"),
    [
        (0.0, "none of the number expected"),
        (0.04, "under 1 in 20 of the number expected"),  # 0.4 tenths rounds to 0
        (0.05, "about 1 in 10 of the number expected"),  # 0.5 tenths rounds half up to 1
        (0.39, "about 4 in 10 of the number expected"),  # the example (0.39, CI 0.33 to 0.46)
        (0.35, "about 4 in 10 of the number expected"),  # 3.5 tenths: half up
        (0.349, "about 3 in 10 of the number expected"),
        (0.94, "about 9 in 10 of the number expected"),
        (0.95, "about the number expected"),  # 9.5 tenths: half up to 10
        (1.04, "about the number expected"),
        (1.05, "about 1.1 times the number expected"),
        (1.46, "about 1.5 times the number expected"),
        (2.0, "about 2 times the number expected"),
        (9.94, "about 9.9 times the number expected"),
        (12.6, "about 13 times the number expected"),
        (1234.0, "about 1,234 times the number expected"),
    ],
)
def test_ratio_in_words(ratio, words):
    assert ratio_in_words(ratio) == words


def test_ratio_in_words_missing_and_negative():
    assert ratio_in_words(math.nan) == ""
    with pytest.raises(ValueError, match="ratio"):
        ratio_in_words(-0.1)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(0.3874, 0.39), (0.385, 0.39), (0.125, 0.13), (1.2345, 1.2), (1.25, 1.3), (12.6, 13.0),
     (0.0456, 0.046), (-0.3874, -0.39), (0.0, 0.0)],
)  # fmt: skip
def test_round_significant_two_figures(value, rounded):
    assert round_significant(value) == rounded


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.3874, "0.39"), (0.1, "0.10"), (1.0, "1.0"), (0.995, "1.0"), (1.2345, "1.2"), (12.6, "13"),
     (0.0456, "0.046"), (1234.5, "1,200"), (0.0, "0"), ("[c]", "[c]"), (None, "[x]")],
)  # fmt: skip
def test_ratios_are_printed_to_two_significant_figures(value, text):
    assert format_ratio(value) == text


def test_ratio_words_formatter_passes_symbols():
    assert format_ratio_words(0.41) == "about 4 in 10 of the number expected"
    assert format_ratio_words("[c]") == "[c]"


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0, "< 0.001"), (1e-12, "< 0.001"), (0.000999, "< 0.001"), (0.001, "0.001"), (0.0429, "0.043"),
     (0.5, "0.500"), (1.0, "1.000"), ("[c]", "[c]")],
)  # fmt: skip
def test_p_values_below_one_in_a_thousand_are_never_0_000(p, text):
    assert format_p_value(p) == text


def test_estimate_step_follows_the_interval():
    # half-widths 3,150 / 135 / 1 / 15: a tenth of each, down to a power of ten, at least 1
    assert estimate_step([44_000, 1_100, 9.0, 970], [50_300, 1_370, 11.0, 1_000]).tolist() == [
        100.0, 10.0, 1.0, 1.0,
    ]  # fmt: skip
    assert math.isnan(estimate_step([math.nan], [10.0])[0])


def test_round_estimate_to_the_nearest_10_or_100():
    value, lower, upper = round_estimate([47_134.6, 6_649.0, 18_750.0], [44_212.0, 6_234.0, 16_812.0],
                                         [50_061.0, 7_064.0, 20_649.0])  # fmt: skip
    # A tenth of each half-width, (upper - lower) / 20: 292.5 (step 100), 41.5 (step 10),
    # 191.85 (step 100); 18,750 is a half and rounds away from zero.
    assert value.tolist() == [47_100.0, 6_650.0, 18_800.0]
    assert lower.tolist() == [44_200.0, 6_230.0, 16_800.0]
    assert upper.tolist() == [50_100.0, 7_060.0, 20_600.0]


def test_round_estimate_without_interval_keeps_three_significant_figures():
    value, lower, upper = round_estimate([47_134.6], [math.nan], [math.nan])
    assert value.tolist() == [47_100.0]
    assert math.isnan(lower[0]) and math.isnan(upper[0])
