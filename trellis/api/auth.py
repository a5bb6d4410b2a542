"""Bearer tokens for the API; the browser uses ninja's django_auth (session + CSRF)."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer

from trellis.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(token)).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user
