"""Benchmark: needs.methods intervals, ratios and DSRs on a million rows and Erlang B over a large grid.

Run::

    python tests/benchmarks/bench_stats.py
    python tests/benchmarks/bench_stats.py --rows 2000000 --servers 2000 --loads 1000

Reported (best of ``--repeat`` runs, wall-clock seconds):

* ``proportion_ci`` (Wilson) and ``rate_ci`` (exact/Byar) on ``--rows`` random rows, at one
  level and at both OHID levels (0.95, 0.998);
* ``rate_ratio`` and ``representation_ratio`` on the same rows;
* ``dsr`` on ``--rows`` rows grouped into areas × 19 ESP2013 bands;
* ``erlang_b`` over servers 1..``--servers`` × ``--loads`` loads (a full grid), and
  ``servers_needed`` for the same loads at 5% blocking.

Not collected by pytest (``--ignore=tests/benchmarks``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from needs.methods import comparisons, intervals, standardised
from needs.methods.queueing import erlang_b, servers_needed


def best_time(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--servers", type=int, default=2000)
    parser.add_argument("--loads", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20240401)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    n = rng.integers(1, 100_000, size=args.rows)
    x = rng.binomial(n, rng.uniform(0, 0.5, size=args.rows))
    share = rng.uniform(0.01, 0.9, size=args.rows)
    x2 = rng.binomial(n, 0.2)
    x_small = rng.poisson(3.0, size=args.rows)  # every count < 10 would use exact limits

    bands = len(standardised.ESP2013)
    groups = max(args.rows // bands, 1)
    dsr_data = pd.DataFrame(
        {
            "area": np.repeat(np.arange(groups), bands),
            "count": rng.poisson(30, size=groups * bands),
            "pop": rng.integers(500, 20_000, size=groups * bands),
            "std": np.tile(standardised.ESP2013["population"].to_numpy(), groups),
        }
    )

    servers = np.arange(1, args.servers + 1)[:, None]
    loads = np.linspace(0.5, float(args.servers), args.loads)[None, :]

    cases: list[tuple[str, Callable[[], object]]] = [
        (f"proportion_ci, {args.rows:,} rows, 95%", lambda: intervals.proportion_ci(x, n)),
        (f"proportion_ci, {args.rows:,} rows, 95% + 99.8%", lambda: intervals.proportion_ci(x, n, (0.95, 0.998))),
        (f"rate_ci, {args.rows:,} rows, 95%", lambda: intervals.rate_ci(x, n)),
        (f"rate_ci, {args.rows:,} rows, 95% + 99.8%", lambda: intervals.rate_ci(x, n, (0.95, 0.998))),
        (f"rate_ci, {args.rows:,} rows of small counts (exact)", lambda: intervals.rate_ci(x_small, n)),
        (f"rate_ratio, {args.rows:,} rows", lambda: comparisons.rate_ratio(x, n, x2, n)),
        (f"representation_ratio, {args.rows:,} rows", lambda: comparisons.representation_ratio(x, n, share)),
        (
            f"dsr, {groups:,} areas x {bands} bands",
            lambda: standardised.dsr(dsr_data, "count", "pop", "std", by="area", confidence=(0.95, 0.998)),
        ),
        (f"erlang_b, grid {args.servers:,} servers x {args.loads:,} loads", lambda: erlang_b(servers, loads)),
        (
            f"servers_needed, {args.loads:,} loads up to {args.servers:,}, 5%",
            lambda: servers_needed(loads, 0.05),
        ),
    ]

    grid = erlang_b(servers, loads)
    assert grid.shape == (args.servers, args.loads) and np.isfinite(grid).all()

    width = max(len(name) for name, _ in cases)
    print(f"{'case':<{width}}  seconds (best of {args.repeat})")
    for name, function in cases:
        print(f"{name:<{width}}  {best_time(function, args.repeat):8.3f}")


if __name__ == "__main__":
    main()
