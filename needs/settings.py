"""One settings object for a run, from the command line or from Python to every worker and notebook.

:class:`RunSettings` is built once (by the command line, or by a caller in Python) and passed
unchanged to single-area rendering, all-areas rendering (every worker, in a process pool or
on a Dask cluster), the annual return, scenarios and the notebooks' parameters. Every default
is declared here or in :mod:`needs.reference.constants`, once.

Choosing the area and the period is one rule for every command (:meth:`RunSettings.resolve`):

- **area**: the one asked for; else ``area_code`` in the data folder's ``dataset.yaml``; else
  the data's only tier-one area with population; else :class:`needs.errors.InputError`
  (exit 2) listing the choices;
- **period**: the one asked for; else the latest financial year in which a referral is dated.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.inputs.limits import DEFAULT_LIMITS, ReadLimits
from needs.reference.categories import ACCOMMODATION_TYPES, COE_DEFAULT_TYPES, TIER_ONE_AREA_TYPES
from needs.reference.constants import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    DEFAULT_SUPPRESS_BELOW,
    DEFAULT_TARGET_TURNAWAY,
)
from needs.reference.locations import example_data
from needs.reference.periods import is_period, period_of_dates

__all__ = [
    "DEFAULT_OUT",
    "RunSettings",
    "check_writable_file",
    "check_writable_folder",
    "choose_area",
    "latest_period",
]

#: Output folder of reports and returns, relative to the working directory.
DEFAULT_OUT = Path("reports")

#: How many area codes an error message lists before "and N more".
_LISTED = 10


def _listing(codes: Sequence[str], dataset: Dataset) -> str:
    shown = ", ".join(f"{code} ({dataset.area_name(code)})" for code in codes[:_LISTED])
    more = f" and {len(codes) - _LISTED} more" if len(codes) > _LISTED else ""
    return (shown + more) or "none"


def choose_area(dataset: Dataset, area: str | None, *, need_population: bool = True) -> str:
    """The tier-one area to assess, by the one rule every command follows.

    Parameters
    ----------
    dataset
        The loaded data.
    area
        The area code asked for, or ``None``: then ``area_code`` in ``dataset.yaml``, else the
        data's only tier-one area with population.
    need_population
        Refuse a tier-one area that has no population rows (the assessment needs them; the
        annual return does not).

    Returns
    -------
    str
        A tier-one area code of the data that has population.

    Raises
    ------
    needs.errors.InputError
        The area is unknown, is not a tier-one authority (the message names its tier-one
        area), has no population, or none can be chosen (the message lists the choices).
    """
    areas = dataset.tables["areas"]
    codes = areas["area_code"].astype(str)
    tier_one = sorted(codes[areas["area_type"].astype(str).isin(TIER_ONE_AREA_TYPES).to_numpy()])
    assessable = sorted(dataset.tier_one_areas()["area_code"].astype(str)) if dataset.has("population") else []
    by_population = need_population or bool(assessable)
    choices = assessable if by_population else tier_one
    source = "--area"
    if area is None and dataset.metadata.get("area_code"):
        area, source = str(dataset.metadata["area_code"]), "area_code in dataset.yaml"
    if area is None:
        if len(choices) == 1:
            return choices[0]
        raise InputError(
            f"the data hold {len(choices)} tier-one areas{' with population' if by_population else ''}; "
            f"choose one with --area or set area_code in dataset.yaml ({_listing(choices, dataset)})"
        )
    if area in assessable or (not need_population and area in tier_one):
        return area
    if area not in set(codes):
        raise InputError(
            f"{source}: area '{area}' is not a tier-one area of the data (it is not in the areas table); "
            f"tier-one areas in the data: {_listing(choices, dataset)}"
        )
    row = areas[(codes == area).to_numpy()].iloc[0]
    if str(row["area_type"]) not in TIER_ONE_AREA_TYPES:
        parent = row["parent_code"]
        named = f" ({parent})" if isinstance(parent, str) and parent else ""
        raise InputError(
            f"{source}: area '{area}' ({dataset.area_name(area)}) is a {row['area_type']}, not a tier-one "
            f"authority; the assessment is made by its tier-one authority{named}"
        )
    raise InputError(
        f"{source}: area '{area}' ({dataset.area_name(area)}) has no population rows; tier-one areas with "
        f"population: {_listing(assessable, dataset)}"
    )


def latest_period(dataset: Dataset) -> str:
    """The latest financial year in which a referral is dated.

    Raises
    ------
    needs.errors.InputError
        No referral has a date, so no period can be chosen.
    """
    periods = period_of_dates(dataset.tables["referrals"]["date"]).dropna()
    if periods.empty:
        raise InputError("no referral is dated, so no period can be chosen; give one with --period")
    return str(periods.max())


def check_writable_folder(path: str | Path, option: str = "--out") -> Path:
    """Check that the output folder ``path`` can be written, or created and written.

    Nothing is created: the folder itself if it exists, else its nearest existing parent,
    must be a folder in which this process can create a file (tried with a temporary file,
    removed at once, so a read-only filesystem is caught too, even for root).

    Returns
    -------
    pathlib.Path
        ``path``, absolute.

    Raises
    ------
    needs.errors.InputError
        ``path`` is a file, sits under a file, or cannot be written or created (exit 2),
        naming ``option`` and the path.
    """
    path = Path(path).absolute()
    _check_folder(path, f"{option} {path}", "create this folder")
    return path


def check_writable_file(path: str | Path, option: str = "--out") -> Path:
    """Check that the output file ``path`` can be written: it is not a folder, and its folder
    can be written or created (as :func:`check_writable_folder`). Returns ``path``, absolute.

    Raises
    ------
    needs.errors.InputError
        Naming ``option`` and the path (exit 2).
    """
    path = Path(path).absolute()
    if path.is_dir():
        raise InputError(f"{option} {path}: this is a folder; give the name of the file to write")
    _check_folder(path.parent, f"{option} {path}", "write this file")
    return path


def _check_folder(folder: Path, given: str, action: str) -> None:
    """Raise :class:`InputError` starting with ``given`` ("cannot ``action``") unless
    ``folder`` is, or can be created as, a folder this process can write in."""
    existing = folder
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
    except OSError as error:  # e.g. a parent folder that cannot be searched
        raise InputError(f"{given}: cannot {action} ({error.strerror or error})") from None
    if not existing.is_dir():
        if existing == folder and action == "create this folder":
            raise InputError(f"{given}: this is a file, not a folder; give a folder for the output")
        raise InputError(f"{given}: cannot {action}, because {existing} is a file, not a folder")
    try:
        handle, probe = tempfile.mkstemp(prefix=".needs-write-check.", suffix=".tmp", dir=existing)
    except OSError as error:
        reason = error.strerror or str(error)
        if existing == folder and action == "create this folder":
            raise InputError(f"{given}: cannot write in this folder ({reason})") from None
        raise InputError(f"{given}: cannot {action} in {existing} ({reason})") from None
    os.close(handle)
    os.unlink(probe)


def _number(name: str, value: Any, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not low < number < high:
        raise InputError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return number


@dataclass(frozen=True)
class RunSettings:
    """Every option of a run, with its default.

    Attributes
    ----------
    data_dir
        Data folder (default: the embedded demonstration data).
    area
        Tier-one area code, or ``None`` to choose by the rule in :func:`choose_area`.
    period
        Financial year such as ``2023-24``, or ``None`` for :func:`latest_period`.
    out_dir
        Output folder (default ``reports/``).
    scenarios
        Scenario YAML files (absolute paths once built).
    suppress_below
        Disclosure threshold: counts from 1 to ``suppress_below - 1`` are hidden.
    confidence
        Confidence level of every interval.
    coe_types
        Accommodation types counted towards the Council of Europe benchmark.
    target_turnaway
        Target share of households turned away for lack of space when sizing capacity.
    seed
        Seed of every random draw (Monte Carlo intervals, synthetic data).
    timestamp
        Print the time of rendering in the report (off: the same inputs give the same bytes).
    limits
        Read limits raised above :data:`needs.inputs.limits.DEFAULT_LIMITS`, as
        ``NAME=VALUE`` strings (``--limit rows=10000000``); kept in canonical form (only the
        limits that differ from the defaults). :attr:`read_limits` gives the
        :class:`~needs.inputs.limits.ReadLimits` every :func:`needs.load` of the run uses.

    Values are checked when the object is made; a bad one raises
    :class:`needs.errors.InputError` naming the option (exit 2 on the command line).
    """

    data_dir: Path = field(default_factory=example_data)
    area: str | None = None
    period: str | None = None
    out_dir: Path = DEFAULT_OUT
    scenarios: tuple[Path, ...] = ()
    suppress_below: int = DEFAULT_SUPPRESS_BELOW
    confidence: float = DEFAULT_CONFIDENCE
    coe_types: tuple[str, ...] = COE_DEFAULT_TYPES
    target_turnaway: float = DEFAULT_TARGET_TURNAWAY
    seed: int = DEFAULT_SEED
    timestamp: bool = False
    limits: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("data_dir", Path(self.data_dir).resolve())
        put("out_dir", Path(self.out_dir))
        if isinstance(self.scenarios, str | Path):
            raise InputError("scenarios: expected a list of scenario files, not one path")
        put("scenarios", tuple(Path(path).resolve() for path in self.scenarios))
        if self.area is not None:
            put("area", str(self.area))
        if self.period is not None and not is_period(self.period):
            raise InputError(f"period '{self.period}' is not a financial year such as 2023-24")
        threshold = self.suppress_below
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            raise InputError(f"--suppress-below must be a whole number of at least 1, got {threshold!r}")
        put("confidence", _number("--confidence", self.confidence, 0, 1))
        put("target_turnaway", _number("--target-turnaway", self.target_turnaway, 0, 1))
        if isinstance(self.coe_types, str):
            raise InputError("--coe-types: expected a list of accommodation types, not one string")
        coe_types = tuple(str(code) for code in self.coe_types)
        unknown = sorted(set(coe_types) - set(ACCOMMODATION_TYPES.codes))
        if unknown or not coe_types:
            raise InputError(
                f"--coe-types: unknown accommodation types {', '.join(unknown) or '(none given)'}; "
                f"expected some of {', '.join(ACCOMMODATION_TYPES.codes)}"
            )
        put("coe_types", coe_types)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"--seed must be a whole number of at least 0, got {self.seed!r}")
        put("timestamp", bool(self.timestamp))
        if isinstance(self.limits, str):
            raise InputError("--limit: expected a list of NAME=VALUE options, not one string")
        put("limits", tuple(DEFAULT_LIMITS.raised(self.limits).as_options()))

    @classmethod
    def from_options(cls, **options: Any) -> RunSettings:
        """Settings from keyword options where ``None`` means "the default" (as argparse gives)."""
        names = {item.name for item in dataclasses.fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise TypeError(f"unknown settings {', '.join(unknown)}; expected some of {', '.join(sorted(names))}")
        return cls(**{name: value for name, value in options.items() if value is not None})

    def replace(self, **changes: Any) -> RunSettings:
        """A copy with some settings changed (checked again)."""
        return dataclasses.replace(self, **changes)

    @property
    def read_limits(self) -> ReadLimits:
        """The read limits of this run: the defaults raised by :attr:`limits`."""
        return DEFAULT_LIMITS.raised(self.limits)

    def check_files(self) -> None:
        """Raise :class:`InputError` for a missing data folder or scenario file."""
        if not self.data_dir.is_dir():
            raise InputError(f"data folder not found: {self.data_dir}")
        for path in self.scenarios:
            if not path.is_file():
                raise InputError(f"scenario file not found: {path}")

    def check_out_dir(self) -> Path:
        """Raise :class:`InputError` (exit 2) unless the output folder can be written, or
        created and written (:func:`check_writable_folder`); nothing is created here.
        Returns the output folder, absolute."""
        return check_writable_folder(self.out_dir, "--out")

    def resolve(self, dataset: Dataset) -> RunSettings:
        """These settings with the area and the period chosen for ``dataset`` (see the module)."""
        return self.replace(
            area=choose_area(dataset, self.area),
            period=self.period if self.period is not None else latest_period(dataset),
        )

    def to_parameters(self) -> dict[str, Any]:
        """The settings as plain JSON values (papermill parameters, Dask and process workers)."""
        values = dataclasses.asdict(self)
        values["data_dir"] = str(self.data_dir)
        values["out_dir"] = str(self.out_dir)
        values["scenarios"] = [str(path) for path in self.scenarios]
        values["coe_types"] = list(self.coe_types)
        values["limits"] = list(self.limits)
        return values

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> RunSettings:
        """Settings from :meth:`to_parameters` (a notebook's parameters cell, a worker task)."""
        names = {item.name for item in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in parameters.items() if name in names})

    def assessment_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`needs.assess` and :func:`needs.assess_all`."""
        return {
            "confidence": self.confidence,
            "coe_types": self.coe_types,
            "target_turnaway": self.target_turnaway,
        }

    def described(self, area_name: str | None = None) -> list[tuple[str, str]]:
        """The settings a reader needs, as (label, value) rows for the report's provenance;
        the area as "name (code)" when ``area_name`` is given."""
        return [
            ("Data folder", self.data_dir.name),
            ("Area", f"{area_name} ({self.area})" if area_name else str(self.area)),
            ("Period", str(self.period)),
            ("Scenarios", ", ".join(path.name for path in self.scenarios) or "none"),
            ("Suppress counts below", str(self.suppress_below)),
            ("Confidence level", f"{100 * self.confidence:g}%"),
            ("Types counted towards the Council of Europe benchmark", ", ".join(self.coe_types)),
            ("Target share turned away", f"{100 * self.target_turnaway:g}%"),
            ("Time of rendering shown", "yes" if self.timestamp else "no"),
        ]

