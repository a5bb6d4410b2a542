"""Baseline assessments for the demo: reading, writing and maths for every pupil on roll."""

from __future__ import annotations

import datetime as dt
import random

from trellis.assessment.models import Assessment, Domain, Scale
from trellis.pupils import bulk
from trellis.pupils.models import SenStatus
from trellis.schools.models import AssessmentPoint

from .dates import seeded_at

FIELDS = [
    "pupil_id",
    "scale_id",
    "value",
    "domain",
    "subject",
    "assessment_point_id",
    "date",
    "recorded_by_id",
    "recorded_at",
]


def seed_baselines(
    rng: random.Random,
    pupils: list[tuple[int, str]],
    scales: dict[str, Scale],
    point: AssessmentPoint | None,
    today: dt.date,
    people: list[tuple[int | None, str]],
) -> None:
    """Baseline reading, writing and maths (standardised scores) for every pupil on roll, lower
    on average for pupils with SEN; plus a Leuven well-being baseline for pupils with SEN."""
    if point is None or point.date > today:
        return
    standardised, wellbeing = scales["standardised"], scales["leuven-wellbeing"]
    now = seeded_at(today)
    rows = []
    for pk, status in pupils:
        with_sen = status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)
        user = rng.choice(people)[0]
        for subject in ("reading", "writing", "maths"):
            score = max(55, min(145, round(rng.gauss(84 if with_sen else 101, 12))))
            rows.append((pk, standardised.pk, str(score), Domain.COGNITION, subject, point.pk, point.date, user, now))
        if with_sen:
            value = str(rng.randint(2, 4))
            rows.append((pk, wellbeing.pk, value, Domain.SEMH, "", point.pk, point.date, user, now))
    bulk.insert_rows(Assessment, FIELDS, rows)
