"""Plain-English findings generated from the numbers of an assessment.

Every sentence is built from the figures in the :class:`needs.assessment.assemble.Assessment` parts (never
a hard-coded figure), carries its headline figure and interval in ``value``, ``lower`` and
``upper``, and uses the plain-English labels of :mod:`needs.reference.categories` rather than codes
(DESIGN.md 4.7: "Male victims were A% of households supported against B% of expected victims
(ratio R, 95% CI L-U)").

Findings are ordered by importance within each area (``rank`` 1 first):

1. ``capacity_gap``: the Council of Europe benchmark shortfall, then the largest gaps of the
   gap table (most costly to close first);
2. ``under_reached``: groups reached less than expected (upper limit of the representation
   ratio below 1), smallest ratio first; one finding per group, on households supported where
   the group is under-reached among them, else on households referred;
3. ``turn_aways``: households referred but not supported, turn-aways for lack of space by
   accommodation type (observed and modelled), and the share of declines due to capacity;
4. ``expected_victims``: the estimated number of adult victims in the area;
5. ``trend``: the change in households supported against the previous year;
6. ``funding``: funding against committed spend and the uncommitted balance (or that no
   funding is recorded for the period).

Disclosure: a sentence never prints a count of people (households, referrals) from 1 to
``suppress_below - 1`` (:data:`needs.reference.constants.DEFAULT_SUPPRESS_BELOW`). Such a count is
written "fewer than 5" and the figures derived from it (shares, ratios, costs per household)
are left out of the sentence and of ``value``/``lower``/``upper``; a finding whose
denominator itself is below the threshold is omitted. Zeros are printed (a zero describes
nobody). Modelled quantities (expected victims, units, money) are not counts of people.
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

__all__ = ["FINDING_COLUMNS", "TOPICS", "findings"]

FINDING_COLUMNS: tuple[str, ...] = ("area_code", "rank", "topic", "sentence", "value", "lower", "upper")

#: Topics in order of importance.
TOPICS: tuple[str, ...] = (
    "capacity_gap",
    "under_reached",
    "turn_aways",
    "expected_victims",
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
        return "[x]"
    percent = value * 100
    if percent != 0 and abs(percent) < 1:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def _ratio(value: float) -> str:
    return "[x]" if pd.isna(value) else f"{value:.2f}"


def _money(value: float) -> str:
    if pd.isna(value):
        return "[x]"
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _number(value: float) -> str:
    """Units and other non-personal quantities: whole numbers, else one decimal."""
    if pd.isna(value):
        return "[x]"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _estimate(value: float) -> str:
    """A modelled estimate rounded to three significant figures (whole numbers)."""
    if pd.isna(value):
        return "[x]"
    if value == 0:
        return "0"
    digits = min(3 - int(np.floor(np.log10(abs(value)))) - 1, 0)
    scale = 10.0**digits
    rounded = np.sign(value) * np.floor(abs(value) * scale + 0.5) / scale  # half away from zero
    return f"{rounded:,.0f}"


def _count(threshold: int) -> Callable[[float], str]:
    """A count of people: "fewer than N" from 1 to N-1."""

    def fmt(value: float) -> str:
        if pd.isna(value):
            return "[x]"
        if 0 < value < threshold:
            return f"fewer than {threshold}"
        return f"{int(value):,}"

    return fmt


def _lower_first(text: pd.Series) -> pd.Series:
    return text.str[:1].str.lower() + text.str[1:]


def _upper_first(text: pd.Series) -> pd.Series:
    return text.str[:1].str.upper() + text.str[1:]


def _fmt(series: pd.Series, formatter: Callable[[float], str]) -> pd.Series:
    return series.astype(float).map(formatter).astype(str)


def _small(count: pd.Series, threshold: int) -> pd.Series:
    """Counts from 1 to threshold - 1 (the disclosive ones)."""
    count = count.astype(float)
    return (count > 0) & (count < threshold)


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
    need = {"area_code", "coe_target_units", "counted_units", "gap_units"}
    if not _has(benchmark, need):
        return _empty()
    frame = benchmark.copy()
    area = frame["area_code"].astype(str).map(names).fillna("The area")
    gap = frame["gap_units"].astype(float)
    target = _fmt(frame["coe_target_units"], _number)
    counted = _fmt(frame["counted_units"], _number)
    if "gap_share" in frame.columns:
        share = " (" + _fmt(frame["gap_share"], _percent) + " of the target)"
    else:
        share = pd.Series("", index=frame.index)
    standard = (
        f"the Council of Europe minimum of one family place per {COE_POPULATION_PER_FAMILY_PLACE:,} residents"
    )
    short = (
        area + " has " + counted + " family places of the counted types against " + standard + ", a target of "
        + target + ": a shortfall of " + _fmt(gap, _number) + " places" + share + "."
    )  # fmt: skip
    enough = (
        area
        + " has "
        + counted
        + " family places of the counted types, meeting "
        + standard
        + " (a target of "
        + target
        + ")."
    )
    frame["sentence"] = np.where(gap > 0, short, enough)
    frame["value"] = gap
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    frame["topic"] = "capacity_gap"
    frame["_sub"] = 0
    frame["_order"] = -gap
    return frame[_WORK_COLUMNS]


def _gaps(gaps: pd.DataFrame, target: float) -> pd.DataFrame:
    need = {"area_code", "accommodation_type", "units", "units_needed", "gap_units"}
    if not _has(gaps, need):
        return _empty()
    frame = gaps[gaps["gap_units"].astype(float) > 0].copy()
    if frame.empty:
        return _empty()
    kind = _label(cat.ACCOMMODATION_TYPES, frame["accommodation_type"])
    if "specialism" in frame.columns:
        specialism = frame["specialism"].astype(str)
        kind = kind + np.where(
            specialism.isin(cat.SPECIALISMS.codes) & (specialism != "generic"),
            " for " + _lower_first(_label(cat.SPECIALISMS, specialism)),
            "",
        )
    cost = (
        frame["annual_cost_to_close"].astype(float)
        if "annual_cost_to_close" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    cost_text = pd.Series(
        np.where(cost.notna(), ", costing about " + _fmt(cost, _money) + " a year to close", ""),
        index=frame.index,
    )
    frame["sentence"] = (
        kind + ": " + _fmt(frame["units"], _number) + " units in place against "
        + _fmt(frame["units_needed"], _number) + " needed to keep turn-aways for lack of space to "
        + _percent(target) + ", a gap of " + _fmt(frame["gap_units"], _number) + " units" + cost_text + "."
    )  # fmt: skip
    frame["value"] = frame["gap_units"].astype(float)
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    frame["topic"] = "capacity_gap"
    frame["_sub"] = 1
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


def _under_reached(representation: pd.DataFrame, threshold: int, ci: str) -> pd.DataFrame:
    need = {
        "area_code", "characteristic", "category", "basis", "expected_share", "observed_count",
        "observed_total", "observed_share", "ratio", "ratio_lower", "ratio_upper", "under_reached",
    }  # fmt: skip
    if not _has(representation, need):
        return _empty()
    frame = representation[
        representation["under_reached"].astype(bool)
        & (representation["observed_total"].astype(float) >= threshold)
        & representation["ratio"].notna()
    ].copy()
    if frame.empty:
        return _empty()
    # One finding per group: households supported in preference to households referred.
    frame = frame.assign(_basis=(frame["basis"].astype(str) != "supported").astype(int))
    frame = frame.sort_values(["_basis"], kind="stable").drop_duplicates(
        ["area_code", "characteristic", "category"]
    )
    frame["characteristic"] = frame["characteristic"].astype(str)
    frame["category"] = frame["category"].astype(str)
    frame = frame.merge(_group_phrases(), on=["characteristic", "category"], how="left")
    group = frame["group"].fillna("Victims in this group")
    basis = "households " + frame["basis"].astype(str)
    census = ~frame["characteristic"].isin(["sex", "age_band"])
    against = pd.Series(
        np.where(
            census,
            " of residents aged 16 and over (Census 2021, weighted by relative prevalence where known)",
            " of expected victims",
        ),
        index=frame.index,
    )
    expected = _fmt(frame["expected_share"], _percent)
    small = _small(frame["observed_count"], threshold)
    full = (
        group + " were " + _fmt(frame["observed_share"], _percent) + " of " + basis + " against " + expected
        + against + " (ratio " + _fmt(frame["ratio"], _ratio) + ", " + ci + " "
        + _fmt(frame["ratio_lower"], _ratio) + " to " + _fmt(frame["ratio_upper"], _ratio) + ")."
    )  # fmt: skip
    hidden = (
        f"Fewer than {threshold} " + basis + " were " + _lower_first(group) + ", against " + expected + against
        + f": fewer than expected (the {ci} of the representation ratio is below 1)."
    )  # fmt: skip
    frame["sentence"] = np.where(small, hidden, full)
    frame["value"] = frame["ratio"].astype(float).where(~small)
    frame["lower"] = frame["ratio_lower"].astype(float).where(~small)
    frame["upper"] = frame["ratio_upper"].astype(float).where(~small)
    frame["topic"] = "under_reached"
    frame["_sub"] = 0
    frame["_order"] = frame["ratio"].astype(float) + np.where(
        frame["basis"].astype(str) == "supported", 0, 1e-9
    )
    return frame[_WORK_COLUMNS]


def _unmet(unmet: pd.DataFrame, threshold: int, ci: str, period: str) -> pd.DataFrame:
    need = {"area_code", "households_referred", "households_unmet", "unmet_share", "lower", "upper"}
    if not _has(unmet, need):
        return _empty()
    frame = unmet[unmet["households_referred"].astype(float) >= threshold].copy()
    if frame.empty:
        return _empty()
    count = _count(threshold)
    small = _small(frame["households_unmet"], threshold)
    referred = _fmt(frame["households_referred"], count)
    head = pd.Series(
        np.where(
            small,
            f"Fewer than {threshold} of the "
            + referred
            + f" households referred in {period} were turned away and not supported anywhere",
            _fmt(frame["households_unmet"], count)
            + " of the "
            + referred
            + f" households referred in {period}"
            + " were turned away and not supported anywhere ("
            + _fmt(frame["unmet_share"], _percent)
            + ", "
            + ci
            + " "
            + _fmt(frame["lower"], _percent)
            + " to "
            + _fmt(frame["upper"], _percent)
            + ")",
        ),
        index=frame.index,
    )
    if "households_unmet_capacity" in frame.columns:
        capacity = frame["households_unmet_capacity"].astype(float)
        tail = pd.Series(
            np.where(
                frame["households_unmet"].astype(float) > 0,
                "; " + _fmt(capacity, count) + " of them were turned away for lack of space.",
                ".",
            ),
            index=frame.index,
        )
    else:
        tail = pd.Series(".", index=frame.index)
    frame["sentence"] = head + tail
    frame["value"] = frame["unmet_share"].astype(float).where(~small)
    frame["lower"] = frame["lower"].astype(float).where(~small)
    frame["upper"] = frame["upper"].astype(float).where(~small)
    frame["topic"] = "turn_aways"
    frame["_sub"] = 0
    frame["_order"] = 0.0
    return frame[_WORK_COLUMNS]


def _erlang(erlang: pd.DataFrame, threshold: int, ci: str, confidence: float) -> pd.DataFrame:
    need = {
        "area_code", "accommodation_type", "units", "modelled_turnaway", "units_needed",
        "observed_capacity_declines", "observed_decided",
    }  # fmt: skip
    if not _has(erlang, need):
        return _empty()
    frame = erlang.copy()
    declines = frame["observed_capacity_declines"].astype(float)
    decided = frame["observed_decided"].astype(float)
    modelled = frame["modelled_turnaway"].astype(float)
    show_observed = decided >= threshold
    frame = frame[show_observed | modelled.notna()].copy()
    if frame.empty:
        return _empty()
    declines, decided, modelled = declines[frame.index], decided[frame.index], modelled[frame.index]
    show_observed = show_observed[frame.index]
    share = pd.Series(np.nan, index=frame.index)
    lower = pd.Series(np.nan, index=frame.index)
    upper = pd.Series(np.nan, index=frame.index)
    if show_observed.any():
        interval = intervals.proportion_ci(declines[show_observed], decided[show_observed], confidence=confidence)
        share[show_observed] = interval["value"].to_numpy()
        lower[show_observed] = interval["lower"].to_numpy()
        upper[show_observed] = interval["upper"].to_numpy()
    small = _small(declines, threshold)
    count = _count(threshold)
    kind = _lower_first(_label(cat.ACCOMMODATION_TYPES, frame["accommodation_type"]))
    observed = pd.Series(
        np.where(
            small,
            f"fewer than {threshold} of the "
            + _fmt(decided, count)
            + " decided referrals to "
            + kind
            + " were turned away for lack of space",
            _fmt(share, _percent)
            + " of decided referrals to "
            + kind
            + " ("
            + _fmt(declines, count)
            + " of "
            + _fmt(decided, count)
            + ") were turned away for lack of space ("
            + ci
            + " "
            + _fmt(lower, _percent)
            + " to "
            + _fmt(upper, _percent)
            + ")",
        ),
        index=frame.index,
    )
    target = (
        frame["target_turnaway"].astype(float)
        if "target_turnaway" in frame.columns
        else pd.Series(DEFAULT_TARGET_TURNAWAY, index=frame.index)
    )
    model = (
        "with " + _fmt(frame["units"], _number) + " units the Erlang loss model gives a turn-away rate of "
        + _fmt(modelled, _percent) + " and " + _fmt(frame["units_needed"], _number) + " units would keep it to "
        + _fmt(target, _percent)
    )  # fmt: skip
    model_for = "for " + kind + ", " + model
    sentence = np.where(
        show_observed & modelled.notna(),
        _upper_first(observed) + "; " + model + ".",
        np.where(show_observed, _upper_first(observed) + ".", _upper_first(model_for) + "."),
    )
    frame["sentence"] = sentence
    headline = show_observed & ~small
    frame["value"] = np.where(headline, share, np.where(show_observed, np.nan, modelled))
    frame["lower"] = lower.where(headline)
    frame["upper"] = upper.where(headline)
    frame["topic"] = "turn_aways"
    frame["_sub"] = 1
    frame["_order"] = -np.fmax(share.fillna(-1), modelled.fillna(-1))
    return frame[_WORK_COLUMNS]


def _capacity_declines(decline_reasons: pd.DataFrame, threshold: int, ci: str) -> pd.DataFrame:
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
        & decline_reasons["capacity_related"].astype(bool)
        & (decline_reasons["denominator"].astype(float) >= threshold)
    ].copy()
    if frame.empty:
        return _empty()
    count = _count(threshold)
    small = _small(frame["count"], threshold)
    reason = _label(cat.DECLINE_REASONS, frame["reason"])
    denominator = _fmt(frame["denominator"], count)
    frame["sentence"] = np.where(
        small,
        f"Fewer than {threshold} of the " + denominator + " decided referrals were declined because of “" + reason + "”.",
        _upper_first(_fmt(frame["share"], _percent)) + " of the " + denominator + " decided referrals ("
        + _fmt(frame["count"], count) + ") were declined because of “" + reason + "” (" + ci + " "
        + _fmt(frame["lower"], _percent) + " to " + _fmt(frame["upper"], _percent) + ").",
    )  # fmt: skip
    frame["value"] = frame["share"].astype(float).where(~small)
    frame["lower"] = frame["lower"].astype(float).where(~small)
    frame["upper"] = frame["upper"].astype(float).where(~small)
    frame["topic"] = "turn_aways"
    frame["_sub"] = 2
    frame["_order"] = -frame["share"].astype(float)
    return frame[_WORK_COLUMNS]


def _expected_victims(expected: pd.DataFrame, names: pd.Series, ci: str) -> pd.DataFrame:
    need = {"area_code", "level", "sex", "value", "lower", "upper", "measure", "prevalence_period"}
    if not _has(expected, need):
        return _empty()
    frame = expected[expected["level"].astype(str) == "tier_one"]
    wide = frame.pivot_table(
        index="area_code", columns="sex", values=["value", "lower", "upper"], aggfunc="first", dropna=False
    )
    if ("value", "all") not in wide.columns:
        return _empty()
    meta = frame[frame["sex"].astype(str) == "all"].set_index("area_code")[["measure", "prevalence_period"]]
    out = pd.DataFrame(index=wide.index)
    out["value"] = wide[("value", "all")]
    out["lower"] = wide[("lower", "all")]
    out["upper"] = wide[("upper", "all")]
    out = out.join(meta)
    area = pd.Series(out.index.astype(str), index=out.index).map(names).fillna("the area")
    interval = pd.Series(
        np.where(
            out["lower"].notna() & out["upper"].notna(),
            "(" + ci + " " + _fmt(out["lower"], _estimate) + " to " + _fmt(out["upper"], _estimate) + ")",
            "(no confidence interval: the prevalence rates came without limits or sample sizes)",
        ),
        index=out.index,
    )
    split = pd.Series("", index=out.index)
    if ("value", "female") in wide.columns and ("value", "male") in wide.columns:
        split = (
            ": "
            + _fmt(wide[("value", "female")], _estimate)
            + " women and "
            + _fmt(wide[("value", "male")], _estimate)
            + " men"
        )
    question_set = _label(cat.CSEW_MEASURES, out["measure"]).str.split(" (", regex=False).str[0]
    source = (
        "CSEW prevalence rates for the " + out["prevalence_period"].astype(str).map(_year_ending) + " ("
        + _lower_first(question_set) + ")"
    )  # fmt: skip
    out["sentence"] = (
        "An estimated " + _fmt(out["value"], _estimate) + " adults aged 16 and over in " + area
        + " experienced domestic abuse in the last year " + interval + split + ", applying " + source
        + " to the area's population."
    )  # fmt: skip
    out["topic"] = "expected_victims"
    out["_sub"] = 0
    out["_order"] = 0.0
    return out.reset_index()[_WORK_COLUMNS]


def _trend(trends: pd.DataFrame, threshold: int, ci: str, period: str) -> pd.DataFrame:
    need = {"area_code", "measure", "period", "count", "value", "rate_ratio", "ratio_lower", "ratio_upper"}
    if not _has(trends, need) or not is_period(period):
        return _empty()
    rates = trends[trends["measure"].astype(str) == "households_supported"]
    now = rates[rates["period"].astype(str) == period].set_index("area_code")
    before = rates[rates["period"].astype(str) == previous_period(period)].set_index("area_code")
    frame = now.join(before[["count", "value"]].add_suffix("_before"), how="inner")
    both_small = _small(frame["count"], threshold) & _small(frame["count_before"], threshold)
    frame = frame[frame["rate_ratio"].notna() & ~both_small]
    if frame.empty:
        return _empty()
    count = _count(threshold)
    ratio = frame["rate_ratio"].astype(float)
    direction = np.where(ratio > 1, "rose", np.where(ratio < 1, "fell", "did not change"))
    significant = (frame["ratio_lower"].astype(float) > 1) | (frame["ratio_upper"].astype(float) < 1)
    verdict = np.where(significant, "a statistically significant change", "the interval includes no change")
    small = _small(frame["count"], threshold) | _small(frame["count_before"], threshold)
    frame["sentence"] = (
        "Households supported " + direction + " from " + _fmt(frame["count_before"], count) + f" in "
        f"{previous_period(period)} to " + _fmt(frame["count"], count) + f" in {period}"
        + pd.Series(
            np.where(
                small,
                "",
                " (rate ratio " + _fmt(ratio, _ratio) + ", " + ci + " " + _fmt(frame["ratio_lower"], _ratio)
                + " to " + _fmt(frame["ratio_upper"], _ratio) + ": " + verdict + ")",
            ),
            index=frame.index,
        )
        + "."
    )  # fmt: skip
    frame["value"] = ratio.where(~small)
    frame["lower"] = frame["ratio_lower"].astype(float).where(~small)
    frame["upper"] = frame["ratio_upper"].astype(float).where(~small)
    frame["topic"] = "trend"
    frame["_sub"] = 0
    frame["_order"] = 0.0
    return frame.reset_index()[_WORK_COLUMNS]


def _funding(funding: pd.DataFrame, threshold: int, period: str) -> pd.DataFrame:
    need = {"area_code", "grant", "other_funding", "committed_total", "uncommitted_balance"}
    if not _has(funding, need):
        return _empty()
    frame = funding
    if "period" in frame.columns and (frame["period"].astype(str) == period).any():
        frame = frame[frame["period"].astype(str) == period]
    frame = frame.copy()
    grant = frame["grant"].astype(float).fillna(0)
    other = frame["other_funding"].astype(float).fillna(0)
    balance = frame["uncommitted_balance"].astype(float)
    not_yet = (
        frame["committed_not_yet"].astype(float)
        if "committed_not_yet" in frame.columns
        else pd.Series(0.0, index=frame.index)
    )
    not_yet_text = pd.Series(
        np.where(not_yet > 0, " (" + _fmt(not_yet, _money) + " of it on contracts not yet in place)", ""),
        index=frame.index,
    )
    ending = pd.Series(
        np.where(
            balance >= 0,
            ", leaving " + _fmt(balance, _money) + " uncommitted.",
            ": committed spend exceeds funding by " + _fmt(-balance, _money) + ".",
        ),
        index=frame.index,
    )
    funded = (
        f"In {period} funding of " + _fmt(grant + other, _money) + " (" + _fmt(grant, _money) + " grant and "
        + _fmt(other, _money) + " other funding) is set against " + _fmt(frame["committed_total"], _money)
        + " of committed spend" + not_yet_text + ending
    )  # fmt: skip
    unfunded = (
        f"No funding for {period} is recorded in the funding table, against "
        + _fmt(frame["committed_total"], _money) + " of committed spend" + not_yet_text + "."
    )  # fmt: skip
    no_funding = (grant + other) <= 0
    sentence = pd.Series(np.where(no_funding, unfunded, funded), index=frame.index)
    if {"households_supported", "cost_per_household"} <= set(frame.columns):
        households = frame["households_supported"].astype(float)
        shown = (households >= threshold) & frame["cost_per_household"].notna()
        sentence = sentence + pd.Series(
            np.where(
                shown,
                " Committed spend per household supported was "
                + _fmt(frame["cost_per_household"], _money)
                + " ("
                + _fmt(households, _count(threshold))
                + " households).",
                "",
            ),
            index=frame.index,
        )
    frame["sentence"] = sentence
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
        Counts of people from 1 to ``suppress_below - 1`` are written "fewer than N".
    max_per_topic
        Keep at most this many findings per area and topic (``None`` for all).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``rank`` (1 = most important, per area), ``topic`` (one of
        :data:`TOPICS`), ``sentence``, ``value`` (the sentence's headline figure: ratio,
        share, units, estimate or money; NaN where suppressed), ``lower``, ``upper``.
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
        _under_reached(part("representation"), suppress_below, ci),
        _unmet(part("unmet"), suppress_below, ci, period),
        _erlang(part("erlang"), suppress_below, ci, confidence),
        _capacity_declines(part("decline_reasons"), suppress_below, ci),
        _expected_victims(part("expected_victims"), names, ci),
        _trend(part("trends"), suppress_below, ci, period),
        _funding(part("funding"), suppress_below, period),
    ]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["area_code"] = out["area_code"].astype(str)
    out["_topic"] = out["topic"].map({topic: i for i, topic in enumerate(TOPICS)})
    out = out.sort_values(["area_code", "_topic", "_sub", "_order"], kind="stable")
    if max_per_topic is not None:
        out = out[out.groupby(["area_code", "topic"]).cumcount() < max_per_topic]
    out["rank"] = out.groupby("area_code").cumcount() + 1
    for column in ("value", "lower", "upper"):
        out[column] = out[column].astype(float)
    return out.reset_index(drop=True)[list(FINDING_COLUMNS)]
