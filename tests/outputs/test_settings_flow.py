"""Settings from the command line to every report, and the data validated once per run.

- Non-default options given to ``needs report --all-areas`` reach every area's report, with
  the default process pool and with a ``distributed.LocalCluster`` (processes): the
  provenance footer states each of them.
- With no ``--area`` and no ``--period`` the area is ``area_code`` in ``dataset.yaml`` and
  the period the latest in the data (also when the data move on a year).
- The data folder is loaded and validated once per run: workers and kernels read the
  snapshot (:mod:`needs.inputs.snapshot`), which is removed when the run ends.

Renders are the slow part (5-10 s each on two cores): the data hold two small areas, each
way of running is rendered once in a module-scoped fixture, and the single-area tests
render one report each. The snapshot's own tests need no kernel.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, NEIGHBOUR, small_areas_dataset, tiny_dataset

from needs.cli import main
from needs.inputs import load as load_module
from needs.inputs.dataset import Dataset
from needs.inputs.snapshot import (
    SNAPSHOT_PREFIX,
    SnapshotError,
    read_snapshot,
    snapshot_key,
    temporary_snapshot,
    write_snapshot,
)
from needs.outputs import all_areas
from needs.outputs import report as report_module
from needs.outputs.all_areas import render_all
from needs.reference import locations
from needs.version import __version__

PERIOD = "2023-24"
PERIODS = ("2022-23", "2023-24")
#: Two small unitary authorities (ONS codes): Hartlepool and Darlington.
AREAS = {"E06000001": "Hartlepool", "E06000005": "Darlington"}
#: Non-default options and what the provenance footer says of each.
OPTIONS = [
    "--confidence", "0.9", "--suppress-below", "10", "--coe-types", "refuge",
    "--target-turnaway", "0.1", "--timestamp",
]  # fmt: skip
FOOTER = {
    "Confidence level": "90%",
    "Suppress counts below": "10",
    "Types counted towards the Council of Europe benchmark": "refuge",
    "Target share turned away": "10%",
    "Time of rendering shown": "yes",
}
_SNAPSHOT_PARAMETER = re.compile(r'^snapshot = "([^"]+)"$', re.MULTILINE)


def footer_rows(page: str) -> dict[str, str]:
    """The rows of the provenance footer's parameters table."""
    footer = page[page.index('<footer class="provenance">') :]
    return dict(re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', footer))


def snapshot_parameter(audit: Path) -> str | None:
    """The ``snapshot`` parameter papermill gave the kernel, from an audit notebook."""
    notebook = nbformat.read(str(audit), as_version=4)
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            found = _SNAPSHOT_PARAMETER.search(cell.source)
            return found.group(1) if found else None
    return None


@pytest.fixture(scope="module")
def two_areas(tmp_path_factory) -> Path:
    return small_areas_dataset(tmp_path_factory.mktemp("data") / "two", list(AREAS))


# ----------------------------------------------------------------------------------------
# Non-default options reach every report: process pool and Dask LocalCluster
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(two_areas, tmp_path_factory):
    """Both areas rendered with :data:`OPTIONS` by the default pool and by a LocalCluster."""
    from distributed import Client, LocalCluster  # optional extra (needs[dask]), heavy

    base = tmp_path_factory.mktemp("flow")
    common = ["report", "--all-areas", "--data", str(two_areas), "--period", PERIOD, *OPTIONS]
    codes = {"pool": main([*common, "--out", str(base / "pool"), "--workers", "2"])}
    with (
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster, set_as_default=False),
    ):
        codes["dask"] = main([*common, "--out", str(base / "dask"), "--scheduler", cluster.scheduler_address])
    return base, codes


@pytest.mark.slow
@pytest.mark.parametrize("way", ["pool", "dask"])
def test_every_report_states_the_options_given(rendered, way):
    base, codes = rendered
    assert codes[way] == 0
    for code, name in AREAS.items():
        page = (base / way / f"{code}-{PERIOD}.html").read_text(encoding="utf-8")
        rows = footer_rows(page)
        for label, value in FOOTER.items():
            assert rows.get(label) == value, (way, code, label)
        assert rows["Area"] == f"{name} ({code})"
        assert rows["Period"] == PERIOD
        assert "[c] A count from 1 to 9" in page  # the threshold was applied, not only stated
        assert re.search(r"<dt>Generated</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC</dd>", page)


