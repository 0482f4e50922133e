"""The validated dataset object that every calculation takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from needs.reference import categories as cat


@dataclass(frozen=True)
class InputFile:
    """A file read into the dataset, with its SHA-256 for the report's provenance footer."""

    path: Path
    sha256: str
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    """Validated input tables of one data folder.

    Tables are tidy DataFrames whose columns follow :data:`needs.reference.schema.TABLES`: category
    columns are pandas ``Categorical`` with the codes of :mod:`needs.reference.categories`, dates
    are ``datetime64``, counts are integers. Optional tables that were not supplied are
    absent from ``tables``.

    ``warnings`` are the loader's warnings as ``needs validate`` prints them (they name files,
    sheets and headings: for the analyst, not for publication). ``warning_kinds`` holds, for
    each warning in the same order, its kind (one of :data:`needs.inputs.validate.WARNING_KINDS`)
    and the table it concerns (``None`` when it concerns none), so that a report can count
    warnings by kind without repeating any text the user supplied.

    A table may be supplied by several files or sheets, one per provider
    (:mod:`needs.inputs.load`). ``provenance`` counts the rows of each table by source
    (columns of :data:`needs.inputs.validate.PROVENANCE_COLUMNS`: ``table``, ``provider``,
    ``source``, ``rows``, ``duplicates``, ``rows_with_warnings``; ``None`` for a dataset built
    in memory), and ``providers`` gives, for each table read from files, the provider of each
    of its rows (``""`` where the source names none), aligned with the table's rows.
    """

    tables: dict[str, pd.DataFrame]
    folder: Path | None = None
    files: tuple[InputFile, ...] = ()
    warnings: tuple[str, ...] = ()
    metadata: dict = field(default_factory=dict)
    warning_kinds: tuple[tuple[str, str | None], ...] = ()
    provenance: pd.DataFrame | None = None
    providers: dict[str, pd.Categorical] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def has(self, table: str) -> bool:
        return table in self.tables

    @property
    def demonstration(self) -> bool:
        """True for the embedded synthetic example (shown as a notice in reports)."""
        return bool(self.metadata.get("demonstration", False))

    def area_name(self, area_code: str) -> str:
        names = self.tables["areas"].set_index("area_code")["area_name"]
        return str(names.get(area_code, area_code))

    def tier_one_areas(self) -> pd.DataFrame:
        """Areas that are tier-one authorities and have population (so can be assessed)."""
        areas = self.tables["areas"]
        tier_one = areas[areas["area_type"].astype(str).isin(cat.TIER_ONE_AREA_TYPES)]
        covered = set(self.base_area_parents()["tier_one_code"])
        return tier_one[tier_one["area_code"].isin(covered)].reset_index(drop=True)

    def base_area_parents(self) -> pd.DataFrame:
        """Each area that holds population rows, with the tier-one area it belongs to.

        Returns columns ``area_code`` and ``tier_one_code`` (an area with no parent is its
        own tier-one area).
        """
        areas = self.tables["areas"][["area_code", "parent_code"]].copy()
        areas["tier_one_code"] = areas["parent_code"].where(
            areas["parent_code"].notna() & (areas["parent_code"].astype(str) != ""), areas["area_code"]
        )
        with_population = self.tables["population"]["area_code"].unique()
        return areas.loc[
            areas["area_code"].isin(with_population), ["area_code", "tier_one_code"]
        ].reset_index(drop=True)

    def districts_of(self, area_code: str) -> list[str]:
        """Codes of the areas whose population rows make up ``area_code``."""
        parents = self.base_area_parents()
        return sorted(parents.loc[parents["tier_one_code"] == area_code, "area_code"].astype(str))
