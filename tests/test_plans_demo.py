"""The plans demo data: believable, every status present, written in bulk."""

import datetime as dt
import io
import itertools
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trellis.assessment.models import Assessment
from trellis.assessment.scales import scales_by_id
from trellis.demo import plans as demo
from trellis.lib.upn import make_upn
from trellis.plans import services
from trellis.plans.models import Plan, Review, Target
from trellis.plans.progress import Status, current_window, status_now
from trellis.pupils import services as pupil_services
from trellis.pupils.models import GroupMembership, Pupil

pytestmark = pytest.mark.dates


def test_demo_fills_plans_targets_reviews_and_assessments_with_every_status(world):
    today = timezone.localdate()
    start = today - dt.timedelta(days=400)  # on the register for over a year: a year of reviews to show
    for n in range(60):
        pupil = Pupil.objects.create(
            school=world.school_a,
            upn=make_upn("801", "2001", 21, n),
            legal_surname=f"Demo{n}",
            legal_forename="Alex",
            date_of_birth=today.replace(year=today.year - 9, day=1),
            sex="F",
            nc_year=4,
        )
        GroupMembership.objects.create(pupil=pupil, group=world.class_4b)
        pupil_services.set_sen_status(pupil=pupil, status="E" if n % 5 == 0 else "K", starts_on=start, by=None)
    with CaptureQueriesContext(connection) as seeded:
        demo.seed_school(school=world.school_a, rng=random.Random(4), today=today)
    # Written in bulk: 23 queries on SQLite for these 60 pupils, hundreds of plans, targets and reviews.
    assert len(seeded) <= 30

    assert set(Plan.objects.values_list("kind", flat=True)) == set(Plan.Kind.values)
    assert set(Plan.objects.values_list("state", flat=True)) == set(Plan.State.values)
    sen_pupils = world.school_a.pupils.filter(sen_status__in=["K", "E"])
    assert Target.objects.filter(pupil__in=sen_pupils).values("pupil").distinct().count() == sen_pupils.count()
    assert Review.objects.count() > 3 * Target.objects.count()
    assert Target.objects.values("scale").distinct().count() >= 6
    window = current_window(world.school_a, today)
    targets = services.with_progress(Target.objects.current(), window=window, school=world.school_a.pk)
    statuses = {t.progress.status for t in targets}
    assert statuses == set(Status)
    assert any(t.progress.stuck for t in targets)
    # The summary fields the dashboards aggregate say what the full rule says, target by target.
    for target in targets:
        summary = status_now(target.last_status, target.last_reviewed_on, window)
        assert (summary, target.stuck) == (target.progress.status, target.progress.stuck), target.pk
    # Baseline assessments for everyone on roll once the baseline point has passed (30 September by
    # default), none before: nothing is dated after today.
    baseline = world.school_a.academic_years.get().assessment_points.get(is_baseline=True)
    readings = Assessment.objects.filter(assessment_point=baseline, subject="reading")
    assert readings.count() >= 60 if baseline.date <= today else not readings.exists()
    for target in targets[:50]:  # every demo value is on its scale
        for review in target.review_list:
            assert review.value in {s.value for s in target.scale.ordered_steps} or not target.scale.is_ordered


def test_seed_gives_pupils_earlier_years_of_closed_reviewed_targets_summarised_by_the_rule(db):
    call_command("seed_demo", "--schools", "2", "--pupils-per-school", "120", "--seed", "3", stdout=io.StringIO())
    archived = Plan.objects.filter(state=Plan.State.ARCHIVED)
    history = list(
        Target.objects.filter(plan__state=Plan.State.ARCHIVED)
        .select_related("plan", "pupil__school", "rolled_over_from")
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.order_by("date", "pk")))
    )
    assert archived.filter(targets__isnull=False).values("pupil").distinct().count() >= 10
    assert all(t.closed_on is not None and t.reviews.all() for t in history)
    assert {t.last_status for t in history} >= {Status.ACHIEVED, Status.AT_RISK, Status.OFF_TRACK}
    assert any(t.rolled_over_from_id for t in history) and any(t.stuck for t in history)
    for target in history:
        reviews = list(target.reviews.all())
        assert target.starts_on < reviews[0].date and reviews[-1].date <= target.closed_on <= target.plan.review_on
        assert all(r.date.weekday() < 5 and r.date.month != 8 for r in reviews)  # term time
        assert all(a.date < b.date for a, b in itertools.pairwise(reviews))
    # What refresh_summary (run after every recorded review) would keep is what the seed wrote.
    scales = scales_by_id(None)
    for target in history:
        kept = [(r.status, r.gain) for r in target.reviews.all()]
        summary = (target.last_reviewed_on, target.last_status, target.last_gain, target.stuck)
        target.scale = scales[target.scale_id]
        if target.rolled_over_from is not None:
            target.rolled_over_from.scale = scales[target.rolled_over_from.scale_id]
        services.refresh_summary(target)
        assert (target.last_reviewed_on, target.last_status, target.last_gain, target.stuck) == summary, target.pk
        assert list(target.reviews.order_by("date", "pk").values_list("status", "gain")) == kept, target.pk
        for review in target.reviews.all():  # every value is on the target's scale
            assert not target.scale.is_ordered or review.value in {s.value for s in target.scale.ordered_steps}
