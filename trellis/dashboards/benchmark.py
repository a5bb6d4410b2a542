"""Server-side timings of the pages people wait for, against the current database.

Each page is requested through Django's test client (the whole stack: middleware, access
rules, audit, templates) as the person who would use it, inside a transaction that is rolled
back, so the audit events the reads write are real work but do not stay. For the dashboards,
the SQL the page's figures come from is also run bare, and the page's time is given as a
multiple of it: what the page costs on top of the aggregate.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.db import connection, transaction
from django.db.models import Count
from django.http import QueryDict
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from trellis.accounts import twofactor
from trellis.accounts.models import Membership, Role, TrustMembership
from trellis.plans.models import Review, Target
from trellis.pupils.access import schools_for_aggregates
from trellis.pupils.models import Pupil, SenStatus
from trellis.schools.models import School

from . import overview
from .progress_views import DEFAULT_GROUP_BY, parse_choices

SCHOOL_GROUP_BY = "need,sex"


class BenchmarkError(RuntimeError):
    """The database lacks what a page needs (run seed_demo first)."""


@dataclass
class Timing:
    median_ms: float
    p95_ms: float
    queries: int

    def as_dict(self) -> dict:
        return {"median_ms": round(self.median_ms, 1), "p95_ms": round(self.p95_ms, 1), "queries": self.queries}


def _times(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm caches, as a page someone has just opened is
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        out.append((time.perf_counter() - began) * 1000)
    return out


def _summary(times: list[float], queries: int) -> Timing:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Timing(statistics.median(ordered), p95, queries)


@contextmanager
def _rolled_back():
    with override_settings(ALLOWED_HOSTS=["*"]), transaction.atomic():
        yield
        transaction.set_rollback(True)


def time_page(client: Client, url: str, repeat: int) -> Timing:
    queries = []  # counted with a wrapper: the client resets connection.queries at each request

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    if response.status_code != 200:
        raise BenchmarkError(f"{url} answered {response.status_code}")
    return _summary(_times(lambda: client.get(url), repeat), len(queries))


def recorded_sql(work: Callable[[], object]) -> list[tuple[str, tuple]]:
    """The SELECTs `work` runs, with their parameters, to run again bare."""
    statements = []

    def record(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        work()
    return statements


def time_sql(statements: list[tuple[str, tuple]], repeat: int) -> list[float]:
    def run():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return _times(run, repeat)


def _user(queryset, what: str):
    found = queryset.select_related("user").first()
    if found is None:
        raise BenchmarkError(f"No {what} in the database: run manage.py seed_demo first")
    return found.user


def run(*, repeat: int = 20, urn: str | None = None) -> dict:
    """Time every page and return the figures as one JSON-ready dict."""
    school = School.objects.filter(urn=urn).first() if urn else None
    if school is None:
        school = School.objects.annotate(n=Count("pupils")).order_by("-n").first()
    if school is None:
        raise BenchmarkError("No school in the database: run manage.py seed_demo first")
    senco = _user(Membership.objects.filter(school=school, role=Role.SENCO), f"SENCO at {school.name}")
    trust_leader = (
        _user(TrustMembership.objects.filter(trust_id=school.trust_id), "trust leader") if school.trust_id else senco
    )
    pupil = (
        Pupil.objects.filter(
            school=school, sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN], is_confidential=False
        )
        .annotate(n=Count("targets"))
        .order_by("-n")
        .first()
    )
    if pupil is None:
        raise BenchmarkError(f"No pupil with SEN at {school.name}")
    pages = {
        "trust_dashboard": (trust_leader, reverse("dashboard-trust")),
        "school_dashboard": (senco, reverse("dashboard-school", args=[school.urn]) + f"?group_by={SCHOOL_GROUP_BY}"),
        "pupil": (senco, reverse("pupil", args=[pupil.pk])),
        "bulk_review": (senco, reverse("review-entry", args=[school.urn])),
        "register": (senco, reverse("register", args=[school.urn])),
    }
    result: dict = {
        "pupils": Pupil.objects.count(),
        "targets": Target.objects.count(),
        "reviews": Review.objects.count(),
        "database": connection.vendor,
        "pages": {},
        "sql_ratio": {},
    }
    today = timezone.localdate()
    with _rolled_back():
        for name, (user, url) in pages.items():
            client = Client()
            client.force_login(user)
            session = client.session  # as after the second factor: the pages, not the set-up redirect
            session[twofactor.SATISFIED] = True
            session.save()
            timing = time_page(client, url, repeat)
            result["pages"][name] = timing.as_dict()
            if name.endswith("_dashboard"):
                schools = [school] if name == "school_dashboard" else _trust_schools(trust_leader)
                query = QueryDict(url.partition("?")[2])
                choices = parse_choices(query, default_group_by=DEFAULT_GROUP_BY if len(schools) == 1 else [])
                statements = recorded_sql(partial(overview.build, user, schools, choices, today=today))
                sql_ms = statistics.median(time_sql(statements, repeat))
                result["sql_ratio"][name] = round(timing.median_ms / sql_ms, 2) if sql_ms else None
    return result


def _trust_schools(user) -> list[School]:
    return list(schools_for_aggregates(user).select_related("trust", "region").order_by("name"))
