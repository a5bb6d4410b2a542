from django.contrib import admin

from .models import Scale, ScaleBand, ScaleStep


class StepInline(admin.TabularInline):
    model = ScaleStep
    extra = 0


class BandInline(admin.TabularInline):
    model = ScaleBand
    extra = 0


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "school", "higher_is_better"]
    list_filter = ["kind"]
    inlines = [StepInline, BandInline]
