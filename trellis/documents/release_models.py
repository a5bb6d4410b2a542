"""Drafts, released versions and the send log of pupil documents (imported by models.py).

A document is a DRAFT until the SENCO releases it: the draft holds the wording the SENCO changed
(plain text per section, never HTML). Releasing renders it once and keeps the HTML and the PDF
with a checksum; a released version never changes (the model refuses updates and deletes, like
audit events), so what went to a family or the local authority can always be shown again. Each
hand-over of a released version is a `Sending`: to whom, how and when (also never changed).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.lib.models import LimitedTextField


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Released documents and their send log cannot be changed.")

    def delete(self):
        raise PermissionError("Released documents and their send log cannot be deleted.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Released documents and their send log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Released documents and their send log cannot be deleted.")


class Draft(models.Model):
    """A pupil document being prepared: its kind and the SENCO's wording, section by section."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="document_drafts")
    kind = models.CharField(max_length=40, help_text="a slug in trellis.documents.registry.KINDS")
    # section key -> plain text (paragraphs separated by blank lines); a section left out keeps its words.
    wording = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"Draft {self.kind} for {self.pupil}"

    @property
    def released(self) -> bool:
        return hasattr(self, "release")


class Release(AppendOnly):
    """A released version: exactly what was made, kept for good."""

    draft = models.OneToOneField(Draft, on_delete=models.PROTECT, related_name="release")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="document_releases")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    number = models.PositiveIntegerField(help_text="1 for the first release of this kind for this pupil")
    # Made by Trellis, not typed: a long annual review pack is a few hundred kB; 10 MB leaves room.
    html = LimitedTextField(max_length=10_000_000)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64, help_text="of the PDF's bytes")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_by_name = models.CharField(max_length=150)
    released_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-released_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["pupil", "kind", "number"], name="one_release_number")]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"

    @property
    def intact(self) -> bool:
        """The stored PDF is still the one released (the checksum says so)."""
        return hashlib.sha256(bytes(self.pdf)).hexdigest() == self.sha256

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.pupil.upn}-v{self.number}.pdf"


class Sending(AppendOnly):
    """Which released version went to whom, how and when."""

    class Recipient(models.TextChoices):
        CARER = "carer", "A parent or carer"
        LA = "la", "The local authority"
        NEXT_SCHOOL = "next_school", "The next school"
        PERSON = "person", "A named person"

    class Method(models.TextChoices):
        DOWNLOAD = "download", "Downloaded to print or post"
        EMAIL = "email", "Emailed"
        FAMILY_PAGE = "family_page", "Shared on the family pages"

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="sendings")
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    recipient_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    carer = models.ForeignKey("families.Carer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    method = models.CharField(max_length=12, choices=Method.choices)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_by_name = models.CharField(max_length=150)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.release} to {self.recipient_name} ({self.get_method_display().lower()})"
