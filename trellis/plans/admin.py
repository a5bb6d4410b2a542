from django.contrib import admin

from trellis.audit.admin import AuditedReadOnlyAdmin

from .models import Plan, PlanVersion, Review, Target

# Read-only: plans, targets and reviews change only through trellis.plans.services, which checks
# values against their scale, audits the change and keeps each target's summary up to date.


class TargetInline(admin.TabularInline):
    model = Target
    fields = ["description", "area", "scale", "baseline_value", "target_value", "starts_on", "target_date"]
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(AuditedReadOnlyAdmin):
    list_display = ["__str__", "pupil", "kind", "state", "starts_on"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["pupil", "created_by"]
    list_select_related = ["pupil"]
    inlines = [TargetInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(AuditedReadOnlyAdmin):
    list_display = ["plan", "number", "in_force_from", "saved_at"]
    raw_id_fields = ["plan", "saved_by"]
    list_select_related = ["plan"]
    pupil_path = "plan__pupil"


@admin.register(Review)
class ReviewAdmin(AuditedReadOnlyAdmin):
    list_display = ["target", "date", "value", "reviewed_by_name"]
    raw_id_fields = ["target", "reviewed_by"]
    list_select_related = ["target"]
    pupil_path = "target__pupil"
