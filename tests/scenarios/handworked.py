"""Shared by the tests of needs.scenarios: a baseline small enough to work by hand, and
Erlang's formula written out, B(c, a) = (a^c / c!) / sum_{k=0..c} a^k / k!, not the code
under test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from fixtures import ROOT

from needs.reference import categories as cat
from needs.scenarios.model import Baseline

TEMPLATES = ROOT / "templates" / "scenarios"
NAN = float("nan")
N_TYPES = len(cat.BEDDED_ACCOMMODATION_TYPES)


def erlang_b_by_hand(c: int, a: float) -> float:
    """Erlang's formula written out: (a^c / c!) / sum_k a^k / k!."""
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


def per_type(**values: float) -> np.ndarray:
    out = np.full(N_TYPES, NAN)
    for code, value in values.items():
        out[cat.BEDDED_ACCOMMODATION_TYPES.index(code)] = value
    return out


def services(*rows: tuple) -> pd.DataFrame:
    """Services table as Baseline holds it: id, type, units, cost, grant funded, committed."""
    frame = pd.DataFrame(
        rows,
        columns=["service_id", "accommodation_type", "units", "annual_cost", "grant_funded", "committed"],
    )
    frame["name"] = "Service " + frame["service_id"]
    frame["specialism"] = "generic"
    frame["support_type"] = "advocacy"
    frame["bedspaces"] = frame["units"]
    frame["funding_source"] = np.where(frame["grant_funded"], "mhclg_dasa_grant", "la_core")
    frame["status"] = "in_place"
    frame["change"] = ""
    return frame.astype({"units": "int64", "annual_cost": float, "committed": float})


def hand_baseline(units: int = 1, *, extra: tuple = (), grant: float = 100_000.0) -> Baseline:
    """One refuge: 10 households a year, mean stay 36.525 days, so the offered load is
    10 x 36.525 / 365.25 = 1.0 Erlang. Occupancy 0.9. Population 50,000 (CoE target 5)."""
    arrivals = np.zeros(N_TYPES)
    arrivals[0] = 10.0
    return Baseline(
        area_code="E99999999",
        area_name="Handshire",
        period="2023-24",
        services=services(("R1", "refuge", units, 30_000.0 * units, True, 30_000.0 * units), *extra),
        arrivals=arrivals,
        stay=per_type(refuge=36.525),
        occupancy=np.full(N_TYPES, 0.9),
        observed_capacity_declines=np.zeros(N_TYPES),
        observed_decided=np.zeros(N_TYPES),
        population=50_000.0,
        coe_target_units=5.0,
        coe_types=cat.COE_DEFAULT_TYPES,
        target_turnaway=0.05,
        grant=grant,
        victims=1000.0,
        victims_lower=900.0,
        victims_upper=1100.0,
    )


def figures_of(table: pd.DataFrame, scenario: str) -> dict[str, float]:
    part = table[table["scenario"] == scenario]
    return dict(zip(part["figure"], part["value"], strict=True))
