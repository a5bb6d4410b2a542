"""Need to know: the one place that decides who may see which pupils and which school pages.

Every pupil-scoped view and API call gets its pupil through `get_pupil_for_user` or lists
pupils through `Pupil.objects.visible_to(user)`, so no view can forget the rules:

- SENCO and senior leaders: every pupil of their school, confidential ones included.
- The school office (administrators): the register of every pupil of their school except
  confidential ones (names, pupil details, SEN status, needs, EHC plan dates: what they keep and
  send in the census), not plans, targets, evidence, concerns or provision, unless the SENCO grants
  them the SEN records (`Membership.sees_sen_records`, set through `set_office_access`, audited).
- Teachers and TAs: pupils currently in the groups they teach or support, not confidential.
- Trust leaders: every pupil of every school of their trust, not confidential.
- External specialists: only pupils shared with them, until the share expires, not confidential.
- Governors: no pupil at all; aggregate pages of their school only.
- Superusers (the Django administrators of the installation): everything, audited like anyone.
- Parents and carers (`trellis.families.Carer`): only their own children, on the family pages
  (`get_child_for_user`, or `visible_to(user, family=True)`), while their link is not restricted
  and the child is on roll. Never the staff pages: those show concerns and staff-only notes.

Anything outside these rules is a 404, so a page never reveals that a pupil exists. Pages and
API calls that show only the register entry pass `register=True`; everything else asks for the SEN
record (the default).

Writes: each app's `access.py` holds its `may_<action>(user, record)` rules (this module the SEN
record's). A rule about a pupil's record starts from `works_with`: a role at the pupil's school and
need to know, so a write is never allowed where the read is not. Views, the API and templates
(`{% may "action" record as allowed %}`, trellis/pupils/templatetags/policy.py) all ask them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from trellis.accounts.models import Role
from trellis.schools.models import School

WHOLE_SCHOOL_ROLES = {Role.SENCO, Role.SENIOR_LEADER}
OPEN_PUPILS_ROLES = {Role.ADMINISTRATOR}
CLASS_ROLES = {Role.TEACHER, Role.TA}
AGGREGATE_ROLES = {Role.SENCO, Role.SENIOR_LEADER, Role.ADMINISTRATOR, Role.TEACHER, Role.TA, Role.GOVERNOR}


@dataclass
class Scope:
    """A user's roles, read once per request and kept on the user object."""

    superuser: bool = False
    roles: dict[int, set[str]] = field(default_factory=dict)  # school id -> roles there
    trust_ids: set[int] = field(default_factory=set)
    trust_school_ids: set[int] = field(default_factory=set)
    office_grants: set[int] = field(default_factory=set)  # schools where the SENCO let the office see SEN records
    seen: dict[int, bool] = field(default_factory=dict)  # pupil id -> SEN record visible (asked once a request)
    user_id: int | None = None
    _children: set[int] | None = None

    @property
    def children(self) -> set[int]:
        """Pupils this user is an active parent or carer of: asked once a request, and only by the
        pages and rules that need it, so staff pages ask no extra query."""
        if self._children is None:
            from trellis.families.models import Carer, active_links

            links = Carer.objects.filter(active_links(timezone.localdate()), user_id=self.user_id)
            self._children = set(links.values_list("pupil_id", flat=True)) if self.user_id else set()
        return self._children

    def schools_with(self, roles: set[str]) -> set[int]:
        return {school for school, held in self.roles.items() if held & roles}

    def has_role(self, school: School | int, roles: set[str]) -> bool:
        school_id = school if isinstance(school, int) else school.pk
        return self.superuser or bool(self.roles.get(school_id, set()) & roles)


def scope_for(user) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_trellis_scope", None)
    if cached is None:
        cached = Scope(superuser=user.is_superuser)
        for school_id, role, granted in user.memberships.values_list("school_id", "role", "sees_sen_records"):
            cached.roles.setdefault(school_id, set()).add(role)
            if granted and role in OPEN_PUPILS_ROLES:
                cached.office_grants.add(school_id)
        cached.trust_ids = set(user.trust_memberships.values_list("trust_id", flat=True))
        if cached.trust_ids:
            cached.trust_school_ids = set(
                School.objects.filter(trust_id__in=cached.trust_ids).values_list("pk", flat=True)
            )
        cached.user_id = user.pk
        user._trellis_scope = cached
    return cached


