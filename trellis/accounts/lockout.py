"""Sign-in throttling with django-axes: failures are counted by account and by address, each
against its own limit, and a locked-out person sees why, for how long and who can unlock it."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .forms import SignInForm


def client_ip(request: HttpRequest) -> str | None:
    """The address a sign-in came from. Behind TRELLIS_PROXY_COUNT reverse proxies it is the one
    the outermost proxy saw: X-Forwarded-For is read from the right, where the proxies write, so
    a client cannot choose its own address by sending the header itself."""
    proxies = settings.TRELLIS_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        try:
            return str(ipaddress.ip_address(forwarded[-proxies]))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def recent_failures(request: HttpRequest, credentials: dict | None) -> tuple[int, int]:
    """Failures within the cool-off for this sign-in's account and for its address."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None)
    by_account = _failures(recent.filter(username=username)) if username else 0
    by_address = _failures(recent.filter(ip_address=address)) if address else 0
    return by_account, by_address


class Handler(AxesDatabaseHandler):
    """axes compares one number with one limit (AXES_FAILURE_LIMIT). A school signs in from one
    address, so the address gets its own, higher limit: reaching it counts as reaching the
    account limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_account, by_address = recent_failures(request, credentials)
        if by_address >= settings.TRELLIS_SIGNIN_ADDRESS_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The sign-in page again, saying what is locked, until when, and who can unlock it."""
    by_account, _ = recent_failures(request, credentials)
    username = get_client_username(request, credentials) or ""
    context = {
        "form": SignInForm(request=request, initial={"login": username}),
        "redirect_field_value": request.POST.get("next", ""),
        "lockout": {
            "account": username if by_account >= settings.AXES_FAILURE_LIMIT else "",
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "until": timezone.localtime() + settings.AXES_COOLOFF_TIME,
        },
    }
    return render(request, "account/login.html", context, status=429)


@dataclass(frozen=True)
class Lockout:
    kind: str  # "account" or "address"
    value: str  # the username or the IP address
    failures: int
    until: dt.datetime


def current_lockouts() -> list[Lockout]:
    """Accounts and addresses locked now (two queries, whatever the number of attempts)."""
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    found = []
    for kind, field, limit in (
        ("account", "username", settings.AXES_FAILURE_LIMIT),
        ("address", "ip_address", settings.TRELLIS_SIGNIN_ADDRESS_LIMIT),
    ):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(n__gte=limit)
            .order_by(field)
        )
        found += [Lockout(kind, row[field], row["n"], row["last"] + cool_off) for row in rows]
    return found
