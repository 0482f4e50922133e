"""Assessment: the calculations of the needs assessment, for every tier-one area at once.

``counting`` (the counting rules and the referral context), ``population`` (expected victims),
``representation`` (demand by protected characteristic), ``referrals`` (outcomes, declines,
unmet need, cross-border flows), ``capacity`` (provision, benchmark, throughput, the loss
model, gaps), ``funding``, ``trends``, ``findings`` (plain-English sentences) and ``assemble``
(:func:`~needs.assessment.assemble.assess_all` and ``assess``, which put the parts together).
"""
