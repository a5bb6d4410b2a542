"""Demo suspensions: a believable few for one school. About one register pupil in thirty has been
suspended this academic year, most of them pupils whose primary need is SEMH, each once or twice for
half a day to three days; no permanent exclusions (rare, and rarer still in a primary school).
Written in bulk, as the other stages are, without per-row audit events."""

from __future__ import annotations

import datetime as dt
import random

from trellis.accounts.models import Membership, Role
from trellis.evidence.exclusions import STARTING_REASONS
from trellis.evidence.models import Exclusion
from trellis.pupils.models import Pupil, SenStatus
from trellis.schools.models import School

from .dates import random_day, seeded_at, term_day

PUPILS_PER_SUSPENDED = 30
# Persistent disruption is the reason given most often; physical harm and threats next.
REASON_WEIGHTS = [3, 2, 1, 2, 1, 1, 6, 1]


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    year = school.current_academic_year(today)
    senco = Membership.objects.filter(school=school, role=Role.SENCO).values_list("user_id", flat=True).first()
    register = list(
        Pupil.objects.filter(school=school, sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .on_roll(today)
        .order_by("pk")
        .values_list("pk", "primary_need_id")
    )
    if year is None or not register or today <= year.starts_on:
        return
    semh = [pk for pk, need in register if need == "SEMH"]
    others = [pk for pk, need in register if need != "SEMH"]
    wanted = max(1, round(len(register) / PUPILS_PER_SUSPENDED))
    chosen = rng.sample(semh, min(len(semh), wanted - wanted // 3))
    chosen += rng.sample(others, min(len(others), wanted - len(chosen)))
    now = seeded_at(today)
    rows = []
    for pk in chosen:
        for _ in range(rng.choice([1, 1, 2])):
            day = term_day(random_day(rng, year.starts_on, today - dt.timedelta(days=1)))
            rows.append(
                Exclusion(
                    pupil_id=pk,
                    kind=Exclusion.Kind.SUSPENSION,
                    starts_on=max(day, year.starts_on),
                    sessions=rng.choice([1, 2, 2, 2, 3, 4, 6]),
                    reason=rng.choices(STARTING_REASONS, weights=REASON_WEIGHTS)[0],
                    recorded_by_id=senco,
                    recorded_at=now,
                )
            )
    Exclusion.objects.bulk_create(rows)
