"""Tests for needs.methods.disclosure: no small count survives, and no hidden cell can be recovered.

Expected tables are worked by hand here. The recovery tests are independent of the
implementation: an attacker who knows every published figure and that counts are not
negative solves linear programs (scipy.optimize.linprog) for the smallest and largest value
each hidden cell can take; the cell is protected when that interval is at least one wide
(the constraint matrices are network matrices, so the bounds are whole numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from needs.methods.disclosure import (
    SUPPRESSION_NOTE,
    check_published,
    is_disclosive,
    suppress,
    suppress_crosstab,
    suppression_note,
)
from needs.reference.constants import DEFAULT_SUPPRESS_BELOW

C = "[c]"
X = "[x]"


def hidden_mask(frame: pd.DataFrame | pd.Series) -> np.ndarray:
    return np.asarray(frame.astype(object) == C)


# --------------------------------------------------------------------------------------------
# Recovery by linear programming (the attacker)
# --------------------------------------------------------------------------------------------


def feasible_ranges(
    n_cells: int, hidden: np.ndarray, truth: np.ndarray, equations: list[tuple[list[int], list[float]]]
) -> list[tuple[int, float, float]]:
    """Smallest and largest value of each hidden cell given the published ones.

    ``equations``: (cell indices, coefficients) with sum(coef * cell) = 0. Published cells are
    fixed at their true values; hidden cells are >= 0.
    """
    unknown = np.flatnonzero(hidden)
    position = {cell: k for k, cell in enumerate(unknown)}
    rows, rhs = [], []
    for cells, coefs in equations:
        row = np.zeros(len(unknown))
        b = 0.0
        for cell, coef in zip(cells, coefs, strict=True):
            if hidden[cell]:
                row[position[cell]] += coef
            else:
                b -= coef * truth[cell]
        if row.any():
            rows.append(row)
            rhs.append(b)
        else:
            assert abs(b) < 1e-9, "published figures are inconsistent"
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    ranges = []
    for k, cell in enumerate(unknown):
        objective = np.zeros(len(unknown))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0, low.message
        upper = np.inf if high.status == 3 else -high.fun
        assert high.status in (0, 3), high.message
        ranges.append((int(cell), float(low.fun), float(upper)))
    return ranges


def assert_not_recoverable(ranges, truth, context):
    for cell, low, high in ranges:
        assert low - 1e-6 <= truth[cell] <= high + 1e-6, (context, cell)
        assert high - low >= 1 - 1e-6, (
            f"{context}: hidden cell {cell} (true {truth[cell]}) is fixed in [{low}, {high}]"
        )


def crosstab_equations(n_rows: int, n_cols: int) -> list[tuple[list[int], list[float]]]:
    """Equations of an (n_rows+1) x (n_cols+1) table whose last row and column are totals."""
    width = n_cols + 1
    equations = []
    for i in range(n_rows + 1):
        equations.append(([i * width + j for j in range(width)], [1.0] * n_cols + [-1.0]))
    for j in range(n_cols + 1):
        equations.append(([i * width + j for i in range(n_rows + 1)], [1.0] * n_rows + [-1.0]))
    return equations


def random_crosstab(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_rows, n_cols = rng.integers(3, 7, size=2)
    mean = rng.choice([1.5, 3.0, 6.0])
    values = rng.poisson(mean, size=(n_rows, n_cols))
    big = rng.random((n_rows, n_cols)) < 0.2
    values[big] += rng.integers(5, 40, size=big.sum())
    return pd.DataFrame(
        values, index=[f"r{i}" for i in range(n_rows)], columns=[f"k{j}" for j in range(n_cols)]
    )


# --------------------------------------------------------------------------------------------
# is_disclosive, the note
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, False), (1, True), (4, True), (5, False), (4.0, True), (0.5, True), (np.nan, False), ("[c]", False)],
)
def test_is_disclosive_scalar(value, expected):
    assert is_disclosive(value, 5) is expected


def test_is_disclosive_vector_and_threshold():
    values = pd.Series([0, 1, 9, 10, np.nan, "[c]"], dtype=object)
    assert is_disclosive(values, 10).tolist() == [False, True, True, False, False, False]
    assert is_disclosive(np.array([[0, 3], [7, 2]]), 3).tolist() == [[False, False], [False, True]]


def test_threshold_must_be_positive_whole_number():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="threshold"):
            is_disclosive(3, bad)


def test_note_names_symbols_and_threshold():
    assert SUPPRESSION_NOTE.startswith("[c] A count from 1 to 4,")
    for symbol in ("[c]", "[x]", "[z]"):
        assert symbol in SUPPRESSION_NOTE
    assert "from 1 to 9" in suppression_note(10)
    assert DEFAULT_SUPPRESS_BELOW == 5


# --------------------------------------------------------------------------------------------
# suppress: primary, zeros, missing values, derived columns
# --------------------------------------------------------------------------------------------


def test_primary_suppression_by_hand():
    table = pd.DataFrame({"category": list("abcdef"), "count": [0, 1, 4, 5, 12, np.nan], "note": ["n"] * 6})
    out = suppress(table)
    # zero shown, 1 and 4 hidden, 5 and 12 shown, missing -> [x]; whole numbers stay int
    assert out["count"].tolist() == [0, C, C, 5, 12, X]
    assert [type(v) for v in out["count"] if v not in (C, X)] == [int, int, int]
    assert out["count"].dtype == object
    pd.testing.assert_series_equal(out["note"], table["note"])
    pd.testing.assert_series_equal(out["category"], table["category"])
    # the input is not modified
    assert table["count"].tolist()[:5] == [0, 1, 4, 5, 12]


def test_threshold_is_configurable():
    table = pd.DataFrame({"count": [0, 3, 5, 9, 10, 11]})
    assert suppress(table, threshold=10)["count"].tolist() == [0, C, C, C, 10, 11]
    assert suppress(table, threshold=3)["count"].tolist() == [0, 3, 5, 9, 10, 11]


def test_derived_columns_hidden_with_their_count():
    table = pd.DataFrame(
        {
            "count": [2, 30, 0, np.nan],
            "denominator": [50, 50, 50, 50],
            "share": [0.04, 0.6, 0.0, np.nan],
            "lower": [0.01, 0.46, 0.0, np.nan],
            "upper": [0.13, 0.72, 0.07, np.nan],
        }
    )
    out = suppress(table, ["count", "denominator"], derived={"count": ["share", "lower", "upper"]})
    assert out["share"].tolist() == [C, 0.6, 0.0, X]
    assert out["lower"].tolist() == [C, 0.46, 0.0, X]
    assert out["upper"].tolist() == [C, 0.72, 0.07, X]
    assert out["denominator"].tolist() == [50, 50, 50, 50]
    assert check_published(out, 5) == []


def test_derived_column_of_two_counts_hidden_when_either_is():
    table = pd.DataFrame({"observed": [3, 20, 20], "expected": [20, 2, 20], "ratio": [0.15, 10.0, 1.0]})
    out = suppress(table, ["observed", "expected"], derived={"observed": ["ratio"], "expected": ["ratio"]})
    assert out["ratio"].tolist() == [C, C, 1.0]


def test_derived_hidden_by_secondary_suppression():
    table = pd.DataFrame({"g": ["a"] * 3, "count": [2, 7, 20], "share": [2 / 29, 7 / 29, 20 / 29]})
    out = suppress(table, derived={"count": ["share"]}, within=["g"])
    assert out["count"].tolist() == [C, C, 20]
    assert out["share"].tolist() == [C, C, 20 / 29]


def test_categorical_and_string_inputs_give_same_result():
    table = pd.DataFrame({"area_code": ["E1", "E1", "E2", "E2"], "count": [3, 9, 8, 8]})
    categorical = table.assign(area_code=table["area_code"].astype("category"))
    expected = [C, C, 8, 8]
    assert suppress(table, within=["area_code"])["count"].tolist() == expected
    assert suppress(categorical, within=["area_code"])["count"].tolist() == expected


def test_suppressing_twice_changes_nothing():
    table = pd.DataFrame({"g": ["a"] * 4, "count": [2, 6, 9, 0], "share": [0.1, 0.2, 0.3, 0.0]})
    once = suppress(table, derived={"count": ["share"]}, within=["g"])
    twice = suppress(once, derived={"count": ["share"]}, within=["g"])
    pd.testing.assert_frame_equal(once, twice)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"counts": ["nope"]}, "counts"),
        ({"derived": {"count": ["nope"]}}, "derived"),
        ({"derived": {"share": ["count"]}}, "derived"),
        ({"within": ["nope"]}, "within"),
        ({"total_rows": pd.Series([True, False])}, "total_rows"),
        ({"within": ["g"], "total_rows": pd.Series([True])}, "total_rows"),
        ({"threshold": 0}, "threshold"),
    ],
)
def test_misuse_raises_value_error(kwargs, match):
    table = pd.DataFrame({"g": ["a", "a"], "count": [1, 9], "share": [0.1, 0.9]})
    with pytest.raises(ValueError, match=match):
        suppress(table, **kwargs)


def test_negative_or_text_counts_rejected():
    with pytest.raises(ValueError, match="negative"):
        suppress(pd.DataFrame({"count": [3, -1]}))
    with pytest.raises(ValueError, match="numbers"):
        suppress(pd.DataFrame({"count": [3, "many"]}))


# --------------------------------------------------------------------------------------------
# suppress: secondary suppression within groups
# --------------------------------------------------------------------------------------------


def test_secondary_hides_next_smallest_nonzero_cell():
    # group a: 3 hidden; the next smallest non-zero is 6 (the 0 is skipped). group b: two
    # small cells already protect each other. group c: nothing small.
    table = pd.DataFrame(
        {
            "area": ["a"] * 4 + ["b"] * 3 + ["c"] * 2,
            "count": [3, 0, 6, 40, 1, 2, 30, 6, 9],
        }
    )
    out = suppress(table, within=["area"])
    assert out["count"].tolist() == [C, 0, C, 40, C, C, 30, 6, 9]


def test_secondary_ties_choose_one_cell_only():
    table = pd.DataFrame({"g": ["a"] * 4, "count": [2, 8, 8, 30]})
    assert suppress(table, within=["g"])["count"].tolist() == [C, C, 8, 30]


def test_small_group_total_hides_whole_group_including_zeros():
    # total 3: a hidden total and zeros shown would say "all of them are in category y"
    table = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 2, "count": [0, 3, 0, 0, 0]})
    out = suppress(table, within=["g"])
    assert out["count"].tolist() == [C, C, C, 0, 0]


def test_secondary_is_per_count_column():
    table = pd.DataFrame({"g": ["a"] * 3, "referred": [2, 10, 20], "supported": [10, 10, 20]})
    out = suppress(table, ["referred", "supported"], within=["g"])
    assert out["referred"].tolist() == [C, C, 20]
    assert out["supported"].tolist() == [10, 10, 20]


def test_groups_by_several_columns():
    table = pd.DataFrame(
        {
            "area_code": ["E1"] * 4 + ["E2"] * 4,
            "characteristic": ["sex", "sex", "age", "age"] * 2,
            "category": ["f", "m", "16-24", "25+"] * 2,
            "count": [40, 3, 20, 23, 40, 6, 2, 44],
        }
    )
    out = suppress(table, within=["area_code", "characteristic"])
    assert out["count"].tolist() == [C, C, 20, 23, 40, 6, C, C]


def test_within_empty_means_one_group():
    table = pd.DataFrame({"count": [4, 9, 12]})
    assert suppress(table, within=[])["count"].tolist() == [C, C, 12]
    assert suppress(table)["count"].tolist() == [C, 9, 12]  # no totals published


def test_total_rows_are_never_chosen_for_secondary_suppression():
    # group a: all = 12 with parts 3 and 9: the part 9 goes with the 3, the total stays.
    # group b: a multi-response profile (people may have several needs), so the parts add up
    # to more than the "all" row: the total (6) is the smallest other cell, yet the part 9 is
    # hidden instead and the total stays published.
    table = pd.DataFrame(
        {
            "g": ["a"] * 3 + ["b"] * 3,
            "category": ["all", "x", "y"] * 2,
            "count": [12, 3, 9, 6, 2, 9],
        }
    )
    totals = table["category"].eq("all")
    out = suppress(table, within=["g"], total_rows=totals)
    assert out["count"].tolist() == [12, C, C, 6, C, C]
    # unmarked, the "all" row of b would be the one chosen
    unmarked = suppress(table, within=["g"])
    assert unmarked["count"].tolist()[3:] == [C, C, 9]


def test_total_row_gives_group_total():
    # parts 1 and 1 (and an unrecorded remainder): total row 40 is published, group not small
    table = pd.DataFrame({"g": ["a"] * 3, "category": ["all", "x", "y"], "count": [40, 1, 0]})
    out = suppress(table, within=["g"], total_rows=table["category"].eq("all"))
    # one hidden cell and no other non-zero part: a zero part is hidden instead
    assert out["count"].tolist() == [40, C, C]
    # small total row: the whole group, total included, is hidden
    small = pd.DataFrame({"g": ["a"] * 3, "category": ["all", "x", "y"], "count": [4, 4, 0]})
    out = suppress(small, within=["g"], total_rows=small["category"].eq("all"))
    assert out["count"].tolist() == [C, C, C]


# --------------------------------------------------------------------------------------------
# suppress_crosstab
# --------------------------------------------------------------------------------------------


def test_crosstab_by_hand():
    table = pd.DataFrame(
        [[2, 10, 20], [8, 9, 30], [15, 12, 40]], index=["a", "b", "c"], columns=["x", "y", "z"]
    )
    out = suppress_crosstab(table)
    # 2 hidden; row a: next smallest 10; column x: next smallest 8; row b then has 8 hidden
    # alone -> 9; column y: 10 and 9 hidden -> balanced. Cycle a-x, x-b, b-y, y-a.
    expected = pd.DataFrame(
        [[C, C, 20, 32], [C, C, 30, 47], [15, 12, 40, 67], [25, 31, 90, 146]],
        index=["a", "b", "c", "Total"],
        columns=["x", "y", "z", "Total"],
        dtype=object,
    )
    pd.testing.assert_frame_equal(out, expected)
    assert check_published(out, 5) == []


def test_crosstab_hidden_margin_needs_a_second_margin():
    # row a totals 3: its cell and its total are hidden; the totals column then has one hidden
    # cell, so another row total must go, and then a cell of that row.
    table = pd.DataFrame([[3, 0], [20, 30], [40, 50]], index=["a", "b", "c"], columns=["x", "y"])
    out = suppress_crosstab(table)
    hidden = hidden_mask(out)
    assert out.loc["a", "x"] == C and out.loc["a", "Total"] == C
    assert out.loc["a", "y"] == 0  # zero shown
    assert out.loc["Total", "Total"] == 143
    for line in list(hidden) + list(hidden.T):
        assert line.sum() in (0,) or line.sum() >= 2


def test_crosstab_without_margins_is_primary_only():
    table = pd.DataFrame([[2, 10], [8, 9]], index=["a", "b"], columns=["x", "y"])
    out = suppress_crosstab(table, margins=False)
    assert out.values.tolist() == [[C, 10], [8, 9]]


def test_crosstab_missing_cells_and_threshold():
    table = pd.DataFrame([[np.nan, 10.0], [8.0, 12.0]], index=["a", "b"], columns=["x", "y"])
    out = suppress_crosstab(table, threshold=10)
    assert out.loc["a", "x"] == X
    assert out.loc["b", "x"] == C  # 8 < 10
    assert check_published(out, 10) == []


def test_crosstab_rejects_margin_label_clash_and_negatives():
    with pytest.raises(ValueError, match="margins_name"):
        suppress_crosstab(pd.DataFrame([[1, 2]], columns=["Total", "x"]))
    with pytest.raises(ValueError, match="negative"):
        suppress_crosstab(pd.DataFrame([[1, -2]]))


def test_crosstab_bridge_between_two_cycles_is_closed():
    # Hidden pattern meeting "0 or >= 2 hidden per line" but not safe: two cycles of hidden
    # cells, r0-k1-r3-k4 and r1-k2-r2-k3, joined only by the cell (r2, k1). Adding the hidden
    # cells of rows r1, r2 and subtracting those of columns k2, k3 leaves (r2, k1) alone:
    # (74 - 8 - 33 - 26) + (39 - 9 - 11) - (46 - 35 - 6) - (73 - 40 - 20) = 7 + 19 - 5 - 13 = 8.
    table = pd.DataFrame(
        [[43, 6, 35, 40, 10], [8, 33, 3, 4, 26], [9, 8, 2, 9, 11], [6, 4, 6, 20, 2]],
        index=["r0", "r1", "r2", "r3"],
        columns=["k0", "k1", "k2", "k3", "k4"],
    )
    truth = table.copy()
    truth["Total"] = truth.sum(axis=1)
    truth.loc["Total"] = truth.sum(axis=0)
    truth_flat = truth.to_numpy(dtype=float).ravel()
    equations = crosstab_equations(4, 5)
    naive = np.zeros(truth.shape, dtype=bool)
    for r, k in [(0, 1), (0, 4), (3, 1), (3, 4), (1, 2), (1, 3), (2, 2), (2, 3), (2, 1)]:
        naive[r, k] = True
    naive_ranges = {
        cell: (lo, hi) for cell, lo, hi in feasible_ranges(30, naive.ravel(), truth_flat, equations)
    }
    assert naive_ranges[2 * 6 + 1] == pytest.approx((8.0, 8.0))  # the attacker's LP agrees
    out = suppress_crosstab(table)
    hidden = hidden_mask(out)
    assert hidden[2, 1]
    assert_not_recoverable(feasible_ranges(30, hidden.ravel(), truth_flat, equations), truth_flat, "bridge")


@pytest.mark.parametrize("block", range(4))
def test_crosstab_hidden_cells_cannot_be_recovered_by_linear_programming(block):
    """For 200 random tables, no hidden cell (margins included) is fixed by the published ones."""
    for seed in range(block * 50, (block + 1) * 50):
        table = random_crosstab(seed)
        out = suppress_crosstab(table)
        truth = table.copy()
        truth["Total"] = truth.sum(axis=1)
        truth.loc["Total"] = truth.sum(axis=0)
        truth_flat = truth.to_numpy(dtype=float).ravel()
        hidden = hidden_mask(out).ravel()
        shown = out.to_numpy().ravel()[~hidden]
        # published figures are the true ones and none is small
        np.testing.assert_array_equal(shown.astype(float), truth_flat[~hidden])
        assert not is_disclosive(shown.astype(float), 5).any()
        n_rows, n_cols = table.shape
        ranges = feasible_ranges(truth_flat.size, hidden, truth_flat, crosstab_equations(n_rows, n_cols))
        assert_not_recoverable(ranges, truth_flat, f"seed {seed}")


# --------------------------------------------------------------------------------------------
# Long tables: recovery by linear programming
# --------------------------------------------------------------------------------------------


def random_long(seed: int, with_total_rows: bool) -> tuple[pd.DataFrame, pd.Series | None]:
    rng = np.random.default_rng(10_000 + seed)
    frames = []
    for area in range(rng.integers(2, 5)):
        for basis in ("referred", "supported"):
            k = int(rng.integers(2, 7))
            counts = rng.poisson(rng.choice([1.0, 3.0, 8.0]), size=k)
            categories = [f"c{j}" for j in range(k)]
            if with_total_rows:
                counts = np.r_[counts.sum(), counts]
                categories = ["all", *categories]
            frames.append(
                pd.DataFrame(
                    {"area_code": f"E{area}", "basis": basis, "category": categories, "count": counts}
                )
            )
    table = pd.DataFrame(pd.concat(frames, ignore_index=True))
    totals = table["category"].eq("all") if with_total_rows else None
    return table, totals


@pytest.mark.parametrize("with_total_rows", [True, False])
def test_within_hidden_cells_cannot_be_recovered_by_linear_programming(with_total_rows):
    """For 100 random profiles per layout, group totals published, no hidden cell is fixed."""
    threshold = 5
    for seed in range(100):
        table, totals = random_long(seed, with_total_rows)
        out = suppress(table, within=["area_code", "basis"], total_rows=totals)
        truth = table["count"].to_numpy(dtype=float)
        hidden = hidden_mask(out["count"])
        assert not is_disclosive(out["count"], threshold).any()
        cells = truth.copy()
        is_total = np.zeros(len(truth), dtype=bool)
        equations = []
        for _, index in table.groupby(["area_code", "basis"]).indices.items():
            index = list(index)
            if with_total_rows:
                total_cell = [i for i in index if totals.iloc[i]][0]
                parts = [i for i in index if i != total_cell]
                is_total[total_cell] = True
                equations.append((parts + [total_cell], [1.0] * len(parts) + [-1.0]))
            else:
                # the group total is published (unless it is itself small, when it is [c])
                total_value = truth[index].sum()
                cells = np.append(cells, total_value)
                hidden = np.append(hidden, 0 < total_value < threshold)
                total_cell = len(cells) - 1
                equations.append((index + [total_cell], [1.0] * len(index) + [-1.0]))
        # total rows are never hidden unless small (secondary never picks them)
        if with_total_rows:
            assert not (hidden[: len(truth)] & is_total & (truth >= threshold)).any()
        ranges = feasible_ranges(len(cells), hidden, cells, equations)
        # cells hidden because the whole small group is hidden may be true zeros, which can
        # still take other values; every hidden cell must be free to move.
        assert_not_recoverable(ranges, cells, f"seed {seed}")


# --------------------------------------------------------------------------------------------
# Property-based: nothing small survives, derived follow counts
# --------------------------------------------------------------------------------------------

counts_strategy = st.lists(st.one_of(st.integers(0, 30), st.none()), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(
    values=counts_strategy,
    n_groups=st.integers(1, 4),
    threshold=st.integers(1, 12),
    use_within=st.booleans(),
)
def test_no_small_count_survives_random_long_tables(values, n_groups, threshold, use_within):
    n = len(values)
    table = pd.DataFrame(
        {
            "g": [i % n_groups for i in range(n)],
            "count": [np.nan if v is None else v for v in values],
        }
    )
    table["share"] = table["count"] / (table["count"].sum() or 1)
    out = suppress(
        table, derived={"count": ["share"]}, within=["g"] if use_within else None, threshold=threshold
    )
    assert check_published(out, threshold) == []
    published = out["count"]
    for original, shown, share in zip(table["count"], published, out["share"], strict=True):
        if pd.isna(original):
            assert shown == X
        elif shown == C:
            assert share == C
        else:
            assert shown == original and not (0 < shown < threshold)
            if original == 0 and not use_within:
                assert shown == 0
    if use_within:
        for _, group in out.groupby("g"):
            n_hidden = int((group["count"] == C).sum())
            assert n_hidden != 1 or table.loc[group.index, "count"].fillna(0).gt(0).sum() <= 1


@settings(max_examples=60, deadline=None)
@given(
    matrix=st.integers(2, 6).flatmap(
        lambda r: st.lists(st.lists(st.integers(0, 25), min_size=r, max_size=r), min_size=2, max_size=6)
    ),
    threshold=st.integers(2, 10),
)
def test_no_small_count_survives_random_crosstabs(matrix, threshold):
    table = pd.DataFrame(matrix)
    table.columns = [f"k{j}" for j in table.columns]
    out = suppress_crosstab(table, threshold=threshold)
    assert check_published(out, threshold) == []
    hidden = hidden_mask(out)
    for line in [*hidden, *hidden.T]:
        assert line.sum() != 1


# --------------------------------------------------------------------------------------------
# check_published
# --------------------------------------------------------------------------------------------


def test_check_published_finds_small_counts_and_leaking_derived_cells():
    raw = pd.DataFrame({"count": [2, 40], "share": [0.05, 0.95]}, index=["a", "b"])
    problems = check_published(raw, 5, counts=["count"])
    assert problems == ["row 'a', column 'count': 2 is a count from 1 to 4"]
    # without attrs or counts, whole-number columns are checked
    assert len(check_published(raw, 5)) == 1
    published = suppress(raw, derived={"count": ["share"]})
    assert check_published(published, 5) == []
    leaked = published.copy()
    leaked.loc["a", "share"] = 0.05
    assert check_published(leaked, 5) == ["row 'a', column 'share' is shown but its count 'count' is hidden"]


def test_nullable_integer_derived_column_with_missing_values():
    # A missing value in an Int64 derived column is [x]; it must not hide the whole column.
    table = pd.DataFrame({"count": [10, 2, 30], "units_needed": pd.array([4, None, 7], dtype="Int64")})
    out = suppress(table, derived={"count": ["units_needed"]})
    assert out["units_needed"].tolist() == [4, "[c]", 7]
    table.loc[2, "units_needed"] = pd.NA
    out = suppress(table, derived={"count": ["units_needed"]})
    assert out["units_needed"].tolist() == [4, "[c]", "[x]"]
