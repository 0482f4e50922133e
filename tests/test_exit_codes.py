"""Exit codes as documented: 2 for every user mistake, with one line naming it; no traceback.

Each case runs the real command line (``python -m needs.cli ...``) in a subprocess, as a user
would, and checks the exit code, the message and that standard error holds no traceback.
Mistakes are found before any data are loaded or any kernel starts: an output path that
cannot be written, a scenario file given to ``report --scenario`` with a mistake in it, a
``--limit`` that is not ``NAME=VALUE`` with a known name and a whole number.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from fixtures import ROOT

from needs.cli import main
from needs.errors import InputError
from needs.inputs.limits import DEFAULT_LIMITS
from needs.settings import RunSettings

#: A scenario file with one mistake: a proportion that is not a number.
BAD_SCENARIO = "name: Growth\nassumptions:\n  demand_growth: lots\n"


def needs(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if k != "NEEDS_DEBUG"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "needs.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result, time.perf_counter() - started


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one error message on standard error (progress lines say ``needs report:``)."""
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("needs: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def startup(tmp_path_factory) -> float:
    """Seconds the command line takes to start and exit at once (imports only)."""
    result, seconds = needs("--version", cwd=tmp_path_factory.mktemp("startup"))
    assert result.returncode == 0
    return seconds


# ----------------------------------------------------------------------------------------
# --out
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["report"], ["report", "--all-areas"], ["synth"]])
def test_out_that_is_an_existing_file_exits_2(tmp_path, command):
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    result, _ = needs(*command, "--out", "taken", cwd=tmp_path)
    assert result.returncode == 2
    assert "--out" in (line := error_line(result)) and "taken: this is a file, not a folder" in line
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("command", [["report"], ["report", "--all-areas"]])
def test_out_under_a_file_cannot_be_created_exits_2(tmp_path, command):
    # Works as root too (chmod does not stop root): a folder cannot be made inside a file.
    (tmp_path / "somefile").write_text("x", encoding="utf-8")
    result, _ = needs(*command, "--out", "somefile/sub", cwd=tmp_path)
    assert result.returncode == 2
    line = error_line(result)
    assert "somefile/sub: cannot create this folder" in line and "somefile is a file" in line
    assert sorted(path.name for path in tmp_path.iterdir()) == ["somefile"]


