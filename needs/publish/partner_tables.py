"""Published tables and charts of the "Demand seen by partners" section (:class:`PartnerTables`).

The ``partners`` part of the assessment (:mod:`needs.assessment.partners`) becomes one table per
partner table given (rate or share, interval, change from the year before); a partner table
not given becomes a visible "not provided" note; the ``partner_comparators`` and
``partner_funnels`` parts become two funnel plots (children in need, MARAC), each with alt text
and a data table of the area and its nearest authorities. Words, columns and captions are in
:mod:`needs.publish.partner_specs`; why these published aggregates do not pass through the
page's disclosure control is said there.
"""

from __future__ import annotations

import html

import pandas as pd

from needs.assessment.partners import PARTNER_INDICATORS, PARTNER_TABLES
from needs.methods.funnel import FUNNEL_POSITIONS
from needs.publish.base import PublicationBase
from needs.publish.charts import table_id
from needs.publish.funnel_chart import funnel_figure
from needs.publish.partner_specs import (
    FUNNEL_TITLES,
    NOT_PROVIDED,
    PARTNER_COLUMNS,
    PARTNER_NOTE,
    TABLE_TITLES,
)
from needs.publish.tables import Column, Html, PublishedTable, publish

__all__ = ["PartnerTables"]

_COMPARATOR_COLUMNS = (
    Column("Authority", "comparator_name"),
    Column("Value", "value", "number"),
    Column("Out of", "denominator", "count"),
    Column("Against the funnel limits", "position_label"),
    Column("Role", "role"),
)


def _fmt(value: float, unit: str) -> str:
    return f"{value:,.1f}%" if unit == "percent" else f"{value:,.1f}"


