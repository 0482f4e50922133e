"""Published tables of funding, spend and trends.

Every table of the section is declared in :data:`needs.publish.table_specs.TABLE_SPECS` and
:data:`~needs.publish.table_specs.MEASURE_SPECS`; here are the trends by choice (overall or
by group) and the charts drawn from the tables.
"""

from __future__ import annotations

import html

import pandas as pd

from needs.publish.base import PublicationBase
from needs.publish.charts import (
    funding_chart,
    render,
    table_id,
    trends_chart,
)
from needs.publish.publisher import declared
from needs.publish.tables import Html, PublishedTable


class FundingTables(PublicationBase):
    """Published tables of funding, spend and trends."""

    funding = declared("funding")
    spend_by_service = declared("spend_by_service")
    funding_by_year = declared("funding_by_year")

    def funding_chart(self):
        """Chart of grant against committed spend by year."""
        table = self.funding_by_year
        return render(
            funding_chart(table.data, where=self.area_name), table_id=table_id(table, "funding_by_year")
        )

    def trends(self, overall: bool = True) -> PublishedTable:
        """Year-on-year change: households supported per 10,000, or the reach of each group."""
        return self.table("trends" if overall else "trends_by_group")

    def trends_chart(self):
        """Chart of the overall trend measures by year."""
        table = self.trends(overall=True)
        return render(trends_chart(table.data, where=self.area_name), table_id=table_id(table, "trends"))

    service_coverage = declared("service_coverage")

    def service_starts(self) -> Html:
        """When the services behind the trend started, so that a part-year start is not read as
        impact: the table of :func:`needs.assessment.trends.service_coverage`, led by a sentence
        naming the years that hold only part of a year of the services' work."""
        table = self.service_coverage
        frame = table.data if table.data is not None else pd.DataFrame()
        partial = frame[pd.to_numeric(frame.get("share_of_period"), errors="coerce") < 1] if len(frame) else frame
        if len(partial):
            years = ", ".join(partial["period"].astype(str))
            lead = (
                f"Read the trend with care: in {years} the area's services ran for only part of the year "
                f"(from {partial['first_start'].iloc[0]}), so a rise after "
                f"{'it' if len(partial) == 1 else 'them'} reflects services starting, not their impact."
            )
        else:
            lead = "The area's services ran for the whole of every year shown."
        return Html(f"<p>{html.escape(lead)}</p>{table.to_html()}")
