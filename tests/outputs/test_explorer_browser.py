"""The live scenario explorer in a real JupyterLab, driven by headless Chromium.

The test starts JupyterLab on a free local port with a random token, its root a temporary
copy of ``notebooks/scenarios.ipynb`` (and the example scenario files it names), opens the
notebook in Debian's Chromium through Playwright (``/usr/bin/chromium``; ``playwright
install`` is never run), runs all cells, moves the units slider with the keyboard and checks
that the explorer's table changes: the share turned away for lack of space in the explored
scenario. The time from the key press to the new figure in the page is measured in the
browser (``performance.now()``) and printed; the goal is under 100 ms once the kernel is
warm, the assertion a generous 2 s (a loaded 2-core CI machine). The server is always
stopped, its whole process group, whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures import ROOT

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--no-first-run",
]
#: Seconds allowed for the server to answer, and for every cell to run on a loaded machine.
SERVER_TIMEOUT, RUN_TIMEOUT = 120, 300
#: Seconds to wait for the explorer after one "Run All" before running all again.
RETRY_SECONDS = 90
#: The update must reach the page within this many seconds (the goal is 0.1 s).
BOUND_SECONDS = 2.0
EXPLORER = ".needs-scenario-explorer"
CELL = f'{EXPLORER} tr[data-figure="turnaway_rate"] td[data-scenario="Explored scenario"]'

#: Browser-side timing: the key press (capture phase) and the first change of the cell after it.
WATCH = """(selector) => {
  window.__needs = {pressed: null, changed: null, before: document.querySelector(selector).textContent};
  document.addEventListener('keydown', () => { if (window.__needs.pressed === null) window.__needs.pressed = performance.now(); },
                            {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const cell = document.querySelector(selector);
    if (cell && cell.textContent !== window.__needs.before && window.__needs.changed === null) {
      window.__needs.changed = performance.now();
      window.__needs.after = cell.textContent;
      observer.disconnect();
    }
  });
  observer.observe(document.querySelector('.needs-scenario-explorer'), {subtree: true, childList: true, characterData: true});
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def jupyter_lab(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab serving a copy of the notebook; yields (base URL, token); always stopped."""
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "scenarios.ipynb", root / "notebooks" / "scenarios.ipynb")
    shutil.copytree(ROOT / "templates" / "scenarios", root / "templates" / "scenarios")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "MPLBACKEND": "Agg",
    }
    log = (tmp_path / "jupyter.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            assert server.poll() is None, (tmp_path / "jupyter.log").read_text(errors="replace")[-3000:]
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "JupyterLab did not answer in time"
            time.sleep(0.5)
        yield url, token
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _move(page, handle) -> tuple[float, str, str]:
    """Press ArrowRight on the slider; return (seconds from key press to the new figure, before, after)."""
    page.evaluate(WATCH, CELL)
    handle.press("ArrowRight")
    page.wait_for_function("() => window.__needs.changed !== null", timeout=30_000)
    found = page.evaluate("() => window.__needs")
    # Let the full draws and the charts settle before the next move.
    page.wait_for_function(
        f"() => !document.querySelector('{EXPLORER}').textContent.includes('settling')", timeout=60_000
    )
    return (found["changed"] - found["pressed"]) / 1000, found["before"], found["after"]


def _run_all(page) -> None:
    """Run > Run All Cells, again until a cell shows it started (the kernel may still be
    connecting when the notebook first shows idle)."""
    started = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    for _ in range(10):
        page.click("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')")
        page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
        try:
            page.wait_for_function(started, timeout=15_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try again
            page.keyboard.press("Escape")
    raise AssertionError("Run All Cells never started the notebook")


def _run_until_explorer(page) -> None:
    """Run all cells until the explorer's table is on the page. On a loaded machine the first
    kernel's websocket can drop while the notebook starts (the server logs a 500 and starts a
    new kernel), losing the queued cells: then run all again, within :data:`RUN_TIMEOUT`."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        _run_all(page)
        try:
            page.wait_for_selector(CELL, state="attached", timeout=RETRY_SECONDS * 1000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: run again until the deadline
            if time.monotonic() + RETRY_SECONDS > deadline:
                raise
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=RETRY_SECONDS * 1000)


def test_explorer_follows_a_slider_in_jupyterlab(jupyter_lab):
    from playwright.sync_api import sync_playwright

    url, token = jupyter_lab
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.set_default_timeout(60_000)
            page.goto(
                f"{url}/lab/tree/notebooks/scenarios.ipynb?token={token}", wait_until="domcontentloaded"
            )
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=SERVER_TIMEOUT * 1000)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=SERVER_TIMEOUT * 1000
            )
            _run_until_explorer(page)
            page.wait_for_function(
                f"() => !document.querySelector('{EXPLORER}').textContent.includes('settling')",
                timeout=60_000,
            )
            slider = page.locator(f"{EXPLORER} .widget-slider", has_text="Units added").first
            handle = slider.locator(".noUi-handle").first
            handle.scroll_into_view_if_needed()
            handle.focus()
            seconds, changes = [], []
            for _ in range(3):  # the first move warms the path; all three are reported
                took, before, after = _move(page, handle)
                seconds.append(took)
                changes.append((before, after))
            print(
                "explorer update, key press to new figure in the page: "
                + ", ".join(f"{1000 * s:.0f} ms" for s in seconds)
                + f" (median of the warm ones {1000 * statistics.median(seconds[1:]):.0f} ms; goal 100 ms)"
            )
            assert all(before != after for before, after in changes)
            # One more refuge unit at a time: the share turned away falls with every move.
            shares = [float(text.split("%")[0]) for pair in changes for text in pair[:1]] + [
                float(changes[-1][1].split("%")[0])
            ]
            assert shares == sorted(shares, reverse=True) and shares[0] > shares[-1]
            assert max(seconds[1:]) < BOUND_SECONDS
            assert not [e for e in errors if "needs" in e.lower()], errors
        finally:
            browser.close()