@pytest.mark.slow
@pytest.mark.parametrize("way", ["pool", "dask"])
def test_kernels_read_the_snapshot_and_it_is_removed(rendered, way):
    base, _ = rendered
    out = base / way
    received = {snapshot_parameter(out / f"{code}-{PERIOD}.audit.ipynb") for code in AREAS}
    assert len(received) == 1, "every area's kernel gets the run's one snapshot"
    snapshot = Path(received.pop())
    assert snapshot.name.startswith(SNAPSHOT_PREFIX)
    assert snapshot.parent.parent == out.resolve()  # a temporary folder inside the output folder
    assert not snapshot.parent.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{code}-{PERIOD}.html" for code in AREAS]
        + [f"{code}-{PERIOD}.audit.ipynb" for code in AREAS]
        + [f"{code}-{PERIOD}-data.zip" for code in AREAS]
        + ["index.html"]
    )


# ----------------------------------------------------------------------------------------
# The area and the period when none is given
# ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_area_from_dataset_yaml_and_the_latest_period(tmp_path, capsys):
    data = tmp_path / "example"
    shutil.copytree(DEFAULT_DATA, data)
    assert f"area_code: {DEFAULT_AREA}" in (data / "dataset.yaml").read_text(encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", "--data", str(data), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "period 2023-24, the latest in the data" in err
    assert f"area {DEFAULT_AREA} (Leicestershire)" in err
    assert sorted(p.name for p in out.iterdir()) == [
        f"{DEFAULT_AREA}-2023-24-data.zip",
        f"{DEFAULT_AREA}-2023-24.audit.ipynb",
        f"{DEFAULT_AREA}-2023-24.html",
    ]


@pytest.mark.slow
def test_the_latest_period_moves_with_the_data(tmp_path, capsys):
    data = tmp_path / "later"
    shutil.copytree(DEFAULT_DATA, data)
    referrals = pd.read_csv(data / "referrals.csv", dtype=str, keep_default_na=False)
    for column in ("date", "support_start", "support_end"):
        dates = pd.to_datetime(referrals[column].replace("", None))
        referrals[column] = (dates + pd.DateOffset(years=1)).dt.strftime("%Y-%m-%d").fillna("")
    referrals.to_csv(data / "referrals.csv", index=False)
    out = tmp_path / "out"
    assert main(["report", "--data", str(data), "--out", str(out)]) == 0
    assert "period 2024-25, the latest in the data" in capsys.readouterr().err
    assert (out / f"{DEFAULT_AREA}-2024-25.html").is_file()
    assert not (out / f"{DEFAULT_AREA}-2023-24.html").exists()


# ----------------------------------------------------------------------------------------
# Loaded and validated once per run
# ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_all_areas_validates_the_data_once(two_areas, tmp_path, monkeypatch):
    calls: list[int] = []
    validate = load_module.validate_sources

    def counted(*args, **kwargs):
        calls.append(1)
        return validate(*args, **kwargs)

    monkeypatch.setattr(load_module, "validate_sources", counted)
    first = next(iter(AREAS))
    # Threads: the task runs in this process, so its loads would be counted too.
    with ThreadPoolExecutor(2) as executor:
        result = render_all(two_areas, PERIOD, tmp_path, executor=executor, areas=[first], progress=False)
    assert result.ok and list(result.rendered) == [first]
    assert len(calls) == 1
    # ... and the kernel (another process) read the snapshot instead of the CSV files.
    snapshot = snapshot_parameter(tmp_path / f"{first}-{PERIOD}.audit.ipynb")
    assert snapshot is not None and Path(snapshot).parent.parent == tmp_path.resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{first}-{PERIOD}.html", f"{first}-{PERIOD}.audit.ipynb", f"{first}-{PERIOD}-data.zip", "index.html"]
    )


