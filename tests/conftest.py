"""Standing data for the suite: one trust, two schools, a user for every role plus outsiders.

School A has two classes: 4B (taught by `teacher`, supported by `ta`) and 4C (another teacher).
Pupils at A: `in_class` (4B, SEN support), `other_class` (4C, EHC plan, shared with
`specialist`), `confidential` (4B, confidential), `expired_share` (4C, share expired).
School B (same trust) has `pupil_b`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from trellis.accounts.models import Membership, Role, TrustMembership, User
from trellis.lib.upn import make_upn
from trellis.pupils import services
from trellis.pupils.models import ExternalShare, GroupMembership, Pupil
from trellis.schools.models import GroupStaff, TeachingGroup
from trellis.schools.services import create_school

PASSWORD = "a-long-test-password"

# An ordinary term-time Wednesday: the suite never depends on the day it runs. CI reruns the tests
# marked `dates` with TRELLIS_TEST_TODAY set to awkward days (see .ci/run).
DEFAULT_TEST_TODAY = dt.date(2026, 11, 18)


def suite_today() -> dt.date:
    """The day the suite runs as: TRELLIS_TEST_TODAY (YYYY-MM-DD) if set, else DEFAULT_TEST_TODAY."""
    value = os.environ.get("TRELLIS_TEST_TODAY", "").strip()
    if not value:
        return DEFAULT_TEST_TODAY
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"TRELLIS_TEST_TODAY must be a date as YYYY-MM-DD (got {value!r})") from None


def _suite_morning() -> dt.datetime:
    return dt.datetime.combine(suite_today(), dt.time(10), tzinfo=ZoneInfo(settings.TIME_ZONE))


def pytest_configure(config):
    """Travel before collection, so that module-level dates (TODAY = localdate()) are the suite's day too."""
    config._trellis_travel = time_machine.travel(_suite_morning(), tick=True)
    config._trellis_travel.start()


def pytest_unconfigure(config):
    if travel := getattr(config, "_trellis_travel", None):
        travel.stop()


