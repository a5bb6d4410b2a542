"""Need to know (trellis.pupils.access) called directly, at its edges: the day a share or a class
ends, last year's classes, the office's grant, aggregates and school pages. test_access.py walks
the same rules through every page and API path; this file is the fast one mutation testing runs."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from trellis.accounts.models import Membership, TrustMembership, User
from trellis.families.models import Carer, PupilLogin
from trellis.pupils import access
from trellis.pupils.models import ExternalShare, GroupMembership, Pupil
from trellis.schools.models import AcademicYear, GroupStaff, School, TeachingGroup, Trust

from conftest import make_pupil, make_user
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


# Parents, carers and pupils' own sign-ins: the family rules called directly (test_families_access.py
# and test_pupil_sign_in.py walk them through every page; too slow for each mutant to run).


@pytest.fixture
def family(world):
    """`mum` is the mother of `in_class` and of `pupil_b` (at school B); `dad`'s link to
    `in_class` is restricted by a court order."""
    world.mum = make_user("mum")
    world.dad = make_user("dad")
    Carer.objects.create(user=world.mum, pupil=world.in_class, relationship="mother")
    Carer.objects.create(user=world.mum, pupil=world.pupil_b, relationship="mother")
    Carer.objects.create(user=world.dad, pupil=world.in_class, relationship="father", restricted=True)
    return world


def test_a_parent_opens_their_own_children_and_nobody_else(family, django_assert_num_queries):
    mum = fresh(family.mum)
    assert access.get_child_for_user(mum, family.in_class.pk) == family.in_class
    assert access.get_child_for_user(mum, str(family.pupil_b.pk)) == family.pupil_b
    for pupil_id in (family.other_class.pk, family.confidential.pk, "abc", None, 10**9):
        with pytest.raises(Http404):
            access.get_child_for_user(mum, pupil_id)
    with django_assert_num_queries(1):  # the child, with their school and need (the links were read once)
        child = access.get_child_for_user(mum, family.in_class.pk)
        assert (child.school.urn, child.primary_need.code) == ("100001", "SLCN")


def test_a_restricted_link_or_a_child_who_has_left_opens_nothing(family):
    with pytest.raises(Http404):
        access.get_child_for_user(fresh(family.dad), family.in_class.pk)
    today = timezone.localdate()
    for left_on, opens in [(today + dt.timedelta(days=1), True), (today, False)]:  # access ends on the leaving day
        Pupil.objects.filter(pk=family.pupil_b.pk).update(left_on=left_on)
        assert (
            {p.pk for p in access.children_of(fresh(family.mum))} == {family.in_class.pk, family.pupil_b.pk}
        ) is opens


def test_children_of_lists_a_parents_children_with_their_schools_and_nobody_for_staff(
    family, django_assert_num_queries
):
    mum = fresh(family.mum)
    access.scope_for(mum)
    with django_assert_num_queries(2):  # the links, then the children with their schools
        children = list(access.children_of(mum))
        assert {(c.legal_surname, c.school.urn) for c in children} == {("Inclass", "100001"), ("Birchpupil", "100002")}
    for user in (family.dad, family.senco, family.superuser):
        assert not access.children_of(fresh(user)).exists()


def test_the_family_flag_adds_a_parents_own_children_and_nothing_else(family):
    mum = fresh(family.mum)
    assert names(family, Pupil.objects.visible_to(mum, family=True)) == {"in_class", "pupil_b"}
    assert not Pupil.objects.visible_to(mum).exists()  # the staff pages: never, not even their own child
    assert not Pupil.objects.visible_to(mum, register=True).exists()
    assert access.get_pupil_for_user(mum, family.in_class.pk, family=True) == family.in_class
    with pytest.raises(Http404):  # without the flag (the staff pages): not their own child either
        access.get_pupil_for_user(mum, family.in_class.pk)
    with pytest.raises(Http404):
        access.get_pupil_for_user(mum, family.other_class.pk, family=True)
    # Staff lose nothing and gain nothing with the flag.
    assert names(family, Pupil.objects.visible_to(fresh(family.teacher), family=True)) == {"in_class"}


def test_staff_ask_no_query_about_children(family, django_assert_num_queries):
    teacher = fresh(family.teacher)
    access.scope_for(teacher)
    with django_assert_num_queries(0):  # the register's filter, without the family pages' children
        access.visible_pupil_filter(teacher)
    with django_assert_num_queries(1):
        assert access.scope_for(teacher).children == set()
    with django_assert_num_queries(0):  # asked once a request
        assert access.scope_for(teacher).children == set()


@pytest.mark.parametrize(
    ("who", "roles", "allowed"),
    [
        ("mum", {"parent"}, True),
        ("dad", {"parent"}, False),  # restricted
        ("senco", {"parent"}, False),  # staff never speak for the family
        ("superuser", {"parent"}, False),  # not even a superuser
        ("mum", {"senco"}, False),  # a parent holds no staff role
        ("senco", {"parent", "senco"}, True),
        ("mum", {"parent", "senco"}, True),
        ("teacher", {"senco"}, False),
        ("superuser", {"senco"}, True),
    ],
)
def test_works_with_a_pupil_as_parent_or_staff(family, who, roles, allowed):
    assert access.works_with(fresh(getattr(family, who)), family.in_class, roles) is allowed


def test_a_parent_works_with_their_own_child_only(family):
    mum = fresh(family.mum)
    assert access.works_with(mum, family.pupil_b, {"parent"}) is True
    assert access.works_with(mum, family.other_class, {"parent"}) is False


@pytest.fixture
def own_sign_in(world):
    """`in_class` (Year 4) has their own sign-in; school A allows them from Year 4."""
    School.objects.filter(pk=world.school_a.pk).update(pupil_sign_in=True, pupil_sign_in_from_year=4)
    world.sam = make_user("sam4b")
    world.sam_login = PupilLogin.objects.create(user=world.sam, pupil=world.in_class)
    return world


def test_a_pupil_signs_in_to_their_own_record_only_while_it_is_active(own_sign_in, django_assert_num_queries):
    w = own_sign_in
    with django_assert_num_queries(1):  # the link with the pupil, their school and need
        pupil = access.get_own_record_for_user(w.sam)
        assert (pupil, pupil.school.urn, pupil.primary_need.code) == (w.in_class, "100001", "SLCN")
    today = timezone.localdate()
    Pupil.objects.filter(pk=w.in_class.pk).update(left_on=today + dt.timedelta(days=1))
    assert access.get_own_record_for_user(w.sam) == w.in_class  # leaving tomorrow: still on roll
    for change in [
        lambda: Pupil.objects.filter(pk=w.in_class.pk).update(left_on=today),  # left today
        lambda: PupilLogin.objects.filter(pk=w.sam_login.pk).update(ended_at=timezone.now()),
        lambda: School.objects.filter(pk=w.school_a.pk).update(pupil_sign_in_from_year=5),
        lambda: School.objects.filter(pk=w.school_a.pk).update(pupil_sign_in=False),
    ]:
        Pupil.objects.filter(pk=w.in_class.pk).update(left_on=None)
        PupilLogin.objects.filter(pk=w.sam_login.pk).update(ended_at=None)
        School.objects.filter(pk=w.school_a.pk).update(pupil_sign_in=True, pupil_sign_in_from_year=4)
        assert access.get_own_record_for_user(w.sam) == w.in_class
        change()
        with pytest.raises(Http404):
            access.get_own_record_for_user(w.sam)


def test_nobody_else_has_an_own_record(own_sign_in):
    from django.contrib.auth.models import AnonymousUser

    for user in (own_sign_in.senco, own_sign_in.superuser, AnonymousUser()):
        with pytest.raises(Http404):
            access.get_own_record_for_user(user)
    assert not Pupil.objects.visible_to(own_sign_in.sam).exists()  # the staff pages: nothing


def test_only_a_specialist_and_nothing_else_lands_on_their_shared_pupils(world):
    assert access.only_specialist(fresh(world.specialist)) is True
    for role in ("senco", "teacher", "trustlead", "superuser", "outsider"):
        assert access.only_specialist(fresh(getattr(world, role))) is False, role
    nobody = User.objects.create_user(username="nobody", password="x" * 20)
    assert access.only_specialist(nobody) is False  # no role at all: not a specialist either
    # A specialist at two schools is still only a specialist; one who also teaches, or leads a trust, is not.
    Membership.objects.create(user=world.specialist, school=world.school_c, role="specialist")
    assert access.only_specialist(fresh(world.specialist)) is True
    Membership.objects.create(user=world.specialist, school=world.school_b, role="teacher")
    assert access.only_specialist(fresh(world.specialist)) is False
    visitor = User.objects.create_user(username="visitor", password="x" * 20)
    Membership.objects.create(user=visitor, school=world.school_a, role="specialist")
    TrustMembership.objects.create(user=visitor, trust=world.school_a.trust)
    assert access.only_specialist(visitor) is False
    root = User.objects.create_superuser("root2", password="x" * 20)
    Membership.objects.create(user=root, school=world.school_a, role="specialist")
    assert access.only_specialist(root) is False


def test_a_role_gives_nothing_at_a_school_where_it_is_not_held(world):
    """A share or a class at another school than the one where the user holds the role opens nothing
    (a teacher who has left the school, still listed on a class; a share made before the specialist's
    membership ended)."""
    today = timezone.localdate()
    ExternalShare.objects.create(pupil=world.pupil_b, specialist=world.specialist, expires_on=today)
    assert names(world, Pupil.objects.visible_to(fresh(world.specialist))) == {"other_class"}
    Membership.objects.filter(user=world.teacher).delete()
    assert not Pupil.objects.visible_to(fresh(world.teacher)).exists()


def test_a_share_of_a_confidential_pupil_gives_a_specialist_nothing(world):
    ExternalShare.objects.create(
        pupil=world.confidential, specialist=world.specialist, expires_on=timezone.localdate() + dt.timedelta(days=5)
    )
    assert names(world, Pupil.objects.visible_to(fresh(world.specialist))) == {"other_class"}


def test_a_teachers_aggregates_count_their_pupils_as_of_the_day_asked(world):
    """A dashboard's period ending yesterday counts the class as it was yesterday: a pupil who left
    the class yesterday counts then, not today."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The classes' school year covers yesterday (on a year's first day, it starts a day earlier here).
    AcademicYear.objects.filter(starts_on__gt=yesterday).update(starts_on=yesterday)
    GroupMembership.objects.filter(pupil=world.in_class).update(ends_on=yesterday)
    a = world.school_a.pk
    for user in (world.teacher, world.ta):
        for today, counted in [(yesterday, {"in_class"}), (None, set())]:
            chosen = Pupil.objects.filter(access.aggregate_filter(fresh(user), {a}, today=today))
            assert names(world, chosen) == counted, (user, today)
    # The SENCO of A who also teaches a class at B, asking about both: all of A, and at B their class
    # as it was on that day.
    year_b = world.school_b.academic_years.get()
    class_b = TeachingGroup.objects.create(school=world.school_b, academic_year=year_b, name="4A", nc_year=4)
    GroupStaff.objects.create(group=class_b, user=world.senco, role=GroupStaff.Role.TEACHER)
    GroupMembership.objects.create(pupil=world.pupil_b, group=class_b, ends_on=yesterday)
    Membership.objects.create(user=world.senco, school=world.school_b, role="teacher")
    school_a = {"in_class", "other_class", "confidential", "expired_share"}
    for today, counted in [(yesterday, school_a | {"pupil_b"}), (None, school_a)]:
        both = access.aggregate_filter(fresh(world.senco), {a, world.school_b.pk}, today=today)
        assert names(world, Pupil.objects.filter(both)) == counted, today


