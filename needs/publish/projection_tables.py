"""Published tables of projected need for the strategy period (:mod:`needs.assessment.projection`).

The two tables are declared in :mod:`needs.publish.projection_specs`; :meth:`ProjectionTables.projection`
shows them with the chart, or says plainly that no projection was provided.
"""

from __future__ import annotations

from needs.publish.base import PublicationBase
from needs.publish.charts import projection_chart, render, table_id
from needs.publish.publisher import declared
from needs.publish.tables import Html


class ProjectionTables(PublicationBase):
    """Published tables of projected need: expected victims and modelled units needed for the
    next three financial years."""

    projected_victims = declared("projected_victims")
    projected_units = declared("projected_units")

    def projection(self) -> Html:
        """The section's body: projected expected victims (table and chart) and modelled units
        needed by accommodation type; without a population projection, a visible "not
        provided" note (and each table's own "not provided" message) instead."""
        victims = self.projected_victims
        parts = [victims.to_html()]
        if len(victims):
            parts.append(
                render(
                    projection_chart(victims.data, where=self.area_name),
                    table_id=table_id(victims, "projected_victims"),
                ).to_html()
            )
        parts.append(self.projected_units.to_html())
        return Html("\n".join(parts))
