"""Scheduling and recording pupil progress meetings. Each function is one transaction that writes
its audit; a decision changes the plan, the provision map or the register through that app's own
service, inside the same transaction, so a decision is applied whole or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date

from trellis.accounts.models import Membership, Role
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.deadlines import services as deadlines
from trellis.deadlines.models import EhcAssessmentRequest, SupportReview
from trellis.identification import services as identification
from trellis.identification.models import AreaOfNeed, Concern
from trellis.plans import services as plans
from trellis.plans.models import Plan, Target
from trellis.provision import services as provision
from trellis.provision.models import Enrolment
from trellis.pupils import services as register
from trellis.pupils.models import GroupMembership, Pupil, SenStatus, SenStatusEntry

from .models import Action, Decision, Meeting, MeetingPupil, SlowProgressReason

# Staff who may attend (and own actions): those who work with pupils at the school.
ATTENDING_ROLES = {Role.SENCO, Role.TEACHER, Role.TA, Role.SENIOR_LEADER}
STATUS_RANK = identification.STATUS_RANK
DAY = "j F Y"


class MeetingError(ValueError):
    """A change the meeting cannot take; the message says what and where."""


def _user(by):
    return by if by is not None and by.is_authenticated else None


def _day(date: dt.date) -> str:
    return format_date(date, DAY)


def initials(pupil: Pupil) -> str:
    """What an email may say about a pupil: initials, never a name or a need."""
    return f"{pupil.forename[:1]}{pupil.surname[:1]}".upper()


def class_pupils(group, on: dt.date) -> QuerySet[Pupil]:
    """The pupils in a class on a date (a class meeting discusses each of them)."""
    current = GroupMembership.objects.filter(group=group, starts_on__isnull=True) | GroupMembership.objects.filter(
        group=group, starts_on__lte=on
    )
    current = current.exclude(ends_on__lt=on).values("pupil_id")
    return Pupil.objects.filter(pk__in=current).on_roll(on)


def staff_of(school) -> QuerySet:
    """Users who may attend a meeting at the school and own its actions."""
    from trellis.accounts.models import User

    members = Membership.objects.filter(school=school, role__in=ATTENDING_ROLES).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("last_name", "first_name", "username")


# --- Scheduling ---------------------------------------------------------------------------------


@transaction.atomic
def schedule_meeting(
    *,
    school,
    by,
    kind: str,
    held_on: dt.date,
    pupils: Iterable[Pupil] = (),
    staff: Iterable = (),
    teaching_group=None,
    starts_at: dt.time | None = None,
    place: str = "",
    notes: str = "",
    via: str = "web",
) -> Meeting:
    """A termly meeting for a class (its pupils on the day who are on the SEN register or being
    monitored), a group of pupils or one pupil, with
    the named staff attending. Audited once for each pupil it will discuss."""
    if kind not in Meeting.Kind.values:
        raise MeetingError("Choose whether the meeting is for a class, a group of pupils or one pupil")
    pupils = list(pupils)
    if kind == Meeting.Kind.CLASS:
        if teaching_group is None or teaching_group.school_id != school.pk:
            raise MeetingError("Choose the class the meeting is for")
        in_class = class_pupils(teaching_group, held_on).filter(school=school)
        pupils = list(in_class.exclude(sen_status=SenStatus.NONE).order_by("pk"))
        if not pupils:
            raise MeetingError(f"{teaching_group} has no pupils on the SEN register or monitored on {_day(held_on)}")
    elif not pupils:
        raise MeetingError("Choose the pupils the meeting is for")
    elif kind == Meeting.Kind.PUPIL and len(pupils) != 1:
        raise MeetingError(f"A meeting for one pupil discusses one pupil, not {len(pupils)}")
    if others := [p for p in pupils if p.school_id != school.pk]:
        raise MeetingError(f"{len(others)} of the pupils chosen are not at {school}")
    staff = list(staff)
    allowed = set(staff_of(school).values_list("pk", flat=True))
    if outside := [str(user) for user in staff if user.pk not in allowed]:
        raise MeetingError(f"{', '.join(outside)} do(es) not work at {school}: choose staff of the school")
    meeting = Meeting.objects.create(
        school=school,
        kind=kind,
        teaching_group=teaching_group if kind == Meeting.Kind.CLASS else None,
        held_on=held_on,
        starts_at=starts_at,
        place=place.strip(),
        notes=notes.strip(),
        scheduled_by=_user(by),
    )
    meeting.staff.set(staff)
    MeetingPupil.objects.bulk_create(MeetingPupil(meeting=meeting, pupil=p) for p in pupils)
    audit.record_for_each(
        pupils=pupils,
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="progress meeting",
        record_id=meeting.pk,
        summary=f"Progress meeting scheduled for {_day(held_on)}",
        changes={"held_on": [None, held_on.isoformat()], "staff": [None, [u.get_username() for u in staff]]},
        via=via,
    )
    return meeting


def invitation_text(meeting: Meeting, link: str) -> tuple[str, str]:
    """The email's subject and body: when, where, who by initials, and a link that needs sign-in.
    No pupil's name or need leaves the system by email."""
    when = _day(meeting.held_on) + (f" at {meeting.starts_at:%H:%M}" if meeting.starts_at else "")
    who = ", ".join(sorted(initials(mp.pupil) for mp in meeting.pupils.select_related("pupil")))
    body = [f"You are invited to a pupil progress meeting at {meeting.school} on {when}."]
    if meeting.place:
        body.append(f"Place: {meeting.place}")
    body += [f"Pupils (initials): {who}", "", f"Sign in to Trellis to prepare: {link}"]
    return f"Pupil progress meeting on {when}", "\n".join(body)


