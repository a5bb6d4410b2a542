"""One-time keys: a page's form token or an API client's Idempotency-Key, and what it created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class OneTimeKey(models.Model):
    """The first use of a key by a user. The unique constraint is what makes a second, concurrent
    use wait for the first and then find its record instead of creating another."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    kind = models.CharField(max_length=40, help_text="What it creates, e.g. target review")
    fingerprint = models.CharField(max_length=64, blank=True, help_text="A hash of the API request it came with")
    record_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_use_of_a_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} ({self.created_at:%Y-%m-%d %H:%M})"
