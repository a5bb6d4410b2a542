"""Need to know (trellis.pupils.access) called directly, at its edges: the day a share or a class
ends, last year's classes, the office's grant, aggregates and school pages. test_access.py walks
the same rules through every page and API path; this file is the fast one mutation testing runs."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from trellis.accounts.models import Membership, User
from trellis.pupils import access
from trellis.pupils.models import ExternalShare, GroupMembership, Pupil
from trellis.schools.models import AcademicYear, GroupStaff, TeachingGroup

from need_to_know import SEN_RECORD_VISIBLE, VISIBLE

pytestmark = pytest.mark.dates


def fresh(user):
    """The user as the next request loads them (the scope is cached on the object)."""
    return User.objects.get(pk=user.pk)


def names(world, pupils) -> set[str]:
    by_pk = {getattr(world, name).pk: name for name in ("in_class", "other_class", "confidential", "expired_share")}
    by_pk |= {world.pupil_b.pk: "pupil_b", world.pupil_c.pk: "pupil_c"}
    return {by_pk[p.pk] for p in pupils}


def test_every_role_sees_exactly_its_pupils_records_and_register(world):
    for role, visible in VISIBLE.items():
        user = getattr(world, role)
        assert names(world, Pupil.objects.visible_to(user)) == SEN_RECORD_VISIBLE[role], role
        assert names(world, Pupil.objects.visible_to(user, register=True)) == visible, role


def test_a_signed_out_or_deactivated_user_sees_nobody(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Pupil.objects.visible_to(AnonymousUser()).exists()
    User.objects.filter(pk=world.senco.pk).update(is_active=False)
    assert not Pupil.objects.visible_to(fresh(world.senco)).exists()


def test_the_office_sees_sen_records_only_with_the_grant_of_its_own_school(world):
    Membership.objects.filter(user=world.administrator).update(sees_sen_records=True)
    assert names(world, Pupil.objects.visible_to(fresh(world.administrator))) == VISIBLE["administrator"]
    # A grant held in another role (a teacher's membership flag) opens nothing.
    Membership.objects.filter(user=world.teacher).update(sees_sen_records=True)
    assert names(world, Pupil.objects.visible_to(fresh(world.teacher))) == {"in_class"}


def test_a_share_gives_access_to_its_last_day_and_not_after(world):
    today = timezone.localdate()
    share = world.other_class.shares.get()
    for expires_on, visible in [(today, True), (today - dt.timedelta(days=1), False)]:
        ExternalShare.objects.filter(pk=share.pk).update(expires_on=expires_on)
        assert Pupil.objects.visible_to(fresh(world.specialist)).filter(pk=world.other_class.pk).exists() is visible


def test_a_share_with_another_specialist_gives_this_one_nothing(world):
    other = User.objects.create_user(username="otherspecialist", password="x" * 20)
    Membership.objects.create(user=other, school=world.school_a, role="specialist")
    assert not Pupil.objects.visible_to(other).exists()


def test_class_membership_counts_from_its_first_day_to_its_last(world):
    membership = world.in_class.group_memberships.get()
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    for starts_on, ends_on, visible in [
        (today, today, True),
        (today + day, None, False),  # joins tomorrow
        (None, today - day, False),  # left yesterday
        (today - day, today + day, True),
    ]:
        GroupMembership.objects.filter(pk=membership.pk).update(starts_on=starts_on, ends_on=ends_on)
        seen = Pupil.objects.visible_to(fresh(world.teacher)).filter(pk=world.in_class.pk).exists()
        assert seen is visible, (starts_on, ends_on)


def test_last_years_class_gives_no_access_and_next_years_none_yet(world):
    this_year = world.school_a.academic_years.get()
    year = dt.timedelta(days=365)
    last_year = AcademicYear.objects.create(
        school=world.school_a,
        name="last",
        starts_on=this_year.starts_on - year,
        ends_on=this_year.starts_on - dt.timedelta(days=1),
    )
    next_year = AcademicYear.objects.create(
        school=world.school_a,
        name="next",
        starts_on=this_year.ends_on + dt.timedelta(days=1),
        ends_on=this_year.ends_on + year,
    )
    for group_year in (last_year, next_year):
        group = TeachingGroup.objects.create(
            school=world.school_a, academic_year=group_year, name=f"3B {group_year.name}"
        )
        GroupStaff.objects.create(group=group, user=world.other_teacher, role=GroupStaff.Role.TEACHER)
        GroupMembership.objects.create(pupil=world.in_class, group=group)  # never ended
    assert names(world, Pupil.objects.visible_to(fresh(world.other_teacher))) == VISIBLE["other_teacher"]
    # The years' first and last days: a class counts on both.
    for day in (this_year.starts_on, this_year.ends_on):
        seen = Pupil.objects.filter(access.visible_pupil_filter(fresh(world.teacher), day)).filter(pk=world.in_class.pk)
        assert seen.exists(), day


def test_get_pupil_for_user_is_404_for_unseen_and_malformed_ids(world):
    assert access.get_pupil_for_user(world.teacher, world.in_class.pk) == world.in_class
    assert access.get_pupil_for_user(world.teacher, str(world.in_class.pk)) == world.in_class
    for pupil_id in (world.other_class.pk, "abc", None, 10**9):
        with pytest.raises(Http404):
            access.get_pupil_for_user(world.teacher, pupil_id)
    with pytest.raises(Http404):
        access.get_pupil_for_user(world.administrator, world.in_class.pk)  # the SEN record, without the grant
    assert access.get_pupil_for_user(world.administrator, world.in_class.pk, register=True) == world.in_class


def test_aggregates_count_the_whole_school_for_school_wide_roles_and_own_pupils_otherwise(world):
    a, b = world.school_a.pk, world.school_b.pk
    school_a = {"in_class", "other_class", "confidential", "expired_share"}
    for role, schools, counted in [
        ("senco", {a}, school_a),
        ("head", {a}, school_a),
        ("governor", {a}, school_a),
        ("administrator", {a}, school_a),
        ("trustlead", {a, b}, school_a | {"pupil_b"}),
        ("superuser", {a}, school_a),
        ("teacher", {a}, {"in_class"}),
        ("other_teacher", {a}, {"other_class", "expired_share"}),
        ("specialist", {a}, {"other_class"}),
        ("senco", {a, b}, school_a),  # B: nobody they may see
        ("outsider", {a}, set()),
    ]:
        user = getattr(world, role)
        assert names(world, Pupil.objects.filter(access.aggregate_filter(user, schools))) == counted, (role, schools)
    taught = GroupMembership.objects.filter(access.aggregate_filter(world.teacher, {a}, prefix="pupil__"))
    assert {m.pupil_id for m in taught} == {world.in_class.pk}


def test_whole_schools_is_true_only_where_every_pupil_counts(world):
    a, b = world.school_a.pk, world.school_b.pk
    for role, schools, whole in [
        ("senco", {a}, True),
        ("governor", {a}, True),
        ("trustlead", {a, b}, True),
        ("superuser", {a, b}, True),
        ("senco", {a, b}, False),
        ("teacher", {a}, False),
        ("ta", {a}, False),
        ("specialist", {a}, False),
    ]:
        assert access.whole_schools(getattr(world, role), schools) is whole, (role, schools)


def test_school_pages_open_to_the_roles_that_may_see_them(world):
    a, b, c = world.school_a, world.school_b, world.school_c
    for role, aggregates, registers in [
        ("senco", {a}, {a}),
        ("teacher", {a}, {a}),
        ("governor", {a}, set()),
        ("specialist", set(), {a}),
        ("administrator", {a}, {a}),
        ("trustlead", {a, b}, {a, b}),
        ("outsider", {c}, {c}),
        ("superuser", {a, b, c}, {a, b, c}),
    ]:
        user = getattr(world, role)
        assert set(access.schools_for_aggregates(user)) == aggregates, role
        assert set(access.schools_with_pupil_access(user)) == registers, role


def test_get_school_for_user_takes_only_a_urn_of_digits_they_may_open(world):
    assert access.get_school_for_user(world.governor, "100001", pupils=False) == world.school_a
    assert access.get_school_for_user(world.teacher, "100001", pupils=True) == world.school_a
    for user, urn, pupils in [
        (world.governor, "100001", True),  # no register for a governor
        (world.specialist, "100001", False),  # no aggregates for a specialist
        (world.senco, "100002", False),  # another school
        (world.superuser, "10000１", False),  # a full-width digit is not a URN
        (world.superuser, "100001\x00", False),
        (world.superuser, "123456789", False),  # nine digits: longer than any URN
    ]:
        with pytest.raises(Http404):
            access.get_school_for_user(user, urn, pupils=pupils)
    school = world.school_a
    school.urn = "12345678"  # eight digits is still a URN
    school.save()
    assert access.get_school_for_user(world.superuser, "12345678", pupils=False) == school


@pytest.mark.parametrize(
    ("role", "manage", "grant", "confidential", "names_shown"),
    [
        ("senco", True, True, True, True),
        ("administrator", False, False, False, True),
        ("head", False, False, True, True),
        ("teacher", False, False, False, True),
        ("ta", False, False, False, True),
        ("governor", False, False, False, False),
        ("specialist", False, False, False, False),
        ("trustlead", False, False, False, True),
        ("outsider", False, False, False, False),
        ("superuser", True, True, True, True),
    ],
)
def test_policy_for_each_role_at_school_a(world, role, manage, grant, confidential, names_shown):
    user = getattr(world, role)
    school = world.school_a
    assert access.may_manage_sen_record(user, world.in_class) is manage
    assert access.may_see_audit(user, world.in_class) is manage  # the SENCO's too
    assert access.may_grant_office_access(user, school.pk) is grant
    assert access.sees_confidential(user, school) is confidential
    assert access.sees_names(user, school) is names_shown
    assert access.sees_names(user, school.pk) is names_shown


def test_sees_sen_record_follows_the_office_grant(world):
    assert access.sees_sen_record(world.teacher, world.in_class)
    assert not access.sees_sen_record(world.teacher, world.other_class)
    assert not access.sees_sen_record(world.administrator, world.in_class)


def test_the_scope_is_read_once_per_user_object(world, django_assert_num_queries):
    user = fresh(world.trustlead)
    with django_assert_num_queries(3):  # memberships, trust memberships, the trust's schools
        scope = access.scope_for(user)
    with django_assert_num_queries(0):
        assert access.scope_for(user) is scope
    assert scope.trust_school_ids == {world.school_a.pk, world.school_b.pk}
    teacher = fresh(world.teacher)
    with django_assert_num_queries(2):  # no trust: no schools to look up
        access.scope_for(teacher)


def test_prefixed_keeps_negation_and_nesting():
    from django.db.models import Q

    q = access.prefixed(~(Q(school_id=1) | Q(pk__in=[2])), "pupil__")
    assert q == ~(Q(pupil__school_id=1) | Q(pupil__pk__in=[2]))


def test_a_malformed_urn_is_refused_even_if_a_school_had_it(world):
    from trellis.schools.models import School

    School.objects.filter(pk=world.school_b.pk).update(urn="10000b")
    # Nine digits is one more than the column holds (PostgreSQL refuses to store it), so it is only asked.
    for urn in ("10000b", "123456789"):
        with pytest.raises(Http404):
            access.get_school_for_user(world.superuser, urn, pupils=False)


def test_a_school_comes_with_its_trust_and_region_in_one_query(world, django_assert_num_queries):
    user = fresh(world.senco)
    access.scope_for(user)
    with django_assert_num_queries(1):
        school = access.get_school_for_user(user, "100001", pupils=False)
        assert (school.trust.name, school.region.name) == ("Test Trust", "North")


def test_a_pupil_fetched_for_the_register_does_not_open_the_sen_record(world, django_assert_num_queries):
    office = fresh(world.administrator)
    pupil = access.get_pupil_for_user(office, world.in_class.pk, register=True)
    assert access.sees_sen_record(office, pupil) is False  # asked, not remembered from the register
    teacher = fresh(world.teacher)
    pupil = access.get_pupil_for_user(teacher, world.in_class.pk)
    with django_assert_num_queries(0):  # remembered from the SEN-record fetch, with its school and need
        assert access.sees_sen_record(teacher, pupil) is True
        assert (pupil.school.urn, pupil.primary_need.code) == ("100001", "SLCN")