@transaction.atomic
def send_invitations(*, meeting: Meeting, by, link: str, via: str = "web") -> list[str]:
    """Email every attending member of staff who has an address; returns the addresses written to."""
    subject, body = invitation_text(meeting, link)
    addresses = [user.email for user in meeting.staff.all() if user.email]
    if not addresses:
        raise MeetingError("None of the staff attending has an email address: add one to their account first")
    for address in addresses:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    meeting.invited_at = timezone.now()
    meeting.save(update_fields=["invited_at"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="meeting invitation",
        school=meeting.school_id,
        record_id=meeting.pk,
        summary=f"Invitation emailed to {len(addresses)} member(s) of staff",
        via=via,
    )
    return addresses


# --- The record of a pupil's discussion ---------------------------------------------------------

DISCUSSION_FIELDS = ["parent_attended", "parent_names", "pupil_attended", "discussion", "reason_notes"]


@transaction.atomic
def record_discussion(
    *,
    record: MeetingPupil,
    by,
    reasons: Sequence[SlowProgressReason] = (),
    today: dt.date | None = None,
    via: str = "web",
    **fields,
) -> dict:
    """Save a pupil's discussion, who came and the reasons for slow progress (from the school's
    list, plus free text). Returns (and audits) {field: [old, new]}. A pupil on SEN support whose
    parent came has had a SEN support review that counts (trellis.deadlines), recorded once."""
    if unknown := set(fields) - set(DISCUSSION_FIELDS):
        raise MeetingError(f"Unknown discussion fields: {', '.join(sorted(unknown))}")
    offered = set(SlowProgressReason.objects.for_school(record.meeting.school).values_list("pk", flat=True))
    if stray := [r.text for r in reasons if r.pk not in offered]:
        raise MeetingError(f"Reasons not on this school's list: {', '.join(stray)}")
    before = audit.snapshot(record, fields) | {"reasons": sorted(record.reasons.values_list("text", flat=True))}
    for name, value in fields.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    record.full_clean(exclude=["meeting", "pupil", "recorded_by"])
    record.recorded_by, record.recorded_at = _user(by), timezone.now()
    record.save()
    record.reasons.set(reasons)
    after = audit.snapshot(record, fields) | {"reasons": sorted(r.text for r in reasons)}
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="progress meeting discussion",
            pupil=record.pupil,
            record_id=record.meeting_id,
            changes=changes,
            via=via,
        )
    _support_review(record, by=by, today=today or timezone.localdate(), via=via)
    return changes


