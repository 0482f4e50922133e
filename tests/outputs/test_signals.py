"""Interrupted renders leave nothing behind: SIGTERM and SIGINT during ``needs report``.

A real ``needs report`` runs as a subprocess into a folder that already holds a previous
report and audit notebook. Once its kernel is running the process is sent a signal; it must
exit with ``128 + signal`` (143 for SIGTERM, 130 for SIGINT) and one line on standard error
(no traceback), leave the previous two files byte for byte, leave no other file or folder
(no ``.tmp`` work folder, no snapshot) and leave no kernel or worker process running.

Then the report and its audit notebook are replaced together or not at all: a failing
second :func:`os.replace` puts the first file back. And the signal handling itself
(:func:`needs.errors.interruptible`, :func:`needs.errors.uninterrupted`) in this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures import DEFAULT_AREA, DEFAULT_PERIOD

from needs.cli import main
from needs.errors import Interrupted, ReportError, interruptible, uninterrupted
from needs.outputs import report as report_module

NAME = f"{DEFAULT_AREA}-{DEFAULT_PERIOD}"
PREVIOUS_HTML = b"<!DOCTYPE html><p>the previous report</p>\n"
PREVIOUS_AUDIT = b'{"cells": [], "metadata": {"previous": true}}\n'
#: How long a render may take to start its kernel on a busy machine.
START_TIMEOUT = 180

try:  # psutil when installed; otherwise ps(1)
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None


# ----------------------------------------------------------------------------------------
# Processes
# ----------------------------------------------------------------------------------------


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (children, grandchildren, ...): pid to command line."""
    if psutil is not None:
        try:
            children = psutil.Process(pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return {}
        found = {}
        for child in children:
            try:
                found[child.pid] = " ".join(child.cmdline())
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found
    table = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,args="], capture_output=True, text=True).stdout
    parents: dict[int, list[tuple[int, str]]] = {}
    for line in table.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2:
            parents.setdefault(int(parts[1]), []).append((int(parts[0]), parts[2] if len(parts) > 2 else ""))
    found, stack = {}, [pid]
    while stack:
        for child, args in parents.get(stack.pop(), []):
            found[child] = args
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    """True if ``pid`` is a running process (a zombie is not running)."""
    if psutil is not None:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process reused the number
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[-1].startswith("Z"))


def kernels(processes: dict[int, str]) -> list[int]:
    return [pid for pid, args in processes.items() if "ipykernel" in args]


