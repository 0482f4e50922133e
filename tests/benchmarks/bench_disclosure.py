"""Benchmark: the whole-page disclosure pass (protect) and audit against the assessment itself.

For the example data (Leicestershire 2023-24) at thresholds 5 and 10, and for the tiny
dataset's county, times, as medians of ``--repeat`` runs in this process:

- ``assess``: :func:`needs.assess` (the calculations the page shows);
- ``protect``: registering every count of the page and deciding what to hide
  (:meth:`needs.publish.page.Page.protect`);
- ``audit``: the reader's bounds on every hidden count (:meth:`~needs.publish.page.Page.check`);

and prints the ratio of protect + audit to assess, with the number of counts, hidden counts
(primary and secondary) and linear programmes. Goal: protect + audit within 2x assess.

Usage::

    python tests/benchmarks/bench_disclosure.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, SHIRE, tiny_dataset  # noqa: E402

import needs  # noqa: E402
from needs.publish.publication import Publication  # noqa: E402


def _median(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    example = needs.load(DEFAULT_DATA)
    tiny = tiny_dataset()
    cases = [
        ("example", example, DEFAULT_AREA, DEFAULT_PERIOD, 5),
        ("example", example, DEFAULT_AREA, DEFAULT_PERIOD, 10),
        ("tiny county", tiny, SHIRE, "2024-25", 5),
    ]
    print(f"{'case':<12} {'t':>3} {'counts':>7} {'hidden':>7} {'primary':>8} {'assess s':>9} "
          f"{'protect s':>10} {'audit s':>8} {'ratio':>6}")
    for label, dataset, area, period, threshold in cases:
        assess_time, assessment = _median(lambda d=dataset, a=area, p=period: needs.assess(d, a, p), args.repeat)
        protect_time, publication = _median(
            lambda a=assessment, d=dataset, t=threshold: Publication(a, d, suppress_below=t).page, args.repeat
        )
        audit_time, _ = _median(publication.check, args.repeat)
        summary = publication.summary()
        ratio = (protect_time + audit_time) / assess_time
        print(f"{label:<12} {threshold:>3} {summary['counts']:>7} {summary['hidden']:>7} "
              f"{summary['primary']:>8} {assess_time:>9.3f} {protect_time:>10.3f} {audit_time:>8.3f} "
              f"{ratio:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