def _support_review(record: MeetingPupil, *, by, today: dt.date, via: str) -> None:
    """The meeting counts as a SEN support review when a parent took part; the record has no
    'invited' answer, so a parent who did not come records nothing (the SENCO can record it)."""
    held_on, pupil = record.meeting.held_on, Pupil.objects.get(pk=record.pupil_id)
    if not record.parent_attended or pupil.sen_status != SenStatus.SEN_SUPPORT or held_on > today:
        return
    if not SupportReview.objects.filter(pupil=pupil, held_on=held_on).exists():
        deadlines.record_support_review(
            pupil=pupil, by=_user(by), held_on=held_on, parent=SupportReview.Parent.TOOK_PART, today=today, via=via
        )


@transaction.atomic
def add_reason(*, school, by, text: str, via: str = "web") -> SlowProgressReason:
    """The school adds a reason to the trust's list (offered only at this school)."""
    text = " ".join(text.split())
    if not text:
        raise MeetingError("Enter the reason")
    if SlowProgressReason.objects.for_school(school).filter(text__iexact=text).exists():
        raise MeetingError(f"“{text}” is already on the list")
    reason = SlowProgressReason.objects.create(school=school, text=text)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="slow progress reason",
        school=school,
        record_id=reason.pk,
        summary=text,
        via=via,
    )
    return reason


# --- Actions ------------------------------------------------------------------------------------


@transaction.atomic
def add_action(
    *, discussion: MeetingPupil, by, text: str, due_on: dt.date, owner=None, owner_parent: str = "", via: str = "web"
) -> Action:
    """An action agreed for the pupil: owned by a member of staff, or by a parent named in words."""
    text, owner_parent = text.strip(), owner_parent.strip()
    if not text:
        raise MeetingError("Enter what will be done")
    if (owner is None) == (not owner_parent):
        raise MeetingError("Give the action one owner: a member of staff or a parent, not both")
    meeting = discussion.meeting
    if owner is not None and not staff_of(meeting.school).filter(pk=owner.pk).exists():
        raise MeetingError(f"{owner} does not work at {meeting.school}: choose a member of its staff")
    if due_on < meeting.held_on:
        raise MeetingError(f"The due date cannot be before the meeting ({_day(meeting.held_on)})")
    action = Action.objects.create(
        discussion=discussion, text=text, owner=owner, owner_parent=owner_parent, due_on=due_on, created_by=_user(by)
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="meeting action",
        pupil=discussion.pupil,
        record_id=action.pk,
        summary=f"{text[:200]} (owner {action.owner_name}, due {due_on:%d/%m/%Y})",
        via=via,
    )
    return action


@transaction.atomic
def complete_action(*, action: Action, by, done_on: dt.date | None, via: str = "web") -> Action:
    """Mark an action done on a date (None: not done after all)."""
    if done_on is not None and done_on < action.discussion.meeting.held_on:
        raise MeetingError("An action cannot be done before the meeting that agreed it")
    old = action.done_on
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="meeting action",
        pupil=action.discussion.pupil,
        record_id=action.pk,
        summary=action.text[:200],
        changes=audit.diff({"done_on": old}, {"done_on": done_on}),
        via=via,
    )
    return action


def open_actions_for(user, today: dt.date) -> list[Action]:
    """The user's open actions, soonest due first, about pupils they may still see (the home
    page's to-do list calls this). Each has `overdue` set for `today`. Two queries."""
    visible = Pupil.objects.visible_to(user).values("pk")
    actions = list(
        Action.objects.open()
        .filter(owner=user, discussion__pupil__in=visible)
        .select_related("discussion__pupil", "discussion__meeting", "owner")
        .order_by("due_on", "pk")
    )
    for action in actions:
        action.overdue = action.is_overdue(today)
    return actions


# --- Decisions ----------------------------------------------------------------------------------


@dataclass
class NewTarget:
    plan: Plan
    description: str
    area: str
    scale: object
    baseline_value: str
    target_value: str
    target_date: dt.date | None


