"""Benchmark: scenario evaluation on the default data, and Monte Carlo draws.

Run::

    python tests/benchmarks/bench_scenarios.py
    python tests/benchmarks/bench_scenarios.py --draws 10000 --repeat 7

Reported (best and median of ``--repeat`` runs, wall-clock):

* building the baseline once (:func:`needs.scenarios.model.baseline`: the assessment's capacity,
  funding and population calculations) - not part of the goals, shown for context;
* **one scenario evaluated** (:func:`needs.scenarios.model.apply` + :func:`needs.scenarios.model.evaluate`)
  of ``templates/scenarios/male-units.yaml`` on ``data/example`` - goal under 50 ms, so a
  notebook slider feels instant;
* **Monte Carlo**: ``--draws`` draws (default 10,000) of the same scenario (draws + Erlang B
  and units needed over draws x 6 types) - goal under 1 s;
* a whole :func:`needs.scenarios.comparison.compare` of the baseline and the four worked examples with
  ``--draws`` draws, for context.

Not collected by pytest (``--ignore=tests/benchmarks``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import needs
from needs.scenarios import comparison, model, spec

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "example"
EXAMPLES = ROOT / "templates" / "scenarios"
AREA, PERIOD = "E10000018", "2023-24"


def timed(function, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    dataset = needs.load(DATA)
    scenario = spec.load_scenario(EXAMPLES / "male-units.yaml")
    base = model.baseline(dataset, AREA, PERIOD)
    base_figures = model.evaluate(model.apply(base, None))

    def one() -> None:
        model.evaluate(model.apply(base, scenario), base_figures)

    def monte_carlo() -> None:
        applied = model.apply(base, scenario)
        demand, stays = comparison._draw(base, args.draws, 20211001, comparison.STAY_CV)
        comparison._simulate(applied, demand, stays)

    def whole() -> None:
        comparison.compare(base, scenarios=sorted(EXAMPLES.glob("*.yaml")), draws=args.draws)

    rows = [
        ("baseline built once (context)", timed(lambda: model.baseline(dataset, AREA, PERIOD), 3), None),
        ("one scenario evaluated", timed(one, args.repeat), 0.050),
        (f"Monte Carlo, {args.draws:,} draws", timed(monte_carlo, args.repeat), 1.0),
        (f"compare: baseline + 4 examples, {args.draws:,} draws (context)", timed(whole, 3), None),
    ]
    print(f"needs scenarios benchmark: {DATA.relative_to(ROOT)}, {AREA}, {PERIOD}")
    for name, (best, median), goal in rows:
        verdict = (
            ""
            if goal is None
            else (f"  goal < {goal * 1000:.0f} ms: " + ("met" if best < goal else "NOT met"))
        )
        print(f"  {name:<58} best {best * 1000:8.1f} ms  median {median * 1000:8.1f} ms{verdict}")


if __name__ == "__main__":
    main()
