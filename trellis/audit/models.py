"""The audit trail: who did or saw what to which pupil's record. Append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        IMPORT = "import", "Imported"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as text too, so the trail still says who after an account is removed.
    actor_name = models.CharField(max_length=150)
    school = models.ForeignKey("schools.School", null=True, on_delete=models.SET_NULL, related_name="+")
    # Not a foreign key: the trail outlives the pupil record (retention, subject access). Indexed
    # by the pupil-first index below.
    pupil_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    record_type = models.CharField(max_length=60, help_text="e.g. pupil, sen status, register")
    record_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="field -> [old, new]")
    via = models.CharField(max_length=8, default="web", help_text="web, api or command")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        # The trail grows by tens of millions of rows a year at trust scale; these keep its reads
        # proportional to what they return, not to the table (bench/audit_growth.py measures them).
        indexes = [
            # A pupil's trail newest first, in exactly the order the pupil page lists it, so the
            # page reads its 100 rows and stops (retention and subject access read it too).
            models.Index(fields=["pupil_id", "-at", "-id"], name="audit_pupil_newest"),
            # Who last changed or removed a record (edit conflicts): only changes and removals.
            models.Index(
                fields=["record_type", "record_id", "-at", "-id"],
                condition=models.Q(action__in=["update", "delete"]),
                name="audit_record_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.record_type}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")
