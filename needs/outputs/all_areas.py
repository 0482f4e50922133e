"""One report per tier-one area, rendered in parallel.

Any ``concurrent.futures``-style executor works (anything whose ``submit`` returns a
:class:`concurrent.futures.Future`): by default a process pool on this machine; with a Dask
scheduler address the work goes to a Dask distributed cluster through
``Client.get_executor()`` (``pip install "needs[dask]"``).

How a run goes (:func:`render_all`):

1. **Check and load once, here.** The scenario files are checked, the output folder must
   be writable, the data folder is loaded and validated in this process (within the run's
   read limits), the period and the report options are checked, so bad input fails fast
   (exit 2) instead of failing in every area. The validated dataset is written once to a snapshot file
   (:mod:`needs.inputs.snapshot`) in a temporary folder inside the output folder, removed
   when the run ends (also on failure or interrupt).
2. **One task per area.** Each task calls :func:`needs.outputs.report.render` for one area with its
   own kernel (jupyter_client gives every kernel its own connection file and ports) and its
   own temporary folder inside the output folder, so tasks share nothing but the read-only
   snapshot (and scenario files). The task and its kernel read the snapshot instead of
   validating the data folder again. Tasks never raise: they return an
   :class:`AreaOutcome`, so an exception that cannot be pickled cannot break the pool.
3. **Failures stay local.** A :class:`needs.errors.NeedsError` (bad data for that area, a
   notebook cell that failed) is final. Anything else (a kernel that died or could not bind
   its ports, a worker process that was killed) is retried ``retries`` times; when a worker
   process of the default pool dies, the pool is replaced and the areas it was running are
   retried. The other areas carry on; failures are listed at the end.
4. **Index.** ``index.html`` links every rendered report and names the areas that failed.
5. **Interrupts.** SIGINT or SIGTERM to this process (in the main thread) becomes
   :class:`needs.errors.Interrupted`: the default pool's workers are sent SIGTERM, each
   one rendering kills its kernel and removes its work folder (see
   :func:`needs.outputs.report.render`) and exits, an idle one exits at once; then the
   snapshot folder is removed and the exception goes on (``needs report --all-areas`` exits
   130 or 143). Reports finished before the signal stay; no index is written. Workers
   ignore SIGINT while idle, so Ctrl-C in a terminal (sent to every process of the
   terminal's group) is handled once, by this process.

The default pool keeps at most ``workers`` areas in flight, so a pool that breaks takes down
only the areas it was running. Its processes are started with ``spawn`` (no fork of a parent
that may hold threads, a Dask client or a large dataset).

With a Dask cluster on several machines, the data folder and the output folder must be on a
filesystem every worker sees (the paths are sent, not the data: the snapshot lives in the
output folder) and the workers need the same version of ``needs`` installed: a report
written where this process cannot see it, or by another version, is reported as a failure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import multiprocessing
import os
import pickle
import signal
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from needs.errors import InputError, NeedsError, interruptible
from needs.inputs.load import load
from needs.inputs.snapshot import temporary_snapshot
from needs.outputs.report import render, run_settings
from needs.scenarios.spec import load_scenarios
from needs.settings import RunSettings, latest_period
from needs.version import __version__

__all__ = ["AllAreasResult", "AreaOutcome", "default_workers", "render_all", "write_index"]

#: Settings that :func:`render_all` sets itself for each area.
_FIXED = frozenset({"data_dir", "area", "period", "out_dir", "progress"})
#: Options of :func:`needs.outputs.report.render` that are not settings.
_RENDER_ONLY = frozenset({"notebook"})


@dataclass(frozen=True)
class AreaOutcome:
    """What one task reports back (picklable; the task itself never raises).

    Attributes
    ----------
    area
        Tier-one area code.
    path
        The HTML report written, or ``None`` on failure.
    error
        The failure message, or ``None``.
    transient
        True when the failure may not happen again (not a :class:`NeedsError`): retried.
    version
        Version of ``needs`` that ran the task.
    """

    area: str
    path: str | None = None
    error: str | None = None
    transient: bool = False
    version: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class AllAreasResult:
    """Outcome of rendering every area: reports written, failures, the index page.

    ``rendered`` and ``failed`` are keyed by area code, in code order; ``names`` gives each
    area's name.
    """

    rendered: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    index: Path | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def _render_one(
    data_dir: str, area: str, period: str, out_dir: str, options: dict[str, Any], attempt: int = 1
) -> AreaOutcome:
    """Render one area's report in a worker; never raises (except to stop the worker).

    ``options`` are keyword arguments of :func:`needs.outputs.report.render`, including
    ``snapshot``: the path of the run's dataset snapshot, read instead of the data folder.
    ``attempt`` only makes each retry a distinct task (Dask treats identical calls as one).

    In a worker of the default pool, an interrupt (SIGTERM from the parent, which stops the
    run) ends the worker process once the render has cleaned up.
    """
    try:
        path = render(data_dir, area=area, period=period, out_dir=out_dir, progress=False, **options)
    except KeyboardInterrupt as error:  # needs.errors.Interrupted: the render has cleaned up
        if _IN_POOL_WORKER:
            os._exit(getattr(error, "exit_code", 130))
        raise
    except NeedsError as error:
        return AreaOutcome(area, error=str(error), version=__version__)
    except Exception as error:  # a dead kernel, a port taken by another kernel, ...
        return AreaOutcome(
            area, error=f"{type(error).__name__}: {error}", transient=True, version=__version__
        )
    return AreaOutcome(area, path=str(path), version=__version__)


def default_workers() -> int:
    """The CPUs this process may use (``sched_getaffinity`` where available)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


