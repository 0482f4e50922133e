"""Plain-English findings generated from the numbers of an assessment.

Every sentence is built from the figures in the :class:`needs.assessment.assemble.Assessment` parts (never
a hard-coded figure), carries its headline figure and interval in ``value``, ``lower`` and
``upper``, and uses the plain-English labels of :mod:`needs.reference.categories` rather than codes
(DESIGN.md 4.7: "Male victims were A% of households supported against B% of expected victims
(ratio R, 95% CI L-U)").

Findings are ordered by importance within each area (``rank`` 1 first):

1. ``capacity_gap``: the capacity story: the gaps between units in place and the units the
   loss model needs, each with its annual support cost (most costly to close first), then the
   planned units (the pipeline, not counted), then the Council of Europe benchmark as context;
2. ``under_reached``: groups reached less than expected (upper limit of the representation
   ratio below 1), smallest ratio first; one finding per group, on households supported where
   the group is under-reached among them, else on households referred (none for a group with a
   hidden row);
2b. ``supported``: households and individuals supported in safe accommodation and in
   community-based support (the scopes of :mod:`needs.assessment.people`);
3. ``turn_aways``: unmet need (households unable to be supported for lack of capacity or for needs not met
   and not supported by any service in this dataset), turn-aways for lack of space by
   accommodation type (observed and modelled), and the share of declines due to capacity;
4. ``expected_victims``: the estimated number of adult victims in the area;
5. ``trend``: the change in households supported against the previous year;
6. ``funding``: funding against committed spend and the uncommitted balance (or that no
   funding is recorded for the period), then the cost per household by scope of support.

Disclosure: the published report's findings are written from published cells only. The
publication passes an assessment whose parts are the published versions, in which every hidden
count, and every figure derived from it (shares, intervals, ratios, rate ratios, costs per
household, modelled turn-aways...), arrives as NaN; disclosure (primary and secondary
suppression) is decided once for the whole page, upstream (:mod:`needs.methods.disclosure`), and
this module applies no small-count rule of its own. A count that reaches it is publishable and is
printed as it is, zeros included. A NaN figure is never printed and nothing is derived from it:
a finding whose headline figure is NaN is dropped, and a clause quoting a NaN figure (an
interval, the cost of a gap, a count of turn-aways for lack of space...) is left out of its
sentence, or the whole finding is dropped where the sentence would not read without it. A group
with a hidden row in the representation table (households supported or referred) gets no
finding at all: no sentence speaks of a group the table hides, and falling back from a hidden
households-supported row to households referred would tell the reader whether the hidden row
is under-reached. The ``findings`` part computed by
:func:`needs.assessment.assemble.assess_all` uses the unsuppressed parts and is not for
publication.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from needs.assessment.representation import CHARACTERISTIC_LISTS
from needs.methods import intervals
from needs.reference import categories as cat
from needs.reference.constants import (
    COE_POPULATION_PER_FAMILY_PLACE,
    DEFAULT_CONFIDENCE,
    DEFAULT_SUPPRESS_BELOW,
    DEFAULT_TARGET_TURNAWAY,
)
from needs.reference.periods import is_period, previous_period, start_year
from needs.reference.rounding import ratio_in_words, round_estimate, round_money_estimate, round_significant

__all__ = ["FINDING_COLUMNS", "TOPICS", "findings"]

FINDING_COLUMNS: tuple[str, ...] = ("area_code", "rank", "topic", "sentence", "value", "lower", "upper")

#: Topics in order of importance.
TOPICS: tuple[str, ...] = (
    "capacity_gap",
    "under_reached",
    "supported",
    "turn_aways",
    "expected_victims",
    "projection",
    "trend",
    "funding",
)

_WORK_COLUMNS = ["area_code", "topic", "_sub", "_order", "sentence", "value", "lower", "upper"]


# ---------------------------------------------------------------------------------------------
# Formatting (element-wise on Series of results, never on records)
# ---------------------------------------------------------------------------------------------


def _percent(value: float) -> str:
    """A proportion (0-1) as a percentage: whole numbers, one decimal below 1%."""
    if pd.isna(value):
        return ""
    percent = value * 100
    if percent != 0 and abs(percent) < 1:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def _ratio(value: float) -> str:
    """A ratio to two significant figures (:func:`needs.reference.rounding.round_significant`,
    the rule the tables use: 0.3874 -> 0.39, 3.334 -> 3.3)."""
    if pd.isna(value):
        return ""
    rounded = round_significant(float(value), 2)
    decimals = 0 if rounded == 0 else max(0, 1 - int(np.floor(np.log10(abs(rounded)))))
    return f"{rounded:,.{decimals}f}"


def _ratio_words(value: float) -> str:
    """A representation ratio in words (:func:`needs.reference.rounding.ratio_in_words`)."""
    return "" if pd.isna(value) else ratio_in_words(float(value))


def _money(value: float) -> str:
    if pd.isna(value):
        return ""
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _money_estimate(value: float) -> str:
    """A modelled cost, rounded as :func:`needs.reference.rounding.round_money_estimate`."""
    return _money(round_money_estimate(float(value))) if pd.notna(value) else ""


def _number(value: float) -> str:
    """Units and other non-personal quantities: whole numbers, else one decimal."""
    if pd.isna(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _estimate(value: float) -> str:
    """A modelled estimate rounded to three significant figures (whole numbers)."""
    if pd.isna(value):
        return ""
    if value == 0:
        return "0"
    digits = min(3 - int(np.floor(np.log10(abs(value)))) - 1, 0)
    scale = 10.0**digits
    rounded = np.sign(value) * np.floor(abs(value) * scale + 0.5) / scale  # half away from zero
    return f"{rounded:,.0f}"


def _count(value: float) -> str:
    """A count of people (published, so printed as it is; zeros included)."""
    return "" if pd.isna(value) else f"{int(value):,}"


def _lower_first(text: pd.Series) -> pd.Series:
    return text.str[:1].str.lower() + text.str[1:]


def _upper_first(text: pd.Series) -> pd.Series:
    return text.str[:1].str.upper() + text.str[1:]


def _fmt(series: pd.Series, formatter: Callable[[float], str]) -> pd.Series:
    return _num(series).map(formatter).astype(str)


def _num(values: pd.Series) -> pd.Series:
    """Figures as floats; a hidden one (NaN, or a symbol such as ``[c]``) is NaN."""
    return pd.to_numeric(values, errors="coerce").astype(float)


def _shown(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Rows where every one of ``columns`` is published (none is NaN, i.e. hidden)."""
    return frame[columns].apply(_num).notna().all(axis=1)


