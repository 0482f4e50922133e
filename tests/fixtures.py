"""A tiny hand-listed dataset shared by the calculation tests.

Every number below is small enough to work expected results out by hand. Columns are plain
strings (not Categorical) and dates are ``datetime64``, as after validation.

Geography
---------
- ``E10000001`` Shire (county) with districts ``E07000001`` Northton and ``E07000002``
  Southby.
- ``E06000001`` Neighbourton (unitary, its own base area).

Population (mid-years 2022 and 2023; 2022 is each 2023 figure minus 10)
------------------------------------------------------------------------
Ages 10 (a child), 18 (band 16-19), 30 (band 25-34) and 80 (band 75+), 2023 figures:

============  ======  ======  ======  ======
area / sex    age 10  age 18  age 30  age 80
============  ======  ======  ======  ======
Northton F       500     100    1000     200
Northton M       520     110     900     150
Southby F        300      50     600     100
Southby M        310      60     500      80
Neighbour F      400      80     800     120
Neighbour M      420      90     700     100
============  ======  ======  ======  ======

Prevalence (percent)
--------------------
- 2022-23 ``old``: female all 5.7 (5.3-6.1), male all 3.2 (2.9-3.5).
- 2023-24 ``old``: female all 6.0 (5.6-6.4), male all 3.0 (2.7-3.3).
- 2023-24 ``new``: female all 9.5 (9.0-10.0), female 16-19 18.0 (17.0-19.0),
  male all 6.5 with an unweighted base of 2,000 and no published limits.

Services
--------
- ``S1`` refuge in Northton (Shire), 6 units; ``S2`` community advocacy in Southby (Shire);
  ``S4`` male-victims dispersed refuge-level accommodation in Northton (Shire), 2 units;
  ``S3`` refuge in Neighbourton, 4 units.

Referrals (20; ``F``/``M`` sex, age band, outcome)
--------------------------------------------------
2024-25, Shire services: H01 (R01, accepted), H02 (R02 declined for capacity, then R03
accepted: the later referral's characteristics count), H03 (male, from Neighbourton,
accepted), H04 (declined, capacity), H05 (accepted), H06 (male, declined: unable to meet
needs), H07 (withdrawn), H08 (pending, sex not known), H09 (accepted, 75+). H10 was referred
in 2023-24 and supported into 2024-25.
2023-24, Shire services: H10, H11, H12, H14 (male) accepted; H13 declined (capacity);
H15 survivor declined.
Neighbourton (S3): H16 (2024-25 accepted), H17 (2024-25 from Northton, declined for
capacity), H18 (2023-24 accepted), H19 (2024-25 male accepted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import needs.synth as synth
from needs.inputs.dataset import Dataset
from needs.reference.categories import ADDITIONAL_NEEDS, need_column
from needs.reference.periods import period_end

#: The test folder, the repository it belongs to, and the test data (fixtures, PHE references).
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
TEST_DATA = TESTS / "data"
#: The embedded demonstration data, its area (``area_code`` in its dataset.yaml) and its
#: latest period: what every command uses when no data folder, area or period is given.
DEFAULT_DATA = ROOT / "data" / "example"
DEFAULT_AREA = "E10000018"
DEFAULT_PERIOD = "2023-24"

SHIRE = "E10000001"
NORTHTON = "E07000001"
SOUTHBY = "E07000002"
NEIGHBOUR = "E06000001"

#: 2023 population by (area, sex, age); 2022 is each value minus 10.
POPULATION_2023: dict[tuple[str, str], dict[int, int]] = {
    (NORTHTON, "female"): {10: 500, 18: 100, 30: 1000, 80: 200},
    (NORTHTON, "male"): {10: 520, 18: 110, 30: 900, 80: 150},
    (SOUTHBY, "female"): {10: 300, 18: 50, 30: 600, 80: 100},
    (SOUTHBY, "male"): {10: 310, 18: 60, 30: 500, 80: 80},
    (NEIGHBOUR, "female"): {10: 400, 18: 80, 30: 800, 80: 120},
    (NEIGHBOUR, "male"): {10: 420, 18: 90, 30: 700, 80: 100},
}


def _areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [SHIRE, NORTHTON, SOUTHBY, NEIGHBOUR],
            "area_name": ["Shire", "Northton", "Southby", "Neighbourton"],
            "area_type": ["county", "district", "district", "unitary"],
            "parent_code": [None, SHIRE, SHIRE, None],
        }
    )


def _population() -> pd.DataFrame:
    rows = []
    for (area, sex), ages in POPULATION_2023.items():
        for age, count in ages.items():
            rows.append((area, 2023, sex, age, count))
            rows.append((area, 2022, sex, age, count - 10))
    return pd.DataFrame(rows, columns=["area_code", "year", "sex", "age", "population"])


def _prevalence() -> pd.DataFrame:
    nan = float("nan")
    rows = [
        ("2022-23", "old", "female", "all", 5.7, 5.3, 6.1, nan),
        ("2022-23", "old", "male", "all", 3.2, 2.9, 3.5, nan),
        ("2023-24", "old", "female", "all", 6.0, 5.6, 6.4, nan),
        ("2023-24", "old", "male", "all", 3.0, 2.7, 3.3, nan),
        ("2023-24", "new", "female", "all", 9.5, 9.0, 10.0, nan),
        ("2023-24", "new", "female", "16-19", 18.0, 17.0, 19.0, nan),
        ("2023-24", "new", "male", "all", 6.5, nan, nan, 2000),
    ]
    out = pd.DataFrame(
        rows, columns=["period", "measure", "sex", "age_band", "rate", "lower", "upper", "unweighted_base"]
    )
    out["unweighted_base"] = out["unweighted_base"].astype("Int64")
    out["source"] = "hand-made test rates"
    out["source_url"] = None
    return out


def _characteristics() -> pd.DataFrame:
    nan = float("nan")
    rows = [
        (NORTHTON, "ethnic_group", "white_british", 1000, nan),
        (NORTHTON, "ethnic_group", "asian", 200, 0.8),
        (NORTHTON, "ethnic_group", "black", 100, nan),
        (NORTHTON, "ethnic_group", "mixed", 50, nan),
        (NORTHTON, "ethnic_group", "other", 50, nan),
        (SOUTHBY, "ethnic_group", "white_british", 600, nan),
        (SOUTHBY, "ethnic_group", "asian", 100, 0.8),
        (SOUTHBY, "ethnic_group", "black", 50, nan),
        (NORTHTON, "disability", "disabled", 300, 2.0),
        (NORTHTON, "disability", "not_disabled", 1000, nan),
        (SOUTHBY, "disability", "disabled", 150, 2.0),
        (SOUTHBY, "disability", "not_disabled", 650, nan),
        (NEIGHBOUR, "disability", "disabled", 200, nan),
        (NEIGHBOUR, "disability", "not_disabled", 800, nan),
    ]
    out = pd.DataFrame(
        rows, columns=["area_code", "characteristic", "category", "count", "relative_prevalence"]
    )
    out["source"] = "hand-made test profile"
    return out


def _services() -> pd.DataFrame:
    columns = [
        "service_id", "name", "provider", "host_area_code", "accommodation_type", "support_type",
        "specialism", "units", "bedspaces", "annual_cost", "funding_source", "start", "end", "status",
    ]  # fmt: skip
    rows = [
        ("S1", "Shire refuge", "Provider A", NORTHTON, "refuge", "advocacy", "generic", 6, 15,
         150000.0, "mhclg_dasa_grant", "2022-04-01", None, "in_place"),
        ("S2", "Shire community advocacy", "Provider B", SOUTHBY, "not_accommodation", "advocacy",
         "generic", 0, 0, 60000.0, "la_core", "2022-04-01", "2026-03-31", "in_place"),
        ("S3", "Neighbourton refuge", "Provider C", NEIGHBOUR, "refuge", "advocacy", "generic", 4, 10,
         100000.0, "mhclg_dasa_grant", "2022-04-01", None, "in_place"),
        ("S4", "Shire male victims dispersed", "Provider A", NORTHTON, "dispersed_refuge_level",
         "specialist_support", "male_victims", 2, 4, 40000.0, "mhclg_dasa_grant", "2024-04-01", None,
         "in_place"),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    return out


_REFERRAL_COLUMNS = [
    "referral_id", "household_id", "date", "service_id", "origin_area_code", "outcome",
    "decline_reason", "sex", "age_band", "ethnic_group", "disability", "children", "support_start",
    "support_end",
]  # fmt: skip

# fmt: off
_REFERRALS = [
    # 2024-25, Shire services
    ("R01", "H01", "2024-04-10", "S1", NORTHTON, "accepted_supported", None, "female", "25-34",
     "white_british", "disabled", 2, "2024-04-15", "2024-08-01"),
    ("R02", "H02", "2024-05-01", "S1", SOUTHBY, "unable_to_support", "no_capacity_space", "female",
     "16-19", "asian", "not_known", 1, None, None),
    ("R03", "H02", "2024-06-01", "S2", SOUTHBY, "accepted_supported", None, "female", "16-19", "asian",
     "disabled", 1, "2024-06-05", None),
    ("R04", "H03", "2024-07-01", "S1", NEIGHBOUR, "accepted_supported", None, "male", "25-34", "black",
     "not_disabled", 0, "2024-07-03", "2024-12-01"),
    ("R05", "H04", "2024-08-01", "S1", NORTHTON, "unable_to_support", "no_capacity_space", "female",
     "25-34", "not_known", "not_disabled", 3, None, None),
    ("R06", "H05", "2024-09-01", "S2", NORTHTON, "accepted_supported", None, "female", "25-34",
     "white_british", "not_disabled", 0, "2024-09-02", None),
    ("R07", "H06", "2024-10-01", "S4", SOUTHBY, "unable_to_support", "unable_to_meet_needs", "male",
     "25-34", "white_british", "disabled", 0, None, None),
    ("R08", "H07", "2024-11-01", "S1", NORTHTON, "withdrawn_by_referrer", None, "female", "not_known",
     "white_british", "not_disabled", 1, None, None),
    ("R09", "H08", "2025-01-10", "S1", NORTHTON, "pending", None, "not_known", "25-34", "mixed",
     "not_disabled", 0, None, None),
    ("R10", "H09", "2025-02-01", "S2", SOUTHBY, "accepted_supported", None, "female", "75+",
     "white_british", "disabled", 0, "2025-02-03", None),
    # 2023-24, Shire services (H10 is supported into 2024-25)
    ("R11", "H10", "2024-02-01", "S1", NORTHTON, "accepted_supported", None, "female", "25-34",
     "white_british", "not_disabled", 2, "2024-02-05", "2024-05-01"),
    ("R12", "H11", "2023-05-01", "S1", NORTHTON, "accepted_supported", None, "female", "25-34",
     "white_british", "not_disabled", 1, "2023-05-03", "2023-10-01"),
    ("R13", "H12", "2023-06-01", "S2", SOUTHBY, "accepted_supported", None, "female", "75+", "asian",
     "disabled", 0, "2023-06-02", "2023-12-01"),
    ("R14", "H13", "2023-07-01", "S1", SOUTHBY, "unable_to_support", "no_capacity_space", "female",
     "25-34", "white_british", "not_disabled", 2, None, None),
    ("R15", "H14", "2023-09-01", "S2", NORTHTON, "accepted_supported", None, "male", "25-34",
     "white_british", "not_disabled", 0, "2023-09-02", "2024-01-31"),
    ("R16", "H15", "2023-11-01", "S1", NORTHTON, "survivor_declined", None, "female", "16-19",
     "white_british", "not_disabled", 0, None, None),
    # Neighbourton (S3)
    ("R17", "H16", "2024-05-05", "S3", NEIGHBOUR, "accepted_supported", None, "female", "25-34",
     "white_british", "not_disabled", 1, "2024-05-06", "2024-09-01"),
    ("R18", "H17", "2024-06-06", "S3", NORTHTON, "unable_to_support", "no_capacity_space", "female",
     "25-34", "white_british", "not_disabled", 2, None, None),
    ("R19", "H18", "2023-08-08", "S3", NEIGHBOUR, "accepted_supported", None, "female", "25-34",
     "white_british", "not_disabled", 0, "2023-08-09", "2024-03-01"),
    ("R20", "H19", "2024-10-10", "S3", NEIGHBOUR, "accepted_supported", None, "male", "16-19",
     "white_british", "not_disabled", 0, "2024-10-11", None),
]
# fmt: on


def _referrals() -> pd.DataFrame:
    out = pd.DataFrame(_REFERRALS, columns=_REFERRAL_COLUMNS)
    for column in ("date", "support_start", "support_end"):
        out[column] = pd.to_datetime(out[column])
    out["religion"] = "not_known"
    out["sexual_orientation"] = "heterosexual"
    out["gender_identity"] = "same_as_birth_sex"
    out["pregnant"] = "no"
    for code in ADDITIONAL_NEEDS:
        out[need_column(code)] = "no"
    # Two households with a mental health need; one where it is not known.
    out.loc[out["referral_id"].isin(["R01", "R06"]), need_column("mental_health")] = "yes"
    out.loc[out["referral_id"] == "R10", need_column("mental_health")] = "not_known"
    out.loc[out["referral_id"] == "R03", "pregnant"] = "yes"
    out["end_reason"] = None
    out.loc[out["support_end"].notna(), "end_reason"] = "moved_settled_social_housing"
    out["children"] = out["children"].astype("int64")
    return out


def _funding() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [SHIRE, SHIRE, SHIRE, NEIGHBOUR],
            "period": ["2023-24", "2024-25", "2024-25", "2024-25"],
            "source": ["mhclg_dasa_grant", "mhclg_dasa_grant", "la_core", "mhclg_dasa_grant"],
            "amount": [450000.0, 500000.0, 100000.0, 300000.0],
        }
    )


def tiny_dataset() -> Dataset:
    """The hand-listed test dataset described in this module's docstring.

    Returns
    -------
    needs.inputs.dataset.Dataset
        Tables ``areas``, ``population``, ``prevalence``, ``characteristics``, ``services``,
        ``referrals`` and ``funding`` with plain-string category columns.
    """
    return Dataset(
        tables={
            "areas": _areas(),
            "population": _population(),
            "prevalence": _prevalence(),
            "characteristics": _characteristics(),
            "services": _services(),
            "referrals": _referrals(),
            "funding": _funding(),
        }
    )


#: Periods of the synthetic multi-area folders.
SMALL_AREAS_PERIODS = ("2022-23", "2023-24")


def small_areas_dataset(
    folder: str | Path,
    codes: Sequence[str],
    *,
    referrals: int = 1500,
    no_data: Sequence[str] = (),
    seed: int = 7,
) -> Path:
    """Write a synthetic data folder holding only the tier-one unitary areas ``codes``.

    Areas, population, Census characteristics, services and funding are the rows of
    :func:`needs.synth.national.national_dataset` for these areas; ``referrals`` fresh referral
    records (periods 2022-23 and 2023-24) are drawn for their services with
    :func:`needs.synth.referrals.synthesise_referrals` (out-of-area referrals come from the other
    areas of the folder). Areas in ``no_data`` keep their population and Census rows but
    lose their services, funding and every household that touched them: an area with
    nothing recorded for the period.
    """
    codes = list(codes)
    national = synth.national_dataset(n_referrals=20_000, periods=SMALL_AREAS_PERIODS, seed=seed)
    tables = {
        name: national[name][national[name]["area_code"].isin(codes)].reset_index(drop=True)
        for name in ("areas", "population", "characteristics", "funding")
    }
    tables["prevalence"] = national["prevalence"]
    services = national["services"]
    tables["services"] = services[services["host_area_code"].isin(codes)].reset_index(drop=True)
    tables["referrals"] = synth.synthesise_referrals(
        tables["areas"],
        tables["population"],
        tables["services"],
        list(SMALL_AREAS_PERIODS),
        characteristics=tables["characteristics"],
        prevalence=tables["prevalence"],
        n_referrals=referrals,
        seed=seed,
    )
    if no_data:
        records = tables["referrals"]
        host = records["service_id"].map(tables["services"].set_index("service_id")["host_area_code"])
        touching = host.isin(no_data) | records["origin_area_code"].isin(no_data)
        households = records.loc[touching, "household_id"]
        tables["referrals"] = records[~records["household_id"].isin(households)].reset_index(drop=True)
        for name, column in (("services", "host_area_code"), ("funding", "area_code")):
            frame = tables[name]
            tables[name] = frame[~frame[column].isin(no_data)].reset_index(drop=True)
    metadata = {
        "title": "Synthetic multi-area test data",
        "authority": "Synthetic",
        "data_date": str(period_end(SMALL_AREAS_PERIODS[-1]).date()),
        "demonstration": True,
    }
    return synth.write_dataset(tables, folder, metadata)


def notebook_with_cell(notebook: Path, out: Path, source: str, cell_id: str, after: Callable[[Any], bool]) -> Path:
    """A copy of ``notebook`` at ``out`` with a code cell ``source`` inserted after the first
    cell for which ``after(cell)`` is true (for renders that must fail, or leak, on purpose)."""
    import nbformat  # heavy: only the render tests need it

    nb = nbformat.read(str(notebook), as_version=4)
    index = next(i for i, cell in enumerate(nb.cells) if after(cell))
    cell = nbformat.v4.new_code_cell(source)
    cell["id"] = cell_id
    nb.cells.insert(index + 1, cell)
    nbformat.write(nb, str(out))
    return out
