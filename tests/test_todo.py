"""The home page's to-do list (trellis.todo.items) and the weekly to-do email (trellis.todo.digest).

Every date is the suite's today or a fixed distance from it, so the counts hold on any day (the date
matrix). On the default day, Wed 18 Nov 2026, the half term (Autumn 2) began on 1 Nov and the week
ends on Sun 22 Nov.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import make_target

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.identification.models import Concern
from trellis.jobs.models import Job
from trellis.jobs.services import run
from trellis.meetings.models import Action, Meeting, MeetingPupil
from trellis.plans.models import Plan, Target
from trellis.provision import services as provision
from trellis.provision.models import Intervention, InterventionGroup
from trellis.specialists.models import Referral
from trellis.todo import items
from trellis.todo.digest import digest_for, send_digests

pytestmark = pytest.mark.dates

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
SUNDAY = TODAY + dt.timedelta(days=6 - TODAY.weekday())  # the end of this week (Monday to Sunday)
NEXT_MONDAY = SUNDAY + dt.timedelta(days=1)


def half_term_start(school) -> dt.date:
    """The first day of the school's half term today, or of the one just ended in a holiday."""
    return school.academic_years.get().half_terms.filter(starts_on__lte=TODAY).latest("starts_on").starts_on


def count(provider, user, world) -> int:
    [item] = items.resolve(provider(user, world.school_a, TODAY))
    return item.count


@pytest.mark.parametrize(
    ("today", "sunday"),
    [
        (dt.date(2026, 11, 16), dt.date(2026, 11, 22)),  # a Monday
        (dt.date(2026, 11, 18), dt.date(2026, 11, 22)),
        (dt.date(2026, 11, 22), dt.date(2026, 11, 22)),  # Sunday is the week's last day
        (dt.date(2027, 12, 29), dt.date(2028, 1, 2)),  # across the new year
        (dt.date(2028, 2, 28), dt.date(2028, 3, 5)),  # across a leap day
    ],
)
def test_the_week_ends_on_sunday(today, sunday):
    assert items.end_of_week(today) == sunday


# --- Each provider at its boundaries ------------------------------------------------------------


def test_a_target_is_due_for_review_until_it_is_reviewed_this_half_term(world):
    start = half_term_start(world.school_a)
    before = make_target(world.in_class)
    on_start = make_target(world.in_class, description="Count to 20")
    Target.objects.filter(pk=before.pk).update(last_reviewed_on=start - dt.timedelta(days=1))
    Target.objects.filter(pk=on_start.pk).update(last_reviewed_on=start)
    make_target(world.in_class, description="Never reviewed")
    assert count(items.reviews_due, world.senco, world) == 2  # reviewed the day before, and never reviewed


def test_stuck_counts_targets_stuck_and_below_the_line_only(world):
    stuck = make_target(world.in_class)
    recovered = make_target(world.in_class, description="Count to 20")
    Target.objects.filter(pk=stuck.pk).update(stuck=True, last_status="off_track")
    Target.objects.filter(pk=recovered.pk).update(stuck=True, last_status="on_track")
    make_target(world.in_class, description="Not stuck")
    assert count(items.stuck_targets, world.senco, world) == 1


def test_a_plan_is_past_review_from_the_day_after_its_review_date(world):
    Plan.objects.create(pupil=world.in_class, kind="sen_support", state="active", review_on=TODAY)
    Plan.objects.create(pupil=world.in_class, kind="ilp", state="active", review_on=YESTERDAY)
    Plan.objects.create(pupil=world.in_class, kind="passport", state="archived", review_on=YESTERDAY)
    Plan.objects.create(pupil=world.in_class, kind="passport", state="draft", review_on=YESTERDAY)
    [item] = items.resolve(items.plans_past_review(world.senco, world.school_a, TODAY))
    assert (item.count, item.label, item.urgency) == (1, "plan past its review date", "overdue")


