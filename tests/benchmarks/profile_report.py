"""Profile: where the wall time of ``needs report`` goes.

Runs :func:`needs.outputs.report.render` on the default example once, in this process, with
a timer around each stage of the pipeline (imports, settings and option checks, loading and
validating the data, the snapshot, papermill until the kernel runs its first cell, each
notebook cell as papermill timed it, the publication copy, nbconvert, ``finish_html``, the
audit notebook and the atomic replace) and prints the breakdown. With ``--in-process`` it
also times the notebook's own work in this process (imports, snapshot, assessment, each
cell's expression), the floor of what the kernel must do.

Usage::

    python tests/benchmarks/profile_report.py [--out DIR] [--in-process] [--cells N]
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

TIMES: list[tuple[str, float]] = []
#: Stages timed before the notebook runs (the others come after it).
BEFORE = {
    "check options (scenarios, out folder)",
    "load and validate the data folder",
    "read a snapshot",
    "write the snapshot for the kernel",
    "find the kernelspec",
    "report metadata (file hashes)",
    "start the kernel (it then imports in the background)",
    "assessment in this process, while the kernel starts",
}


def _timed(module: Any, name: str, label: str | None = None) -> None:
    """Replace ``module.name`` with a wrapper that records how long each call takes."""
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES.append((label or name, time.perf_counter() - start))

    setattr(module, name, wrapper)


def _cell_label(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    source = source if isinstance(source, str) else "".join(source)
    tags = cell.get("metadata", {}).get("tags", [])
    lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    text = lines[-1].strip() if lines else ""
    if tags:
        text = f"[{tags[0]}] {text}"
    return text[:60]


def _papermill_times(executed: Any) -> tuple[float, list[tuple[str, float]]]:
    """Seconds from papermill's start to the first cell's start, and each code cell's duration."""
    started = executed.metadata.get("papermill", {}).get("start_time")
    cells = []
    first = None
    for cell in executed.cells:
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.get("cell_type") != "code" or meta.get("duration") is None:
            continue
        if first is None and meta.get("start_time"):
            first = meta["start_time"]
        cells.append((_cell_label(cell), float(meta["duration"])))
    boot = float("nan")
    if started and first:
        boot = (datetime.fromisoformat(first) - datetime.fromisoformat(started)).total_seconds()
    return boot, cells


def profile_render(out: Path, cells: int) -> None:
    import_start = time.perf_counter()
    import needs.cli  # noqa: F401  (what ``needs report`` imports before rendering)
    from needs.outputs import report

    imported = time.perf_counter() - import_start
    captured: dict[str, Any] = {}
    original_execute = report._execute

    def execute(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        executed = original_execute(*args, **kwargs)
        captured["executed"] = executed
        captured["execute"] = time.perf_counter() - start
        return executed

    report._execute = execute
    for name, label in [
        ("check_options", "check options (scenarios, out folder)"),
        ("load", "load and validate the data folder"),
        ("read_snapshot", "read a snapshot"),
        ("write_snapshot", "write the snapshot for the kernel"),
        ("ensure_kernel", "find the kernelspec"),
        ("_start_kernel", "start the kernel (it then imports in the background)"),
        ("_assess_for_kernel", "assessment in this process, while the kernel starts"),
        ("_report_metadata", "report metadata (file hashes)"),
        ("_publication_notebook", "publication copy of the notebook"),
        ("to_html", "nbconvert + finish_html"),
        ("finish_html", "  of which finish_html"),
        ("_audit_notebook", "audit notebook copy"),
        ("replace_together", "replace the two files"),
    ]:
        if hasattr(report, name):
            _timed(report, name, label)
    render_start = time.perf_counter()
    report.render(out_dir=out, progress=False)
    total = time.perf_counter() - render_start

    rows: list[tuple[str, float]] = [("interpreter start to profile start (not measured)", float("nan"))]
    rows.append(("import needs.cli (the CLI process)", imported))
    rows.extend((label, t) for label, t in TIMES if label in BEFORE)
    executed = captured.get("executed")
    if executed is not None:
        boot, cell_times = _papermill_times(executed)
        in_cells = sum(t for _, t in cell_times)
        rows.append(("papermill start to first cell start (kernel start/imports left)", boot))
        top = sorted(range(len(cell_times)), key=lambda i: -cell_times[i][1])[:cells]
        rows.append(("notebook cells, all (papermill's timing)", in_cells))
        for i in sorted(top):
            rows.append((f"  cell: {cell_times[i][0]}", cell_times[i][1]))
        rest = len(cell_times) - len(top)
        rows.append((f"  the other {rest} cells", in_cells - sum(cell_times[i][1] for i in top)))
        rows.append(("papermill: after cells (shutdown, write)", captured["execute"] - boot - in_cells))
    rows.extend((label, t) for label, t in TIMES if label not in BEFORE)
    accounted = sum(t for label, t in rows if not label.startswith(" ") and t == t) - imported
    rows.append(("render(), other (settings, mkdir, nbformat.write ...)", total - accounted))
    rows.append(("render() total", total))
    rows.append(("import + render() total", total + imported))
    width = max(len(label) for label, _ in rows)
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds:6.2f} s")


def profile_in_process(cells: int) -> None:
    """The notebook's work in this process, cell by cell (no kernel, no conversion)."""
    from needs.outputs.report import NOTEBOOK

    notebook = json.loads(Path(NOTEBOOK).read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {}
    rows: list[tuple[str, float]] = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if "scenarios" in cell.get("metadata", {}).get("tags", []):
            continue
        start = time.perf_counter()
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 (our own notebook)
        rows.append((_cell_label(cell), time.perf_counter() - start))
    total = sum(t for _, t in rows)
    top = sorted(range(len(rows)), key=lambda i: -rows[i][1])[:cells]
    print("\nIn one process (the notebook's own work, no kernel, no conversion):")
    width = max(len(label) for label, _ in rows) + 2
    for i in sorted(top):
        print(f"  {rows[i][0]:<{width}}  {rows[i][1]:6.2f} s")
    print(f"  {'the other cells':<{width}}  {total - sum(rows[i][1] for i in top):6.2f} s")
    print(f"  {'total':<{width}}  {total:6.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary one)")
    parser.add_argument("--in-process", action="store_true", help="also time the notebook's work in-process")
    parser.add_argument("--cells", type=int, default=8, help="how many of the slowest cells to list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        profile_render(args.out or Path(folder), args.cells)
    if args.in_process:
        profile_in_process(args.cells)
    return 0


if __name__ == "__main__":
    sys.exit(main())
