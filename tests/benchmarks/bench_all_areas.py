"""Benchmark: ``needs report --all-areas`` on a national synthetic dataset, old code against new.

Run on demand (pytest does not collect ``tests/benchmarks``)::

    python tests/benchmarks/bench_all_areas.py --areas 20             # the 20 largest areas
    python tests/benchmarks/bench_all_areas.py                        # every tier-one area (long)
    git worktree add /tmp/needs-before a5ff2e6                        # the code to compare with
    python tests/benchmarks/bench_all_areas.py --areas 20 --code before=/tmp/needs-before \\
        --code after=. --data /tmp/national --json timings.json

The data folder is ``--data`` if it exists, else it is made there (or in a temporary folder)
with ``needs synth --national --referrals R`` (default 200,000 referrals, seed 20211001).
Each run is a fresh Python process whose ``PYTHONPATH`` is the code tree under test, started
in a scratch folder (not in a checkout, whose ``needs/`` would come first on ``sys.path``),
so the command, its worker processes and the notebook kernels all import that tree's
``needs`` (the figures say which ``needs`` was imported). A run renders period ``--period`` with
``--workers W`` for each W:

- without ``--areas``: ``needs report --all-areas --data DIR --period P --out OUT --workers W``
  (through ``needs.cli.main``);
- with ``--areas N``: the N tier-one areas with the largest population, through the Python
  API ``render_all(DIR, P, OUT, workers=W, areas=[...], progress=False)`` of
  :mod:`needs.outputs.all_areas` (or of ``needs.parallel`` in code from before the layout
  of sub-packages).

Reported for each run: wall seconds (inside the process, around the render; the process's
whole life too), seconds per area, reports rendered and failed, the load average before and
after; with two code trees, the ratio of the second to the first for each worker count.
The machine's other work makes the figures noisy: read them with the load averages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2023-24"
TIER_ONE_TYPES = ("county", "unitary", "metropolitan_district", "greater_london_authority")

#: What each run executes in a fresh interpreter (so PYTHONPATH picks the code under test).
RUNNER = r"""
import json, sys, time
from pathlib import Path
job = json.loads(sys.argv[1])
started = time.perf_counter()
import needs
if job["areas"] is None:
    from needs.cli import main
    argv = ["report", "--all-areas", "--data", job["data"], "--period", job["period"],
            "--out", job["out"], "--workers", str(job["workers"])]
    render_start = time.perf_counter()
    code = main(argv)
    failed = {}
else:
    try:
        from needs.outputs.all_areas import render_all
    except ImportError:  # the code before the sub-package layout
        from needs.parallel import render_all
    render_start = time.perf_counter()
    result = render_all(job["data"], job["period"], job["out"], workers=job["workers"],
                        areas=job["areas"], progress=False)
    code = 0 if not result.failed else 1
    failed = dict(list(result.failed.items())[:3])