def test_staff_who_are_also_parents_see_their_children_on_the_family_pages_and_their_school_as_staff(family):
    """The family flag adds a parent's children to whatever their staff roles give (a SENCO at A or a
    trust leader whose child is at C), and the roles lose nothing by it."""
    Carer.objects.create(user=family.senco, pupil=family.pupil_c, relationship="mother")
    Carer.objects.create(user=family.trustlead, pupil=family.pupil_c, relationship="father")
    school_a = {"in_class", "other_class", "confidential", "expired_share"}
    senco = fresh(family.senco)
    assert names(family, Pupil.objects.visible_to(senco, family=True)) == school_a | {"pupil_c"}
    assert names(family, Pupil.objects.visible_to(senco)) == school_a
    trust = {"in_class", "other_class", "expired_share", "pupil_b"}
    assert names(family, Pupil.objects.visible_to(fresh(family.trustlead), family=True)) == trust | {"pupil_c"}


def test_a_head_who_also_leads_the_trust_sees_their_own_school_whole_and_the_trusts_open_records(world):
    TrustMembership.objects.create(user=world.outsider, trust=world.school_a.trust)
    assert names(world, Pupil.objects.visible_to(fresh(world.outsider))) == VISIBLE["trustlead"] | {"pupil_c"}


def test_the_filter_asks_for_the_sen_record_unless_told_the_register(world):
    """The office without the grant: the register of A's open pupils, no SEN record (provision and
    dashboards ask the filter without saying which)."""
    office = fresh(world.administrator)
    assert not Pupil.objects.filter(access.visible_pupil_filter(office)).exists()
    register = Pupil.objects.filter(access.visible_pupil_filter(office, register=True))
    assert names(world, register) == VISIBLE["administrator"]


