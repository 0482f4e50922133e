"""The glossary: every term the report uses, defined once, with its source where it has one.

The report's glossary (:meth:`needs.publish.governance_tables.GovernanceTables.glossary`) prints
:data:`GLOSSARY` in this order (alphabetical, as a reader looks a term up). Definitions follow
the law (Domestic Abuse Act 2021 Part 4; SI 2021/991), the statutory guidance of 1 October 2021,
the Council of Europe's minimum standards (Kelly and Dubois 2008), the Government Statistical
Service's symbols and the toolkit's own counting rules (:mod:`needs.assessment.counting`,
:mod:`needs.reference.categories`); see ``shared/DOMAIN.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GLOSSARY", "Term"]


@dataclass(frozen=True)
class Term:
    """One glossary entry: the term, its definition and, where there is one, its source."""

    term: str
    definition: str
    source: str = ""

    @property
    def anchor(self) -> str:
        """An HTML ``id`` for the term: ``glossary-`` and its letters and digits."""
        slug = "".join(ch if ch.isalnum() else "-" for ch in self.term.lower())
        return "glossary-" + "-".join(part for part in slug.split("-") if part)


_ACT = "Domestic Abuse Act 2021"
_SI = "SI 2021/991, regulation 2"
_GUIDANCE = "Statutory guidance on the delivery of support to victims of domestic abuse in safe accommodation, 1 October 2021"
_COE = "Council of Europe, Combating violence against women: minimum standards for support services (Kelly and Dubois, 2008)"
_GSS = "Government Statistical Service, Symbols in tables, definitions and help"
#: The toolkit's own counting rules: no source shown.
_TOOLKIT = ""

#: Every term of the report, alphabetical.
GLOSSARY: tuple[Term, ...] = tuple(
    sorted(
        (
            Term(
                "[c], [x] and [z]",
                "Symbols in tables. [c]: confidential, a small number (or a figure from which one "
                "could be worked out) hidden to protect the people it counts; [x]: not available; "
                "[z]: not applicable.",
                _GSS,
            ),
            Term(
                "Bedspace",
                "A bed for one person. A unit may have several bedspaces (for a parent and "
                "children), so bedspaces are never compared with family places.",
                _TOOLKIT,
            ),
            Term(
                "Child",
                "A person under 18 in a victim's household. Children who see, hear or experience "
                "the effects of abuse are victims in their own right.",
                f"{_ACT}, section 3",
            ),
            Term(
                "Community-based support",
                "Domestic abuse support the council provides or funds other than support in safe "
                "accommodation: outreach, advocacy (IDVAs), helplines, groups and counselling. The "
                'Act calls it "other local authority support"; the assessment notes how it '
                "interacts with safe accommodation but the Part 4 duty does not cover it.",
                f"{_ACT}, section 57(6)",
            ),
            Term(
                "Commissioning intentions",
                "What the partnership intends to commission in response to the assessment, agreed "
                "by the Local Partnership Board; not produced by the software.",
                _GUIDANCE,
            ),
            Term(
                "Confidence interval",
                "The range within which the true value is likely to lie, given the chance variation "
                "in the numbers (95% unless the report says otherwise). Wilson intervals for "
                "proportions; exact Poisson (below 10 events) or Byar's method for counts and rates.",
                "Office for Health Improvement and Disparities, Fingertips methods",
            ),
            Term(
                "Decided referral",
                "A referral with a decision: accepted and supported, unable to be supported, or "
                "declined by the survivor. Referrals withdrawn or still pending are not decided; "
                "turn-away rates are shares of decided referrals.",
                _TOOLKIT,
            ),
            Term(
                "Family place",
                "The Council of Europe's unit of refuge provision: a place for one woman and the "
                "average number of children, that is a household unit rather than a bed. Its "
                "minimum standard is one family place per 10,000 population.",
                _COE,
            ),
            Term(
                "Household",
                "A victim and the children (and any other family members) who are referred or "
                "supported with them; counted once however many referrals it has.",
                _TOOLKIT,
            ),
            Term(
                "Individual",
                "A person supported: the adult victim and each child of the household, counted "
                "separately, as the annual return to the Ministry of Housing, Communities and Local "
                "Government counts victims supported.",
                "MHCLG annual safe accommodation data return",
            ),
            Term(
                "Lead victim",
                "The adult victim a referral is made for; the characteristics recorded (sex, age, "
                "ethnic group and others) are the lead victim's.",
                _TOOLKIT,
            ),
            Term(
                "Local Partnership Board",
                "The board every tier-one council must appoint to advise it on the Part 4 duty: "
                "victims, providers, health, police, district councils and others. It is consulted "
                "on the assessment and the strategy.",
                f"{_ACT}, section 58",
            ),
            Term(
                "Loss model",
                "The Erlang loss model: units are servers and stays are service times; households "
                "arrive at random and are turned away when every unit is full (there is no waiting "
                "list). It gives the share turned away for lack of space with a given number of "
                "units, and the units needed to keep that share at a target. A guide, not a forecast.",
                "Erlang B formula (A. K. Erlang, 1917)",
            ),
            Term(
                "Occupancy",
                "The share of the year a unit is occupied: the days households stayed divided by "
                "the days the units were available.",
                _TOOLKIT,
            ),
            Term(
                "Pipeline (planned service)",
                "A service commissioned but not yet in place. Its units are shown as a pipeline and "
                "never counted as provision in place.",
                _TOOLKIT,
            ),
            Term(
                "p-value",
                "In a test of whether a difference is more than chance: the probability of a "
                "difference at least as large if there were none. The smaller it is, the less "
                "likely chance explains the difference; values below 0.001 are shown as \"< 0.001\".",
                _TOOLKIT,
            ),
            Term(
                "Referral",
                "A request for a household to be supported by one service. A household can make "
                "several referrals, often to different services or areas, so referrals are not "
                "households.",
                _TOOLKIT,
            ),
            Term(
                "Representation ratio",
                "A group's share of households referred or supported divided by its share of "
                "expected victims, also given in words: 0.4 is about 4 in 10 of the number expected, "
                "1 about the number expected, 1.5 about 1.5 times the number expected. A group is "
                "reached less than expected when the whole confidence interval is below 1 and the "
                "ratio is low enough to matter (the rule is in Methods).",
                _TOOLKIT,
            ),
            Term(
                "Safe accommodation",
                "Relevant accommodation under the Act: refuges, specialist safe accommodation "
                "(including 'by and for' services), dispersed accommodation, second-stage (move-on) "
                "accommodation, sanctuary schemes and other designated domestic abuse emergency "
                "accommodation, but not bed and breakfast. Support in it is the council's duty under "
                "Part 4.",
                f"{_SI}; {_ACT}, section 57",
            ),
            Term(
                "Support cost",
                "The annual cost of the support contracts (staff and services), not of the "
                "buildings: rent and housing costs are met separately, mostly by housing benefit. "
                "The cost of closing a gap is a support cost.",
                _TOOLKIT,
            ),
            Term(
                "Survivor and stakeholder voice",
                "What victims and survivors, providers and partners told the partnership, by theme; "
                "the numbers of respondents are counts of people and are hidden when small.",
                _GUIDANCE,
            ),
            Term(
                "Throughput",
                "The households a service's units can take in a year at the occupancy and length "
                "of stay observed; capacity at full occupancy is the same with every unit always "
                "full. Neither is the number of units.",
                _TOOLKIT,
            ),
            Term(
                "Unable to support",
                "The outcome of a referral the service could not take: for lack of space, because "
                "it could not meet the household's needs, because the household was not eligible, "
                "or for another reason.",
                "MHCLG annual safe accommodation data return; Women's Aid On Track",
            ),
            Term(
                "Unit",
                "A household's place in safe accommodation: a refuge room, a dispersed flat or a "
                "sanctuary installation. Units are what capacity, occupancy and the loss model count.",
                _TOOLKIT,
            ),
            Term(
                "Unmet need",
                "Households that a service in the area was unable to support for lack of capacity "
                "or for needs it could not meet, and that no service in this dataset supported in "
                "the period: households, not referrals. Declines because the survivor declined or "
                "disengaged, or the referral was ineligible or inappropriate, are not unmet need. "
                "Services that sent no records cannot be seen, so it is an upper bound.",
                _TOOLKIT,
            ),
        ),
        key=lambda term: term.term.strip("[").lower(),
    )
)
