"""Benchmark: one control change of the live scenario explorer, end to end in Python.

Run::

    python tests/benchmarks/bench_explorer.py
    python tests/benchmarks/bench_explorer.py --repeat 15 --draws 2000 --quick-draws 500

Reported (best and median of ``--repeat`` runs, wall-clock, on ``data/example``):

* building the baseline once (:func:`needs.scenarios.model.baseline`) - context only;
* **the quick path** of one change (:meth:`needs.scenarios.explorer.Explorer.changed` while a
  slider moves): the comparison with ``--quick-draws`` Monte Carlo draws
  (:meth:`~needs.scenarios.explorer.ExplorerState.comparison`), the displayed table
  (:func:`needs.scenarios.display.display_table` as HTML) - goal under 100 ms;
* **the settled path**: ``--draws`` draws, the table and the charts (PNG with alt text);
* each step on its own (model, table, charts), and one change through the widgets
  (``explorer.units.value += 1``: quick path, then the settled path, no event loop).

Not collected by pytest (``--ignore=tests/benchmarks``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench_scenarios import timed  # the benchmarks' one timer (run as a script: this folder is on sys.path)

import needs
from needs.scenarios import model
from needs.scenarios.explorer import Explorer, ExplorerState

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "example"
AREA, PERIOD = "E10000018", "2023-24"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--quick-draws", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    dataset = needs.load(DATA)
    start = time.perf_counter()
    base = model.baseline(dataset, AREA, PERIOD)
    print(f"baseline built once: {time.perf_counter() - start:.3f} s")
    state = ExplorerState(base, draws=args.draws, quick_draws=args.quick_draws)
    units = iter(range(1, 10_000))

    def change() -> None:
        state.set_units("refuge", "generic", next(units) % 5 + 1)

    quick = state.comparison(args.quick_draws)
    full = state.comparison()
    rows = [
        (
            f"model: comparison, {args.quick_draws:,} draws",
            lambda: (change(), state.comparison(args.quick_draws)),
        ),
        (f"model: comparison, {args.draws:,} draws", lambda: (change(), state.comparison())),
        ("table: display_table as HTML", lambda: state.table_html(quick)),
        ("charts: 4 panels, PNG with alt text", lambda: state.chart_html(full)),
        (
            f"QUICK PATH (model {args.quick_draws:,} draws + table)",
            lambda: (change(), state.table_html(state.comparison(args.quick_draws))),
        ),
        (
            f"SETTLED PATH (model {args.draws:,} draws + table + charts)",
            lambda: (change(), (c := state.comparison()), state.table_html(c), state.chart_html(c)),
        ),
    ]
    for label, function in rows:
        best, median = timed(function, args.repeat)
        print(f"{label:<58} best {1000 * best:7.1f} ms   median {1000 * median:7.1f} ms")

    explorer = Explorer(ExplorerState(base, draws=args.draws, quick_draws=args.quick_draws))
    explorer.timings.clear()
    for _ in range(args.repeat):
        explorer.units.value = explorer.units.value % 5 + 1
    for kind in ("quick", "settled"):
        seconds = [s for k, s in explorer.timings if k == kind]
        print(
            f"{'widgets: one change, ' + kind:<58} best {1000 * min(seconds):7.1f} ms   "
            f"median {1000 * statistics.median(seconds):7.1f} ms"
        )


if __name__ == "__main__":
    main()
