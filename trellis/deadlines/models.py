"""The dates of statutory EHC work and SEN support reviews. Due dates are not stored: they follow
from these dates by the rules in trellis.deadlines.rules, so a corrected date corrects every
deadline after it."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class EhcAssessmentRequest(models.Model):
    """A request to the LA for an EHC needs assessment, with the date of each step and its outcome."""

    class RequestedBy(models.TextChoices):
        SCHOOL = "school", "The school"
        PARENT = "parent", "A parent"
        YOUNG_PERSON = "young_person", "The young person"
        OTHER = "other", "Someone else"

    class Decision(models.TextChoices):
        ASSESS = "assess", "To assess"
        NOT_ASSESS = "not_assess", "Not to assess"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="ehc_requests")
    requested_on = models.DateField()
    requested_by = models.CharField(max_length=12, choices=RequestedBy.choices, default=RequestedBy.SCHOOL)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    advice_requested_on = models.DateField(null=True, blank=True)
    advice_given_on = models.DateField(null=True, blank=True)
    draft_issued_on = models.DateField(null=True, blank=True)
    parent_comments_on = models.DateField(null=True, blank=True)
    not_to_issue_on = models.DateField(null=True, blank=True, help_text="The LA decided not to issue a plan")
    final_issued_on = models.DateField(null=True, blank=True)
    appeal_lodged_on = models.DateField(null=True, blank=True, help_text="Appeal to the SEND Tribunal")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        indexes = [models.Index(fields=["pupil", "requested_on"])]

    def __str__(self) -> str:
        return f"EHC needs assessment requested {self.requested_on}"

    @property
    def closed_on(self):
        """The day the request ended: not assessed, not issued or a final plan (None while open)."""
        if self.decision == self.Decision.NOT_ASSESS:
            return self.decided_on
        return self.not_to_issue_on or self.final_issued_on


class AnnualReview(models.Model):
    """One annual review of an EHC plan, due on `due_on`, with the date of each step."""

    class Decision(models.TextChoices):
        MAINTAIN = "maintain", "Keep the plan as it is"
        AMEND = "amend", "Amend the plan"
        CEASE = "cease", "Cease the plan"

    plan = models.ForeignKey("pupils.EhcPlan", on_delete=models.CASCADE, related_name="annual_reviews")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="annual_reviews")
    due_on = models.DateField()
    meeting_on = models.DateField("Planned meeting", null=True, blank=True)
    advice_requested_on = models.DateField(null=True, blank=True)
    invitations_sent_on = models.DateField(null=True, blank=True)
    held_on = models.DateField("Meeting held", null=True, blank=True)
    report_sent_on = models.DateField(null=True, blank=True)
    la_decision = models.CharField("LA's decision", max_length=8, choices=Decision.choices, blank=True)
    la_decision_on = models.DateField(null=True, blank=True)
    amended_plan_on = models.DateField(null=True, blank=True)
    next_school = models.CharField(
        "Next school or college named", max_length=200, blank=True, help_text="For a phase transfer review"
    )
    health_involved = models.BooleanField("Health services are involved", default=False)
    social_care_involved = models.BooleanField("Social care is involved", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["-due_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "due_on"], name="one_review_per_due_date")]

    def __str__(self) -> str:
        return f"Annual review due {self.due_on}"

    @property
    def amends(self) -> bool:
        return self.la_decision == self.Decision.AMEND

    @property
    def is_complete(self) -> bool:
        return self.la_decision_on is not None and (not self.amends or self.amended_plan_on is not None)

    def invitees(self) -> list[str]:
        """Who is invited (SEND Regulations 2014 reg. 20(3)): parents, the pupil and the LA always;
        health and social care where involved."""
        people = ["Parents", "The pupil", "The local authority"]
        if self.health_involved:
            people.append("Health services")
        if self.social_care_involved:
            people.append("Social care")
        return people


class SupportReview(models.Model):
    """A review of a pupil's SEN support. It counts towards three a year only if a parent took part
    or was invited, and the record says which (Code of Practice 6.65)."""

    class Parent(models.TextChoices):
        TOOK_PART = "took_part", "A parent took part"
        INVITED = "invited", "A parent was invited but did not come"
        NOT_INVOLVED = "not_involved", "No parent took part or was invited"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="support_reviews")
    held_on = models.DateField()
    parent = models.CharField(max_length=12, choices=Parent.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["pupil", "held_on"])]

    def __str__(self) -> str:
        return f"SEN support review on {self.held_on}"

    @property
    def counts(self) -> bool:
        return self.parent in {self.Parent.TOOK_PART, self.Parent.INVITED}


class CalendarFeed(models.Model):
    """A person's private calendar link. Only a hash of its token is kept; revoking it (or making a
    new one) stops the old link at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Calendar link for {self.user}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> tuple[str, str]:
        key = secrets.token_urlsafe(32)
        return key, CalendarFeed.hash(key)