def test_a_governor_who_teaches_at_another_school_counts_all_of_theirs_and_their_class_there(world):
    year_b = world.school_b.academic_years.get()
    class_b = TeachingGroup.objects.create(school=world.school_b, academic_year=year_b, name="4A", nc_year=4)
    GroupStaff.objects.create(group=class_b, user=world.governor, role=GroupStaff.Role.TEACHER)
    Membership.objects.create(user=world.governor, school=world.school_b, role="teacher")
    extra = make_pupil(world.school_b, surname="Birchother")  # at B, not in the class
    GroupMembership.objects.create(pupil=world.pupil_b, group=class_b)
    a, b = world.school_a.pk, world.school_b.pk
    counted = Pupil.objects.filter(access.aggregate_filter(fresh(world.governor), {a, b}))
    assert {p.pk for p in counted} == {p.pk for p in Pupil.objects.filter(school_id=a)} | {world.pupil_b.pk}
    assert extra.pk not in {p.pk for p in counted}


def test_a_leader_of_two_trusts_sees_the_open_records_of_both(world):
    second = Trust.objects.create(name="Second Trust")
    School.objects.filter(pk=world.school_c.pk).update(trust=second)
    leader = make_user("twotrusts")
    for trust in (world.school_a.trust, second):  # the links' ids are not the trusts' ids
        TrustMembership.objects.create(user=leader, trust=trust)
    assert names(world, Pupil.objects.visible_to(leader)) == VISIBLE["trustlead"] | {"pupil_c"}
    assert access.scope_for(leader).trust_school_ids == {world.school_a.pk, world.school_b.pk, world.school_c.pk}


