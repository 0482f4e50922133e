"""Seeded synthetic data: pseudonymised referral records and whole national datasets.

Everything made here is **synthetic**. It is used for the embedded example
(``data/example``, built by ``data/build_example.py``), for tests, for benchmarks and by
``needs synth``. The modules:

* :mod:`needs.synth.patterns`: what the data look like (declared shares and constants);
* :mod:`needs.synth.referrals`: :func:`synthesise_referrals`, step by step, with
  :mod:`~needs.synth.network` (services and origins), :mod:`~needs.synth.households`
  (lead victims), :mod:`~needs.synth.outcomes` (outcomes and capacity),
  :mod:`~needs.synth.draws` (vectorised random draws) and :mod:`~needs.synth.encoding`
  (day numbers, category codes, :func:`finish_referrals`);
* :mod:`needs.synth.calibration`: :func:`calibrate_individuals`;
* :mod:`needs.synth.national`: :func:`national_dataset` and the reference tables
  :func:`england_areas`, :func:`csew_prevalence`, :func:`age_sex_profile`,
  :func:`england_characteristics_profile`;
* :mod:`needs.synth.folders`: :func:`write_dataset`, :func:`example_tables`,
  :func:`synthetic_dataset`.

Modules inside ``needs`` import from the defining module; this package re-exports the
public names for scripts and tests.
"""

from __future__ import annotations

from needs.synth.calibration import calibrate_individuals
from needs.synth.encoding import finish_referrals
from needs.synth.folders import example_tables, synthetic_dataset, write_dataset
from needs.synth.national import (
    GRANT_PER_HEAD,
    NATIONAL_REFERRALS_PER_YEAR,
    UNITS_PER_HOUSEHOLD,
    age_sex_profile,
    csew_prevalence,
    england_areas,
    england_characteristics_profile,
    national_dataset,
)
from needs.synth.patterns import GLA_CODE, SERVICE_CLASSES, service_class
from needs.synth.referrals import synthesise_referrals

__all__ = [
    "GLA_CODE",
    "GRANT_PER_HEAD",
    "NATIONAL_REFERRALS_PER_YEAR",
    "SERVICE_CLASSES",
    "UNITS_PER_HOUSEHOLD",
    "age_sex_profile",
    "calibrate_individuals",
    "csew_prevalence",
    "england_areas",
    "england_characteristics_profile",
    "example_tables",
    "finish_referrals",
    "national_dataset",
    "service_class",
    "synthesise_referrals",
    "synthetic_dataset",
    "write_dataset",
]
