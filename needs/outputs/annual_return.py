"""The annual local-authority return to MHCLG (``needs return``).

Each tier-one authority returns, for the financial year, the figures of its Part 4 delivery
("Support in Domestic Abuse Safe Accommodation", ``shared/DOMAIN.md`` section 2). This module
computes them from the same dataset and the same counting rules (:mod:`needs.assessment.counting`) as
the assessment, for the services **hosted** in the authority's area, as one table per section
(:func:`build_return`) or one tidy table (:func:`tidy_return`);
:mod:`needs.outputs.return_workbook` writes them as an Excel workbook (a cover sheet, then one
sheet per section) and one tidy CSV file.

The return goes to government, not to the public: its figures are **not suppressed**, and its
cover says so ("Contains unsuppressed figures: not for publication").

Sections and definitions
------------------------
Every count of households counts a household once, however many referrals it made.

``individuals``
    Individuals supported in the period (:func:`needs.assessment.counting.households_supported`: one
    lead victim per household plus the household's children, the largest ``children`` value
    of its supported referrals). The lead victim is a **trans adult** when their
    ``gender_identity`` is ``different_from_birth_sex``; otherwise a **woman** or a **man**
    by ``sex``; with sex ``not_known`` they are counted on a separate "sex not known" line.
    ``Total individuals = women + men + trans adults + sex not known + children`` and
    ``adults = households``.
``households``
    Households (and individuals) supported, by the accommodation type of the service. A
    household supported by services of two types appears under each type, so the lines can
    sum to more than the total, which counts each household once.
``characteristics``
    Households supported whose lead victim (or household) has each specialist
    characteristic, by the rules of :data:`SPECIALIST_CHARACTERISTICS` (the one place the
    mapping from our codes is defined). A household has several characteristics at once, so
    the lines do not sum to the total; "at least one" counts each household once.
``unable_to_support``
    Households with a referral made in the period to a service in the area whose outcome was
    ``unable_to_support``, by ``decline_reason`` (blank counted as ``not_known``). **Each
    reason counts a household once**: a household declined twice for lack of space counts
    once under capacity; a household declined for two different reasons appears once under
    each reason, and once in the total. Memo lines give the referrals behind the count and
    the households not supported by any service anywhere in the period (the unmet
    households of :func:`needs.assessment.referrals.unmet_households`).
``support_ended``
    Households whose support ended in the period (an accepted referral to a service in the
    area with ``support_end`` in the period), by ``end_reason``, each reason once per
    household, the total once per household.
``capacity``
    Services, units and bedspaces of services whose contract overlaps the period
    (``start <= 31 March`` and ``end`` blank or ``>= 1 April``; the rule of
    :func:`needs.assessment.capacity.active_services`), whatever their status, by accommodation type.
    Sanctuary schemes count households (installations), not beds.
``spend``
    Spend of those services in the period: ``annual_cost x days of the contract in the
    period / days in the period`` (the pro-rata rule of :mod:`needs.assessment.funding`), by
    accommodation type, by support type and by funding source; each breakdown sums to the
    total.

Which households and individuals count follows :mod:`needs.assessment.counting`, so community
(``not_accommodation``) services hosted in the area are included, on their own line.

**What the return counts.** The MHCLG collection "Support in Domestic Abuse Safe
Accommodation" counts support in relevant safe accommodation (SI 2021/991 reg. 2, sanctuary
schemes included; ``shared/DOMAIN.md`` 1.3 and 2.1), whereas the council's total of
individuals supported (1,257 in the 2023-24 example, its published figure) also counts the
community-based support the grant funds; the ``individuals`` section therefore gives the
individuals, households, adults and children supported **by scope**
(:func:`needs.assessment.people.supported_by_scope_of`, the function the report's key figures
use), so that the Part 4 figure (safe accommodation) can be read apart from the total. A
household supported in both scopes counts in each and once in the total.

Line labels follow ``shared/DOMAIN.md`` section 2.3 and are kept in :data:`RETURN_LABELS`
(our codes to the return's labels) so that they can be reconciled with the department's
data tables in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from needs.assessment.children import children_return_section
from needs.assessment.counting import (
    households_supported,
    referrals_in_context,
    supported_in_period,
    tier_one_lookup,
)
from needs.assessment.people import SCOPE_ALL, supported_by_scope_of
from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat
from needs.reference.groups import LARGE_FAMILY_CHILDREN, YOUNG_AGE_BANDS
from needs.reference.periods import is_period, period_days, period_end, period_of_dates, period_start
from needs.settings import choose_area

__all__ = [
    "DIMENSION_CODES",
    "RETURN_LABELS",
    "SECTIONS",
    "SPECIALIST_CHARACTERISTICS",
    "UNSUPPRESSED_NOTICE",
    "build_return",
    "tidy_return",
]

UNSUPPRESSED_NOTICE = "Contains unsuppressed figures: not for publication"
TOTAL = "total"

#: Sections of the return: key -> sheet name (at most 31 characters).
SECTIONS: dict[str, str] = {
    "individuals": "Individuals supported",
    "households": "Households by type",
    "characteristics": "Specialist characteristics",
    "unable_to_support": "Unable to support",
    "support_ended": "Support ended",
    "capacity": "Capacity",
    "spend": "Spend",
    "children": "Children and young people",
}
#: Columns of every section table.
SECTION_COLUMNS: tuple[str, ...] = ("group", "line", "code", "unit", "value")

#: Lead victims aged this or over (by CSEW age band) are "older" (a band counts when its
#: lower limit is at least this age: 65-74 and 75+). UNVERIFIED against the MHCLG tables,
#: which may use 55+ or 60+ (``shared/DOMAIN.md`` 2.3).
OLDER_AGE = 65
_OLDER_BANDS = tuple(band for band, (low, _) in cat.AGE_BAND_LIMITS.items() if low >= OLDER_AGE)
_MINORITISED = tuple(code for code in cat.ETHNIC_GROUPS.codes if code not in ("white_british", cat.NOT_KNOWN))
_LGB_OTHER = tuple(
    code for code in cat.SEXUAL_ORIENTATIONS.codes if code not in ("heterosexual", cat.NOT_KNOWN)
)

#: Specialist characteristics of the return: code -> rules, each ``(column, values)``; a
#: household has the characteristic when ANY rule matches its values (columns of the
#: supported household: referral columns of its latest supported referral, plus
#: ``person_type`` and ``three_or_more_children``). This is the one place the mapping is set.
#:
#: * black and minoritised: every ethnic group except White British (and not known), so
#:   White Irish, Gypsy or Irish Traveller, Roma and Other White count, as in the
#:   government's use of "ethnic minorities" (all groups except White British);
#: * Gypsy, Roma and Traveller: ethnic group White: Gypsy or Irish Traveller or White: Roma
#:   (UNVERIFIED as a line of the MHCLG tables: ``shared/DOMAIN.md`` 2.3 lists it as a
#:   candidate; every such household is also black and minoritised);
#: * LGBT+: sexual orientation gay or lesbian, bisexual or other, or a trans lead victim;
#: * male victims: lead victims counted as men (sex male, not trans);
#: * older: age bands from :data:`OLDER_AGE`; young: 16-24;
#: * large family: the ``need_large_family`` flag or three or more children recorded.
SPECIALIST_CHARACTERISTICS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "black_minoritised": (("ethnic_group", _MINORITISED),),
    "gypsy_roma_traveller": (("ethnic_group", cat.GYPSY_ROMA_TRAVELLER),),
    "mental_health": ((cat.need_column("mental_health"), ("yes",)),),
    "disabled": (("disability", ("disabled",)),),
    "lgbt": (("sexual_orientation", _LGB_OTHER), ("gender_identity", ("different_from_birth_sex",))),
    "substance_use": ((cat.need_column("substance_use"), ("yes",)),),
    "nrpf": ((cat.need_column("nrpf"), ("yes",)),),
    "older": (("age_band", _OLDER_BANDS),),
    "young": (("age_band", YOUNG_AGE_BANDS),),
    "male_victims": (("person_type", ("man",)),),
    "large_family": ((cat.need_column("large_family"), ("yes",)), ("three_or_more_children", ("yes",))),
    "older_sons": ((cat.need_column("older_sons"), ("yes",)),),
    "learning_disability": ((cat.need_column("learning_disability"), ("yes",)),),
}

#: Our codes -> the return's line labels (``shared/DOMAIN.md`` 2.3), by dimension.
RETURN_LABELS: dict[str, dict[str, str]] = {
    "person_type": {
        "woman": "Women",
        "man": "Men",
        "trans_adult": "Trans adults",
        cat.NOT_KNOWN: "Adults whose sex is not known",
        "child": "Children",
    },
    "accommodation_type": {
        "refuge": "Refuge accommodation",
        "specialist_safe": "Specialist safe accommodation (including 'by and for')",
        "dispersed_refuge_level": "Dispersed accommodation (refuge-level support)",
        "dispersed_semi_independent": "Dispersed accommodation (semi-independent)",
        "second_stage": "Second stage (move-on) accommodation",
        "sanctuary": "Sanctuary schemes",
        "other_da_emergency": "Other domestic abuse emergency accommodation",
        "not_relevant": "Non-relevant accommodation (B&B, hostel, other temporary)",
        "not_accommodation": "Community-based support (not accommodation)",
        cat.NOT_KNOWN: "Accommodation type not known",
    },
    "specialist_characteristic": {
        "black_minoritised": "Black and minoritised survivors",
        "gypsy_roma_traveller": "Gypsy, Roma and Traveller survivors",
        "mental_health": "Mental health needs",
        "disabled": "Disabled survivors",
        "lgbt": "LGBT+ survivors",
        "substance_use": "Substance use",
        "nrpf": "No recourse to public funds",
        "older": f"Older survivors ({OLDER_AGE} and over)",
        "young": "Young survivors (16 to 24)",
        "male_victims": "Male victims",
        "large_family": f"Large families ({LARGE_FAMILY_CHILDREN} or more children)",
        "older_sons": "Families with older sons (12 and over)",
        "learning_disability": "Learning disability or neurodivergence",
        "any": "At least one specialist characteristic",
    },
    "decline_reason": {
        "no_capacity_space": "No capacity or space",
        "unable_to_meet_needs": "Unable to meet needs (e.g. accessibility, complex needs, family size)",
        "risk_location_unsafe": "Risk or safety (e.g. location unsafe)",
        "nrpf_no_funding_route": "No recourse to public funds: no funding route",
        "inappropriate_referral_not_eligible": "Not eligible or inappropriate referral",
        "survivor_declined_or_disengaged": "Victim declined or disengaged",
        "other": "Other reason",
        cat.NOT_KNOWN: "Reason not known",
    },
    "end_reason": {
        "no_longer_needed": "Support no longer needed",
        "moved_settled_social_housing": "Moved to settled social housing",
        "moved_settled_private_rented": "Moved to settled private rented housing",
        "moved_other_safe_accommodation": "Moved to other safe accommodation",
        "moved_temporary_accommodation": "Moved to temporary accommodation",
        "returned_to_perpetrator": "Returned to the perpetrator",
        "evicted_or_abandoned": "Evicted or abandoned",
        "other": "Other reason",
        cat.NOT_KNOWN: "Reason not known",
    },
    "support_type": {code: label for code, label in cat.SUPPORT_TYPES.labels.items()},
    "scope": {
        "safe_accommodation": "in safe accommodation (Part 4 duty)",
        "community": "in community-based support (not in safe accommodation)",
        "other": "in other accommodation or of a type not known",
    },
    "funding_source": {code: label for code, label in cat.FUNDING_SOURCES.labels.items()},
    TOTAL: {
        "individuals": "Total individuals supported",
        "adults": "Adults supported (lead victims)",
        "households": "Total households supported (each counted once)",
        "households_unable": "Total households that could not be supported (each counted once)",
        "referrals_unable": "Memo: referrals that could not be supported (each referral)",
        "households_unmet": "Memo: of those households, not supported by any service in this dataset in the period",
        "households_ended": "Total households whose support ended (each counted once)",
        "services": "Total services",
        "units": "Total units",
        "bedspaces": "Total bedspaces",
        "spend": "Total spend",
    },
}

#: Code lists behind each dimension of :data:`RETURN_LABELS` (so that every code has a line).
DIMENSION_CODES: dict[str, tuple[str, ...]] = {
    "person_type": (*cat.PERSON_TYPES.codes[:3], cat.NOT_KNOWN, "child"),
    "accommodation_type": cat.ACCOMMODATION_TYPES.codes,
    "specialist_characteristic": (*SPECIALIST_CHARACTERISTICS, "any"),
    "decline_reason": cat.DECLINE_REASONS.codes,
    "end_reason": cat.END_REASONS.codes,
    "support_type": cat.SUPPORT_TYPES.codes,
    "funding_source": cat.FUNDING_SOURCES.codes,
}


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _text(values: pd.Series, fill: str = cat.NOT_KNOWN) -> pd.Series:
    """Codes as plain strings (categorical or not), blanks and missing values as ``fill``."""
    out = values.astype(object).where(values.notna(), fill)
    return out.astype(str).str.strip().replace("", fill)


def _lines(group: str, dimension: str, counts: pd.Series, unit: str) -> pd.DataFrame:
    """One line per code of ``dimension`` (zero where absent), labelled from RETURN_LABELS."""
    codes = list(DIMENSION_CODES[dimension])
    labels = RETURN_LABELS[dimension]
    values = counts.reindex(codes, fill_value=0).to_numpy()
    return pd.DataFrame(
        {
            "group": group,
            "line": [labels[code] for code in codes],
            "code": codes,
            "unit": unit,
            "value": values,
        }
    )


def _total(group: str, key: str, value: float, unit: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": [group],
            "line": [RETURN_LABELS[TOTAL][key]],
            "code": [TOTAL],
            "unit": [unit],
            "value": [value],
        }
    )


def _section(parts: list[pd.DataFrame], money: bool = False) -> pd.DataFrame:
    out = pd.concat(parts, ignore_index=True)[list(SECTION_COLUMNS)]
    out["value"] = out["value"].astype(float if money else "int64")
    return out


def _person_type(sex: pd.Series, gender_identity: pd.Series) -> np.ndarray:
    """Person type of lead victims: trans adult, else woman/man by sex, else not known."""
    return np.select(
        [
            gender_identity.to_numpy() == "different_from_birth_sex",
            sex.to_numpy() == "female",
            sex.to_numpy() == "male",
        ],
        ["trans_adult", "woman", "man"],
        default=cat.NOT_KNOWN,
    )


def _distinct_by(rows: pd.DataFrame, column: str) -> tuple[pd.Series, int]:
    """Households per value of ``column`` (each household once per value) and in total."""
    pairs = rows[["household_id", column]].drop_duplicates()
    return pairs[column].value_counts(), int(rows["household_id"].nunique())


# --------------------------------------------------------------------------------------
# Area and period
# --------------------------------------------------------------------------------------


def _active_services(dataset: Dataset, area: str, period: str) -> pd.DataFrame:
    """Services hosted in ``area`` whose contract overlaps ``period``, with ``spend``.

    ``spend = annual_cost x days_in_period / period_days(period)`` where ``days_in_period``
    counts the days of the period the contract covers, inclusive (as in :mod:`needs.assessment.funding`).
    """
    services = dataset.tables["services"]
    first, last = period_start(period), period_end(period)
    start = pd.to_datetime(services["start"])
    end = pd.to_datetime(services["end"])
    host = tier_one_lookup(dataset).reindex(services["host_area_code"].astype(str)).to_numpy()
    active = ((start <= last) & (end.isna() | (end >= first))).to_numpy() & (host == area)
    out = services.loc[active].copy()
    days = (end[active].fillna(last).clip(upper=last) - start[active].clip(lower=first)).dt.days + 1
    out["spend"] = out["annual_cost"].astype(float).to_numpy() * days.to_numpy() / period_days(period)
    for column in ("accommodation_type", "support_type", "funding_source"):
        out[column] = _text(out[column])
    return out


def _check_period(
    dataset: Dataset,
    referrals: pd.DataFrame,
    context: pd.DataFrame,
    services: pd.DataFrame,
    area: str,
    period: str,
) -> None:
    """Raise :class:`InputError` when the data do not cover ``period`` for ``area``.

    The referral records say which years the data cover: a period in which no referral (to
    any service) is dated has no data, even though open-ended contracts and open support
    episodes would otherwise carry figures into it. An area with no referral made or
    supported in the period and no service contract has no data either.
    """
    covered = sorted(set(period_of_dates(referrals["date"]).dropna().astype(str)))
    if period not in covered:
        raise InputError(
            f"no data for {period}: the referrals are dated in {', '.join(covered) or 'no year'}; "
            "choose one of those with --period"
        )
    if (context["made"] | context["supported"]).any() or len(services):
        return
    raise InputError(
        f"no data for {dataset.area_name(area)} ({area}) in {period}: no referral made or supported "
        "and no service contract in that year"
    )


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------


def _supported_households(context: pd.DataFrame) -> pd.DataFrame:
    """One row per household supported: its latest supported referral's values, the largest
    ``children``, ``person_type`` and ``three_or_more_children``."""
    supported = context[context["supported"]]
    latest = supported.sort_values(["household_id", "date", "referral_id"], kind="stable")
    latest = latest.drop_duplicates("household_id", keep="last").set_index("household_id")
    children = supported.groupby("household_id", sort=False)["children"].max()
    out = latest.drop(columns=["children"]).join(children)
    out["person_type"] = _person_type(_text(out["sex"]), _text(out["gender_identity"]))
    out["three_or_more_children"] = np.where(out["children"] >= LARGE_FAMILY_CHILDREN, "yes", "no")
    return out.reset_index()


#: The measures of the scope lines: column of :func:`supported_by_scope_of` -> (line, unit).
_SCOPE_MEASURES: dict[str, tuple[str, str]] = {
    "individuals": ("Individuals supported", "individuals"),
    "households": ("Households supported", "households"),
    "adults": ("Adults supported (lead victims)", "individuals"),
    "children": ("Children supported", "individuals"),
}


def _scope_lines(scopes: pd.DataFrame) -> pd.DataFrame:
    """One line per scope and measure of :func:`supported_by_scope_of` (safe accommodation and
    community-based always, other where present); the scopes need not add up to the totals."""
    group = "Supported by scope (a household in both scopes counts in each)"
    rows = scopes[scopes["scope"].astype(str) != SCOPE_ALL]
    return pd.DataFrame(
        [
            {
                "group": group,
                "line": f"{line} {RETURN_LABELS['scope'][scope]}",
                "code": f"{scope}:{measure}",
                "unit": unit,
                "value": int(row[measure]),
            }
            for scope, row in zip(rows["scope"].astype(str), rows.to_dict("records"), strict=True)
            for measure, (line, unit) in _SCOPE_MEASURES.items()
        ]
    )


def _individuals(households: pd.DataFrame, scopes: pd.DataFrame) -> pd.DataFrame:
    group = "Individuals supported"
    total = scopes[scopes["scope"].astype(str) == SCOPE_ALL].iloc[0]
    adults = households["person_type"].value_counts()
    counts = pd.concat([adults, pd.Series({"child": int(total["children"])})])
    return _section(
        [
            _lines(group, "person_type", counts, "individuals"),
            _total(group, "individuals", int(total["individuals"]), "individuals"),
            _total(group, "adults", int(total["adults"]), "individuals"),
            _total("Households supported", "households", int(total["households"]), "households"),
            _scope_lines(scopes),
        ]
    )


def _by_type(context: pd.DataFrame, period: str, totals: pd.DataFrame) -> pd.DataFrame:
    by_type = households_supported(context, period, by=["accommodation_type"]).set_index("accommodation_type")
    households, individuals = (
        "Households supported by accommodation type",
        "Individuals supported by accommodation type",
    )
    return _section(
        [
            _lines(households, "accommodation_type", by_type["households"], "households"),
            _total(households, "households", int(totals["households"].iloc[0]), "households"),
            _lines(individuals, "accommodation_type", by_type["individuals"], "individuals"),
            _total(individuals, "individuals", int(totals["individuals"].iloc[0]), "individuals"),
        ]
    )


def _characteristics(households: pd.DataFrame) -> pd.DataFrame:
    group = "Households supported with a specialist characteristic"
    flags = {}
    for code, rules in SPECIALIST_CHARACTERISTICS.items():  # a fixed list of rules, not records
        match = np.zeros(len(households), dtype=bool)
        for column, values in rules:
            match |= _text(households[column]).isin(values).to_numpy()
        flags[code] = match
    table = pd.DataFrame(flags, index=households.index)
    counts = table.sum()
    counts["any"] = int(table.any(axis=1).sum())
    return _section(
        [
            _lines(group, "specialist_characteristic", counts, "households"),
            _total(group, "households", len(households), "households"),
        ]
    )


def _unable(context: pd.DataFrame, supported_anywhere: pd.Index) -> pd.DataFrame:
    group = "Households that could not be supported, by reason"
    rows = context[context["made"] & (_text(context["outcome"]) == "unable_to_support").to_numpy()]
    rows = rows.assign(reason=_text(rows["decline_reason"]))
    counts, total = _distinct_by(rows, "reason")
    unmet = int((~pd.Index(rows["household_id"].unique()).isin(supported_anywhere)).sum())
    return _section(
        [
            _lines(group, "decline_reason", counts, "households"),
            _total(group, "households_unable", total, "households"),
            _total(group, "households_unmet", unmet, "households"),
            _total(group, "referrals_unable", len(rows), "referrals"),
        ]
    )


def _ended(context: pd.DataFrame, period: str) -> pd.DataFrame:
    group = "Households whose support ended, by reason"
    end = pd.to_datetime(context["support_end"])
    accepted = (_text(context["outcome"]) == "accepted_supported").to_numpy()
    ended = accepted & ((end >= period_start(period)) & (end <= period_end(period))).to_numpy()
    rows = context[ended]
    rows = rows.assign(reason=_text(rows["end_reason"]))
    counts, total = _distinct_by(rows, "reason")
    return _section(
        [
            _lines(group, "end_reason", counts, "households"),
            _total(group, "households_ended", total, "households"),
        ]
    )


def _capacity(services: pd.DataFrame) -> pd.DataFrame:
    by_type = services.groupby("accommodation_type").agg(
        services=("service_id", "size"), units=("units", "sum"), bedspaces=("bedspaces", "sum")
    )
    parts = []
    for measure, group in (("services", "Services"), ("units", "Units"), ("bedspaces", "Bedspaces")):
        parts += [
            _lines(f"{group} by accommodation type", "accommodation_type", by_type[measure], measure),
            _total(f"{group} by accommodation type", measure, int(by_type[measure].sum()), measure),
        ]
    return _section(parts)


def _spend(services: pd.DataFrame) -> pd.DataFrame:
    total = float(services["spend"].sum())
    parts = []
    for column, group in (
        ("accommodation_type", "Spend by accommodation type"),
        ("support_type", "Spend by support type"),
        ("funding_source", "Spend by funding source"),
    ):
        parts += [
            _lines(group, column, services.groupby(column)["spend"].sum(), "pounds"),
            _total(group, "spend", total, "pounds"),
        ]
    return _section(parts, money=True)


def build_return(dataset: Dataset, area: str, period: str) -> dict[str, pd.DataFrame]:
    """The figures of the annual return for ``area`` (tier-one) and ``period``.

    Parameters
    ----------
    dataset
        Validated data (:func:`needs.load`).
    area
        Tier-one area code; the return covers services hosted in it.
    period
        Financial year, e.g. ``2023-24``.

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per section of :data:`SECTIONS` (see the module docstring), each with
        columns ``group`` (the breakdown), ``line`` (the return's label), ``code`` (our
        code, ``total`` for totals), ``unit`` and ``value``. Unsuppressed.

    Raises
    ------
    InputError
        For an unknown or non-tier-one area, a malformed period, or a period with no data
        for the area.
    """
    area = choose_area(dataset, area, need_population=False)
    if not is_period(period):
        raise InputError(f"period '{period}' is not a financial year written YYYY-YY, e.g. 2023-24")
    referrals = referrals_in_context(dataset)
    supported_all = supported_in_period(referrals, period).to_numpy()
    supported_anywhere = pd.Index(referrals.loc[supported_all, "household_id"].unique())
    in_area = (referrals["host_tier_one"].astype(str) == area).to_numpy()
    context = referrals.loc[in_area].copy()
    context["household_id"] = context["household_id"].astype(str)
    context["referral_id"] = context["referral_id"].astype(str)
    context["accommodation_type"] = _text(context["accommodation_type"])
    dates = pd.to_datetime(context["date"])
    context["made"] = ((dates >= period_start(period)) & (dates <= period_end(period))).to_numpy()
    context["supported"] = supported_all[in_area]
    services = _active_services(dataset, area, period)
    _check_period(dataset, referrals, context, services, area, period)
    supported_anywhere = supported_anywhere.astype(str)
    households = _supported_households(context)
    # The report's counting function (needs.assessment.people): totals are its scope "all".
    scopes = supported_by_scope_of(context, period)
    totals = scopes[scopes["scope"] == SCOPE_ALL][["households", "children", "individuals"]].reset_index(drop=True)
    return {
        "individuals": _individuals(households, scopes),
        "households": _by_type(context, period, totals),
        "characteristics": _characteristics(households),
        "unable_to_support": _unable(context, supported_anywhere),
        "support_ended": _ended(context, period),
        "capacity": _capacity(services),
        "spend": _spend(services),
        "children": children_return_section(dataset, area, period),
    }


# --------------------------------------------------------------------------------------
# The tidy table
# --------------------------------------------------------------------------------------


def tidy_return(sections: Mapping[str, pd.DataFrame], area: str, period: str) -> pd.DataFrame:
    """Every section in one tidy table: ``area_code, period, section, group, line, code,
    unit, value``."""
    frames = [frame.assign(section=name) for name, frame in sections.items()]
    tidy = pd.concat(frames, ignore_index=True)
    tidy.insert(0, "period", period)
    tidy.insert(0, "area_code", area)
    return tidy[["area_code", "period", "section", *SECTION_COLUMNS]]
