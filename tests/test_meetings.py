"""Pupil progress meetings (issue 12): scheduling, invitations, the record, actions and decisions.

Meetings below are held on the suite's day unless a test says otherwise, and every date is a fixed
distance from it, so the tests hold on any day (the date matrix). Worked on the default day, Wed 18
November 2026: the group ends on 30 November, an extension runs to 12 February 2027.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from fixtures_progress import add_review, make_target

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.deadlines.models import EhcAssessmentRequest, SupportReview
from trellis.identification.models import Concern
from trellis.meetings import services
from trellis.meetings.models import Action, Decision, Meeting, MeetingPupil, SlowProgressReason
from trellis.meetings.prepare import attendance_percent, period_start, prepare
from trellis.meetings.services import MeetingError, NewTarget, apply_decision
from trellis.plans.models import Plan, Target
from trellis.provision import services as provision
from trellis.provision.models import Enrolment, Intervention, InterventionGroup
from trellis.pupils.models import SenStatus
from trellis.pupils.services import set_sen_status

from conftest import make_pupil

pytestmark = pytest.mark.dates
TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
GROUP_END = TODAY + dt.timedelta(days=12)  # 30 November 2026 on the default day
LATER = TODAY + dt.timedelta(days=86)  # 12 February 2027 on the default day


def long_date(day: dt.date) -> str:
    """As the services write dates in words: 18 November 2026."""
    return f"{day.day} {day:%B %Y}"


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def meeting(world):
    return services.schedule_meeting(
        school=world.school_a,
        by=world.senco,
        kind=Meeting.Kind.GROUP,
        held_on=_today(),
        pupils=[world.in_class, world.other_class],
        staff=[world.senco, world.teacher],
        place="Room 4",
    )


@pytest.fixture
def discussion(meeting, world) -> MeetingPupil:
    return meeting.pupils.get(pupil=world.in_class)


@pytest.fixture
def enrolment(world) -> Enrolment:
    intervention = Intervention.objects.create(school=world.school_a, name="Numeracy catch-up")
    group = InterventionGroup.objects.create(
        intervention=intervention,
        staff=world.ta,
        starts_on=_today() - dt.timedelta(days=30),
        ends_on=GROUP_END,
    )
    return provision.enrol(group=group, pupil=world.in_class, by=world.senco)


def _events(record_type: str, **filters):
    return AuditEvent.objects.filter(record_type=record_type, **filters)


# --- Scheduling -----------------------------------------------------------------------------------


def test_scheduling_a_class_meeting_discusses_each_pupil_of_the_class_and_audits_each(world):
    meeting = services.schedule_meeting(
        school=world.school_a, by=world.teacher, kind="class", held_on=_today(), teaching_group=world.class_4b
    )
    assert {mp.pupil for mp in meeting.pupils.all()} == {world.in_class, world.confidential}
    assert set(_events("progress meeting").values_list("pupil_id", flat=True)) == {
        world.in_class.pk,
        world.confidential.pk,
    }


def test_a_class_meeting_takes_monitored_pupils_but_not_those_with_no_sen(world):
    make_pupil(world.school_a, surname="Nosen", group=world.class_4b)
    monitored = make_pupil(world.school_a, surname="Watched", group=world.class_4b)
    set_sen_status(pupil=monitored, status="M", starts_on=_today(), by=world.senco)
    meeting = services.schedule_meeting(
        school=world.school_a, by=world.senco, kind="class", held_on=_today(), teaching_group=world.class_4b
    )
    assert {mp.pupil.surname for mp in meeting.pupils.all()} == {"Inclass", "Private", "Watched"}


def test_a_pupil_who_left_the_class_before_the_meeting_is_not_discussed(world):
    membership = world.confidential.group_memberships.get()
    membership.ends_on = _today() - dt.timedelta(days=1)
    membership.save()
    meeting = services.schedule_meeting(
        school=world.school_a, by=world.senco, kind="class", held_on=_today(), teaching_group=world.class_4b
    )
    assert [mp.pupil for mp in meeting.pupils.all()] == [world.in_class]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "pupil", "pupils": "two"}, "one pupil, not 2"),
        ({"kind": "group", "pupils": []}, "Choose the pupils"),
        ({"kind": "class"}, "Choose the class"),
        ({"kind": "group", "pupils": "other school"}, "not at Alder Primary"),
        ({"kind": "group", "staff": "outsider"}, "does not work at|do\\(es\\) not work at"),
    ],
)
def test_bad_scheduling_says_what_is_wrong_and_saves_nothing(world, kwargs, message):
    pupils = {"two": [world.in_class, world.other_class], "other school": [world.pupil_b]}
    args = {"pupils": [world.in_class], "staff": [world.teacher]} | kwargs
    args["pupils"] = pupils.get(args["pupils"], args["pupils"]) if isinstance(args["pupils"], str) else args["pupils"]
    args["staff"] = [world.outsider] if args["staff"] == "outsider" else args["staff"]
    with pytest.raises(MeetingError, match=message):
        services.schedule_meeting(school=world.school_a, by=world.senco, held_on=_today(), **args)
    assert not Meeting.objects.exists() and not _events("progress meeting").exists()


def test_the_invitation_names_no_pupil_and_no_need(world, meeting):
    world.senco.email, world.teacher.email = "senco@alder.example", "teacher@alder.example"
    world.senco.save()
    world.teacher.save()
    sent = services.send_invitations(meeting=meeting, by=world.senco, link="https://trellis.example/meetings/1/")
    assert sorted(sent) == ["senco@alder.example", "teacher@alder.example"]
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    text = message.subject + message.body
    assert message.subject == f"Pupil progress meeting on {long_date(TODAY)}"
    assert "Pupils (initials): SI, SO" in message.body  # Sam Inclass, Sam Otherclass
    assert "https://trellis.example/meetings/1/" in message.body
    for secret in ("Inclass", "Otherclass", "Sam", "SLCN", "Speech", "ASD", "SEN support", "EHC"):
        assert secret not in text
    meeting.refresh_from_db()
    assert meeting.invited_at is not None
    assert _events("meeting invitation", record_id=str(meeting.pk)).count() == 1


def test_no_invitation_when_no_one_attending_has_an_address(world, meeting):
    with pytest.raises(MeetingError, match="email address"):
        services.send_invitations(meeting=meeting, by=world.senco, link="x")
    assert mail.outbox == [] and not _events("meeting invitation").exists()


# --- The record: discussion, reasons, actions -----------------------------------------------------


def test_reasons_offered_are_the_shared_list_the_trusts_and_the_schools_own(world):
    trust_reason = SlowProgressReason.objects.create(trust=world.school_a.trust, text="Trust reason")
    own = services.add_reason(school=world.school_a, by=world.senco, text="  Building   works ")
    other_school = services.add_reason(school=world.school_b, by=world.senco, text="Birch only")
    offered = SlowProgressReason.objects.for_school(world.school_a)
    assert own.text == "Building works"
    assert trust_reason in offered and own in offered and other_school not in offered
    assert offered.filter(trust=None, school=None).count() == 12  # the list every trust starts with
    assert SlowProgressReason.objects.for_school(world.school_c).filter(text="Trust reason").count() == 0
    with pytest.raises(MeetingError, match="already on the list"):
        services.add_reason(school=world.school_a, by=world.senco, text="attendance OR punctuality")


def test_recording_a_discussion_keeps_reasons_and_audits_old_and_new(world, discussion):
    attendance = SlowProgressReason.objects.get(text="Attendance or punctuality")
    changes = services.record_discussion(
        record=discussion,
        by=world.teacher,
        parent_attended=True,
        parent_names="Mrs Inclass (mum)",
        pupil_attended=False,
        discussion="Reading has moved on; maths is slower.",
        reasons=[attendance],
        reason_notes="Missed two weeks in October.",
    )
    assert changes["reasons"] == [[], ["Attendance or punctuality"]]
    assert changes["parent_attended"] == [None, True]
    event = _events("progress meeting discussion").get()
    assert event.pupil_id == world.in_class.pk and event.changes == changes


def test_a_parent_at_the_meeting_records_one_sen_support_review_that_counts(world, meeting):
    discussion, ehc = meeting.pupils.get(pupil=world.in_class), meeting.pupils.get(pupil=world.other_class)
    services.record_discussion(record=discussion, by=world.senco, parent_attended=True, today=TODAY - dt.timedelta(1))
    assert not SupportReview.objects.exists()  # the meeting is tomorrow: no one has come yet
    services.record_discussion(record=discussion, by=world.senco, parent_attended=False)
    services.record_discussion(record=ehc, by=world.senco, parent_attended=True)  # EHC plan: annual reviews
    assert not SupportReview.objects.exists()
    for _ in range(2):
        services.record_discussion(record=discussion, by=world.senco, parent_attended=True, discussion="More")
    review = SupportReview.objects.get()
    assert review.pupil == world.in_class and review.held_on == TODAY and review.counts
    assert review.parent == SupportReview.Parent.TOOK_PART and review.recorded_by == world.senco
    assert _events("SEN support review", record_id=str(review.pk), pupil_id=world.in_class.pk).exists()


def test_a_reason_from_another_schools_list_is_refused(world, discussion):
    birch = services.add_reason(school=world.school_b, by=world.senco, text="Birch only")
    with pytest.raises(MeetingError, match="not on this school's list: Birch only"):
        services.record_discussion(record=discussion, by=world.senco, reasons=[birch], discussion="x")
    discussion.refresh_from_db()
    assert discussion.discussion == "" and not discussion.reasons.exists()


def test_an_action_has_exactly_one_owner_and_is_due_on_or_after_the_meeting(world, discussion):
    staff_action = services.add_action(
        discussion=discussion, by=world.senco, text="Share word mat", owner=world.teacher, due_on=_today()
    )
    parent_action = services.add_action(
        discussion=discussion, by=world.senco, text="Read nightly", owner_parent="Mrs Inclass", due_on=_today()
    )
    assert staff_action.owner_name == "Teacher" and parent_action.owner_name == "Mrs Inclass"
    bad = [
        ({"owner": world.teacher, "owner_parent": "Mum"}, "one owner"),
        ({}, "one owner"),
        ({"owner": world.outsider}, "does not work at Alder Primary"),
        ({"owner": world.governor}, "does not work at Alder Primary"),  # governors attend no meetings
        ({"owner": world.teacher, "due_on": _today() - dt.timedelta(days=1)}, "cannot be before the meeting"),
    ]
    for kwargs, message in bad:
        with pytest.raises(MeetingError, match=message):
            services.add_action(
                **({"discussion": discussion, "by": world.senco, "text": "x", "due_on": _today()} | kwargs)
            )
    assert Action.objects.count() == 2
    assert _events("meeting action").count() == 2


def test_open_actions_are_the_owners_soonest_first_until_done(world, discussion, meeting):
    later = services.add_action(
        discussion=discussion, by=world.senco, text="Later", owner=world.teacher, due_on=_today() + dt.timedelta(days=9)
    )
    sooner = services.add_action(
        discussion=discussion, by=world.senco, text="Sooner", owner=world.teacher, due_on=_today()
    )
    services.add_action(discussion=discussion, by=world.senco, text="Mine", owner=world.senco, due_on=_today())
    other = meeting.pupils.get(pupil=world.other_class)  # not the teacher's pupil: not on their list
    services.add_action(discussion=other, by=world.senco, text="Hidden", owner=world.teacher, due_on=_today())
    assert [a.text for a in services.open_actions_for(world.teacher, _today())] == ["Sooner", "Later"]
    tomorrow = _today() + dt.timedelta(days=1)
    assert [a.overdue for a in services.open_actions_for(world.teacher, tomorrow)] == [True, False]
    services.complete_action(action=sooner, by=world.teacher, done_on=_today())
    assert [a.text for a in services.open_actions_for(world.teacher, _today())] == ["Later"]
    assert later.is_overdue(_today() + dt.timedelta(days=9)) is False
    assert later.is_overdue(_today() + dt.timedelta(days=10)) is True


# --- Decisions: each applied through its app's service, linked and audited -----------------------


def _decision_event(decision: Decision) -> AuditEvent:
    return _events("meeting decision", record_id=str(decision.pk)).get()


def test_extending_a_provision_moves_its_end_and_links_the_enrolment(world, discussion, enrolment):
    new_end = LATER
    decision = apply_decision(
        discussion=discussion, by=world.senco, kind="extend", enrolment=enrolment, extend_to=new_end
    )
    enrolment.refresh_from_db()
    assert enrolment.ends_on == new_end
    assert decision.enrolment == enrolment
    assert decision.summary == f"Extend Numeracy catch-up until {long_date(LATER)}"
    assert _decision_event(decision).changes["meeting"] == [None, discussion.meeting_id]
    assert _events("intervention enrolment", pupil_id=world.in_class.pk, action="update").exists()


def test_an_extension_must_end_after_the_current_end(world, discussion, enrolment):
    current_end = enrolment.ends_on
    assert current_end == GROUP_END
    with pytest.raises(MeetingError, match=f"after {long_date(GROUP_END)}"):
        apply_decision(discussion=discussion, by=world.senco, kind="extend", enrolment=enrolment, extend_to=current_end)
    decision = apply_decision(
        discussion=discussion,
        by=world.senco,
        kind="extend",
        enrolment=enrolment,
        extend_to=current_end + dt.timedelta(days=1),
    )
    assert decision.pk and Decision.objects.count() == 1


def test_stopping_a_provision_ends_it_on_the_meeting_day(world, discussion, enrolment):
    decision = apply_decision(discussion=discussion, by=world.senco, kind="stop", enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.ends_on == TODAY and decision.summary == f"Stop Numeracy catch-up from {long_date(TODAY)}"


def test_adapting_a_provision_rewrites_its_target_and_continuing_changes_nothing(world, discussion, enrolment):
    apply_decision(
        discussion=discussion, by=world.senco, kind="adapt", enrolment=enrolment, adapted="Use a number line"
    )
    enrolment.refresh_from_db()
    assert enrolment.target_description == "Use a number line"
    continued = apply_decision(discussion=discussion, by=world.senco, kind="continue", enrolment=enrolment)
    assert continued.summary == f"Continue Numeracy catch-up until {long_date(GROUP_END)}"
    assert continued.enrolment == enrolment and _decision_event(continued)


def test_a_provision_that_ended_before_the_meeting_can_only_be_extended(world, discussion, enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(ends_on=_today() - dt.timedelta(days=1))
    enrolment.refresh_from_db()
    for kind in ("continue", "adapt", "stop"):
        with pytest.raises(MeetingError, match=f"ended on {long_date(YESTERDAY)}"):
            apply_decision(discussion=discussion, by=world.senco, kind=kind, enrolment=enrolment, adapted="x")
    assert not Decision.objects.exists()


def test_another_pupils_provision_is_refused(world, discussion, enrolment):
    other = Enrolment.objects.create(group=enrolment.group, pupil=world.other_class, starts_on=enrolment.starts_on)
    with pytest.raises(MeetingError, match="Choose one of the pupil's interventions"):
        apply_decision(discussion=discussion, by=world.senco, kind="stop", enrolment=other)


def test_a_new_target_goes_on_the_active_plan_from_the_meeting_day(world, discussion):
    plan = make_target(world.in_class).plan
    decision = apply_decision(
        discussion=discussion,
        by=world.teacher,
        kind="new_target",
        new_target=NewTarget(
            plan=plan,
            description="Count to 50 in tens",
            area="cognition",
            scale=find_scale("nc-levels", world.school_a),
            baseline_value="2c",
            target_value="2b",
            target_date=LATER,
        ),
    )
    target = decision.target
    assert target.plan == plan and target.starts_on == TODAY and target.baseline_value == "2c"
    assert decision.summary == "New target: Count to 50 in tens"
    assert _events("target", record_id=str(target.pk), action="create").exists()
    assert _decision_event(decision)


def test_a_new_target_with_a_value_off_its_scale_changes_nothing(world, discussion):
    plan = make_target(world.in_class).plan
    before = Target.objects.count()
    with pytest.raises(MeetingError):
        apply_decision(
            discussion=discussion,
            by=world.senco,
            kind="new_target",
            new_target=NewTarget(plan, "Count", "cognition", find_scale("nc-levels", world.school_a), "9z", "", None),
        )
    assert Target.objects.count() == before and not Decision.objects.exists()
    assert not _events("meeting decision").exists()


def test_a_draft_plan_takes_no_new_target(world, discussion):
    plan = Plan.objects.create(pupil=world.in_class, kind=Plan.Kind.SEN_SUPPORT, state=Plan.State.DRAFT)
    with pytest.raises(MeetingError, match="active plan"):
        apply_decision(
            discussion=discussion,
            by=world.senco,
            kind="new_target",
            new_target=NewTarget(plan, "Count", "cognition", find_scale("nc-levels", world.school_a), "2c", "", None),
        )


def test_changing_a_target_changes_only_what_was_given(world, discussion):
    target = make_target(world.in_class, target_value="2a")
    decision = apply_decision(
        discussion=discussion,
        by=world.senco,
        kind="change_target",
        target=target,
        changes={"description": "", "target_value": "2b", "target_date": None},
    )
    target.refresh_from_db()
    assert target.target_value == "2b" and target.description == "Read 20 high-frequency words without help"
    assert decision.target == target
    assert _events("target", record_id=str(target.pk), action="update").get().changes["target_value"] == ["2a", "2b"]
    with pytest.raises(MeetingError, match="Enter what changes"):
        apply_decision(discussion=discussion, by=world.senco, kind="change_target", target=target, changes={})


def test_raising_and_lowering_the_status_write_the_register_history(world, meeting):
    discussion = meeting.pupils.get(pupil=world.in_class)  # SEN support (K)
    lowered = apply_decision(
        discussion=discussion, by=world.senco, kind="lower_status", status="M", summary="Targets met"
    )
    world.in_class.refresh_from_db()
    assert world.in_class.sen_status == SenStatus.MONITORING
    assert lowered.sen_status.starts_on == TODAY and lowered.sen_status.status == "M"
    assert lowered.sen_status.reason == f"Progress meeting {TODAY:%d/%m/%Y}: Targets met"
    assert lowered.summary == "Targets met"
    with pytest.raises(MeetingError, match="SEN support is not lower than Monitoring"):
        apply_decision(discussion=discussion, by=world.senco, kind="lower_status", status="K")
    with pytest.raises(MeetingError, match="Monitoring is not higher than Monitoring"):
        apply_decision(discussion=discussion, by=world.senco, kind="raise_status", status="M")
    raised = apply_decision(discussion=discussion, by=world.senco, kind="raise_status", status="K")
    assert raised.summary == "SEN status changed from Monitoring to SEN support"
    assert _events("SEN status", pupil_id=world.in_class.pk).count() == 2 + 1  # the world's first, then two here


def test_an_ehc_plan_is_never_started_or_ended_by_a_meeting(world, meeting):
    k_pupil = meeting.pupils.get(pupil=world.in_class)
    e_pupil = meeting.pupils.get(pupil=world.other_class)
    with pytest.raises(MeetingError, match="local authority"):
        apply_decision(discussion=k_pupil, by=world.senco, kind="raise_status", status="E")
    with pytest.raises(MeetingError, match="local authority"):
        apply_decision(discussion=e_pupil, by=world.senco, kind="lower_status", status="K")


def test_a_referral_is_a_decided_concern_linked_to_the_meeting(world, discussion):
    decision = apply_decision(
        discussion=discussion, by=world.senco, kind="refer", area="slc", summary="Speech sounds: ask the SaLT"
    )
    concern = decision.concern
    assert concern.decision == Concern.Decision.REFER and concern.decided_on == TODAY
    assert concern.raised_on == TODAY and concern.decision_reasons == "Speech sounds: ask the SaLT"
    assert decision.sen_status is None  # already on SEN support: a referral keeps it
    assert _events("concern decision", record_id=str(concern.pk)).exists()


def test_an_ehc_needs_assessment_request_raises_monitoring_to_sen_support(world, discussion):
    apply_decision(discussion=discussion, by=world.senco, kind="lower_status", status="M")
    decision = apply_decision(
        discussion=discussion,
        by=world.senco,
        kind="request_ehc",
        area="cognition",
        summary="Little progress in 2 years",
    )
    assert decision.concern.decision == Concern.Decision.REQUEST_EHC
    assert decision.sen_status.status == SenStatus.SEN_SUPPORT
    world.in_class.refresh_from_db()
    assert world.in_class.sen_status == SenStatus.SEN_SUPPORT


def test_an_ehc_needs_assessment_request_opens_the_deadlines_request_from_the_meeting_day(world, discussion):
    decision = apply_decision(
        discussion=discussion, by=world.senco, kind="request_ehc", area="cognition", summary="Little progress"
    )
    request = EhcAssessmentRequest.objects.get(pupil=world.in_class)
    assert decision.ehc_request == request
    assert request.requested_on == TODAY and request.requested_by == EhcAssessmentRequest.RequestedBy.SCHOOL
    assert _events("EHC assessment request", record_id=str(request.pk), actor=world.senco).exists()
    assert _decision_event(decision).changes["ehc_request"] == [None, request.pk]
    assert not apply_decision(
        discussion=discussion, by=world.senco, kind="refer", area="slc", summary="SaLT"
    ).ehc_request


def test_a_request_the_deadlines_cannot_take_undoes_the_whole_decision(world, discussion):
    """A request on the meeting's day is recorded already, or the meeting is after `today`."""
    EhcAssessmentRequest.objects.create(pupil=world.in_class, requested_on=TODAY)
    before = AuditEvent.objects.count()
    with pytest.raises(MeetingError, match="recorded already"):
        apply_decision(discussion=discussion, by=world.senco, kind="request_ehc", area="slc", summary="Why")
    EhcAssessmentRequest.objects.all().delete()
    with pytest.raises(MeetingError, match="cannot be in the future"):
        apply_decision(
            discussion=discussion,
            by=world.senco,
            kind="request_ehc",
            area="slc",
            summary="Why",
            today=TODAY - dt.timedelta(days=1),
        )
    assert not Concern.objects.exists() and not Decision.objects.exists()
    assert not EhcAssessmentRequest.objects.exists() and AuditEvent.objects.count() == before


