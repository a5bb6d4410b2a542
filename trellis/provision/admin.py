from django.contrib import admin

from .models import Intervention

# Only the catalogue (reference data, no pupil data) is editable here; groups, enrolments and
# results go through trellis.provision.services, which audits them.


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "area_of_need", "cost_per_session", "hourly_rate", "eef_strand"]
    list_filter = ["school", "eef_strand"]
    search_fields = ["name"]
