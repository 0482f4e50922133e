"""The key figures of a scenario comparison, and the assumptions its sensitivity analysis moves.

:data:`FIGURES` names every figure of :func:`needs.scenarios.comparison.compare` with its label
and unit, in display order; :data:`DEFINITIONS` says in one sentence how each is computed (the
formulas are in :mod:`needs.scenarios.model`, the intervals in :mod:`needs.scenarios.comparison`);
:data:`UNCERTAIN_FIGURES` are those that get Monte Carlo intervals; :data:`SENSITIVITY_RANGES`
the low and high settings of :func:`needs.scenarios.comparison.sensitivity`.

Each figure is defined once:

* **throughput** is what the units support at the occupancy observed (Little's law,
  ``units x 365.25 x occupancy / mean stay``, as the report's throughput table); **households
  accommodated** is what the Erlang loss model carries, which re-lets a unit the moment it is
  free. The two differ when the observed occupancy is not the loss model's; the comparison's
  note on ``accommodated`` says by how much and why (:func:`needs.scenarios.model.occupancy_note`);
* **committed spend** is the baseline's one cost figure: the spend committed in the period, as
  the report's funding table (``committed_total`` of
  :func:`needs.assessment.funding.funding_summary`); a service a scenario adds commits its full
  annual cost;
* the cost of a unit a scenario adds is the one it states, else the report's gap-table cost per
  unit (:func:`needs.assessment.capacity.gap_table` ``cost_per_unit``);
* **cost per turn-away avoided** is *not meaningful* when fewer than
  :data:`MIN_AVOIDED` turn-aways a year are avoided (or, with Monte Carlo draws, at the lower
  end of their interval): a ratio over a near-zero denominator is noise;
* the **probability the target is met** is the share of Monte Carlo draws meeting it, and is
  not in the table without draws.
"""

from __future__ import annotations

__all__ = [
    "CHANGES_LABEL",
    "DEFINITIONS",
    "FIGURES",
    "MIN_AVOIDED",
    "NOT_MEANINGFUL",
    "SENSITIVITY_RANGES",
    "UNCERTAIN_FIGURES",
]

#: Key figures of a comparison, in display order: figure -> (label, unit).
FIGURES: dict[str, tuple[str, str]] = {
    "units": ("Bedded units, in place and added (households at once)", "units"),
    "demand": ("Households seeking a bed a year (modelled demand)", "households"),
    "throughput": ("Households supported a year at the observed occupancy (throughput)", "households"),
    "accommodated": ("Households accommodated a year in the loss model", "households"),
    "turnaways": ("Households turned away for lack of space a year (loss model)", "households"),
    "turnaway_rate": ("Share of households turned away for lack of space (loss model)", "share"),
    "units_needed": ("Units needed for the target turn-away rate", "units"),
    "units_short": ("Units short of that need", "units"),
    "coe_gap": ("Gap against the Council of Europe benchmark (units)", "units"),
    "committed_spend": ("Spend committed in the period (as the funding table)", "pounds"),
    "cost_per_household": ("Accommodation spend per household accommodated (loss model)", "pounds"),
    "cost_per_turnaway_avoided": ("Cost per turn-away avoided (against the baseline)", "pounds"),
    "grant": ("Safe accommodation grant", "pounds"),
    "balance": ("Grant balance after committed spend", "pounds"),
    "prob_meets_target": ("Probability turn-aways are at or below the target rate", "probability"),
}

#: How each figure is computed, one sentence each (the report's and the CLI's definitions).
DEFINITIONS: dict[str, str] = {
    "units": "units of bedded services in place, plus those a scenario adds (planned services are a pipeline)",
    "demand": "households accepted or turned away for lack of space in the period, scaled by the scenario",
    "throughput": "units x 365.25 x occupancy / mean stay (Little's law), at the observed occupancy "
    "unless the scenario sets one",
    "accommodated": "households seeking a bed less those the Erlang loss model turns away; "
    "the model re-lets a unit as soon as it is free",
    "turnaways": "households seeking a bed x Erlang B(units, offered load)",
    "turnaway_rate": "turned away / households seeking a bed",
    "units_needed": "least units with Erlang B at or below the target turn-away rate, by type",
    "units_short": "units needed less units in place, by type (a surplus of one type houses no one of another)",
    "coe_gap": "population / 10,000 less the units of the benchmark's types",
    "committed_spend": "spend committed in the period by all services, as the funding table; "
    "an added service commits its full annual cost",
    "cost_per_household": "committed spend of bedded services / households accommodated (loss model)",
    "cost_per_turnaway_avoided": "change in committed spend / turn-aways avoided against the baseline",
    "grant": "grant x (1 + grant change) + grant change in pounds",
    "balance": "grant less the committed spend of grant-funded services",
    "prob_meets_target": "share of Monte Carlo draws in which the share turned away is at or below the target",
}

#: Label of the row that says what each scenario changes.
CHANGES_LABEL = "What changes"

#: Fewest turn-aways a year avoided for a cost per turn-away avoided to be meaningful.
MIN_AVOIDED = 1.0

#: Status of a figure whose value is not meaningful (its note gives the reason).
NOT_MEANINGFUL = "not meaningful"

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
