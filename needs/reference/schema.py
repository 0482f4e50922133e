"""The data dictionary: every input table and column, defined once.

Validation (:mod:`needs.inputs.validate`), the provider template (:mod:`needs.inputs.template`), the
synthetic generator (:mod:`needs.synth`) and the printed data dictionary
(``needs dictionary``) are all generated from :data:`TABLES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from needs.reference import categories as cat

ColumnKind = Literal["id", "code", "text", "category", "int", "number", "date", "period", "bool"]

#: Financial-year label, e.g. ``2024-25`` (1 April 2024 to 31 March 2025).
PERIOD_PATTERN = r"^\d{4}-\d{2}$"
#: ONS GSS code, e.g. ``E10000018``.
AREA_CODE_PATTERN = r"^[EKWSN]\d{8}$"


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    Parameters
    ----------
    name
        Column header as it appears in the file.
    kind
        ``id`` (free identifier), ``code`` (ONS area code), ``text``, ``category`` (value
        from ``categories``), ``int`` (whole number), ``number``, ``date`` (YYYY-MM-DD),
        ``period`` (financial year ``YYYY-YY``) or ``bool`` (true/false).
    description
        What the column holds, for the data dictionary.
    required
        The column must be present in the file.
    nullable
        Cells may be blank.
    categories
        Allowed values for ``category`` columns.
    minimum
        Smallest allowed value for numbers.
    maximum
        Largest allowed value for numbers.
    example
        A value for the provider template's example row.
    """

    name: str
    kind: ColumnKind
    description: str
    required: bool = True
    nullable: bool = False
    categories: cat.CategoryList | None = None
    minimum: float | None = None
    maximum: float | None = None
    example: object = None

    @property
    def allowed_values(self) -> str:
        if self.categories is not None:
            return ", ".join(self.categories.codes)
        if self.kind == "period":
            return "financial year as YYYY-YY, e.g. 2024-25"
        if self.kind == "date":
            return "date as YYYY-MM-DD"
        if self.kind == "code":
            return "ONS GSS code, e.g. E10000018"
        if self.kind == "bool":
            return "true or false"
        if self.kind in ("int", "number"):
            parts = ["whole number" if self.kind == "int" else "number"]
            if self.minimum is not None:
                parts.append(f">= {self.minimum:g}")
            if self.maximum is not None:
                parts.append(f"<= {self.maximum:g}")
            return " ".join(parts)
        return "text"


@dataclass(frozen=True)
class ForeignKey:
    """Values of ``column`` must appear in ``table.target_column`` (blank allowed if nullable)."""

    column: str
    table: str
    target_column: str


@dataclass(frozen=True)
class DateOrder:
    """``later`` must not be before ``earlier`` where both are given."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Table:
    """One input table: one file (CSV) or sheet (XLSX) in a data folder."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    foreign_keys: tuple[ForeignKey, ...] = ()
    date_orders: tuple[DateOrder, ...] = ()
    #: Column that must be filled when another column has one of some values:
    #: (column, when_column, when_values).
    required_when: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _yes_no(name: str, description: str) -> Column:
    return Column(name, "category", description, categories=cat.YES_NO, example="no")


AREAS = Table(
    "areas",
    "One row per area: the tier-one authorities assessed, their districts, and any area "
    "a referral comes from.",
    (
        Column("area_code", "code", "ONS GSS code of the area.", example="E99999999"),
        Column("area_name", "text", "Name of the area.", example="Example area"),
        Column("area_type", "category", "Kind of authority.", categories=cat.AREA_TYPES, example="county"),
        Column(
            "parent_code",
            "code",
            "Tier-one area a district belongs to; blank for tier-one areas.",
            nullable=True,
            example="",
        ),
        Column(
            "synthetic",
            "bool",
            "true where the area's figures are synthetic rather than published.",
            required=False,
            nullable=True,
            example="false",
        ),
    ),
    key=("area_code",),
    foreign_keys=(ForeignKey("parent_code", "areas", "area_code"),),
)

