"""Published tables of referrals, outcomes, declines, unmet need and cross-border flows.

The regular tables are declared in :data:`needs.publish.table_specs.TABLE_SPECS` and
:data:`~needs.publish.table_specs.MEASURE_SPECS`; here are the two crosstabs by
accommodation type (a long part pivoted, its cells the page's counts) and the decline chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import pandas as pd

from needs.publish.base import PublicationBase
from needs.publish.charts import (
    decline_reasons_chart,
    render,
    table_id,
)
from needs.publish.formatting import (
    ALL,
    code_label,
    format_count,
)
from needs.publish.publisher import declared
from needs.publish.tables import PublishedTable
from needs.reference import categories as cat


class ReferralTables(PublicationBase):
    """Published tables of referrals, outcomes, declines, unmet need and cross-border flows."""

    outcome_shares = declared("outcome_shares")
    decline_reason_shares = declared("decline_reason_shares")
    declines_by_group = declared("declines_by_group")
    unmet = declared("unmet")
    cross_border = declared("cross_border")
    out_of_area = declared("out_of_area")

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

    @cached_property
    def decline_reasons(self) -> PublishedTable:
        """Referrals a service could not support, by accommodation type and reason."""
        return self._by_type("decline_reasons", "reason", cat.DECLINE_REASONS.codes, None)

    def decline_chart(self):
        """Chart of decline reasons (published values only)."""
        table = self.decline_reason_shares
        return render(
            decline_reasons_chart(table.data, where=self._where()),
            table_id=table_id(table, "decline_reason_shares"),
        )
