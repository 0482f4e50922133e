"""Published tables of children and young people (declared in :mod:`needs.publish.children_specs`)."""

from __future__ import annotations

import html
from typing import Any

from needs.publish.base import PublicationBase
from needs.publish.cells import ALL, Key
from needs.publish.formatting import finite, format_count
from needs.publish.publisher import declared
from needs.publish.tables import Html

_PART = "children"


class ChildrenTables(PublicationBase):
    """Children and young people referred, supported and unable to be supported."""

    children_groups = declared("children_groups")
    children_by_services = declared("children_by_services")

    def _children_figure(
        self, scope: str, characteristic: str, category: str, column: str
    ) -> tuple[Key, Any] | None:
        """The key and published value (NaN where hidden) of one count of the children part
        for all services (``scope`` ``all``) or a scope, or ``None`` without such a row."""
        registered = self.page.parts.get(_PART)
        if registered is None or registered.frame.empty or column not in registered.keys:
            return None
        frame = self._published(_PART, symbols=False)
        match = (
            (frame["area_code"].astype(str) == self.area)
            & (frame["scope"].astype(str) == scope)
            & (frame["accommodation_type"].astype(str) == ALL)
            & (frame["characteristic"].astype(str) == characteristic)
            & (frame["category"].astype(str) == category)
        )
        rows = frame.index[match.to_numpy()]
        if not len(rows):
            return None
        return registered.keys[column].loc[rows[0]], frame.loc[rows[0], column]

    def _children_lead(self) -> str:
        """One sentence on children supported, written only from published figures and declared
        to the page; a hidden figure is said to be withheld."""
        figures = {
            "children": self._children_figure(ALL, ALL, ALL, "children_supported"),
            "families": self._children_figure(ALL, "with_children", "yes", "households_supported"),
            "safe": self._children_figure("safe_accommodation", ALL, ALL, "children_supported"),
            "unmet": self._children_figure(ALL, ALL, ALL, "children_unmet"),
        }
        if figures["children"] is None:
            return ""
        shown = {name: figure for name, figure in figures.items() if figure is not None and finite(figure[1])}

        def count(name: str) -> str:
            return format_count(shown[name][1])

        if "children" not in shown:
            text = (
                f"The number of children in households supported in {self.period} is withheld to "
                "protect confidentiality."
            )
        else:
            families = f" in {count('families')} households" if "families" in shown else ""
            text = f"In {self.period}, services in {self.area_name} supported {count('children')} children{families}"
            if "safe" in shown:
                text += f"; {count('safe')} of the children were supported in safe accommodation"
            text += "."
        if "unmet" in shown:
            text += (
                f" {count('unmet')} children were in households that services were unable to support and "
                "that no service in this dataset supported."
            )
        self.page.state(
            "children and young people: lead sentence",
            counts=[(shown[name][0], float(shown[name][1])) for name in shown],
        )
        return text

    def children_and_young_people(self) -> Html:
        """Children and young people referred, supported and unable to be supported: a lead
        sentence and the two tables (all services by group of households; by scope of support
        and accommodation type)."""
        part = self._part(_PART)
        if part.empty:
            return Html(self.children_groups.to_html())
        lead = self._children_lead()
        paragraph = f"<p>{html.escape(lead)}</p>" if lead else ""
        return Html(paragraph + self.children_groups.to_html() + self.children_by_services.to_html())