POPULATION = Table(
    "population",
    "Resident population by single year of age and sex (ONS mid-year estimates), for areas "
    "without child areas; totals for counties are summed from their districts.",
    (
        Column("area_code", "code", "ONS GSS code of the area.", example="E99999998"),
        Column("year", "int", "Mid-year the estimate refers to.", minimum=1900, maximum=2100, example=2022),
        Column(
            "sex",
            "category",
            "Sex.",
            categories=cat.CategoryList(
                "population_sex", "Sex.", {s: cat.SEX.label(s) for s in cat.POPULATION_SEXES}
            ),
            example="female",
        ),
        Column(
            "age",
            "int",
            f"Single year of age; {cat.OLDEST_AGE} means {cat.OLDEST_AGE} and over.",
            minimum=0,
            maximum=cat.OLDEST_AGE,
            example=34,
        ),
        Column("population", "int", "Number of residents.", minimum=0, example=1234),
    ),
    key=("area_code", "year", "sex", "age"),
    foreign_keys=(ForeignKey("area_code", "areas", "area_code"),),
)

POPULATION_PROJECTION = Table(
    "population_projection",
    "Projected resident population by single year of age and sex (ONS subnational population "
    "projections), for areas without child areas, for the mid-years after the population table's: "
    "projected need for the strategy period. Optional: without it the report says the projection "
    "is not provided.",
    (
        *POPULATION.columns[:4],
        Column("population", "number", "Projected number of residents (not rounded).", minimum=0, example=1234.5),
        Column(
            "edition",
            "text",
            "The projection's edition and variant, e.g. 'ONS 2022-based SNPP, migration category variant'.",
            example="ONS 2022-based SNPP, migration category variant",
        ),
    ),
    key=("area_code", "year", "sex", "age"),
    required=False,
    foreign_keys=(ForeignKey("area_code", "areas", "area_code"),),
)

PREVALENCE = Table(
    "prevalence",
    "National CSEW last-year domestic abuse prevalence rates (percent), with the question "
    "set each rate comes from.",
    (
        Column(
            "period",
            "period",
            "Financial year the CSEW year ending March falls in (year ending March 2024 is 2023-24).",
            example="2023-24",
        ),
        Column("measure", "category", "CSEW question set.", categories=cat.CSEW_MEASURES, example="new"),
        Column(
            "sex", "category", "Sex the rate applies to.", categories=cat.PREVALENCE_SEXES, example="female"
        ),
        Column(
            "age_band",
            "category",
            "Age band the rate applies to.",
            categories=cat.PREVALENCE_AGE_BANDS,
            example="all",
        ),
        Column(
            "rate",
            "number",
            "Percentage of adults who were victims in the last year.",
            minimum=0,
            maximum=100,
            example=1.0,
        ),
        Column(
            "lower",
            "number",
            "Lower 95% confidence limit (percent).",
            required=False,
            nullable=True,
            minimum=0,
            maximum=100,
        ),
        Column(
            "upper",
            "number",
            "Upper 95% confidence limit (percent).",
            required=False,
            nullable=True,
            minimum=0,
            maximum=100,
        ),
        Column(
            "unweighted_base",
            "int",
            "Number of survey respondents behind the rate.",
            required=False,
            nullable=True,
            minimum=1,
        ),
        Column("source", "text", "Publication the rate is taken from.", example="Example source"),
        Column("source_url", "text", "Web address of the publication.", required=False, nullable=True),
    ),
    key=("period", "measure", "sex", "age_band"),
    date_orders=(),
)

CHARACTERISTICS = Table(
    "characteristics",
    "Census 2021 counts of residents aged 16+ by characteristic and category, by area; "
    "optionally the relative prevalence of domestic abuse in each category.",
    (
        Column("area_code", "code", "ONS GSS code of the area.", example="E99999998"),
        Column(
            "characteristic",
            "category",
            "Characteristic.",
            categories=cat.CategoryList(
                "census_characteristic",
                "Census characteristic.",
                {name: cat.CHARACTERISTIC_LABELS[name] for name in cat.CENSUS_CHARACTERISTICS},
            ),
            example="ethnic_group",
        ),
        Column("category", "text", "Category code from the characteristic's list.", example="asian"),
        Column("count", "int", "Residents aged 16+ in the category.", minimum=0, example=5000),
        Column(
            "relative_prevalence",
            "number",
            "Prevalence in this category relative to all adults (1 = average).",
            required=False,
            nullable=True,
            minimum=0,
        ),
        Column("source", "text", "Source table.", required=False, nullable=True),
    ),
    key=("area_code", "characteristic", "category"),
    foreign_keys=(ForeignKey("area_code", "areas", "area_code"),),
)

