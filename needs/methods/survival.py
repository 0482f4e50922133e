"""Length of stay with censoring: the Kaplan–Meier restricted mean.

A stay still open at the end of the period is **censored**: all we know is that it lasted at
least until then. Cutting it at the period end and averaging (the "censored mean") treats
that lower bound as the stay and biases the mean down; dropping open stays keeps only the
short ones that have ended and biases it further down. The Kaplan–Meier estimator (Kaplan &
Meier 1958, *JASA* 53:457-481) uses each open stay for as long as it was observed:

.. math:: \\hat S(t) = \\prod_{t_j \\le t} \\Big(1 - \\frac{d_j}{n_j}\\Big),

where :math:`t_j` are the distinct lengths at which stays ended, :math:`d_j` the stays ending
at :math:`t_j` and :math:`n_j` the stays **at risk** at :math:`t_j`: observed at that length
and not yet ended. A stay that began before the period is only observed from the length it
had reached when the period began (its **entry**, delayed entry or left truncation): it is at
risk at :math:`t` when ``entry < t <= time`` (Klein JP & Moeschberger ML 2003, *Survival
Analysis: Techniques for Censored and Truncated Data*, 2nd ed., Springer, sections 4.2 and
4.6). Keeping such a stay from length 0 instead would over-represent long stays (those that
began long ago are only in the data because they lasted).

The **restricted mean** to a horizon :math:`\\tau` is the area under the curve,

.. math:: \\mathrm{RMST}(\\tau) = \\int_0^{\\tau} \\hat S(t)\\,dt
          = \\sum_{j:\\,t_j \\le \\tau} \\hat S(t_{j-1})\\,(t_j - t_{j-1}) + \\hat S(t_{(k)})\\,(\\tau - t_{(k)})

with :math:`t_0 = 0`, :math:`\\hat S(t_0) = 1` and :math:`t_{(k)}` the last event time at or
before :math:`\\tau` (Klein & Moeschberger 2003, section 4.5; Royston P & Parmar MKB 2013,
"Restricted mean survival time: an alternative to the hazard ratio for the design and
analysis of randomized trials with a time-to-event outcome", *BMC Medical Research
Methodology* 13:152). When the longest stay has ended, :math:`\\hat S` reaches 0 there and the
restricted mean to that horizon is the Kaplan–Meier mean; when it is open, the mean beyond
it is not estimable and the restricted mean is a lower bound on the mean stay.

Functions
---------
restricted_mean_stay
    Restricted mean, stays, ended and censored stays per group, all groups at once.
stay_distribution
    The distribution of stay the restricted mean is the mean of (for simulation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["restricted_mean_stay", "stay_distribution"]


def _kaplan_meier(
    frame: pd.DataFrame,
    keys: Sequence[str],
    *,
    time: str,
    event: str,
    entry: str | None,
    horizon: float | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The Kaplan–Meier steps of every group at once: ``labels`` (one row per group), then per
    distinct event time the group ``g``, time ``tj`` and :math:`\\hat S(t_j)`, then per group the
    horizon ``tau``, the earliest entry, the stays and the ended stays."""
    keys = list(keys)
    data = frame[[*keys, time, event] + ([entry] if entry else [])].copy()
    t = data[time].to_numpy(dtype=float)
    e = data[event].to_numpy(dtype=bool)
    start = data[entry].to_numpy(dtype=float) if entry else np.zeros(len(data))
    if np.any(t <= 0) or np.any(np.isnan(t)):
        raise ValueError(f"{time}: stays must last more than 0 days")
    if np.any((start < 0) | (start >= t)):
        raise ValueError(f"{entry}: entry must be at least 0 and below {time}")
    if keys:
        group = data.groupby(keys, observed=True, sort=True).ngroup().to_numpy()
        labels = data.groupby(keys, observed=True, sort=True).size().reset_index()[keys]
    else:
        group = np.zeros(len(data), dtype=np.int64)
        labels = pd.DataFrame(index=[0])
    n_groups = len(labels)
    stays = np.bincount(group, minlength=n_groups)
    ended = np.bincount(group, weights=e, minlength=n_groups).astype(np.int64)
    longest = pd.Series(t).groupby(group).max().reindex(range(n_groups)).to_numpy()
    tau = np.full(n_groups, float(horizon)) if horizon is not None else longest

    # Group-wise sorted keys: group g's values live in [g * span, (g + 1) * span).
    span = float(max(t.max(initial=0.0), tau.max(initial=0.0))) + 1.0
    time_key = np.sort(group * span + t)
    entry_key = np.sort(group * span + start)
    # Distinct event times per group, with the deaths at each.
    events = pd.DataFrame({"g": group[e], "t": t[e]}).groupby(["g", "t"]).size().rename("d").reset_index()
    g, tj, d = events["g"].to_numpy(), events["t"].to_numpy(dtype=float), events["d"].to_numpy(dtype=float)
    key = g * span + tj
    # At risk at t_j: time >= t_j and entry < t_j (within the group).
    end_of_group = (g + 1) * span
    time_ge = np.searchsorted(time_key, end_of_group, "left") - np.searchsorted(time_key, key, "left")
    entry_ge = np.searchsorted(entry_key, end_of_group, "left") - np.searchsorted(entry_key, key, "left")
    at_risk = (time_ge - entry_ge).astype(float)
    factor = 1.0 - d / at_risk
    survival = pd.Series(factor).groupby(g).cumprod().to_numpy()
    earliest_entry = pd.Series(start).groupby(group).min().reindex(range(n_groups)).to_numpy()
    return labels, g, tj, survival, tau, earliest_entry, stays, ended


