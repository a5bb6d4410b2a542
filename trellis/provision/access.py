"""Who sees which provision, built on trellis.pupils.access (the one choke point for pupils).

- Anyone who may see a pupil sees that pupil's enrolments.
- The member of staff who delivers a group sees it and its pupils (not confidential ones,
  unless they could see them anyway), even when the pupils are not in their class.
- The SENCO manages the catalogue, groups (and changes them: may_edit_group) and imports; the deliverer and the SENCO log
  sessions, results and the group's review; a class's teachers and the SENCO keep its
  quality first teaching strategies.
- Governors see aggregates only, with small numbers suppressed (trellis.lib.disclosure).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from trellis.accounts.models import Role
from trellis.pupils.access import WHOLE_SCHOOL_ROLES, scope_for, visible_pupil_filter
from trellis.pupils.models import Pupil
from trellis.schools.models import School

from .models import Enrolment, InterventionGroup


def enrolment_filter(user) -> Q:
    """A Q on Enrolment: the enrolments `user` may see."""
    scope = scope_for(user)
    if scope.superuser:
        return Q()
    seen = Q(pupil__in=Pupil.objects.filter(visible_pupil_filter(user)).values("pk"))
    if user.is_authenticated:
        schools = scope.schools_with({Role.TEACHER, Role.TA, Role.SENCO, Role.SENIOR_LEADER})
        seen |= Q(group__staff=user, pupil__is_confidential=False, group__intervention__school_id__in=schools)
    return seen


def visible_enrolments(user):
    return Enrolment.objects.filter(enrolment_filter(user))


def visible_groups(user, school: School | None = None):
    """Every group for the SENCO and senior leaders; otherwise groups the user delivers or in which
    they may see at least one pupil."""
    groups = InterventionGroup.objects.all()
    if school is not None:
        groups = groups.filter(intervention__school=school)
    if scope_for(user).superuser:
        return groups
    scope = scope_for(user)
    delivered = Q(staff=user) & Q(intervention__school_id__in=scope.roles.keys())
    whole_school = Q(intervention__school_id__in=scope.schools_with(WHOLE_SCHOOL_ROLES))
    return groups.filter(delivered | whole_school | Q(pk__in=visible_enrolments(user).values("group_id"))).distinct()


def get_group_for_user(user, group_id: int | str) -> InterventionGroup:
    try:
        return visible_groups(user).select_related("intervention__school", "staff").get(pk=int(group_id))
    except (InterventionGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group") from None


def may_manage_provision(user, school: School | int) -> bool:
    """Catalogue, groups, enrolments and imports: the SENCO (and senior leaders)."""
    return scope_for(user).has_role(school, WHOLE_SCHOOL_ROLES)


def may_record_for_group(user, group: InterventionGroup) -> bool:
    """Sessions, attendance, exit data and the review: whoever delivers the group, and the SENCO."""
    return (group.staff_id is not None and group.staff_id == user.pk) or may_manage_provision(
        user, group.intervention.school_id
    )


def may_edit_group(user, group: InterventionGroup) -> bool:
    """A group's staff, dates, schedule, funding and pupils (joining, leaving, entry, target, exit):
    the SENCO and senior leaders, who plan provision and its money. Not the deliverer: they record
    sessions and exit data (may_record_for_group), but do not redraw the group."""
    return may_manage_provision(user, group.intervention.school_id)


def may_edit_qft(user, teaching_group) -> bool:
    scope = scope_for(user)
    if scope.has_role(teaching_group.school_id, WHOLE_SCHOOL_ROLES):
        return True
    return scope.has_role(teaching_group.school_id, {Role.TEACHER}) and teaching_group.staff.filter(user=user).exists()
