"""Benchmark: load and validate a data folder with one million referral records.

Run with ``python tests/benchmarks/bench_validate.py [--referrals N] [--keep DIR]``.
Prints the CSV size, the time ``needs.load`` takes and the peak memory (resident set
size of the process, which includes the generator's frames, and the tracemalloc peak
of the load alone in a second run).

The referrals are generated directly with numpy from the category lists (valid values,
consistent dates and outcomes), so the benchmark does not depend on ``needs.synth``.
The other tables are the small fixture in ``tests/data/valid_minimal``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import needs
from needs.reference import categories as cat
from needs.reference import schema

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "valid_minimal"


def referrals_frame(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` valid referral records for the fixture's services and areas."""
    rng = np.random.default_rng(seed)
    table = schema.TABLES["referrals"]
    columns: dict[str, object] = {
        "referral_id": np.char.add("R", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
        "household_id": np.char.add("H", np.char.zfill(rng.integers(1, n // 2 + 2, n).astype(str), 7)),
    }
    start = np.datetime64("2021-04-01")
    date = start + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
    columns["date"] = date
    columns["service_id"] = rng.choice(["S01", "S02"], n)
    columns["origin_area_code"] = rng.choice(["E07000129", "E07000130", "E06000016"], n)
    outcome = rng.choice(
        ["accepted_supported", "unable_to_support", "withdrawn_by_referrer", "pending"],
        n,
        p=[0.5, 0.3, 0.1, 0.1],
    )
    columns["outcome"] = outcome
    reasons = np.array(cat.DECLINE_REASONS.codes, dtype=object)
    columns["decline_reason"] = np.where(
        outcome == "unable_to_support", reasons[rng.integers(0, len(reasons), n)], ""
    )
    for column in table.columns:
        if column.kind == "category" and column.name not in columns:
            codes = np.array(column.categories.codes, dtype=object)
            columns[column.name] = codes[rng.integers(0, len(codes), n)]
    columns["children"] = rng.poisson(1.2, n)
    supported = outcome == "accepted_supported"
    support_start = date + rng.integers(0, 14, n).astype("timedelta64[D]")
    ended = supported & (rng.random(n) < 0.7)
    support_end = support_start + rng.integers(1, 300, n).astype("timedelta64[D]")
    columns["support_start"] = pd.Series(support_start).where(supported)
    columns["support_end"] = pd.Series(support_end).where(ended)
    end_reasons = np.array(cat.END_REASONS.codes, dtype=object)
    columns["end_reason"] = np.where(ended, end_reasons[rng.integers(0, len(end_reasons), n)], "")
    return pd.DataFrame({name: columns[name] for name in table.column_names})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the folder here and keep it")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="needs-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    for path in FIXTURE.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    started = time.perf_counter()
    frame = referrals_frame(args.referrals)
    frame.to_csv(folder / "referrals.csv", index=False, date_format="%Y-%m-%d")
    del frame
    print(
        f"generated and wrote {args.referrals:,} referrals in {time.perf_counter() - started:.1f} s; "
        f"referrals.csv is {(folder / 'referrals.csv').stat().st_size / 1e6:.0f} MB"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    dataset = needs.load(folder)
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert len(dataset.referrals) == args.referrals
    memory = dataset.referrals.memory_usage(deep=True).sum() / 1e6
    print(
        f"needs.load: {elapsed:.2f} s for {args.referrals:,} referrals "
        f"({args.referrals / elapsed:,.0f} rows/s); loaded referrals table {memory:.0f} MB"
    )
    print(f"peak RSS of the process: {rss_after:.0f} MB (before load: {rss_before:.0f} MB)")
    del dataset

    tracemalloc.start()
    started = time.perf_counter()
    needs.load(folder)
    elapsed_traced = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"tracemalloc peak during needs.load: {peak / 1e6:.0f} MB ({elapsed_traced:.2f} s with tracing)")
    if args.keep is None:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
