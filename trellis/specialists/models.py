"""External specialists' advice (a report, its summary, recommendations, the day they saw the pupil)
and the school's referrals to specialist services, with the dates that show how long each wait was.

Services are kept as data (`Service`), not as logic: a school that refers elsewhere uses "Other".
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.evidence.storage import private_storage
from trellis.lib.models import LONG_TEXT, SHORT_TEXT, LimitedTextField


class Service(models.TextChoices):
    EP = "ep", "Educational psychology (EP)"
    SALT = "salt", "Speech and language therapy (SaLT)"
    OT = "ot", "Occupational therapy (OT)"
    CAMHS = "camhs", "Child and adolescent mental health services (CAMHS)"
    OTHER = "other", "Other"


def report_upload_to(instance, filename: str) -> str:
    """A random name under specialist-reports/<school>/: the pupil's name never appears in a path."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"specialist-reports/{instance.pupil.school_id}/{uuid.uuid4().hex}.{extension}"


class Advice(models.Model):
    """What a specialist wrote after seeing a pupil: a summary, an optional report file (stored and
    checked as evidence files are) and recommendations."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="specialist_advice")
    service = models.CharField(max_length=8, choices=Service.choices)
    seen_on = models.DateField("Date you saw the pupil")
    summary = LimitedTextField(max_length=LONG_TEXT)
    report = models.FileField(storage=private_storage, upload_to=report_upload_to, blank=True)
    report_name = models.CharField(max_length=200, blank=True)
    report_type = models.CharField(max_length=40, blank=True)
    report_size = models.PositiveIntegerField(null=True, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen_on", "-pk"]
        verbose_name_plural = "advice"

    def __str__(self) -> str:
        return f"{self.get_service_display()} advice of {self.seen_on}"


class Recommendation(models.Model):
    """One recommendation of a piece of advice; the SENCO may turn it into a strategy of a plan or a
    target, and it then records what it became."""

    class Became(models.TextChoices):
        STRATEGY = "strategy", "A strategy of the plan"
        TARGET = "target", "A target"

    advice = models.ForeignKey(Advice, on_delete=models.CASCADE, related_name="recommendations")
    position = models.PositiveSmallIntegerField()
    text = LimitedTextField(max_length=SHORT_TEXT)
    became = models.CharField(max_length=8, choices=Became.choices, blank=True)
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target = models.ForeignKey("plans.Target", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    adopted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["advice", "position"]

    def __str__(self) -> str:
        return self.text[:80]


def report_overdue_q(today: dt.date, prefix: str = "") -> models.Q:
    """Seen more than SPECIALIST_REPORT_WEEKS ago (6 weeks: seen 42 days ago is due today, not yet
    overdue), and no report received yet."""
    due = today - dt.timedelta(weeks=settings.SPECIALIST_REPORT_WEEKS)
    return models.Q(**{f"{prefix}seen_on__lt": due, f"{prefix}report_received_on__isnull": True})


def long_wait_q(today: dt.date, prefix: str = "") -> models.Q:
    """Not yet seen, referred more than REFERRAL_LONG_WAIT_WEEKS ago (18 weeks: 126 days is not yet long)."""
    since = today - dt.timedelta(weeks=settings.REFERRAL_LONG_WAIT_WEEKS)
    return models.Q(**{f"{prefix}seen_on__isnull": True, f"{prefix}referred_on__lt": since})


class ReferralQuerySet(models.QuerySet):
    def waiting(self) -> ReferralQuerySet:
        """Referred and not yet seen."""
        return self.filter(seen_on__isnull=True)

    def report_overdue(self, today: dt.date) -> ReferralQuerySet:
        return self.filter(report_overdue_q(today))

    def long_waits(self, today: dt.date) -> ReferralQuerySet:
        return self.filter(long_wait_q(today))


class Referral(models.Model):
    """A referral of a pupil to a specialist service, and how far it has got."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="referrals")
    service = models.CharField(max_length=8, choices=Service.choices)
    referred_on = models.DateField("Date referred")
    accepted_on = models.DateField("Date accepted", null=True, blank=True)
    seen_on = models.DateField("Date seen", null=True, blank=True)
    report_received_on = models.DateField("Date the report was received", null=True, blank=True)
    notes = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["pupil", "seen_on"])]

    def __str__(self) -> str:
        return f"{self.get_service_display()} referral of {self.referred_on}"

    def days_waiting(self, today: dt.date) -> int:
        """Days from the referral to the day the pupil was seen (or to today, while waiting)."""
        return ((self.seen_on or today) - self.referred_on).days

    def report_due_on(self) -> dt.date | None:
        if self.seen_on is None:
            return None
        return self.seen_on + dt.timedelta(weeks=settings.SPECIALIST_REPORT_WEEKS)