wall = time.perf_counter() - render_start
pages = [p for p in Path(job["out"]).glob("*.html") if p.name != "index.html"]
Path(job["result"]).write_text(json.dumps({
    "needs": needs.__file__, "exit": code, "wall": wall, "rendered": len(pages),
    "import_seconds": render_start - started, "failed": failed,
}))
"""


def tier_one_by_size(data: Path) -> list[str]:
    """Tier-one area codes of the data folder, largest latest-year population first."""
    areas = pd.read_csv(data / "areas.csv", dtype=str, keep_default_na=False)
    population = pd.read_csv(data / "population.csv", dtype={"area_code": str})
    latest = population[population["year"] == population["year"].max()]
    parent = areas.set_index("area_code")["parent_code"]
    tier_one_of = {
        code: (parent.get(code) or code) for code in latest["area_code"].unique()
    }
    sizes = latest.assign(tier_one=latest["area_code"].map(tier_one_of)).groupby("tier_one")["population"].sum()
    tier_one = set(areas.loc[areas["area_type"].isin(TIER_ONE_TYPES), "area_code"])
    sizes = sizes[sizes.index.isin(tier_one)]
    return sorted(sizes.index, key=lambda code: (-float(sizes[code]), code))


def make_data(folder: Path, referrals: int, code: Path) -> None:
    """Write a national synthetic data folder with the command line of the tree ``code``."""
    started = time.perf_counter()
    folder.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-c", "import sys; from needs.cli import main; sys.exit(main(sys.argv[1:]))",
         "synth", "--out", str(folder), "--national", "--referrals", str(referrals)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(code)},
        cwd=folder.parent,
    )  # fmt: skip
    print(f"data: {folder} ({referrals:,} referrals) made in {time.perf_counter() - started:.1f}s")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def run_once(code: Path, data: Path, out: Path, workers: int, areas: list[str] | None, period: str) -> dict:
    """One timed run of the code tree ``code`` in a fresh process started in ``out``'s folder."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = Path(handle.name)
    job = {
        "data": str(data),
        "period": period,
        "out": str(out),
        "workers": workers,
        "areas": areas,
        "result": str(result_file),
    }
    before = load_average()
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(job)],
        env={**os.environ, "PYTHONPATH": str(code)},
        cwd=out.parent,
        capture_output=True,
        text=True,
    )
    whole = time.perf_counter() - started
    if process.returncode != 0 or not result_file.stat().st_size:
        sys.stderr.write(process.stdout + process.stderr)
        raise SystemExit(f"the run of {code} with {workers} worker(s) failed (exit {process.returncode})")
    figures = json.loads(result_file.read_text(encoding="utf-8"))
    result_file.unlink()
    figures.update({"process_wall": whole, "load_before": before, "load_after": load_average()})
    if not Path(figures["needs"]).is_relative_to(code):
        raise SystemExit(f"the run imported {figures['needs']}, not the needs of {code}")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="national data folder (made if missing)")
    parser.add_argument("--referrals", type=int, default=200_000, help="referrals when making the data")
    parser.add_argument("--period", default=PERIOD)
    parser.add_argument("--areas", type=int, default=None, help="only the N largest tier-one areas")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--code",
        action="append",
        default=None,
        metavar="NAME=PATH",
        help="a code tree to time, repeatable (default: after=<this repository>)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    trees = [item.split("=", 1) for item in (args.code or [f"after={ROOT}"])]
    if any(len(tree) != 2 or not (Path(tree[1]) / "needs" / "__init__.py").is_file() for tree in trees):
        parser.error("--code takes NAME=PATH where PATH holds a needs/ package")

    with tempfile.TemporaryDirectory(prefix="bench-all-areas-") as tmp:
        base = Path(tmp)
        data = (args.data or base / "national").resolve()
        if not (data / "referrals.csv").is_file():
            make_data(data, args.referrals, Path(trees[-1][1]).resolve())
        ranked = tier_one_by_size(data)
        areas = ranked[: args.areas] if args.areas else None
        count = len(areas) if areas else len(ranked)
        print(f"{count} areas ({'the largest ' + str(args.areas) if areas else 'every tier-one area'}), "
              f"period {args.period}; CPUs {os.cpu_count()}; load average {load_average()}")  # fmt: skip
        runs = []
        for workers in args.workers:
            for name, path in trees:
                out = base / f"out-{name}-{workers}"
                figures = run_once(Path(path).resolve(), data, out, workers, areas, args.period)
                figures.update({"code": name, "workers": workers, "areas": count})
                runs.append(figures)
                print(
                    f"{name:>8} workers={workers}: {figures['wall']:7.1f}s render "
                    f"({figures['wall'] / count:5.2f}s per area; process {figures['process_wall']:.1f}s), "
                    f"{figures['rendered']}/{count} rendered, exit {figures['exit']}, "
                    f"load {figures['load_before']} -> {figures['load_after']}; needs from {figures['needs']}",
                    flush=True,
                )
                if figures["failed"]:
                    print(f"         failures (first 3): {figures['failed']}", flush=True)
                shutil.rmtree(out, ignore_errors=True)
    if len(trees) > 1:
        first, last = trees[0][0], trees[-1][0]
        for workers in args.workers:
            by_code = {run["code"]: run for run in runs if run["workers"] == workers}
            ratio = by_code[last]["wall"] / by_code[first]["wall"]
            print(f"workers={workers}: {last}/{first} = {ratio:.2f} ({1 / ratio:.2f}x faster)")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    return 0 if all(run["exit"] == 0 and run["rendered"] == run["areas"] for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
