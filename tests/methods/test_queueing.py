"""needs.methods.queueing: Erlang B against published tables and exact rational arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needs.methods.queueing import erlang_b, servers_needed


def exact_erlang_b(servers: int, load: str | int) -> float:
    """Erlang's formula B = (a^c/c!) / sum_k a^k/k! in exact integer arithmetic.

    Dividing through, 1/B = sum_{j=0..c} [c!/(c-j)!] / a^j, evaluated by Horner's rule
    V_0 = 1, V_m = 1 + (m/a) V_{m-1} (so V_c = 1/B). With a = p/q and V_m = N_m / p^m this is
    N_m = p^m + m q N_{m-1}, all integers, so nothing is rounded until the final correctly
    rounded integer division p^c / N_c.
    """
    a = Fraction(load)
    p, q = a.numerator, a.denominator
    numerator, power = 1, 1
    for m in range(1, servers + 1):
        power *= p
        numerator = power + m * q * numerator
    return power / numerator


# Published Erlang B tables give, for c servers and a blocking target, the largest offered
# load (erlangs) meeting it, rounded. Classic tables (e.g. the Erlang B table in Cooper RB,
# "Introduction to Queueing Theory", 2nd ed. 1981, and the Westbay Engineers Erlang B table
# reproduced by erlang.com) give the 3-significant-figure values below; 15 lines at 1% = 8.108
# erlangs is the worked example of the erlang.com calculator manual ("How much traffic can a
# trunk group handle?"). Rounding means the true load lies within half a unit of the last
# digit, so B(c, a - h) <= target <= B(c, a + h).
TABLE = [
    # (servers, blocking, load as printed)
    (1, 0.01, "0.0101"),
    (2, 0.01, "0.153"),
    (3, 0.01, "0.455"),
    (4, 0.01, "0.869"),
    (5, 0.01, "1.36"),
    (10, 0.01, "4.46"),
    (15, 0.01, "8.108"),
    (20, 0.01, "12.0"),
    (50, 0.01, "37.9"),
    (100, 0.01, "84.1"),
    (1, 0.02, "0.0204"),
    (2, 0.02, "0.223"),
    (3, 0.02, "0.602"),
    (5, 0.02, "1.66"),
    (10, 0.02, "5.08"),
    (20, 0.02, "13.2"),
    (50, 0.02, "40.3"),
    (1, 0.05, "0.0526"),
    (2, 0.05, "0.381"),
    (3, 0.05, "0.899"),
    (5, 0.05, "2.22"),
    (10, 0.05, "6.22"),
    (20, 0.05, "15.2"),
    (50, 0.05, "44.5"),
    (100, 0.05, "95.2"),
]


@pytest.mark.parametrize(("servers", "target", "printed"), TABLE)
def test_published_table_values(servers, target, printed):
    half = 0.5 * 10.0 ** -len(printed.split(".")[1])
    load = float(printed)
    assert erlang_b(servers, load - half) <= target <= erlang_b(servers, load + half)
    # and the table's load needs exactly this many servers (table loads are rounded to the
    # nearest printed digit, so use the lower edge of the rounding interval)
    assert servers_needed(load - half, target) == servers


def test_closed_forms():
    # B(1, a) = a / (1 + a); B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2
    assert erlang_b(1, 1.0) == 0.5
    assert erlang_b(1, 3.0) == pytest.approx(0.75, rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)


@pytest.mark.parametrize(
    ("servers", "load"),
    [(1, "0.5"), (3, "2.5"), (10, "7.5"), (25, "30"), (40, "12.25"), (200, "180"), (1000, "950.5")],
)
def test_against_exact_rational_arithmetic(servers, load):
    assert erlang_b(servers, float(Fraction(load))) == pytest.approx(exact_erlang_b(servers, load), rel=1e-12)


def test_large_system_without_overflow():
    servers = np.array([4000, 4900, 5000, 5000])
    loads = np.array([4900.0, 4900.0, 4900.0, 1000.0])
    blocking = erlang_b(servers, loads)
    assert np.isfinite(blocking).all()
    for c, a, b in zip([4000, 4900, 5000], ["4900", "4900", "4900"], blocking[:3], strict=True):
        assert b == pytest.approx(exact_erlang_b(c, a), rel=1e-10)
    # far more servers than load: blocking underflows towards 0, never NaN
    assert 0 <= blocking[3] < 1e-300


def test_vectorised_broadcasting_matches_elementwise():
    servers = np.arange(0, 30)[:, None]
    loads = np.array([0.0, 0.3, 4.0, 17.5, 29.0])[None, :]
    grid = erlang_b(servers, loads)
    assert grid.shape == (30, 5)
    for i in range(30):
        for j in range(1, 5):
            assert grid[i, j] == pytest.approx(exact_erlang_b(i, str(loads[0, j])), rel=1e-12)


def test_edge_cases_and_missing():
    assert erlang_b(0, 2.0) == 1.0  # no servers: everyone turned away
    assert erlang_b(0, 0.0) == 0.0  # no arrivals: nobody turned away
    assert erlang_b(5, 0.0) == 0.0
    assert servers_needed(0.0, 0.05) == 0
    out = erlang_b([1, 2], [1.0, np.nan])
    assert out[0] == 0.5 and np.isnan(out[1])
    needed = servers_needed([1.0, np.nan], 0.05)
    assert needed[0] == 4 and np.isnan(needed[1])  # B(3,1) = 1/16 > 0.05 >= B(4,1) = 1/65


def test_series_in_series_out():
    loads = pd.Series([1.0, 2.0], index=["a", "b"])
    blocking = erlang_b(1, loads)
    assert isinstance(blocking, pd.Series) and list(blocking.index) == ["a", "b"]
    assert blocking["b"] == pytest.approx(2 / 3, rel=1e-15)
    needed = servers_needed(loads, 0.25)
    assert isinstance(needed, pd.Series) and needed.dtype == np.int64


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: erlang_b(-1, 1.0), "servers"),
        (lambda: erlang_b(1.5, 1.0), "servers"),
        (lambda: erlang_b(1, -0.1), "load"),
        (lambda: servers_needed(-1.0, 0.05), "load"),
        (lambda: servers_needed(1.0, 0.0), "blocking"),
        (lambda: servers_needed(1.0, 1.0), "blocking"),
        (lambda: servers_needed(1.0, 1.5), "blocking"),
    ],
)
def test_invalid_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=400, allow_nan=False), min_size=1, max_size=20),
    st.floats(min_value=1e-6, max_value=0.999),
)
def test_servers_needed_is_the_smallest_count(loads, target):
    loads = np.array(loads)
    needed = servers_needed(loads, target)
    assert needed.dtype == np.int64
    assert np.all(erlang_b(needed, loads) <= target)
    positive = needed > 0
    assert np.all(erlang_b(needed[positive] - 1, loads[positive]) > target)


def test_servers_needed_large_loads():
    loads = np.array([950.5, 4900.0])
    needed = servers_needed(loads, 0.01)
    for a, c in zip(["950.5", "4900"], needed, strict=True):
        assert exact_erlang_b(int(c), a) <= 0.01 < exact_erlang_b(int(c) - 1, a)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=500), st.floats(min_value=0.001, max_value=1000))
def test_blocking_is_a_probability_decreasing_in_servers(servers, load):
    b = erlang_b(np.array([servers, servers + 1]), load)
    assert 0 <= b[1] <= b[0] <= 1
