"""Keyed random numbers: reproducible per key, independent of other keys, uniform."""

import numpy as np
import pandas as pd
from scipy import stats

from needs.methods.keyed_random import KeyedStream, keys_of, mix, uniforms


def test_splitmix64_output_function_matches_the_reference_value():
    # SplitMix64 (Steele, Lea and Flood 2014) seeded with 0: the first output is
    # mix(0 + golden) = 0xE220A8397B1DCDAF (the published first value of splitmix64(0)).
    assert int(mix(np.array([0x9E3779B97F4A7C15], dtype=np.uint64))[0]) == 0xE220A8397B1DCDAF


def test_uniforms_are_in_the_open_unit_interval_and_uniform():
    u = uniforms(np.full(20000, 12345, dtype=np.uint64), np.arange(20000))
    assert u.min() > 0 and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 0.001


def test_a_stream_does_not_depend_on_the_other_streams_or_their_order():
    first = KeyedStream([5, 6, 7])
    second = KeyedStream([7])
    a = np.concatenate([first.random(np.array([2, 2, 0])), first.random(np.array([2]))])
    b = second.random(np.array([0, 0, 0]))
    assert np.array_equal(a[[0, 1, 3]], b)


def test_keys_follow_the_values_not_the_position():
    labels = pd.DataFrame({"area": ["A", "B"], "type": ["refuge", "refuge"]})
    keys = keys_of(labels, 1)
    assert keys_of(labels.iloc[[1]], 1)[0] == keys[1]
    assert keys_of(labels, 2)[0] != keys[0]


def test_repeated_streams_take_successive_numbers_in_any_order():
    """A stream listed k times in one call gets its next k numbers, in the order listed,
    whether or not the list is sorted (checked against counting by hand)."""
    from needs.methods.keyed_random import _occurrence

    which = np.array([3, 1, 3, 3, 0, 1, 7])
    assert _occurrence(which).tolist() == [0, 0, 1, 2, 0, 1, 0]
    assert _occurrence(np.array([0, 2, 5])).tolist() == [0, 0, 0]
    stream = KeyedStream([11, 12, 13, 14, 15, 16, 17, 18])
    drawn = stream.random(which)
    alone = KeyedStream([14]).random(np.array([0, 0, 0]))
    assert np.array_equal(drawn[[0, 2, 3]], alone)
