"""Category lists: the one definition of every coded value the toolkit uses.

Validation, calculations, synthetic data, the provider template, the MHCLG return and
the report all read these lists; nothing else spells a category code. Every list that
describes a person or an event carries ``not_known`` so that missing information is
recorded, counted and reported rather than dropped.

Sources: SI 2021/991 reg. 2 (accommodation types); statutory guidance of 1 October 2021
(support types); MHCLG "Support in Domestic Abuse Safe Accommodation" releases and
Women's Aid On Track (outcomes, reasons); Census 2021 classifications (ethnic group,
religion, sexual orientation, gender identity, disability); CSEW age bands. See
``shared/DOMAIN.md`` section 6.1.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_KNOWN = "not_known"


@dataclass(frozen=True)
class CategoryList:
    """An ordered list of codes with their plain-English labels.

    Parameters
    ----------
    name
        Machine name of the list (used in the data dictionary).
    description
        One sentence saying what the list classifies.
    labels
        Mapping of code to label, in display order.
    """

    name: str
    description: str
    labels: dict[str, str]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def __iter__(self):
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)


def _with_not_known(labels: dict[str, str]) -> dict[str, str]:
    return {**labels, NOT_KNOWN: "Not known"}


ACCOMMODATION_TYPES = CategoryList(
    "accommodation_type",
    "Type of safe accommodation under SI 2021/991 reg. 2, or not accommodation-based.",
    _with_not_known(
        {
            "refuge": "Refuge accommodation",
            "specialist_safe": "Specialist safe accommodation (including 'by and for')",
            "dispersed_refuge_level": "Dispersed accommodation with refuge-level support",
            "dispersed_semi_independent": "Dispersed semi-independent accommodation",
            "second_stage": "Second-stage (move-on) accommodation",
            "sanctuary": "Sanctuary scheme",
            "other_da_emergency": "Other designated domestic abuse emergency accommodation",
            "not_relevant": "Non-relevant accommodation (B&B, hostel, other temporary)",
            "not_accommodation": "Not accommodation-based (community or other support)",
        }
    ),
)

#: Accommodation types that provide a bed or unit for a household to stay in, so that
#: occupancy, length of stay and the Erlang loss model apply. Sanctuary schemes are
#: counted in households, not bedspaces (DOMAIN.md 6.4).
BEDDED_ACCOMMODATION_TYPES: tuple[str, ...] = (
    "refuge",
    "specialist_safe",
    "dispersed_refuge_level",
    "dispersed_semi_independent",
    "second_stage",
    "other_da_emergency",
)

#: Accommodation types of "relevant safe accommodation" (SI 2021/991 reg. 2, including
#: sanctuary schemes, reg. 2(3)): support in them is the Part 4 duty and the scope of the
#: annual return's "support in domestic abuse safe accommodation".
SAFE_ACCOMMODATION_TYPES: tuple[str, ...] = (
    "refuge",
    "specialist_safe",
    "dispersed_refuge_level",
    "dispersed_semi_independent",
    "second_stage",
    "sanctuary",
    "other_da_emergency",
)

#: Scope of support: in relevant safe accommodation (the Part 4 duty), community-based
#: (s.57(6): other support, not in safe accommodation), or other (non-relevant accommodation
#: such as B&B, or a type not known). :func:`scope_of` maps accommodation types to them.
SCOPES = CategoryList(
    "scope",
    "Whether support was in relevant safe accommodation (the Part 4 duty) or community-based.",
    {
        "safe_accommodation": "In safe accommodation (Part 4 duty)",
        "community": "Community-based support (not in safe accommodation)",
        "other": "Other accommodation or type not known",
    },
)

#: The scope of every accommodation type (each type in exactly one scope).
SCOPE_OF_ACCOMMODATION_TYPE: dict[str, str] = {
    **{code: "safe_accommodation" for code in SAFE_ACCOMMODATION_TYPES},
    "not_accommodation": "community",
    "not_relevant": "other",
    NOT_KNOWN: "other",
}


#: Types counted towards the Council of Europe benchmark by default (a parameter).
COE_DEFAULT_TYPES: tuple[str, ...] = ("refuge", "specialist_safe", "dispersed_refuge_level")

SUPPORT_TYPES = CategoryList(
    "support_type",
    "Type of support under the statutory guidance of 1 October 2021.",
    _with_not_known(
        {
            "management": "Overseeing and managing the service",
            "advocacy": "Advocacy support",
            "prevention_advice": "Domestic abuse prevention advice",
            "specialist_support": "Specialist support (protected characteristics or complex needs)",
            "children": "Children's support",
            "housing": "Housing-related support",
            "advice": "Advice service",
            "counselling": "Counselling and therapy",
            "other": "Other support",
        }
    ),
)

SPECIALISMS = CategoryList(
    "specialism",
    "Group a service is designed for; 'generic' serves all victims.",
    _with_not_known(
        {
            "generic": "Generic (all victims)",
            "male_victims": "Male victims",
            "lgbtq": "LGBT+ victims",
            "black_minoritised": "Black and minoritised victims",
            "gypsy_roma_traveller": "Gypsy, Roma and Traveller victims",
            "disabled_accessible": "Disabled victims (accessible units)",
            "substance_use": "Victims who use substances",
            "mental_health": "Victims with mental health needs",
            "young_people": "Young people",
            "complex_needs": "Complex and multiple needs",
        }
    ),
)

REFERRAL_OUTCOMES = CategoryList(
    "referral_outcome",
    "What happened to a referral.",
    _with_not_known(
        {
            "accepted_supported": "Accepted and supported",
            "unable_to_support": "Unable to support",
            "withdrawn_by_referrer": "Withdrawn by referrer",
            "survivor_declined": "Survivor declined the offer",
            "pending": "Pending (no decision yet)",
        }
    ),
)

#: Outcomes that count as a decision on the referral (denominator of turn-away rates).
DECIDED_OUTCOMES: tuple[str, ...] = ("accepted_supported", "unable_to_support", "survivor_declined")

DECLINE_REASONS = CategoryList(
    "decline_reason",
    "Why a service was unable to support a referred household.",
    _with_not_known(
        {
            "no_capacity_space": "No space or capacity",
            "unable_to_meet_needs": "Unable to meet needs (accessibility, complex needs, family size)",
            "risk_location_unsafe": "Risk: location unsafe",
            "nrpf_no_funding_route": "No recourse to public funds: no funding route",
            "inappropriate_referral_not_eligible": "Inappropriate referral or not eligible",
            "survivor_declined_or_disengaged": "Survivor declined or disengaged",
            "other": "Other reason",
        }
    ),
)

#: Decline reasons that mean the service was full: the capacity-related share.
CAPACITY_DECLINE_REASONS: tuple[str, ...] = ("no_capacity_space",)

#: Decline reasons that mean the service could not meet the household's needs (accessibility,
#: complex needs, family size; an unsafe location; no recourse to public funds).
NEEDS_NOT_MET_REASONS: tuple[str, ...] = ("unable_to_meet_needs", "risk_location_unsafe", "nrpf_no_funding_route")

#: Decline reasons that count as **unmet need**: unable to be supported for lack of capacity or
#: for needs the service could not meet. Not unmet need: ``survivor_declined_or_disengaged``
#: (the survivor's choice), ``inappropriate_referral_not_eligible`` (ineligible or
#: inappropriate referral), ``other`` and not known; nor the outcomes ``survivor_declined``
#: and ``withdrawn_by_referrer``. The unmet households of
#: :func:`needs.assessment.referrals.unmet_households` and the reason groups of
#: :data:`needs.assessment.flow.REASON_GROUPS` are built from these.
UNMET_NEED_REASONS: tuple[str, ...] = (*CAPACITY_DECLINE_REASONS, *NEEDS_NOT_MET_REASONS)

END_REASONS = CategoryList(
    "end_reason",
    "Why support ended.",
    _with_not_known(
        {
            "no_longer_needed": "Support no longer needed",
            "moved_settled_social_housing": "Moved to settled social housing",
            "moved_settled_private_rented": "Moved to settled private rented housing",
            "moved_other_safe_accommodation": "Moved to other safe accommodation",
            "moved_temporary_accommodation": "Moved to temporary accommodation",
            "returned_to_perpetrator": "Returned to the perpetrator",
            "evicted_or_abandoned": "Evicted or abandoned",
            "other": "Other reason",
        }
    ),
)

SEX = CategoryList(
    "sex",
    "Sex of the lead victim.",
    _with_not_known({"female": "Female", "male": "Male"}),
)

#: Sexes used by population and prevalence tables ('all' for persons).
POPULATION_SEXES: tuple[str, ...] = ("female", "male")
PREVALENCE_SEXES = CategoryList(
    "prevalence_sex",
    "Sex a CSEW rate applies to.",
    {"female": "Female", "male": "Male", "all": "All adults"},
)

#: CSEW victim-characteristics age bands (lower, upper inclusive; None = no upper bound).
AGE_BAND_LIMITS: dict[str, tuple[int, int | None]] = {
    "16-19": (16, 19),
    "20-24": (20, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-59": (55, 59),
    "60-64": (60, 64),
    "65-74": (65, 74),
    "75+": (75, None),
}
AGE_BANDS = CategoryList(
    "age_band",
    "Age band of the lead victim (CSEW bands, ages 16 and over).",
    _with_not_known({band: band.replace("+", " and over") for band in AGE_BAND_LIMITS}),
)
#: Prevalence rates may apply to one band or to all adults.
PREVALENCE_AGE_BANDS = CategoryList(
    "prevalence_age_band",
    "Age band a CSEW rate applies to, or 'all' for all adults 16+.",
    {**{band: band for band in AGE_BAND_LIMITS}, "all": "All adults 16+"},
)

#: Single year of age stored for the top age group (ONS '90+').
OLDEST_AGE = 90
ADULT_AGE = 16

ETHNIC_GROUPS = CategoryList(
    "ethnic_group",
    "Ethnic group (Census 2021: the 8 categories, with White: Gypsy or Irish Traveller, "
    "White: Roma and White: Other White apart as in the 19 categories).",
    _with_not_known(
        {
            "asian": "Asian, Asian British or Asian Welsh",
            "black": "Black, Black British, Black Welsh, Caribbean or African",
            "mixed": "Mixed or Multiple ethnic groups",
            "white_british": "White: English, Welsh, Scottish, Northern Irish or British",
            "white_irish": "White: Irish",
            "white_gypsy_irish_traveller": "White: Gypsy or Irish Traveller",
            "white_roma": "White: Roma",
            "white_other": "White: Other White",
            "other": "Other ethnic group",
        }
    ),
)
#: The Census 2021 19-category groups that the 8-category classification merges into one
#: group, "White: Gypsy or Irish Traveller, Roma or Other White" (ONS, Ethnic group
#: classification, Census 2021). Data published only in 8 categories must be split.
WHITE_OTHER_SUBGROUPS: tuple[str, ...] = ("white_gypsy_irish_traveller", "white_roma", "white_other")
#: Gypsy, Roma and Traveller ethnic groups: the group a GRT specialist service is for, and a
#: candidate specialist characteristic of the MHCLG return (``shared/DOMAIN.md`` 2.3).
GYPSY_ROMA_TRAVELLER: tuple[str, ...] = ("white_gypsy_irish_traveller", "white_roma")
#: Codes no longer in use, each with the codes that replace it (a migration note for the
#: validator's "did you mean"): the merged 8-category White group was split in issue 13.
RETIRED_CODES: dict[str, tuple[str, ...]] = {"white_gypsy_roma_other": WHITE_OTHER_SUBGROUPS}

RELIGIONS = CategoryList(
    "religion",
    "Religion (Census 2021, 10 categories).",
    _with_not_known(
        {
            "no_religion": "No religion",
            "christian": "Christian",
            "buddhist": "Buddhist",
            "hindu": "Hindu",
            "jewish": "Jewish",
            "muslim": "Muslim",
            "sikh": "Sikh",
            "other": "Other religion",
        }
    ),
)

SEXUAL_ORIENTATIONS = CategoryList(
    "sexual_orientation",
    "Sexual orientation (Census 2021, 6 categories).",
    _with_not_known(
        {
            "heterosexual": "Straight or heterosexual",
            "gay_or_lesbian": "Gay or lesbian",
            "bisexual": "Bisexual",
            "other": "All other sexual orientations",
        }
    ),
)

GENDER_IDENTITIES = CategoryList(
    "gender_identity",
    "Gender identity (Census 2021, 4 categories).",
    _with_not_known(
        {
            "same_as_birth_sex": "Gender identity the same as sex registered at birth",
            "different_from_birth_sex": "Gender identity different from sex registered at birth",
        }
    ),
)

DISABILITY = CategoryList(
    "disability",
    "Disability under the Equality Act 2010.",
    _with_not_known({"disabled": "Disabled", "not_disabled": "Not disabled"}),
)

YES_NO = CategoryList(
    "yes_no",
    "Yes, no or not known.",
    _with_not_known({"yes": "Yes", "no": "No"}),
)

#: Additional needs recorded as yes/no/not_known flags, one column each (``need_<code>``).
ADDITIONAL_NEEDS = CategoryList(
    "additional_need",
    "Additional needs of the household.",
    {
        "mental_health": "Mental health needs",
        "substance_use": "Substance use",
        "nrpf": "No recourse to public funds",
        "learning_disability": "Learning disability or neurodivergence",
        "older_sons": "Older sons (boys aged 12 or over)",
        "large_family": "Large family (three or more children)",
    },
)

FUNDING_SOURCES = CategoryList(
    "funding_source",
    "Where money comes from.",
    _with_not_known(
        {
            "mhclg_dasa_grant": "MHCLG Domestic Abuse Safe Accommodation grant",
            "la_core": "Council core budget",
            "public_health": "Public health grant",
            "pcc_moj": "Police and Crime Commissioner or Ministry of Justice",
            "housing_benefit_rent": "Housing benefit and rent",
            "charitable": "Charitable funds",
            "other": "Other",
        }
    ),
)

SERVICE_STATUSES = CategoryList(
    "service_status",
    "Whether a commissioned contract is running.",
    {"in_place": "In place", "not_yet_in_place": "Not yet in place"},
)

#: Where a theme of the survivor and stakeholder voice (the ``engagement`` table) was heard.
ENGAGEMENT_SOURCES = CategoryList(
    "engagement_source",
    "Kind of engagement a theme was heard in.",
    _with_not_known(
        {
            "survey": "Survey",
            "focus_group": "Focus group or interview",
            "provider": "Service provider",
            "partner": "Partner agency",
            "other": "Other",
        }
    ),
)

#: Priority of a commissioning intention (``intentions.yaml``).
INTENTION_PRIORITIES = CategoryList(
    "intention_priority",
    "Priority the partnership gives a commissioning intention.",
    {"high": "High", "medium": "Medium", "low": "Low"},
)

AREA_TYPES = CategoryList(
    "area_type",
    "Kind of local authority area.",
    {
        "county": "County council",
        "district": "District council",
        "unitary": "Unitary authority",
        "metropolitan_district": "Metropolitan district",
        "london_borough": "London borough",
        "greater_london_authority": "Greater London Authority",
        "other": "Other area",
    },
)

#: Tier-one authorities under Part 4 (s.57): the unit of assessment. London boroughs are
#: tier two for Part 4; the GLA is the tier-one authority for London.
TIER_ONE_AREA_TYPES: tuple[str, ...] = (
    "county",
    "unitary",
    "metropolitan_district",
    "greater_london_authority",
)

CSEW_MEASURES = CategoryList(
    "csew_measure",
    "CSEW domestic abuse question set; rates from different sets are never combined.",
    {
        "old": "Previous CSEW domestic abuse questions (to year ending March 2024)",
        "new": "New CSEW questions aligned to the Domestic Abuse Act 2021 (from year ending March 2024)",
    },
)

#: MHCLG return: kinds of individual counted as supported (DOMAIN.md 2.3).
PERSON_TYPES = CategoryList(
    "person_type",
    "Kind of individual supported, as the annual return counts them.",
    {"woman": "Women", "man": "Men", "trans_adult": "Trans adults", "child": "Children"},
)

#: Characteristics compared between expected victims and households referred/supported:
#: referral column -> category list.
PROTECTED_CHARACTERISTICS: dict[str, CategoryList] = {
    "sex": SEX,
    "age_band": AGE_BANDS,
    "ethnic_group": ETHNIC_GROUPS,
    "religion": RELIGIONS,
    "sexual_orientation": SEXUAL_ORIENTATIONS,
    "gender_identity": GENDER_IDENTITIES,
    "disability": DISABILITY,
    "pregnant": YES_NO,
}

#: Census-based characteristics that a ``characteristics`` table may hold.
CENSUS_CHARACTERISTICS: dict[str, CategoryList] = {
    "ethnic_group": ETHNIC_GROUPS,
    "religion": RELIGIONS,
    "sexual_orientation": SEXUAL_ORIENTATIONS,
    "gender_identity": GENDER_IDENTITIES,
    "disability": DISABILITY,
}

CHARACTERISTIC_LABELS: dict[str, str] = {
    "sex": "Sex",
    "age_band": "Age band",
    "ethnic_group": "Ethnic group",
    "religion": "Religion",
    "sexual_orientation": "Sexual orientation",
    "gender_identity": "Gender identity",
    "disability": "Disability",
    "pregnant": "Pregnancy",
    **{f"need_{code}": label for code, label in ADDITIONAL_NEEDS.labels.items()},
}


def need_column(code: str) -> str:
    """Column name in ``referrals`` for an additional-need flag."""
    return f"need_{code}"


ALL_LISTS: tuple[CategoryList, ...] = (
    ACCOMMODATION_TYPES,
    SUPPORT_TYPES,
    SPECIALISMS,
    REFERRAL_OUTCOMES,
    DECLINE_REASONS,
    END_REASONS,
    SEX,
    PREVALENCE_SEXES,
    AGE_BANDS,
    PREVALENCE_AGE_BANDS,
    ETHNIC_GROUPS,
    RELIGIONS,
    SEXUAL_ORIENTATIONS,
    GENDER_IDENTITIES,
    DISABILITY,
    YES_NO,
    ADDITIONAL_NEEDS,
    FUNDING_SOURCES,
    SERVICE_STATUSES,
    AREA_TYPES,
    CSEW_MEASURES,
    PERSON_TYPES,
)
