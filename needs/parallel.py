"""One report per tier-one area, rendered in parallel.

Any ``concurrent.futures``-style executor works (anything with ``submit`` returning futures):
by default a process pool on this machine; with a Dask scheduler address the work goes to a
Dask distributed cluster through ``Client.get_executor()`` (``pip install "needs[dask]"``).
One area's failure does not stop the others: failures are collected and listed at the end.
"""

from __future__ import annotations

import html
import os
import sys
import tempfile
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from needs.errors import InputError, NeedsError


@dataclass
class AllAreasResult:
    """Outcome of rendering every area: reports written, failures, the index page."""

    rendered: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    index: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed


def _render_one(data_dir: str, area: str, period: str, out_dir: str, options: dict) -> str:
    """Render one area's report (runs in a worker process); returns the HTML path."""
    from needs.report import render

    return str(
        render(data_dir=data_dir, area=area, period=period, out_dir=out_dir, progress=False, **options)
    )


def _dask_executor(scheduler: str) -> Executor:
    try:
        from distributed import Client
    except ImportError as error:  # pragma: no cover - depends on the install
        raise InputError('the Dask scheduler needs the dask extra: pip install "needs[dask]"') from error
    return Client(scheduler).get_executor()


def render_all(
    data_dir: str | Path,
    period: str,
    out_dir: str | Path,
    *,
    areas: list[str] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    **options,
) -> AllAreasResult:
    """Render the assessment of every tier-one area, in parallel.

    Parameters
    ----------
    data_dir
        Data folder; validated once here before any work is sent out.
    period
        Financial year, e.g. ``2023-24``.
    out_dir
        Folder for ``<area>-<period>.html`` files and ``index.html``.
    areas
        Area codes to render (default: every tier-one area with population).
    executor
        Any ``concurrent.futures.Executor``-like object. Default: a process pool with
        ``workers`` processes, or a Dask cluster's executor when ``scheduler`` is given.
    workers
        Size of the default process pool (default: the number of CPUs).
    scheduler
        Address of a Dask distributed scheduler, e.g. ``tcp://127.0.0.1:8786``.
    progress
        Show a progress bar of areas done on standard error.
    **options
        Passed to :func:`needs.report.render` (e.g. ``suppress_below``, ``scenarios``).
    """
    from needs.io import load

    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir).resolve()
    dataset = load(data_dir)
    tier_one = dataset.tier_one_areas()
    names = dict(zip(tier_one["area_code"].astype(str), tier_one["area_name"].astype(str), strict=True))
    if areas is None:
        areas = sorted(names)
    unknown = sorted(set(areas) - set(names))
    if unknown:
        raise InputError(f"not tier-one areas of {data_dir}: {', '.join(unknown)}")
    out_dir.mkdir(parents=True, exist_ok=True)

    own_executor = executor is None
    if executor is None:
        executor = _dask_executor(scheduler) if scheduler else ProcessPoolExecutor(max_workers=workers)
    result = AllAreasResult()
    try:
        futures: dict[Future, str] = {
            executor.submit(_render_one, str(data_dir), area, period, str(out_dir), options): area
            for area in areas
        }
        bar = _progress_bar(len(futures), progress)
        for future in as_completed(futures):
            area = futures[future]
            try:
                result.rendered[area] = Path(future.result())
            except NeedsError as error:
                result.failed[area] = str(error)
            except Exception as error:  # a worker crash must not stop the other areas
                result.failed[area] = f"{type(error).__name__}: {error}"
            bar.update(1)
        bar.close()
    finally:
        if own_executor:
            executor.shutdown(wait=True)
    result.index = write_index(out_dir, period, names, result)
    return result


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, show: bool):
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="areas", unit="area", file=sys.stderr)


def write_index(out_dir: Path, period: str, names: dict[str, str], result: AllAreasResult) -> Path:
    """Write ``index.html`` linking every rendered report (atomically), and return its path."""
    from needs import __version__

    rows = []
    for area in sorted(names, key=lambda code: (names[code], code)):
        name = html.escape(names[area])
        if area in result.rendered:
            link = html.escape(result.rendered[area].name)
            status = f'<a href="{link}">{name} needs assessment {html.escape(period)}</a>'
        elif area in result.failed:
            status = "Not rendered: the report for this area failed (see the run log)."
        else:
            continue
        rows.append(f'<tr><th scope="row">{html.escape(area)}</th><td>{name}</td><td>{status}</td></tr>')
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Safe accommodation needs assessments {html.escape(period)}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; background: #fff; margin: 0; line-height: 1.5; }}
main, header, footer {{ max-width: 60rem; margin: 0 auto; padding: 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
caption {{ text-align: left; font-weight: bold; padding: 0.5rem 0; }}
th, td {{ border-bottom: 1px solid #b1b4b6; padding: 0.4rem; text-align: left; }}
a {{ color: #1d4f91; }}
a:focus {{ outline: 3px solid #fd0; background: #fd0; color: #0b0c0c; }}
</style>
</head>
<body>
<header><p>needs {html.escape(__version__)}</p></header>
<main>
<h1>Safe accommodation needs assessments, {html.escape(period)}</h1>
<p>{len(result.rendered)} of {len(result.rendered) + len(result.failed)} area reports rendered.</p>
<table>
<caption>Needs assessment reports by tier-one area</caption>
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
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=out_dir, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(page)
        temporary = Path(handle.name)
    os.replace(temporary, index)
    return index


def cli_report_all(args) -> int:
    """``needs report --all-areas``: render every tier-one area; exit 1 if any failed."""
    options = {}
    if args.suppress_below is not None:
        options["suppress_below"] = args.suppress_below
    if args.scenario:
        options["scenarios"] = [str(path) for path in args.scenario]
    result = render_all(
        args.data, args.period, args.out, workers=args.workers, scheduler=args.scheduler, **options
    )
    print(f"Rendered {len(result.rendered)} area report(s); index: {result.index}")
    if result.failed:
        print(f"{len(result.failed)} area(s) failed:", file=sys.stderr)
        for area, message in sorted(result.failed.items()):
            print(f"  - {area}: {message}", file=sys.stderr)
        return 1
    return 0
