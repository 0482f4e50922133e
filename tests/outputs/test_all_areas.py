"""``needs report --all-areas``: one report per tier-one area, in parallel.

The data are small synthetic multi-area folders made with :mod:`needs.synth` (real area
codes, synthetic referrals). The slow tests render real reports (papermill + nbconvert):
each area costs a few seconds, so the folders hold two areas and every rendering run is
shared through module-scoped fixtures. The same two areas are rendered three ways: by the
default process pool (command line), by a ``distributed.LocalCluster`` through
``Client.get_executor()`` (Python API) and through the scheduler address (command line);
the HTML must be byte-identical.

The broken folder holds an area with population and Census rows but no services, referrals
or funding (an area just added to ``areas.csv``): the folder passes validation, and the
assessment of that area fails (``needs.assess`` raises ``InputError``: no data for the
period), while the other area renders.

The fast tests drive the scheduling logic (retries, a worker process that dies, option
checks, exit codes) with stand-in render functions, without notebooks.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from fixtures import small_areas_dataset

from needs.cli import main
from needs.errors import InputError, ReportError
from needs.outputs import all_areas as parallel
from needs.outputs.all_areas import AreaOutcome, render_all, write_index

PERIOD = "2023-24"
PERIODS = ("2022-23", "2023-24")
#: Two small unitary authorities (ONS codes): Hartlepool and Darlington.
AREAS = {"E06000001": "Hartlepool", "E06000005": "Darlington"}
BROKEN = "E06000005"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def two_areas(tmp_path_factory) -> Path:
    return small_areas_dataset(tmp_path_factory.mktemp("data") / "two", list(AREAS))


@pytest.fixture(scope="module")
def broken_areas(tmp_path_factory) -> Path:
    return small_areas_dataset(tmp_path_factory.mktemp("data") / "broken", list(AREAS), no_data=[BROKEN])


def test_the_folders_pass_validation_and_hold_the_areas(two_areas, broken_areas):
    import needs

    for folder in (two_areas, broken_areas):
        dataset = needs.load(folder)
        tier_one = dataset.tier_one_areas()
        areas = dict(zip(tier_one["area_code"], tier_one["area_name"], strict=True))
        assert areas == AREAS
    assert 1000 < len(needs.load(two_areas).referrals) <= 1500


def test_the_broken_area_fails_its_assessment_and_the_other_does_not(broken_areas):
    import needs

    dataset = needs.load(broken_areas)
    needs.assess(dataset, "E06000001", PERIOD)
    with pytest.raises(InputError, match="outside the data"):
        needs.assess(dataset, BROKEN, PERIOD)


# ----------------------------------------------------------------------------------------
# Real reports: process pool, Dask executor, Dask scheduler address
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as local,
        Client(local, set_as_default=False) as client,
    ):
        yield local, client


@pytest.fixture(scope="module")
def rendered(two_areas, cluster, tmp_path_factory):
    """The two areas rendered three ways; the exit codes, outputs and results of each."""
    local, client = cluster
    base = tmp_path_factory.mktemp("rendered")
    runs = {}
    common = ["report", "--all-areas", "--data", str(two_areas), "--period", PERIOD]
    runs["pool"] = main([*common, "--out", str(base / "pool"), "--workers", "2"])
    result = render_all(
        two_areas, PERIOD, base / "dask-executor", executor=client.get_executor(), progress=False
    )
    runs["dask-executor"] = result
    runs["dask-scheduler"] = main(
        [*common, "--out", str(base / "dask-scheduler"), "--scheduler", local.scheduler_address]
    )
    return base, runs


@pytest.mark.slow
def test_every_way_renders_every_area(rendered):
    base, runs = rendered
    assert runs["pool"] == 0
    assert runs["dask-scheduler"] == 0
    result = runs["dask-executor"]
    assert result.ok and result.failed == {}
    assert sorted(result.rendered) == sorted(AREAS)
    assert result.index == base / "dask-executor" / "index.html"
    for way in ("pool", "dask-executor", "dask-scheduler"):
        names = sorted(p.name for p in (base / way).iterdir())
        assert names == sorted(
            [f"{code}-{PERIOD}.html" for code in AREAS]
            + [f"{code}-{PERIOD}.audit.ipynb" for code in AREAS]
            + [f"{code}-{PERIOD}-data.zip" for code in AREAS]
            + ["index.html"]
        ), way  # no temporary folders or files left behind


@pytest.mark.slow
def test_process_pool_and_dask_give_byte_identical_html(rendered):
    base, _ = rendered
    pages = sorted(p.name for p in (base / "pool").glob("*.html"))
    assert len(pages) == 3
    for name in pages:
        reference = (base / "pool" / name).read_bytes()
        assert (base / "dask-executor" / name).read_bytes() == reference, name
        assert (base / "dask-scheduler" / name).read_bytes() == reference, name


@pytest.mark.slow
def test_each_report_is_its_own_area(rendered):
    base, _ = rendered
    for code, name in AREAS.items():
        page = (base / "pool" / f"{code}-{PERIOD}.html").read_text(encoding="utf-8")
        assert f"<title>Safe accommodation needs assessment: {name}, {PERIOD}</title>" in page


@pytest.mark.slow
def test_index_links_every_report_accessibly(rendered):
    base, _ = rendered
    page = (base / "pool" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="en[^"]*">', page)
    for landmark in ("<header>", '<main id="main">', "<footer>"):
        assert landmark in page
    assert page.count("<h1>") == 1
    assert "<caption>" in page
    assert page.count('<th scope="col">') == 3
    for code, name in AREAS.items():
        assert f'<th scope="row">{code}</th><td>{name}</td>' in page
        assert f'<a href="{code}-{PERIOD}.html">{name} needs assessment, {PERIOD}</a>' in page
        assert (base / "pool" / f"{code}-{PERIOD}.html").is_file()
    assert "2 of 2 area reports rendered." in page


def _luminance(hex_colour: str) -> float:
    """WCAG 2.2 relative luminance of an ``#rrggbb`` colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, two: str) -> float:
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_helper_matches_wcag_examples():
    # WCAG: black on white is 21:1; #767676 on white is the lightest grey passing 4.5:1.
    assert _contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert _contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_index_text_colours_have_enough_contrast(tmp_path):
    result = parallel.AllAreasResult(rendered={"E1": tmp_path / "E1-2023-24.html"}, failed={"E2": "boom"})
    page = write_index(tmp_path, PERIOD, {"E1": "One", "E2": "Two"}, result).read_text(encoding="utf-8")
    colours = set(re.findall(r"color: (#[0-9a-fA-F]{6})", page))
    assert colours, "the page sets its colours"
    for colour in colours - {"#ffdd00"}:
        assert _contrast(colour, "#ffffff") >= 7, colour  # WCAG AAA for text on the white page
    assert "1 of 2 area reports rendered. 1 failed and is listed as not rendered." in page
    assert '<th scope="row">E2</th><td>Two</td><td>Not rendered' in page
    assert "boom" not in page  # the reason stays in the run log