def test_roles_at_two_schools_add_up(world):
    """A SENCO at A who teaches a class at B sees all of A and their class at B; a teacher at A who
    visits B as a specialist sees their class at A and the pupil shared with them at B."""
    year_b = world.school_b.academic_years.get()
    class_b = TeachingGroup.objects.create(school=world.school_b, academic_year=year_b, name="4A", nc_year=4)
    GroupStaff.objects.create(group=class_b, user=world.senco, role=GroupStaff.Role.TEACHER)
    GroupMembership.objects.create(pupil=world.pupil_b, group=class_b)
    Membership.objects.create(user=world.senco, school=world.school_b, role="teacher")
    school_a = {"in_class", "other_class", "confidential", "expired_share"}
    assert names(world, Pupil.objects.visible_to(fresh(world.senco))) == school_a | {"pupil_b"}
    Membership.objects.create(user=world.teacher, school=world.school_b, role="specialist")
    ExternalShare.objects.create(pupil=world.pupil_b, specialist=world.teacher, expires_on=timezone.localdate())
    assert names(world, Pupil.objects.visible_to(fresh(world.teacher))) == {"in_class", "pupil_b"}


def test_a_class_at_a_school_where_the_teacher_holds_no_teaching_role_opens_nothing(world):
    """Still on the staff list of a class at B, where they are now only a governor."""
    year_b = world.school_b.academic_years.get()
    class_b = TeachingGroup.objects.create(school=world.school_b, academic_year=year_b, name="4A", nc_year=4)
    GroupStaff.objects.create(group=class_b, user=world.teacher, role=GroupStaff.Role.TEACHER)
    GroupMembership.objects.create(pupil=world.pupil_b, group=class_b)
    Membership.objects.create(user=world.teacher, school=world.school_b, role="governor")
    assert names(world, Pupil.objects.visible_to(fresh(world.teacher))) == {"in_class"}
