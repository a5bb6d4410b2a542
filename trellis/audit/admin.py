from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import HttpRequest, HttpResponse

from . import services as audit
from .models import AuditEvent


class AuditedReadOnlyAdmin(admin.ModelAdmin):
    """Pupil data in the Django admin: shown, never added, changed or deleted (every change goes
    through a service that validates it, audits it and keeps summaries up to date), and every page
    that shows it writes a view event, as the app's own pages do."""

    # The pupil of a row, as a lookup path from the model ("pupil", "target__pupil").
    pupil_path = "pupil"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def pupil_and_school(self, obj: models.Model) -> tuple[int | None, int | None]:
        ids = type(obj).objects.filter(pk=obj.pk).values_list(f"{self.pupil_path}_id", f"{self.pupil_path}__school_id")
        return ids.first() or (None, None)

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            audit.record(
                actor=request.user,
                action=AuditEvent.Action.VIEW,
                via="admin",
                record_type=f"{self.opts.verbose_name_plural} list"[:60],
                summary=f"Listed {changelist.result_count} in the Django admin",
                changes={"filters": [None, request.GET.dict()]},
            )
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._record_read(request, response, object_id)
        return response

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._record_read(request, response, object_id)
        return response

    def _record_read(self, request: HttpRequest, response: HttpResponse, object_id: str) -> None:
        if response.status_code != 200:
            return
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return
        pupil_id, school_id = self.pupil_and_school(obj)
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            via="admin",
            pupil_id=pupil_id,
            school=school_id,
            record_type=f"{self.opts.verbose_name}"[:60],
            record_id=obj.pk,
            summary="Opened in the Django admin",
        )


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedReadOnlyAdmin):
    """Read-only: the trail is evidence, so nobody edits or deletes it, administrators included.
    Its summaries and values are pupil data too, so reading them is itself audited."""

    list_display = ["at", "actor_name", "action", "record_type", "record_id", "pupil_id", "school", "via"]
    list_filter = ["action", "via", "record_type"]
    search_fields = ["actor_name", "record_type", "summary"]
    date_hierarchy = "at"

    def pupil_and_school(self, obj: AuditEvent) -> tuple[int | None, int | None]:
        return obj.pupil_id, obj.school_id