def test_concerns_awaiting_a_decision_leave_out_decided_ones(world):
    Concern.objects.create(pupil=world.in_class, area="cognition", what_seen="Reverses b and d")
    Concern.objects.create(pupil=world.in_class, area="cognition", what_seen="Slow to copy", decision="monitor")
    assert count(items.concerns_awaiting_decision, world.senco, world) == 1


def _action(world, due_on, owner=None, pupil=None, done_on=None):
    meeting = Meeting.objects.create(school=world.school_a, kind="pupil", held_on=TODAY, scheduled_by=world.senco)
    discussion = MeetingPupil.objects.create(meeting=meeting, pupil=pupil or world.in_class)
    return Action.objects.create(
        discussion=discussion, text="Word mat", owner=owner or world.teacher, due_on=due_on, done_on=done_on
    )


def test_meeting_actions_due_this_week_include_overdue_not_next_week(world):
    _action(world, YESTERDAY)  # overdue
    _action(world, SUNDAY)
    _action(world, NEXT_MONDAY)
    _action(world, YESTERDAY, done_on=TODAY)  # done
    _action(world, TODAY, owner=world.senco)  # someone else's
    assert count(items.meeting_actions_due, world.teacher, world) == 2


def _group(world, ends_on, staff=None, pupil=None):
    intervention, _ = Intervention.objects.get_or_create(
        school=world.school_a, name="Numeracy", defaults={"cost_per_session": Decimal(12)}
    )
    group = InterventionGroup.objects.create(
        intervention=intervention, staff=staff, starts_on=TODAY - dt.timedelta(days=30), ends_on=ends_on
    )
    if pupil is not None:
        provision.enrol(
            group=group,
            pupil=pupil,
            by=world.senco,
            measures=[provision.MeasureInput(find_scale("nc-levels"), "2c", Decimal(1))],
        )
    return group


def test_groups_ending_this_week_not_next_week_nor_already_ended(world):
    _group(world, TODAY, pupil=world.in_class)
    _group(world, SUNDAY, pupil=world.in_class)
    _group(world, NEXT_MONDAY, pupil=world.in_class)
    _group(world, YESTERDAY, pupil=world.in_class)
    _group(world, None, pupil=world.in_class)
    assert count(items.groups_ending, world.senco, world) == 2


def test_a_ta_counts_the_groups_they_run_and_those_their_pupils_are_in(world):
    _group(world, SUNDAY, staff=world.ta)  # runs it, no pupils yet
    _group(world, SUNDAY, pupil=world.in_class)  # their pupil
    _group(world, SUNDAY, pupil=world.other_class)  # another class's pupil
    assert count(items.groups_ending, world.ta, world) == 2
    assert count(items.groups_ending, world.senco, world) == 3  # the SENCO: every group of the school


# --- Need to know -------------------------------------------------------------------------------


def _one_of_each(world, pupil):
    target = make_target(pupil)
    Target.objects.filter(pk=target.pk).update(stuck=True, last_status="off_track")
    Plan.objects.filter(pk=target.plan_id).update(review_on=YESTERDAY)
    Concern.objects.create(pupil=pupil, area="cognition", what_seen="Reverses b and d")
    _group(world, SUNDAY, pupil=pupil)
    # Seen 43 days ago with no report (overdue after 42), and waiting 127 days (a long wait after 126):
    # on the default day, referred 1 Jun and seen 6 Oct 2026; referred 14 Jul 2026.
    ago = dt.timedelta(days=1)
    Referral.objects.create(pupil=pupil, service="ep", referred_on=TODAY - 170 * ago, seen_on=TODAY - 43 * ago)
    Referral.objects.create(pupil=pupil, service="salt", referred_on=TODAY - 127 * ago)


def test_a_teacher_counts_only_their_own_class(world):
    _one_of_each(world, world.in_class)
    _one_of_each(world, world.other_class)
    _one_of_each(world, world.confidential)  # in the teacher's class, but confidential
    [teacher] = items.todo_for(world.teacher, TODAY)
    [senco] = items.todo_for(world.senco, TODAY)

    def counts(entry):  # statutory steps are counted in their own test
        return [item.count for item in entry.items if "statutory" not in item.label]

    assert counts(teacher) == [1, 1, 1, 1, 0, 1, 1, 1]
    assert counts(senco) == [3, 3, 3, 3, 0, 3, 3, 3]