#: True in a worker process of the default pool (set by :func:`_start_worker`).
_IN_POOL_WORKER = False


def _exit_worker(signum: int, frame: object) -> None:
    """SIGTERM to an idle worker of the default pool: it holds nothing to clean up."""
    os._exit(128 + signum)


def _start_worker() -> None:
    """Initializer of the default pool's workers: the parent decides when the run stops.

    SIGINT (Ctrl-C reaches every process of the terminal's group) is ignored while idle and
    SIGTERM ends an idle worker quietly; while a report renders, both are handled by the
    render (kernel killed, work folder removed) and the worker then exits.
    """
    global _IN_POOL_WORKER
    _IN_POOL_WORKER = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _exit_worker)


def _process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
    )


def _dask_client(scheduler: str):
    try:
        from distributed import Client  # optional (the Dask extra) and heavy: only with --scheduler
    except ImportError as error:  # pragma: no cover - depends on the install
        raise InputError('--scheduler needs the Dask extra: pip install "needs[dask]"') from error
    try:
        return Client(scheduler, set_as_default=False, timeout="30s")
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(f"cannot connect to the Dask scheduler at {scheduler!r}: {error}") from error


def _check_options(options: Mapping[str, Any]) -> None:
    """Fail fast on options :func:`needs.outputs.report.render` does not take or that cannot be sent."""
    accepted = ({item.name for item in dataclasses.fields(RunSettings)} | _RENDER_ONLY) - _FIXED
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(
            f"render_all() got unknown report option(s) {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(sorted(accepted))}"
        )
    try:
        pickle.dumps(dict(options))
    except Exception as error:
        raise ValueError(f"options: cannot be sent to worker processes (not picklable): {error}") from error


def _task_options(
    settings: RunSettings, options: Mapping[str, Any], snapshot: str | Path | None = None
) -> dict[str, Any]:
    """What every area's task passes to :func:`needs.outputs.report.render` besides the data
    folder, area, period and output folder: every other setting, as plain values (absolute
    paths, since workers may run elsewhere), the notebook when one is given and the path of
    the dataset snapshot when there is one."""
    task = {key: value for key, value in settings.to_parameters().items() if key not in _FIXED}
    if options.get("notebook") is not None:
        task["notebook"] = str(Path(options["notebook"]).resolve())
    if snapshot is not None:
        task["snapshot"] = str(Path(snapshot).resolve())
    return task


def _area_order(dataset: Any, names: Mapping[str, str]) -> list[str]:
    """Tier-one areas, largest population first (the longest renders start first)."""
    parents = dataset.base_area_parents()
    population = dataset.tables["population"]
    latest = population[population["year"] == population["year"].max()]
    sizes = (
        latest.assign(area_code=latest["area_code"].astype(str))
        .merge(parents.astype(str), on="area_code")
        .groupby("tier_one_code")["population"]
        .sum()
    )
    return sorted(names, key=lambda code: (-float(sizes.get(code, 0)), code))


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def write(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, show: bool):
    if not show:
        return _NoBar()
    return tqdm(total=total, desc="areas rendered", unit="area", file=sys.stderr)


