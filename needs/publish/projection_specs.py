"""The counts and tables of projected need (:mod:`needs.assessment.projection`), declared once.

:data:`PROJECTION_PART_SPECS` join :data:`needs.publish.part_specs.PART_SPECS`;
:data:`PROJECTION_TABLE_SPECS` join :data:`needs.publish.table_specs.TABLE_SPECS`.

Keys (:func:`needs.publish.cells.cell_key`)
-------------------------------------------
Projected expected victims are modelled estimates (projected population x national rates):
they hold no record and no count of people, so they are registered nowhere and need no
suppression. The units needed of every year are modelled from the observed arrivals and stays
of the assessed period, exactly as the gap table's units needed are (same grain: accommodation
type x specialism), so they are registered as derived from the same keys as that table's:
``households_arriving (accommodation_type=..., specialism=...)`` (the part's
``arrivals_per_year``, the same number as the gap table's) and ``households_supported
(accommodation_type=..., specialism=...)`` (read from the gap table); the specialism is left out
of the key where the type has one specialism in the area, as there. If the page hides either,
every year's units needed of that type and specialism are hidden with it. The scaled arrivals themselves are never shown (with the published
scale they would give the observed arrivals back).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from needs.assessment.projection import ALL_TYPES, BASIS_CURRENT
from needs.publish.cells import Count, PartSpec
from needs.publish.layout import TableSpec
from needs.publish.tables import Column
from needs.reference.rounding import round_estimate

__all__ = ["PROJECTION_PART_SPECS", "PROJECTION_TABLE_SPECS"]

_UNITS_DERIVED = ("units_needed", "units_needed_lower", "units_needed_upper")


def _prepare(frame: pd.DataFrame, context: Any) -> pd.DataFrame:
    """The keys of the gap table's counts, the labels of the rows, and expected victims rounded
    (:func:`needs.reference.rounding.round_estimate`).

    ``specialism_key`` as the gap table's (``None``, the whole type, where the type has one
    specialism in the area); ``households_supported`` of each type x specialism read from the
    gap table, whose units needed are derived from it as ours are."""
    types = frame["accommodation_type"].astype(str)
    modelled = types != ALL_TYPES
    specialism = frame["specialism"].astype(str)
    rows = frame[modelled].groupby([frame["area_code"].astype(str), types])["specialism"]
    several = pd.Series(False, index=frame.index)
    several[modelled] = rows.transform("nunique").to_numpy() > 1
    gaps = getattr(context.assessment, "gaps", None)
    supported = pd.Series(np.nan, index=frame.index)
    if gaps is not None and not gaps.empty and {"specialism", "households_supported"} <= set(gaps.columns):
        lookup = gaps.set_index([gaps["accommodation_type"].astype(str), gaps["specialism"].astype(str)])[
            "households_supported"
        ]
        found = pd.MultiIndex.from_arrays([types, specialism])
        supported = pd.Series(lookup.reindex(found).to_numpy(), index=frame.index).where(modelled)
    current = frame["basis"].astype(str) == BASIS_CURRENT
    year = frame["population_year"].astype("Int64").astype(str)
    # Estimates quoted to the precision their interval supports, as the assessed year's are.
    estimated = ("expected_victims", "expected_lower", "expected_upper")
    rounded = round_estimate(*(pd.to_numeric(frame[column], errors="coerce") for column in estimated))
    return frame.assign(
        **dict(zip(estimated, rounded, strict=True)),
        specialism_key=np.where(several, specialism, None),
        households_supported=supported.to_numpy(),
        year_label=np.where(
            current,
            frame["period"].astype(str) + " (assessed year)",
            frame["period"].astype(str) + " (projected)",
        ),
        population_label=np.where(current, "mid-" + year + " estimate", "mid-" + year + " projection"),
    )


_DIMS = ("accommodation_type", "specialism:specialism_key")

PROJECTION_PART_SPECS: tuple[PartSpec, ...] = (
    PartSpec(
        "projection",
        counts=(
            Count("arrivals_per_year", "households_arriving", _DIMS, derived=_UNITS_DERIVED),
            Count(
                "households_supported",
                "households_supported",
                _DIMS,
                derived=("mean_stay_days", *_UNITS_DERIVED),
            ),
        ),
        prepare=_prepare,
    ),
)

_ASSUMPTION = (
    "Assumption: only the population changes. Prevalence by sex and age band is held at the rates "
    "used for the assessed year, and households arriving at each type of accommodation per "
    "expected victim, and their mean stay, at those observed in the assessed year."
)

PROJECTION_TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "projected_victims",
        part="projection",
        columns=(
            Column("Financial year", "year_label"),
            Column("Population", "population_label"),
            Column("Population aged 16 and over", "population_16plus", "integer"),
            Column("Expected victims", "expected_victims", "integer"),
            Column("{ci}", "expected_lower", "interval", "expected_upper", interval_kind="integer"),
            Column("Ratio to the assessed year", "scale", "ratio"),
        ),
        caption="Projected expected adult victims of domestic abuse for the next three financial years, {where}",
        row_header="Financial year",
        note="Projected population (ONS subnational population projections) x the national CSEW "
        "prevalence rates by sex and age band used for the assessed year. The interval covers "
        "national survey sampling error of those rates only: not the uncertainty of the population "
        "projection, nor local variation in prevalence. " + _ASSUMPTION,
        empty_message="Not provided: the data has no population projection (the optional "
        "population_projection table) for this area's next three financial years, so need is not "
        "projected.",
        rows=(("accommodation_type", (ALL_TYPES,)),),
        description="Projected expected victims for the next three financial years.",
    ),
    TableSpec(
        "projected_units",
        part="projection",
        columns=(
            Column("Financial year", "year_label"),
            Column("Accommodation type", "accommodation_type", "label"),
            Column("Specialism", "specialism", "label"),
            Column("Units in place", "units", "integer"),
            Column("Units needed for the target", "units_needed", "integer"),
            Column(
                "Units needed (95% interval)",
                "units_needed_lower",
                "interval",
                "units_needed_upper",
                interval_kind="integer",
            ),
            Column("Target share turned away", "target_turnaway", "percent"),
        ),  # fmt: skip
        caption="Modelled units needed by accommodation type for the next three financial years "
        "(Erlang loss model), {where}",
        row_header="Financial year",
        note="Units needed: the Erlang loss model with the assessed year's households arriving scaled "
        "by the ratio of projected to current expected victims, its mean stay and the target share "
        "turned away. The interval is the bootstrap of the loss model (Poisson arrivals, resampled "
        "stays: the chance variation of the service data) with the ratio at the limits of the "
        "prevalence interval (arrivals per expected victim held at the observed value); it leaves "
        "out the uncertainty of the population projection. Units in place are those of the assessed "
        "year. " + _ASSUMPTION,
        empty_message="Not provided: the data has no population projection for this area, so units "
        "needed are not projected.",
        drop=(("accommodation_type", (ALL_TYPES,)),),
        description="Modelled units needed by accommodation type for the next three financial years.",
    ),
)