SERVICES = Table(
    "services",
    "One row per commissioned service: accommodation or community support.",
    (
        Column("service_id", "id", "Identifier used by referrals.", example="EXAMPLE-S1"),
        Column("name", "text", "Name of the service.", example="Example refuge"),
        Column("provider", "text", "Organisation that runs it.", example="Example provider"),
        Column("host_area_code", "code", "Area where the service is.", example="E99999998"),
        Column(
            "accommodation_type",
            "category",
            "Type of safe accommodation.",
            categories=cat.ACCOMMODATION_TYPES,
            example="refuge",
        ),
        Column(
            "support_type",
            "category",
            "Main type of support.",
            categories=cat.SUPPORT_TYPES,
            example="advocacy",
        ),
        Column(
            "specialism",
            "category",
            "Group the service is designed for.",
            categories=cat.SPECIALISMS,
            example="generic",
        ),
        Column(
            "units", "int", "Household units (family places); 0 for community services.", minimum=0, example=8
        ),
        Column("bedspaces", "int", "Bedspaces (a unit may hold several).", minimum=0, example=20),
        Column("annual_cost", "number", "Annual contract cost in pounds.", minimum=0, example=120000),
        Column(
            "funding_source",
            "category",
            "Who pays.",
            categories=cat.FUNDING_SOURCES,
            example="mhclg_dasa_grant",
        ),
        Column("start", "date", "Contract start date.", example="2022-04-01"),
        Column(
            "end", "date", "Contract end date (blank if open-ended).", nullable=True, example="2025-03-31"
        ),
        Column(
            "status",
            "category",
            "Whether the contract is running.",
            categories=cat.SERVICE_STATUSES,
            example="in_place",
        ),
        Column(
            "synthetic",
            "bool",
            "true where figures on this row are synthetic.",
            required=False,
            nullable=True,
            example="false",
        ),
    ),
    key=("service_id",),
    foreign_keys=(ForeignKey("host_area_code", "areas", "area_code"),),
    date_orders=(DateOrder("start", "end"),),
)

_NEED_COLUMNS = tuple(
    _yes_no(cat.need_column(code), f"Household has this additional need: {label.lower()}.")
    for code, label in cat.ADDITIONAL_NEEDS.labels.items()
)

REFERRALS = Table(
    "referrals",
    "One row per referral of a household to a service (pseudonymised record-level data).",
    (
        Column("referral_id", "id", "Unique identifier of the referral.", example="EXAMPLE-R1"),
        Column(
            "household_id",
            "id",
            "Pseudonymised household identifier, the same on every referral of one household.",
            example="EXAMPLE-H1",
        ),
        Column("date", "date", "Date of referral.", example="2023-05-02"),
        Column("service_id", "id", "Service referred to (from services).", example="EXAMPLE-S1"),
        Column(
            "origin_area_code", "code", "Area the household was living in when referred.", example="E99999998"
        ),
        Column(
            "outcome",
            "category",
            "What happened to the referral.",
            categories=cat.REFERRAL_OUTCOMES,
            example="accepted_supported",
        ),
        Column(
            "decline_reason",
            "category",
            "Why the service could not support (only when the outcome is unable_to_support).",
            nullable=True,
            categories=cat.DECLINE_REASONS,
            example="",
        ),
        Column("sex", "category", "Sex of the lead victim.", categories=cat.SEX, example="female"),
        Column(
            "age_band", "category", "Age band of the lead victim.", categories=cat.AGE_BANDS, example="25-34"
        ),
        Column(
            "ethnic_group",
            "category",
            "Ethnic group of the lead victim.",
            categories=cat.ETHNIC_GROUPS,
            example="white_british",
        ),
        Column(
            "religion",
            "category",
            "Religion of the lead victim.",
            categories=cat.RELIGIONS,
            example="no_religion",
        ),
        Column(
            "sexual_orientation",
            "category",
            "Sexual orientation of the lead victim.",
            categories=cat.SEXUAL_ORIENTATIONS,
            example="heterosexual",
        ),
        Column(
            "gender_identity",
            "category",
            "Gender identity of the lead victim.",
            categories=cat.GENDER_IDENTITIES,
            example="same_as_birth_sex",
        ),
        Column(
            "disability",
            "category",
            "Disability of the lead victim.",
            categories=cat.DISABILITY,
            example="not_disabled",
        ),
        _yes_no("pregnant", "Lead victim is pregnant."),
        *_NEED_COLUMNS,
        Column("children", "int", "Number of children in the household.", minimum=0, example=2),
        Column(
            "support_start",
            "date",
            "Date support started (supported referrals).",
            nullable=True,
            example="2023-05-10",
        ),
        Column(
            "support_end",
            "date",
            "Date support ended (blank if still supported).",
            nullable=True,
            example="2023-09-01",
        ),
        Column(
            "end_reason",
            "category",
            "Why support ended (when support_end is given).",
            nullable=True,
            categories=cat.END_REASONS,
            example="moved_settled_social_housing",
        ),
    ),
    key=("referral_id",),
    foreign_keys=(
        ForeignKey("service_id", "services", "service_id"),
        ForeignKey("origin_area_code", "areas", "area_code"),
    ),
    date_orders=(DateOrder("date", "support_start"), DateOrder("support_start", "support_end")),
    required_when=(
        ("decline_reason", "outcome", ("unable_to_support",)),
        ("support_start", "outcome", ("accepted_supported",)),
    ),
)