# --- The home page for each role ----------------------------------------------------------------


def _links(html: str) -> dict[str, str]:
    """'3 stuck targets' -> its href, from the to-do list."""
    block = html.split('<ul class="todo-list">', 1)[1].split("</ul>", 1)[0]
    return {text.strip(): href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)}


def test_the_senco_home_page_is_a_to_do_list_with_every_number_a_link(world, login, django_assert_max_num_queries):
    _one_of_each(world, world.in_class)
    _one_of_each(world, world.other_class)
    _action(world, TODAY, owner=world.senco)
    client = login(world.senco)
    client.get("/")  # the session and the user's scope, read once
    with django_assert_max_num_queries(19):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    urn = world.school_a.urn
    links = _links(html)
    statutory = {text: href for text, href in links.items() if "statutory" in text}  # counted in their own test
    assert sorted(statutory.values()) == [f"/schools/{urn}/deadlines/?status={s}" for s in ("due_soon", "overdue")]
    assert {text: href for text, href in links.items() if text not in statutory} == {
        "2 targets to review this half term": f"/schools/{urn}/reviews/",
        "2 stuck targets": f"/schools/{urn}/targets/?stuck=yes",
        "2 plans past their review date": f"/schools/{urn}/plans/past-review/",
        "2 concerns awaiting a decision": f"/schools/{urn}/concerns/",
        "1 meeting action due this week": "/my-actions/",
        "2 intervention groups ending this week": f"/schools/{urn}/provision/?ending=week",
        "2 specialist reports overdue": f"/schools/{urn}/referrals/",
        "2 referrals waiting a long time": f"/schools/{urn}/referrals/",
    }
    for href in _links(html).values():
        assert client.get(href).status_code == 200, href
    assert "Inclass" not in html and "Otherclass" not in html  # counts, not names


def test_the_home_page_query_count_does_not_grow_with_the_pupils(world, login, django_assert_max_num_queries):
    for _ in range(5):
        _one_of_each(world, world.in_class)
    client = login(world.senco)
    client.get("/")
    with django_assert_max_num_queries(19):
        client.get("/")


def test_counting_together_gives_each_its_own_count_in_one_query(world, django_assert_num_queries):
    Concern.objects.create(pupil=world.in_class, area="cognition", what_seen="Reverses b and d")
    Concern.objects.create(pupil=world.other_class, area="cognition", what_seen="Slow to copy", decision="monitor")
    rows = [Concern.objects.all(), Concern.objects.none(), Concern.objects.open(), Concern.objects.filter(pk__in=[])]
    with django_assert_num_queries(1):
        assert items.count_together([items.Counted(r, "one", "many", "/") for r in rows]) == [2, 0, 1, 0]


def _busy_pupil(world, n: int):
    """A pupil on SEN support in 4B with one of each kind of work, an EHC request and a meeting action."""
    from trellis.deadlines.models import EhcAssessmentRequest
    from trellis.pupils.services import set_sen_status

    from conftest import make_pupil

    pupil = make_pupil(world.school_a, surname=f"Busy{n}", group=world.class_4b)
    set_sen_status(pupil=pupil, status="K", starts_on=TODAY - dt.timedelta(days=200), by=world.senco)
    _one_of_each(world, pupil)
    EhcAssessmentRequest.objects.create(pupil=pupil, requested_on=TODAY - dt.timedelta(days=48))
    _action(world, TODAY, owner=world.senco, pupil=pupil)


