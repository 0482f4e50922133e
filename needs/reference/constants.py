"""Thresholds, benchmarks and defaults: each defined once, with its source."""

from __future__ import annotations

#: Counts from 1 to this value minus one are suppressed in published tables (shown [c]).
DEFAULT_SUPPRESS_BELOW = 5

#: OHID's two standard confidence levels (PHEindicatormethods).
DEFAULT_CONFIDENCE = 0.95
OHID_CONFIDENCE_LEVELS: tuple[float, ...] = (0.95, 0.998)

#: Council of Europe minimum standard: one family place per 10,000 population
#: (Kelly & Dubois 2008, "Combating violence against women: minimum standards for support
#: services"; DOMAIN.md 3.1).
COE_POPULATION_PER_FAMILY_PLACE = 10_000

#: Default target share of households turned away for lack of space when sizing capacity.
DEFAULT_TARGET_TURNAWAY = 0.05

#: Default occupancy assumed when converting units to annual throughput.
DEFAULT_TARGET_OCCUPANCY = 0.9

#: Minimum expected count per category for the chi-square goodness-of-fit test
#: (Cochran's rule: no expected count below 5).
MIN_EXPECTED_COUNT_FOR_GOF = 5

#: Seed of every random draw unless one is given (Monte Carlo intervals, synthetic data):
#: the date Part 4 of the Domestic Abuse Act 2021 came into force.
DEFAULT_SEED = 20211001

#: Days in the year used to turn lengths of stay into annual throughput.
DAYS_PER_YEAR = 365.25

#: ONS symbols for published tables (ONS "Symbols, suppressed and rounded data" guidance).
SYMBOL_CONFIDENTIAL = "[c]"  # suppressed to protect confidentiality
SYMBOL_NOT_AVAILABLE = "[x]"  # not available
SYMBOL_NOT_APPLICABLE = "[z]"  # not applicable