def render_all(
    settings: RunSettings | str | Path | None = None,
    period: str | None = None,
    out_dir: str | Path | None = None,
    *,
    areas: Iterable[str] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    retries: int = 1,
    **options: Any,
) -> AllAreasResult:
    """Render the assessment of every tier-one area, in parallel, and an index page.

    Parameters
    ----------
    settings
        The run's :class:`needs.settings.RunSettings`, or a data folder. The data folder is
        loaded and validated once here before any work is sent out, and every area reads
        the validated data from a snapshot in the output folder; every other setting
        (threshold, confidence, benchmark types, target, seed, scenarios, timestamp) goes
        unchanged to every area's report. The area must not be set.
    period
        Financial year, e.g. ``2023-24`` (default: the setting, else the latest in the data).
    out_dir
        Folder for ``<area>-<period>.html`` (and the audit notebooks) and ``index.html``
        (default: the setting). With a remote Dask cluster it must be on a filesystem the
        workers share.
    areas
        Area codes to render (default: every tier-one area with population).
    executor
        Any ``concurrent.futures.Executor`` (e.g. ``Client(cluster).get_executor()``); it is
        used, not shut down. Default: a process pool of ``workers`` processes, or a Dask
        cluster's executor when ``scheduler`` is given.
    workers
        Size of the default process pool (default: the CPUs available, at most one per area).
    scheduler
        Address of a Dask distributed scheduler, e.g. ``tcp://127.0.0.1:8786``.
    progress
        Show a progress bar of areas done on standard error.
    retries
        How many times an area is tried again after a failure that is not a
        :class:`needs.errors.NeedsError` (dead kernel, dead worker process).
    **options
        Settings to override (e.g. ``suppress_below``, ``scenarios``, ``confidence``), and
        ``notebook``, passed to :func:`needs.outputs.report.render`; the same for every area.

    Returns
    -------
    AllAreasResult
        Reports written and failures (area code to message), both in area-code order, and
        the index page.

    Raises
    ------
    needs.errors.InputError
        The data folder fails validation, a scenario file is invalid, the output folder
        cannot be written, an area is not a tier-one area with population, the period is
        not a financial year, or the Dask scheduler cannot be reached.
    needs.errors.Interrupted
        SIGINT or SIGTERM arrived: the workers were stopped and every temporary file
        removed (see the module).
    TypeError, ValueError
        Unknown or unpicklable ``options``; ``executor`` together with ``scheduler``;
        ``workers`` or ``retries`` out of range.
    """
    if executor is not None and scheduler is not None:
        raise ValueError("executor, scheduler: give one or the other, not both")
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise ValueError(f"workers: expected at least 1, got {workers!r}")
    if retries < 0:
        raise ValueError(f"retries: expected 0 or more, got {retries!r}")
    _check_options(options)
    settings = run_settings(
        settings, period=period, out_dir=out_dir, **{k: v for k, v in options.items() if k not in _RENDER_ONLY}
    )
    if settings.area is not None:
        raise InputError("an area cannot be set when rendering every area")
    running: dict[str, _Pool] = {}

    def stop_workers() -> None:
        if "pool" in running:
            running["pool"].stop_workers()

    with interruptible(on_signal=stop_workers):
        return _render_all(settings, options, areas, executor, workers, scheduler, progress, retries, running)


