"""People and their roles. Who may see what is decided in trellis.pupils.access, nowhere else."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in: staff, or a parent or carer (linked to pupils by trellis.families.Carer)."""

    # Opt-in: a weekly email of their to-do list's counts and links (trellis.todo.digest).
    weekly_digest = models.BooleanField("weekly to-do email", default=False)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    SENCO = "senco", "SENCO"
    TEACHER = "teacher", "Teacher"
    TA = "ta", "Teaching assistant"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    GOVERNOR = "governor", "Governor"
    SPECIALIST = "specialist", "External specialist"
    ADMINISTRATOR = "administrator", "Administrator"
    # Never a Membership: a parent or carer holds it through trellis.families.Carer links.
    PARENT = "parent", "Parent or carer"
    # Never a Membership either: an older pupil's own sign-in is a trellis.families.PupilLogin link,
    # read only, to their own passport and plan, where the school has switched it on.
    PUPIL = "pupil", "Pupil"


class Membership(models.Model):
    """A staff role at one school. A person may hold several (e.g. SENCO who also teaches)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    # Only for the office (administrator): set by the SENCO through trellis.pupils.services.set_office_access,
    # which audits it. Without it the office sees the register, not plans, evidence or concerns.
    sees_sen_records = models.BooleanField(default=False, verbose_name="sees SEN records")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "school", "role"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.school}"


class TrustMembership(models.Model):
    """A trust leader: sees every school of the trust."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="trust_memberships")
    trust = models.ForeignKey("schools.Trust", on_delete=models.CASCADE, related_name="leaders")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "trust"], name="unique_trust_membership")]

    def __str__(self) -> str:
        return f"{self.user} – trust leader of {self.trust}"


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is kept; the token is shown once when made.
    It works until it expires or its owner (or an administrator) revokes it."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read-write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"API token {self.name or self.pk} for {self.user}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> tuple[str, str]:
        """A new token and its hash."""
        key = "trl_" + secrets.token_urlsafe(32)
        return key, ApiToken.hash(key)

    def is_expired(self, now: dt.datetime) -> bool:
        return self.expires_at <= now

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE
