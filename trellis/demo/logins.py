"""The demo logins: well-known usernames at the first school, one password for every account."""

from __future__ import annotations

from trellis.accounts.models import Role, TrustMembership, User
from trellis.schools.models import GroupStaff, Trust

from .organisation import Groups
from .staff import EMAIL_DOMAIN, Staff

DEMO_PASSWORD = "trellis-demo"  # noqa: S105  (published demo data, never a real account)
SIGN_IN_URL = "http://127.0.0.1:8000/sign-in/"
DEMO_USERNAMES = (
    "senco",
    "teacher",
    "ta",
    "head",
    "trustlead",
    "governor",
    "specialist",
    "office",
    "admin",
    "parent",
)
WHAT_THEY_SEE = {
    "senco": "SENCO: every pupil of the school, confidential ones too",
    "teacher": "class teacher of {class_name} only",
    "ta": "teaching assistant in {class_name} only",
    "head": "senior leader: every pupil of the school",
    "trustlead": "trust leader: every school of the trust (not confidential pupils)",
    "governor": "governor: aggregate figures only, no names",
    "specialist": "external specialist: only pupils shared with them, until the share ends",
    "office": "school office: the register and pupil details, not plans, evidence or concerns",
    "admin": "superuser, no school role: the Django admin (read-only for pupil data)",
    "parent": "parent of two siblings: their own children's family pages only",
}


def teaching_class(groups: Groups):
    """The class the demo `teacher` teaches: the first Year 4 class (or the middle year's, if none)."""
    years = sorted(groups.classes)
    return groups.classes.get(4, groups.classes[years[len(years) // 2]])[0]


def assign_demo_logins(staff: Staff, groups: Groups) -> str:
    """Give well-known usernames to people of the first school; returns the teacher's class name."""
    group = teaching_class(groups)

    def on_group(role: str):
        return next(p for p in staff.people if (group, role) in p.groups)

    chosen = {
        "senco": staff.with_role(Role.SENCO)[0],
        "head": staff.with_role(Role.SENIOR_LEADER)[0],
        "governor": staff.with_role(Role.GOVERNOR)[0],
        "specialist": staff.with_role(Role.SPECIALIST)[0],
        "office": staff.with_role(Role.ADMINISTRATOR)[0],
        "teacher": on_group(GroupStaff.Role.TEACHER),
        "ta": on_group(GroupStaff.Role.TA),
    }
    for username, person in chosen.items():
        person.user.username = username
        person.user.email = f"{username}@{EMAIL_DOMAIN}"
    return group.name


def create_superuser(password: str) -> User:
    """The installation's Django administrator: a login of its own, apart from any school role, so
    that running the installation and keeping a school's records are two separate accounts."""
    return User.objects.create(
        username="admin",
        first_name="Installation",
        last_name="Administrator",
        email=f"admin@{EMAIL_DOMAIN}",
        password=password,
        is_staff=True,
        is_superuser=True,
    )


def create_trust_lead(trust: Trust, password: str) -> User:
    user = User.objects.create(
        username="trustlead",
        first_name="Margaret",
        last_name="Okonjo",
        email=f"trustlead@{EMAIL_DOMAIN}",
        password=password,
    )
    TrustMembership.objects.create(user=user, trust=trust)
    return user
