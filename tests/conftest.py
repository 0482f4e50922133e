"""Shared by every test folder (``tests/<sub-package>/`` mirrors ``needs/<sub-package>/``).

This file sits at the top of ``tests/``, so pytest puts this folder on ``sys.path`` and
every test module imports the hand-listed dataset and the paths of ``tests/fixtures.py``
with a plain ``from fixtures import ...``.
"""

from __future__ import annotations

import pytest
from fixtures import ROOT, TEST_DATA, tiny_dataset

from needs.inputs.dataset import Dataset


@pytest.fixture
def tiny() -> Dataset:
    """The hand-listed dataset of ``tests/fixtures.py`` (a fresh copy per test)."""
    return tiny_dataset()


@pytest.fixture(scope="session")
def example_folder():
    """The embedded demonstration data folder."""
    return ROOT / "data" / "example"


@pytest.fixture(scope="session")
def minimal_folder():
    """The smallest valid data folder (``tests/data/valid_minimal``)."""
    return TEST_DATA / "valid_minimal"
