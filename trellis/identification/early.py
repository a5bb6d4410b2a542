"""Early identification: pupils who may need a look before anyone has raised a concern.

A pupil is listed when they have no SEN status (N; monitoring counts as a status), no open
concern, and their latest assessment in reading, writing or maths is below age-related
expectations. "Below" is judged on the assessment's own scale:

- standardised score: under 85, more than one standard deviation below the mean of 100;
- reading or spelling age: more than 12 months below the pupil's age on the assessment date;
- developmental scale: emerging;
- pre-key stage standards and P scales: any value, since the pupil is working below the
  national curriculum.

Other scales (percent, counts, Leuven...) say nothing about age-related expectations and are
not used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet

from trellis.assessment.models import Assessment
from trellis.pupils.models import Pupil, SenStatus

from .models import Concern

SUBJECTS = ("reading", "writing", "maths")


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def _age_in_months(pupil: Pupil, on: dt.date) -> int:
    months = (on.year - pupil.date_of_birth.year) * 12 + on.month - pupil.date_of_birth.month
    return months - (on.day < pupil.date_of_birth.day)


def _below_standardised(assessment: Assessment, pupil: Pupil) -> bool:
    score = _number(assessment.value)
    return score is not None and score < 85


def _below_age(assessment: Assessment, pupil: Pupil) -> bool:
    months = _number(assessment.value)
    return months is not None and months < _age_in_months(pupil, assessment.date) - 12


BELOW_EXPECTATIONS: dict[str, Callable[[Assessment, Pupil], bool]] = {
    "standardised": _below_standardised,
    "reading-age": _below_age,
    "spelling-age": _below_age,
    "edsm": lambda assessment, pupil: assessment.value.lower() == "emerging",
    "pks": lambda assessment, pupil: True,
    "p-scales": lambda assessment, pupil: True,
}


@dataclass
class Candidate:
    pupil: Pupil
    below: list[Assessment]  # the latest assessments below expectations, one per subject


def early_identification(pupils: QuerySet[Pupil]) -> list[Candidate]:
    """Pupils (from `pupils`, already limited to who may see them) to look at, in name order."""
    candidates = (
        pupils.filter(sen_status=SenStatus.NONE)
        .exclude(pk__in=Concern.objects.open().values("pupil_id"))
        .filter(assessments__subject__in=SUBJECTS, assessments__scale__code__in=BELOW_EXPECTATIONS)
        .distinct()
    )
    latest: dict[tuple[int, str], Assessment] = {}
    assessments = (
        Assessment.objects.filter(pupil__in=candidates.values("pk"), subject__in=SUBJECTS)
        .filter(scale__code__in=BELOW_EXPECTATIONS)
        .select_related("scale")
        .order_by("date", "pk")
    )
    for assessment in assessments:
        latest[(assessment.pupil_id, assessment.subject)] = assessment  # later dates overwrite earlier
    by_pupil = {pupil.pk: pupil for pupil in candidates.order_by("legal_surname", "legal_forename", "pk")}
    found: dict[int, Candidate] = {}
    for (pupil_id, _), assessment in sorted(latest.items(), key=lambda item: SUBJECTS.index(item[0][1])):
        pupil = by_pupil[pupil_id]
        if BELOW_EXPECTATIONS[assessment.scale.code](assessment, pupil):
            found.setdefault(pupil_id, Candidate(pupil, [])).below.append(assessment)
    return [found[pk] for pk in by_pupil if pk in found]


def early_identification_rule() -> str:
    """The rule in plain words, for the page (taken from this module's docstring)."""
    return __doc__.split("\n\n", 1)[1].strip()