class PartnerTables(PublicationBase):
    """The section "Demand seen by partners": rates, intervals, year on year, funnels, notes."""

    def _partner_rows(self, table: str) -> pd.DataFrame:
        part = self._part("partners")
        if part.empty:
            return part
        rows = part[part["table"] == table].copy()
        rows["label"] = rows["indicator"].map(lambda name: PARTNER_INDICATORS[name][1])
        rows["synthetic_label"] = rows["synthetic"].map({True: "yes (synthetic)", False: "no"})
        if "source_area_name" not in rows or rows["source_area_name"].isna().all():
            rows["source_area_name"] = rows["source_area_code"]
        rows["source_area_name"] = rows["source_area_name"].fillna(rows["source_area_code"]).replace("", self.area_name)
        return rows.reset_index(drop=True)

    def partner_provided(self, table: str) -> bool:
        """Whether the dataset has the optional partner ``table``."""
        return self.dataset is not None and self.dataset.has(table)

    def partner_table(self, table: str) -> PublishedTable | Html:
        """One partner table (``marac``, ``police``, ``homelessness``, ``children_in_need``) as published,
        or its "not provided" note."""
        if not self.partner_provided(table):
            return self.partner_not_provided(table)
        rows = self._partner_rows(table)
        columns = [c for c in PARTNER_COLUMNS if c.source != "benchmark" or rows["benchmark"].notna().any()]
        note = PARTNER_NOTE
        if rows["synthetic"].any():
            note += " Rows marked illustrative are synthetic (made up for the demonstration dataset)."
        return publish(rows, columns, f"{TABLE_TITLES[table]}, {self.area_name}, up to {self.period}",
                       row_header="Measure", note=note,
                       empty_message=f"No figures for {self.area_name} up to {self.period}.")

    def partner_not_provided(self, table: str) -> Html:
        """The visible note that a partner table was not given."""
        return Html(
            f'<p class="no-data not-provided"><strong>{html.escape(TABLE_TITLES[table])}: not provided.</strong> '
            f"{html.escape(NOT_PROVIDED[table])}</p>"
        )

    def partner_tables(self) -> list[PublishedTable | Html]:
        """Every partner table in order, or its note."""
        return [self.partner_table(table) for table in PARTNER_TABLES]

    def partner_sentences(self) -> list[str]:
        """What each partner figure of the assessed year says about safe-accommodation need, one plain
        sentence each (only for figures given)."""
        part = self._part("partners")
        if part.empty:
            return []
        latest = part.sort_values("period").groupby("indicator").tail(1).set_index("indicator")
        out: list[str] = []

        def get(name: str):
            return latest.loc[name] if name in latest.index and pd.notna(latest.loc[name, "value"]) else None

        row = get("marac_cases_rate")
        if row is not None:
            side = "below" if row["upper"] < row["benchmark"] else "above" if row["lower"] > row["benchmark"] else "near"
            out.append(
                f"MARAC heard {row['value']:,.1f} cases per 10,000 adult women in {row['period']} "
                f"(95% CI {row['lower']:,.1f} to {row['upper']:,.1f}), {side} SafeLives' recommended "
                f"{row['benchmark']:,.0f}: {'fewer high-risk victims may be identified than expected, so' if side == 'below' else 'so'}"
                " MARAC volumes alone understate the number of high-risk households who may need safe accommodation."
            )
        row = get("marac_repeat_share")
        if row is not None:
            out.append(f"{row['value']:,.1f}% of MARAC cases in {row['period']} were repeats: households whose abuse "
                       "continued after a first referral, some of whom need to move to be safe.")
        row = get("marac_children_per_case")
        if row is not None:
            out.append(f"Each MARAC case had {row['value']:,.2f} children in the household on average, so "
                       "accommodation for high-risk victims must take families, not only single adults.")
        row = get("police_rate")
        if row is not None:
            out.append(f"The police recorded {row['value']:,.1f} domestic abuse incidents and crimes per 1,000 "
                       f"residents in {row['period']}; most reported abuse does not lead to a move, so this is "
                       "context for, not a measure of, safe-accommodation need.")
        row = get("homelessness_reason_rate")
        if row is not None:
            out.append(f"{row['value']:,.2f} households per 1,000 residents aged 16+ were owed a homelessness duty "
                       f"because of domestic abuse in {row['period']}: the households most likely to need safe "
                       "accommodation or a safe move.")
        row = get("cin_da_parent_share")
        if row is not None:
            out.append(f"Domestic abuse concerning a parent or carer was a factor in {row['value']:,.1f}% of "
                       f"children in need assessments in {row['period']}: many children live with a parent who "
                       "may need safe accommodation with them.")
        return out

    def partner_findings(self) -> Html:
        """The sentences of :meth:`partner_sentences`: the first as the section's key sentence,
        the others as a list (a note if no partner table was given)."""
        sentences = self.partner_sentences()
        if not sentences:
            return Html('<p class="no-data not-provided"><strong>Demand seen by partners: not provided.</strong> '
                        "No partner data (MARAC, police, homelessness, children in need) was given.</p>")
        key, *others = sentences
        listed = "".join(f"<li>{html.escape(s)}</li>" for s in others)
        return Html(f'<p class="key-sentence">{html.escape(key)}</p>'
                    + (f'<ul class="findings">{listed}</ul>' if others else ""))

    # -- comparison with every English authority ------------------------------------------

    def _comparison(self, indicator: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        points = self._part("partner_comparators")
        limits = self._part("partner_funnels")
        if points.empty:
            return points, limits
        points = points[(points["indicator"] == indicator) & (points["area_code"] == self.area)]
        if len(limits):
            limits = limits[(limits["indicator"] == indicator) & (limits["area_code"] == self.area)]
        return points.reset_index(drop=True), limits.reset_index(drop=True)

    def funnel(self, indicator: str):
        """The funnel plot of ``indicator`` (``cin_da_parent_share`` or ``marac_cases_rate``), or a note."""
        points, limits = self._comparison(indicator)
        title, xlabel, ylabel = FUNNEL_TITLES[indicator]
        if points.empty or not points["is_area"].any():
            return Html(f'<p class="no-data"><strong>{html.escape(title)}.</strong> The national table has no '
                        f"figure for {html.escape(self.area_name)} in {self.period}.</p>")
        own = points[points["is_area"]].iloc[0]
        return funnel_figure(points, limits, title=f"{title}, {self.period}", xlabel=xlabel, ylabel=ylabel,
                             alt_position=FUNNEL_POSITIONS[own["position"]],
                             table_id=table_id(self.funnel_table(indicator), f"funnel-{indicator}"))

    def funnel_table(self, indicator: str) -> PublishedTable:
        """The data table of a funnel: the area and its nearest authorities, with where each falls."""
        points, _ = self._comparison(indicator)
        rows = points[points["is_area"] | points["is_neighbour"]].copy() if len(points) else points
        if len(rows):
            rows["position_label"] = rows["position"].map(FUNNEL_POSITIONS)
            rows["denominator"] = rows["denominator"].round()
            rows["role"] = rows["is_area"].map({True: "This area", False: "Nearest authority (fallback)"})
            rows = rows.sort_values(["is_area", "value"], ascending=[False, False])
        title = FUNNEL_TITLES[indicator][0]
        return publish(
            rows, _COMPARATOR_COLUMNS, f"{title}: this area and its nearest authorities, {self.period}",
            row_header="Authority",
            note=("Nearest authorities are the five of the same region nearest in size of denominator (a fallback: "
                  "no published list of statistical neighbours was available). Limits: OHID funnel method "
                  "(PHEindicatormethods), 95% and 99.8%."),
        )
