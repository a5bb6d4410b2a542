"""The plans demo data: believable, every status present, quick."""

import random
import time

from django.utils import timezone

from trellis.assessment.models import Assessment
from trellis.lib.upn import make_upn
from trellis.plans import demo, services
from trellis.plans.models import Plan, Review, Target
from trellis.plans.progress import Status, current_window, status_now
from trellis.pupils import services as pupil_services
from trellis.pupils.models import GroupMembership, Pupil


def test_demo_fills_plans_targets_reviews_and_assessments_with_every_status(world):
    today = timezone.localdate()
    start = today.replace(day=1)
    for n in range(60):
        pupil = Pupil.objects.create(
            school=world.school_a, upn=make_upn("801", "2001", 21, n), legal_surname=f"Demo{n}", legal_forename="Alex",
            date_of_birth=today.replace(year=today.year - 9, day=1), sex="F", nc_year=4,
        )  # fmt: skip
        GroupMembership.objects.create(pupil=pupil, group=world.class_4b)
        pupil_services.set_sen_status(pupil=pupil, status="E" if n % 5 == 0 else "K", starts_on=start, by=None)
    began = time.monotonic()
    demo.seed_school(school=world.school_a, rng=random.Random(4), today=today)
    assert time.monotonic() - began < 10

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
    assert Assessment.objects.filter(assessment_point__is_baseline=True, subject="reading").count() >= 60
    for target in targets[:50]:  # every demo value is on its scale
        for review in target.review_list:
            assert review.value in {s.value for s in target.scale.ordered_steps} or not target.scale.is_ordered