def _render_all(
    settings: RunSettings,
    options: Mapping[str, Any],
    areas: Iterable[str] | None,
    executor: Executor | None,
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    retries: int,
    running: dict[str, _Pool],
) -> AllAreasResult:
    """:func:`render_all` once its arguments are checked; ``running`` receives the default pool."""
    settings.check_files()
    load_scenarios(settings.scenarios, limits=settings.read_limits)
    settings.check_out_dir()
    dataset = load(settings.data_dir, limits=settings.read_limits)
    if settings.period is None:
        settings = settings.replace(period=latest_period(dataset))
        if progress:
            print(f"needs report: period {settings.period}, the latest in the data", file=sys.stderr, flush=True)
    data_dir, out_dir = settings.data_dir, settings.out_dir.resolve()
    period = settings.period
    tier_one = dataset.tier_one_areas()
    names = dict(zip(tier_one["area_code"].astype(str), tier_one["area_name"].astype(str), strict=True))
    order = _area_order(dataset, names)
    del tier_one
    if areas is not None:
        wanted = list(dict.fromkeys(str(area) for area in areas))
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            raise InputError(f"not tier-one areas with population in {data_dir.name}: {', '.join(unknown)}")
        order = [code for code in order if code in set(wanted)]
    if not order:
        raise InputError(f"{data_dir.name} holds no tier-one area with population to report on")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"--out {out_dir}: cannot create the output folder ({error.strerror or error})") from None

    # Every task reads the validated data from the snapshot; its folder is removed when the
    # block ends (normally, on failure or on interrupt), after the workers have stopped.
    with temporary_snapshot(dataset, out_dir) as snapshot:
        del dataset
        task_options = _task_options(settings, options, snapshot)
        client = _dask_client(scheduler) if scheduler else None
        pool = (
            _Pool(min(int(workers or default_workers()), len(order)))
            if executor is None and not client
            else None
        )
        if pool is not None:
            running["pool"] = pool
        if client is not None:
            executor = client.get_executor(pure=False)
        try:
            outcomes = _run(
                pool or executor,
                order,
                (str(data_dir), period, str(out_dir), task_options),
                retries,
                _progress_bar(len(order), progress),
                names,
            )
        finally:
            if pool is not None:
                pool.executor.shutdown(wait=True, cancel_futures=True)
            elif client is not None:
                executor.shutdown(wait=False)
                client.close()
    result = AllAreasResult(names={code: names[code] for code in sorted(order)})
    for code in sorted(outcomes):
        outcome = outcomes[code]
        if outcome.ok:
            result.rendered[code] = Path(outcome.path)
        else:
            result.failed[code] = outcome.error
    result.index = write_index(out_dir, period, result.names, result)
    return result


class _Pool:
    """The default process pool: at most ``size`` areas in flight; replaced if it breaks."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.executor = _process_pool(size)

    def replace(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = _process_pool(self.size)

    def stop_workers(self) -> None:
        """Send SIGTERM to every worker process (the run is being interrupted): a worker
        rendering cleans up and exits, an idle one exits (see :func:`_start_worker`)."""
        processes = getattr(self.executor, "_processes", None) or {}
        for process in list(processes.values()):
            with contextlib.suppress(Exception):  # already gone: the others must still be stopped
                process.terminate()


def _run(
    runner: Executor | _Pool,
    order: list[str],
    arguments: tuple[str, str, str, dict[str, Any]],
    retries: int,
    bar: Any,
    names: Mapping[str, str],
) -> dict[str, AreaOutcome]:
    """Submit every area, retry transient failures, replace a broken default pool.

    A caller's executor gets every area at once (its own scheduler balances them); the
    default pool gets at most ``size`` at a time, so a pool that breaks takes down only the
    areas it was running, which are then retried in a new pool.
    """
    data_dir, period, out_dir, options = arguments
    pool = runner if isinstance(runner, _Pool) else None
    limit = pool.size if pool else len(order)
    queue: deque[tuple[str, int]] = deque((code, 1) for code in order)
    in_flight: dict[Future, tuple[str, int]] = {}
    outcomes: dict[str, AreaOutcome] = {}

    def finish(outcome: AreaOutcome) -> None:
        outcomes[outcome.area] = outcome
        if not outcome.ok:
            first_line = outcome.error.splitlines()[0] if outcome.error else ""
            bar.write(f"{outcome.area} ({names[outcome.area]}) failed: {first_line}")
        bar.update(1)

    def settle(future: Future) -> bool:
        """Record or requeue a finished task; True if the default pool broke."""
        code, attempt = in_flight.pop(future)
        outcome = _outcome(future, code)
        if outcome.ok:
            outcome = _check_written(outcome, __version__)
        if not outcome.ok and outcome.transient and attempt <= retries:
            queue.append((code, attempt + 1))
        else:
            finish(outcome)
        return outcome.error == _BROKEN

    try:
        while queue or in_flight:
            executor = pool.executor if pool else runner
            while queue and len(in_flight) < limit:
                code, attempt = queue.popleft()
                try:
                    future = executor.submit(_render_one, data_dir, code, period, out_dir, options, attempt)
                except Exception as error:  # a caller's executor that is shut down or broken
                    finish(AreaOutcome(code, error=f"not sent to a worker: {type(error).__name__}: {error}"))
                    continue
                in_flight[future] = (code, attempt)
            if not in_flight:
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = any([settle(future) for future in done])
            if broken and pool is not None:
                # Every task still running in a broken pool fails too: settle them, start afresh.
                for future in wait(list(in_flight)).done:
                    settle(future)
                pool.replace()
    except BaseException:
        for future in in_flight:
            future.cancel()
        raise
    finally:
        bar.close()
    return outcomes


_BROKEN = "a worker process died (the process pool broke) while rendering this area"


def _outcome(future: Future, code: str) -> AreaOutcome:
    """The task's outcome, or a failure from the executor (a dead worker process)."""
    try:
        outcome = future.result()
    except BrokenProcessPool:
        return AreaOutcome(code, error=_BROKEN, transient=True)
    except Exception as error:  # Dask's KilledWorker, CancelledError, ...
        return AreaOutcome(code, error=f"{type(error).__name__}: {error}")
    if not isinstance(outcome, AreaOutcome):
        return AreaOutcome(code, error=f"the task returned {type(outcome).__name__}, not an AreaOutcome")
    return outcome


