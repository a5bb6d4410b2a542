"""Writes about accounts: API tokens issued and revoked, sign-in lockouts lifted. Each is one
transaction with its audit event."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trellis.audit.models import AuditEvent
from trellis.audit.services import record

from .models import ApiToken, User

MAX_TOKEN_DAYS = 366


class AccountError(ValueError):
    """A request that cannot be done; the message says why, for the person who asked."""


def issue_api_token(
    *, user: User, by: User | None, name: str, scope: str, days: int | None = None, via: str = "web"
) -> tuple[ApiToken, str]:
    """A new token for `user`, lasting `days` (TRELLIS_API_TOKEN_DAYS if not given). Returns the
    token and its secret, which is not kept and cannot be shown again."""
    days = settings.TRELLIS_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"A token lasts from 1 to {MAX_TOKEN_DAYS} days, not {days}")
    if scope not in ApiToken.Scope.values:
        raise AccountError(f"The scope must be {' or '.join(ApiToken.Scope.values)}, not {scope!r}")
    if not user.is_active:
        raise AccountError(f"User {user.get_username()!r} is not active")
    key, key_hash = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100],
            scope=scope,
            key_hash=key_hash,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            record_type="API token",
            record_id=token.pk,
            summary=f"API token {token.name!r} for {user.get_username()}: "
            f"{token.get_scope_display().lower()}, expires {timezone.localdate(token.expires_at):%d %b %Y}",
            changes={"scope": [None, scope], "expires_at": [None, token.expires_at.isoformat()]},
            via=via,
        )
    return token, key


def revoke_api_token(*, token: ApiToken, by: User, via: str = "web") -> None:
    """Stop a token working now. Revoking a revoked token changes nothing and is not recorded again."""
    with transaction.atomic():
        now = timezone.now()
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            return
        token.revoked_at = now
        record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="API token",
            record_id=token.pk,
            summary=f"Revoked API token {token.name!r} of {token.user.get_username()}",
            changes={"revoked_at": [None, now.isoformat()]},
            via=via,
        )


def unlock_sign_in(*, by: User, username: str | None = None, ip_address: str | None = None) -> int:
    """Lift a lockout of an account (every address it was tried from) or of an address (every
    account tried from it): forget its failed attempts. Returns how many failures were forgiven."""
    if (username is None) == (ip_address is None):
        raise AccountError("Unlock either an account or an address")
    attempts = AccessAttempt.objects.filter(**({"username": username} if username else {"ip_address": ip_address}))
    with transaction.atomic():
        failures = sum(attempts.values_list("failures_since_start", flat=True))
        attempts.delete()
        what = f"account {username}" if username else f"address {ip_address}"
        record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="sign-in lockout",
            record_id=username or ip_address,
            summary=f"Unlocked sign-in for {what} ({failures} failed attempts forgiven)",
            changes={"locked": [True, False]},
        )
    return failures