@transaction.atomic
def apply_decision(
    *,
    discussion: MeetingPupil,
    by,
    kind: str,
    summary: str = "",
    enrolment: Enrolment | None = None,
    extend_to: dt.date | None = None,
    adapted: str = "",
    target: Target | None = None,
    new_target: NewTarget | None = None,
    changes: dict | None = None,
    status: str = "",
    area: str = "",
    today: dt.date | None = None,
    via: str = "web",
) -> Decision:
    """Make a decision and apply it in one step through the owning service (provision, plans,
    register, identification); the decision links the record it changed, and an audit event
    links the change back to the meeting. Any error undoes all of it. A request for an EHC needs
    assessment also starts the deadlines' request record, made by the school on the meeting's date."""
    if kind not in Decision.Kind.values:
        raise MeetingError("Choose what was decided")
    pupil = Pupil.objects.select_for_update().get(pk=discussion.pupil_id)
    meeting = discussion.meeting
    on = meeting.held_on
    decision = Decision(discussion=discussion, kind=kind, decided_by=_user(by))
    try:
        if kind in Decision.PROVISION_KINDS:
            words = _provision(decision, pupil, on, by, enrolment, extend_to, adapted, via)
        elif kind == Decision.Kind.NEW_TARGET:
            words = _new_target(decision, pupil, on, by, new_target, via)
        elif kind == Decision.Kind.CHANGE_TARGET:
            words = _change_target(decision, pupil, by, target, changes or {}, via)
        elif kind in (Decision.Kind.RAISE_STATUS, Decision.Kind.LOWER_STATUS):
            words = _status(decision, pupil, on, by, status, summary, via)
        else:
            words = _identification(decision, pupil, on, by, area, summary, via)
            if kind == Decision.Kind.REQUEST_EHC:
                decision.ehc_request = deadlines.start_request(
                    pupil=pupil,
                    by=by,
                    requested_on=on,
                    requested_by=EhcAssessmentRequest.RequestedBy.SCHOOL,
                    today=today or timezone.localdate(),
                    via=via,
                )
    except (
        plans.PlanError,
        register.RegisterError,
        identification.IdentificationError,
        deadlines.DeadlineError,
    ) as error:
        raise MeetingError(str(error)) from error
    decision.summary = (summary.strip() or words)[:300]
    decision.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="meeting decision",
        pupil=pupil,
        record_id=decision.pk,
        summary=f"{decision.get_kind_display()} at the progress meeting of {_day(on)}: {decision.summary}"[:300],
        changes={"meeting": [None, meeting.pk], "kind": [None, kind]}
        | ({"ehc_request": [None, decision.ehc_request_id]} if decision.ehc_request_id else {}),
        via=via,
    )
    return decision


def _provision(decision, pupil, on, by, enrolment, extend_to, adapted, via) -> str:
    if enrolment is None or enrolment.pupil_id != pupil.pk:
        raise MeetingError("Choose one of the pupil's interventions")
    group = enrolment.group
    name = group.intervention.name
    ends = enrolment.ends_on
    decision.enrolment = enrolment
    kind = decision.kind
    if ends is not None and ends < on and kind != Decision.Kind.EXTEND:
        raise MeetingError(f"{name} ended on {_day(ends)}, before the meeting: extend it to start it again")
    if kind == Decision.Kind.CONTINUE:
        return f"Continue {name}" + (f" until {_day(ends)}" if ends else "")
    if kind == Decision.Kind.EXTEND:
        if extend_to is None:
            raise MeetingError(f"Enter the date {name} is extended to")
        if extend_to <= max(on, ends or on):
            raise MeetingError(
                f"The new end date must be after {_day(max(on, ends or on))} (the meeting or the current end)"
            )
        provision.enrol(group=group, pupil=pupil, by=by, ends_on=extend_to, via=via)
        return f"Extend {name} until {_day(extend_to)}"
    if kind == Decision.Kind.ADAPT:
        adapted = adapted.strip()
        if not adapted:
            raise MeetingError(f"Say how {name} will be adapted")
        provision.enrol(group=group, pupil=pupil, by=by, target_description=adapted, via=via)
        return f"Adapt {name}: {adapted}"
    if on < enrolment.starts_on:
        raise MeetingError(f"{name} starts on {_day(enrolment.starts_on)}, after the meeting: it cannot stop before")
    provision.enrol(group=group, pupil=pupil, by=by, ends_on=on, via=via)
    return f"Stop {name} from {_day(on)}"