def _check_written(outcome: AreaOutcome, version: str) -> AreaOutcome:
    """Fail a report that this process cannot see, or that another version wrote."""
    if outcome.version and outcome.version != version:
        return AreaOutcome(
            outcome.area,
            error=f"rendered by needs {outcome.version} on the worker, but this is needs {version}: "
            "install the same version everywhere",
        )
    if not Path(outcome.path).is_file():
        return AreaOutcome(
            outcome.area,
            error=f"the worker wrote {outcome.path}, which is not visible here: with a Dask cluster on "
            "other machines the output folder must be on a shared filesystem",
        )
    return outcome


def write_index(out_dir: str | Path, period: str, names: Mapping[str, str], result: AllAreasResult) -> Path:
    """Write ``index.html`` linking every rendered report (atomically); return its path.

    The page is plain, accessible HTML: ``lang``, ``header``/``main``/``footer`` landmarks,
    one ``h1``, a table with a caption and ``scope`` on header cells, link text naming the
    area, text colours of at least 7:1 contrast on white. Areas that failed are listed as
    not rendered (the reason is in the run log, not on the page: it may quote data).
    """
    out_dir = Path(out_dir)
    period_text = html.escape(period)
    rows = []
    for area in sorted(names, key=lambda code: (names[code], code)):
        name = html.escape(names[area])
        if area in result.rendered:
            link = html.escape(result.rendered[area].name, quote=True)
            status = f'<a href="{link}">{name} needs assessment, {period_text}</a>'
        elif area in result.failed:
            status = "Not rendered: the report for this area failed (see the run log)."
        else:
            continue
        rows.append(f'<tr><th scope="row">{html.escape(area)}</th><td>{name}</td><td>{status}</td></tr>')
    attempted = len(result.rendered) + len(result.failed)
    failed_note = (
        f" {len(result.failed)} failed and {'is' if len(result.failed) == 1 else 'are'} listed as not rendered."
        if result.failed
        else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Safe accommodation needs assessments, {period_text}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; background: #fff; margin: 0; line-height: 1.5; }}
header, main, footer {{ max-width: 60rem; margin: 0 auto; padding: 1rem; }}
header, footer {{ color: #0b0c0c; }}
table {{ border-collapse: collapse; width: 100%; }}
caption {{ text-align: left; font-weight: bold; padding: 0.5rem 0; }}
th, td {{ border-bottom: 1px solid #6f777b; padding: 0.4rem; text-align: left; vertical-align: top; }}
a {{ color: #1d4f91; text-decoration: underline; }}
a:focus {{ outline: 3px solid #fd0; background: #fd0; color: #0b0c0c; }}
.skip {{ position: absolute; left: -10000px; }}
.skip:focus {{ position: static; }}
</style>
</head>
<body>
<a class="skip" href="#main">Skip to the list of reports</a>
<header><p>needs {html.escape(__version__)}: domestic abuse safe accommodation needs assessments</p></header>
<main id="main">
<h1>Safe accommodation needs assessments, {period_text}</h1>
<p>{len(result.rendered)} of {attempted} area reports rendered.{failed_note}</p>
<table>
<caption>Needs assessment reports by tier-one area, {period_text}</caption>
<thead><tr><th scope="col">Area code</th><th scope="col">Area</th><th scope="col">Report</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</main>
<footer><p>Generated by needs {html.escape(__version__)}.</p></footer>
</body>
</html>
"""
    index = out_dir / "index.html"
    staged = out_dir / f".index.html.{os.getpid()}.tmp"
    try:
        staged.write_text(page, encoding="utf-8")
        os.replace(staged, index)
    finally:
        staged.unlink(missing_ok=True)
    return index