# Under parallel workers (`pytest -n 2`, as `make test` and CI run) the `serve` tests stay on one worker, so
# their module fixture (two `make serve` processes) is started once rather than once a worker; they go out
# first, then the other tests one by one. pytest-xdist's own `--dist loadgroup` cannot do this with pytest 9
# (it renames item._nodeid, which pytest 9 no longer reads). `make test` runs the browser tests in a process
# of their own after the workers: a database test after them in one process failed with
# SynchronousOnlyOperation (Playwright's event loop had run there).
SHARED_FIXTURE_GROUPS = {"tests/test_serve_processes.py": "serve"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in SHARED_FIXTURE_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid

    return SharedFixtureScheduling(config, log)


@pytest.fixture(autouse=True)
def _fixed_today():
    """Every test starts at 10:00 on the suite's day in the school's time zone; the clock ticks from there."""
    with time_machine.travel(_suite_morning(), tick=True):
        yield


@pytest.fixture(autouse=True, scope="session")
def _require_postgres_in_ci(django_db_setup, django_db_blocker):
    """CI's second run sets TRELLIS_REQUIRE_POSTGRES: fail loudly rather than test SQLite twice."""
    if os.environ.get("TRELLIS_REQUIRE_POSTGRES"):
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", f"expected PostgreSQL, got {connection.vendor}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; the suite creates thousands. Tests of hashing itself don't exist here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    """Tests sign staff in with a password alone; tests of the requirement turn it back on."""
    settings.TRELLIS_REQUIRE_2FA = False


def make_user(username: str, *, school=None, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username.title(), **extra)
    if school is not None and role is not None:
        Membership.objects.create(user=user, school=school, role=role)
    return user


_serial = itertools.count(1)


def make_pupil(school, *, surname: str, forename: str = "Sam", group=None, nc_year: int = 4, **fields) -> Pupil:
    pupil = Pupil.objects.create(
        school=school,
        upn=make_upn(school.la_number, school.estab_number, 20, next(_serial) % 1000),
        legal_surname=surname,
        legal_forename=forename,
        date_of_birth=dt.date(2017, 5, 1),
        sex=fields.pop("sex", "M"),
        nc_year=nc_year,
        **fields,
    )
    if group is not None:
        GroupMembership.objects.create(pupil=pupil, group=group)
    return pupil


@pytest.fixture
def world(db):
    today = timezone.localdate()
    school_a = create_school(
        urn="100001",
        name="Alder Primary",
        la_number="801",
        estab_number="2001",
        trust_name="Test Trust",
        region_name="North",
        today=today,
    )
    school_b = create_school(
        urn="100002",
        name="Birch Primary",
        la_number="801",
        estab_number="2002",
        trust_name="Test Trust",
        region_name="South",
        today=today,
    )
    school_c = create_school(urn="100003", name="Cedar Academy", la_number="802", estab_number="4001", today=today)
    year_a = school_a.academic_years.get()
    class_4b = TeachingGroup.objects.create(school=school_a, academic_year=year_a, name="4B", nc_year=4)
    class_4c = TeachingGroup.objects.create(school=school_a, academic_year=year_a, name="4C", nc_year=4)

    w = SimpleNamespace(school_a=school_a, school_b=school_b, school_c=school_c, class_4b=class_4b, class_4c=class_4c)
    w.senco = make_user("senco", school=school_a, role=Role.SENCO)
    w.teacher = make_user("teacher", school=school_a, role=Role.TEACHER)
    w.other_teacher = make_user("otherteacher", school=school_a, role=Role.TEACHER)
    w.ta = make_user("ta", school=school_a, role=Role.TA)
    w.head = make_user("head", school=school_a, role=Role.SENIOR_LEADER)
    w.governor = make_user("governor", school=school_a, role=Role.GOVERNOR)
    w.specialist = make_user("specialist", school=school_a, role=Role.SPECIALIST)
    w.administrator = make_user("office", school=school_a, role=Role.ADMINISTRATOR)
    w.trustlead = make_user("trustlead")
    TrustMembership.objects.create(user=w.trustlead, trust=school_a.trust)
    w.outsider = make_user("outsider", school=school_c, role=Role.SENCO)
    w.superuser = User.objects.create_superuser("root", password=PASSWORD)
    GroupStaff.objects.create(group=class_4b, user=w.teacher, role=GroupStaff.Role.TEACHER)
    GroupStaff.objects.create(group=class_4b, user=w.ta, role=GroupStaff.Role.TA)
    GroupStaff.objects.create(group=class_4c, user=w.other_teacher, role=GroupStaff.Role.TEACHER)

    w.in_class = make_pupil(school_a, surname="Inclass", group=class_4b)
    w.other_class = make_pupil(school_a, surname="Otherclass", group=class_4c)
    w.confidential = make_pupil(school_a, surname="Private", group=class_4b, is_confidential=True)
    w.expired_share = make_pupil(school_a, surname="Expired", group=class_4c)
    w.pupil_b = make_pupil(school_b, surname="Birchpupil")
    w.pupil_c = make_pupil(school_c, surname="Cedarpupil")
    start = today - dt.timedelta(days=100)
    services.set_sen_status(pupil=w.in_class, status="K", starts_on=start, by=w.senco)
    services.set_needs(pupil=w.in_class, codes=["SLCN", "SPLD"], starts_on=start, by=w.senco)
    services.set_sen_status(pupil=w.other_class, status="E", starts_on=start, by=w.senco)
    services.set_needs(pupil=w.other_class, codes=["ASD"], starts_on=start, by=w.senco)
    services.set_sen_status(pupil=w.confidential, status="K", starts_on=start, by=w.senco)
    services.set_sen_status(pupil=w.expired_share, status="K", starts_on=start, by=w.senco)
    services.set_sen_status(pupil=w.pupil_b, status="K", starts_on=start, by=w.senco)
    services.set_sen_status(pupil=w.pupil_c, status="K", starts_on=start, by=w.outsider)
    ExternalShare.objects.create(pupil=w.other_class, specialist=w.specialist, expires_on=today + dt.timedelta(days=30))
    ExternalShare.objects.create(
        pupil=w.expired_share, specialist=w.specialist, expires_on=today - dt.timedelta(days=1)
    )
    for pupil in (w.in_class, w.other_class, w.confidential, w.expired_share, w.pupil_b, w.pupil_c):
        pupil.refresh_from_db()
    return w


class SigningInClient(Client):
    """client.login() signs in as the sign-in page does: django-axes counts the attempt, so it
    needs the request (the test client passes none)."""

    def login(self, **credentials):
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        return super().login(request=request, **credentials)


@pytest.fixture
def client():
    return SigningInClient()


@pytest.fixture
def login(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
