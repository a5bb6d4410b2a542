"""Horizontal progress (issue 16): consolidating and generalised reviews on non-linear scales."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import make_target

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.plans import services
from trellis.plans.models import Review, Target
from trellis.plans.progress import GLOSSARY, STUCK, Status, Window, assess

TODAY = dt.date(2026, 3, 1)
WINDOW = Window(starts_on=dt.date(2026, 2, 21), ends_on=dt.date(2026, 4, 14), today=TODAY)
START, DUE = TODAY - dt.timedelta(days=100), TODAY + dt.timedelta(days=100)  # today is half way

pytestmark = [pytest.mark.django_db]


def engagement(baseline="exploration", goal="anticipation", **fields) -> Target:
    """Exploration -> anticipation is 2 steps; half way through, 1 step is expected."""
    return Target(
        scale=find_scale("engagement"),
        baseline_value=baseline,
        target_value=goal,
        starts_on=START,
        target_date=DUE,
        **fields,
    )


def reviews(*entries: tuple[str, str]) -> list:
    """(value, breadth) pairs a week apart, the last today."""
    return [
        SimpleNamespace(value=v, breadth=b, date=TODAY - dt.timedelta(days=7 * (len(entries) - 1 - n)))
        for n, (v, b) in enumerate(entries)
    ]


@pytest.mark.dates
def test_flat_engagement_reviews_are_stuck_without_horizontal_progress():
    flat = assess(engagement(), reviews(("exploration", ""), ("exploration", "")), WINDOW)
    # 0 steps of the 1 expected, 2 planned: behind by 1, more than a quarter of 2: off track and stuck.
    assert (flat.status, flat.gain, flat.expected, flat.stuck) == (Status.OFF_TRACK, 0, 1, True)


@pytest.mark.dates
@pytest.mark.parametrize("breadth", ["consolidating", "generalised"])
def test_horizontal_progress_at_the_latest_review_is_not_stuck_and_keeps_the_status(breadth):
    moved = assess(engagement(), reviews(("exploration", ""), ("exploration", breadth)), WINDOW)
    assert (moved.status, moved.gain, moved.stuck) == (Status.OFF_TRACK, 0, False)  # no step up: status as before


@pytest.mark.dates
def test_horizontal_progress_counts_for_two_reviews_then_no_longer():
    last_but_one = reviews(("exploration", ""), ("exploration", "generalised"), ("exploration", ""))
    assert not assess(engagement(), last_but_one, WINDOW).stuck
    three_back = reviews(("exploration", "generalised"), ("exploration", ""), ("exploration", ""))
    assert assess(engagement(), three_back, WINDOW).stuck  # two flat reviews since: stuck again


@pytest.mark.dates
def test_horizontal_progress_clears_a_target_rolled_over_unchanged():
    earlier = engagement()
    earlier.pk = 1  # stands for a saved target
    again = engagement(rolled_over_from=earlier)
    assert assess(again, reviews(("exploration", "")), WINDOW).stuck
    assert not assess(again, reviews(("exploration", "consolidating")), WINDOW).stuck


@pytest.mark.dates
def test_on_a_linear_scale_a_recorded_breadth_does_not_count():
    nc = Target(scale=find_scale("nc-levels"), baseline_value="2c", target_value="3c", starts_on=START, target_date=DUE)
    assert assess(nc, reviews(("2c", ""), ("2c", "generalised")), WINDOW).stuck


def test_the_glossary_says_horizontal_progress_is_not_stuck():
    assert "consolidating or generalised, with evidence, is not stuck" in GLOSSARY[STUCK]
    assert "new context" in GLOSSARY["Generalised"] and "not stuck" in GLOSSARY["Consolidating"]


# --- Recording it -----------------------------------------------------------------------------


def engagement_target(pupil) -> Target:
    today = timezone.localdate()
    return make_target(
        pupil,
        scale="engagement",
        baseline="exploration",
        target_value="anticipation",
        starts_on=today - dt.timedelta(days=100),
        target_date=today + dt.timedelta(days=100),
        description="Explore a new sensory activity",
    )


def test_a_generalised_review_with_evidence_is_kept_audited_and_clears_stuck(world):
    target = engagement_target(world.in_class)
    today = timezone.localdate()
    for days in (28, 14):
        services.record_review(
            target=target, by=world.teacher, date=today - dt.timedelta(days=days), value="Exploration"
        )
    target.refresh_from_db()
    assert target.stuck
    review = services.record_review(
        target=target,
        by=world.teacher,
        date=today,
        value="exploration",
        breadth="generalised",
        evidence="  Explored the sensory tray in the hall with a new TA  ",
    )
    target.refresh_from_db()
    assert (review.breadth, review.evidence) == ("generalised", "Explored the sensory tray in the hall with a new TA")
    assert not target.stuck
    event = AuditEvent.objects.filter(record_type="target review", record_id=str(review.pk)).get()
    assert event.changes["breadth"] == [None, "generalised"]


def test_horizontal_progress_without_evidence_or_on_a_linear_scale_is_refused_and_saves_nothing(world):
    target = engagement_target(world.in_class)
    today = timezone.localdate()
    with pytest.raises(services.PlanError, match="Give the evidence for ‘consolidating’"):
        services.record_review(
            target=target, by=world.teacher, date=today, value="exploration", breadth="consolidating", evidence=" "
        )
    nc = make_target(world.in_class)
    with pytest.raises(services.PlanError, match="only for scales where progress is often horizontal"):
        services.record_review(target=nc, by=world.teacher, date=today, value="2c", breadth="generalised", evidence="x")
    with pytest.raises(services.PlanError, match="consolidating or generalised"):
        services.record_review(
            target=target, by=world.teacher, date=today, value="exploration", breadth="wider", evidence="x"
        )
    assert not Review.objects.exists()


def test_the_review_form_offers_the_choice_only_on_non_linear_scales(world, login):
    client = login(world.teacher)
    target = engagement_target(world.in_class)
    nc = make_target(world.in_class)
    assert "Progress across contexts" in client.get(reverse("target", args=[target.pk])).content.decode()
    assert "Progress across contexts" not in client.get(reverse("target", args=[nc.pk])).content.decode()
    today = timezone.localdate()
    posted = {
        "value": "exploration",
        "date_0": today.day,
        "date_1": today.month,
        "date_2": today.year,
        "breadth": "generalised",
        "evidence": "",
    }
    form = client.get(reverse("target", args=[target.pk])).context["form"]
    posted |= {name: form[name].value() for name in form.fields if name not in posted and form[name].value()}
    response = client.post(reverse("target", args=[target.pk]), posted)
    assert response.status_code == 200
    assert "Give the evidence for ‘generalised’" in response.content.decode()
    assert not Review.objects.exists()
    posted["evidence"] = "Waited for a turn with a new group in music"
    response = client.post(reverse("target", args=[target.pk]), posted, follow=True)
    text = response.content.decode()
    assert '<span class="tag">Generalised</span>' in text
    assert "Evidence:</span> Waited for a turn with a new group in music" in text


def test_correcting_a_review_can_add_or_take_away_horizontal_progress(world):
    target = engagement_target(world.in_class)
    today = timezone.localdate()
    for days in (28, 14, 0):
        services.record_review(
            target=target, by=world.teacher, date=today - dt.timedelta(days=days), value="exploration"
        )
    latest = target.reviews.order_by("-date").first()
    services.correct_review(
        review=latest, by=world.teacher, date=today, value="exploration", breadth="consolidating", evidence="Alone now"
    )
    target.refresh_from_db()
    assert not target.stuck
    latest.refresh_from_db()
    services.correct_review(review=latest, by=world.teacher, date=today, value="exploration")
    target.refresh_from_db()
    assert target.stuck and Review.objects.get(pk=latest.pk).breadth == ""
