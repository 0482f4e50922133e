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

#: Design factor (deft: the ratio of the survey's standard error to that of a simple random
#: sample of the same size) applied to a CSEW prevalence rate when no published limits exist
#: and the interval is worked from its unweighted base: half-width = z x deft x sqrt(p(1-p)/n).
#: ONS computes CSEW confidence intervals with design factors for the clustered, stratified,
#: weighted sample ("User guide to crime statistics for England and Wales", section on
#: confidence intervals and statistical significance; design factors tabulated in the CSEW
#: Technical Report, Volume One, Kantar Public / TNS BMRB). 1.2 is taken as a typical deft for
#: a self-completion prevalence measure of the order ONS reports; it is an assumption, not a
#: value read from a published domestic abuse table (none is in the project's reference data).
CSEW_DESIGN_FACTOR = 1.2

#: A group is called "reached less than expected" only when its representation ratio is at most
#: this value (observed share at least a fifth below the expected share) as well as significantly
#: below 1. The four-fifths rule (US EEOC Uniform Guidelines on Employee Selection Procedures
#: 1978, 29 CFR 1607.4D) is the usual threshold for a material shortfall of one group's share;
#: smaller shortfalls are within what the proxies behind the expected share (national CSEW
#: relative prevalence from another year or question set, Census 2021 profile) can produce.
UNDER_REACH_MAX_RATIO = 0.8

#: Expected share above which a group is a majority: its ratio mirrors the other groups' and is
#: not flagged as under-reached (the group with the larger expected share of a two-group
#: characteristic is treated the same way).
MAJORITY_EXPECTED_SHARE = 0.5

#: Replicates of the capacity bootstrap (Poisson arrivals, resampled stays) that gives units
#: needed its interval (:func:`needs.assessment.capacity.erlang_model`); seeded with DEFAULT_SEED.
CAPACITY_BOOTSTRAP_REPLICATES = 1000

#: Significance level of the loss model's consistency check: a two-sided Monte Carlo p-value
#: of the observed turn-aways and occupancy against the simulated years
#: (:func:`needs.methods.queueing.loss_model_check`; the exact binomial test of turn-aways
#: against the blocking probability only where no simulation is given).
LOSS_CHECK_ALPHA = 0.05

#: Units of a loss-model pool that opened less than this many of its longest observed stays
#: before the period are simulated from empty at their opening; older pools start in the
#: stationary state (:func:`needs.methods.queueing.simulate_loss_year`). The check at
#: LOSS_CHECK_ALPHA compares the observed turn-aways and occupancy with simulated years
#: (Monte Carlo p-values), not with the binomial test, wherever stays can be simulated.
WARMUP_LONGEST_STAYS = 2.0

#: Bootstrap of the loss model: replicates x stays (and x households arriving) per pool at
#: most this, so the work grows with the number of pools, not with the records; pools of up to
#: 50 stays and arrivals get every replicate (CAPACITY_BOOTSTRAP_REPLICATES).
BOOTSTRAP_WORK_PER_POOL = 50_000
#: ... and never fewer replicates than this (the 2.5th and 97.5th percentiles of 200 draws
#: are the 5th and 195th values; the Monte Carlo p-value's resolution is 1/200).
BOOTSTRAP_MIN_REPLICATES = 200

#: SafeLives' recommended number of MARAC cases a year: 40 per 10,000 women aged 16 and over
#: (SafeLives, "Reviewing your Marac data",
#: https://safelives.org.uk/resources-for-professionals/marac-resources/reviewing-your-marac-data/;
#: DOMAIN.md 3.4). SafeLives says its data "should not be used as an official measure of
#: high-risk domestic abuse prevalence".
SAFELIVES_MARAC_CASES_PER_10K_ADULT_WOMEN = 40
