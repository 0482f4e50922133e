"""Shared by the tests of needs.methods.intervals, .standardised and .comparisons: reading
OHID's reference values (tests/data/phe/, see SOURCE.md there) and comparing with them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from fixtures import TEST_DATA

PHE = TEST_DATA / "phe"
RTOL = 1e-9
LEVELS = (0.95, 0.998)
# our column -> reference column
LIMITS = {
    "lower_95_0": "expected_lower95_0cl",
    "upper_95_0": "expected_upper95_0cl",
    "lower_99_8": "expected_lower99_8cl",
    "upper_99_8": "expected_upper99_8cl",
}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(PHE / name)


def check(actual, expected, *, rtol: float = RTOL, atol: float = 0.0) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
    )