@pytest.mark.slow
def test_index_has_no_wcag_violations_in_a_browser(rendered):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    base, _ = rendered
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto((base / "pool" / "index.html").as_uri(), wait_until="load")
            tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
            assert results.violations_count == 0, results.generate_report()
            page.click(f'a[href="{next(iter(AREAS))}-{PERIOD}.html"]')
            assert page.title().startswith("Safe accommodation needs assessment:")
        finally:
            browser.close()


# ----------------------------------------------------------------------------------------
# One area fails: the others render, the failure is reported, exit code 1
# ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_failing_area_does_not_stop_the_others(broken_areas, tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(["report", "--all-areas", "--data", str(broken_areas), "--period", PERIOD, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert "Rendered 1 of 2 area reports" in captured.out
    assert "1 of 2 area reports failed" in captured.err
    assert f"{BROKEN} (Darlington): the report failed in the section" in captured.err
    assert "InputError: period '2023-24' is outside the data" in captured.err
    assert (out / f"E06000001-{PERIOD}.html").is_file()
    assert not (out / f"{BROKEN}-{PERIOD}.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'<a href="E06000001-{PERIOD}.html">Hartlepool needs assessment, {PERIOD}</a>' in index
    assert f'<th scope="row">{BROKEN}</th><td>Darlington</td><td>Not rendered' in index
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"E06000001-{PERIOD}.html", f"E06000001-{PERIOD}.audit.ipynb", f"E06000001-{PERIOD}-data.zip", "index.html"]
    )


