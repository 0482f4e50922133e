"""Published tables of the statutory story: households and individuals supported by scope and
their reconciliation with the annual return, the flows of referrals and households, and
children and young people.

The tables are declared in :mod:`needs.publish.story_specs`; here are the parts that are
sentences or that put several tables together.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from needs.publish.base import PublicationBase
from needs.publish.cells import Key
from needs.publish.formatting import format_count
from needs.publish.publisher import declared
from needs.publish.tables import Html

_FLOW_LEAD = (
    "Every row below is part of the row named as its base, and the rows of each base add up "
    "to it. Referrals are counted one by one; households once each, however many referrals "
    "they made."
)


class StoryTables(PublicationBase):
    """Published tables of who was supported, the flows and children and young people."""

    supported_table = declared("supported_table")
    referral_flow = declared("referral_flow")
    household_flow = declared("household_flow")
    supported_flow = declared("supported_flow")
    accepted_flow = declared("accepted_flow")

    def _supported_figures(self) -> dict[str, dict[str, Any]]:
        """The published ``supported`` rows by scope, with each count's page key (a hidden
        count, and individuals where either of its parts is hidden, is ``None``)."""
        frame = self._published("supported", symbols=False)
        registered = self.page.parts.get("supported")
        if frame.empty or registered is None:
            return {}
        mine = (frame["area_code"].astype(str) == self.area).to_numpy()
        out: dict[str, dict[str, Any]] = {}
        for i in frame.index[mine]:
            row = frame.loc[i]
            values = {m: (None if pd.isna(row[m]) else int(row[m])) for m in ("households", "children", "individuals")}
            values["keys"] = {
                "households": registered.keys["households"].loc[i],
                "children": registered.keys["children"].loc[i],
            }
            out[str(row["scope"])] = values
        return out

    def reconciliation(self) -> Html:
        """The reconciliation of the report's headline figures with the annual return.

        Written only from published figures, each declared to the page
        (:meth:`needs.publish.page.Page.state`); a hidden figure is said to be withheld.
        Individuals are households (one adult each) plus children, the return's
        "Total individuals supported" (:mod:`needs.outputs.annual_return`, same counting
        function).
        """
        figures = self._supported_figures()
        total = figures.get("all")
        if total is None:
            return Html("<p>No household was supported by services in the area in the period.</p>")
        counts: list[tuple[Key, float]] = []

        def use(scope: str, *measures: str) -> bool:
            row = figures.get(scope)
            if row is None or any(row[m] is None for m in measures):
                return False
            for m in measures:
                if m in row["keys"]:
                    counts.append((row["keys"][m], float(row[m])))
            return True

        if use("all", "individuals", "households", "children"):
            head = (
                f"{format_count(total['individuals'])} individuals = {format_count(total['households'])} "
                f"adults and {format_count(total['children'])} children in "
                f"{format_count(total['households'])} households"
            )
        elif use("all", "households"):
            head = (
                f"{format_count(total['households'])} households ({format_count(total['households'])} adults); "
                "the number of children is withheld to protect privacy"
            )
        else:
            head = "The number of households and individuals supported is withheld to protect privacy"
        scopes = []
        for scope, name in (("safe_accommodation", "in safe accommodation"), ("community", "in community-based support")):
            if use(scope, "individuals", "households", "children"):
                row = figures[scope]
                scopes.append(
                    f"{format_count(row['individuals'])} individuals ({format_count(row['households'])} households) {name}"
                )
            elif scope in figures:
                scopes.append(f"the number {name} is withheld to protect privacy")
        text = head + ("; " + ", ".join(scopes) if scopes else "") + "."
        note = (
            "This is the figure of the annual return to MHCLG ('Total individuals supported', "
            "produced by needs return from the same data with the same counting rule). The "
            "department's collection counts support in relevant safe accommodation; the "
            "council's total also includes community-based support funded by the grant, so the "
            "Part 4 figure is the safe-accommodation line. A household supported in both scopes "
            "counts in each and once in the total."
        )
        self.page.state(text, counts=counts)
        return Html(f"<p>{html.escape(text)}</p><p class=\"note\">{html.escape(note)}</p>")

    def supported_by_scope(self) -> Html:
        """Households and individuals supported, in safe accommodation and community-based."""
        return Html(self.supported_table.to_html())

    def flows(self) -> Html:
        """The flows of referrals and households through the period."""
        tables = (self.referral_flow, self.household_flow, self.supported_flow, self.accepted_flow)
        return Html(f"<p>{html.escape(_FLOW_LEAD)}</p>" + "".join(t.to_html() for t in tables))