def restricted_mean_stay(
    frame: pd.DataFrame,
    keys: Sequence[str] = (),
    *,
    time: str = "time",
    event: str = "event",
    entry: str | None = None,
    horizon: float | None = None,
) -> pd.DataFrame:
    """Kaplan–Meier restricted mean length of stay per group (vectorised over groups).

    Parameters
    ----------
    frame
        One row per stay: ``time`` (length observed, in days, > 0), ``event`` (True when the
        stay ended at ``time``; False when it was still open, censored) and, optionally,
        ``entry`` (the length the stay had when observation began, ``0 <= entry < time``;
        0 for a stay that began in the period).
    keys
        Group columns; one row per group is returned.
    horizon
        :math:`\\tau` in days. ``None`` (default): each group's longest observed ``time``
        (ended or open), so the restricted mean is the Kaplan–Meier mean when that stay
        ended.

    Returns
    -------
    pandas.DataFrame
        ``keys`` plus ``stays``, ``ended``, ``censored``, ``horizon_days`` and
        ``restricted_mean_days`` (:math:`\\int_0^\\tau \\hat S(t)\\,dt`; NaN for a group with
        no stay at risk before :math:`\\tau`).

    Examples
    --------
    Stays of 2, 4+, 5, 7+ and 9 days (``+`` open): :math:`\\hat S` = 4/5 after day 2,
    (4/5)(2/3) = 8/15 after day 5 and 0 after day 9, so RMST(9) = 2 + 3(4/5) + 4(8/15) = 6.53.
    """
    labels, g, tj, survival, tau, earliest_entry, stays, ended = _kaplan_meier(
        frame, keys, time=time, event=event, entry=entry, horizon=horizon
    )
    n_groups = len(labels)
    # Area under the step function to tau: S before each event time x the step length.
    within = tj <= tau[g]
    g, tj, survival = g[within], tj[within], survival[within]
    previous_t = pd.Series(tj).groupby(g).shift(1, fill_value=0.0).to_numpy()
    previous_s = pd.Series(survival).groupby(g).shift(1, fill_value=1.0).to_numpy()
    area = np.bincount(g, weights=previous_s * (tj - previous_t), minlength=n_groups)
    last_t = np.zeros(n_groups)
    last_s = np.ones(n_groups)
    if len(g):
        last = np.r_[g[1:] != g[:-1], True]
        last_t[g[last]] = tj[last]
        last_s[g[last]] = survival[last]
    area = area + last_s * np.clip(tau - last_t, 0, None)
    # A group with nobody at risk before tau (every stay entering at or after it) has no estimate.
    area = np.where(earliest_entry < tau, area, np.nan)
    result = labels.copy()
    result["stays"] = stays.astype(np.int64)
    result["ended"] = ended
    result["censored"] = (stays - ended).astype(np.int64)
    result["horizon_days"] = tau
    result["restricted_mean_days"] = area
    return result


def stay_distribution(
    frame: pd.DataFrame,
    keys: Sequence[str] = (),
    *,
    time: str = "time",
    event: str = "event",
    entry: str | None = None,
) -> pd.DataFrame:
    """The Kaplan–Meier distribution of stay per group, whose mean is the restricted mean.

    Mass :math:`\\hat S(t_{j-1}) - \\hat S(t_j)` at each distinct length :math:`t_j` at which
    stays ended, and the mass left, :math:`\\hat S(t_{(k)})`, at the horizon :math:`\\tau`, the
    group's longest observed stay (ended or open): the stays still open beyond the last ended
    one are taken to end there. Its mean is :math:`\\mathrm{RMST}(\\tau)` of
    :func:`restricted_mean_stay` (same censoring and delayed entry), so a simulation drawing
    stays from it has the mean stay the loss model uses.

    Returns
    -------
    pandas.DataFrame
        ``keys``, ``stay_days`` and ``probability`` (summing to 1 within each group), sorted
        by group then length. Groups with no stay at risk before the horizon are left out.
    """
    keys = list(keys)
    labels, g, tj, survival, tau, earliest_entry, _, _ = _kaplan_meier(
        frame, keys, time=time, event=event, entry=entry, horizon=None
    )
    previous = pd.Series(survival).groupby(g).shift(1, fill_value=1.0).to_numpy()
    steps = pd.DataFrame({"_g": g, "stay_days": tj, "probability": previous - survival})
    last_s = pd.Series(survival).groupby(g).last().reindex(range(len(labels))).fillna(1.0).to_numpy()
    tail = pd.DataFrame({"_g": np.arange(len(labels)), "stay_days": tau, "probability": last_s})
    out = pd.concat([steps, tail], ignore_index=True)
    out = out[(out["probability"] > 1e-15) & (earliest_entry[out["_g"].to_numpy()] < tau[out["_g"].to_numpy()])]
    out = out.groupby(["_g", "stay_days"], as_index=False)["probability"].sum()
    result = labels.iloc[out["_g"].to_numpy()].reset_index(drop=True)
    result["stay_days"] = out["stay_days"].to_numpy()
    result["probability"] = out["probability"].to_numpy()
    return result if keys else result[["stay_days", "probability"]]
