"""Publication tables: the parts of an assessment as they appear in the published report.

Every table the report shows is built from an :class:`needs.assessment.assemble.Assessment`
part:

1. the :class:`~needs.publish.page.Page` decides once, for the whole report, which counts are
   hidden (:data:`needs.publish.part_specs.PART_SPECS`): counts from 1 to ``threshold - 1``,
   the cells that would give them back through the totals they add up to, and every figure
   derived from them become ``[c]``;
2. the table's layout, declared in :data:`needs.publish.table_specs.TABLE_SPECS` (which rows
   of the part, in what order, which columns, caption and note), is laid out by
   :func:`needs.publish.publisher.publish_table`;
3. codes become plain-English labels from :mod:`needs.reference.categories` and numbers are
   formatted (counts with thousands separators, shares as percentages to one decimal place,
   money in pounds), :func:`needs.publish.tables.publish`;
4. :meth:`PublishedTable.to_html` renders an accessible HTML table (``<caption>``,
   ``<th scope>``), not pandas' default HTML.

The suppressed but unformatted numbers are kept on :attr:`PublishedTable.data` so that
charts (:mod:`needs.publish.charts`) are drawn only from published values.

:class:`Publication` gathers the tables and charts of one assessment for the notebook, so
that each notebook cell is a single call. The tables that are not declared are here: the
data summary (only the rows of record-level tables are counts) and the scenario comparison
(a wide table of figures computed when asked for).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import pandas as pd

from needs.assessment.findings import findings
from needs.publish.capacity_tables import CapacityTables
from needs.publish.cells import cell_key
from needs.publish.charts import projection_chart, render
from needs.publish.children_tables import ChildrenTables
from needs.publish.data_quality import data_quality
from needs.publish.formatting import finite, format_count, format_percent, is_missing
from needs.publish.funding_tables import FundingTables
from needs.publish.governance_tables import GovernanceTables
from needs.publish.part_specs import PART_SPECS
from needs.publish.partner_tables import PartnerTables
from needs.publish.population_tables import PopulationTables
from needs.publish.projection_tables import ProjectionTables
from needs.publish.publisher import declared
from needs.publish.referral_tables import ReferralTables
from needs.publish.story_tables import StoryTables
from needs.publish.tables import (
    Column,
    Findings,
    Html,
    PublishedTable,
    publish,
)
from needs.reference.constants import SYMBOL_CONFIDENTIAL
from needs.scenarios.comparison import compare
from needs.scenarios.display import display_table
from needs.scenarios.figures import UNCERTAIN_FIGURES

#: Scenario figures modelled from the arrivals and stays (every figure in households and
#: what follows from them).
MODELLED_FROM_COUNTS = (*UNCERTAIN_FIGURES, "prob_meets_target")
#: Of those, the ones modelled from the mean stays (hidden when a mean is over too few stays).
MODELLED_FROM_STAYS = tuple(f for f in MODELLED_FROM_COUNTS if f != "demand")


class Publication(
    GovernanceTables,
    StoryTables,
    ChildrenTables,
    PopulationTables,
    ProjectionTables,
    ReferralTables,
    CapacityTables,
    FundingTables,
    PartnerTables,
):
    """The published tables, charts and findings of one area's assessment.

    Made as ``Publication(assessment, dataset, suppress_below=..., confidence=...)`` (see
    :class:`~needs.publish.base.PublicationBase` for the parameters). Each declared table is
    an attribute (:class:`~needs.publish.publisher.declared`) of its section's mixin
    (:class:`PopulationTables`, :class:`ReferralTables`, :class:`CapacityTables`,
    :class:`FundingTables`), which also holds the section's charts and irregular tables; the
    key figures, the data summary, scenarios, notices and findings are here. Every member
    returns an object the notebook displays (a :class:`PublishedTable`, a chart or a list of
    findings); every count is published as the page decides.
    """

    key_figures = declared("key_figures")

    @cached_property
    def data_summary(self) -> PublishedTable:
        """The tables used, with their number of rows (record-level tables suppressed)."""
        if self.dataset is None:
            return PublishedTable(pd.DataFrame(), "Data used")
        # Row counts of record-level tables count referrals (people) and are published as the
        # page decides; other tables' rows are areas, services or years, which reveal nobody.
        frame = self._published("data_summary")
        records = frame["record_rows"].map(lambda v: not is_missing(v))
        frame["rows"] = frame["rows"].astype(object).where(~records, frame["record_rows"])
        table = publish(
            frame,
            [
                Column("Table", "table"),
                Column("Rows", "rows", "count"),
                Column("What it holds", "description"),
            ],
            "Input tables used by this assessment",
            row_header="Table",
        )
        table.count_cells = pd.DataFrame(
            {"Table": False, "Rows": records.to_numpy(), "What it holds": False}, index=table.frame.index
        )
        return table

    def scenarios(self, paths: Sequence[str]) -> Html:
        """The scenario comparison (only when scenario files are given).

        Compares the scenarios with :func:`needs.scenarios.comparison.compare`. Figures in
        households (modelled demand, turn-aways) and those modelled from them come from the
        loss model's counts of arrivals and stays: they are hidden in every scenario when the
        page hides any of those counts, and the baseline's demand (their sum) is declared to
        the page's audit. Units and money are shown as they are.
        """
        if not paths:
            return Html("")
        options = self.assessment.options or {}
        kwargs: dict[str, Any] = {"confidence": self.confidence}
        if options.get("coe_types"):
            kwargs["coe_types"] = tuple(options["coe_types"])
        if options.get("target_turnaway") is not None:
            kwargs["target_turnaway"] = options["target_turnaway"]
        table = compare(self.dataset, self.area, self.period, list(paths), **kwargs)
        return Html(self.scenario_table(table).to_html())

    def scenario_table(self, table: pd.DataFrame) -> PublishedTable:
        """A long comparison from :func:`needs.scenarios.comparison.compare` as the published table.

        The table is :func:`needs.scenarios.display.display_table`, the one the command line and
        the notebooks show (what each scenario changes, every figure labelled, "not meaningful"
        ratios, the notes that explain a figure), with households to whole numbers and, as
        ``hide``, the figures modelled from a count or a mean stay the page hides.
        """
        if table.empty:
            return PublishedTable(pd.DataFrame(), f"Scenarios compared with the baseline, {self._where()}")
        long = table.reset_index(drop=True).copy()
        households = long["unit"].astype(str).eq("households")
        long.loc[households, "value"] = long.loc[households, "value"].round()
        published = long.astype({"value": object})
        # Every modelled figure about households comes from the loss model's inputs (arrivals
        # and stays by accommodation type): if the page hides any of them, so does the table.
        hide: set[str] = set()
        if self._loss_model_hidden("stays"):
            hide |= set(MODELLED_FROM_STAYS)
        if self._loss_model_hidden("arrivals_per_year"):
            hide |= set(MODELLED_FROM_COUNTS)
        else:
            # The baseline's demand is the sum of the arrivals the loss-model table shows.
            baseline = published[
                (published["figure"].astype(str) == "demand")
                & (published["scenario"].astype(str) == str(published["scenario"].iloc[0]))
            ]
            if len(baseline):
                self.page.state(
                    "scenario comparison: baseline demand",
                    counts=[(cell_key("households_arriving", {}), float(baseline["value"].iloc[0]))],
                )
        published.loc[published["figure"].astype(str).isin(hide), "value"] = SYMBOL_CONFIDENTIAL
        shown = display_table(table, hide=hide, whole_households=True)
        counts = [unit == "households" for unit in shown.attrs["units"]]
        mask = pd.DataFrame(
            {column: [c and column != "Figure" for c in counts] for column in shown.columns}, index=shown.index
        )
        notes = " ".join(f"{note}." for note in shown.attrs["notes"])
        frame = pd.DataFrame(shown)
        frame.attrs = {}
        return PublishedTable(
            frame=frame,
            caption=f"Scenarios compared with the baseline, {self._where()}",
            data=published,
            row_header="Figure",
            count_cells=mask,
            note="Figures are modelled a year ahead from this year's referrals, stays and services; "
            "households are rounded to whole numbers. Throughput is at the occupancy observed; the "
            "loss model re-lets a unit as soon as it is free. Spend is the spend committed in the "
            "period, as the funding table. Figures modelled from a count or a mean length of stay "
            "that the loss-model table hides are hidden too. " + notes,
        )

    def _loss_model_hidden(self, column: str) -> bool:
        """Whether the page hides a count the loss model is built on: ``arrivals_per_year``
        (households arriving by accommodation type) or ``stays`` (the stays its mean length
        of stay is taken over)."""
        erlang = self.page.parts.get("erlang")
        if erlang is None:
            return False
        return any(self.page.is_hidden(k) for k in erlang.keys.get(column, []))

    def suppression_notice(self) -> Html:
        """The note explaining the symbols used in every table."""
        return Html(f'<p class="note">{html.escape(self.suppression_note)}</p>')

    def data_quality(self) -> Html:
        """The input tables used and the data's warnings summarised by kind."""
        return data_quality(self.dataset, suppress_below=self.threshold)

    def say(
        self,
        text: str,
        *,
        counts: Sequence[tuple[Any, float]] = (),
        shares: Sequence[tuple[Any, Any, float, int]] = (),
    ) -> Findings:
        """A sentence written in the notebook, with the figures it quotes declared to the page.

        ``counts`` are ``(key, value)`` and ``shares`` ``(numerator key, denominator key,
        share, decimals)`` (keys from :func:`needs.publish.cells.cell_key`). The
        :meth:`disclosure_audit` at the end of the report checks them with everything else.
        """
        self.page.state(text, counts=counts, shares=shares)
        return Findings((text,))

    def disclosure_audit(self) -> Html:
        """Prove the page safe: the reader's bounds on every hidden count (fails if any is
        narrower than the threshold, :meth:`needs.publish.page.Page.check`)."""
        ranges = self.page.check()
        summary = self.page.summary()
        narrowest = ranges["width"].min() if len(ranges) else float("nan")
        text = (
            f"Disclosure check: {summary['hidden']} of the {summary['non_zero']} non-zero counts "
            f"behind this report are hidden ({summary['primary']} because they are below "
            f"{self.threshold}, {summary['secondary']} so that those cannot be worked out). "
            "Everything the report shows, taken together, leaves every hidden count a range of "
            f"at least {self.threshold} possible values"
        )
        if len(ranges):
            text += f" (the narrowest is {narrowest:g} wide)."
        else:
            text += "."
        return Html(f'<p class="note">{html.escape(text)}</p>')

    # -- findings --------------------------------------------------------------------------

    @cached_property
    def _findings(self) -> pd.DataFrame:
        """Findings written from published cells only: every hidden count, and what is
        derived from it, reaches :func:`~needs.assessment.findings.findings` as NaN."""
        published = {
            name: self._published(name, symbols=False)[list(getattr(self.assessment, name).columns)]
            for name in PART_SPECS
            if isinstance(getattr(self.assessment, name, None), pd.DataFrame)
            and not getattr(self.assessment, name).empty
        }
        return findings(dataclasses.replace(self.assessment, **published), suppress_below=self.threshold)

    def _sentences(self, topics: Sequence[str] | None) -> list[str]:
        """The area's findings of ``topics`` (all when None), most important first."""
        part = self._findings
        if "area_code" in part.columns and self.area:
            part = part[part["area_code"].astype(str) == self.area]
        if part.empty:
            return []
        if topics is not None:
            part = part[part["topic"].astype(str).isin(list(topics))]
        return [str(s) for s in part.sort_values("rank", kind="stable")["sentence"]]

    def findings(
        self, topics: Sequence[str] | None = None, limit: int | None = None, *, start: int = 0
    ) -> Findings | Html:
        """Plain-English findings, most important first, optionally for some topics.

        ``start`` skips the first findings (a section shows its first as its key sentence,
        :meth:`key_sentence`, and the next ones as a list); ``limit`` keeps at most that many
        after it (nothing at all when ``start`` leaves none). Regenerated with this publication's threshold, so a count below it is
        written "fewer than N" (:func:`needs.assessment.findings.findings`).
        """
        sentences = self._sentences(topics)[start:]
        if limit is not None:
            sentences = sentences[:limit]
        if start and not sentences:
            return Html("")  # the section's key sentence was its only finding
        return Findings(tuple(sentences))

    def key_sentence(self, topics: Sequence[str], *, otherwise: str = "") -> Html:
        """A section's key sentence: its most important finding (``otherwise`` when it has
        none), as ``<p class="key-sentence">``."""
        sentences = self._sentences(topics)
        text = sentences[0] if sentences else otherwise
        return Html(f'<p class="key-sentence">{html.escape(text)}</p>' if text else "")

    # -- the main body's short forms of sections (their detail is in the appendices) ------------

    def how_to_read(self) -> Html:
        """The "How to read this report" box: how the report is laid out, what an interval,
        a representation ratio and a p-value mean, how figures are rounded and what the
        symbols mean (intervals are explained here once, not in every section)."""
        level = f"{100 * self.confidence:g}%"
        items = [
            "<strong>Sections and appendices.</strong> Each section starts with its key finding, "
            "then a chart and a short table. The full tables behind it are in the appendices at "
            "the end, linked from the section. Every table can be downloaded as a CSV file.",
            f"<strong>Intervals.</strong> A range such as \u201c12 to 25\u201d after a figure is its "
            f"{level} confidence interval: allowing for chance, the true value is very likely to be "
            "in that range. Estimates of expected victims come from a national survey, so their "
            "intervals cover the survey's sampling error only, not local differences. A wide "
            "interval means a figure to read with care; where two groups' intervals overlap a lot, "
            "the difference between them may be chance.",
            "<strong>Representation ratios.</strong> A group's share of households supported "
            "divided by its share of expected victims, also said in words: 1 is about the number "
            "expected, 0.4 about 4 in 10 of the number expected, 1.5 about 1.5 times the number "
            "expected.",
            "<strong>p-values.</strong> A p-value is the chance of a difference at least as large "
            "if there were no real difference: the smaller it is, the less likely the difference is "
            "chance. Values below 0.001 are shown as \u201c&lt; 0.001\u201d.",
            "<strong>Rounding.</strong> No figure is given more precisely than its interval "
            "supports: ratios to two significant figures, expected victims to the nearest 10 or 100, "
            "modelled costs to the nearest \u00a31,000 (\u00a3100 below \u00a310,000). Percentages "
            "may not add up to 100 because of rounding.",
            f"<strong>Symbols.</strong> {html.escape(self.suppression_note)}",
        ]
        body = "".join(f"<li>{item}</li>" for item in items)
        return Html(
            '<div class="how-to-read" role="note" aria-labelledby="how-to-read-this-report">'
            f"<h2>How to read this report</h2><ul>{body}</ul></div>"
        )

    def children_lead(self) -> Html:
        """The children section's key sentence: children supported, written only from published
        figures and declared to the page (``""`` without children figures)."""
        if self._part("children").empty:
            return Html("")
        lead = self._children_lead()
        return Html(f'<p class="key-sentence">{html.escape(lead)}</p>' if lead else "")

    def cross_border_lead(self) -> Html:
        """The cross-border section's key sentence: referrals in from other areas and residents
        referred to other areas, each with its share, written only from the published
        :attr:`out_of_area` figures and declared to the page (a hidden figure is left out)."""
        registered = self.page.parts.get("out_of_area")
        if registered is None or registered.frame.empty:
            return Html("")
        frame = self._published("out_of_area", symbols=False)
        frame = frame[frame["area_code"].astype(str) == self.area] if "area_code" in frame.columns else frame
        clauses: list[str] = []
        counts: list[tuple[Any, float]] = []
        shares: list[tuple[Any, Any, float, int]] = []
        wording = {
            "in": "{count} of the {denominator} referrals to services in {area} ({share}) came from other areas",
            "out": "{count} of the {denominator} referrals of the area's residents ({share}) were to services "
            "in other areas",
        }
        for index, row in frame.iterrows():  # two rows: in and out
            direction = str(row["direction"])
            if direction not in wording or not (finite(row["count"]) and finite(row["denominator"])):
                continue
            share = format_percent(row["share"]) if finite(row["share"]) else ""
            text = wording[direction].format(
                count=format_count(row["count"]), denominator=format_count(row["denominator"]),
                area=self.area_name, share=share,
            ).replace(" ()", "")
            clauses.append(text)
            count_key, denominator_key = registered.keys["count"].loc[index], registered.keys["denominator"].loc[index]
            counts += [(count_key, float(row["count"])), (denominator_key, float(row["denominator"]))]
            if share:
                shares.append((count_key, denominator_key, float(row["share"]), 3))  # 0.1% shown
        if not clauses:
            return Html("")
        text = f"In {self.period}, " + "; ".join(clauses) + "."
        self.page.state(text, counts=counts, shares=shares)
        return Html(f'<p class="key-sentence">{html.escape(text)}</p>')

    def projection_summary(self) -> Html:
        """The main body's projection section: projected expected victims, table and chart (the
        units needed by accommodation type, :attr:`projected_units`, are in the appendix)."""
        victims = self.projected_victims
        parts = [victims.to_html()]
        if len(victims):
            parts.append(render(projection_chart(victims.data, where=self.area_name)).to_html())
        return Html("\n".join(parts))
