"""`/health/` for a load balancer: is this app process able to serve? No sign-in, no pupil data.

200 with {"database": "ok", "worker": ...} while the database answers; 503 when it does not, so
the balancer stops sending requests here. The worker's state is reported, never a reason for 503:
pages still work while the background worker is down, and every app process shares one worker.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_status() -> str:
    """ "ok" when a query runs, "unavailable" when not (the reason is logged, never shown)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database cannot be reached", exc_info=True)
        return "unavailable"
    return "ok"


def worker_status() -> str:
    """The background worker's state from its heartbeat: "ok", "stale", "not running", "not
    configured" or "unknown" (trellis.jobs.heartbeat.worker_status says when)."""
    from trellis.jobs.heartbeat import worker_status as from_heartbeat

    return from_heartbeat()


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    database = database_status()
    worker = worker_status() if database == "ok" else "unknown"  # its heartbeat is in the database
    return JsonResponse({"database": database, "worker": worker}, status=200 if database == "ok" else 503)