FUNDING = Table(
    "funding",
    "Money received by the tier-one authority, by financial year and source.",
    (
        Column("area_code", "code", "Tier-one area receiving the money.", example="E99999999"),
        Column("period", "period", "Financial year.", example="2024-25"),
        Column(
            "source",
            "category",
            "Funding source.",
            categories=cat.FUNDING_SOURCES,
            example="mhclg_dasa_grant",
        ),
        Column("amount", "number", "Amount in pounds.", minimum=0, example=123456),
    ),
    key=("area_code", "period", "source"),
    foreign_keys=(ForeignKey("area_code", "areas", "area_code"),),
)

def _published_count(name: str, description: str, *, required: bool = True, example: object = None) -> Column:
    """A count as a partner publishes it: blank where the partner suppressed or did not publish it."""
    return Column(name, "int", description, required=required, nullable=True, minimum=0, example=example)


def _synthetic_flag() -> Column:
    return Column(
        "synthetic",
        "bool",
        "true where the row is illustrative (made up for a demonstration dataset), not a published figure.",
        required=False,
        nullable=True,
        example="false",
    )


_PARTNER_AREA = Column(
    "area_code",
    "code",
    "ONS GSS code of the area the figures are for: a police force area (E23...), or an area in areas.csv. "
    "Figures for a police force area are not split between its councils.",
    example="E23000021",
)
_PARTNER_AREA_NAME = Column(
    "area_name", "text", "Name of the area, as the source gives it.", required=False, nullable=True,
    example="Leicestershire",
)

POLICE = Table(
    "police",
    "Police-recorded domestic abuse-related incidents and crimes, by police force area and financial year "
    "(ONS, Domestic abuse in England and Wales data tool / appendix tables, from the Home Office Data Hub; or "
    "the force's own published figure). Optional: without it the report says it was not provided.",
    (
        _PARTNER_AREA,
        _PARTNER_AREA_NAME,
        Column("period", "period", "Financial year (year ending March).", example="2023-24"),
        _published_count(
            "incidents", "Domestic abuse-related incidents not recorded as crimes.", required=False, example=""
        ),
        _published_count("crimes", "Domestic abuse-related crimes.", required=False, example=""),
        _published_count(
            "incidents_and_crimes",
            "Incidents and crimes together (ONS's total; blank if incidents and crimes are given).",
            required=False,
            example=21641,
        ),
        Column(
            "population",
            "int",
            "Resident population of the area (all ages, ONS mid-year estimate) for the rate per 1,000; blank: "
            "the rate is not worked out.",
            required=False,
            nullable=True,
            minimum=1,
            example=1124800,
        ),
        Column("source", "text", "Where the figures were published (title or URL).", required=False,
               nullable=True, example="Leicestershire Police news, 25 Nov 2022"),
        _synthetic_flag(),
    ),
    key=("area_code", "period"),
    required=False,
)

MARAC = Table(
    "marac",
    "MARAC (multi-agency risk assessment conference) cases, by police force area (or MARAC) and financial "
    "year, as SafeLives publishes them (MARAC annual data by police force area, year ending March). "
    "Optional: without it the report says it was not provided.",
    (
        _PARTNER_AREA,
        _PARTNER_AREA_NAME,
        Column("period", "period", "Financial year (year ending March).", example="2023-24"),
        _published_count("maracs", "Number of MARACs in the area.", required=False, example=3),
        Column("cases_discussed", "int", "Cases discussed at MARAC.", minimum=0, example=1241),
        _published_count("repeat_cases", "Repeat cases (SafeLives' definition: a further incident within 12 "
                         "months of the last referral).", example=446),
        _published_count("children_in_household", "Children in the households of the cases discussed.",
                         required=False, example=1600),
        _published_count("recommended_cases", "SafeLives' recommended number of cases (40 per 10,000 adult "
                         "women).", required=False, example=1870),
        Column(
            "cases_per_10k_adult_women",
            "number",
            "Cases per 10,000 women aged 16 and over, as SafeLives publishes it (gives the population when "
            "adult_women is blank).",
            required=False,
            nullable=True,
            minimum=0,
            example=26.6,
        ),
        Column(
            "adult_women",
            "int",
            "Women aged 16 and over in the area (blank: worked out from the published rate).",
            required=False,
            nullable=True,
            minimum=1,
            example="",
        ),
        Column("source", "text", "Where the figures were published.", required=False, nullable=True,
               example="SafeLives MARAC annual data 2023-24"),
        _synthetic_flag(),
    ),
    key=("area_code", "period"),
    required=False,
)