def test_a_referral_without_reasons_leaves_no_concern_behind(world, discussion):
    with pytest.raises(MeetingError, match="Enter the reasons"):
        apply_decision(discussion=discussion, by=world.senco, kind="refer", area="slc", summary=" ")
    with pytest.raises(MeetingError, match="area of need"):
        apply_decision(discussion=discussion, by=world.senco, kind="refer", area="", summary="Why")
    assert not Concern.objects.exists() and not Decision.objects.exists()


def test_a_failure_inside_the_owning_service_undoes_the_whole_decision(world, discussion, monkeypatch):
    """identification.decide fails after raise_concern wrote its concern: neither survives."""
    from trellis.identification import services as identification

    def fail(**kwargs):
        raise identification.IdentificationError("The register is locked")

    monkeypatch.setattr(identification, "decide", fail)
    before = AuditEvent.objects.count()
    with pytest.raises(MeetingError, match="The register is locked"):
        apply_decision(discussion=discussion, by=world.senco, kind="request_ehc", area="slc", summary="Why")
    assert not Concern.objects.exists() and not Decision.objects.exists()
    assert AuditEvent.objects.count() == before


# --- Preparation: the five questions ------------------------------------------------------------


def test_the_period_under_review_starts_after_the_last_meeting_or_a_term_before():
    held = dt.date(2026, 11, 18)
    assert period_start(None, held) == dt.date(2026, 8, 19)  # 13 weeks
    assert period_start(dt.date(2026, 7, 8), held) == dt.date(2026, 7, 9)
    assert period_start(held, held) == dt.date(2026, 8, 19)  # the same day is not "before"


