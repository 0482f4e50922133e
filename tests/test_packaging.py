"""The wheel installs anywhere: built from this clone, installed into a fresh virtual
environment, ``needs report`` runs from a folder outside the clone.

The notebooks, the report template and the example data live at the repository's top level;
the build copies them into the wheel under ``needs/bundled/`` (see ``pyproject.toml`` and
:mod:`needs.reference.locations`). These tests check that nothing the report needs is left
behind in the clone:

- the wheel is built with ``pip wheel . --no-deps`` (hatchling, through pip's build isolation);
- the virtual environment is fresh and isolated (no ``--system-site-packages``): its
  dependencies are installed from the package index by pip, as a user's would be, so the
  main environment's editable ``needs`` cannot be imported by mistake and the kernel that
  papermill starts can only run the environment's own interpreter;
- every command runs with its working directory in a temporary folder outside the clone, and
  with the variables that could point Python or Jupyter elsewhere removed.

Slow (about two minutes: installing the dependencies is most of it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, ROOT

pytestmark = pytest.mark.slow

NAME = f"{DEFAULT_AREA}-{DEFAULT_PERIOD}"
#: Top-level folders carried inside the wheel, and where.
BUNDLED = {
    "notebooks": "needs/bundled/notebooks",
    "templates": "needs/bundled/templates",
    "data/example": "needs/bundled/data/example",
}
#: Folders and suffixes that never belong in a distribution.
JUNK_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache", ".hypothesis"}
JUNK_SUFFIXES = (".pyc", ".pyo")
#: Variables that would send Python or Jupyter to another installation.
SCRUBBED = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    "JUPYTER_PATH",
    "JUPYTER_PREFER_ENV_PATH",
)
#: Generous limits: a cold install downloads every dependency.
INSTALL_TIMEOUT = 1800
REPORT_TIMEOUT = 900

#: Run in the installed environment: where ``needs`` and its files are, how it was installed,
#: and what the report's kernel (papermill, the report's kernel name and working folder) runs.
PROBE = """
import json, sys
from importlib import metadata
from pathlib import Path

import nbformat, papermill
import needs
from needs.outputs import report
from needs.reference import locations

probe = Path(sys.argv[1])
nbformat.write(
    nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import json, sys, needs\\n"
        "print(json.dumps({'prefix': sys.prefix, 'needs': needs.__file__}))"
    )]),
    str(probe / "probe.ipynb"),
)
executed = papermill.execute_notebook(
    str(probe / "probe.ipynb"), str(probe / "probe.out.ipynb"), kernel_name=report.KERNEL,
    progress_bar=False, log_output=False, cwd=str(report.NOTEBOOK.parent),
)
kernel = json.loads(executed.cells[0].outputs[0]["text"])
print(json.dumps({
    "prefix": sys.prefix,
    "needs": needs.__file__,
    "notebook": str(report.NOTEBOOK),
    "templates": str(report.TEMPLATES),
    "example_data": str(locations.example_data()),
    "resource": str(locations.resource("csew_prevalence.csv")),
    "direct_url": json.loads(metadata.distribution("needs").read_text("direct_url.json") or "{}"),
    "kernel": kernel,
}))
"""


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # The wheel is installed with --no-compile: each module is compiled when first imported and
    # cached, as usual (a developer's PYTHONDONTWRITEBYTECODE would recompile it every time).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run(args: list[str | Path], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{' '.join(str(a) for a in args)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-8000:]}"
    )
    return result


def _inside(path: str | Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def _source_files(folder: str) -> list[str]:
    """The files of a top-level folder that the wheel must carry (paths relative to it)."""
    base = ROOT / folder
    return sorted(
        path.relative_to(base).as_posix()
        for path in base.rglob("*")
        if path.is_file()
        and not JUNK_PARTS.intersection(path.relative_to(base).parts)
        and not path.name.endswith(JUNK_SUFFIXES)
    )


@pytest.fixture(scope="module")
def timings() -> dict[str, float]:
    times: dict[str, float] = {}
    yield times
    print("packaging timings: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in times.items()))


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder outside the clone."""
    folder = tmp_path_factory.mktemp("elsewhere")
    assert not _inside(folder, ROOT)
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory, timings: dict[str, float]) -> Path:
    """The wheel built from this clone."""
    out = tmp_path_factory.mktemp("wheel")
    start = time.perf_counter()
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "--wheel-dir", out], ROOT, 600)
    timings["build wheel"] = time.perf_counter() - start
    (built,) = out.glob("needs-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(
    wheel: Path, outside: Path, tmp_path_factory: pytest.TempPathFactory, timings: dict[str, float]
) -> Path:
    """A fresh, isolated virtual environment with the wheel (and its dependencies) installed."""
    folder = tmp_path_factory.mktemp("venv") / "env"
    start = time.perf_counter()
    _run([sys.executable, "-m", "venv", folder], outside, 600)
    timings["create venv"] = time.perf_counter() - start
    python = folder / "bin" / "python"
    start = time.perf_counter()
    # --no-compile: what is imported is compiled then, rather than every module now (twice as fast).
    _run([python, "-m", "pip", "install", "--quiet", "--no-compile", wheel], outside, INSTALL_TIMEOUT)
    timings["install wheel and dependencies"] = time.perf_counter() - start
    return folder