HOMELESSNESS = Table(
    "homelessness",
    "Households owed a homelessness prevention or relief duty where domestic abuse was the reason for "
    "homelessness or a support need, by district or unitary authority and financial year (MHCLG statutory "
    "homelessness statistics, H-CLIC tables A2P, A2R and A3). Optional: without it the report says it was "
    "not provided.",
    (
        Column("area_code", "code", "District or unitary code (in areas.csv).", example="E07000129"),
        Column("period", "period", "Financial year.", example="2023-24"),
        _published_count("prevention_duty_reason", "Households owed a prevention duty whose reason for "
                         "homelessness was domestic abuse (A2P).", example=40),
        _published_count("relief_duty_reason", "Households owed a relief duty whose reason for homelessness "
                         "was domestic abuse (A2R).", example=60),
        _published_count("support_need", "Households owed a duty with 'at risk of / has experienced domestic "
                         "abuse' as a support need (A3).", required=False, example=90),
        _published_count("assessed_households", "Households assessed as owed a prevention or relief duty "
                         "(all reasons), the denominator of the shares.", required=False, example=900),
        _synthetic_flag(),
    ),
    key=("area_code", "period"),
    required=False,
    foreign_keys=(ForeignKey("area_code", "areas", "area_code"),),
)

CHILDREN_IN_NEED = Table(
    "children_in_need",
    "Children in need: episodes with assessment factors and those with domestic abuse recorded as a factor "
    "at the end of assessment, by local authority and census year (DfE, Characteristics of children in "
    "need, table C3 'factors identified at the end of assessment'). Optional: without it the report says "
    "it was not provided.",
    (
        Column("area_code", "code", "Local authority (children's services) code, in areas.csv.",
               example="E10000018"),
        Column("period", "period", "Financial year the census covers (census year ending 31 March: 2025 is "
               "2024-25).", example="2024-25"),
        _published_count("episodes_with_factors", "Episodes with assessment factors recorded.", example=5008),
        _published_count("domestic_abuse_child", "Episodes with domestic abuse concerning the child as a "
                         "factor.", example=1108),
        _published_count("domestic_abuse_parent", "Episodes with domestic abuse concerning the parent or "
                         "carer as a factor.", example=1403),
        _published_count("domestic_abuse_other_person", "Episodes with domestic abuse concerning another "
                         "person in the household as a factor.", example=178),
        _synthetic_flag(),
    ),
    key=("area_code", "period"),
    required=False,
    foreign_keys=(ForeignKey("area_code", "areas", "area_code"),),
)

#: Longest quote of the ``engagement`` table: a short quote, as long as a post on a social
#: network (280 characters), so that a published quote stays a quote and not a story that
#: could identify its teller.
MAX_QUOTE_CHARS = 280

ENGAGEMENT = Table(
    "engagement",
    "Survivor and stakeholder voice: themes raised in surveys, focus groups and by providers and "
    "partners, with the number of people who raised each (counts of people: small numbers are "
    "hidden in the report, and so is the quote beside them).",
    (
        Column("area_code", "code", "Tier-one area the engagement was for.", example="E99999999"),
        Column("period", "period", "Financial year of the engagement.", example="2023-24"),
        Column(
            "theme",
            "text",
            "Theme raised, as a short phrase.",
            example="Not enough refuge space for larger families",
        ),
        Column(
            "source",
            "category",
            "Kind of engagement the theme was heard in.",
            categories=cat.ENGAGEMENT_SOURCES,
            example="survey",
        ),
        Column(
            "respondents",
            "int",
            "Number of people (survivors, staff or partners) who raised the theme.",
            minimum=1,
            example=12,
        ),
        Column(
            "quote",
            "text",
            f"A short quote on the theme (at most {MAX_QUOTE_CHARS} characters), with consent and nothing "
            "that identifies anyone; not published where the count of respondents is hidden.",
            required=False,
            nullable=True,
            example="",
        ),
        Column(
            "synthetic",
            "bool",
            "true where the row is illustrative (made up for a demonstration dataset).",
            required=False,
            nullable=True,
            example="false",
        ),
    ),
    key=("area_code", "period", "theme", "source"),
    required=False,
    foreign_keys=(ForeignKey("area_code", "areas", "area_code"),),
)

