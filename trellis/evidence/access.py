"""Who may add and change evidence (reads: trellis.pupils.access). Each rule takes the user and the
record, and starts from need to know (`works_with`)."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import scope_for, works_with
from trellis.schools.models import School

from .models import EvidenceNote

# Who may add evidence about a pupil they can see: the school's teaching staff and leaders.
EVIDENCE_ROLES = {Role.SENCO, Role.SENIOR_LEADER, Role.TEACHER, Role.TA}
# Weekly behaviour and attendance is often kept by the office too.
WEEKLY_ROLES = EVIDENCE_ROLES | {Role.ADMINISTRATOR}
# Importing a whole school's weeks: the SENCO, senior leaders and the office.
IMPORT_ROLES = {Role.SENCO, Role.SENIOR_LEADER, Role.ADMINISTRATOR}
# Suspensions and exclusions are decided by the head teacher: the SENCO and senior leaders record them.
EXCLUSION_ROLES = {Role.SENCO, Role.SENIOR_LEADER}


def may_record_evidence(user, pupil) -> bool:
    """Add an evidence note or the pupil's voice."""
    return works_with(user, pupil, EVIDENCE_ROLES)


def may_record_voice(user, pupil) -> bool:
    """Start the pupil's voice page with them (locking the tablet to it) and save their answers."""
    return may_record_evidence(user, pupil)


def may_record_weekly(user, pupil) -> bool:
    """Record a week of behaviour and attendance."""
    return works_with(user, pupil, WEEKLY_ROLES)


def may_record_exclusion(user, pupil) -> bool:
    """Record or correct a suspension or permanent exclusion (everyone who sees the pupil sees them)."""
    return works_with(user, pupil, EXCLUSION_ROLES)


def may_change_note(user, note: EvidenceNote) -> bool:
    """Whoever wrote a note may change it; the SENCO may change any."""
    return may_record_evidence(user, note.pupil) and (
        note.recorded_by_id == user.pk or works_with(user, note.pupil, {Role.SENCO})
    )


def may_import_weeks(user, school: School | int) -> bool:
    """Upload a CSV of weeks for the whole school."""
    return scope_for(user).has_role(school, IMPORT_ROLES)
