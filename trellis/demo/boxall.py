"""Demo Boxall Profiles: up to three pupils whose primary need is SEMH, each profiled last term and
this term, and the school's competent ranges as its SENCO would enter them.

The ranges below are made-up demo values (Trellis ships none: a school copies its own from its Boxall
handbook). Scores are synthetic: developmental strands rise a little between the terms and the
diagnostic profile falls, as a nurture group hopes. Written in bulk without per-row audit events."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from trellis.accounts.models import Membership, Role
from trellis.assessment.boxall import cluster_scales
from trellis.assessment.models import Assessment, BoxallCluster, CompetentRange, Domain
from trellis.pupils.models import Pupil
from trellis.schools.models import School

from .dates import seeded_at

DEMO_RANGES = {  # illustrative only, not the published competent ranges
    BoxallCluster.ORGANISATION: (40, 60),
    BoxallCluster.INTERNALISATION: (35, 55),
    BoxallCluster.SELF_LIMITING: (0, 8),
    BoxallCluster.UNDEVELOPED: (0, 10),
    BoxallCluster.UNSUPPORTED: (0, 12),
}
DEVELOPMENTAL = {BoxallCluster.ORGANISATION, BoxallCluster.INTERNALISATION}


def _profile_days(school: School, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Three weeks into last term and into this term (or today, if this term is younger). In the
    autumn, last term is the summer term before: ten weeks before the year starts is late June."""
    year = school.current_academic_year(today)
    current = year.half_term_on(today) if year else None
    if current is None:
        return None
    starts = {h.term: h.starts_on for h in year.half_terms.all() if h.number % 2 == 1}
    three_weeks = dt.timedelta(weeks=3)
    earlier = starts[current.term - 1] + three_weeks if current.term > 1 else year.starts_on - dt.timedelta(weeks=10)
    return earlier, min(starts[current.term] + three_weeks, today)


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    days = _profile_days(school, today)
    senco = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first()
    pupils = list(Pupil.objects.filter(school=school, primary_need_id="SEMH").on_roll(today).order_by("pk")[:3])
    if days is None or senco is None or not pupils:
        return
    scales = cluster_scales()
    CompetentRange.objects.bulk_create(
        CompetentRange(school=school, scale=scales[c], low=Decimal(low), high=Decimal(high), updated_by=senco.user)
        for c, (low, high) in DEMO_RANGES.items()
    )
    now = seeded_at(today)
    rows = []
    for pupil in pupils:
        for cluster, (low, high) in DEMO_RANGES.items():
            if cluster in DEVELOPMENTAL:
                first = rng.randint(low - 20, low + 2)
                second = min(136, first + rng.randint(0, 9))
            else:
                first = rng.randint(high, high + 15)
                second = max(0, first - rng.randint(0, 7))
            for day, score in zip(days, (first, second), strict=True):
                rows.append(
                    Assessment(
                        pupil=pupil,
                        scale=scales[cluster],
                        value=str(score),
                        domain=Domain.SEMH,
                        date=day,
                        recorded_by=senco.user,
                        recorded_at=now,
                    )
                )
    Assessment.objects.bulk_create(rows)
