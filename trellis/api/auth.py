"""Bearer tokens for the API; the browser uses ninja's django_auth (session + CSRF).

A token works until it expires or is revoked (401 after that, saying which); a read-only token
gets 403 on anything that writes."""

from __future__ import annotations

from django.utils import timezone
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer

from trellis.accounts.models import ApiToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(token)).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.revoked_at is not None:
            raise AuthenticationError(message="This API token has been revoked: make a new one at /account/tokens/")
        if found.is_expired(now):
            raise AuthenticationError(
                message=f"This API token expired on {timezone.localtime(found.expires_at):%d %B %Y}: "
                "make a new one at /account/tokens/"
            )
        if request.method not in SAFE_METHODS and not found.can_write:
            raise AuthorizationError(
                message="This API token is read-only: it can read but not change anything. "
                "Use a read-and-write token to send changes."
            )
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user
