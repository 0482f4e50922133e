"""Benchmark: ``assess_all`` on a national synthetic dataset against one pandas group-by.

Run::

    python tests/benchmarks/bench_assess.py                 # 100,000 and 1,000,000 records
    python tests/benchmarks/bench_assess.py --records 200000

For each size the dataset (every tier-one area in England; ``needs.synth.national.national_dataset``
when available, otherwise frames built here with numpy) is assessed in a fresh process and
compared with a single pass ``referrals.groupby(["service_id", "outcome"]).size()`` over the
same records. Reported: the assessment time, the group-by time, their ratio (goal: the
whole assessment costs no more than 10 such passes), the growth from the smallest to the
largest size (goal: at most 12x for 10x the records) and the peak memory of the
assessment (resident set high-water mark above the loaded dataset, Linux ``VmHWM``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from needs.inputs.dataset import Dataset
from needs.reference import categories as cat

PERIOD = "2023-24"
N_COUNTIES, DISTRICTS_PER_COUNTY, N_UNITARIES = 21, 8, 132  # ~153 tier-one areas, as in England


def _categorical(values: np.ndarray, codes: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(values, categories=list(codes))


def numpy_national_dataset(records: int, seed: int = 1) -> Dataset:
    """A national-scale synthetic dataset built with numpy (fallback when
    ``needs.synth.national.national_dataset`` is not available)."""
    rng = np.random.default_rng(seed)
    counties = [f"E1{i:07d}" for i in range(N_COUNTIES)]
    districts = [f"E07{i:06d}" for i in range(N_COUNTIES * DISTRICTS_PER_COUNTY)]
    unitaries = [f"E06{i:06d}" for i in range(N_UNITARIES)]
    areas = pd.DataFrame(
        {
            "area_code": counties + districts + unitaries,
            "area_name": [f"Area {i}" for i in range(len(counties) + len(districts) + len(unitaries))],
            "area_type": ["county"] * len(counties)
            + ["district"] * len(districts)
            + ["unitary"] * len(unitaries),
            "parent_code": [None] * len(counties)
            + [counties[i // DISTRICTS_PER_COUNTY] for i in range(len(districts))]
            + [None] * len(unitaries),
        }
    )
    base = np.array(districts + unitaries)
    ages = np.arange(cat.OLDEST_AGE + 1)
    grid = pd.MultiIndex.from_product(
        [base, [2022, 2023], ["female", "male"], ages], names=["area_code", "year", "sex", "age"]
    )
    population = grid.to_frame(index=False)
    population["population"] = rng.integers(500, 3000, len(population))
    prevalence = pd.DataFrame(
        {
            "period": ["2022-23", "2022-23", "2023-24", "2023-24"],
            "measure": "old",
            "sex": ["female", "male", "female", "male"],
            "age_band": "all",
            "rate": [5.7, 3.2, 6.0, 3.0],
            "lower": [5.3, 2.9, 5.6, 2.7],
            "upper": [6.1, 3.5, 6.4, 3.3],
            "source": "benchmark",
        }
    )
    eth = list(cat.ETHNIC_GROUPS.codes[:-1])
    characteristics = pd.MultiIndex.from_product([base, ["ethnic_group"], eth]).to_frame(index=False)
    characteristics.columns = ["area_code", "characteristic", "category"]
    characteristics["count"] = rng.integers(100, 50000, len(characteristics))
    # services: 10 per tier-one area hosted in its first base area
    tier_one = counties + unitaries
    host = np.array([districts[i * DISTRICTS_PER_COUNTY] for i in range(N_COUNTIES)] + unitaries)
    n_services = len(tier_one) * 10
    types = np.array(["refuge", "refuge", "specialist_safe", "dispersed_refuge_level", "dispersed_semi_independent",
                      "second_stage", "sanctuary", "not_accommodation", "not_accommodation", "refuge"])  # fmt: skip
    specialisms = np.array(["generic"] * 8 + ["black_minoritised", "male_victims"])
    service_type = np.tile(types, len(tier_one))
    bedded = np.isin(service_type, cat.BEDDED_ACCOMMODATION_TYPES)
    units = np.where(bedded, rng.integers(2, 20, n_services), 0)
    services = pd.DataFrame(
        {
            "service_id": [f"S{i:05d}" for i in range(n_services)],
            "name": [f"Service {i}" for i in range(n_services)],
            "provider": "Provider",
            "host_area_code": np.repeat(host, 10),
            "accommodation_type": pd.Categorical(service_type, categories=cat.ACCOMMODATION_TYPES.codes),
            "support_type": pd.Categorical(["advocacy"] * n_services, categories=cat.SUPPORT_TYPES.codes),
            "specialism": pd.Categorical(
                np.tile(specialisms, len(tier_one)), categories=cat.SPECIALISMS.codes
            ),
            "units": units,
            "bedspaces": units * 2,
            "annual_cost": units * 25000.0 + 30000.0,
            "funding_source": pd.Categorical(
                rng.choice(["mhclg_dasa_grant", "la_core"], n_services), categories=cat.FUNDING_SOURCES.codes
            ),  # fmt: skip
            "start": pd.Timestamp("2021-04-01"),
            "end": pd.NaT,
            "status": pd.Categorical(
                rng.choice(["in_place", "not_yet_in_place"], n_services, p=[0.9, 0.1]),
                categories=cat.SERVICE_STATUSES.codes,
            ),  # fmt: skip
        }
    )
    funding = pd.MultiIndex.from_product([tier_one, ["2022-23", "2023-24"], ["mhclg_dasa_grant", "la_core"]])
    funding = funding.to_frame(index=False)
    funding.columns = ["area_code", "period", "source"]
    funding["amount"] = rng.integers(200_000, 3_000_000, len(funding)).astype(float)
    # referrals: ~1.6 referrals per household, two financial years
    n_households = max(1, int(records / 1.6))
    household = np.sort(rng.integers(0, n_households, records))
    service = rng.integers(0, n_services, records)
    home = service // 10  # most households come from the host area
    moved = rng.random(records) < 0.2
    home = np.where(moved, rng.integers(0, len(tier_one), records), home)
    origin_pool = np.array([districts[i * DISTRICTS_PER_COUNTY + 1] for i in range(N_COUNTIES)] + unitaries)
    day = rng.integers(0, 730, records)
    date = pd.Timestamp("2022-04-01") + pd.to_timedelta(day, unit="D")
    outcome_codes = list(cat.REFERRAL_OUTCOMES.codes)
    outcome = rng.choice(len(outcome_codes), records, p=[0.45, 0.3, 0.08, 0.1, 0.05, 0.02])
    unable = np.array(outcome_codes)[outcome] == "unable_to_support"
    reason_codes = list(cat.DECLINE_REASONS.codes)
    reason = np.where(unable, rng.integers(0, len(reason_codes), records), -1)
    accepted = np.array(outcome_codes)[outcome] == "accepted_supported"
    start = date + pd.to_timedelta(rng.integers(0, 10, records), unit="D")
    end = start + pd.to_timedelta(rng.integers(5, 300, records), unit="D")
    still_open = rng.random(records) < 0.2
    referrals = pd.DataFrame(
        {
            "referral_id": pd.array([f"R{i:08d}" for i in range(records)], dtype="str"),
            "household_id": pd.array([f"H{i:08d}" for i in household], dtype="str"),
            "date": date,
            "service_id": services["service_id"].to_numpy()[service],
            "origin_area_code": origin_pool[home],
            "outcome": _categorical(outcome, cat.REFERRAL_OUTCOMES.codes),
            "decline_reason": _categorical(reason, cat.DECLINE_REASONS.codes),
        }
    )
    for column, codes in cat.PROTECTED_CHARACTERISTICS.items():
        referrals[column] = _categorical(rng.integers(0, len(codes), records), codes.codes)
    for code in cat.ADDITIONAL_NEEDS:
        referrals[cat.need_column(code)] = _categorical(rng.integers(0, 3, records), cat.YES_NO.codes)
    referrals["children"] = rng.integers(0, 4, records)
    referrals["support_start"] = pd.Series(start).where(accepted)
    referrals["support_end"] = pd.Series(end).where(accepted & ~still_open)
    referrals["end_reason"] = _categorical(
        np.where(referrals["support_end"].notna(), 0, -1), cat.END_REASONS.codes
    )
    for column in ("service_id", "origin_area_code"):
        referrals[column] = referrals[column].astype("str")
    tables = {
        "areas": areas,
        "population": population,
        "prevalence": prevalence,
        "characteristics": characteristics,
        "services": services,
        "referrals": referrals,
        "funding": funding,
    }
    return Dataset(tables=tables, metadata={"synthetic": True})


def national(records: int) -> tuple[Dataset, str]:
    """The national dataset with ``records`` referrals and where it came from."""
    try:
        from needs.synth.national import national_dataset
    except ImportError:
        return numpy_national_dataset(records), "numpy frames (tests/benchmarks/bench_assess.py)"
    tables = national_dataset(records, periods=("2022-23", PERIOD), seed=1)
    return Dataset(tables=dict(tables), metadata={"synthetic": True}), "needs.synth.national.national_dataset"


def _status(field: str) -> int:
    """A field of /proc/self/status in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(records: int, repeat: int) -> dict:
    """Time and memory of one size, in this process."""
    from needs.assessment.assemble import assess_all

    dataset, source = national(records)
    referrals = dataset.tables["referrals"]
    n = len(referrals)
    groupby = _best(
        lambda: referrals.groupby(["service_id", "outcome"], observed=True).size(), max(repeat, 5)
    )
    assess_all(dataset, PERIOD)  # warm-up (imports, caches)
    Path("/proc/self/clear_refs").write_text("5")  # reset the resident high-water mark
    before = _status("VmRSS")
    assessment = _best(lambda: assess_all(dataset, PERIOD), repeat)
    peak = _status("VmHWM")
    return {
        "records": n,
        "source": source,
        "tier_one_areas": len(dataset.tier_one_areas()),
        "assess_all_s": round(assessment, 3),
        "groupby_s": round(groupby, 4),
        "ratio": round(assessment / groupby, 1),
        "dataset_rss_mb": round(before / 2**20),
        "peak_extra_mb": round((peak - before) / 2**20),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.records[0], args.repeat)))
        return 0
    results = []
    for records in args.records:  # a fresh process per size, so memory figures are separate
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--records", str(records), "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]))
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["assess_all_s"] / small["assess_all_s"]
        print(
            f"growth for {large['records'] / small['records']:.0f}x records: {growth:.1f}x (goal <= 12x); "
            f"ratio to one group-by at {large['records']:,} records: {large['ratio']}x (goal <= 10x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
