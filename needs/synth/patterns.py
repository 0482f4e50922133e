"""What the synthetic data look like: declared shares and constants (sources in ``shared/DOMAIN.md``).

Every figure here is a parameter of the generator (:mod:`needs.synth.referrals`): shares of
service classes, outcomes, reasons, lead victims' characteristics and needs, lengths of stay
and delays. Where a figure follows a published one, the comment says which; the rest are
synthetic. :func:`service_class` maps an accommodation type to the class the shares are
keyed by.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs.reference import categories as cat

#: Code of the Greater London Authority, the tier-one authority for London (s.57).
GLA_CODE = "E61000001"

# --------------------------------------------------------------------------------------
# National patterns (synthetic parameters; sources in shared/DOMAIN.md)
# --------------------------------------------------------------------------------------

BEDDED, SANCTUARY, COMMUNITY = "bedded", "sanctuary", "community"
SERVICE_CLASSES: tuple[str, ...] = (BEDDED, SANCTUARY, COMMUNITY)

#: Share of households referred to each class of service (synthetic).
CLASS_SHARES: dict[str, float] = {BEDDED: 0.30, SANCTUARY: 0.10, COMMUNITY: 0.60}

#: Share of referrals from outside the host tier-one area (DOMAIN.md 5: Sussex 64-85% of
#: refuge referrals; a moderate 40% is used; community services low).
OUT_OF_AREA_SHARE: dict[str, float] = {BEDDED: 0.40, SANCTUARY: 0.02, COMMUNITY: 0.05}

#: Mean length of support in days by accommodation type (synthetic; DOMAIN.md 3.3 gives no
#: absolute figure): refuge months, dispersed longer, community weeks to months, sanctuary short.
MEAN_STAY_DAYS: dict[str, float] = {
    "refuge": 180.0,
    "specialist_safe": 200.0,
    "dispersed_refuge_level": 270.0,
    "dispersed_semi_independent": 300.0,
    "second_stage": 365.0,
    "other_da_emergency": 60.0,
    "sanctuary": 30.0,
    "not_relevant": 30.0,
    "not_accommodation": 100.0,
    cat.NOT_KNOWN: 100.0,
}

#: Outcome shares before capacity is applied, by class (synthetic; declines for lack of
#: space are added by the capacity step, giving a capacity share of unable-to-support close
#: to MHCLG 2022-23's 9,820 of 24,580 and On Track's 40.6% when demand exceeds units).
OUTCOME_SHARES: dict[str, dict[str, float]] = {
    BEDDED: {
        "accepted_supported": 0.64,
        "unable_to_support": 0.12,
        "survivor_declined": 0.13,
        "withdrawn_by_referrer": 0.09,
        cat.NOT_KNOWN: 0.02,
    },
    SANCTUARY: {
        "accepted_supported": 0.76,
        "unable_to_support": 0.08,
        "survivor_declined": 0.07,
        "withdrawn_by_referrer": 0.07,
        cat.NOT_KNOWN: 0.02,
    },
    COMMUNITY: {
        "accepted_supported": 0.74,
        "unable_to_support": 0.07,
        "survivor_declined": 0.09,
        "withdrawn_by_referrer": 0.08,
        cat.NOT_KNOWN: 0.02,
    },
}

#: Reasons other than capacity for ``unable_to_support`` (synthetic, after On Track's
#: split of inappropriate referrals and survivors declining).
OTHER_DECLINE_REASONS: dict[str, float] = {
    "unable_to_meet_needs": 0.28,
    "risk_location_unsafe": 0.12,
    "nrpf_no_funding_route": 0.05,
    "inappropriate_referral_not_eligible": 0.30,
    "survivor_declined_or_disengaged": 0.14,
    "other": 0.07,
    cat.NOT_KNOWN: 0.04,
}

#: Probability that a household is referred again after each kind of non-acceptance.
REPEAT_PROBABILITY: dict[str, float] = {"capacity": 0.75, "unable": 0.25, "declined": 0.10}
REPEAT_ROUNDS = 3

#: Lead victim's sex among adults: MHCLG 2023-24 women 58%, men 3%, trans adults 1% of
#: individuals, i.e. about 94-95% of adults women.
SEX_SHARES: dict[str, float] = {"female": 0.945, "male": 0.055}

#: Age of lead victims (synthetic, skewed young; older victims under-reached against the
#: population and against CSEW prevalence).
AGE_SHARES: dict[str, float] = {
    "16-19": 0.05,
    "20-24": 0.14,
    "25-34": 0.34,
    "35-44": 0.26,
    "45-54": 0.13,
    "55-59": 0.04,
    "60-64": 0.02,
    "65-74": 0.015,
    "75+": 0.005,
}

#: Reach of each Census category relative to its population share (1 = reached in
#: proportion; synthetic, chosen so that Asian and disabled victims are under-reached and
#: black and minoritised victims are about a quarter of the national total, MHCLG 2023-24).
REACH: dict[str, dict[str, float]] = {
    "ethnic_group": {
        "asian": 0.55,
        "black": 1.5,
        "mixed": 2.0,
        "white_british": 1.0,
        "white_irish": 1.0,
        # One reach for the three groups the 8-category Census merges (drawn as one group,
        # then split: needs.synth.households.split_white_other).
        "white_gypsy_irish_traveller": 1.2,
        "white_roma": 1.2,
        "white_other": 1.2,
        "other": 1.4,
    },
    "religion": {"no_religion": 1.1, "hindu": 0.6, "sikh": 0.6, "muslim": 0.85},
    "sexual_orientation": {"bisexual": 1.8, "gay_or_lesbian": 0.9},
    "gender_identity": {"different_from_birth_sex": 3.0},
    "disability": {"disabled": 0.75},
}

#: Share of records with each characteristic ``not_known`` (recording gaps; synthetic).
NOT_KNOWN_SHARE: dict[str, float] = {
    "sex": 0.01,
    "age_band": 0.02,
    "ethnic_group": 0.03,
    "religion": 0.07,
    "sexual_orientation": 0.08,
    "gender_identity": 0.06,
    "disability": 0.05,
    "pregnant": 0.05,
    "needs": 0.04,
}

#: Additional needs: share of lead victims with each need (mental health 23%, MHCLG
#: 2023-24; others synthetic). ``large_family`` follows from ``children``.
NEED_SHARES: dict[str, float] = {
    "mental_health": 0.23,
    "substance_use": 0.09,
    "nrpf": 0.04,
    "learning_disability": 0.06,
}

#: Households with children, by class, and the Poisson mean of children beyond the first
#: (1 + Poisson(0.3) gives 1.3 children per household with children).
CHILDREN_SHARE: dict[str, float] = {BEDDED: 0.58, SANCTUARY: 0.52, COMMUNITY: 0.46}
EXTRA_CHILDREN_MEAN = 0.3
OLDER_SONS_SHARE = 0.18
PREGNANT_SHARE = 0.05

#: Households per expected victim referred per year when no volume is given (synthetic).
DEFAULT_REFERRAL_RATE = 0.02

#: End reasons by class (synthetic; sanctuary "no longer needed" 80%, MHCLG 2024-25).
END_REASON_SHARES: dict[str, dict[str, float]] = {
    BEDDED: {
        "moved_settled_social_housing": 0.32,
        "moved_settled_private_rented": 0.08,
        "moved_other_safe_accommodation": 0.12,
        "moved_temporary_accommodation": 0.12,
        "returned_to_perpetrator": 0.10,
        "evicted_or_abandoned": 0.05,
        "no_longer_needed": 0.09,
        "other": 0.05,
        cat.NOT_KNOWN: 0.07,
    },
    SANCTUARY: {
        "no_longer_needed": 0.80,
        "other": 0.08,
        "moved_settled_social_housing": 0.04,
        cat.NOT_KNOWN: 0.08,
    },
    COMMUNITY: {
        "no_longer_needed": 0.62,
        "moved_other_safe_accommodation": 0.06,
        "returned_to_perpetrator": 0.06,
        "other": 0.14,
        cat.NOT_KNOWN: 0.12,
    },
}

#: Days from referral to start of support, by class (uniform 0..max).
START_DELAY_DAYS: dict[str, int] = {BEDDED: 10, SANCTUARY: 42, COMMUNITY: 21}
#: Referrals this close to the data date are still ``pending`` with this probability.
PENDING_WINDOW_DAYS, PENDING_SHARE = 21, 0.6


def service_class(accommodation_type: pd.Series) -> np.ndarray:
    """Class of each service: ``bedded``, ``sanctuary`` or ``community``."""
    types = np.asarray(accommodation_type.astype(str))
    return np.where(
        np.isin(types, cat.BEDDED_ACCOMMODATION_TYPES),
        BEDDED,
        np.where(types == "sanctuary", SANCTUARY, COMMUNITY),
    )