# ----------------------------------------------------------------------------------------
# Scheduling with stand-in renderers (no notebooks)
# ----------------------------------------------------------------------------------------


def _write_page(out_dir: str, area: str) -> str:
    path = Path(out_dir) / f"{area}-{PERIOD}.html"
    path.write_text(f"<p>{area}</p>", encoding="utf-8")
    return str(path)


def _flaky_render(data_dir, area, period, out_dir, options, attempt=1):
    """Fails with a transient error on the first attempt for Hartlepool, else writes a page."""
    from needs import __version__

    if area == "E06000001" and attempt == 1:
        return AreaOutcome(area, error="DeadKernelError: kernel died", transient=True, version=__version__)
    if area == BROKEN:
        return AreaOutcome(area, error=str(ReportError("cell failed")), version=__version__)
    return AreaOutcome(area, path=_write_page(out_dir, area), version=__version__)


def test_transient_failures_are_retried_and_report_errors_are_not(two_areas, tmp_path, monkeypatch):
    calls: list[tuple[str, int]] = []

    def render(data_dir, area, period, out_dir, options, attempt=1):
        calls.append((area, attempt))
        return _flaky_render(data_dir, area, period, out_dir, options, attempt)

    monkeypatch.setattr(parallel, "_render_one", render)
    with ThreadPoolExecutor(2) as executor:
        result = render_all(two_areas, PERIOD, tmp_path, executor=executor, progress=False)
    assert sorted(calls) == [("E06000001", 1), ("E06000001", 2), (BROKEN, 1)]
    assert list(result.rendered) == ["E06000001"]
    assert result.failed == {BROKEN: "cell failed"}


def test_retries_zero_keeps_the_first_failure(two_areas, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "_render_one", _flaky_render)
    with ThreadPoolExecutor(2) as executor:
        result = render_all(two_areas, PERIOD, tmp_path, executor=executor, progress=False, retries=0)
    assert result.rendered == {}
    assert result.failed == {"E06000001": "DeadKernelError: kernel died", BROKEN: "cell failed"}


def _dying_render(data_dir, area, period, out_dir, options, attempt=1):
    """Kills its worker process for Darlington (always, or on the first attempt only)."""
    from needs import __version__

    if area == BROKEN and (os.environ.get("NEEDS_TEST_DIE") == "always" or attempt == 1):
        os._exit(3)
    return AreaOutcome(area, path=_write_page(out_dir, area), version=__version__)


def _forked_pool(size: int) -> ProcessPoolExecutor:
    # fork, so that the worker processes see the stand-in renderer patched into this module
    import multiprocessing

    return ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("fork"))


@pytest.mark.parametrize("die", ["once", "always"])
def test_a_dead_worker_process_breaks_only_its_areas(two_areas, tmp_path, monkeypatch, die):
    monkeypatch.setattr(parallel, "_render_one", _dying_render)
    monkeypatch.setattr(parallel, "_process_pool", _forked_pool)
    monkeypatch.setenv("NEEDS_TEST_DIE", die)
    result = render_all(two_areas, PERIOD, tmp_path, workers=1, progress=False)
    assert list(result.rendered) == (["E06000001"] if die == "always" else sorted(AREAS))
    if die == "always":
        assert result.failed == {BROKEN: parallel._BROKEN}
    else:
        assert result.failed == {}


def test_a_report_the_parent_cannot_see_is_a_failure(two_areas, tmp_path, monkeypatch):
    from needs import __version__

    def elsewhere(data_dir, area, period, out_dir, options, attempt=1):
        return AreaOutcome(area, path=f"/nonexistent/{area}.html", version=__version__)

    monkeypatch.setattr(parallel, "_render_one", elsewhere)
    with ThreadPoolExecutor(1) as executor:
        result = render_all(two_areas, PERIOD, tmp_path, executor=executor, progress=False)
    assert set(result.failed) == set(AREAS)
    assert all("shared filesystem" in message for message in result.failed.values())


