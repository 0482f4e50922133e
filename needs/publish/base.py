"""The base of the publication of one assessment: the area, the threshold, the one page model.

:class:`PublicationBase` holds what every section's tables share: the assessment part of the
area (:meth:`~PublicationBase._part`); the :class:`~needs.publish.page.Page` that decides once,
for the whole report, which counts are hidden (:attr:`~PublicationBase.page`), and from which
every table with counts is drawn (:meth:`~PublicationBase._published`); the wording of the
area, period and interval in captions; and :meth:`~PublicationBase.table`, every declared
table (:mod:`needs.publish.table_specs`) published once. The sections' tables are in
``population_tables``, ``referral_tables``, ``capacity_tables`` and ``funding_tables``;
:class:`needs.publish.publication.Publication` puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from needs.methods.disclosure import suppress, suppression_note
from needs.publish.page import Page
from needs.publish.part_specs import PART_SPECS
from needs.publish.publisher import publish_measures, publish_table
from needs.publish.table_specs import MEASURE_SPECS, TABLE_SPECS
from needs.publish.tables import PublishedTable
from needs.reference.constants import DEFAULT_SUPPRESS_BELOW
from needs.reference.schema import TABLES


@dataclass(frozen=True)
class PageContext:
    """What the part specs' ``prepare`` steps may read: the assessment, area and period."""

    assessment: Any
    area: str
    period: str


def input_table_rows(dataset: Any) -> pd.DataFrame:
    """The input tables of a dataset in the data dictionary's order, with their row counts."""
    if dataset is None:
        return pd.DataFrame(columns=["table", "rows", "description"])
    order = list(TABLES)
    names = sorted(dataset.tables, key=lambda n: (order.index(n) if n in TABLES else len(order), n))
    return pd.DataFrame(
        {
            "table": names,
            "rows": [len(dataset.tables[n]) for n in names],
            "description": [getattr(TABLES.get(n), "description", "") for n in names],
        }
    )


class PublicationBase:
    """What every section of the publication shares: the area, the threshold, suppression.

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
        self._tables: dict[tuple[str, tuple[tuple[str, str], ...]], PublishedTable] = {}

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

    @cached_property
    def page(self) -> Page:
        """Every count of the report under one key, protected once for the whole page."""
        page = Page(self.threshold, PageContext(self.assessment, self.area, self.period))
        for name, spec in PART_SPECS.items():
            frame = input_table_rows(self.dataset) if name == "data_summary" else self._part(name)
            if name == "funding" and "period" in frame.columns:
                frame = frame[frame["period"].astype(str) == self.period]
            page.add(frame, spec)
        return page.protect()

    def _published(self, name: str, *, symbols: bool = True) -> pd.DataFrame:
        """A part as the page publishes it (hidden counts and their derived figures ``[c]``)."""
        return self.page.published(name, symbols=symbols)

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

    def table(self, name: str, **fill: str) -> PublishedTable:
        """The table declared as ``name`` in :data:`~needs.publish.table_specs.TABLE_SPECS` or
        :data:`~needs.publish.table_specs.MEASURE_SPECS`, published once per ``fill``.

        ``fill`` gives the values of the templates the spec names besides the ones every table
        has (:func:`needs.publish.publisher.templates`).
        """
        key = (name, tuple(sorted(fill.items())))
        if key not in self._tables:
            if name in TABLE_SPECS:
                self._tables[key] = publish_table(TABLE_SPECS[name], self, **fill)
            else:
                self._tables[key] = publish_measures(MEASURE_SPECS[name], self, **fill)
        return self._tables[key]
