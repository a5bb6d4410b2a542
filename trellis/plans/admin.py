from django.contrib import admin

from .models import Plan, PlanVersion, Review, Target


class TargetInline(admin.TabularInline):
    model = Target
    fields = ["description", "area", "scale", "baseline_value", "target_value", "starts_on", "target_date"]
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pupil", "kind", "state", "starts_on"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["pupil", "created_by"]
    inlines = [TargetInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "in_force_from", "saved_at"]
    raw_id_fields = ["plan", "saved_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["target", "date", "value", "reviewed_by_name"]
    raw_id_fields = ["target", "reviewed_by"]
