"""Identification of need: a concern about a pupil, the evidence gathered, and the SENCO's decision.

A concern moves through three stages: open (evidence being gathered), awaiting staff views (the
SENCO has asked the pupil's teachers and some have not answered yet) and decided.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.assessment.models import Domain
from trellis.lib.models import LONG_TEXT, LimitedTextField
from trellis.pupils.models import Pupil

# A concern's area of need is one of the six baseline domains of seed 000, the same list that
# assessments and targets use, so a concern, its evidence and later targets line up.
AreaOfNeed = Domain


class ConcernQuerySet(models.QuerySet):
    def visible_to(self, user) -> ConcernQuerySet:
        """Concerns about pupils this user may see (need to know: trellis.pupils.access)."""
        return self.filter(pupil__in=Pupil.objects.visible_to(user).values("pk"))

    def open(self) -> ConcernQuerySet:
        return self.filter(decision="")


class Concern(models.Model):
    class Source(models.TextChoices):
        STAFF = "staff", "Staff observation"
        PARENT = "parent", "Parent or carer"
        BASELINE = "baseline", "Baseline or screening test"
        PUPIL = "pupil", "The pupil"
        PREVIOUS = "previous", "Previous setting"

    class Decision(models.TextChoices):
        NO_SEN = "no_sen", "No SEN"
        MONITOR = "monitor", "Monitor"
        SEN_SUPPORT = "sen_support", "SEN support"
        REFER = "refer", "Refer to a specialist"
        REQUEST_EHC = "request_ehc", "Request an EHC needs assessment"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="concerns")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    area = models.CharField("area of need", max_length=10, choices=AreaOfNeed.choices)
    what_seen = LimitedTextField("what has been noticed", max_length=LONG_TEXT)
    contexts = models.CharField("in which lessons or contexts", max_length=300, blank=True)
    noticed_since = models.DateField("noticed since", null=True, blank=True)
    raised_on = models.DateField(default=timezone.localdate)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_by_name = models.CharField(
        max_length=150, blank=True, help_text="Who raised it when not a user, e.g. the parent's name"
    )
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    decision_reasons = LimitedTextField(blank=True, max_length=LONG_TEXT)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # No lost edits (trellis.lib.versions): a correction carries the version it was opened at.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["raised_on", "pk"]
        indexes = [models.Index(fields=["pupil", "decision"])]

    def __str__(self) -> str:
        return f"Concern about {self.pupil} ({self.get_area_display()}) raised {self.raised_on}"

    @property
    def is_open(self) -> bool:
        return not self.decision

    def age_in_days(self, today: dt.date | None = None) -> int:
        """Days from being raised to the decision, or to today while it is open."""
        end = self.decided_on if self.decided_on else (today or timezone.localdate())
        return (end - self.raised_on).days

    @property
    def raiser(self) -> str:
        return self.raised_by_name or (str(self.raised_by) if self.raised_by else "Unknown")


class ConcernEvidence(models.Model):
    """Something the SENCO gathered: an observation, a test result, a parent meeting..."""

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation"
        SCREENING = "screening", "Screening or test result"
        PREVIOUS = "previous", "Information from the previous setting"
        PARENT = "parent", "Parent meeting notes"
        OTHER = "other", "Other"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField()
    summary = LimitedTextField(max_length=LONG_TEXT)
    result = models.CharField(
        max_length=200, blank=True, help_text="For a test: the score or outcome, e.g. standardised score 78"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class StaffViewRequest(models.Model):
    """The SENCO asks one of the pupil's teachers or TAs for their view; they answer in Trellis."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="view_requests")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="view_requests")
    question = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_on = models.DateField(default=timezone.localdate)
    response = LimitedTextField(blank=True, max_length=LONG_TEXT)
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["requested_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["concern", "staff"], name="one_view_request_per_staff")]
        indexes = [models.Index(fields=["staff", "answered_on"])]

    def __str__(self) -> str:
        return f"View of {self.staff} on {self.concern}"

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None
