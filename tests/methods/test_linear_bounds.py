"""The attacker's bounds on hidden counts, against hand-worked tables."""

from __future__ import annotations

import numpy as np
import pytest

from needs.methods.linear_bounds import Bound, Equation, feasible_ranges


def _sum(total, *parts):
    return Equation(((total, 1.0), *((p, -1.0) for p in parts)))


def test_one_hidden_cell_in_a_line_with_its_total_is_recovered_exactly():
    # 12 + x + 30 = 45: x = 3 whatever is hidden.
    values = {"a": 12, "b": 3, "c": 30, "total": 45}
    ranges = feasible_ranges(values, ["b"], [_sum("total", "a", "b", "c")])
    row = ranges.iloc[0]
    assert (row["lower"], row["upper"], row["width"]) == pytest.approx((3, 3, 0))


def test_two_hidden_cells_in_a_line_are_bounded_by_their_sum():
    # 12 + x + y = 45 with x, y hidden (3 and 30): each lies in [0, 33].
    values = {"a": 12, "b": 3, "c": 30, "total": 45}
    ranges = feasible_ranges(values, ["b", "c"], [_sum("total", "a", "b", "c")]).set_index("key")
    assert ranges.loc["b", ["lower", "upper"]].tolist() == pytest.approx([0, 33])
    assert ranges.loc["c", ["lower", "upper"]].tolist() == pytest.approx([0, 33])


def test_two_by_two_table_with_margins_gives_the_frechet_bounds():
    # | 3  7 | 10      x11 in [max(0, r1 + c1 - n), min(r1, c1)] = [max(0, 10 + 8 - 25), min(10, 8)]
    # | 5 10 | 15                            = [0, 8]; the other cells follow from x11.
    # 8 17    25
    values = {"x11": 3, "x12": 7, "x21": 5, "x22": 10, "r1": 10, "r2": 15, "c1": 8, "c2": 17}
    equations = [
        _sum("r1", "x11", "x12"),
        _sum("r2", "x21", "x22"),
        _sum("c1", "x11", "x21"),
        _sum("c2", "x12", "x22"),
    ]
    ranges = feasible_ranges(values, ["x11", "x12", "x21", "x22"], equations).set_index("key")
    assert ranges.loc["x11", ["lower", "upper"]].tolist() == pytest.approx([0, 8])
    assert ranges.loc["x12", ["lower", "upper"]].tolist() == pytest.approx([2, 10])
    assert ranges.loc["x21", ["lower", "upper"]].tolist() == pytest.approx([0, 8])
    assert ranges.loc["x22", ["lower", "upper"]].tolist() == pytest.approx([7, 15])


def test_a_rounded_percentage_of_a_known_denominator_pins_a_small_count():
    # "0.9% of 784": 0.85% to 0.95% of 784 is 6.66 to 7.45, so the count is 7 (issue 12).
    values = {"count": 7, "known": 784}
    bound = Bound("count", "known", 0.0085, 0.0095)
    row = feasible_ranges(values, ["count"], bounds=[bound]).iloc[0]
    assert row["lower"] == pytest.approx(0.0085 * 784)
    assert row["upper"] == pytest.approx(0.0095 * 784)
    assert row["width"] < 1


def test_an_unconstrained_hidden_count_is_unbounded_above():
    row = feasible_ranges({"x": 3}, ["x"]).iloc[0]
    assert row["lower"] == 0 and np.isinf(row["upper"])


def test_independent_hidden_counts_are_solved_apart_and_targets_restrict_the_output():
    values = {"a": 2, "b": 40, "t1": 42, "c": 1, "d": 1, "t2": 2}
    equations = [_sum("t1", "a", "b"), _sum("t2", "c", "d")]
    everything = feasible_ranges(values, ["a", "b", "c", "d"], equations).set_index("key")
    assert everything.loc["a", "upper"] == pytest.approx(42)
    assert everything.loc["c", "upper"] == pytest.approx(2)
    only = feasible_ranges(values, ["a", "b", "c", "d"], equations, targets=["c"])
    assert only["key"].tolist() == ["c"]
    assert only["upper"].iloc[0] == pytest.approx(2)