def test_every_task_is_sent_the_snapshot_path(two_areas, tmp_path, monkeypatch):
    seen: list[tuple[str, bool]] = []

    def check(data_dir, area, period, out_dir, options, attempt=1):
        dataset = read_snapshot(options["snapshot"])  # exists while the run lasts
        seen.append((area, dataset.tier_one_areas()["area_code"].isin([area]).any()))
        page = Path(out_dir) / f"{area}-{period}.html"
        page.write_text(area, encoding="utf-8")
        return all_areas.AreaOutcome(area, path=str(page), version=__version__)

    monkeypatch.setattr(all_areas, "_render_one", check)
    with ThreadPoolExecutor(2) as executor:
        result = render_all(two_areas, PERIOD, tmp_path, executor=executor, progress=False)
    assert result.ok and sorted(seen) == sorted((code, True) for code in AREAS)
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_all_areas_says_which_period_it_chose(two_areas, tmp_path, monkeypatch, capsys):
    def stand_in(data_dir, area, period, out_dir, options, attempt=1):
        path = Path(out_dir) / f"{area}-{period}.html"
        path.write_text("<p>stand-in</p>", encoding="utf-8")
        return all_areas.AreaOutcome(area, path=str(path), version=__version__)

    monkeypatch.setattr(all_areas, "_render_one", stand_in)
    with ThreadPoolExecutor(1) as executor:
        result = render_all(two_areas, out_dir=tmp_path, executor=executor)
    assert result.ok and all(path.name.endswith(f"-{PERIOD}.html") for path in result.rendered.values())
    assert f"period {PERIOD}, the latest in the data" in capsys.readouterr().err


def test_the_snapshot_is_removed_when_the_run_is_interrupted(two_areas, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(all_areas, "_run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render_all(two_areas, PERIOD, tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_single_area_render_passes_a_snapshot_to_the_kernel(tmp_path, monkeypatch):
    seen: dict = {}

    def fake_execute(notebook, output, parameters, progress):
        seen.update(parameters)
        seen["dataset"] = read_snapshot(parameters["snapshot"])
        raise KeyboardInterrupt  # stop before converting: only the hand-over is checked

    monkeypatch.setattr(report_module, "_execute", fake_execute)
    with pytest.raises(KeyboardInterrupt):
        report_module.render(out_dir=tmp_path, progress=False)
    snapshot = Path(seen["snapshot"])
    assert snapshot.parent.parent == tmp_path.resolve()  # the render's own work folder
    assert {item.sha256 for item in seen["dataset"].files} == {
        item.sha256 for item in load_module.load(DEFAULT_DATA).files
    }
    assert list(tmp_path.iterdir()) == []  # removed with the work folder


def test_a_notebook_without_the_parameter_is_not_sent_a_snapshot(tmp_path, monkeypatch):
    seen: dict = {}

    def fake_execute(notebook, output, parameters, progress):
        seen.update(parameters)
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module, "_execute", fake_execute)
    with pytest.raises(KeyboardInterrupt):
        report_module.render(out_dir=tmp_path, notebook=locations.notebook("scenarios.ipynb"), progress=False)
    assert "snapshot" not in seen and seen["area"] == DEFAULT_AREA
    assert list(tmp_path.iterdir()) == []
    assert report_module.declares_parameter(report_module.NOTEBOOK, "snapshot")
    assert not report_module.declares_parameter(tmp_path / "missing.ipynb", "snapshot")


def test_render_reads_a_given_snapshot_instead_of_the_folder(tmp_path, monkeypatch):
    dataset = load_module.load(DEFAULT_DATA)
    path = write_snapshot(dataset, tmp_path)
    seen: dict = {}

    def no_load(folder):
        raise AssertionError("the data folder must not be loaded again")

    def fake_execute(notebook, output, parameters, progress):
        seen.update(parameters)
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module, "load", no_load)
    monkeypatch.setattr(report_module, "_execute", fake_execute)
    with pytest.raises(KeyboardInterrupt):
        report_module.render(out_dir=tmp_path / "out", snapshot=path, progress=False)
    assert seen["snapshot"] == str(path.resolve())
    with pytest.raises(ValueError, match="dataset, snapshot"):
        report_module.render(out_dir=tmp_path / "out", dataset=dataset, snapshot=path, progress=False)


