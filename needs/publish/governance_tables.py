"""Published front matter and governance: publication details, commissioning intentions,
survivor and stakeholder voice, and the glossary.

The tables are declared in :mod:`needs.publish.governance_specs`; the terms of the glossary in
:mod:`needs.reference.glossary`. The front matter and the commissioning intentions are read
from the dataset's metadata (``dataset.yaml`` and ``intentions.yaml``); the survivor and
stakeholder voice is the ``engagement`` part of the assessment, whose respondents are counts of
people on the page (:data:`~needs.publish.governance_specs.GOVERNANCE_PART_SPECS`). Whatever
was not given is said to be "not yet provided", never left out in silence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from typing import Any

import pandas as pd

from needs.publish.base import PublicationBase
from needs.publish.governance_specs import (
    FRONT_MATTER_LABELS,
    INTENTION_CAPTION,
    INTENTION_COLUMNS,
    INTENTION_NOTE,
    NOT_YET_PROVIDED,
)
from needs.publish.publisher import declared
from needs.publish.tables import Html, PublishedTable, measure_table, publish
from needs.reference import categories as cat
from needs.reference.glossary import GLOSSARY

_DATE_KEYS = frozenset({"publication_date", "next_review"})
#: Shown under a governance table built from a demonstration dataset.
_ILLUSTRATIVE = (
    "Illustrative only: these details come with the demonstration dataset to show the format; they "
    "are not decisions of any council or partnership board."
)


def _long_date(value: Any) -> str:
    """An ISO date as the report writes dates: ``2024-07-31`` -> ``31 July 2024``."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def _text_table(table: PublishedTable) -> Html:
    """A table whose last column is sentences (quotes, timescales), marked so that the report's
    styles wrap that column and align it left like text, whatever its cells look like."""
    return Html(f'<div class="text-table">{table.to_html()}</div>')


def _not_provided(title: str, text: str) -> Html:
    """A visible "not yet provided" note (a paragraph styled like an empty table)."""
    return Html(
        f'<p class="no-data not-provided"><strong>{html.escape(title)}: {NOT_YET_PROVIDED}.</strong> '
        f"{html.escape(text)}</p>"
    )


class GovernanceTables(PublicationBase):
    """Front matter, commissioning intentions, survivor and stakeholder voice, glossary."""

    engagement_themes = declared("engagement_themes")

    @property
    def _metadata(self) -> dict:
        return dict(getattr(self.dataset, "metadata", None) or {})

    @property
    def _demonstration(self) -> bool:
        return bool(getattr(self.dataset, "demonstration", False))

    def front_matter(self) -> PublishedTable:
        """Publication date, approving body, next review, contact and version of the assessment,
        from ``dataset.yaml``; a key not given shows "not yet provided".

        The authority, period and date of the data are in the page's title block, so they are
        not repeated here.
        """
        metadata = self._metadata
        rows = []
        for key, label in FRONT_MATTER_LABELS:
            value = metadata.get(key)
            if value is None or str(value).strip() == "":
                shown = NOT_YET_PROVIDED
            else:
                shown = _long_date(value) if key in _DATE_KEYS else str(value)
            rows.append((label, shown, "text", False))
        note = _ILLUSTRATIVE if self._demonstration else ""
        return measure_table(rows, "About this assessment", note=note)

    def intentions_table(self) -> PublishedTable | None:
        """The commissioning intentions as a published table; ``None`` when none were given."""
        intentions = self._metadata.get("intentions")
        if not intentions:
            return None
        frame = pd.DataFrame(list(intentions))
        frame["priority_label"] = frame["priority"].astype(str).map(cat.INTENTION_PRIORITIES.label)
        values = {"area_name": self.area_name}
        note = INTENTION_NOTE + (" " + _ILLUSTRATIVE if self._demonstration else "")
        return publish(
            frame, INTENTION_COLUMNS, INTENTION_CAPTION.format_map(values), row_header="Action", note=note
        )

    def commissioning_intentions(self) -> Html:
        """The commissioning intentions read from the analyst's ``intentions.yaml``, or a note
        that none were given."""
        table = self.intentions_table()
        if table is None:
            return _not_provided(
                "Commissioning intentions",
                "The partnership has not yet set out what it will commission in response to this "
                "assessment (the analyst adds them as intentions.yaml in the data folder).",
            )
        return _text_table(table)

    def engagement_table(self) -> PublishedTable | None:
        """The declared ``engagement_themes`` table (marked illustrative for a demonstration
        dataset); ``None`` when the dataset has no ``engagement`` table."""
        if self.dataset is not None and not self.dataset.has("engagement"):
            return None
        table = self.engagement_themes
        if self._demonstration and len(table):
            table = dataclasses.replace(table, note=f"{table.note} {_ILLUSTRATIVE}")
        return table

    def engagement(self) -> Html:
        """Survivor and stakeholder voice from the ``engagement`` table, or a note that none was given."""
        table = self.engagement_table()
        if table is None:
            return _not_provided(
                "Survivor and stakeholder voice",
                "The themes heard from survivors, providers and partners have not yet been added to "
                "this assessment (the analyst adds them as an engagement table in the data folder).",
            )
        return _text_table(table)

    def glossary(self) -> Html:
        """Terms the report uses, defined once (:data:`needs.reference.glossary.GLOSSARY`), as a
        definition list, each with its source where it has one."""
        items = []
        for term in GLOSSARY:
            source = (
                f' <span class="glossary-source">Source: {html.escape(term.source)}.</span>'
                if term.source
                else ""
            )
            items.append(
                f'<dt id="{term.anchor}">{html.escape(term.term)}</dt>'
                f"<dd>{html.escape(term.definition)}{source}</dd>"
            )
        return Html(f'<dl class="glossary">{"".join(items)}</dl>')
