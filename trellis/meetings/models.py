"""Termly pupil progress meetings (seed 000's five questions): who came, what was discussed for
each pupil, why progress was slower than expected, the actions agreed (each with an owner and a due
date) and the decisions, each linked to the record it changed (trellis.meetings.services)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trellis.lib.models import LONG_TEXT, SHORT_TEXT, LimitedTextField


class SlowProgressReasonQuerySet(models.QuerySet):
    def for_school(self, school) -> SlowProgressReasonQuerySet:
        """The list a school chooses from: the one every trust starts with, its trust's, its own."""
        return self.filter(
            Q(trust__isnull=True, school__isnull=True) | Q(trust_id=school.trust_id) | Q(school=school)
        ).filter(retired=False)


class SlowProgressReason(models.Model):
    """A reason for less than expected progress. Kept as a shared list (not free text alone) so
    that a trust can compare reasons across its schools; a school may add its own."""

    text = models.CharField(max_length=120)
    trust = models.ForeignKey("schools.Trust", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=100)
    retired = models.BooleanField(default=False, help_text="No longer offered; kept for past meetings")

    objects = SlowProgressReasonQuerySet.as_manager()

    class Meta:
        ordering = ["order", "text"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trust__isnull=True) | Q(school__isnull=True), name="reason_for_trust_or_school"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def scope(self) -> str:
        return "school" if self.school_id else "trust" if self.trust_id else "all"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        """Meetings about at least one pupil this user may see, or that they attend."""
        from trellis.pupils.models import Pupil

        seen = Pupil.objects.visible_to(user).values("pk")
        return self.filter(Q(pupils__pupil__in=seen) | Q(staff=user)).distinct()


class Meeting(models.Model):
    class Kind(models.TextChoices):
        CLASS = "class", "A class"
        GROUP = "group", "A group of pupils"
        PUPIL = "pupil", "One pupil"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    teaching_group = models.ForeignKey(
        "schools.TeachingGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField("date")
    starts_at = models.TimeField("time", null=True, blank=True)
    place = models.CharField(max_length=120, blank=True)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meetings", blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    scheduled_at = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True, help_text="When the invitation was last emailed")
    notes = LimitedTextField(blank=True, max_length=SHORT_TEXT)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["school", "held_on"])]

    def __str__(self) -> str:
        return f"Progress meeting on {self.held_on:%d/%m/%Y}"


class MeetingPupil(models.Model):
    """One pupil's part of a meeting: who came for them, the discussion and the reasons for slow progress."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pupils")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="progress_meetings")
    parent_attended = models.BooleanField("parent or carer came", null=True, blank=True)
    parent_names = models.CharField("who came for the family", max_length=200, blank=True)
    pupil_attended = models.BooleanField("pupil came", null=True, blank=True)
    discussion = LimitedTextField(blank=True, max_length=LONG_TEXT)
    reasons = models.ManyToManyField(SlowProgressReason, blank=True, related_name="+")
    reason_notes = LimitedTextField("more about the reasons", blank=True, max_length=SHORT_TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "pupil__legal_surname", "pupil__legal_forename"]
        constraints = [models.UniqueConstraint(fields=["meeting", "pupil"], name="one_discussion_per_pupil")]

    def __str__(self) -> str:
        return f"{self.pupil} at {self.meeting}"


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(done_on__isnull=True)


class Action(models.Model):
    """Something agreed, with its owner (a member of staff, or a parent named in words) and due date."""

    discussion = models.ForeignKey(MeetingPupil, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField("what will be done", max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_actions"
    )
    owner_parent = models.CharField("parent or carer", max_length=120, blank=True)
    due_on = models.DateField("due")
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_on"])]

    def __str__(self) -> str:
        return self.text

    @property
    def owner_name(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.get_username()
        return self.owner_parent

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_on < today


class Decision(models.Model):
    """A decision about the pupil, applied through the owning app's service and linked to what it changed."""

    class Kind(models.TextChoices):
        CONTINUE = "continue", "Continue a provision"
        EXTEND = "extend", "Extend a provision"
        ADAPT = "adapt", "Adapt a provision"
        STOP = "stop", "Stop a provision"
        NEW_TARGET = "new_target", "Set a new target"
        CHANGE_TARGET = "change_target", "Change a target"
        REFER = "refer", "Refer to a specialist"
        RAISE_STATUS = "raise_status", "Raise the SEN status"
        LOWER_STATUS = "lower_status", "Lower the SEN status"
        REQUEST_EHC = "request_ehc", "Request an EHC needs assessment"

    PROVISION_KINDS = (Kind.CONTINUE, Kind.EXTEND, Kind.ADAPT, Kind.STOP)

    discussion = models.ForeignKey(MeetingPupil, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    summary = models.CharField(max_length=300, help_text="What was decided, in words a parent reads")
    enrolment = models.ForeignKey(
        "provision.Enrolment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.ForeignKey("plans.Target", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sen_status = models.ForeignKey(
        "pupils.SenStatusEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    concern = models.ForeignKey(
        "identification.Concern", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ehc_request = models.ForeignKey(
        "deadlines.EhcAssessmentRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"
