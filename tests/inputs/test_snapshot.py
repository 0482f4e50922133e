"""The assessment the renderer computes while the kernel starts, handed over in a file.

``write_assessment``/``read_assessment`` (``needs.inputs.snapshot``): the kernel takes the
renderer's assessment only when it was computed by the same call, so a report never shows
figures computed with other options than its parameters say.
"""

from __future__ import annotations

import pickle

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD

import needs
from needs.inputs.snapshot import SnapshotError, read_assessment, write_assessment


@pytest.fixture(scope="module")
def example():
    return needs.load(DEFAULT_DATA)


CALL = {"area": DEFAULT_AREA, "period": DEFAULT_PERIOD, "confidence": 0.95, "with_findings": False}


@pytest.fixture(scope="module")
def assessment(example):
    return needs.assess(example, **CALL)


def test_the_same_call_gives_the_assessment_back(assessment, tmp_path):
    path = write_assessment(assessment, tmp_path, CALL)
    again = read_assessment(path, dict(CALL))
    pd.testing.assert_frame_equal(again.supported, assessment.supported)
    pd.testing.assert_frame_equal(again.gaps, assessment.gaps)


@pytest.mark.parametrize("change", [{"confidence": 0.998}, {"period": "2022-23"}, {"with_findings": True}])
def test_another_call_is_refused(assessment, tmp_path, change):
    path = write_assessment(assessment, tmp_path, CALL)
    with pytest.raises(SnapshotError, match="was computed with"):
        read_assessment(path, {**CALL, **change})


def test_a_corrupt_or_foreign_file_is_refused(assessment, tmp_path):
    path = write_assessment(assessment, tmp_path, CALL)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(SnapshotError, match="corrupt"):
        read_assessment(path, CALL)
    other = tmp_path / "data.pickle"
    other.write_bytes(pickle.dumps({"assessment": assessment}))
    with pytest.raises(SnapshotError, match="not an assessment"):
        read_assessment(other, CALL)


def test_without_findings_only_the_findings_are_left_out(example, assessment):
    full = needs.assess(example, **{**CALL, "with_findings": True})
    assert assessment.findings.empty and not full.findings.empty
    pd.testing.assert_frame_equal(full.gaps, assessment.gaps)
    pd.testing.assert_frame_equal(full.expected_victims, assessment.expected_victims)