def wait_for_kernels(process: subprocess.Popen, count: int = 1) -> dict[int, str]:
    """Wait until the run has started ``count`` kernels; return every process below it."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended before its kernel started (exit {process.returncode}):\n{err}")
        found = descendants(process.pid)
        if len(kernels(found)) >= count:
            return found
        time.sleep(0.2)
    pytest.fail("no kernel started in time")


@pytest.fixture
def run_needs(tmp_path):
    """Start ``python -m needs.cli ...`` in its own session; kill whatever is left at the end."""
    started: list[tuple[subprocess.Popen, dict[int, str]]] = []

    def start(*args: str) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k != "NEEDS_DEBUG"}
        process = subprocess.Popen(
            [sys.executable, "-m", "needs.cli", *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a signal to its group never reaches pytest
        )
        started.append((process, {}))
        return process

    start.started = started  # type: ignore[attr-defined]
    yield start
    for process, seen in started:
        if process.poll() is None:
            with_children = descendants(process.pid)
            process.kill()
            process.wait()
            seen.update(with_children)
        for pid in seen:  # a test that failed may have left its kernels: never leave them running
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def previous_report(out: Path) -> None:
    out.mkdir()
    (out / f"{NAME}.html").write_bytes(PREVIOUS_HTML)
    (out / f"{NAME}.audit.ipynb").write_bytes(PREVIOUS_AUDIT)


def assert_nothing_changed(out: Path) -> None:
    assert sorted(path.name for path in out.iterdir()) == sorted([f"{NAME}.audit.ipynb", f"{NAME}.html"])
    assert (out / f"{NAME}.html").read_bytes() == PREVIOUS_HTML
    assert (out / f"{NAME}.audit.ipynb").read_bytes() == PREVIOUS_AUDIT


def interrupt(process: subprocess.Popen, signum: int, processes: dict[int, str]) -> str:
    """Send ``signum``, wait for the exit; return standard error. Records the processes seen."""
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the run did not stop within 2 minutes of the signal")
    for pid in list(processes):  # every process the run started is gone
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    left = {pid: args for pid, args in processes.items() if alive(pid)}
    assert not left, f"processes left running: {left}"
    return err


def assert_one_line(err: str, signal_name: str) -> None:
    assert "Traceback" not in err
    lines = [line.strip() for line in err.replace("\r", "\n").splitlines() if line.strip()]
    assert lines[-1].startswith(f"needs: interrupted by {signal_name};")
    assert sum(line.startswith("needs: interrupted") for line in lines) == 1


# ----------------------------------------------------------------------------------------
# A real render, interrupted
# ----------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code"),
    [pytest.param(signal.SIGTERM, 143, id="SIGTERM"), pytest.param(signal.SIGINT, 130, id="SIGINT")],
)
def test_an_interrupted_report_leaves_the_previous_one(tmp_path, run_needs, signum, code):
    out = tmp_path / "reports"
    previous_report(out)
    process = run_needs("report", "--out", str(out))
    processes = wait_for_kernels(process)
    time.sleep(1)  # the kernel is running the notebook
    assert any(path.name.endswith(".tmp") for path in out.iterdir())  # the work folder exists now
    err = interrupt(process, signum, processes)
    run_needs.started[-1][1].update(processes)
    assert process.returncode == code
    assert_one_line(err, signal.Signals(signum).name)
    assert_nothing_changed(out)


@pytest.mark.slow
def test_an_interrupted_all_areas_run_leaves_nothing_behind(tmp_path, run_needs):
    out = tmp_path / "reports"
    previous_report(out)
    process = run_needs("report", "--all-areas", "--out", str(out), "--workers", "2")
    processes = wait_for_kernels(process)
    time.sleep(1)
    assert any(path.name.startswith(".needs-snapshot.") for path in out.iterdir())
    err = interrupt(process, signal.SIGTERM, processes)
    run_needs.started[-1][1].update(processes)
    assert process.returncode == 143
    assert_one_line(err, "SIGTERM")
    # No area had finished: the previous pair is as it was, no index, no work folder, no snapshot.
    assert_nothing_changed(out)


# ----------------------------------------------------------------------------------------
# The report and its audit notebook: together or not at all
# ----------------------------------------------------------------------------------------


def failing_second_replace(monkeypatch) -> list[tuple[str, str]]:
    """Make the second call of :func:`os.replace` fail (the first and any later succeed)."""
    calls: list[tuple[str, str]] = []
    real = os.replace

    def replace(source, target, *args, **kwargs):
        calls.append((str(source), str(target)))
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def staged_pair(tmp_path: Path) -> tuple[Path, list[tuple[Path, Path]]]:
    out, work = tmp_path / "out", tmp_path / "out" / ".work.tmp"
    work.mkdir(parents=True)
    (work / "new.audit.ipynb").write_text("new audit", encoding="utf-8")
    (work / "new.html").write_text("new report", encoding="utf-8")
    moves = [
        (work / "new.audit.ipynb", out / f"{NAME}.audit.ipynb"),
        (work / "new.html", out / f"{NAME}.html"),
    ]
    return work, moves


def test_a_failed_second_replace_puts_the_first_file_back(tmp_path, monkeypatch):
    work, moves = staged_pair(tmp_path)
    (tmp_path / "out" / f"{NAME}.html").write_bytes(PREVIOUS_HTML)
    (tmp_path / "out" / f"{NAME}.audit.ipynb").write_bytes(PREVIOUS_AUDIT)
    calls = failing_second_replace(monkeypatch)
    with pytest.raises(ReportError, match="No space left on device.*left as it was"):
        report_module.replace_together(moves, work)
    assert [Path(target).name for _, target in calls[:2]] == [f"{NAME}.audit.ipynb", f"{NAME}.html"]
    assert (tmp_path / "out" / f"{NAME}.html").read_bytes() == PREVIOUS_HTML
    assert (tmp_path / "out" / f"{NAME}.audit.ipynb").read_bytes() == PREVIOUS_AUDIT


def test_a_failed_second_replace_removes_a_first_file_that_was_new(tmp_path, monkeypatch):
    work, moves = staged_pair(tmp_path)  # no previous report at all
    failing_second_replace(monkeypatch)
    with pytest.raises(ReportError):
        report_module.replace_together(moves, work)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [".work.tmp"]


def test_replace_together_replaces_both(tmp_path):
    work, moves = staged_pair(tmp_path)
    (tmp_path / "out" / f"{NAME}.html").write_bytes(PREVIOUS_HTML)
    report_module.replace_together(moves, work)
    assert (tmp_path / "out" / f"{NAME}.html").read_text(encoding="utf-8") == "new report"
    assert (tmp_path / "out" / f"{NAME}.audit.ipynb").read_text(encoding="utf-8") == "new audit"


@pytest.mark.slow
def test_a_render_whose_html_cannot_be_replaced_keeps_the_previous_pair(tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"
    previous_report(out)
    real = os.replace

    def replace(source, target, *args, **kwargs):  # the HTML (the pair's second move) fails
        if Path(target) == out.resolve() / f"{NAME}.html":
            raise OSError(28, "No space left on device", str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    assert main(["report", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert_nothing_changed(out)


# ----------------------------------------------------------------------------------------
# Signals as exceptions, in this process
# ----------------------------------------------------------------------------------------


def test_sigterm_becomes_interrupted_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    called: list[bool] = []
    with pytest.raises(Interrupted) as caught, interruptible(on_signal=lambda: called.append(True)):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
    assert caught.value.exit_code == 143 and caught.value.signum == signal.SIGTERM
    assert str(caught.value) == "interrupted by SIGTERM"
    assert isinstance(caught.value, KeyboardInterrupt) and called == [True]
    assert signal.getsignal(signal.SIGTERM) == before


def test_sigint_exits_130():
    with pytest.raises(Interrupted) as caught, interruptible():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    assert caught.value.exit_code == 130


def test_a_signal_is_held_back_until_the_files_are_replaced():
    done: list[str] = []
    with pytest.raises(Interrupted), interruptible():
        with uninterrupted():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)
            done.append("both files replaced")
        done.append("never reached")
    assert done == ["both files replaced"]


def test_a_second_signal_does_not_cut_the_cleanup_short():
    cleaned: list[str] = []
    with pytest.raises(Interrupted), interruptible():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # ignored: the cleanup runs to its end
            time.sleep(0.2)
            cleaned.append("work folder removed")
    assert cleaned == ["work folder removed"]
