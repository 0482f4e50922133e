"""Published tables of provision and capacity: benchmark, throughput, loss model, gaps."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from needs.publish.base import PublicationBase, first_row
from needs.publish.charts import (
    capacity_chart,
    render,
)
from needs.publish.formatting import (
    code_label,
)
from needs.publish.tables import (
    Column,
    PublishedTable,
    measure_table,
    publish,
    sort_codes,
)
from needs.reference import categories as cat


class CapacityTables(PublicationBase):
    """Published tables of provision and capacity: benchmark, throughput, loss model, gaps."""

    @cached_property
    def provision(self) -> PublishedTable:
        """Commissioned services, units and bedspaces by type and specialism."""
        part = self._part("provision")
        if not part.empty:
            part = sort_codes(part, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        table = self._suppress(part)
        return publish(
            table,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Specialism", "specialism", "label"),
                Column("Services", "services", "integer"),
                Column("Units", "units", "integer"),
                Column("Bedspaces", "bedspaces", "integer"),
                Column("Annual cost", "annual_cost", "money"),
            ],
            f"Commissioned provision by accommodation type and specialism, {self._where()}",
            row_header="Accommodation type",
        )

    @cached_property
    def _benchmark(self) -> dict[str, Any]:
        return first_row(self._suppress(self._part("benchmark")))

    @cached_property
    def benchmark(self) -> PublishedTable:
        """The Council of Europe benchmark: one family place per 10,000 population."""
        row = self._benchmark
        if not row:
            return PublishedTable(pd.DataFrame(), f"Council of Europe benchmark, {self._where()}")
        types = row.get("counted_types", "")
        if isinstance(types, (list, tuple, np.ndarray)):
            types = ", ".join(code_label("accommodation_type", t) for t in types)
        elif isinstance(types, str):
            types = ", ".join(
                code_label("accommodation_type", t.strip()) for t in types.split(",") if t.strip()
            )
        return measure_table(
            [
                ("Population", row.get("population"), "integer", False),
                ("Units the benchmark calls for", row.get("coe_target_units"), "number", False),
                ("Units counted", row.get("counted_units"), "integer", False),
                ("Gap (units)", row.get("gap_units"), "number", False),
                ("Gap as a share of the benchmark", row.get("gap_share"), "percent", False),
                ("Accommodation types counted", types, "text", False),
            ],
            f"Council of Europe benchmark of one family place per 10,000 population, {self._where()}",
        )

    @cached_property
    def throughput(self) -> PublishedTable:
        """Length of stay, occupancy and annual throughput by accommodation type."""
        table = self._published("throughput")
        if not table.empty:
            table = sort_codes(table, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        return publish(
            table,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Units", "units", "integer"),
                Column("Households supported", "households_supported", "count", count=True),
                Column("Mean stay (days)", "mean_stay_days", "integer"),
                Column("Occupancy", "occupancy", "percent"),
                Column("Households a year the units can take", "annual_throughput", "integer"),
            ],
            f"Length of stay, occupancy and throughput by accommodation type, {self._where()}",
            row_header="Accommodation type",
        )

    @cached_property
    def _erlang(self) -> pd.DataFrame:
        part = self._published("erlang")
        if not part.empty:
            part = sort_codes(part, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        return part

    @cached_property
    def erlang(self) -> PublishedTable:
        """The Erlang loss model against the observed turn-aways."""
        return publish(
            self._erlang,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Units", "units", "integer"),
                Column("Households arriving a year", "arrivals_per_year", "count", count=True),
                Column("Mean stay (days)", "mean_stay_days", "integer"),
                Column("Modelled share turned away", "modelled_turnaway", "percent"),
                Column("Declined for lack of space", "observed_capacity_declines", "count", count=True),
                Column("Decided referrals", "observed_decided", "count", count=True),
                Column("Observed share turned away for space", "observed_turnaway_share", "percent"),
                Column("Units needed for the target", "units_needed", "integer"),
                Column("Target share turned away", "target_turnaway", "percent"),
            ],
            f"Modelled and observed turn-aways for lack of space (Erlang loss model), {self._where()}",
            row_header="Accommodation type",
        )

    @cached_property
    def gaps(self) -> PublishedTable:
        """The costed gap table: units needed against units in place."""
        part = self._part("gaps")
        if not part.empty:
            part = sort_codes(part, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        table = self._suppress(part)
        return publish(
            table,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Specialism", "specialism", "label"),
                Column("Units", "units", "integer"),
                Column("Units needed", "units_needed", "integer"),
                Column("Gap (units)", "gap_units", "integer"),
                Column("Cost per unit a year", "cost_per_unit", "money"),
                Column("Annual cost to close the gap", "annual_cost_to_close", "money"),
            ],
            f"Gap between units in place and units needed, with its cost, {self._where()}",
            row_header="Accommodation type",
        )

    def capacity_chart(self):
        """Chart of units in place against the benchmark and the modelled need."""
        return render(capacity_chart(self._benchmark, self._erlang, where=self._where()))

    # -- funding ---------------------------------------------------------------------------
