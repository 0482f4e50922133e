"""Groups of households defined by their children and the lead victim's age: one definition
each, read by the assessment (:mod:`needs.assessment.children`) and the annual return
(:mod:`needs.outputs.annual_return`).

* **Large family**: the household's ``need_large_family`` flag is ``yes`` or it has at least
  :data:`LARGE_FAMILY_CHILDREN` children recorded (a specialist characteristic of the MHCLG
  return, ``shared/DOMAIN.md`` section 2.3 and the ``large_family`` need of section 6).
* **Young victim**: a lead victim whose CSEW age band lies wholly at or under
  :data:`YOUNG_AGE` (16-19 and 20-24): the ``young_person_16_24`` characteristic of the
  MHCLG return (``shared/DOMAIN.md`` sections 2.3 and 6).
"""

from __future__ import annotations

from needs.reference import categories as cat

__all__ = ["LARGE_FAMILY_CHILDREN", "YOUNG_AGE", "YOUNG_AGE_BANDS", "YOUNG_LABEL"]

#: Households with at least this many children are large families (the
#: ``need_large_family`` flag counts too).
LARGE_FAMILY_CHILDREN = 3

#: Lead victims in bands wholly at or under this age are "young" (16-19 and 20-24).
YOUNG_AGE = 24

#: The age bands of young victims (bands whose upper limit is at most :data:`YOUNG_AGE`).
YOUNG_AGE_BANDS: tuple[str, ...] = tuple(
    band for band, (_, high) in cat.AGE_BAND_LIMITS.items() if high is not None and high <= YOUNG_AGE
)

#: Code of the young victims' age group (the bands of :data:`YOUNG_AGE_BANDS` together).
YOUNG_LABEL = f"{cat.ADULT_AGE}-{YOUNG_AGE}"
