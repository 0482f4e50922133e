"""Benchmark: ``needs report --all-areas`` with 2 worker processes against 1.

Run::

    python tests/benchmarks/bench_parallel.py               # 8 areas, 1 then 2 workers
    python tests/benchmarks/bench_parallel.py --areas 4 --workers 1 2 4

A synthetic folder of small unitary areas (real ONS codes, synthetic referrals, built by
``small_areas_dataset`` of ``tests/test_parallel.py`` with :mod:`needs.synth`) is rendered
by :func:`needs.outputs.all_areas.render_all` with the default process pool, once per worker count,
each into a fresh folder. Reported: wall time, seconds per area, the speed-up over one
worker (goal: at least 1.6x with 2 workers on 2 cores) and whether every HTML file is
byte-identical between the runs. The load average is printed before and after: on a
machine shared with other work the speed-up is not meaningful.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
PERIOD = "2023-24"
#: Unitary authorities E06000001 to E06000010 (North East, North West, Yorkshire).
CODES = [f"E060000{i:02d}" for i in range(1, 11)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=8, help="number of tier-one areas (at most 10)")
    parser.add_argument("--referrals", type=int, default=750, help="referral records per area")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.areas <= len(CODES):
        parser.error(f"--areas must be between 1 and {len(CODES)}")

    sys.path.insert(0, str(TESTS))
    from test_parallel import small_areas_dataset

    from needs.outputs.all_areas import render_all

    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        base = Path(tmp)
        started = time.perf_counter()
        data = small_areas_dataset(base / "data", CODES[: args.areas], referrals=args.referrals * args.areas)
        print(f"{args.areas} areas, {args.referrals * args.areas:,} referrals: data in "
              f"{time.perf_counter() - started:.1f}s; CPUs {os.cpu_count()}; "
              f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
        runs = []
        for workers in args.workers:
            out = base / f"out-{workers}"
            started = time.perf_counter()
            result = render_all(data, PERIOD, out, workers=workers, progress=False)
            wall = time.perf_counter() - started
            if result.failed:
                print(f"failed: {result.failed}", file=sys.stderr)
                return 1
            pages = {p.name: p.read_bytes() for p in sorted(out.glob("*.html"))}
            runs.append({"workers": workers, "wall": wall, "pages": pages})
            print(f"workers={workers}: {wall:.1f}s wall, {wall / args.areas:.1f}s per area, "
                  f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
        reference = runs[0]
        identical = all(run["pages"] == reference["pages"] for run in runs)
        figures = {
            "areas": args.areas,
            "referrals": args.referrals * args.areas,
            "runs": [
                {
                    "workers": run["workers"],
                    "wall_seconds": round(run["wall"], 2),
                    "speedup": round(reference["wall"] / run["wall"], 2),
                }
                for run in runs
            ],
            "byte_identical": identical,
        }
    for run in figures["runs"]:
        print(f"speed-up with {run['workers']} worker(s) over {reference['workers']}: {run['speedup']:.2f}x")
    print(f"HTML byte-identical between runs: {identical}")
    two = [run for run in figures["runs"] if run["workers"] == 2]
    if two and reference["workers"] == 1:
        print(f"goal (>= 1.6x with 2 workers): {'met' if two[0]['speedup'] >= 1.6 else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
