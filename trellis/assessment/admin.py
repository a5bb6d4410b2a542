from django.contrib import admin

from .models import Scale, ScaleBand, ScaleStep

# Read-only: assessments, reviews and provision results are stored as values on these scales, so
# changing a step here would leave recorded values off their scale. School scales are added through
# trellis.assessment.services (audited); the national ones come with the app.


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StepInline(ReadOnlyInline):
    model = ScaleStep


class BandInline(ReadOnlyInline):
    model = ScaleBand


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "school", "higher_is_better"]
    list_filter = ["kind"]
    inlines = [StepInline, BandInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
