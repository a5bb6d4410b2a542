"""The SEN information report a school publishes each year: the SENCO's words under each heading
the regulations require (`headings.py`), the contacts, the staff training, and each publication
frozen as it was published (the public page shows the latest; drafts are never public)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trellis.lib.models import LONG_TEXT, LimitedTextField
from trellis.schools.models import AcademicYear, School

from .headings import HEADINGS

CONTACT_FIELDS = [
    "senco_name",
    "senco_email",
    "senco_phone",
    "sendiass_name",
    "sendiass_phone",
    "sendiass_email",
    "sendiass_website",
    "local_offer_website",
]


class InformationReport(models.Model):
    """One school's report for one academic year, as the SENCO is writing it (the draft)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="information_reports")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="+")
    senco_name = models.CharField("SENCO's name", max_length=200, blank=True)
    senco_email = models.EmailField("SENCO's email address", max_length=254, blank=True)
    senco_phone = models.CharField("SENCO's phone number", max_length=40, blank=True)
    sendiass_name = models.CharField("Name of the local SENDIASS", max_length=200, blank=True)
    sendiass_phone = models.CharField("SENDIASS phone number", max_length=40, blank=True)
    sendiass_email = models.EmailField("SENDIASS email address", max_length=254, blank=True)
    sendiass_website = models.URLField("SENDIASS website", max_length=500, blank=True)
    local_offer_website = models.URLField("Where the local offer is published", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)  # of the contacts (trellis.lib.versions)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year"], name="one_information_report_a_year")
        ]

    def __str__(self) -> str:
        return f"SEN information report {self.academic_year.name}, {self.school.name}"


class ReportSection(models.Model):
    """The SENCO's words under one heading."""

    report = models.ForeignKey(InformationReport, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=40, choices=[(h.key, h.title) for h in HEADINGS])
    text = LimitedTextField(max_length=LONG_TEXT, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="one_section_a_heading")]


class StaffTraining(models.Model):
    """Training staff took in SEN, as the SENCO records it for the report (no one is named: the
    group of staff, such as "All teaching assistants")."""

    report = models.ForeignKey(InformationReport, on_delete=models.CASCADE, related_name="training")
    course = models.CharField("Training", max_length=200)
    attended_by = models.CharField("Who took it", max_length=200, help_text="For example: All teaching assistants")
    completed_on = models.DateField("Date")

    class Meta:
        ordering = ["completed_on", "pk"]


class Publication(models.Model):
    """The report as it was published: every heading, figure and contact, frozen, so later edits
    (or later figures) never change what the public read until the SENCO publishes again."""

    report = models.ForeignKey(InformationReport, on_delete=models.CASCADE, related_name="publications")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    content = models.JSONField()

    class Meta:
        ordering = ["-published_at", "-pk"]


# Pupils' documents: drafts, released versions and the send log (their own module, as they are their own part).
from .release_models import Draft, Release, Sending  # noqa: E402, F401
