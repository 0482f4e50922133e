"""Published tables of referrals, outcomes, declines, unmet need and cross-border flows."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import pandas as pd

from needs.methods.disclosure import suppress_crosstab
from needs.publish.base import REASON_PREFIX, UNABLE, PublicationBase, characteristic_order, first_row
from needs.publish.charts import (
    decline_reasons_chart,
    render,
)
from needs.publish.formatting import (
    ALL,
    code_label,
    format_count,
    format_interval,
    is_missing,
    is_symbol,
)
from needs.publish.tables import (
    Column,
    PublishedTable,
    measure_table,
    publish,
)
from needs.reference import categories as cat
from needs.reference.constants import (
    SYMBOL_CONFIDENTIAL,
)


class ReferralTables(PublicationBase):
    """Published tables of referrals, outcomes, declines, unmet need and cross-border flows."""

    def _wide(self, part: str, column: str, codes: Sequence[str]) -> pd.DataFrame:
        """Counts of a long part as accommodation type x ``column`` (no ``all`` rows)."""
        frame = self._part(part)
        if frame.empty:
            return pd.DataFrame()
        body = frame[frame["accommodation_type"].astype(str) != ALL]
        wide = body.pivot_table(
            index="accommodation_type", columns=column, values="count", aggfunc="sum", observed=True
        ).fillna(0)
        wide.index = wide.index.astype(str)
        wide.columns = wide.columns.astype(str)
        return wide[[c for c in codes if c in wide.columns]]

    @cached_property
    def _referrals_crosstab(self) -> pd.DataFrame:
        """Referrals by accommodation type and outcome, "unable to support" split by reason.

        Outcomes and decline reasons share the "unable to support" counts, so they are
        suppressed together as one two-way table: published separately, a cell hidden in
        one could be recovered from the totals of the other.
        """
        outcomes = self._wide("outcomes", "outcome", [c for c in cat.REFERRAL_OUTCOMES.codes if c != UNABLE])
        reasons = self._wide("decline_reasons", "reason", cat.DECLINE_REASONS.codes)
        reasons.columns = [REASON_PREFIX + c for c in reasons.columns]
        wide = outcomes.join(reasons, how="outer").fillna(0)
        if wide.empty:
            return pd.DataFrame()
        wide = wide.loc[[t for t in cat.ACCOMMODATION_TYPES.codes if t in wide.index]]
        wide = wide.loc[wide.sum(axis=1) > 0]
        return suppress_crosstab(wide, threshold=self.threshold, margins_name=ALL)

    def _crosstab_table(self, crosstab: pd.DataFrame, column: str, caption: str) -> PublishedTable:
        if crosstab.empty:
            return PublishedTable(pd.DataFrame(), caption)
        frame = pd.DataFrame(
            {"Accommodation type": [code_label("accommodation_type", t) for t in crosstab.index]}
        )
        headings = []
        for code in crosstab.columns:
            if code == ALL:
                heading = "Total"
            elif code.startswith(REASON_PREFIX):
                heading = "Unable to support: " + code_label("reason", code.removeprefix(REASON_PREFIX))
            else:
                heading = code_label(column, code)
            headings.append(heading)
            frame[heading] = [format_count(v) for v in crosstab[code]]
        return PublishedTable(
            frame=frame,
            caption=caption,
            data=crosstab,
            counts=tuple(headings),
            row_header="Accommodation type",
        )

    @cached_property
    def _outcomes_crosstab(self) -> pd.DataFrame:
        return self._referrals_crosstab

    @cached_property
    def outcomes(self) -> PublishedTable:
        """Referrals by accommodation type and outcome (two-way suppression)."""
        return self._crosstab_table(
            self._outcomes_crosstab,
            "outcome",
            f"Referrals made in the period by accommodation type and outcome, {self._where()}",
        )

    def _shares_of_all(self, part: str, column: str, crosstab: pd.DataFrame) -> pd.DataFrame:
        """The ``all`` rows of a long part, with counts as published in the crosstab."""
        frame = self._part(part)
        if frame.empty:
            return frame
        rows = frame[frame["accommodation_type"].astype(str) == ALL].copy()
        if not crosstab.empty and ALL in crosstab.index:
            published = crosstab.loc[ALL]
            reasons = [c for c in published.index if str(c).startswith(REASON_PREFIX)]
            unable = (
                SYMBOL_CONFIDENTIAL
                if any(is_symbol(published[c]) for c in reasons)
                else sum(published[c] for c in reasons)
            )
            rows["count"] = [
                unable
                if code == UNABLE
                else published.get(str(code), published.get(REASON_PREFIX + str(code), 0))
                for code in rows[column].astype(str)
            ]
            # The number of decided referrals adds up the decided columns' totals: hide it if
            # any of them is hidden, or it would give that total away.
            decided = [c for c in published.index if c in cat.DECIDED_OUTCOMES or c in reasons]
            if any(is_symbol(published[c]) for c in decided):
                rows["denominator"] = SYMBOL_CONFIDENTIAL
        derived = [c for c in ("share", "lower", "upper") if c in rows.columns]
        return self._suppress(
            rows, ["count", "denominator"], derived={"count": derived, "denominator": derived}
        )

    @cached_property
    def outcome_shares(self) -> PublishedTable:
        """Outcomes of decided referrals, all accommodation types."""
        table = self._shares_of_all("outcomes", "outcome", self._outcomes_crosstab)
        if not table.empty:
            table = table[table["share"].map(lambda v: not is_missing(v))]
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
    def _declines_crosstab(self) -> pd.DataFrame:
        """The reason columns of the joint table, without a row total (which would repeat
        the "unable to support" count the joint table does not publish)."""
        crosstab = self._referrals_crosstab
        if crosstab.empty:
            return crosstab
        reasons = [c for c in crosstab.columns if str(c).startswith(REASON_PREFIX)]
        out = crosstab[reasons].copy()
        out.columns = [str(c).removeprefix(REASON_PREFIX) for c in reasons]
        return out

    @cached_property
    def decline_reasons(self) -> PublishedTable:
        """Referrals a service could not support, by accommodation type and reason."""
        return self._crosstab_table(
            self._declines_crosstab,
            "reason",
            f"Referrals services were unable to support, by accommodation type and reason, {self._where()}",
        )

    @cached_property
    def decline_reason_shares(self) -> PublishedTable:
        """Decline reasons as shares of decided referrals, all accommodation types."""
        table = self._shares_of_all("decline_reasons", "reason", self._referrals_crosstab)
        return publish(
            table,
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
        part = self._part("declines_by_group")
        if not part.empty:
            part = part.sort_values(["characteristic"], key=characteristic_order, kind="stable")
        derived = ["share", "lower", "upper"]
        table = self._suppress(
            part,
            ["declined", "decided"],
            derived={"declined": derived, "decided": derived},
            within=["area_code", "characteristic"],
        )
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
        part = self._part("unmet")
        derived = [c for c in ("unmet_share", "lower", "upper") if c in part.columns]
        counts = [
            "households_referred",
            "households_supported",
            "households_unmet",
            "households_unmet_capacity",
        ]
        return self._suppress(
            part, counts, derived={"households_unmet": derived, "households_referred": derived}
        )

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
        part = self._part("cross_border")
        if not part.empty:
            part = part.sort_values(["origin_name", "origin_area_code"], kind="stable")
        table = self._suppress(part, ["referrals", "households"], within=["area_code"])
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
        part = self._part("out_of_area")
        derived = [c for c in ("share", "lower", "upper") if c in part.columns]
        table = self._suppress(
            part, ["count", "denominator"], derived={"count": derived, "denominator": derived}
        )
        return publish(
            table,
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