def _flag(values: pd.Series) -> pd.Series:
    """A True/False column that may arrive as object with NaN (hidden): NaN is False."""
    return values.eq(True)


def _clause(condition: pd.Series, text: pd.Series | str, otherwise: str = "") -> pd.Series:
    """``text`` where ``condition`` holds, else ``otherwise`` (a clause left out)."""
    return pd.Series(np.where(condition, text, otherwise), index=condition.index)


def _has(frame: pd.DataFrame | None, columns: set[str]) -> bool:
    return isinstance(frame, pd.DataFrame) and not frame.empty and columns <= set(frame.columns)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=_WORK_COLUMNS)


def _label(categories: cat.CategoryList, codes: pd.Series) -> pd.Series:
    return codes.astype(str).map(categories.label)


def _year_ending(prevalence_period: str) -> str:
    """CSEW year label: ``2023-24`` is the year ending March 2024."""
    return (
        f"year ending March {start_year(prevalence_period) + 1}"
        if is_period(prevalence_period)
        else prevalence_period
    )


# ---------------------------------------------------------------------------------------------
# Topic builders: each returns _WORK_COLUMNS
# ---------------------------------------------------------------------------------------------


def _benchmark(benchmark: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The Council of Europe benchmark as context for the modelled need (after the gaps)."""
    need = {"area_code", "coe_target_units", "counted_units", "gap_units"}
    if not _has(benchmark, need):
        return _empty()
    frame = benchmark[_shown(benchmark, ["coe_target_units", "counted_units", "gap_units"])].copy()
    if frame.empty:
        return _empty()
    area = frame["area_code"].astype(str).map(names).fillna("the area")
    gap = _num(frame["gap_units"])
    target = _fmt(frame["coe_target_units"], _number)
    counted = _fmt(frame["counted_units"], _number)
    if "gap_share" in frame.columns:
        gap_share = _num(frame["gap_share"])
        share = _clause(gap_share.notna(), " (" + _fmt(gap_share, _percent) + " of the benchmark)")
    else:
        share = pd.Series("", index=frame.index)
    standard = (
        "For context, the Council of Europe standard of one family place (a place for a woman and her "
        f"children, counted here as one unit) per {COE_POPULATION_PER_FAMILY_PLACE:,} residents "
        "(Kelly & Dubois 2008) would call for "
    )
    caveat = " It is a population ratio, not the need modelled from demand."
    short = (
        standard + target + " units of the counted types; " + area + " has " + counted + " in place, "
        + _fmt(gap, _number) + " short" + share + "." + caveat
    )  # fmt: skip
    enough = standard + target + " units of the counted types; " + area + " has " + counted + " in place." + caveat
    frame["sentence"] = np.where(gap > 0, short, enough)
    frame["value"] = gap
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    frame["topic"] = "capacity_gap"
    frame["_sub"] = 2
    frame["_order"] = -gap
    return frame[_WORK_COLUMNS]


#: A failed loss-model check in words (the keys of :data:`needs.methods.queueing.SUSPECT_INPUTS`).
_SUSPECT_WORDS: dict[str, str] = {
    "capacity_declines": "capacity declines may be over-recorded (more households were turned away than the "
    "model implies while the units were less busy than it implies)",
    "units": "units may be under-recorded (fewer were turned away while the units were busier than the model "
    "implies)",
    "stays": "the stays may be mis-recorded (their number or length does not match the load the units carried)",
}


def _gaps(gaps: pd.DataFrame, target: float) -> pd.DataFrame:
    """The capacity story by type and specialism: units in place against the units the loss
    model needs, the gap and its annual support cost; units planned (the pipeline) apart."""
    need = {"area_code", "accommodation_type", "units", "units_needed", "gap_units"}
    if not _has(gaps, need):
        return _empty()
    planned = (
        _num(gaps["planned_units"]).fillna(0)
        if "planned_units" in gaps.columns
        else pd.Series(0.0, index=gaps.index)
    )
    gap_rows = _shown(gaps, ["units", "units_needed", "gap_units"]) & (_num(gaps["gap_units"]) > 0)
    # A gap the loss model cannot cost (its check failed): said, with why, not dropped.
    failed = (
        ~gaps["consistent"].astype(bool) & _shown(gaps, ["units", "units_needed"])
        if "consistent" in gaps.columns
        else pd.Series(False, index=gaps.index)
    )
    pipeline_rows = ~gap_rows & ~failed & (planned > 0)
    frame = gaps[gap_rows | pipeline_rows | failed].copy()
    if frame.empty:
        return _empty()
    planned = planned[frame.index]
    is_gap = gap_rows[frame.index]
    is_failed = failed[frame.index]
    kind = _label(cat.ACCOMMODATION_TYPES, frame["accommodation_type"])
    if "specialism" in frame.columns:
        specialism = frame["specialism"].astype(str)
        kind = kind + np.where(
            specialism.isin(cat.SPECIALISMS.codes) & (specialism != "generic"),
            " for " + _lower_first(_label(cat.SPECIALISMS, specialism)),
            "",
        )
    cost = (
        _num(frame["annual_cost_to_close"])
        if "annual_cost_to_close" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    planned_text = _clause(
        planned > 0, " (" + _fmt(planned, _number) + " more planned, not yet in place and not counted)"
    )
    def _between(low: str, high: str, fmt) -> pd.Series:
        if not {low, high} <= set(frame.columns):
            return pd.Series("", index=frame.index)
        lo, hi = _num(frame[low]), _num(frame[high])
        return _clause(lo.notna() & hi.notna(), " (95% interval " + _fmt(lo, fmt) + " to " + _fmt(hi, fmt) + ")")

    cost_text = _clause(
        cost.notna(),
        "; the annual support cost of closing it is about " + _fmt(cost, _money_estimate)
        + _between("annual_cost_to_close_lower", "annual_cost_to_close_upper", _money_estimate)
        + " (support only, not the housing)",
    )  # fmt: skip
    needed_text = _fmt(frame["units_needed"], _number) + _between("units_needed_lower", "units_needed_upper", _number)
    gap_sentence = (
        kind + ": " + _fmt(frame["units"], _number) + " units in place" + planned_text + " against "
        + needed_text + " needed by the loss model to keep turn-aways for lack of "
        "space to " + _percent(target) + ", a gap of " + _fmt(frame["gap_units"], _number) + " units"
        + _between("gap_units_lower", "gap_units_upper", _number) + cost_text + "."
    )  # fmt: skip
    suspect = frame["suspect_input"].astype(str) if "suspect_input" in frame.columns else pd.Series("", index=frame.index)
    failed_sentence = (
        kind + ": " + _fmt(frame["units"], _number) + " units in place; the loss model would need " + needed_text
        + ", but it is not consistent with the turn-aways and occupancy observed, so no gap is costed from it: "
        + suspect.map(_SUSPECT_WORDS).fillna("an input is suspect") + "."
    )  # fmt: skip
    pipeline_sentence = (
        _upper_first(kind) + ": " + _fmt(planned, _number) + " units are planned (not yet in place); "
        "they are a pipeline, not counted in the units in place, the loss model or the gap."
    )  # fmt: skip
    frame["sentence"] = np.where(is_failed, failed_sentence, np.where(is_gap, gap_sentence, pipeline_sentence))
    frame["value"] = _num(frame["gap_units"]).where(is_gap, 0.0).fillna(0.0)
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    frame["topic"] = "capacity_gap"
    frame["_sub"] = np.where(is_gap, 0, 1)
    frame["_order"] = -cost.fillna(0) - frame["value"] * 1e-9
    return frame[_WORK_COLUMNS]


def _group_phrases() -> pd.DataFrame:
    """Noun phrase for each characteristic x category, from the category labels."""
    rows = []
    for name, categories in CHARACTERISTIC_LISTS.items():
        for code, label in categories.labels.items():
            if name == "sex":
                phrase = f"{label} victims"
            elif name == "age_band":
                phrase = f"Victims aged {label}"
            else:
                phrase = f"Victims recorded as “{label}” ({cat.CHARACTERISTIC_LABELS[name].lower()})"
            rows.append((name, code, phrase))
    return pd.DataFrame(rows, columns=["characteristic", "category", "group"])


def _under_reached(representation: pd.DataFrame, ci: str) -> pd.DataFrame:
    """Groups reached less than expected (``under_reached``, :func:`needs.assessment.representation.
    representation`: ratio below 1 at 95% or 99.8%, at most the minimum difference, weighted expected
    share, not the majority group), one per group, households supported first; the sentence
    names the OHID level at which the ratio is below 1 (``significance``) when given. Groups below
    at 99.8% come before those below at 95% only."""
    need = {
        "area_code", "characteristic", "category", "basis", "expected_share", "observed_count",
        "observed_share", "ratio", "ratio_lower", "ratio_upper", "under_reached",
    }  # fmt: skip
    if not _has(representation, need):
        return _empty()
    keys = ["area_code", "characteristic", "category"]
    if "significance" in representation.columns:
        need = need | {"significance"}
    rows = representation[sorted(need)]  # extra columns of a published part are ignored
    rows = rows.assign(
        area_code=rows["area_code"].astype(str),
        characteristic=rows["characteristic"].astype(str),
        category=rows["category"].astype(str),
    )
    shown = _shown(rows, ["observed_count", "observed_share", "expected_share", "ratio"])
    # A group with a hidden row (either basis) gets no finding: falling back from a hidden
    # households-supported row to households referred would tell the reader the hidden row is
    # not under-reached, and no sentence speaks of a group the table hides.
    hidden_groups = rows.loc[~_shown(rows, ["observed_count", "observed_share"]), keys]
    frame = rows[_flag(rows["under_reached"]) & shown].copy()
    if not hidden_groups.empty:
        marked = frame[keys].merge(hidden_groups.drop_duplicates(), on=keys, how="left", indicator=True)
        frame = frame[(marked["_merge"] == "left_only").to_numpy()]
    if frame.empty:
        return _empty()
    # One finding per group: households supported in preference to households referred.
    frame = frame.assign(_basis=(frame["basis"].astype(str) != "supported").astype(int))
    frame = frame.sort_values(["_basis"], kind="stable").drop_duplicates(keys)
    frame = frame.merge(_group_phrases(), on=["characteristic", "category"], how="left")
    group = frame["group"].fillna("Victims in this group")
    basis = "households " + frame["basis"].astype(str)
    census = ~frame["characteristic"].isin(["sex", "age_band"])
    against = pd.Series(
        np.where(
            census,
            " of expected victims (the Census 2021 profile of residents aged 16 and over, weighted by"
            " relative prevalence)",
            " of expected victims",
        ),
        index=frame.index,
    )
    interval = _shown(frame, ["ratio_lower", "ratio_upper"])
    significance = (
        frame["significance"] if "significance" in frame.columns else pd.Series(None, index=frame.index)
    )
    below = significance.astype(str).str.startswith("below at ")
    frame["sentence"] = (
        group + " were " + _fmt(frame["observed_share"], _percent) + " of " + basis + " against "
        + _fmt(frame["expected_share"], _percent) + against + ": " + _fmt(frame["ratio"], _ratio_words)
        + " (ratio " + _fmt(frame["ratio"], _ratio)
        + _clause(
            interval,
            ", " + ci + " " + _fmt(frame["ratio_lower"], _ratio) + " to " + _fmt(frame["ratio_upper"], _ratio),
        )
        + _clause(below, "; below 1 at " + significance.astype(str).str.removeprefix("below at "))
        + ")."
    )  # fmt: skip
    frame["value"] = _num(frame["ratio"])
    frame["lower"] = _num(frame["ratio_lower"]).where(interval)
    frame["upper"] = _num(frame["ratio_upper"]).where(interval)
    frame["topic"] = "under_reached"
    frame["_sub"] = 0
    frame["_order"] = (
        _num(frame["ratio"])
        + np.where(frame["basis"].astype(str) == "supported", 0, 1e-9)
        + np.where(significance.astype(str) == "below at 99.8%", 0, 10)
    )
    return frame[_WORK_COLUMNS]


def _supported(supported: pd.DataFrame | None) -> pd.DataFrame:
    """Households and individuals supported in safe accommodation (the Part 4 duty) and in
    community-based support (:func:`needs.assessment.people.supported_by_scope`), topic
    ``supported``; a scope whose households or individuals are hidden is left out."""
    need = {"area_code", "scope", "households", "individuals"}
    if not _has(supported, need):
        return _empty()
    wide = supported.assign(scope=supported["scope"].astype(str)).pivot_table(
        index="area_code", columns="scope", values=["households", "individuals"], aggfunc="first", dropna=False
    )
    frame = pd.DataFrame(index=wide.index)
    clauses = []
    for scope, name in (("safe_accommodation", "in safe accommodation"), ("community", "in community-based support")):
        households = _num(wide["households"][scope]) if scope in wide["households"] else pd.Series(np.nan, index=wide.index)
        individuals = _num(wide["individuals"][scope]) if scope in wide["individuals"] else pd.Series(np.nan, index=wide.index)
        frame[f"_{scope}"] = households
        shown = households.notna() & individuals.notna()
        figures = households.map(_count).astype(str) + " households (" + individuals.map(_count).astype(str)
        clauses.append((_clause(shown, figures + " individuals) were supported " + name),
                        _clause(shown, figures + " individuals) " + name)))  # fmt: skip
    (safe, _), (community, community_short) = clauses
    both = (safe != "") & (community != "")
    text = safe + pd.Series(np.where(both, " and " + community_short, community), index=safe.index)
    frame["sentence"] = _upper_first(text) + "."
    frame = frame[text != ""].reset_index()
    if frame.empty:
        return _empty()
    frame["value"] = frame["_safe_accommodation"]
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    frame["topic"] = "supported"
    frame["_sub"] = 0
    frame["_order"] = 0.0
    return frame[_WORK_COLUMNS]


def _unmet(unmet: pd.DataFrame, ci: str, period: str) -> pd.DataFrame:
    """Households referred whose need went unmet: unable to be supported for lack of capacity or
    for needs the service could not meet, and not supported by any service in this dataset (the
    data hold only the services that sent records), from the unmet part
    (:func:`needs.assessment.referrals.unmet_households`). Declines because the survivor declined
    or disengaged, or because the referral was ineligible or inappropriate, are not unmet need."""
    need = {"area_code", "households_referred", "households_unmet_need", "unmet_share", "lower", "upper"}
    if not _has(unmet, need):
        return _empty()
    frame = unmet[_shown(unmet, ["households_referred", "households_unmet_need", "unmet_share"])].copy()
    if frame.empty:
        return _empty()
    interval = _shown(frame, ["lower", "upper"])
    head = (
        _fmt(frame["households_unmet_need"], _count) + " of the " + _fmt(frame["households_referred"], _count)
        + f" households referred in {period} were unable to be supported for lack of capacity or for needs "
        "the service could not meet, and were not supported by any service in this dataset ("
        + _fmt(frame["unmet_share"], _percent)
        + _clause(interval, ", " + ci + " " + _fmt(frame["lower"], _percent) + " to " + _fmt(frame["upper"], _percent))
        + ")"
    )  # fmt: skip
    if "households_unmet_capacity" in frame.columns:
        capacity = _num(frame["households_unmet_capacity"])
        tail = _clause(
            (_num(frame["households_unmet_need"]) > 0) & capacity.notna(),
            "; " + _fmt(capacity, _count) + " of them were turned away for lack of space",
        )
    else:
        tail = pd.Series("", index=frame.index)
    if "households_unable_other" in frame.columns:
        other = _num(frame["households_unable_other"])
        tail = tail + _clause(
            other > 0,
            ". A further " + _fmt(other, _count) + " were unable to be supported only because the survivor "
            "declined or disengaged, the referral was ineligible or inappropriate, or for another reason: "
            "these are not counted as unmet need",
        )
    frame["sentence"] = head + tail + "."
    frame["value"] = _num(frame["unmet_share"])
    frame["lower"] = _num(frame["lower"]).where(interval)
    frame["upper"] = _num(frame["upper"]).where(interval)
    frame["topic"] = "turn_aways"
    frame["_sub"] = 0
    frame["_order"] = 0.0
    return frame[_WORK_COLUMNS]


def _erlang(erlang: pd.DataFrame, ci: str, confidence: float) -> pd.DataFrame:
    need = {
        "area_code", "accommodation_type", "units", "modelled_turnaway", "units_needed",
        "observed_capacity_declines", "observed_decided",
    }  # fmt: skip
    if not _has(erlang, need):
        return _empty()
    frame = erlang.copy()
    if "target_turnaway" not in frame.columns:
        frame["target_turnaway"] = DEFAULT_TARGET_TURNAWAY
    declines = _num(frame["observed_capacity_declines"])
    decided = _num(frame["observed_decided"])
    modelled = _num(frame["modelled_turnaway"])
    observed_columns = ["observed_capacity_declines", "observed_decided"]
    if "observed_turnaway_share" in frame.columns:
        observed_columns.append("observed_turnaway_share")
    show_observed = _shown(frame, observed_columns) & (decided > 0)
    show_model = _shown(frame, ["units", "modelled_turnaway", "units_needed", "target_turnaway"])
    # A type with no units in place and nobody arriving (a planned service) has no model to report.
    units = _num(frame["units"])
    arrivals = _num(frame["arrivals_per_year"]) if "arrivals_per_year" in frame.columns else units
    show_model = show_model & ~((units == 0) & ~(arrivals > 0))
    keep = show_observed | show_model
    frame = frame[keep].copy()
    if frame.empty:
        return _empty()
    declines, decided, modelled = declines[keep], decided[keep], modelled[keep]
    show_observed, show_model = show_observed[keep], show_model[keep]
    share = pd.Series(np.nan, index=frame.index)
    lower = pd.Series(np.nan, index=frame.index)
    upper = pd.Series(np.nan, index=frame.index)
    if show_observed.any():
        interval = intervals.proportion_ci(
            declines[show_observed], decided[show_observed], confidence=confidence
        )
        share[show_observed] = interval["value"].to_numpy()
        lower[show_observed] = interval["lower"].to_numpy()
        upper[show_observed] = interval["upper"].to_numpy()
    kind = _lower_first(_label(cat.ACCOMMODATION_TYPES, frame["accommodation_type"]))
    observed = (
        _fmt(share, _percent) + " of decided referrals to " + kind + " (" + _fmt(declines, _count) + " of "
        + _fmt(decided, _count) + ") were turned away for lack of space"
        + _clause(lower.notna() & upper.notna(), " (" + ci + " " + _fmt(lower, _percent) + " to " + _fmt(upper, _percent) + ")")
    )  # fmt: skip
    needed_interval = (
        _clause(
            _num(frame["units_needed_lower"]).notna() & _num(frame["units_needed_upper"]).notna(),
            " (95% interval " + _fmt(frame["units_needed_lower"], _number) + " to "
            + _fmt(frame["units_needed_upper"], _number) + ")",
        )
        if {"units_needed_lower", "units_needed_upper"} <= set(frame.columns)
        else ""
    )  # fmt: skip
    if {"consistent", "suspect_input"} <= set(frame.columns):
        ok = frame["consistent"].astype(bool)
        verdict = np.where(
            ok,
            "; the model is consistent with the turn-aways and occupancy observed",
            "; but the model is not consistent with the turn-aways and occupancy observed: "
            + frame["suspect_input"].astype(str).map(_SUSPECT_WORDS).fillna("an input is suspect"),
        )
    else:
        verdict = ""
    model = (
        "with " + _fmt(frame["units"], _number) + " units the Erlang loss model gives a turn-away rate of "
        + _fmt(modelled, _percent) + " and " + _fmt(frame["units_needed"], _number) + needed_interval
        + " units would keep it to " + _fmt(frame["target_turnaway"], _percent) + verdict
    )  # fmt: skip
    model_for = "for " + kind + ", " + model
    frame["sentence"] = np.where(
        show_observed & show_model,
        _upper_first(observed) + "; " + model + ".",
        np.where(show_observed, _upper_first(observed) + ".", _upper_first(model_for) + "."),
    )
    frame["value"] = share.where(show_observed, modelled)
    frame["lower"] = lower.where(show_observed)
    frame["upper"] = upper.where(show_observed)
    frame["topic"] = "turn_aways"
    frame["_sub"] = 1
    frame["_order"] = -np.fmax(share.fillna(-1), modelled.where(show_model).fillna(-1))
    return frame[_WORK_COLUMNS]


def _capacity_declines(decline_reasons: pd.DataFrame, ci: str) -> pd.DataFrame:
    need = {
        "area_code",
        "accommodation_type",
        "reason",
        "count",
        "denominator",
        "share",
        "lower",
        "upper",
        "capacity_related",
    }
    if not _has(decline_reasons, need):
        return _empty()
    frame = decline_reasons[
        (decline_reasons["accommodation_type"].astype(str) == "all")
        & _flag(decline_reasons["capacity_related"])
        & _shown(decline_reasons, ["count", "denominator", "share"])
    ].copy()
    if frame.empty:
        return _empty()
    reason = _label(cat.DECLINE_REASONS, frame["reason"])
    interval = _shown(frame, ["lower", "upper"])
    frame["sentence"] = (
        _upper_first(_fmt(frame["share"], _percent)) + " of the " + _fmt(frame["denominator"], _count)
        + " decided referrals (" + _fmt(frame["count"], _count) + ") were declined because of “" + reason + "”"
        + _clause(interval, " (" + ci + " " + _fmt(frame["lower"], _percent) + " to " + _fmt(frame["upper"], _percent) + ")")
        + "."
    )  # fmt: skip
    frame["value"] = _num(frame["share"])
    frame["lower"] = _num(frame["lower"]).where(interval)
    frame["upper"] = _num(frame["upper"]).where(interval)
    frame["topic"] = "turn_aways"
    frame["_sub"] = 2
    frame["_order"] = -_num(frame["share"])
    return frame[_WORK_COLUMNS]


def _expected_victims(expected: pd.DataFrame, names: pd.Series, ci: str) -> pd.DataFrame:
    need = {"area_code", "level", "sex", "value", "lower", "upper", "measure", "prevalence_period"}
    if not _has(expected, need):
        return _empty()
    frame = expected[expected["level"].astype(str) == "tier_one"]
    frame = frame.assign(
        **{column: pd.to_numeric(frame[column], errors="coerce") for column in ("value", "lower", "upper")}
    )
    wide = frame.pivot_table(
        index="area_code", columns="sex", values=["value", "lower", "upper"], aggfunc="first", dropna=False
    )
    if ("value", "all") not in wide.columns:
        return _empty()
    meta = frame[frame["sex"].astype(str) == "all"].set_index("area_code")[["measure", "prevalence_period"]]
    out = pd.DataFrame(index=wide.index)
    out["value"] = wide[("value", "all")]
    out["lower"] = wide[("lower", "all")] if ("lower", "all") in wide.columns else np.nan
    out["upper"] = wide[("upper", "all")] if ("upper", "all") in wide.columns else np.nan
    out = out.join(meta)
    out = out[out["value"].notna()]
    if out.empty:
        return _empty()
    # Quoted to the precision the interval supports, as the tables (needs.reference.rounding).
    out["value"], out["lower"], out["upper"] = round_estimate(out["value"], out["lower"], out["upper"])
    area = pd.Series(out.index.astype(str), index=out.index).map(names).fillna("the area")
    interval = pd.Series(
        np.where(
            out["lower"].notna() & out["upper"].notna(),
            "(" + ci + " " + _fmt(out["lower"], _estimate) + " to " + _fmt(out["upper"], _estimate)
            + ", covering national survey sampling error only, not local variation)",
            "(no confidence interval: the prevalence rates came without limits or sample sizes)",
        ),
        index=out.index,
    )
    split = pd.Series("", index=out.index)
    if ("value", "female") in wide.columns and ("value", "male") in wide.columns:
        female = wide[("value", "female")].reindex(out.index)
        male = wide[("value", "male")].reindex(out.index)
        split = _clause(
            female.notna() & male.notna(),
            ": " + _fmt(female, _estimate) + " women and " + _fmt(male, _estimate) + " men",
        )
    question_set = _label(cat.CSEW_MEASURES, out["measure"]).str.split(" (", regex=False).str[0]
    source = (
        "CSEW prevalence rates for the " + out["prevalence_period"].astype(str).map(_year_ending) + " ("
        + _lower_first(question_set) + ")"
    )  # fmt: skip
    out["sentence"] = (
        "An estimated " + _fmt(out["value"], _estimate) + " adults aged 16 and over in " + area
        + " experienced domestic abuse in the last year " + interval + split + ", applying " + source
        + " by sex and age band to the area's population."
    )  # fmt: skip
    out["topic"] = "expected_victims"
    out["_sub"] = 0
    out["_order"] = 0.0
    return out.reset_index()[_WORK_COLUMNS]


def _part_year(coverage: pd.DataFrame | None, period: str) -> pd.Series:
    """By area, the clause saying that ``period`` held only part of a year of the services'
    work (:func:`needs.assessment.trends.service_coverage`), or ``""``."""
    need = {"area_code", "period", "first_start", "days_covered", "period_days", "share_of_period"}
    if not _has(coverage, need):
        return pd.Series(dtype=object)
    rows = coverage[(coverage["period"].astype(str) == period) & (coverage["share_of_period"] < 1)]
    months = (rows["days_covered"] / rows["period_days"] * 12).round().astype(int)
    start = pd.to_datetime(rows["first_start"]).dt.day.astype(str) + pd.to_datetime(rows["first_start"]).dt.strftime(" %B %Y")
    clause = (
        "; the services began on " + start + ", so " + period + " holds only " + months.astype(str)
        + " of its 12 months of their work, and a change may reflect services starting, not their impact"
    )  # fmt: skip
    return pd.Series(clause.to_numpy(), index=rows["area_code"].astype(str).to_numpy())


def _trend(
    trends: pd.DataFrame, ci: str, period: str, coverage: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The change in households supported against the previous year, saying so when the
    previous year holds only part of a year of the services' work.

    Where a service ran for only part of either year (``ratio_basis`` ``months_of_operation``,
    :func:`needs.assessment.trends.trends`) the sentence gives both counts, then the change per
    month of service operation with the months of each year (summed over the services)."""
    need = {"area_code", "measure", "period", "count", "value", "rate_ratio", "ratio_lower", "ratio_upper"}
    if not _has(trends, need) or not is_period(period):
        return _empty()
    rates = trends[trends["measure"].astype(str) == "households_supported"]
    if "ratio_basis" not in rates.columns:
        rates = rates.assign(ratio_basis="population")
    if "months_of_operation" not in rates.columns:
        rates = rates.assign(months_of_operation=np.nan)
    columns = ["area_code", "count", "rate_ratio", "ratio_lower", "ratio_upper", "ratio_basis", "months_of_operation"]
    now = rates.loc[rates["period"].astype(str) == period, columns].set_index("area_code")
    before = rates.loc[
        rates["period"].astype(str) == previous_period(period), ["area_code", "count", "months_of_operation"]
    ]
    frame = now.join(before.set_index("area_code").add_suffix("_before"), how="inner")
    frame = frame[_shown(frame, ["count", "count_before", "rate_ratio"])]
    if frame.empty:
        return _empty()
    ratio = _num(frame["rate_ratio"])
    ratio_lower = _num(frame["ratio_lower"])
    ratio_upper = _num(frame["ratio_upper"])
    interval = ratio_lower.notna() & ratio_upper.notna()
    direction = np.where(ratio > 1, "rose", np.where(ratio < 1, "fell", "did not change"))
    significant = (ratio_lower > 1) | (ratio_upper < 1)
    verdict = np.where(significant, "a statistically significant change", "the interval includes no change")
    before_label = previous_period(period)
    counts = (
        " from " + _fmt(frame["count_before"], _count) + f" in {before_label} to "
        + _fmt(frame["count"], _count) + f" in {period}"
    )  # fmt: skip
    result = (
        "(rate ratio " + _fmt(ratio, _ratio)
        + _clause(interval, ", " + ci + " " + _fmt(ratio_lower, _ratio) + " to " + _fmt(ratio_upper, _ratio) + ": " + verdict)
        + ")"
    )  # fmt: skip
    per_month = (frame["ratio_basis"].astype(str) == "months_of_operation") & _shown(
        frame, ["months_of_operation", "months_of_operation_before"]
    )
    by_month = (
        "Households supported went" + counts + "; per month of service operation ("
        + _fmt(frame["months_of_operation_before"], _months) + f" months in {before_label} and "
        + _fmt(frame["months_of_operation"], _months) + f" in {period}, summed over the services) they "
        + direction + " " + result
    )  # fmt: skip
    by_resident = "Households supported " + direction + counts + " " + result
    frame["sentence"] = (
        pd.Series(np.where(per_month, by_month, by_resident), index=frame.index)
        + _part_year(coverage, before_label).reindex(frame.index.astype(str)).fillna("").to_numpy()
        + "."
    )
    frame["value"] = ratio
    frame["lower"] = ratio_lower.where(interval)
    frame["upper"] = ratio_upper.where(interval)
    frame["topic"] = "trend"
    frame["_sub"] = 0
    frame["_order"] = 0.0
    return frame.reset_index()[_WORK_COLUMNS]


def _months(value: float) -> str:
    """Months of service operation, to one decimal."""
    return "" if pd.isna(value) else f"{value:,.1f}"


#: Scopes of support whose cost per household the funding finding quotes, with their wording.
_COST_SCOPES: tuple[tuple[str, str, str], ...] = (
    ("safe_accommodation", "accommodation-based services", "household supported in safe accommodation"),
    ("community", "community-based services", "household in community-based support"),
)


def _scope_costs(frame: pd.DataFrame) -> pd.Series:
    """The cost per household of each scope of support (spend on the scope's services in
    place / its households), each clause left out where its figures are hidden or missing;
    then the management spend that is in neither."""
    clauses = []
    for scope, services, household in _COST_SCOPES:
        cost_column, count_column = f"cost_per_household_{scope}", f"households_{scope}"
        if not {cost_column, count_column} <= set(frame.columns):
            continue
        cost, households = _num(frame[cost_column]), _num(frame[count_column])
        clauses.append(
            _clause(
                (households > 0) & np.isfinite(cost),
                "spend on " + services + " in place was " + _fmt(cost, _money) + " per " + household
                + " (" + _fmt(households, _count) + " households)",
            )
        )  # fmt: skip
    if not clauses:
        return pd.Series("", index=frame.index)
    joined = clauses[0]
    for clause in clauses[1:]:
        joined = joined + np.where((joined != "") & (clause != ""), "; ", "") + clause
    management = (
        _num(frame["committed_management"]) if "committed_management" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )  # fmt: skip
    management_text = _clause(
        (joined != "") & (management > 0),
        "; management and coordination (" + _fmt(management, _money) + ") is in neither",
    )
    return _clause(joined != "", " By scope of support, " + joined + management_text + ".")


def _funding(funding: pd.DataFrame, period: str) -> pd.DataFrame:
    need = {"area_code", "grant", "other_funding", "committed_total", "uncommitted_balance"}
    if not _has(funding, need):
        return _empty()
    frame = funding
    if "period" in frame.columns and (frame["period"].astype(str) == period).any():
        frame = frame[frame["period"].astype(str) == period]
    # The funding part records no funding as 0, so a NaN here is a hidden figure.
    frame = frame[_shown(frame, ["grant", "other_funding", "committed_total"])].copy()
    grant = _num(frame["grant"])
    other = _num(frame["other_funding"])
    balance = _num(frame["uncommitted_balance"])
    no_funding = (grant + other) <= 0
    frame = frame[no_funding | balance.notna()]  # the balance is the headline of a funded finding
    if frame.empty:
        return _empty()
    grant, other, balance, no_funding = (
        grant[frame.index],
        other[frame.index],
        balance[frame.index],
        no_funding[frame.index],
    )
    not_yet = (
        _num(frame["committed_not_yet"])
        if "committed_not_yet" in frame.columns
        else pd.Series(0.0, index=frame.index)
    )
    not_yet_text = _clause(
        not_yet > 0, " (" + _fmt(not_yet, _money) + " of it on contracts not yet in place)"
    )
    ending = _clause(
        balance >= 0,
        ", leaving " + _fmt(balance, _money) + " uncommitted.",
        "",
    ) + _clause(balance < 0, ": committed spend exceeds funding by " + _fmt(-balance, _money) + ".")
    funded = (
        f"In {period} funding of " + _fmt(grant + other, _money) + " (" + _fmt(grant, _money) + " grant and "
        + _fmt(other, _money) + " other funding) is set against " + _fmt(frame["committed_total"], _money)
        + " of committed spend" + not_yet_text + ending
    )  # fmt: skip
    unfunded = (
        f"No funding for {period} is recorded in the funding table, against "
        + _fmt(frame["committed_total"], _money) + " of committed spend" + not_yet_text + "."
    )  # fmt: skip
    sentence = pd.Series(np.where(no_funding, unfunded, funded), index=frame.index)
    frame["sentence"] = sentence + _scope_costs(frame)
    frame["value"] = balance.where(~no_funding)
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    frame["topic"] = "funding"
    frame["_sub"] = 0
    frame["_order"] = 0.0
    return frame[_WORK_COLUMNS]


# ---------------------------------------------------------------------------------------------
# Public function
# ---------------------------------------------------------------------------------------------


def findings(
    assessment,
    *,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
    max_per_topic: int | None = 5,
) -> pd.DataFrame:
    """Plain-English findings from an assessment's numbers, most important first.

    Parameters
    ----------
    assessment
        A :class:`needs.assessment.assemble.Assessment` (any object with the part attributes and
        ``period``/``options``); parts that are missing, empty or lack the columns of
        ``docs/ARCHITECTURE.md`` give no findings. ``options["confidence"]`` (default 0.95)
        labels the intervals and ``options["target_turnaway"]`` the gap sentences.
    suppress_below
        Kept for compatibility and no longer used: disclosure is decided upstream, for the
        whole page, and a hidden figure arrives as NaN (see "Disclosure" in the module
        docstring). Pass the published parts (:meth:`needs.publish.page.Page.published` with
        ``symbols=False``) for sentences fit to publish.
    max_per_topic
        Keep at most this many findings of each kind per area and topic (``None`` for all):
        e.g. five capacity gaps, and still the pipeline and the benchmark sentences after them.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``rank`` (1 = most important, per area), ``topic`` (one of
        :data:`TOPICS`), ``sentence``, ``value`` (the sentence's headline figure: ratio,
        share, units, estimate or money; never NaN from a hidden figure, since such a finding
        is dropped; NaN for the no-funding finding), ``lower``, ``upper`` (NaN where the
        sentence quotes no interval).
    """
    options = getattr(assessment, "options", {}) or {}
    confidence = float(options.get("confidence", DEFAULT_CONFIDENCE))
    target = float(options.get("target_turnaway", DEFAULT_TARGET_TURNAWAY))
    period = str(getattr(assessment, "period", ""))
    ci = f"{confidence * 100:g}% CI"
    areas = getattr(assessment, "areas", None)
    names = (
        areas.assign(area_code=areas["area_code"].astype(str)).set_index("area_code")["area_name"].astype(str)
        if _has(areas, {"area_code", "area_name"})
        else pd.Series(dtype=str)
    )

    def part(name: str) -> pd.DataFrame | None:
        return getattr(assessment, name, None)

    frames = [
        _benchmark(part("benchmark"), names),
        _gaps(part("gaps"), target),
        _under_reached(part("representation"), ci),
        _supported(part("supported")),
        _unmet(part("unmet"), ci, period),
        _erlang(part("erlang"), ci, confidence),
        _capacity_declines(part("decline_reasons"), ci),
        _expected_victims(part("expected_victims"), names, ci),
        _projection(part("projection"), names, ci),
        _trend(part("trends"), ci, period, part("service_coverage")),
        _funding(part("funding"), period),
    ]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["area_code"] = out["area_code"].astype(str)
    out["_topic"] = out["topic"].map({topic: i for i, topic in enumerate(TOPICS)})
    out = out.sort_values(["area_code", "_topic", "_sub", "_order"], kind="stable")
    if max_per_topic is not None:
        # Per kind of finding within a topic (``_sub``: e.g. the gaps, then the pipeline, then
        # the benchmark as context), so more modelled pools never push the context out.
        out = out[out.groupby(["area_code", "topic", "_sub"]).cumcount() < max_per_topic]
    out["rank"] = out.groupby("area_code").cumcount() + 1
    for column in ("value", "lower", "upper"):
        out[column] = out[column].astype(float)
    return out.reset_index(drop=True)[list(FINDING_COLUMNS)]


def _projection(projection: pd.DataFrame | None, names: pd.Series, ci: str) -> pd.DataFrame:
    """Projected need (:mod:`needs.assessment.projection`): expected victims in the last
    projected year against the assessed year, with the units needed of each published
    accommodation type x specialism in that year (hidden ones, NaN here, are left out)."""
    need = {"area_code", "period", "basis", "accommodation_type", "expected_victims", "expected_lower",
            "expected_upper", "units_needed", "units"}  # fmt: skip
    if not _has(projection, need) or projection.empty:
        return _empty()
    frame = projection.assign(
        **{c: pd.to_numeric(projection[c], errors="coerce") for c in
           ("expected_victims", "expected_lower", "expected_upper", "units_needed", "units")}
    )  # fmt: skip
    totals = frame[frame["accommodation_type"].astype(str) == "all"]
    current = totals[totals["basis"].astype(str) == "current"].set_index("area_code")
    projected = totals[totals["basis"].astype(str) == "projected"].sort_values("period")
    last = projected.groupby("area_code").tail(1).set_index("area_code")
    now = current[["period", "expected_victims"]].add_suffix("_now")
    out = last.merge(now, left_index=True, right_index=True, how="inner")
    out = out[out["expected_victims"].notna() & out["expected_victims_now"].notna()]
    if out.empty:
        return _empty()
    area = pd.Series(out.index.astype(str), index=out.index).map(names).fillna("the area")
    change = out["expected_victims"] / out["expected_victims_now"] - 1
    interval = _clause(
        out["expected_lower"].notna() & out["expected_upper"].notna(),
        " (" + ci + " " + _fmt(out["expected_lower"], _estimate) + " to " + _fmt(out["expected_upper"], _estimate)
        + ", national survey sampling error only)",
    )  # fmt: skip
    units = frame[
        (frame["accommodation_type"].astype(str) != "all")
        & frame["units_needed"].notna()
        & frame["period"].isin(last["period"])
        & (frame["units_needed"] > 0)
    ]
    units = units[units["period"].to_numpy() == last["period"].reindex(units["area_code"]).to_numpy()]
    listed = (
        _lower_first(_label(cat.ACCOMMODATION_TYPES, units["accommodation_type"]))
        + np.where(
            units.get("specialism", pd.Series("", index=units.index)).astype(str).isin(["", "all", "generic"]),
            "",
            " (" + _lower_first(_label(cat.SPECIALISMS, units.get("specialism", pd.Series("", index=units.index))))
            + ")",
        )
        + " " + _fmt(units["units_needed"], _number) + " (" + _fmt(units["units"], _number) + " in place)"
    )  # fmt: skip
    joined = listed.groupby(units["area_code"].to_numpy()).agg("; ".join).reindex(out.index)
    units_clause = _clause(
        joined.notna(),
        " With households arriving in step, the loss model needs in " + out["period"].astype(str) + ": "
        + joined.fillna("") + ".",
    )  # fmt: skip
    out["sentence"] = (
        "On ONS population projections, expected adult victims in " + area + " would "
        + pd.Series(np.where(change >= 0, "rise", "fall"), index=out.index) + " from "
        + _fmt(out["expected_victims_now"], _estimate) + " in " + out["period_now"].astype(str) + " to "
        + _fmt(out["expected_victims"], _estimate) + " in " + out["period"].astype(str) + interval + ": a "
        + pd.Series(np.where(change >= 0, "rise", "fall"), index=out.index) + " of " + _fmt(change.abs(), _percent)
        + ", if prevalence by sex and age and the share of victims reaching services stayed as in the "
        + "assessed year." + units_clause
    )  # fmt: skip
    out["value"] = out["expected_victims"]
    out["lower"] = out["expected_lower"]
    out["upper"] = out["expected_upper"]
    out["topic"] = "projection"
    out["_sub"] = 1
    out["_order"] = 0.0
    return out.reset_index()[_WORK_COLUMNS]