def visible_pupil_filter(user, today: dt.date | None = None, *, register: bool = False, family: bool = False) -> Q:
    """A Q on Pupil selecting exactly the pupils whose SEN record `user` may see (with
    register=True: whose register entry they may see, which adds the school office; with
    family=True: adds a parent's or carer's own children, for the family pages and the API)."""
    from .models import ExternalShare, GroupMembership

    scope = scope_for(user)
    if scope.superuser:
        return Q()
    today = today or timezone.localdate()
    allowed = Q(pk__in=sorted(scope.children)) if family else Q(pk__in=[])
    if schools := scope.schools_with(WHOLE_SCHOOL_ROLES):
        allowed |= Q(school_id__in=schools)
    office = scope.schools_with(OPEN_PUPILS_ROLES)
    open_schools = (office if register else office & scope.office_grants) | scope.trust_school_ids
    if open_schools:
        allowed |= Q(school_id__in=open_schools, is_confidential=False)
    if schools := scope.schools_with(CLASS_ROLES):
        taught = GroupMembership.objects.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=today),
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            group__staff__user=user,
            group__academic_year__starts_on__lte=today,
            group__academic_year__ends_on__gte=today,
        ).values("pupil_id")
        allowed |= Q(school_id__in=schools, is_confidential=False, pk__in=taught)
    if schools := scope.schools_with({Role.SPECIALIST}):
        shared = ExternalShare.objects.filter(specialist=user, expires_on__gte=today).values("pupil_id")
        allowed |= Q(school_id__in=schools, is_confidential=False, pk__in=shared)
    return allowed


def prefixed(q: Q, prefix: str) -> Q:
    """The same conditions on a related model: prefixed(Q(school_id=1), "pupil__") -> Q(pupil__school_id=1)."""
    copy = Q(_connector=q.connector, _negated=q.negated)
    copy.children = [prefixed(c, prefix) if isinstance(c, Q) else (prefix + c[0], c[1]) for c in q.children]
    return copy


def _whole_school_ids(scope: Scope, schools: set[int]) -> set[int]:
    """Those of `schools` where the user holds a school-wide role (not only teaching or visiting)."""
    if scope.superuser:
        return set(schools)
    return {
        pk
        for pk in schools
        if pk in scope.trust_school_ids or scope.roles.get(pk, set()) - CLASS_ROLES - {Role.SPECIALIST, Role.PARENT}
    }


def whole_schools(user, schools: set[int]) -> bool:
    """True when this user's aggregates cover every pupil of each of these schools."""
    return _whole_school_ids(scope_for(user), schools) == set(schools)


def aggregate_filter(user, schools: set[int], prefix: str = "", today: dt.date | None = None) -> Q:
    """The pupils of `schools` that count in this user's aggregates (numbers, never names): the
    whole school where they hold a school-wide role (SENCO, leader, administrator, governor, the
    trust), and elsewhere only the pupils they may see (a teacher's dashboard is their pupils)."""
    scope = scope_for(user)
    if scope.superuser:
        return prefixed(Q(school_id__in=schools), prefix)
    whole = _whole_school_ids(scope, schools)
    if whole == set(schools):
        return prefixed(Q(school_id__in=schools), prefix)
    allowed = Q(school_id__in=whole) | visible_pupil_filter(user, today) if whole else visible_pupil_filter(user, today)
    return prefixed(Q(school_id__in=schools) & allowed, prefix)


def get_pupil_for_user(user, pupil_id: int | str, *, register: bool = False, family: bool = False):
    """The pupil, if `user` may see their SEN record (or, with register=True, their register
    entry; with family=True, also a parent's or carer's own child, for the API's register fields);
    otherwise 404 (never 403: do not reveal existence)."""
    from .models import Pupil

    try:
        pupil = (
            Pupil.objects.visible_to(user, register=register, family=family)
            .select_related("school", "primary_need")
            .get(pk=int(pupil_id))
        )
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None
    if not register:
        remember_visible(user, [pupil])
    return pupil


def get_child_for_user(user, pupil_id: int | str):
    """A parent's or carer's own child (active link, on roll); otherwise 404, as for any pupil."""
    from .models import Pupil

    scope = scope_for(user)
    try:
        pupil_id = int(pupil_id)
    except (ValueError, TypeError):
        raise Http404("No such pupil") from None
    if pupil_id not in scope.children:
        raise Http404("No such pupil")
    return Pupil.objects.select_related("school", "primary_need").get(pk=pupil_id)


def get_own_record_for_user(user):
    """A pupil's own record, for their own sign-in (trellis.families.PupilLogin) while it is active:
    the school allows pupils' sign-ins for their year and they are on roll. Anyone else: 404."""
    from trellis.families.models import PupilLogin

    link = PupilLogin.objects.select_related("pupil__school", "pupil__primary_need").filter(user_id=user.pk).first()
    if link is None or not link.is_active(timezone.localdate()):
        raise Http404("No such page")
    return link.pupil


