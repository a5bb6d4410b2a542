"""The people of one school: leaders, SENCO, teachers and TAs on its groups, office, governors,
external specialists. All share one password hash (hashing once keeps 5,000 accounts fast)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from trellis.accounts.models import Membership, Role, User
from trellis.pupils.models import GroupMembership
from trellis.schools.models import GroupStaff, School, TeachingGroup

from . import data, names
from .organisation import SET_SUBJECTS, Groups

EMAIL_DOMAIN = "oakfield-trust.example"
SETS_PER_TEACHER = 5
SETS_PER_TA = 3


class Usernames:
    """Unique usernames across the trust: 'first.last', then 'first.last2' ..."""

    def __init__(self, reserved: set[str]):
        self.taken = set(reserved)

    def make(self, forename: str, surname: str) -> str:
        stem = names.username_stem(forename, surname)
        username, number = stem, 1
        while username in self.taken:
            number += 1
            username = f"{stem}{number}"
        self.taken.add(username)
        return username


@dataclass
class Person:
    user: User
    role: str
    groups: list[tuple[TeachingGroup, str]] = field(default_factory=list)  # group, GroupStaff role


@dataclass
class Staff:
    people: list[Person] = field(default_factory=list)

    def with_role(self, role: str) -> list[Person]:
        return [person for person in self.people if person.role == role]

    @property
    def senco(self) -> User:
        return self.with_role(Role.SENCO)[0].user


def _person(rng: random.Random, role: str, usernames: Usernames, password: str) -> Person:
    forename, surname = names.adult_name(rng)
    username = usernames.make(forename, surname)
    user = User(
        username=username, first_name=forename, last_name=surname, email=f"{username}@{EMAIL_DOMAIN}", password=password
    )
    return Person(user=user, role=role)


def draft_staff(
    rng: random.Random, *, school: School, groups: Groups, on_roll: int, usernames: Usernames, password: str
) -> Staff:
    """Unsaved staff for the school (see save_staff), each with their role and groups."""
    staff = Staff()

    def add(role: str, count: int = 1) -> list[Person]:
        people = [_person(rng, role, usernames, password) for _ in range(count)]
        staff.people.extend(people)
        return people

    add(Role.SENIOR_LEADER, 2 + (on_roll > 900))  # head, deputy, an assistant head in large schools
    add(Role.SENCO)
    add(Role.ADMINISTRATOR, 1 + (on_roll > 600))
    add(Role.GOVERNOR, 3)
    add(Role.SPECIALIST, 2)  # e.g. the educational psychologist and the speech and language therapist
    teacher, ta = GroupStaff.Role.TEACHER, GroupStaff.Role.TA
    for nc_year, classes in groups.classes.items():
        for index, group in enumerate(classes):
            add(Role.TEACHER)[0].groups.append((group, teacher))
            if school.phase == data.SPECIAL:
                for person in add(Role.TA, 2):
                    person.groups.append((group, ta))
            elif school.phase == data.PRIMARY and (nc_year <= 2 or index == 0 or rng.random() < 0.5):
                add(Role.TA)[0].groups.append((group, ta))
    if groups.sets:
        for subject in SET_SUBJECTS:
            sets = [group for (s, _), year_sets in sorted(groups.sets.items()) if s == subject for group in year_sets]
            teachers = add(Role.TEACHER, math.ceil(len(sets) / SETS_PER_TEACHER))
            for index, group in enumerate(sets):
                teachers[index % len(teachers)].groups.append((group, teacher))
            lowest = [year_sets[-1] for (s, _), year_sets in sorted(groups.sets.items()) if s == subject]
            tas = add(Role.TA, math.ceil(len(lowest) / SETS_PER_TA))
            for index, group in enumerate(lowest):
                tas[index % len(tas)].groups.append((group, ta))
    return staff


def save_staff(staff: Staff, school: School) -> None:
    User.objects.bulk_create([person.user for person in staff.people])
    Membership.objects.bulk_create(Membership(user=p.user, school=school, role=p.role) for p in staff.people)
    GroupStaff.objects.bulk_create(
        GroupStaff(group=group, user=person.user, role=role) for person in staff.people for group, role in person.groups
    )


def senco_id(school: School) -> int | None:
    """The user id of the school's (first) SENCO, who records and decides in the demo's stages."""
    return (
        Membership.objects.filter(school=school, role=Role.SENCO)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )


def staff_by_pupil(school: School, today: dt.date) -> dict[int, list[int]]:
    """Pupil id -> user ids of the staff of their current groups (two queries)."""
    staff = defaultdict(list)
    for group_id, user_id in (
        GroupStaff.objects.filter(
            group__school=school, group__academic_year__starts_on__lte=today, group__academic_year__ends_on__gte=today
        )
        .order_by("pk")
        .values_list("group_id", "user_id")
    ):
        staff[group_id].append(user_id)
    result: dict[int, list[int]] = defaultdict(list)
    for pupil_id, group_id in (
        GroupMembership.objects.filter(group_id__in=list(staff), ends_on__isnull=True)
        .order_by("pk")
        .values_list("pupil_id", "group_id")
    ):
        result[pupil_id] += [u for u in staff[group_id] if u not in result[pupil_id]]
    return result