def test_wheel_carries_the_top_level_folders_and_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for source, target in BUNDLED.items():
        files = _source_files(source)
        assert files, f"nothing in {source}/"
        missing = [f"{target}/{name}" for name in files if f"{target}/{name}" not in names]
        assert not missing, f"left out of the wheel: {missing}"
    for required in (
        "needs/bundled/notebooks/assessment.ipynb",
        "needs/bundled/notebooks/scenarios.ipynb",
        "needs/bundled/templates/needs-report/index.html.j2",
        "needs/bundled/templates/needs-report/conf.json",
        "needs/bundled/templates/needs-report/report.css",
        "needs/bundled/data/example/dataset.yaml",
    ):
        assert required in names
    assert any(
        name.startswith("needs/bundled/templates/scenarios/") and name.endswith(".yaml") for name in names
    )
    resources = [
        f"needs/reference/resources/{path.name}"
        for path in (ROOT / "needs/reference/resources").glob("*.csv")
    ]
    assert resources and set(resources) <= names
    entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
    assert "needs = needs.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

    junk = [
        name
        for name in names
        if name.startswith(("tests/", "reports/", "notebooks/", "templates/", "data/"))
        or JUNK_PARTS.intersection(name.split("/"))
        or name.endswith(JUNK_SUFFIXES)
    ]
    assert not junk, f"should not be in the wheel: {junk}"


def test_the_installed_needs_and_its_kernel_are_the_environments(venv: Path, outside: Path) -> None:
    probe = outside / "probe"
    probe.mkdir()
    found = json.loads(_run([venv / "bin" / "python", "-c", PROBE, probe], outside, REPORT_TIMEOUT).stdout)
    assert Path(found["prefix"]).resolve() == venv.resolve()
    # needs and every file it reads come from the environment, not from this clone.
    for key in ("needs", "notebook", "templates", "example_data", "resource"):
        assert _inside(found[key], venv), f"{key}: {found[key]} is not in the environment"
        assert not _inside(found[key], ROOT), f"{key}: {found[key]} is in the clone"
        assert Path(found[key]).exists(), f"{key}: {found[key]} does not exist"
    assert "/needs/bundled/" in found["notebook"]
    # Installed from the wheel file, not as an editable install.
    assert found["direct_url"].get("url", "").endswith(".whl"), found["direct_url"]
    assert not found["direct_url"].get("dir_info", {}).get("editable", False)
    # The kernel papermill starts for the report runs the environment's interpreter.
    assert Path(found["kernel"]["prefix"]).resolve() == venv.resolve(), found["kernel"]
    assert _inside(found["kernel"]["needs"], venv), found["kernel"]


def test_report_from_outside_the_clone(venv: Path, outside: Path, timings: dict[str, float]) -> None:
    out = outside / "report"
    start = time.perf_counter()
    _run([venv / "bin" / "needs", "report", "--out", out], outside, REPORT_TIMEOUT)
    timings["needs report"] = time.perf_counter() - start
    page = (out / f"{NAME}.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "</html>" in page
    assert "Leicestershire" in page
    assert (out / f"{NAME}.audit.ipynb").is_file()


def test_report_of_a_copied_data_folder(venv: Path, outside: Path, timings: dict[str, float]) -> None:
    data = shutil.copytree(DEFAULT_DATA, outside / "my-data")
    out = outside / "report-of-copy"
    start = time.perf_counter()
    _run([venv / "bin" / "needs", "report", "--data", data, "--out", out], outside, REPORT_TIMEOUT)
    timings["needs report --data"] = time.perf_counter() - start
    page = (out / f"{NAME}.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "Leicestershire" in page
