"""Published tables of the statutory story: households and individuals supported by scope and
their reconciliation with the annual return, the flows of referrals and households, and
children and young people.

The tables are declared in :mod:`needs.publish.story_specs`; here are the parts that are
sentences or that put several tables together.
"""

from __future__ import annotations

from needs.publish.base import PublicationBase
from needs.publish.tables import Html


class StoryTables(PublicationBase):
    """Published tables of who was supported, the flows and children and young people."""

    def reconciliation(self) -> Html:
        """The reconciliation of the report's headline figures with the annual return."""
        return Html("")

    def supported_by_scope(self) -> Html:
        """Households and individuals supported, in safe accommodation and community-based."""
        return Html("")

    def flows(self) -> Html:
        """The flows of referrals and households through the period."""
        return Html("")