def test_attendance_is_a_percentage_of_sessions_possible():
    assert attendance_percent(171, 180) == Decimal("95.0")
    assert attendance_percent(2, 3) == Decimal("66.7")
    assert attendance_percent(0, 0) is None


def test_preparation_answers_the_five_questions_for_the_period(world, discussion, enrolment):
    on_track = make_target(world.in_class, description="On track", starts_on=_today() - dt.timedelta(days=100))
    stuck = make_target(world.in_class, description="Stuck", starts_on=_today() - dt.timedelta(days=100))
    for days in (40, 10):
        add_review(stuck, "2c", date=_today() - dt.timedelta(days=days))
    add_review(on_track, "2a", date=_today() - dt.timedelta(days=5))
    new = make_target(world.in_class, description="New", starts_on=_today() - dt.timedelta(days=3))
    prep = prepare(discussion)
    assert prep.since == TODAY - dt.timedelta(weeks=13) and prep.until == TODAY  # 19 Aug to 18 Nov 2026
    assert [label for label, _ in prep.areas] == ["Cognition and learning"]
    assert [r.value for _, r in prep.reviews] == ["2c", "2c", "2a"]
    assert new in prep.new_targets and on_track not in prep.new_targets
    assert [t.description for t in prep.behind] == ["Stuck"]
    assert [e for e, _ in prep.provision] == [enrolment]