def test_a_report_from_another_version_is_a_failure(two_areas, tmp_path, monkeypatch):
    def old(data_dir, area, period, out_dir, options, attempt=1):
        return AreaOutcome(area, path=_write_page(out_dir, area), version="0.0.1")

    monkeypatch.setattr(parallel, "_render_one", old)
    with ThreadPoolExecutor(1) as executor:
        result = render_all(two_areas, PERIOD, tmp_path, executor=executor, progress=False)
    assert set(result.failed) == set(AREAS)
    assert all("needs 0.0.1" in message for message in result.failed.values())


def test_the_task_itself_turns_exceptions_into_outcomes(tmp_path):
    # The real task, run in this process: a missing data folder is a NeedsError (final).
    outcome = parallel._render_one(str(tmp_path / "missing"), "E06000001", PERIOD, str(tmp_path), {})
    assert not outcome.ok and not outcome.transient
    assert "data folder not found" in outcome.error
    # An option render() does not take is not a NeedsError: transient.
    outcome = parallel._render_one(str(tmp_path), "E06000001", PERIOD, str(tmp_path), {"bogus": 1})
    assert outcome.transient and outcome.error.startswith("TypeError")


def test_largest_areas_are_sent_first(two_areas, tmp_path, monkeypatch):
    order: list[str] = []

    def record(data_dir, area, period, out_dir, options, attempt=1):
        order.append(area)
        from needs import __version__

        return AreaOutcome(area, path=_write_page(out_dir, area), version=__version__)

    monkeypatch.setattr(parallel, "_render_one", record)
    with ThreadPoolExecutor(1) as executor:
        render_all(two_areas, PERIOD, tmp_path, executor=executor, progress=False)
    population = pd.read_csv(two_areas / "population.csv").groupby("area_code")["population"].sum()
    assert order == list(population.sort_values(ascending=False).index)


# ----------------------------------------------------------------------------------------
# Checks before any work is sent, and exit codes
# ----------------------------------------------------------------------------------------


def test_unknown_or_unpicklable_options_fail_before_any_work(two_areas, tmp_path):
    with pytest.raises(TypeError, match="'bogus'"):
        render_all(two_areas, PERIOD, tmp_path, bogus=1)
    with pytest.raises(ValueError, match="not picklable"):
        render_all(two_areas, PERIOD, tmp_path, coe_types=[lambda: None])
    with ThreadPoolExecutor(1) as executor, pytest.raises(ValueError, match="executor, scheduler"):
        render_all(two_areas, PERIOD, tmp_path, executor=executor, scheduler="tcp://x:1")
    with pytest.raises(InputError, match="E99999999"):
        render_all(two_areas, PERIOD, tmp_path, areas=["E99999999"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--period", "2023"], "not a financial year"),
        (["--area", "E06000001"], "--area and --all-areas"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--suppress-below", "0"], "--suppress-below must be a whole number of at least 1"),
        (["--scenario", "no-such-scenario.yaml"], "scenario file not found"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers sets the local process pool"),
    ],
)
def test_cli_bad_arguments_exit_2(two_areas, tmp_path, capsys, extra, message):
    argv = ["report", "--all-areas", "--data", str(two_areas), "--out", str(tmp_path / "out"), *extra]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_invalid_data_folder_exits_2(two_areas, tmp_path, capsys):
    bad = tmp_path / "bad"
    shutil.copytree(two_areas, bad)
    population = pd.read_csv(bad / "population.csv")
    population.loc[0, "age"] = -4
    population.to_csv(bad / "population.csv", index=False)
    assert main(["report", "--all-areas", "--data", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "population.csv" in capsys.readouterr().err


def test_cli_exit_codes_follow_failures(two_areas, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(parallel, "_render_one", _flaky_render)
    monkeypatch.setattr(parallel, "_process_pool", _forked_pool)
    argv = ["report", "--all-areas", "--data", str(two_areas), "--out", str(tmp_path), "--workers", "2"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "Rendered 1 of 2 area reports" in captured.out
    assert f"  - {BROKEN} (Darlington): cell failed" in captured.err

    monkeypatch.setattr(parallel, "_render_one", _dying_render)
    assert main([*argv, "--period", PERIOD]) == 0  # Darlington's worker dies once: retried
    captured = capsys.readouterr()
    assert "Rendered 2 of 2 area reports" in captured.out
    assert "failed" not in captured.err
