"""Synthetic dataset folders: reading the example's tables, making a synthetic dataset and
writing it as CSV files with a ``dataset.yaml`` (used by ``needs synth`` and
``data/build_example.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from needs.reference import schema
from needs.reference.constants import DEFAULT_SEED
from needs.reference.locations import example_data
from needs.reference.periods import period_end
from needs.synth.national import national_dataset
from needs.synth.referrals import synthesise_referrals

__all__ = ["example_tables", "synthetic_dataset", "write_dataset"]


def write_dataset(
    tables: Mapping[str, pd.DataFrame], folder: str | Path, metadata: Mapping | None = None
) -> Path:
    """Write ``tables`` as one CSV per table (and ``dataset.yaml`` from ``metadata``).

    Columns follow the schema order; dates are written ``YYYY-MM-DD``, booleans
    ``true``/``false``, blanks as empty cells. Writing the same tables twice gives
    byte-identical files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        out = frame.copy()
        if name in schema.TABLES:
            known = [c for c in schema.TABLES[name].column_names if c in out.columns]
            out = out[known + [c for c in out.columns if c not in known]]
            for column in schema.TABLES[name].columns:
                if column.name not in out.columns:
                    continue
                if column.kind == "bool":
                    values = out[column.name]
                    out[column.name] = np.where(
                        values.isna(), "", np.where(values.astype(bool), "true", "false")
                    )
                elif column.kind == "date":
                    out[column.name] = pd.to_datetime(out[column.name]).dt.strftime("%Y-%m-%d")
        out.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    if metadata is not None:
        with open(folder / "dataset.yaml", "w", encoding="utf-8") as handle:
            yaml.safe_dump(dict(metadata), handle, sort_keys=False, allow_unicode=True)
    return folder


def example_tables(folder: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The example's tables other than referrals, read from ``data/example`` with pandas."""
    folder = Path(folder) if folder is not None else example_data()
    tables = {}
    for name in ("areas", "population", "prevalence", "characteristics", "services", "funding"):
        frame = pd.read_csv(folder / f"{name}.csv", dtype={"period": str, "parent_code": str})
        for column in schema.TABLES[name].columns:
            if column.kind == "date" and column.name in frame:
                frame[column.name] = pd.to_datetime(frame[column.name])
        tables[name] = frame
    return tables


def synthetic_dataset(
    *, national: bool = False, n_referrals: int | None = None, seed: int = DEFAULT_SEED
) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """A synthetic dataset's tables and its ``dataset.yaml`` metadata (for :func:`write_dataset`).

    With ``national``: :func:`~needs.synth.national.national_dataset` (default 100,000
    referrals). Without: the example's areas, population, services and funding with fresh
    synthetic referrals (uncalibrated; default volume from population and prevalence, or
    ``n_referrals``).
    """
    if national:
        n = int(n_referrals) if n_referrals else 100_000
        tables = national_dataset(n_referrals=n, seed=seed)
        metadata = {
            "title": "Synthetic national dataset (England)",
            "authority": "Synthetic",
            "data_date": str(period_end("2023-24").date()),
            "demonstration": True,
            "description": f"Synthetic referrals ({n:,}) for every tier-one area in England, made by needs.synth "
            f"with seed {seed}. Area codes, names and all-age populations are real; everything else is synthetic.",
        }
        return tables, metadata
    tables = example_tables()
    periods = ["2022-23", "2023-24"]
    tables["referrals"] = synthesise_referrals(
        tables["areas"], tables["population"], tables["services"], periods,
        characteristics=tables["characteristics"], prevalence=tables["prevalence"],
        n_referrals=int(n_referrals) if n_referrals else None, seed=seed,
    )  # fmt: skip
    metadata = {
        "title": "Synthetic referrals for the Leicestershire example",
        "authority": "Leicestershire County Council",
        "area_code": "E10000018",
        "data_date": str(period_end(periods[-1]).date()),
        "demonstration": True,
        "description": f"The example's published tables with synthetic referrals made by needs.synth, seed {seed}.",
    }
    return tables, metadata
