"""Published tables of referrals, outcomes, declines, unmet need and cross-border flows."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import pandas as pd

from needs.publish.base import PublicationBase, characteristic_order, first_row
from needs.publish.charts import (
    decline_reasons_chart,
    render,
)
from needs.publish.formatting import (
    ALL,
    code_label,
    format_count,
    format_interval,
)
from needs.publish.tables import (
    Column,
    PublishedTable,
    measure_table,
    publish,
)
from needs.reference import categories as cat


class ReferralTables(PublicationBase):
    """Published tables of referrals, outcomes, declines, unmet need and cross-border flows."""

    def _by_type(self, part: str, column: str, codes: Sequence[str], total: str | None) -> PublishedTable:
        """A published long part as service type x ``column`` (``[c]`` where the page hides)."""
        frame = self._published(part)
        caption = {
            "outcomes": "Referrals made in the period by accommodation type and outcome",
            "decline_reasons": "Referrals services were unable to support, by accommodation type and reason",
        }[part] + f", {self._where()}"
        if frame.empty:
            return PublishedTable(pd.DataFrame(), caption)
        wide = frame.pivot(index="accommodation_type", columns=column, values="count")
        wide.index = wide.index.astype(str)
        wide.columns = wide.columns.astype(str)
        present = [c for c in codes if c in wide.columns] + ([total] if total in wide.columns else [])
        types = [t for t in (*cat.ACCOMMODATION_TYPES.codes, ALL) if t in wide.index]
        wide = wide.loc[types, present]
        table = pd.DataFrame({"Accommodation type": [code_label("accommodation_type", t) for t in wide.index]})
        headings = []
        for code in present:
            heading = "Total" if code == total else code_label(column, code)
            headings.append(heading)
            table[heading] = [format_count(v) for v in wide[code]]
        return PublishedTable(
            frame=table, caption=caption, data=wide, counts=tuple(headings), row_header="Accommodation type"
        )

    @cached_property
    def outcomes(self) -> PublishedTable:
        """Referrals by accommodation type and outcome, with each type's total."""
        return self._by_type("outcomes", "outcome", cat.REFERRAL_OUTCOMES.codes, ALL)

    def _all_types(self, part: str) -> pd.DataFrame:
        """The rows of a published part for all accommodation types together."""
        frame = self._published(part)
        if frame.empty:
            return frame
        return frame[frame["accommodation_type"].astype(str) == ALL].reset_index(drop=True)

    @cached_property
    def outcome_shares(self) -> PublishedTable:
        """Outcomes of decided referrals, all accommodation types."""
        table = self._all_types("outcomes")
        if not table.empty:
            table = table[table["outcome"].astype(str).isin(cat.DECIDED_OUTCOMES)]
        return publish(
            table,
            [
                Column("Outcome", "outcome", "label"),
                Column("Referrals", "count", "count", count=True),
                Column("Decided referrals", "denominator", "count", count=True),
                Column("Share of decided referrals", "share", "percent"),
                Column(self.ci, "lower", "interval", "upper"),
            ],
            f"Outcomes as a share of referrals with a decision, all accommodation types, {self._where()}",
            row_header="Outcome",
        )

    @cached_property
    def decline_reasons(self) -> PublishedTable:
        """Referrals a service could not support, by accommodation type and reason."""
        return self._by_type("decline_reasons", "reason", cat.DECLINE_REASONS.codes, None)

    @cached_property
    def decline_reason_shares(self) -> PublishedTable:
        """Decline reasons as shares of decided referrals, all accommodation types."""
        return publish(
            self._all_types("decline_reasons"),
            [
                Column("Reason", "reason", "label"),
                Column("Referrals declined", "count", "count", count=True),
                Column("Decided referrals", "denominator", "count", count=True),
                Column("Share of decided referrals", "share", "percent"),
                Column(self.ci, "lower", "interval", "upper"),
                Column("Capacity-related", "capacity_related", "yes_no"),
            ],
            f"Reasons services were unable to support, as a share of decided referrals, {self._where()}",
            row_header="Reason",
        )

    def decline_chart(self):
        """Chart of decline reasons (published values only)."""
        return render(decline_reasons_chart(self.decline_reason_shares.data, where=self._where()))

    @cached_property
    def declines_by_group(self) -> PublishedTable:
        """Share of decided referrals declined, by group."""
        table = self._published("declines_by_group")
        if not table.empty:
            table = table.sort_values(["characteristic"], key=characteristic_order, kind="stable")
        return publish(
            table,
            [
                Column("Characteristic", "characteristic", "label"),
                Column("Group", "category", "category"),
                Column("Referrals declined", "declined", "count", count=True),
                Column("Decided referrals", "decided", "count", count=True),
                Column("Share declined", "share", "percent"),
                Column(self.ci, "lower", "interval", "upper"),
            ],
            f"Referrals services were unable to support, by group, {self._where()}",
        )

    @cached_property
    def _unmet(self) -> pd.DataFrame:
        return self._published("unmet")

    @cached_property
    def unmet(self) -> PublishedTable:
        """Households referred, supported and not supported anywhere (counted once)."""
        row = first_row(self._unmet)
        if not row:
            return PublishedTable(pd.DataFrame(), f"Unmet need, {self._where()}")
        return measure_table(
            [
                (
                    "Households referred to services in the area",
                    row.get("households_referred"),
                    "count",
                    True,
                ),
                ("Households supported in the area", row.get("households_supported"), "count", True),
                ("Households not supported anywhere", row.get("households_unmet"), "count", True),
                (
                    "of which turned away for lack of space",
                    row.get("households_unmet_capacity"),
                    "count",
                    True,
                ),
                ("Share of referred households not supported", row.get("unmet_share"), "percent", False),
                (self.ci, format_interval(row.get("lower"), row.get("upper")), "text", False),
            ],
            f"Households whose need went unmet, counted once however many referrals they made, {self._where()}",
        )

    # -- cross-border ----------------------------------------------------------------------

    @cached_property
    def cross_border(self) -> PublishedTable:
        """Referrals to the area's services by the household's area of origin."""
        table = self._published("cross_border")
        if not table.empty:
            table = table.sort_values(["origin_name", "origin_area_code"], kind="stable")
        return publish(
            table,
            [
                Column("Area the household came from", "origin_name"),
                Column("Area code", "origin_area_code"),
                Column("Referrals", "referrals", "count", count=True),
                Column("Households", "households", "count", count=True),
            ],
            f"Referrals to services in {self.area_name} by the household's area of origin, {self.period}",
            row_header="Area the household came from",
        )

    @cached_property
    def out_of_area(self) -> PublishedTable:
        """Referrals in from other areas and residents referred out."""
        return publish(
            self._published("out_of_area"),
            [
                Column("Direction", "direction", "label"),
                Column("Referrals", "count", "count", count=True),
                Column("Out of", "denominator", "count", count=True),
                Column("Share", "share", "percent"),
                Column(self.ci, "lower", "interval", "upper"),
            ],
            f"Referrals crossing the area's boundary, {self._where()}",
            row_header="Direction",
        )

    # -- capacity --------------------------------------------------------------------------
