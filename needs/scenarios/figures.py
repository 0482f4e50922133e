"""The key figures of a scenario comparison, and the assumptions its sensitivity analysis moves.

:data:`FIGURES` names every figure of :func:`needs.scenarios.comparison.compare` with its label
and unit, in display order; :data:`UNCERTAIN_FIGURES` those that get Monte Carlo intervals;
:data:`SENSITIVITY_RANGES` the low and high settings of
:func:`needs.scenarios.comparison.sensitivity`. How each figure is computed is in
:mod:`needs.scenarios.model` (and, for the intervals, :mod:`needs.scenarios.comparison`).
"""

from __future__ import annotations

__all__ = ["FIGURES", "SENSITIVITY_RANGES", "UNCERTAIN_FIGURES"]

#: Key figures of a comparison, in display order: figure -> (label, unit).
FIGURES: dict[str, tuple[str, str]] = {
    "units": ("Bedded units (households at once)", "units"),
    "demand": ("Households seeking a bed a year (modelled demand)", "households"),
    "throughput": ("Households that can be supported a year (throughput)", "households"),
    "accommodated": ("Households accommodated a year (modelled)", "households"),
    "turnaways": ("Households turned away for lack of space a year (modelled)", "households"),
    "turnaway_rate": ("Share of households turned away for lack of space", "share"),
    "units_needed": ("Units needed for the target turn-away rate", "units"),
    "units_short": ("Units short of that need", "units"),
    "coe_gap": ("Gap against the Council of Europe benchmark (units)", "units"),
    "annual_cost": ("Annual cost of services", "pounds"),
    "cost_per_household": ("Accommodation cost per household accommodated", "pounds"),
    "cost_per_turnaway_avoided": ("Cost per turn-away avoided (against the baseline)", "pounds"),
    "grant": ("Safe accommodation grant", "pounds"),
    "balance": ("Grant balance after committed spend", "pounds"),
    "prob_meets_target": ("Probability turn-aways are at or below the target rate", "probability"),
}

#: Figures that depend on demand or stay, so get Monte Carlo intervals.
UNCERTAIN_FIGURES: tuple[str, ...] = (
    "demand",
    "throughput",
    "accommodated",
    "turnaways",
    "turnaway_rate",
    "units_needed",
    "units_short",
    "cost_per_household",
    "cost_per_turnaway_avoided",
)

#: Low and high settings of each assumption for
#: :func:`~needs.scenarios.comparison.sensitivity` (the tornado):
#: assumption -> (label, low, high, how the setting is applied).
#: ``prevalence`` uses the expected-victims interval (lower / value, upper / value) when the
#: data give one, else these defaults.
SENSITIVITY_RANGES: dict[str, tuple[str, float, float, str]] = {
    "prevalence": ("Prevalence (CSEW interval)", 0.9, 1.1, "demand multiplied by"),
    "demand": ("Demand (referrals) -20% / +20%", 0.8, 1.2, "demand multiplied by"),
    "length_of_stay": ("Length of stay -20% / +20%", 0.8, 1.2, "every mean stay multiplied by"),
    "occupancy": ("Occupancy -10% / +10% (at most 100%)", 0.9, 1.1, "occupancy of every type multiplied by"),
    "target_turnaway": ("Target turn-away rate 10% / 2%", 0.10, 0.02, "target turn-away rate set to"),
}
