"""Published tables of funding, spend and trends."""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from needs.assessment.funding import funding_by_year
from needs.publish.base import PublicationBase, first_row
from needs.publish.charts import (
    funding_chart,
    render,
    trends_chart,
)
from needs.publish.formatting import (
    ALL,
    is_missing,
)
from needs.publish.tables import (
    Column,
    PublishedTable,
    measure_table,
    publish,
)


class FundingTables(PublicationBase):
    """Published tables of funding, spend and trends."""

    @cached_property
    def funding(self) -> PublishedTable:
        """Grant against committed spend for the period."""
        row = first_row(self._published("funding"))
        if not row:
            return PublishedTable(pd.DataFrame(), f"Funding, {self._where()}")
        return measure_table(
            [
                ("Safe accommodation grant", row.get("grant"), "money", False),
                ("Other funding", row.get("other_funding"), "money", False),
                ("Committed: contracts in place", row.get("committed_in_place"), "money", False),
                ("Committed: contracts not yet in place", row.get("committed_not_yet"), "money", False),
                ("Committed in total", row.get("committed_total"), "money", False),
                ("Uncommitted balance", row.get("uncommitted_balance"), "money", False),
                ("Households supported", row.get("households_supported"), "count", True),
                ("Cost per household supported", row.get("cost_per_household"), "money", False),
            ],
            f"Funding against committed spend, {self._where()}",
        )

    @cached_property
    def spend_by_service(self) -> PublishedTable:
        """Commissioned services and their spend in the period."""
        part = self._part("spend_by_service")
        if not part.empty:
            part = part.sort_values(["service_id"], kind="stable")
        table = self._suppress(part)
        return publish(
            table,
            [
                Column("Service", "name"),
                Column("Provider", "provider"),
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Support", "support_type", "label"),
                Column("Status", "status", "label"),
                Column("Annual cost", "annual_cost", "money"),
                Column("Committed in the period", "committed_in_period", "money"),
            ],
            f"Commissioned services and spend, {self._where()}",
            row_header="Service",
        )

    @cached_property
    def _funding_by_year(self) -> pd.DataFrame:
        if self.dataset is None:
            return pd.DataFrame()
        frame = funding_by_year(self.dataset)
        if "area_code" in frame.columns:
            frame = frame[frame["area_code"].astype(str) == self.area]
        return self._suppress(frame.sort_values("period", kind="stable").reset_index(drop=True))

    @cached_property
    def funding_by_year(self) -> PublishedTable:
        """Grant and committed spend by financial year."""
        frame = self._funding_by_year
        columns = [Column("Financial year", "period")]
        for source, heading in (
            ("grant", "Safe accommodation grant"),
            ("other_funding", "Other funding"),
            ("committed_total", "Committed spend"),
            ("uncommitted_balance", "Uncommitted balance"),
        ):
            if source in frame.columns:
                columns.append(Column(heading, source, "money"))
        return publish(
            frame,
            columns,
            f"Grant and committed spend by financial year, {self.area_name}",
            row_header="Financial year",
        )

    def funding_chart(self):
        """Chart of grant against committed spend by year."""
        return render(funding_chart(self._funding_by_year, where=self.area_name))

    # -- trends ----------------------------------------------------------------------------

    @cached_property
    def _trends(self) -> pd.DataFrame:
        part = self._published("trends")
        if part.empty:
            return part
        keys = [c for c in ("area_code", "measure", "characteristic", "category") if c in part.columns]
        return part.sort_values([*keys, "period"], kind="stable").reset_index(drop=True)

    def trends(self, overall: bool = True) -> PublishedTable:
        """Year-on-year change: households supported per 10,000, or the reach of each group."""
        data = self._trends
        if not data.empty:
            is_overall = data["characteristic"].map(lambda v: is_missing(v) or str(v) in ("", ALL))
            data = data[is_overall if overall else ~is_overall]
        ratio = [
            Column("Ratio to the previous year", "rate_ratio", "ratio"),
            Column(f"Ratio {self.ci}", "ratio_lower", "interval", "ratio_upper", interval_kind="ratio"),
        ]
        if overall:
            columns = [
                Column("Financial year", "period"),
                Column("Households supported", "count", "count", count=True),
                Column("Per 10,000 residents aged 16 and over", "value", "number"),
                Column(self.ci, "lower", "interval", "upper", interval_kind="number"),
                *ratio,
            ]
            caption = f"Households supported per 10,000 residents aged 16 and over by year, {self.area_name}"
            return publish(data, columns, caption, row_header="Financial year")
        columns = [
            Column("Characteristic", "characteristic", "label"),
            Column("Group", "category", "category"),
            Column("Financial year", "period"),
            Column("Households supported", "count", "count", count=True),
            Column("Share of households supported", "value", "percent"),
            Column(self.ci, "lower", "interval", "upper"),
            *ratio,
        ]
        caption = f"Share of households supported in each group by year, {self.area_name}"
        return publish(data, columns, caption)

    def trends_chart(self):
        """Chart of the overall trend measures by year."""
        return render(trends_chart(self.trends(overall=True).data, where=self.area_name))

    # -- summary, data and methods --------------------------------------------------------
