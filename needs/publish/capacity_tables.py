"""Published tables of provision and capacity: the capacity story, provision, benchmark,
throughput, loss model and gaps.

Every table of the section is declared in :data:`needs.publish.table_specs.TABLE_SPECS` and
:data:`~needs.publish.table_specs.MEASURE_SPECS`; here is the chart drawn from them.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from needs.publish.base import PublicationBase
from needs.publish.charts import (
    capacity_chart,
    render,
    table_id,
)
from needs.publish.publisher import declared, first_row, source
from needs.publish.tables import PublishedTable


class CapacityTables(PublicationBase):
    """Published tables of provision and capacity: the capacity story, provision, benchmark,
    throughput, loss model, gaps."""

    capacity = declared("capacity")
    provision = declared("provision")
    benchmark = declared("benchmark")
    throughput = declared("throughput")
    erlang = declared("erlang")
    gaps = declared("gaps")

    @cached_property
    def _benchmark(self) -> dict[str, Any]:
        """The published benchmark row (units counted and called for)."""
        return first_row(source("benchmark", self))

    def capacity_chart(self):
        """Chart of units in place and planned against the modelled need, and the benchmark as context
        (its data table: the loss model's, which holds the units in place and needed)."""
        table = self.erlang
        return render(
            capacity_chart(self._benchmark, table.data, where=self._where()), table_id=table_id(table, "erlang")
        )

    def capacity_story(self) -> PublishedTable:
        """One capacity table: by accommodation type and specialism, units in place, planned
        (pipeline, not counted) and needed (loss model), the gap and its annual support cost,
        throughput at the observed occupancy and capacity at full occupancy."""
        return self.capacity
