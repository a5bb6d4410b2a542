from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is evidence, so nobody edits or deletes it, administrators included."""

    list_display = ["at", "actor_name", "action", "record_type", "record_id", "pupil_id", "school", "via"]
    list_filter = ["action", "via", "record_type"]
    search_fields = ["actor_name", "record_type", "summary"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
