"""Who may change what: every `may_*` rule of the apps' access modules as a table, role x action x
record, the way tests/test_access.py checks reads. The expected table is written by hand."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import timezone
from fixtures_progress import add_review, make_target

from trellis.accounts.models import Membership, Role
from trellis.documents.models import Draft, Release
from trellis.evidence.models import EvidenceNote
from trellis.families.models import Carer
from trellis.identification.models import Concern, StaffViewRequest
from trellis.meetings.models import Action, Meeting, MeetingPupil
from trellis.provision.models import Intervention, InterventionGroup
from trellis.pupils.models import GroupMembership
from trellis.pupils.templatetags.policy import may, rules
from trellis.schools.models import School, TeachingGroup
from trellis.specialists.models import Advice, Recommendation

from conftest import make_pupil, make_user

ROLES = [
    "senco",
    "head",
    "teacher",  # teaches 4B: `own` is in 4B, `not_taught` in 4C
    "ta",  # supports 4B, delivers the `own_school` intervention group
    "office",  # the school office, without the SENCO's grant of SEN records
    "office_granted",  # the school office with it
    "specialist",  # `not_taught` is shared with them
    "trustlead",
    "governor",
    "superuser",
    "parent",  # mother of `own`
]
PUPIL_RECORDS = ["own", "not_taught", "other_school", "leaver"]  # leaver: school A, left 30 days ago
SCHOOL_RECORDS = ["own_school", "other_school"]
WHOLE = "own not_taught leaver"  # every pupil of school A
EVERY = "own not_taught other_school leaver"
BOTH = "own_school other_school"

# action -> {role: the records they may do it to}; a role not listed may do it to none.
# Every record of a pupil here (review, note, concern, request for a view) was written by the teacher.
EXPECTED: dict[str, dict[str, str]] = {
    "write_plan": {"senco": WHOLE, "teacher": "own", "superuser": EVERY},
    "edit_plan": {"senco": WHOLE, "teacher": "own", "superuser": EVERY},
    "edit_target": {"senco": WHOLE, "teacher": "own", "superuser": EVERY},
    "roll_over": {"senco": WHOLE, "teacher": "own", "superuser": EVERY},
    "review": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "ta": "own", "superuser": EVERY},
    "correct_review": {"senco": WHOLE, "teacher": "own", "superuser": EVERY},
    "record_evidence": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "ta": "own", "superuser": EVERY},
    "record_voice": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "ta": "own", "superuser": EVERY},
    "record_weekly": {
        "senco": WHOLE,
        "head": WHOLE,
        "teacher": "own",
        "ta": "own",
        "office_granted": WHOLE,
        "superuser": EVERY,
    },
    # Suspensions and exclusions: the SENCO and senior leaders record them (teachers of the pupil see them).
    "record_exclusion": {"senco": WHOLE, "head": WHOLE, "superuser": EVERY},
    "change_note": {"senco": WHOLE, "teacher": "own", "superuser": EVERY},
    "raise_concern": {
        "senco": WHOLE,
        "head": WHOLE,
        "teacher": "own",
        "ta": "own",
        "office_granted": WHOLE,
        "superuser": EVERY,
    },
    "record_others_concern": {"senco": WHOLE, "superuser": EVERY},
    "manage_concern": {"senco": WHOLE, "superuser": EVERY},
    "correct_concern": {"senco": WHOLE, "teacher": "own", "superuser": EVERY},
    "answer_view": {"teacher": "own"},  # asked of the teacher: nobody else answers for them
    "manage_sen_record": {"senco": WHOLE, "superuser": EVERY},
    "see_audit": {"senco": WHOLE, "superuser": EVERY},
    "record_deadlines": {"senco": WHOLE, "superuser": EVERY},
    # School-wide actions: the record is the school.
    "grant_office_access": {"senco": "own_school", "superuser": BOTH},
    "import": {"senco": "own_school", "office": "own_school", "office_granted": "own_school", "superuser": BOTH},
    "export_ctf": {"senco": "own_school", "office": "own_school", "office_granted": "own_school", "superuser": BOTH},
    # A transition package brings a pupil's whole SEN record: the SENCO's, not the office's.
    "import_transition": {"senco": "own_school", "superuser": BOTH},
    "add_scale": {"senco": "own_school", "superuser": BOTH},
    "set_competent_ranges": {"senco": "own_school", "superuser": BOTH},
    "enter_benchmark": {"senco": "own_school", "superuser": BOTH},
    # Boxall: staff who assess, for pupils whose SEN record they see (the teacher: their class; the TA: 4B).
    "record_boxall": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "ta": "own", "superuser": EVERY},
    "record_assessments": {
        "senco": "own_school",
        "head": "own_school",
        "teacher": "own_school",
        "ta": "own_school",
        "superuser": BOTH,
    },
    "import_weeks": {
        "senco": "own_school",
        "head": "own_school",
        "office": "own_school",
        "office_granted": "own_school",
        "superuser": BOTH,
    },
    "see_smart_list": {"senco": "own_school", "superuser": BOTH},
    "manage_provision": {"senco": "own_school", "head": "own_school", "superuser": BOTH},
    # The record is an intervention group (the TA delivers school A's) or a class (the teacher teaches 4B).
    "record_for_group": {"senco": "own_school", "head": "own_school", "ta": "own_school", "superuser": BOTH},
    # Changing a group's staff, dates, funding and pupils: not its deliverer (the TA).
    "edit_group": {"senco": "own_school", "head": "own_school", "superuser": BOTH},
    "edit_qft": {"senco": "own_school", "head": "own_school", "teacher": "own_school", "superuser": BOTH},
    # Progress meetings: each pupil's meeting was scheduled by the SENCO with the teacher attending.
    "schedule_meeting": {"senco": "own_school", "teacher": "own_school", "superuser": BOTH},
    "add_reason": {"senco": "own_school", "superuser": BOTH},
    "record_meeting": {"senco": WHOLE, "head": WHOLE, "teacher": WHOLE, "superuser": EVERY},  # attends them all
    "record_discussion": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "superuser": EVERY},
    "decide": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "superuser": EVERY},
    "complete_action": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "superuser": EVERY},  # owned by the teacher
    # Families: the SENCO manages who is linked; only the parent speaks for the family (not even a superuser).
    "manage_family": {"senco": WHOLE, "superuser": EVERY},
    "give_views": {"parent": "own"},
    "answer_plan": {"parent": "own"},
    "give_consent": {"parent": "own"},
    # Specialists: advice by a specialist the pupil is shared with (`not_taught`), while the share lasts;
    # referrals and what a recommendation becomes: the SENCO.
    "add_advice": {"specialist": "not_taught", "superuser": EVERY},
    "manage_referrals": {"senco": WHOLE, "superuser": EVERY},
    "adopt_recommendation": {"senco": WHOLE, "superuser": EVERY},
    # Pupils' own sign-in: school A allows it from Year 4 (school B does not); never for a leaver.
    "manage_pupil_sign_in": {"senco": "own_school", "superuser": BOTH},
    "give_sign_in": {"senco": "own not_taught", "superuser": "own not_taught"},
    # School documents (trellis/documents/access.py). The governors' report adds up every pupil of the
    # school: only those whose aggregates cover the whole school, never a teacher, TA or specialist.
    "open_governors_report": {
        "senco": "own_school",
        "head": "own_school",
        "office": "own_school",
        "office_granted": "own_school",
        "trustlead": BOTH,
        "governor": "own_school",
        "superuser": BOTH,
    },
    "see_information_report_draft": {"senco": "own_school", "head": "own_school", "superuser": BOTH},
    "write_information_report": {"senco": "own_school", "superuser": BOTH},
    # Documents: staff who work with the pupil draft; the SENCO and senior leaders release and send.
    "draft_document": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "ta": "own", "superuser": EVERY},
    "edit_draft": {"senco": WHOLE, "head": WHOLE, "teacher": "own", "ta": "own", "superuser": EVERY},
    "release_document": {"senco": WHOLE, "head": WHOLE, "superuser": EVERY},
    "send_document": {"senco": WHOLE, "head": WHOLE, "superuser": EVERY},
    "batch_documents": {
        "senco": "own_school",
        "head": "own_school",
        "teacher": "own_school",
        "ta": "own_school",
        "superuser": BOTH,
    },
}
SCHOOL_ACTIONS = {
    "grant_office_access",
    "import",
    "import_transition",
    "export_ctf",
    "add_scale",
    "set_competent_ranges",
    "enter_benchmark",
    "record_assessments",
    "import_weeks",
    "see_smart_list",
    "manage_provision",
    "schedule_meeting",
    "add_reason",
    "manage_pupil_sign_in",
    "open_governors_report",
    "see_information_report_draft",
    "write_information_report",
    "batch_documents",
}
# The object each pupil-level action is asked about.
PUPIL_OBJECT = {
    "write_plan": "pupil",
    "edit_plan": "plan",
    "edit_target": "target",
    "roll_over": "target",
    "review": "target",
    "correct_review": "review",
    "record_evidence": "pupil",
    "record_voice": "pupil",
    "record_weekly": "pupil",
    "record_exclusion": "pupil",
    "record_boxall": "pupil",
    "change_note": "note",
    "raise_concern": "pupil",
    "record_others_concern": "pupil",
    "manage_concern": "concern",
    "correct_concern": "concern",
    "answer_view": "view_request",
    "manage_sen_record": "pupil",
    "see_audit": "pupil",
    "record_meeting": "meeting",
    "record_discussion": "discussion",
    "decide": "discussion",
    "complete_action": "action",
    "record_deadlines": "pupil",
    "manage_family": "pupil",
    "give_views": "plan",
    "answer_plan": "plan",
    "give_consent": "pupil",
    "add_advice": "pupil",
    "manage_referrals": "pupil",
    "adopt_recommendation": "recommendation",
    "give_sign_in": "pupil",
    "draft_document": "pupil",
    "edit_draft": "draft",
    "release_document": "draft",
    "send_document": "release",
}


def _pupil_records(world, pupil) -> SimpleNamespace:
    today = timezone.localdate()
    target = make_target(pupil)
    draft = Draft.objects.create(pupil=pupil, kind="parent-report", created_by=world.senco)
    concern = Concern.objects.create(
        pupil=pupil, area="cognition", what_seen="Reverses b and d", raised_by=world.teacher
    )
    meeting = Meeting.objects.create(school=pupil.school, kind="pupil", held_on=today, scheduled_by=world.senco)
    meeting.staff.set([world.teacher])
    discussion = MeetingPupil.objects.create(meeting=meeting, pupil=pupil)
    return SimpleNamespace(
        meeting=meeting,
        discussion=discussion,
        action=Action.objects.create(discussion=discussion, text="Word mat", owner=world.teacher, due_on=today),
        pupil=pupil,
        plan=target.plan,
        target=target,
        review=add_review(target, "2b", by=world.teacher),
        note=EvidenceNote.objects.create(
            pupil=pupil, date=today, learning_objective="Phonics", activity="a", outcome="b", recorded_by=world.teacher
        ),
        concern=concern,
        draft=draft,
        # An earlier draft, released (the bytes stand in for a PDF: the rule looks at the pupil only).
        release=Release.objects.create(
            draft=Draft.objects.create(pupil=pupil, kind="parent-report"),
            pupil=pupil,
            kind="parent-report",
            title="Report for parents and carers",
            number=1,
            html="<p>Report</p>",
            pdf=b"%PDF-1.7",
            sha256="0" * 64,
            released_by_name="senco",
        ),
        view_request=StaffViewRequest.objects.create(concern=concern, staff=world.teacher, requested_by=world.senco),
        recommendation=Recommendation.objects.create(
            advice=Advice.objects.create(pupil=pupil, service="ep", seen_on=today, summary="s"), position=1, text="r"
        ),
    )


@pytest.fixture
def records(world):
    today = timezone.localdate()
    left = today - dt.timedelta(days=30)
    leaver = make_pupil(world.school_a, surname="Leaver", group=world.class_4b, left_on=left)
    GroupMembership.objects.filter(pupil=leaver).update(ends_on=left)
    world.office = world.administrator
    world.office_granted = make_user("office2", school=world.school_a, role=Role.ADMINISTRATOR)
    Membership.objects.filter(user=world.office_granted).update(sees_sen_records=True)
    world.parent = make_user("parent")
    Carer.objects.create(user=world.parent, pupil=world.in_class, relationship="mother")
    School.objects.filter(pk=world.school_a.pk).update(pupil_sign_in=True, pupil_sign_in_from_year=4)
    for pupil in (world.in_class, world.other_class, leaver):
        pupil.school.refresh_from_db()
    pupils = {"own": world.in_class, "not_taught": world.other_class, "other_school": world.pupil_b, "leaver": leaver}
    class_b = TeachingGroup.objects.create(
        school=world.school_b, academic_year=world.school_b.academic_years.get(), name="4X", nc_year=4
    )
    groups = {}
    for key, school, staff in (("own_school", world.school_a, world.ta), ("other_school", world.school_b, None)):
        intervention = Intervention.objects.create(school=school, name="Reading catch-up")
        groups[key] = InterventionGroup.objects.create(intervention=intervention, staff=staff, starts_on=today)
    return SimpleNamespace(
        pupil={key: _pupil_records(world, pupil) for key, pupil in pupils.items()},
        school={"own_school": world.school_a, "other_school": world.school_b},
        group=groups,
        teaching_group={"own_school": world.class_4b, "other_school": class_b},
    )


def _record(records, action: str, key: str):
    if action in PUPIL_OBJECT:
        return getattr(records.pupil[key], PUPIL_OBJECT[action])
    if action in {"record_for_group", "edit_group"}:
        return records.group[key]
    if action == "edit_qft":
        return records.teaching_group[key]
    return records.school[key]


def test_the_table_covers_every_write_rule():
    assert set(rules()) == set(EXPECTED)
    assert SCHOOL_ACTIONS | set(PUPIL_OBJECT) | {"record_for_group", "edit_group", "edit_qft"} == set(EXPECTED)


@pytest.mark.dates  # classes of this academic year; the leaver left 30 days ago
@pytest.mark.parametrize("action", EXPECTED)
def test_write_policy_table(world, records, action):
    keys = PUPIL_RECORDS if action in PUPIL_OBJECT else SCHOOL_RECORDS
    rule = rules()[action]
    allowed = {}
    for role in ROLES:
        user = getattr(world, role)
        found = {key for key in keys if rule(user, _record(records, action, key))}
        if found:
            allowed[role] = found
    expected = {role: set(keys.split()) for role, keys in EXPECTED[action].items()}
    assert allowed == expected


def test_a_decided_concern_is_corrected_by_the_senco_only(world, records):
    concern = records.pupil["own"].concern
    concern.decision, concern.decided_on = Concern.Decision.MONITOR, timezone.localdate()
    assert may(world.senco, "correct_concern", concern)
    assert not may(world.teacher, "correct_concern", concern)


def test_a_recommendation_is_made_a_strategy_or_target_once(world, records):
    recommendation = records.pupil["own"].recommendation
    recommendation.became = Recommendation.Became.STRATEGY
    assert not may(world.senco, "adopt_recommendation", recommendation)


def test_a_closed_target_is_not_rolled_over(world, records):
    target = records.pupil["own"].target
    target.closed_on = timezone.localdate()
    assert not may(world.senco, "roll_over", target)
    assert may(world.senco, "edit_target", target)


def test_the_template_tag_asks_the_same_rule_and_names_an_unknown_one(world, records):
    request = RequestFactory().get("/")
    template = Template('{% load policy %}{% may "correct_review" review as ok %}{{ ok }}')
    for user, shown in ((world.teacher, "True"), (world.ta, "False")):
        request.user = user
        context = Context({"request": request, "review": records.pupil["own"].review})
        assert template.render(context) == shown
    with pytest.raises(TemplateSyntaxError, match="may_edit_everything"):
        Template('{% load policy %}{% may "edit_everything" review as ok %}').render(
            Context({"request": request, "review": None})
        )
