"""Tests for needs.methods.comparisons.significance_against (OHID's 95% and 99.8% comparison)."""

from __future__ import annotations

import numpy as np
import pytest

from needs.methods.comparisons import significance_against


def test_labels_by_highest_level_at_which_the_interval_excludes_one():
    # Ratio intervals at 95% and 99.8% for five values, hand-made.
    limits = {
        0.95: ([0.50, 0.50, 1.10, 1.05, 0.90], [0.90, 0.99, 1.50, 1.40, 1.10]),
        0.998: ([0.40, 0.30, 1.01, 0.98, 0.80], [0.95, 1.20, 1.80, 1.60, 1.20]),
    }
    out = significance_against(limits, null=1.0)
    assert out.tolist() == [
        "below at 99.8%",
        "below at 95%",
        "above at 99.8%",
        "above at 95%",
        "not significant",
    ]


def test_missing_limits_and_other_null():
    out = significance_against({0.95: ([np.nan, 2.5], [1.0, 3.5])}, null=2.0)
    assert out.tolist() == [None, "above at 95%"]


def test_rejects_no_levels_and_ragged_arrays():
    with pytest.raises(ValueError):
        significance_against({})
    with pytest.raises(ValueError):
        significance_against({0.95: ([0.5], [0.9]), 0.998: ([0.4, 0.1], [1.1, 1.2])})