def test_a_missing_snapshot_is_a_final_failure_of_the_area(tmp_path):
    missing = tmp_path / f"{SNAPSHOT_PREFIX}{'0' * 64}.pickle"
    outcome = all_areas._render_one(
        str(DEFAULT_DATA), DEFAULT_AREA, PERIOD, str(tmp_path), {"snapshot": str(missing)}
    )
    assert not outcome.ok and not outcome.transient
    assert "the dataset snapshot" in outcome.error and "is missing" in outcome.error


# ----------------------------------------------------------------------------------------
# The snapshot file
# ----------------------------------------------------------------------------------------


def test_snapshot_round_trip_named_by_the_input_files(tmp_path):
    dataset = load_module.load(DEFAULT_DATA)
    path = write_snapshot(dataset, tmp_path)
    key = snapshot_key(dataset)
    assert path == tmp_path / f"{SNAPSHOT_PREFIX}{key}.pickle"
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert os.stat(path).st_mode & 0o077 == 0  # owner only: it holds record-level data
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no staging file left
    again = read_snapshot(path)
    assert again.files == dataset.files and again.metadata == dataset.metadata
    assert again.folder == dataset.folder
    assert sorted(again.tables) == sorted(dataset.tables)
    for name, table in dataset.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], table)


def test_snapshot_key_follows_the_file_digests_and_the_version(monkeypatch):
    dataset = load_module.load(DEFAULT_DATA)
    key = snapshot_key(dataset)
    reordered = Dataset(tables=dataset.tables, files=tuple(reversed(dataset.files)))
    assert snapshot_key(reordered) == key
    changed = dataset.files[0].__class__(dataset.files[0].path, "0" * 64, dataset.files[0].tables)
    assert snapshot_key(Dataset(tables=dataset.tables, files=(changed, *dataset.files[1:]))) != key
    monkeypatch.setattr("needs.inputs.snapshot.__version__", "9.9.9")
    assert snapshot_key(dataset) != key


def test_a_missing_or_corrupt_snapshot_is_a_clear_error(tmp_path):
    path = write_snapshot(tiny_dataset(), tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SnapshotError, match="is corrupt"):
        read_snapshot(path)
    path.write_bytes(b"not a pickle at all")
    with pytest.raises(SnapshotError, match="is corrupt"):
        read_snapshot(path)
    path.write_bytes(pickle.dumps({"dataset": "no"}))
    with pytest.raises(SnapshotError, match="holds no dataset"):
        read_snapshot(path)
    path.unlink()
    with pytest.raises(SnapshotError, match="is missing: it exists only while its run lasts"):
        read_snapshot(path)
    with pytest.raises(SnapshotError, match="is not a dataset snapshot"):
        read_snapshot(tmp_path / "referrals.csv")


def test_a_snapshot_under_another_name_or_version_is_refused(tmp_path, monkeypatch):
    path = write_snapshot(tiny_dataset(), tmp_path)
    renamed = path.with_name(f"{SNAPSHOT_PREFIX}{'f' * 64}.pickle")
    path.rename(renamed)
    with pytest.raises(SnapshotError, match="key mismatch"):
        read_snapshot(renamed)
    renamed.rename(path)
    monkeypatch.setattr("needs.inputs.snapshot.__version__", "9.9.9")
    with pytest.raises(SnapshotError, match="written by needs .* but this is needs 9.9.9"):
        read_snapshot(path)


def test_temporary_snapshot_is_removed_also_on_error(tmp_path):
    small = Dataset(tables=tiny_dataset().tables, metadata={"area_code": NEIGHBOUR})
    with temporary_snapshot(small, tmp_path) as path:
        assert path.parent.parent == tmp_path and path.parent.name.startswith(".needs-snapshot.")
        assert read_snapshot(path).metadata == {"area_code": NEIGHBOUR}
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError), temporary_snapshot(small, tmp_path):
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
