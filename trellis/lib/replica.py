"""Dashboards' aggregate reads from a PostgreSQL replica (DATABASE_REPLICA_URL), without lag for
the person who has just saved.

Only code that asks for it reads from the replica: the dashboards (progress, identification,
destinations, cohort, money for provision) and the API's /dashboard build their figures inside
`aggregate_reads(request)`. Everything else (access checks, pupil pages, forms, audit, every
write) stays on the primary, so a page never shows a record older than the one it saves.
A replica lags the primary by up to a few seconds, so after any POST, PUT, PATCH or DELETE a
person's own aggregate reads use the primary for TRELLIS_REPLICA_AFTER_SAVE_SECONDS: the review
they just saved is in the figures they open next. A browser remembers this in its session; an API
client (a bearer token, no session cookie) in the shared cache, per user, as a session made for it
would never be sent back. Other people's saves reach them within the replica's lag. Without
DATABASE_REPLICA_URL there is no `replica` alias and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REPLICA = "replica"
SESSION_KEY = "trellis_primary_until"  # a timestamp: this session's aggregate reads use the primary until then
CACHE_KEY = "trellis_primary_until:{}"  # the same for an API client, by user id
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Who may see what, and sign-in state, always come from the primary, even inside an aggregate block.
# The cache table ("django_cache", django/core/cache/backends/db.py) holds the API's after-save times.
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "sessions", "axes", "idempotency", "django_cache"})

_on_replica: ContextVar[bool] = ContextVar("trellis_replica_reads", default=False)


def configured() -> bool:
    """A `replica` database is set up (DATABASE_REPLICA_URL, or a test's alias)."""
    return REPLICA in connections.settings


def _bearer(request: HttpRequest) -> bool:
    """Sent with a bearer token (as ninja's HttpBearer reads the header): an API client, no session."""
    return request.headers.get("Authorization", "").partition(" ")[0].lower() == "bearer"


def just_saved(request: HttpRequest | None) -> bool:
    """This session (or this API client's user) saved something within the last TRELLIS_REPLICA_AFTER_SAVE_SECONDS."""
    if request is None:
        return False
    if _bearer(request):
        user = getattr(request, "user", None)
        until = cache.get(CACHE_KEY.format(user.pk)) if user is not None and user.is_authenticated else None
    else:
        session = getattr(request, "session", None)
        until = session.get(SESSION_KEY) if session is not None else None
    return until is not None and timezone.now().timestamp() < until


@contextmanager
def aggregate_reads(request: HttpRequest | None) -> Iterator[bool]:
    """Read-only aggregate queries inside this block go to the replica, when one is configured and
    this person has not just saved. Yields whether they do."""
    use = configured() and not just_saved(request)
    token = _on_replica.set(use)
    try:
        yield use
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS when DATABASE_REPLICA_URL is set: reads inside `aggregate_reads` go to the
    replica; every other read, every write and every migration goes to the primary."""

    def db_for_read(self, model, **hints) -> str:
        if _on_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        # Explicitly the primary (not None): a related object of a record read from the replica
        # would otherwise follow it there.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica copies the primary's schema; it is never migrated


class StickToPrimaryAfterSave:
    """Middleware: after a request that may have changed something, this person's aggregate reads
    use the primary for TRELLIS_REPLICA_AFTER_SAVE_SECONDS (only when a replica is configured)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in UNSAFE_METHODS or not configured():
            return response
        # The user after the view: an API token's (set by trellis.api.auth), or nobody after signing
        # out (a new, empty session would be made only to hold the flag).
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        seconds = settings.REPLICA_AFTER_SAVE_SECONDS
        until = timezone.now().timestamp() + seconds
        if _bearer(request):
            cache.set(CACHE_KEY.format(user.pk), until, timeout=seconds)
        elif (session := getattr(request, "session", None)) is not None:
            session[SESSION_KEY] = until
        return response
