"""Published front matter and governance: publication details, commissioning intentions,
survivor and stakeholder voice, and the glossary.

The tables are declared in :mod:`needs.publish.governance_specs`.
"""

from __future__ import annotations

from needs.publish.base import PublicationBase
from needs.publish.tables import Html


class GovernanceTables(PublicationBase):
    """Front matter, commissioning intentions, survivor and stakeholder voice, glossary."""

    def front_matter(self) -> Html:
        """Publication date, approving body, next refresh, contact and version."""
        return Html("")

    def commissioning_intentions(self) -> Html:
        """The commissioning intentions read from the analyst's file, or a note that none were given."""
        return Html("")

    def engagement(self) -> Html:
        """Survivor and stakeholder voice from the ``engagement`` table, or a note that none was given."""
        return Html("")

    def glossary(self) -> Html:
        """Terms the report uses, defined once."""
        return Html("")