def test_the_to_do_list_costs_eight_queries_a_school_however_many_pupils(world, django_assert_num_queries):
    """The half term, one query for every count, five for the statutory steps (the deadlines' pupils
    and their requests, plans, reviews and SEN support history), one for the specialist referrals."""
    _busy_pupil(world, 0)
    items.todo_for(world.senco, TODAY, [world.school_a])  # reads the person's roles once (kept on the user)
    with django_assert_num_queries(8):
        [few] = items.todo_for(world.senco, TODAY, [world.school_a])
    for n in range(1, 11):
        _busy_pupil(world, n)
    with django_assert_num_queries(8):
        [many] = items.todo_for(world.senco, TODAY, [world.school_a])
    grown = [b.count - a.count for a, b in zip(few.items, many.items, strict=True)]
    # Ten more of each: targets to review, stuck, plans past review, concerns; two statutory steps
    # overdue a pupil (the decision whether to assess, due 6 weeks after a request 48 days old, and
    # the SEN support review, due 4 months after SEN support began 200 days ago), none due soon;
    # meeting actions, groups ending; a specialist report overdue and a long wait each.
    assert grown == [10, 10, 10, 10, 20, 0, 10, 10, 10, 10]


def test_the_teachers_home_page_counts_their_class_not_another(world, login):
    _one_of_each(world, world.in_class)
    _one_of_each(world, world.other_class)
    html = login(world.teacher).get("/").content.decode()
    assert "1 concern awaiting a decision" in html and "2 concerns" not in html
    assert "Otherclass" not in html


def test_the_ta_home_page_is_their_to_do_list(world, login):
    _group(world, SUNDAY, staff=world.ta)
    html = login(world.ta).get("/").content.decode()
    assert "Your to-do list" in html and "1 intervention group ending this week" in html


@pytest.mark.parametrize("role", ["governor", "specialist", "administrator", "head"])
def test_other_school_roles_still_go_straight_to_their_school(world, login, role):
    response = login(getattr(world, role)).get("/")
    assert response.status_code == 302
    assert "todo-list" not in response.content.decode()


def test_the_trust_leader_still_sees_their_schools_without_a_to_do_list(world, login):
    _one_of_each(world, world.in_class)
    html = login(world.trustlead).get("/").content.decode()
    assert "Your schools" in html and "Alder Primary" in html and "Birch Primary" in html
    assert 'class="todo-list"' not in html and "Your to-do list" not in html


def test_the_plans_past_review_list_names_only_pupils_one_may_see_and_is_audited(world, login):
    _one_of_each(world, world.in_class)
    _one_of_each(world, world.other_class)
    html = login(world.teacher).get(reverse("plans-past-review", args=[world.school_a.urn])).content.decode()
    assert "Inclass" in html and "Otherclass" not in html
    assert AuditEvent.objects.filter(record_type="plans past review list", actor=world.teacher).count() == 1
    assert login(world.governor).get(reverse("plans-past-review", args=[world.school_a.urn])).status_code == 404


# --- The weekly email ---------------------------------------------------------------------------


def _opt_in(client, on: str):
    return client.post(reverse("weekly-email"), {"on": on})


def test_the_weekly_email_is_opt_in_from_the_account_page(world, login):
    client = login(world.teacher)
    assert "Weekly to-do email" in client.get(reverse("account")).content.decode()
    assert _opt_in(client, "yes").url == reverse("account")
    world.teacher.refresh_from_db()
    assert world.teacher.weekly_digest
    assert AuditEvent.objects.filter(record_type="weekly to-do email", summary__endswith="on").count() == 1
    _opt_in(client, "maybe")  # bad input changes nothing
    world.teacher.refresh_from_db()
    assert world.teacher.weekly_digest
    _opt_in(client, "no")
    world.teacher.refresh_from_db()
    assert not world.teacher.weekly_digest


def test_only_people_who_opted_in_get_the_email_with_counts_and_links_and_no_names(world):
    _one_of_each(world, world.in_class)
    for user in (world.teacher, world.senco, world.ta):
        user.email = f"{user.username}@school.example"
    world.teacher.weekly_digest = True
    world.teacher.save()
    world.senco.save()  # has an address, did not opt in
    sent = send_digests(TODAY, site_url="https://trellis.example")
    assert sent == 1
    [email] = mail.outbox
    assert email.to == ["teacher@school.example"]
    assert "- 1 concern awaiting a decision: https://trellis.example/schools/100001/concerns/" in email.body
    assert "Inclass" not in email.body and "Sam" not in email.body and "Reverses" not in email.body
    assert "Alder Primary" in email.body
    [event] = AuditEvent.objects.filter(record_type="weekly to-do email", via="worker")
    assert str(event.record_id) == str(world.teacher.pk)


