"""Commissioning scenarios: change services, assumptions and funding; compare the key figures.

- :mod:`~needs.scenarios.spec`: the scenario file format (YAML or a ``dict``), read and checked
  by :func:`load_scenario` and :func:`load_scenarios`;
- :mod:`~needs.scenarios.model`: the :func:`baseline` of one area and period (from the
  assessment), a scenario applied to it (:func:`apply`) and its key figures (:func:`evaluate`:
  Erlang loss model, Little's law);
- :mod:`~needs.scenarios.comparison`: :func:`compare` scenarios with the baseline, with Monte
  Carlo intervals, and their :func:`sensitivity` to one assumption at a time (a tornado);
- :mod:`~needs.scenarios.figures`: the key figures, their labels and units, and the
  sensitivity ranges;
- :mod:`~needs.scenarios.display`: :func:`display_table`, the one comparison table people see
  (CLI, notebooks, report), its text layout and a wide table;
- :mod:`~needs.scenarios.charts`: accessible charts (imported on its own: it needs matplotlib).

The public functions and classes are re-exported here, e.g. ``needs.scenarios.compare``.
"""

from needs.scenarios.comparison import STAY_CV, compare, sensitivity
from needs.scenarios.display import CHANGES, display_table, format_table, format_value, to_wide
from needs.scenarios.figures import (
    CHANGES_LABEL,
    DEFINITIONS,
    FIGURES,
    MIN_AVOIDED,
    NOT_MEANINGFUL,
    SENSITIVITY_RANGES,
    UNCERTAIN_FIGURES,
)
from needs.scenarios.model import Applied, Baseline, apply, baseline, evaluate, occupancy_note
from needs.scenarios.spec import (
    BASELINE_NAME,
    Assumptions,
    FundingChanges,
    NewService,
    Resize,
    Scenario,
    ServiceChanges,
    load_scenario,
    load_scenarios,
)

__all__ = [
    "BASELINE_NAME",
    "CHANGES",
    "CHANGES_LABEL",
    "DEFINITIONS",
    "FIGURES",
    "MIN_AVOIDED",
    "NOT_MEANINGFUL",
    "SENSITIVITY_RANGES",
    "STAY_CV",
    "UNCERTAIN_FIGURES",
    "Applied",
    "Assumptions",
    "Baseline",
    "FundingChanges",
    "NewService",
    "Resize",
    "Scenario",
    "ServiceChanges",
    "apply",
    "baseline",
    "compare",
    "display_table",
    "evaluate",
    "format_table",
    "format_value",
    "load_scenario",
    "load_scenarios",
    "occupancy_note",
    "sensitivity",
    "to_wide",
]
