"""Who may see and change progress meetings. Reads of pupils go through trellis.pupils.access (the
choke point); each write rule here is `may_<action>(user, record)`, asked by the views, the
templates and the tests alike.

- The SENCO and teachers schedule meetings; the SENCO, senior leaders, whoever scheduled a
  meeting and the staff attending it record it, for the pupils they may see.
- Decisions about targets: as for writing plans (the SENCO and teachers). Decisions about
  provision: the SENCO and senior leaders (who manage the provision map). The register
  (SEN status, referral, EHC needs assessment request): the SENCO only.
- An action's owner, and anyone who may record its meeting, marks it done.
"""

from __future__ import annotations

from django.http import Http404

from trellis.accounts.models import Role
from trellis.pupils.access import WHOLE_SCHOOL_ROLES, get_pupil_for_user, scope_for, sees_sen_record, works_with
from trellis.schools.models import School

from .models import Action, Decision, Meeting, MeetingPupil

SCHEDULERS = {Role.SENCO, Role.TEACHER}
RECORDERS = {Role.SENCO, Role.SENIOR_LEADER, Role.TEACHER, Role.TA}
TARGET_KINDS = {Decision.Kind.NEW_TARGET, Decision.Kind.CHANGE_TARGET}
REGISTER_KINDS = {
    Decision.Kind.RAISE_STATUS,
    Decision.Kind.LOWER_STATUS,
    Decision.Kind.REFER,
    Decision.Kind.REQUEST_EHC,
}


def may_schedule_meeting(user, school: School | int) -> bool:
    return scope_for(user).has_role(school, SCHEDULERS)


def may_record_meeting(user, meeting: Meeting) -> bool:
    """Invite, and record the meeting's discussions (each only for pupils this user may see)."""
    scope = scope_for(user)
    if scope.has_role(meeting.school_id, WHOLE_SCHOOL_ROLES):
        return True
    if not scope.has_role(meeting.school_id, RECORDERS):
        return False
    return meeting.scheduled_by_id == user.pk or meeting.staff.filter(pk=user.pk).exists()


def may_record_discussion(user, discussion: MeetingPupil) -> bool:
    return may_record_meeting(user, discussion.meeting) and sees_sen_record(user, discussion.pupil)


def may_add_reason(user, school: School | int) -> bool:
    """Add a reason for slow progress to the school's list: the SENCO."""
    return scope_for(user).has_role(school, {Role.SENCO})


def decision_kinds(user, discussion: MeetingPupil) -> list[str]:
    """The decisions this user may make for this pupil at this meeting, in the list's order."""
    if not may_record_discussion(user, discussion):
        return []
    pupil = discussion.pupil
    allowed = set()
    if works_with(user, pupil, {Role.SENCO, Role.TEACHER}):
        allowed |= TARGET_KINDS
    if works_with(user, pupil, WHOLE_SCHOOL_ROLES):
        allowed |= set(Decision.PROVISION_KINDS)
    if works_with(user, pupil, {Role.SENCO}):
        allowed |= REGISTER_KINDS
    return [kind for kind in Decision.Kind.values if kind in allowed]


def may_decide(user, discussion: MeetingPupil) -> bool:
    """Make at least one kind of decision for this pupil (which: `decision_kinds`)."""
    return bool(decision_kinds(user, discussion))


def may_complete_action(user, action: Action) -> bool:
    if action.owner_id is not None and action.owner_id == user.pk:
        return sees_sen_record(user, action.discussion.pupil)
    return may_record_discussion(user, action.discussion)


# --- Reads --------------------------------------------------------------------------------------


def get_meeting_for_user(user, meeting_id: int | str) -> Meeting:
    """A meeting about a pupil this user may see, or one they attend; otherwise 404."""
    try:
        return Meeting.objects.visible_to(user).select_related("school", "teaching_group").get(pk=int(meeting_id))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No such meeting") from None


def get_discussion_for_user(user, meeting_id: int | str, pupil_id: int | str) -> MeetingPupil:
    """The pupil's part of a meeting, through the pupil choke point (404 outside need to know)."""
    pupil = get_pupil_for_user(user, pupil_id)
    try:
        discussion = MeetingPupil.objects.select_related("meeting__school").get(meeting_id=int(meeting_id), pupil=pupil)
    except (MeetingPupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such meeting") from None
    discussion.pupil = pupil
    return discussion