def test_no_email_without_an_address_or_a_to_do_list(world):
    world.governor.weekly_digest = True
    world.governor.email = "gov@school.example"
    world.governor.save()
    world.teacher.weekly_digest = True  # no address
    world.teacher.save()
    assert digest_for(world.governor, TODAY, "") is None
    assert send_digests(TODAY) == 0 and mail.outbox == []


def test_the_weekly_timer_sends_the_email(world):
    world.senco.weekly_digest = True
    world.senco.email = "senco@school.example"
    world.senco.save()
    call_command("run_scheduled", "weekly")
    job = Job.objects.get(kind="weekly_digest")
    assert job.state == "queued" and mail.outbox == []  # the worker sends it
    run(job.pk)
    job.refresh_from_db()
    assert job.state == "succeeded" and job.summary == "emailed 1 weekly to-do list"
    assert len(mail.outbox) == 1


# --- The lists behind the counts ----------------------------------------------------------------


def test_the_stuck_link_lists_only_the_stuck_targets(world, login):
    stuck = make_target(world.in_class, description="Stuck on phonics")
    Target.objects.filter(pk=stuck.pk).update(stuck=True, last_status="off_track")
    make_target(world.in_class, description="Moving on nicely")
    client = login(world.senco)
    url = reverse("target-overview", args=[world.school_a.urn])
    html = client.get(url + "?stuck=yes").content.decode()
    assert "Stuck on phonics" in html and "Moving on nicely" not in html
    assert "Moving on nicely" in client.get(url).content.decode()
    assert client.get(url + "?stuck=perhaps").status_code == 400


def test_the_groups_ending_link_lists_only_groups_ending_this_week(world, login):
    _group(world, SUNDAY, pupil=world.in_class)
    _group(world, NEXT_MONDAY, pupil=world.other_class)
    client = login(world.senco)
    url = reverse("provision-map", args=[world.school_a.urn])
    html = client.get(url + "?ending=week").content.decode()
    assert f"Only groups ending this week (by Sunday {SUNDAY.day} {SUNDAY:%B})" in html
    assert "Inclass" in html and "Otherclass" not in html
    assert "Otherclass" in client.get(url).content.decode()
    assert client.get(url + "?ending=soon").status_code == 400


def _statutory(user, world) -> tuple[int, int]:
    overdue, soon = items.statutory_steps(user, world.school_a, TODAY)
    return overdue.count, soon.count


def test_statutory_steps_overdue_and_due_soon_count_only_pupils_one_may_see(world):
    from trellis.deadlines.models import EhcAssessmentRequest

    senco_before, teacher_before = _statutory(world.senco, world), _statutory(world.teacher, world)
    # The decision whether to assess is due six weeks after the request. On the default day, 18 Nov:
    # due 12 Nov (overdue) for a request of 1 Oct, 48 days ago; due 21 Nov (within the 28 days) for
    # one of 10 Oct, 39 days ago. Statutory weeks do not move for holidays, so the same gaps hold on any day.
    EhcAssessmentRequest.objects.create(pupil=world.in_class, requested_on=TODAY - dt.timedelta(days=48))
    EhcAssessmentRequest.objects.create(pupil=world.other_class, requested_on=TODAY - dt.timedelta(days=39))
    senco, teacher = _statutory(world.senco, world), _statutory(world.teacher, world)
    assert (senco[0] - senco_before[0], senco[1] - senco_before[1]) == (1, 1)
    assert (teacher[0] - teacher_before[0], teacher[1] - teacher_before[1]) == (1, 0)
    overdue, soon = items.statutory_steps(world.senco, world.school_a, TODAY)
    assert overdue.url == "/schools/100001/deadlines/?status=overdue" and overdue.urgency == "overdue"
    assert soon.url == "/schools/100001/deadlines/?status=due_soon"
