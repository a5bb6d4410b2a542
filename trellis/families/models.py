"""Parents and carers: who is linked to which pupil, how they were invited, and what they said.

A `Carer` links one account to one pupil (siblings: one link each). Access follows the link while
it is not restricted and the pupil is on roll (derived from the pupil's leaving date, never copied):
see `trellis.pupils.access`. Views, agreements and consents are kept, never changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.lib.models import LONG_TEXT, LimitedTextField


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"
    GUARDIAN = "guardian", "Guardian"
    # A looked-after child: these take the parent's place, as the SENCO sets.
    VIRTUAL_SCHOOL_HEAD = "vsh", "Virtual school head"
    SOCIAL_WORKER = "social_worker", "Social worker"


class Carer(models.Model):
    """An account with parental responsibility (or standing in for it) for one pupil."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carer_links")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="carers")
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    # Set by the SENCO where a court order requires it; the reason is kept.
    restricted = models.BooleanField(default=False)
    restricted_reason = models.CharField(max_length=300, blank=True)
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restricted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pupil", "created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "pupil"], name="one_carer_link_per_pupil")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_relationship_display()} of {self.pupil}"

    def is_active(self, today: dt.date) -> bool:
        """Not restricted, and the pupil has not left (access ends on the leaving date)."""
        left_on = self.pupil.left_on
        return not self.restricted and (left_on is None or left_on > today)


class PupilLogin(models.Model):
    """An older pupil's own sign-in: read only, to their own passport and plan in plain words. It
    gives access only while the school allows pupils' sign-ins for the pupil's year and the pupil is
    on roll (`PupilLogin.is_active`); the SENCO makes it and may end it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupil_login")
    pupil = models.OneToOneField("pupils.Pupil", on_delete=models.CASCADE, related_name="login")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} – own sign-in of {self.pupil}"

    def is_active(self, today: dt.date) -> bool:
        pupil, school = self.pupil, self.pupil.school
        return (
            self.ended_at is None
            and school.pupil_sign_in
            and pupil.nc_year is not None
            and pupil.nc_year >= school.pupil_sign_in_from_year
            and (pupil.left_on is None or pupil.left_on > today)
        )


def active_links(today: dt.date) -> models.Q:
    """A Q on Carer: links that give access today (the same rule as Carer.is_active)."""
    return models.Q(restricted=False) & (models.Q(pupil__left_on__isnull=True) | models.Q(pupil__left_on__gt=today))


class Invitation(models.Model):
    """A one-time link for a parent to make their account. Only a hash of the token is kept."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to see {self.pupil}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, Invitation.hash(token)

    def is_open(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.expires_at > now


class ParentView(models.Model):
    """A parent's or carer's views before a review or meeting, against the plan they were about."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="family_views")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="family_views")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150)
    text = LimitedTextField(max_length=LONG_TEXT)
    plan_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Views from {self.author_name} on {self.plan}"


class PlanResponse(models.Model):
    """A parent agreed the plan, or asked for a change, at a given version of it."""

    class Answer(models.TextChoices):
        AGREE = "agree", "Agreed the plan"
        CHANGE = "change", "Asked for a change"

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="family_responses")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="family_responses")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150)
    answer = models.CharField(max_length=8, choices=Answer.choices)
    plan_version = models.PositiveIntegerField(help_text="The version of the plan they answered")
    comment = LimitedTextField(blank=True, max_length=LONG_TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} (version {self.plan_version})"


class Consent(models.Model):
    """Consent given or withdrawn. The latest row for a pupil and a kind is in force."""

    class Kind(models.TextChoices):
        SHARE_SPECIALIST = "share", "Share with a specialist"
        EHC_ASSESSMENT = "ehc", "Ask for an EHC needs assessment"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    given = models.BooleanField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["pupil", "kind", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'given' if self.given else 'withdrawn'}"
