"""A database that is busy (SQLite's one writer, or a lock wait that timed out) is a page saying
so, with a 503 and Retry-After, never a 500: the save did not happen and trying again works."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

BUSY_MESSAGE = "the database was busy with another change, so nothing was saved"
RETRY_AFTER_SECONDS = 5


def is_busy(error: BaseException) -> bool:
    """SQLite's 'database is locked' (or 'table is locked'), PostgreSQL's lock timeout."""
    text = str(error).lower()
    return isinstance(error, OperationalError) and ("is locked" in text or "lock timeout" in text)


class BusyDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        response = render(request, "busy.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