#: The commissioning intentions: read from ``intentions.yaml`` (a list of actions, one
#: mapping each, see :mod:`needs.inputs.intentions`), not from a CSV file or sheet, so it is
#: not one of :data:`TABLES`. Validated by the same rules as the tables.
INTENTIONS = Table(
    "intentions",
    "Commissioning intentions: what the partnership intends to do about the gaps and findings of "
    "the assessment (intentions.yaml, one item per action).",
    (
        Column("action", "text", "What will be done.", example="Commission 4 more dispersed units"),
        Column(
            "linked_to",
            "text",
            "The gap or finding of the assessment the action answers.",
            example="Dispersed accommodation: units short of need",
        ),
        Column(
            "priority",
            "category",
            "Priority the partnership gives the action.",
            categories=cat.INTENTION_PRIORITIES,
            example="high",
        ),
        Column(
            "owner",
            "text",
            "Who is responsible (a team or role, not a person's name).",
            example="Commissioning team",
        ),
        Column(
            "cost",
            "number",
            "Estimated annual cost in pounds (blank if not costed).",
            required=False,
            nullable=True,
            minimum=0,
            example=60000,
        ),
        Column("timescale", "text", "When (e.g. 'by March 2025', '2024-25').", example="2024-25"),
    ),
    required=False,
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        AREAS,
        POPULATION,
        POPULATION_PROJECTION,
        PREVALENCE,
        CHARACTERISTICS,
        SERVICES,
        REFERRALS,
        FUNDING,
        POLICE,
        MARAC,
        HOMELESSNESS,
        CHILDREN_IN_NEED,
        ENGAGEMENT,
    )
}

REQUIRED_TABLES: tuple[str, ...] = tuple(name for name, table in TABLES.items() if table.required)


def data_dictionary() -> pd.DataFrame:
    """The data dictionary as a tidy table: one row per table column.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``table_required``, ``column``, ``kind``, ``column_required``,
        ``blank_allowed``, ``allowed_values``, ``description``.
    """
    rows = [
        {
            "table": table.name,
            "table_required": table.required,
            "column": column.name,
            "kind": column.kind,
            "column_required": column.required,
            "blank_allowed": column.nullable,
            "allowed_values": column.allowed_values,
            "description": column.description,
        }
        for table in TABLES.values()
        for column in table.columns
    ]
    return pd.DataFrame(rows)


def data_dictionary_markdown() -> str:
    """The data dictionary as Markdown, one section per table, then the keys of ``intentions.yaml``."""
    lines: list[str] = []
    for table in (*TABLES.values(), INTENTIONS):
        status = "required" if table.required else "optional"
        if table is INTENTIONS:  # a YAML file, not a table
            lines += [f"### `intentions.yaml` ({status}; a YAML list, one item per action, these keys)", ""]
        else:
            lines += [f"### `{table.name}` ({status})", ""]
        lines += [table.description, ""]
        if table.key:
            lines += [f"Key: {', '.join(f'`{k}`' for k in table.key)} (unique).", ""]
        lines += [
            "| column | required | blank allowed | allowed values | description |",
            "|---|---|---|---|---|",
        ]
        for column in table.columns:
            lines.append(
                f"| `{column.name}` | {'yes' if column.required else 'no'} | "
                f"{'yes' if column.nullable else 'no'} | {column.allowed_values} | {column.description} |"
            )
        lines.append("")
    return "\n".join(lines)


#: Sheets of the provider template that are not data tables (the loader skips them).
TEMPLATE_SHEETS: tuple[str, ...] = ("About", "Data dictionary", "Lists")


def example_row(table: str) -> dict[str, str]:
    """The example row the provider template shows under the header, as text cells.

    The loader drops a first data row that equals this row exactly (with a warning), so a
    provider who leaves the example in place does not load it as data.
    """
    return {
        column.name: "" if column.example is None else str(column.example) for column in TABLES[table].columns
    }
