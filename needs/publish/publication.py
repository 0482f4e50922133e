"""Publication tables: the parts of an assessment as they appear in the published report.

Every table the report shows is built here from an :class:`needs.assessment.assemble.Assessment` part:

1. the part passes through :func:`needs.methods.disclosure.suppress` (or
   :func:`needs.methods.disclosure.suppress_crosstab` for two-way tables), so counts from 1 to
   ``threshold - 1`` and every figure derived from them become ``[c]``, with secondary
   suppression where cells add up to a published total;
2. codes become plain-English labels from :mod:`needs.reference.categories`;
3. numbers are rounded and formatted (counts with thousands separators, shares as
   percentages to one decimal place, money in pounds);
4. the table gets a caption and is rendered by :meth:`PublishedTable.to_html` as an
   accessible HTML table (``<caption>``, ``<th scope>``), not by pandas' default HTML.

The suppressed but unformatted numbers are kept on :attr:`PublishedTable.data` so that
charts (:mod:`needs.publish.charts`) are drawn only from published values.

:class:`Publication` gathers the tables and charts of one assessment for the notebook,
so that each notebook cell is a single call.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from needs.assessment.findings import findings
from needs.assessment.funding import funding_by_year
from needs.methods.disclosure import suppress, suppress_crosstab, suppression_note
from needs.publish.charts import (
    capacity_chart,
    decline_reasons_chart,
    funding_chart,
    render,
    representation_chart,
    trends_chart,
)
from needs.publish.formatting import (
    ALL,
    FORMATTERS,
    _missing,
    code_label,
    format_count,
    format_interval,
    is_symbol,
)
from needs.publish.tables import (
    Column,
    Findings,
    Html,
    PublishedTable,
    _measure_table,
    _sort_codes,
    publish,
)
from needs.reference import categories as cat
from needs.reference.constants import (
    DEFAULT_SUPPRESS_BELOW,
    SYMBOL_CONFIDENTIAL,
)
from needs.reference.schema import TABLES
from needs.scenarios.model import compare

#: Column prefix for decline reasons in the joint referrals crosstab.
REASON_PREFIX = "reason:"
UNABLE = "unable_to_support"
#: Tables with one row per person, household or referral.
RECORD_LEVEL_TABLES = ("referrals", "marac", "homelessness", "survey")


# --------------------------------------------------------------------------------------------
# The publication of one assessment
# --------------------------------------------------------------------------------------------


def _first(frame: pd.DataFrame) -> dict[str, Any]:
    return frame.iloc[0].to_dict() if len(frame) else {}


class Publication:
    """The published tables, charts and findings of one area's assessment.

    Parameters
    ----------
    assessment
        ``needs.assess(dataset, area, period)``: parts for one area.
    dataset
        The dataset it was computed from (for funding by year and data-quality notes).
    suppress_below
        Disclosure threshold: counts from 1 to ``suppress_below - 1`` are hidden.
    confidence
        Confidence level of the intervals, for headings.

    Every method returns an object the notebook displays (a :class:`PublishedTable`, a chart
    or a list of findings); all counts pass through :mod:`needs.methods.disclosure` first.
    """

    def __init__(
        self,
        assessment: Any,
        dataset: Any = None,
        *,
        suppress_below: int = DEFAULT_SUPPRESS_BELOW,
        confidence: float = 0.95,
    ) -> None:
        self.assessment = assessment
        self.dataset = dataset
        self.threshold = int(suppress_below)
        self.confidence = confidence
        self.area = str(assessment.options.get("area", "")) or (
            str(assessment.areas["area_code"].iloc[0]) if len(assessment.areas) else ""
        )
        self.period = str(assessment.period)

    # -- helpers ---------------------------------------------------------------------------

    @property
    def ci(self) -> str:
        """Heading of interval columns, e.g. ``95% CI``."""
        level = 100 * self.confidence
        return f"{level:g}% confidence interval"

    @property
    def area_name(self) -> str:
        areas = self.assessment.areas
        if len(areas):
            return str(areas["area_name"].iloc[0])
        return self.area

    def _where(self) -> str:
        return f"{self.area_name}, {self.period}"

    def _part(self, name: str) -> pd.DataFrame:
        frame = getattr(self.assessment, name, None)
        if frame is None:
            return pd.DataFrame()
        return frame.reset_index(drop=True)

    def _suppress(self, frame: pd.DataFrame, counts: Sequence[str] = (), **kwargs: Any) -> pd.DataFrame:
        present = [c for c in counts if c in frame.columns]
        derived = {
            key: [c for c in cols if c in frame.columns]
            for key, cols in (kwargs.pop("derived", None) or {}).items()
            if key in present
        }
        within = kwargs.pop("within", None)
        # Nullable integer columns (Int64 with <NA>) are published as floats: suppress()
        # compares cells with the ONS symbols, which <NA> turns into <NA> rather than False.
        nullable = [
            c
            for c in frame.columns
            if isinstance(frame[c].dtype, pd.api.extensions.ExtensionDtype)
            and pd.api.types.is_numeric_dtype(frame[c].dtype)
            and not pd.api.types.is_bool_dtype(frame[c].dtype)
        ]
        if nullable:
            frame = frame.astype({c: "float64" for c in nullable})
        if within is not None:
            within = [c for c in within if c in frame.columns]
        return suppress(frame, present, derived=derived, within=within, threshold=self.threshold, **kwargs)

    @property
    def suppression_note(self) -> str:
        """The note explaining ``[c]``, ``[x]`` and ``[z]`` for this threshold."""
        return suppression_note(self.threshold)

    # -- population ------------------------------------------------------------------------

    @cached_property
    def expected_victims(self) -> PublishedTable:
        """Expected adult victims a year by geography and sex (estimates, not counts)."""
        part = self._part("expected_victims")
        if len(part):
            part = part.sort_values(["level", "geography_name", "sex"], key=_level_key, kind="stable")
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
        part = self._part("representation")
        if part.empty:
            return part
        derived = ["observed_share", "lower", "upper", "ratio", "ratio_lower", "ratio_upper", "under_reached"]
        return self._suppress(
            part,
            ["observed_count", "observed_total"],
            derived={"observed_count": derived, "observed_total": derived},
            within=["area_code", "characteristic", "basis"],
        )

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
        """Chi-square goodness of fit of the observed to the expected profile."""
        part = self._part("goodness_of_fit")
        table = self._suppress(part)
        return publish(
            table,
            [
                Column("Characteristic", "characteristic", "label"),
                Column("Basis", "basis", "label"),
                Column("Chi-square statistic", "statistic", "number"),
                Column("Degrees of freedom", "dof", "integer"),
                Column("p-value", "p_value", "p_value"),
                Column("Some expected counts below 5", "small_expected", "yes_no"),
            ],
            f"Goodness of fit of the observed profile to the expected profile, {self._where()}",
            row_header="Characteristic",
            note="A small p-value means the profile of households differs from the profile of "
            "expected victims by more than chance. Where expected counts are below 5 the test is "
            "approximate.",
        )

    @cached_property
    def not_known(self) -> PublishedTable:
        """Households whose characteristic was not recorded."""
        part = self._part("not_known")
        table = self._suppress(part, ["count", "total"], derived={"count": ["share"], "total": ["share"]})
        return publish(
            table,
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
            table = table[table["share"].map(lambda v: not _missing(v))]
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
            part = part.sort_values(["characteristic"], key=_characteristic_key, kind="stable")
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
        row = _first(self._unmet)
        if not row:
            return PublishedTable(pd.DataFrame(), f"Unmet need, {self._where()}")
        return _measure_table(
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

    @cached_property
    def provision(self) -> PublishedTable:
        """Commissioned services, units and bedspaces by type and specialism."""
        part = self._part("provision")
        if not part.empty:
            part = _sort_codes(part, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        table = self._suppress(part)
        return publish(
            table,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Specialism", "specialism", "label"),
                Column("Services", "services", "integer"),
                Column("Units", "units", "integer"),
                Column("Bedspaces", "bedspaces", "integer"),
                Column("Annual cost", "annual_cost", "money"),
            ],
            f"Commissioned provision by accommodation type and specialism, {self._where()}",
            row_header="Accommodation type",
        )

    @cached_property
    def _benchmark(self) -> dict[str, Any]:
        return _first(self._suppress(self._part("benchmark")))

    @cached_property
    def benchmark(self) -> PublishedTable:
        """The Council of Europe benchmark: one family place per 10,000 population."""
        row = self._benchmark
        if not row:
            return PublishedTable(pd.DataFrame(), f"Council of Europe benchmark, {self._where()}")
        types = row.get("counted_types", "")
        if isinstance(types, (list, tuple, np.ndarray)):
            types = ", ".join(code_label("accommodation_type", t) for t in types)
        elif isinstance(types, str):
            types = ", ".join(
                code_label("accommodation_type", t.strip()) for t in types.split(",") if t.strip()
            )
        return _measure_table(
            [
                ("Population", row.get("population"), "integer", False),
                ("Units the benchmark calls for", row.get("coe_target_units"), "number", False),
                ("Units counted", row.get("counted_units"), "integer", False),
                ("Gap (units)", row.get("gap_units"), "number", False),
                ("Gap as a share of the benchmark", row.get("gap_share"), "percent", False),
                ("Accommodation types counted", types, "text", False),
            ],
            f"Council of Europe benchmark of one family place per 10,000 population, {self._where()}",
        )

    @cached_property
    def throughput(self) -> PublishedTable:
        """Length of stay, occupancy and annual throughput by accommodation type."""
        part = self._part("throughput")
        if not part.empty:
            part = _sort_codes(part, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        derived = [c for c in ("mean_stay_days", "occupancy", "annual_throughput") if c in part.columns]
        table = self._suppress(
            part, ["households_supported"], derived={"households_supported": derived}, within=["area_code"]
        )
        return publish(
            table,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Units", "units", "integer"),
                Column("Households supported", "households_supported", "count", count=True),
                Column("Mean stay (days)", "mean_stay_days", "integer"),
                Column("Occupancy", "occupancy", "percent"),
                Column("Households a year the units can take", "annual_throughput", "integer"),
            ],
            f"Length of stay, occupancy and throughput by accommodation type, {self._where()}",
            row_header="Accommodation type",
        )

    @cached_property
    def _erlang(self) -> pd.DataFrame:
        part = self._part("erlang")
        if not part.empty:
            part = _sort_codes(part, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        model = [c for c in ("offered_load", "modelled_turnaway", "units_needed") if c in part.columns]
        return self._suppress(
            part,
            ["arrivals_per_year", "observed_capacity_declines", "observed_decided"],
            derived={
                "arrivals_per_year": model,
                "observed_capacity_declines": ["observed_turnaway_share"],
                "observed_decided": ["observed_turnaway_share"],
            },
            within=["area_code"],
        )

    @cached_property
    def erlang(self) -> PublishedTable:
        """The Erlang loss model against the observed turn-aways."""
        return publish(
            self._erlang,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Units", "units", "integer"),
                Column("Households arriving a year", "arrivals_per_year", "count", count=True),
                Column("Mean stay (days)", "mean_stay_days", "integer"),
                Column("Modelled share turned away", "modelled_turnaway", "percent"),
                Column("Declined for lack of space", "observed_capacity_declines", "count", count=True),
                Column("Decided referrals", "observed_decided", "count", count=True),
                Column("Observed share turned away for space", "observed_turnaway_share", "percent"),
                Column("Units needed for the target", "units_needed", "integer"),
                Column("Target share turned away", "target_turnaway", "percent"),
            ],
            f"Modelled and observed turn-aways for lack of space (Erlang loss model), {self._where()}",
            row_header="Accommodation type",
        )

    @cached_property
    def gaps(self) -> PublishedTable:
        """The costed gap table: units needed against units in place."""
        part = self._part("gaps")
        if not part.empty:
            part = _sort_codes(part, "accommodation_type", cat.ACCOMMODATION_TYPES.codes)
        table = self._suppress(part)
        return publish(
            table,
            [
                Column("Accommodation type", "accommodation_type", "label"),
                Column("Specialism", "specialism", "label"),
                Column("Units", "units", "integer"),
                Column("Units needed", "units_needed", "integer"),
                Column("Gap (units)", "gap_units", "integer"),
                Column("Cost per unit a year", "cost_per_unit", "money"),
                Column("Annual cost to close the gap", "annual_cost_to_close", "money"),
            ],
            f"Gap between units in place and units needed, with its cost, {self._where()}",
            row_header="Accommodation type",
        )

    def capacity_chart(self):
        """Chart of units in place against the benchmark and the modelled need."""
        return render(capacity_chart(self._benchmark, self._erlang, where=self._where()))

    # -- funding ---------------------------------------------------------------------------

    @cached_property
    def funding(self) -> PublishedTable:
        """Grant against committed spend for the period."""
        part = self._part("funding")
        if not part.empty and "period" in part.columns:
            part = part[part["period"].astype(str) == self.period]
        table = self._suppress(
            part, ["households_supported"], derived={"households_supported": ["cost_per_household"]}
        )
        row = _first(table)
        if not row:
            return PublishedTable(pd.DataFrame(), f"Funding, {self._where()}")
        return _measure_table(
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
        part = self._part("trends")
        if part.empty:
            return part
        keys = [c for c in ("area_code", "measure", "characteristic", "category") if c in part.columns]
        part = part.sort_values([*keys, "period"], kind="stable").reset_index(drop=True)
        # A ratio against the previous period reveals that period's count too.
        small = (part["count"] > 0) & (part["count"] < self.threshold)
        previous_small = small.groupby([part[k].astype(str) for k in keys]).shift(1, fill_value=False)
        ratio = [c for c in ("rate_ratio", "ratio_lower", "ratio_upper") if c in part.columns]
        part[ratio] = part[ratio].astype(object).where(~previous_small.astype(bool), SYMBOL_CONFIDENTIAL)
        derived = [c for c in ("value", "lower", "upper", *ratio) if c in part.columns]
        within = [c for c in ("area_code", "measure", "characteristic", "period") if c in part.columns]
        return self._suppress(part, ["count"], derived={"count": derived}, within=within)

    def trends(self, overall: bool = True) -> PublishedTable:
        """Year-on-year change: households supported per 10,000, or the reach of each group."""
        data = self._trends
        if not data.empty:
            is_overall = data["characteristic"].map(lambda v: _missing(v) or str(v) in ("", ALL))
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

    @cached_property
    def key_figures(self) -> PublishedTable:
        """Headline figures from the published parts (already suppressed)."""
        unmet = _first(self._unmet)
        benchmark = self._benchmark
        funding = _first(self.funding.data.set_index("measure").T) if len(self.funding) else {}
        victims = self._part("expected_victims")
        expected = None
        if not victims.empty:
            whole = victims[
                (victims["level"].astype(str) == "tier_one") & (victims["sex"].astype(str) == ALL)
            ]
            if len(whole):
                expected = whole["value"].iloc[0]
        rows = [
            ("Expected adult victims of domestic abuse in a year (estimate)", expected, "integer", False),
            ("Households referred to services in the area", unmet.get("households_referred"), "count", True),
            ("Households supported", unmet.get("households_supported"), "count", True),
            ("Households not supported anywhere", unmet.get("households_unmet"), "count", True),
            (
                "Units counted towards the Council of Europe benchmark",
                benchmark.get("counted_units"),
                "integer",
                False,
            ),
            ("Units the benchmark calls for", benchmark.get("coe_target_units"), "number", False),
            ("Safe accommodation grant", funding.get("Safe accommodation grant"), "money", False),
            ("Committed spend", funding.get("Committed in total"), "money", False),
        ]
        return _measure_table(rows, f"Key figures, {self._where()}")

    @cached_property
    def data_summary(self) -> PublishedTable:
        """The tables used, with their number of rows (record-level tables suppressed)."""
        if self.dataset is None:
            return PublishedTable(pd.DataFrame(), "Data used")
        rows = []
        for name in sorted(
            self.dataset.tables, key=lambda n: (list(TABLES).index(n) if n in TABLES else 99, n)
        ):
            spec = TABLES.get(name)
            rows.append(
                {
                    "table": name,
                    "rows": len(self.dataset.tables[name]),
                    "description": getattr(spec, "description", "") if spec else "",
                }
            )
        # Row counts of record-level tables count referrals (people); other tables' rows are
        # areas, services or years, which reveal nobody.
        frame = pd.DataFrame(rows)
        records = frame["table"].isin(RECORD_LEVEL_TABLES)
        frame = pd.concat(
            [self._suppress(frame[records], ["rows"]), self._suppress(frame[~records])]
        ).sort_index()
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
        record_rows = table.data["table"].isin(RECORD_LEVEL_TABLES).to_numpy()
        table.count_cells = pd.DataFrame(
            {"Table": False, "Rows": record_rows, "What it holds": False}, index=table.frame.index
        )
        return table

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

    def scenarios(self, paths: Sequence[str]) -> Html:
        """The scenario comparison (only when scenario files are given).

        Imports :mod:`needs.scenarios.model` only when needed. Figures in households (modelled
        demand, turn-aways) come from observed referral counts, so they pass through
        :func:`needs.methods.disclosure.suppress` as counts; units, money and shares are modelled
        quantities and are shown as they are.
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
        """A long comparison from :func:`needs.scenarios.model.compare` as a published wide table."""
        if table.empty:
            return PublishedTable(pd.DataFrame(), f"Scenarios compared with the baseline, {self._where()}")
        long = table.reset_index(drop=True).copy()
        households = long["unit"].astype(str).eq("households")
        counts = long[households].assign(value=long.loc[households, "value"].round())
        published = pd.concat(
            [self._suppress(counts, ["value"]), self._suppress(long[~households])]
        ).sort_index()
        formats = {
            "households": "count",
            "units": "count",
            "pounds": "money",
            "share": "percent",
            "probability": "percent",
        }
        order = list(dict.fromkeys(published["scenario"].astype(str)))
        rows: dict[str, list[str]] = {"Figure": []}
        mask: dict[str, list[bool]] = {"Figure": []}
        for name in order:
            rows[name] = []
            mask[name] = []
        for _, group in published.groupby("figure", sort=False):
            group = group.set_index(group["scenario"].astype(str)).reindex(order)
            unit = str(group["unit"].iloc[0])
            rows["Figure"].append(str(group["label"].iloc[0]))
            mask["Figure"].append(False)
            for name in order:
                value = group.loc[name, "value"]
                rows[name].append(FORMATTERS[formats.get(unit, "number")](value))
                mask[name].append(unit == "households")
        frame = pd.DataFrame(rows)
        return PublishedTable(
            frame=frame,
            caption=f"Scenarios compared with the baseline, {self._where()}",
            data=published,
            row_header="Figure",
            count_cells=pd.DataFrame(mask),
            note="Figures are modelled a year ahead from this year's referrals, stays and services; "
            "households are rounded to whole numbers and small numbers are hidden as in every table.",
        )

    def suppression_notice(self) -> Html:
        """The note explaining the symbols used in every table."""
        return Html(f'<p class="note">{html.escape(self.suppression_note)}</p>')

    def data_quality(self) -> Html:
        """Warnings from loading the data, and the share of households with unknown values."""
        warnings = list(getattr(self.dataset, "warnings", ()) or ())
        if warnings:
            items = "".join(f"<li>{html.escape(str(w))}</li>" for w in warnings)
            body = f"<p>Checks of the data raised {len(warnings)} warning(s):</p><ul>{items}</ul>"
        else:
            body = "<p>The data passed every validation check with no warnings.</p>"
        return Html(body)

    # -- findings --------------------------------------------------------------------------

    @cached_property
    def _findings(self) -> pd.DataFrame:
        return findings(self.assessment, suppress_below=self.threshold)

    def findings(self, topics: Sequence[str] | None = None, limit: int | None = None) -> Findings:
        """Plain-English findings, most important first, optionally for some topics.

        Regenerated with this publication's threshold, so a count below it is written
        "fewer than N" (:func:`needs.assessment.findings.findings`).
        """
        part = self._findings
        if "area_code" in part.columns and self.area:
            part = part[part["area_code"].astype(str) == self.area]
        if not part.empty:
            if topics is not None:
                part = part[part["topic"].astype(str).isin(list(topics))]
            part = part.sort_values("rank", kind="stable")
            if limit is not None:
                part = part.head(limit)
        sentences = [] if part.empty else [str(s) for s in part["sentence"]]
        return Findings(tuple(sentences))


def _level_key(values: pd.Series) -> pd.Series:
    if values.name == "level":
        return values.astype(str).map({"tier_one": 0, "district": 1}).fillna(2)
    if values.name == "sex":
        return values.astype(str).map({"all": 0, "female": 1, "male": 2}).fillna(3)
    return values.astype(str)


def _characteristic_key(values: pd.Series) -> pd.Series:
    order = {c: i for i, c in enumerate(cat.CHARACTERISTIC_LABELS)}
    return values.astype(str).map(lambda c: order.get(c, len(order)))