def test_out_in_a_read_only_folder_exits_2(tmp_path):
    if os.geteuid() == 0:
        # chmod does not stop root; nothing, not even root, may create a file in /proc.
        result, _ = needs("report", "--out", "/proc/needs-reports", cwd=tmp_path)
        assert result.returncode == 2
        assert "/proc/needs-reports: cannot" in error_line(result)
        return
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result, _ = needs("report", "--out", str(locked / "reports"), cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2
    assert "cannot create this folder" in error_line(result)
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["return", "--out", "somefile/x.xlsx"], "cannot write this file, because"),
        (["return", "--out", "."], "this is a folder; give the name of the file"),
        (["template", "--out", "somefile/x.xlsx"], "cannot write this file, because"),
        (["template", "--out", "."], "this is a folder; give the name of the file"),
    ],
)
def test_output_files_that_cannot_be_written_exit_2(tmp_path, args, message):
    (tmp_path / "somefile").write_text("x", encoding="utf-8")
    result, _ = needs(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in error_line(result)


# ----------------------------------------------------------------------------------------
# Scenario files given to report --scenario: checked before the data and the kernel
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["report"], ["report", "--all-areas"]])
def test_a_bad_scenario_file_exits_2_before_any_kernel(tmp_path, startup, command):
    scenario = tmp_path / "growth.yaml"
    scenario.write_text(BAD_SCENARIO, encoding="utf-8")
    out = tmp_path / "reports"
    result, seconds = needs(*command, "--scenario", str(scenario), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    line = error_line(result)
    assert "growth.yaml" in line and "assumptions.demand_growth" in line and "'lots'" in line
    # Found at once, not after loading the data and starting a kernel (within 2 s of start-up).
    assert seconds < startup + 2.0, (seconds, startup)
    assert not out.exists()  # no report, no audit notebook, no work folder


def test_scenarios_compare_and_report_agree_on_a_bad_scenario(tmp_path):
    scenario = tmp_path / "growth.yaml"
    scenario.write_text(BAD_SCENARIO, encoding="utf-8")
    report, _ = needs("report", "--scenario", str(scenario), "--out", "reports", cwd=tmp_path)
    compare, _ = needs("scenarios", "compare", str(scenario), cwd=tmp_path)
    assert report.returncode == compare.returncode == 2
    assert error_line(report) == error_line(compare)


# ----------------------------------------------------------------------------------------
# --limit NAME=VALUE
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--limit", "rows=abc"], "--limit rows=abc: expected a whole number of at least 1"),
        (["report", "--limit", "bogus=1"], "--limit bogus=1: expected NAME=VALUE with NAME one of rows,"),
        (["report", "--all-areas", "--limit", "rows"], "--limit rows: expected NAME=VALUE"),
        (["validate", "--limit", "rows=0"], "--limit rows=0: expected a whole number of at least 1"),
        (["return", "--limit", "cells=5"], "--limit cells=5: expected NAME=VALUE"),
        (
            ["scenarios", "compare", "x.yaml", "--limit", "rows=-1"],
            "--limit rows=-1: expected a whole number",
        ),
    ],
)
def test_a_bad_limit_exits_2(tmp_path, args, message):
    result, _ = needs(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in error_line(result)
    assert list(tmp_path.iterdir()) == []


def test_limit_help_lists_every_name_and_its_default(tmp_path):
    result, _ = needs("report", "--help", cwd=tmp_path)
    text = " ".join(result.stdout.split())
    for name in ("rows=5_000_000", "columns=1_000", "cell_chars=10_000", "file_bytes=", "unpacked_bytes=",
                 "shared_strings_bytes=", "yaml_bytes=1_000_000"):  # fmt: skip
        assert name in text


def test_a_folder_that_refuses_writes_exits_2(tmp_path, monkeypatch, capsys):
    # A read-only folder or filesystem, as root too: the write check's temporary file is refused.
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    assert main(["report", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"--out {tmp_path}: cannot write in this folder (Permission denied)" in err
    assert main(["report", "--out", str(tmp_path / "new" / "reports")]) == 2
    assert f"cannot create this folder in {tmp_path} (Permission denied)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["report"],
        ["report", "--all-areas"],
        ["return"],
        ["scenarios", "compare", str(ROOT / "templates" / "scenarios" / "male-units.yaml")],
    ],
    ids=["validate", "report", "all-areas", "return", "scenarios"],
)
def test_every_command_that_reads_data_applies_the_limits(tmp_path, monkeypatch, capsys, args):
    # Lowered here to show the option reaches the reader: the example's areas table has 20+ rows.
    monkeypatch.chdir(tmp_path)
    assert main([*args, "--limit", "rows=5"]) == 2
    err = capsys.readouterr().err
    assert "more than the limit of 5 rows" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written, no output folder made


def test_settings_carry_the_limits(tmp_path):
    settings = RunSettings(limits=["rows=10_000_000", "yaml_bytes=2000000", "columns=1000"])
    assert settings.limits == ("rows=10000000", "yaml_bytes=2000000")  # canonical: the defaults dropped
    assert settings.read_limits == DEFAULT_LIMITS.raised(["rows=10000000", "yaml_bytes=2000000"])
    assert RunSettings.from_parameters(settings.to_parameters()) == settings
    assert RunSettings().read_limits == DEFAULT_LIMITS
    with pytest.raises(InputError, match="--limit rows=abc"):
        RunSettings.from_options(limits=["rows=abc"])
    with pytest.raises(InputError, match="not one string"):
        RunSettings(limits="rows=10")


def test_scenarios_compare_reads_scenario_files_within_the_raised_limits(tmp_path, capsys):
    from needs.cli import main

    scenario = tmp_path / "growth.yaml"
    scenario.write_text("name: Growth\nassumptions:\n  demand_growth: 0.1\n", encoding="utf-8")
    assert main(["scenarios", "compare", str(scenario), "--limit", "yaml_bytes=10"]) == 2
    err = capsys.readouterr().err
    assert "yaml_bytes" in err and "growth.yaml" in err and "Traceback" not in err
    assert main(["scenarios", "compare", str(scenario), "--limit", "yaml_bytes=100000"]) == 0