def children_of(user):
    """The pupils this user is an active parent or carer of (none for staff)."""
    from .models import Pupil

    return Pupil.objects.filter(pk__in=sorted(scope_for(user).children)).select_related("school")


def remember_visible(user, pupils) -> None:
    """Note that these pupils came through `Pupil.objects.visible_to(user)` (SEN record, not
    register), so the write rules asked about each of them on one page ask no more queries."""
    scope = scope_for(user)
    scope.seen.update(dict.fromkeys((pupil.pk for pupil in pupils), True))


def schools_for_aggregates(user):
    """Schools whose aggregate (no names) pages this user may open."""
    scope = scope_for(user)
    if scope.superuser:
        return School.objects.all()
    ids = scope.schools_with(AGGREGATE_ROLES) | scope.trust_school_ids
    return School.objects.filter(pk__in=ids)


def schools_with_pupil_access(user):
    """Schools where this user may open the register (which then lists only their pupils)."""
    scope = scope_for(user)
    if scope.superuser:
        return School.objects.all()
    ids = scope.schools_with(WHOLE_SCHOOL_ROLES | OPEN_PUPILS_ROLES | CLASS_ROLES | {Role.SPECIALIST})
    return School.objects.filter(pk__in=ids | scope.trust_school_ids)


def get_school_for_user(user, urn: str, *, pupils: bool) -> School:
    """The school by URN if the user may open its aggregate pages (or, with pupils=True, its register)."""
    if not (urn.isascii() and urn.isdigit() and len(urn) <= 8):  # a URN is digits (no NUL for PostgreSQL)
        raise Http404("No such school")
    schools = schools_with_pupil_access(user) if pupils else schools_for_aggregates(user)
    school = schools.select_related("trust", "region").filter(urn=urn).first()
    if school is None:
        raise Http404("No such school")
    return school


def sees_sen_record(user, pupil) -> bool:
    """Whether this user may see the pupil's SEN record: plans, concerns, evidence and provision
    (everyone who may see the pupil, except the office without the SENCO's grant). Asked once a request."""
    from .models import Pupil

    scope = scope_for(user)
    if pupil.pk not in scope.seen:
        scope.seen[pupil.pk] = Pupil.objects.visible_to(user).filter(pk=pupil.pk).exists()
    return scope.seen[pupil.pk]


def works_with(user, pupil, roles: set[str]) -> bool:
    """Holds one of `roles` at the pupil's school and may see the pupil's SEN record: where every
    write rule about a pupil's record starts. `Role.PARENT` means an active parent or carer of this
    pupil (never anyone else, not even a superuser, speaks for the family)."""
    scope = scope_for(user)
    if Role.PARENT in roles and pupil.pk in scope.children:
        return True
    staff = set(roles) - {Role.PARENT}
    return bool(staff) and scope.has_role(pupil.school_id, staff) and sees_sen_record(user, pupil)


def only_specialist(user) -> bool:
    """An external specialist and nothing else here: their start page is the list of pupils shared
    with them (trellis.specialists), across every school they visit, not any one school's pages."""
    scope = scope_for(user)
    held = set().union(*scope.roles.values()) if scope.roles else set()
    return held == {Role.SPECIALIST} and not scope.trust_ids and not scope.superuser


def sees_confidential(user, school: School | int) -> bool:
    """Whether lists of this school's pupils (an import's preview) may name confidential pupils."""
    return scope_for(user).has_role(school, WHOLE_SCHOOL_ROLES)


def may_manage_sen_record(user, pupil) -> bool:
    """Change SEN status, needs, EHC dates, confidentiality and sharing: the SENCO."""
    return works_with(user, pupil, {Role.SENCO})


def may_grant_office_access(user, school: School | int) -> bool:
    """Let the school office see SEN records (plans, evidence, concerns): the SENCO."""
    return scope_for(user).has_role(school, {Role.SENCO})


def may_see_audit(user, pupil) -> bool:
    """The 'who has viewed or changed this record' list: the SENCO."""
    return works_with(user, pupil, {Role.SENCO})


def sees_names(user, school: School | int) -> bool:
    """False for someone who only has aggregate access here (a governor): suppress small numbers."""
    scope = scope_for(user)
    return scope.has_role(school, WHOLE_SCHOOL_ROLES | OPEN_PUPILS_ROLES | CLASS_ROLES) or (
        (school if isinstance(school, int) else school.pk) in scope.trust_school_ids
    )
