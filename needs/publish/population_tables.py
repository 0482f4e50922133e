"""Published tables of expected need and of who is supported and who is missing."""

from __future__ import annotations

import html
from functools import cached_property

import pandas as pd

from needs.publish.base import PublicationBase, level_order
from needs.publish.charts import (
    render,
    representation_chart,
)
from needs.publish.fit import published_goodness_of_fit
from needs.publish.tables import (
    Column,
    Html,
    PublishedTable,
    publish,
)
from needs.reference import categories as cat


class PopulationTables(PublicationBase):
    """Published tables of expected need and of who is supported and who is missing."""

    @cached_property
    def expected_victims(self) -> PublishedTable:
        """Expected adult victims a year by geography and sex (estimates, not counts)."""
        part = self._part("expected_victims")
        if len(part):
            part = part.sort_values(["level", "geography_name", "sex"], key=level_order, kind="stable")
        table = self._suppress(part)
        return publish(
            table,
            [
                Column("Area", "geography_name"),
                Column("Level", "level", "label"),
                Column("Sex", "sex", "label"),
                Column("Population aged 16 and over", "population_16plus", "integer"),
                Column("Prevalence (CSEW, last year)", "rate", "rate"),
                Column("Expected victims", "value", "integer"),
                Column(self.ci, "lower", "interval", "upper", interval_kind="integer"),
            ],
            f"Expected adult victims of domestic abuse in a year, {self._where()}",
            row_header="Area",
            note="Expected victims are estimates: population aged 16 and over multiplied by the "
            "Crime Survey for England and Wales prevalence for the last year, so they are not "
            "counts of people and are not suppressed.",
        )

    # -- representation --------------------------------------------------------------------

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
        """Expected against observed profile for one characteristic."""
        data = self._representation
        if not data.empty:
            data = data[
                (data["characteristic"].astype(str) == characteristic) & (data["basis"].astype(str) == basis)
            ]
        who = "households supported" if basis == "supported" else "households referred"
        label = cat.CHARACTERISTIC_LABELS.get(characteristic, characteristic)
        return publish(
            data,
            [
                Column("Group", "category", "category"),
                Column("Share of expected victims", "expected_share", "percent"),
                Column(f"Number of {who}", "observed_count", "count", count=True),
                Column(f"Share of {who}", "observed_share", "percent"),
                Column(self.ci, "lower", "interval", "upper"),
                Column("Representation ratio", "ratio", "ratio"),
                Column(f"Ratio {self.ci}", "ratio_lower", "interval", "ratio_upper", interval_kind="ratio"),
                Column("Reached less than expected", "under_reached", "yes_no"),
            ],
            f"{label}: {who} against expected victims, {self._where()}",
            row_header="Group",
            note="A representation ratio below 1 means the group is a smaller share of "
            f"{who} than of expected victims; 'reached less than expected' means the whole "
            "interval of the ratio is below 1.",
        )

    def representation_chart(self, characteristic: str, basis: str = "supported"):
        """Chart of expected against observed shares for one characteristic."""
        table = self.representation(characteristic, basis)
        label = cat.CHARACTERISTIC_LABELS.get(characteristic, characteristic)
        return render(
            representation_chart(
                table.data, label, basis=basis, where=self._where(), confidence=self.confidence
            )
        )

    def under_reached(self, basis: str = "supported") -> PublishedTable:
        """Groups whose representation ratio interval lies wholly below 1 (published only)."""
        data = self._representation
        if not data.empty:
            keep = (data["basis"].astype(str) == basis) & data["under_reached"].map(
                lambda v: v is True or v == 1
            )
            data = data[keep & (data["category"].astype(str) != cat.NOT_KNOWN)]
        return publish(
            data,
            [
                Column("Characteristic", "characteristic", "label"),
                Column("Group", "category", "category"),
                Column("Share of expected victims", "expected_share", "percent"),
                Column("Share of households supported", "observed_share", "percent"),
                Column("Representation ratio", "ratio", "ratio"),
                Column(f"Ratio {self.ci}", "ratio_lower", "interval", "ratio_upper", interval_kind="ratio"),
            ],
            f"Groups reached less than expected among households {basis}, {self._where()}",
            empty_message="No group was reached clearly less than expected (or the numbers are too "
            "small to say).",
        )

    @cached_property
    def goodness_of_fit(self) -> PublishedTable:
        """Chi-square goodness of fit of the published profile to the expected profile.

        Computed by :func:`needs.publish.fit.published_goodness_of_fit` on the published
        counts, with the hidden categories of a characteristic merged into one, so the
        statistic never encodes how hidden counts split.
        """
        return publish(
            published_goodness_of_fit(self._representation),
            [
                Column("Characteristic", "characteristic", "label"),
                Column("Basis", "basis", "label"),
                Column("Chi-square statistic", "statistic", "number"),
                Column("Degrees of freedom", "dof", "integer"),
                Column("p-value", "p_value", "p_value"),
                Column("Some expected counts below 5", "small_expected", "yes_no"),
                Column("Groups combined for the test", "merged"),
            ],
            f"Goodness of fit of the observed profile to the expected profile, {self._where()}",
            row_header="Characteristic",
            note="A small p-value means the profile of households differs from the profile of "
            "expected victims by more than chance. Where expected counts are below 5 the test is "
            "approximate. Groups whose numbers are hidden are combined into one for the test, so "
            "that it is computed only on what the tables publish.",
        )

    @cached_property
    def not_known(self) -> PublishedTable:
        """Households whose characteristic was not recorded."""
        return publish(
            self._published("not_known"),
            [
                Column("Characteristic", "characteristic", "label"),
                Column("Basis", "basis", "label"),
                Column("Not known", "count", "count", count=True),
                Column("Households", "total", "count", count=True),
                Column("Share not known", "share", "percent"),
            ],
            f"Households whose characteristic was not recorded, {self._where()}",
            row_header="Characteristic",
        )

    # -- referrals -------------------------------------------------------------------------

    def representation_sections(self, basis: str = "supported") -> Html:
        """For every characteristic: a heading, the published table and its chart."""
        parts = []
        for characteristic in self.characteristics():
            label = cat.CHARACTERISTIC_LABELS.get(characteristic, characteristic)
            table = self.representation(characteristic, basis)
            parts.append(f"<h3>{html.escape(label)}</h3>")
            parts.append(table.to_html())
            # Charts for the protected characteristics; additional needs are yes/no flags
            # whose table says it all.
            if len(table) and characteristic in cat.PROTECTED_CHARACTERISTICS:
                parts.append(self.representation_chart(characteristic, basis).to_html())
        if not parts:
            return Html("<p>No representation figures could be computed for this area and period.</p>")
        return Html("\n".join(parts))