def _new_target(decision, pupil, on, by, new, via) -> str:
    if new is None or new.plan is None or new.plan.pupil_id != pupil.pk:
        raise MeetingError("Choose the plan the new target belongs to")
    if new.plan.state != Plan.State.ACTIVE:
        raise MeetingError("New targets go on the pupil's active plan: make the plan active first")
    if not new.description.strip():
        raise MeetingError("Enter the new target")
    decision.target = plans.save_target(
        plan=new.plan,
        by=by,
        description=new.description.strip(),
        area=new.area,
        scale=new.scale,
        baseline_value=new.baseline_value,
        target_value=new.target_value,
        starts_on=on,
        target_date=new.target_date,
        via=via,
    )
    return f"New target: {decision.target.description}"


TARGET_CHANGES = {"description", "target_value", "target_date"}


def _change_target(decision, pupil, by, target, changes, via) -> str:
    if target is None or target.pupil_id != pupil.pk or target.closed_on is not None:
        raise MeetingError("Choose one of the pupil's open targets")
    version = changes.get("version")
    changes = {k: v for k, v in changes.items() if k in TARGET_CHANGES and v not in (None, "")}
    if not changes:
        raise MeetingError("Enter what changes: the target, the value to reach or the review date")
    decision.target = plans.save_target(plan=target.plan, target=target, by=by, version=version, via=via, **changes)
    return f"Changed target: {decision.target.description}"


def _status(decision, pupil, on, by, status, summary, via) -> str:
    if status not in SenStatus.values:
        raise MeetingError("Choose the new SEN status")
    if SenStatus.EHC_PLAN in (status, pupil.sen_status):
        raise MeetingError(
            "Only the local authority issues or ends an EHC plan: record it on the pupil's EHC plan page"
        )
    higher = STATUS_RANK[SenStatus(status)] > STATUS_RANK[SenStatus(pupil.sen_status)]
    lower = STATUS_RANK[SenStatus(status)] < STATUS_RANK[SenStatus(pupil.sen_status)]
    wanted = higher if decision.kind == Decision.Kind.RAISE_STATUS else lower
    if not wanted:
        direction = "higher" if decision.kind == Decision.Kind.RAISE_STATUS else "lower"
        raise MeetingError(f"{SenStatus(status).label} is not {direction} than {pupil.get_sen_status_display()}")
    old = pupil.get_sen_status_display()
    decision.sen_status = register.set_sen_status(
        pupil=pupil,
        status=status,
        starts_on=on,
        by=by,
        reason=f"Progress meeting {on:%d/%m/%Y}: {summary.strip()}"[:300],
        source=SenStatusEntry.Source.MANUAL,
        via=via,
    )
    return f"SEN status changed from {old} to {SenStatus(status).label}"


def _identification(decision, pupil, on, by, area, summary, via) -> str:
    """A referral or an EHC needs assessment request goes through identification: a concern
    recorded from the meeting and decided at once, which writes the register when it must."""
    choice = Concern.Decision.REFER if decision.kind == Decision.Kind.REFER else Concern.Decision.REQUEST_EHC
    if not summary.strip():
        raise MeetingError(f"Enter the reasons to {choice.label.lower()}")
    if area not in AreaOfNeed.values:
        raise MeetingError("Choose the area of need")
    concern = identification.raise_concern(
        pupil=pupil, by=by, area=area, what_seen=f"Raised at the progress meeting of {_day(on)}", raised_on=on, via=via
    )
    decision.concern = concern
    decision.sen_status = identification.decide(
        concern=concern, by=by, decision=choice, reasons=summary.strip(), decided_on=on, via=via
    )
    return choice.label
