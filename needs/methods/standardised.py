"""Directly and indirectly standardised rates, computed the way OHID computes them.

Each function reproduces the R package *PHEindicatormethods* (OHID / UKHSA, v2.1.0), whose
validation workbooks are the reference values of ``tests/methods/test_standardised.py``:

=====================  ==============================================  =====================
function               method                                          PHEindicatormethods
=====================  ==============================================  =====================
:func:`dsr`            directly standardised rate, Dobson et al. 1991  ``calculate_dsr``
:func:`isr_rate`       indirectly standardised rate                    ``calculate_ISRate``
:func:`isr_ratio`      indirectly standardised ratio (SMR)             ``calculate_ISRatio``
=====================  ==============================================  =====================

Inputs, confidence levels, missing values and misuse follow the conventions of
:mod:`needs.methods.intervals`, whose Byar and exact Poisson limits these build on.

References
----------
Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, Volume II: The Design and
Analysis of Cohort Studies*. IARC Scientific Publications 82 (Byar's approximation, p. 69).
Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted sums of
Poisson parameters. *Statistics in Medicine* 10:457-462.
Public Health England (2018). *Technical Guide: Confidence Intervals*; *Technical Guide:
Age-standardised rates* (Fingertips methods, OHID).
Eurostat (2013). *Revision of the European Standard Population*, Report of Eurostat's task
force, Luxembourg (ESP 2013, Annex F).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from needs.methods._arrays import (
    ArrayLike,
    _by_list,
    _check_nonnegative,
    _check_positive,
    _column,
    _group_codes,
    _group_sum,
    _levels,
    _limit_columns,
    _to_float,
)
from needs.methods.intervals import SMALL_COUNT, byars_lower, byars_upper, poisson_limits

__all__ = ["ESP2013", "dsr", "isr_rate", "isr_ratio"]

#: European Standard Population 2013, 19 five-year bands (0-4 ... 85-89, 90+), summing to
#: 100,000 (Eurostat 2013, Annex F; the ``esp2013`` vector of PHEindicatormethods).
ESP2013: pd.DataFrame = pd.DataFrame(
    {
        "age_band": [
            "0-4",
            "5-9",
            "10-14",
            "15-19",
            "20-24",
            "25-29",
            "30-34",
            "35-39",
            "40-44",
            "45-49",
            "50-54",
            "55-59",
            "60-64",
            "65-69",
            "70-74",
            "75-79",
            "80-84",
            "85-89",
            "90+",
        ],  # fmt: skip
        "age_from": np.arange(0, 95, 5, dtype="int64"),
        "age_to": pd.array([*range(4, 90, 5), None], dtype="Int64"),
        "population": np.array(
            [
                5000,
                5500,
                5500,
                5500,
                6000,
                6000,
                6500,
                7000,
                7000,
                7000,
                7000,
                6500,
                6000,
                5500,
                5000,
                4000,
                2500,
                1500,
                1000,
            ],
            dtype="int64",
        ),  # fmt: skip
    }
)


# --------------------------------------------------------------------------------------
# Standardised rates
# --------------------------------------------------------------------------------------


def _reference_vector(
    data: pd.DataFrame, spec: Hashable | ArrayLike, codes: np.ndarray, argument: str
) -> np.ndarray:
    """A per-row reference column: a column name, or a vector repeated for every group.

    A vector is matched to rows by position within their group (PHEindicatormethods
    ``refpoptype = "vector"``), so every group must have exactly ``len(vector)`` rows.
    """
    if isinstance(spec, Hashable) and not isinstance(spec, tuple) and np.ndim(spec) == 0:
        return _column(data, spec, argument)
    vector = _to_float(spec, argument).ravel()
    sizes = np.bincount(codes)
    if np.any(sizes != len(vector)):
        raise ValueError(
            f"{argument}: a vector of {len(vector)} values needs exactly {len(vector)} rows "
            f"in every group (found {sorted(set(sizes.tolist()))})"
        )
    position = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    return vector[position]


def _dobson_limits(
    value: np.ndarray, variance: np.ndarray, total: np.ndarray, level: float, multiplier: float
) -> tuple[np.ndarray, np.ndarray]:
    """Dobson et al. (1991) limits for a weighted sum of Poisson counts (PHE ``calculate_dsr``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(variance / total) * multiplier
        lower = value + scale * (byars_lower(total, level) - total)
        upper = value + scale * (byars_upper(total, level) - total)
    return lower, upper


def dsr(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    standard: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    independent_events: bool = True,
    event_frequency: Hashable | None = None,
    unique_individuals: Hashable | None = None,
    age_band: Hashable | None = None,
) -> pd.DataFrame:
    """Directly standardised rate with Dobson limits (PHEindicatormethods ``calculate_dsr``).

    For each group, with age bands :math:`i`, counts :math:`x_i`, populations :math:`n_i` and
    standard populations :math:`w_i` (:math:`W = \\sum w_i`):

    .. math::

        \\text{DSR} = \\frac{m}{W} \\sum_i \\frac{w_i x_i}{n_i}, \\qquad
        \\operatorname{Var}(\\text{DSR}) = \\frac{1}{W^2} \\sum_i \\frac{w_i^2 x_i}{n_i^2}

    and with :math:`O = \\sum_i x_i` the limits of Dobson et al. (1991),

    .. math::

        \\text{DSR} + \\sqrt{\\operatorname{Var}/O}\\,(O_{L,U} - O)\\, m

    where :math:`O_L, O_U` are Byar's limits for :math:`O`
    (:func:`~needs.methods.intervals.byars_lower`, :func:`~needs.methods.intervals.byars_upper`).
    OHID does not publish a DSR for :math:`O < 10`: value and limits are NaN then. A missing
    count is treated as zero, as in ``calculate_dsr``.

    **Non-independent events** (``independent_events=False``; PHEindicatormethods 2.0,
    following the Fingertips technical guidance): rows are (band, event frequency :math:`f`,
    number of unique individuals :math:`u_{if}` with :math:`f` events; missing = 0). The events
    are :math:`x_i = \\sum_f f u_{if}`, the DSR is as above, and the variance allows for people
    contributing several events:

    .. math::

        \\operatorname{Var} = \\sum_f f^2 \\, \\frac{1}{W_f^2} \\sum_i \\frac{w_i^2 u_{if}}{n_i^2}

    Parameters
    ----------
    data : DataFrame
        One row per group × age band (× event frequency for non-independent events).
    count : column name or None
        Event counts (independent events); for non-independent events the unique-individuals
        column if ``unique_individuals`` is not given.
    population : column name
        Population of each band (must be > 0).
    standard : column name or array-like
        Standard population: a column, or a vector repeated for every group (each group then
        needs exactly ``len(standard)`` rows in the same band order), e.g.
        ``ESP2013["population"]``.
    by : column name(s) or None
        Grouping columns; one output row per group.
    confidence : float or sequence of floats
    multiplier : float
        Rate per ``multiplier`` (default 100,000).
    independent_events : bool
    event_frequency, unique_individuals : column names
        For non-independent events.
    age_band : column name, optional
        For non-independent events: identifies the bands so that populations are counted once
        per band. Without it each event frequency must list the same bands (as in the OHID
        input format) and the totals are taken from one frequency.

    Returns
    -------
    DataFrame
        ``by`` columns, ``total_count`` (events), ``total_population``, ``value``, ``lower``,
        ``upper``.
    """
    by_cols = _by_list(by)
    levels, single = _levels(confidence)
    codes, keys = _group_codes(data, by_cols)
    ngroups = len(keys)
    pop = _column(data, population, "population")
    _check_positive(pop, "population")
    std = _reference_vector(data, standard, codes, "standard")
    _check_nonnegative(std, "standard")

    if independent_events:
        if count is None:
            raise ValueError("count must name the column of event counts")
        x = _column(data, count, "count")
        _check_nonnegative(x, "count")
        x = np.nan_to_num(x, nan=0.0)
        total_count = _group_sum(x, codes, ngroups, skipna=True)
        total_pop = _group_sum(pop, codes, ngroups, skipna=False)
        total_std = _group_sum(std, codes, ngroups, skipna=False)
        weighted = _group_sum(x * std / pop, codes, ngroups, skipna=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = _group_sum(x * (std / pop) ** 2, codes, ngroups, skipna=False) / total_std**2
    else:
        if event_frequency is None:
            raise ValueError("event_frequency must name a column when independent_events=False")
        individuals_col = unique_individuals if unique_individuals is not None else count
        if individuals_col is None:
            raise ValueError("unique_individuals must name a column when independent_events=False")
        freq = _column(data, event_frequency, "event_frequency")
        _check_nonnegative(freq, "event_frequency")
        people = np.nan_to_num(_column(data, individuals_col, "unique_individuals"), nan=0.0)
        _check_nonnegative(people, "unique_individuals")
        events = freq * people
        total_count = _group_sum(events, codes, ngroups, skipna=True)
        weighted = _group_sum(events * std / pop, codes, ngroups, skipna=False)

        # Per (group, frequency): the frequency-specific variance and band totals.
        frame = pd.DataFrame({"g": codes, "f": freq})
        sub = frame.groupby(["g", "f"], sort=True, dropna=False).ngroup().to_numpy()
        nsub = int(sub.max()) + 1 if len(sub) else 0
        sub_group = np.zeros(nsub, dtype="int64")
        sub_group[sub] = codes
        sub_freq = np.zeros(nsub)
        sub_freq[sub] = freq
        sub_std = _group_sum(std, sub, nsub, skipna=False)
        sub_pop = _group_sum(pop, sub, nsub, skipna=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            sub_var = _group_sum(people * (std / pop) ** 2, sub, nsub, skipna=False) / sub_std**2
        variance = _group_sum(sub_freq**2 * sub_var, sub_group, ngroups, skipna=False)

        if age_band is not None:
            if age_band not in data.columns:
                raise ValueError(f"age_band: column {age_band!r} is not in data")
            first = ~pd.DataFrame({"g": codes, "b": data[age_band].to_numpy()}).duplicated().to_numpy()
            total_pop = _group_sum(np.where(first, pop, 0.0), codes, ngroups, skipna=False)
            total_std = _group_sum(np.where(first, std, 0.0), codes, ngroups, skipna=False)
        else:
            agg = pd.DataFrame({"g": sub_group, "pop": sub_pop, "std": sub_std}).groupby("g")
            low, high = agg.min(), agg.max()
            differs = (low != high) & ~(low.isna() & high.isna())
            if differs.to_numpy().any():
                raise ValueError(
                    "age_band: the event frequencies of a group list different bands; "
                    "name the age band column"
                )
            total_pop = high["pop"].reindex(range(ngroups)).to_numpy()
            total_std = high["std"].reindex(range(ngroups)).to_numpy()

    with np.errstate(invalid="ignore", divide="ignore"):
        value = weighted / total_std * multiplier
    small = total_count < SMALL_COUNT
    out = keys.reset_index(drop=True).copy()
    out["total_count"] = total_count
    out["total_population"] = total_pop
    out["value"] = np.where(small, np.nan, value)
    for level in levels:
        lo, up = _limit_columns(level, single)
        lower, upper = _dobson_limits(value, variance, total_count, level, multiplier)
        out[lo] = np.where(small, np.nan, lower)
        out[up] = np.where(small, np.nan, upper)
    return out


def _isr(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    ref_count: Hashable | ArrayLike,
    ref_population: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None,
    observed_totals: pd.DataFrame | float | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Observed and expected counts per group, plus the reference rate (per 1)."""
    by_cols = _by_list(by)
    codes, keys = _group_codes(data, by_cols)
    ngroups = len(keys)
    pop = _column(data, population, "population")
    _check_nonnegative(pop, "population")
    rx = _reference_vector(data, ref_count, codes, "ref_count")
    _check_nonnegative(rx, "ref_count")
    rn = _reference_vector(data, ref_population, codes, "ref_population")
    _check_positive(rn, "ref_population")

    expected = _group_sum(rx / rn * pop, codes, ngroups, skipna=False)
    ref_rate = _group_sum(rx, codes, ngroups, skipna=False) / _group_sum(rn, codes, ngroups, skipna=False)

    out = keys.reset_index(drop=True).copy()
    if observed_totals is None:
        if count is None:
            raise ValueError("count must name the observed counts column (or give observed_totals)")
        x = _column(data, count, "count")
        _check_nonnegative(x, "count")
        observed = _group_sum(np.nan_to_num(x, nan=0.0), codes, ngroups, skipna=True)
    elif isinstance(observed_totals, pd.DataFrame):
        column = count if count is not None else "count"
        missing = [c for c in [*by_cols, column] if c not in observed_totals.columns]
        if missing:
            raise ValueError(f"observed_totals: missing column(s) {missing}")
        if observed_totals.duplicated(by_cols).any() if by_cols else len(observed_totals) != 1:
            raise ValueError("observed_totals must have one row per group")
        if by_cols:
            merged = out.merge(observed_totals[[*by_cols, column]], on=by_cols, how="left")
            observed = _to_float(merged[column], "observed_totals")
        else:
            observed = _to_float(observed_totals[column], "observed_totals")
        _check_nonnegative(observed, "observed_totals")
    else:
        if by_cols:
            raise ValueError("observed_totals must be a DataFrame with the by columns")
        observed = _to_float(observed_totals, "observed_totals").ravel()
        _check_nonnegative(observed, "observed_totals")
    return out, observed, expected, ref_rate


def _isr_output(
    out: pd.DataFrame,
    observed: np.ndarray,
    expected: np.ndarray,
    scale: np.ndarray,
    confidence: float | Sequence[float],
) -> pd.DataFrame:
    levels, single = _levels(confidence)
    defined = expected > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(defined, scale / expected, np.nan)
    out["observed"] = observed
    out["expected"] = expected
    out["value"] = observed * factor
    for level in levels:
        lo, up = _limit_columns(level, single)
        lower, upper = poisson_limits(observed, level)
        out[lo] = lower * factor
        out[up] = upper * factor
    return out


def isr_rate(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    ref_count: Hashable | ArrayLike,
    ref_population: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    observed_totals: pd.DataFrame | float | None = None,
) -> pd.DataFrame:
    """Indirectly standardised rate (PHEindicatormethods ``calculate_ISRate``).

    With observed events :math:`O = \\sum_i x_i`, expected events
    :math:`E = \\sum_i n_i X_i / N_i` from reference counts :math:`X_i` and populations
    :math:`N_i`, and the crude reference rate :math:`R = m \\sum_i X_i / \\sum_i N_i`:

    .. math::

        \\text{ISR} = \\frac{O}{E} R, \\qquad
        \\text{lower, upper} = \\frac{O_{L,U}}{E} R

    where :math:`O_L, O_U` are exact Poisson limits for :math:`O < 10` and Byar's from 10
    (:func:`~needs.methods.intervals.poisson_limits`; PHE *Technical Guide: Confidence
    Intervals*). A band with zero population contributes nothing to :math:`E`; a missing
    count is treated as zero (as OHID does).

    Parameters
    ----------
    data : DataFrame
        One row per group × age band.
    count : column name or None
        Observed events per band; or, with ``observed_totals``, the name of the totals column
        there (default ``"count"``).
    population : column name
        Population per band (>= 0).
    ref_count, ref_population : column name or array-like
        Reference events and population per band: columns, or vectors repeated for every
        group (each group then needs exactly that many rows, in the same order).
    by : column name(s) or None
    confidence : float or sequence of floats
    multiplier : float
        Rate per ``multiplier``.
    observed_totals : DataFrame or number, optional
        Observed totals per group (the ``by`` columns and ``count``) when band-level counts
        are not available; a number when ``by`` is None.

    Returns
    -------
    DataFrame
        ``by`` columns, ``observed``, ``expected``, ``ref_rate``, ``value``, ``lower``,
        ``upper``. Value and limits are NaN when ``expected`` is 0.
    """
    out, observed, expected, ref_rate = _isr(
        data, count, population, ref_count, ref_population, by, observed_totals
    )
    rate = ref_rate * multiplier
    result = _isr_output(out, observed, expected, rate, confidence)
    result.insert(result.columns.get_loc("expected") + 1, "ref_rate", rate)
    return result


def isr_ratio(
    data: pd.DataFrame,
    count: Hashable | None,
    population: Hashable,
    ref_count: Hashable | ArrayLike,
    ref_population: Hashable | ArrayLike,
    by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    refvalue: float = 1,
    observed_totals: pd.DataFrame | float | None = None,
) -> pd.DataFrame:
    """Indirectly standardised ratio, e.g. the SMR (PHEindicatormethods ``calculate_ISRatio``).

    .. math::

        \\text{ratio} = \\frac{O}{E} r, \\qquad
        \\text{lower, upper} = \\frac{O_{L,U}}{E} r

    with :math:`O`, :math:`E` as in :func:`isr_rate`, :math:`r` the ``refvalue`` (1, or 100
    for a ratio expressed per 100) and :math:`O_L, O_U` exact Poisson limits for :math:`O < 10`,
    Byar's from 10 (Breslow & Day 1987).

    Returns
    -------
    DataFrame
        ``by`` columns, ``observed``, ``expected``, ``value``, ``lower``, ``upper``.
    """
    out, observed, expected, _ = _isr(data, count, population, ref_count, ref_population, by, observed_totals)
    return _isr_output(out, observed, expected, np.full(len(out), float(refvalue)), confidence)

