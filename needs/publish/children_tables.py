"""Published tables of children and young people (declared in :mod:`needs.publish.children_specs`)."""

from __future__ import annotations

from needs.publish.base import PublicationBase
from needs.publish.tables import Html


class ChildrenTables(PublicationBase):
    """Children and young people referred, supported and unable to be supported."""

    def children_and_young_people(self) -> Html:
        """Children and young people referred, supported and unable to be supported."""
        return Html("")
