"""Published tables of expected need and of who is supported and who is missing.

The regular tables are declared in :data:`needs.publish.table_specs.TABLE_SPECS`; here are
the ones asked for with a characteristic or basis, and the sections and charts built on them.
"""

from __future__ import annotations

import html
from functools import cached_property

import pandas as pd

from needs.assessment.representation import BASES
from needs.publish.base import PublicationBase
from needs.publish.charts import (
    render,
    representation_chart,
    table_id,
)
from needs.publish.publisher import declared
from needs.publish.tables import (
    Html,
    PublishedTable,
)
from needs.reference import categories as cat


def _check_basis(basis: str) -> None:
    if basis not in BASES:
        raise ValueError(f"basis: expected one of {', '.join(BASES)}, got {basis!r}")


class PopulationTables(PublicationBase):
    """Published tables of expected need and of who is supported and who is missing."""

    expected_victims = declared("expected_victims")
    expected_victims_area = declared("expected_victims_area")
    goodness_of_fit = declared("goodness_of_fit")
    not_known = declared("not_known")

    @cached_property
    def _representation(self) -> pd.DataFrame:
        return self._published("representation")

    def characteristics(self) -> list[str]:
        """Characteristics present in the representation part, in the report's order."""
        part = self._part("representation")
        if part.empty:
            return []
        present = set(part["characteristic"].astype(str))
        order = list(cat.CHARACTERISTIC_LABELS)
        return [c for c in order if c in present] + sorted(present - set(order))

    def representation(self, characteristic: str, basis: str = "supported") -> PublishedTable:
        """Expected against observed profile for one characteristic (``basis``: households
        ``supported`` or ``referred``; ValueError otherwise)."""
        _check_basis(basis)
        label = cat.CHARACTERISTIC_LABELS.get(characteristic, characteristic)
        return self.table("representation", characteristic=characteristic, basis=basis, label=label)

    def representation_chart(self, characteristic: str, basis: str = "supported"):
        """Chart of expected against observed shares for one characteristic."""
        table = self.representation(characteristic, basis)
        label = cat.CHARACTERISTIC_LABELS.get(characteristic, characteristic)
        return render(
            representation_chart(
                table.data, label, basis=basis, where=self._where(), confidence=self.confidence
            ),
            table_id=table_id(table, f"representation_{characteristic}_{basis}"),
        )

    def under_reached(self, basis: str = "supported") -> PublishedTable:
        """Groups reached less than expected (published only; ``basis``: households
        ``supported`` or ``referred``): ratio below 1 at 95% or 99.8%, at most
        :data:`needs.reference.constants.UNDER_REACH_MAX_RATIO`, expected share weighted by
        relative prevalence, not the majority group
        (:func:`needs.assessment.representation.representation`)."""
        _check_basis(basis)
        return self.table("under_reached", basis=basis)

    def key_characteristic(self, basis: str = "supported") -> str | None:
        """The protected characteristic the main body charts: that of the group reached least
        (the smallest published ratio of :meth:`under_reached`), else the first protected
        characteristic with a table (None when there is none)."""
        charted = [c for c in self.characteristics() if c in cat.PROTECTED_CHARACTERISTICS]
        data = self.under_reached(basis).data
        if len(data) and {"characteristic", "ratio"} <= set(data.columns):
            ratios = pd.to_numeric(data["ratio"], errors="coerce")
            rows = data[ratios.notna() & data["characteristic"].astype(str).isin(charted)]
            if len(rows):
                return str(rows.loc[ratios[rows.index].idxmin(), "characteristic"])
        present = [c for c in charted if len(self.representation(c, basis))]
        return present[0] if present else None

    def representation_summary(self, basis: str = "supported") -> Html:
        """The main body's one chart of who is reached: expected against observed shares for
        :meth:`key_characteristic` (its table and every other chart are in the appendix)."""
        characteristic = self.key_characteristic(basis)
        if characteristic is None:
            return Html("")
        return Html(self.representation_chart(characteristic, basis).to_html())

    def representation_sections(self, basis: str = "supported", *, charted: str | None = None) -> Html:
        """For every characteristic: a heading, the published table and its chart (except the
        chart of ``charted``, drawn in the main body by :meth:`representation_summary`)."""
        parts = []
        for characteristic in self.characteristics():
            label = cat.CHARACTERISTIC_LABELS.get(characteristic, characteristic)
            table = self.representation(characteristic, basis)
            parts.append(f"<h3>{html.escape(label)}</h3>")
            parts.append(table.to_html())
            if characteristic == charted:
                parts.append(
                    '<p class="see-chart">Its chart is in the section <a href="#who-is-supported-and-'
                    'who-is-missing">Who is supported and who is missing</a>.</p>'
                )
                continue
            # Charts for the protected characteristics; additional needs are yes/no flags
            # whose table says it all.
            if len(table) and characteristic in cat.PROTECTED_CHARACTERISTICS:
                parts.append(self.representation_chart(characteristic, basis).to_html())
        if not parts:
            return Html("<p>No representation figures could be computed for this area and period.</p>")
        return Html("\n".join(parts))
