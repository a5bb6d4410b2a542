from django.contrib import admin

from .models import NeedType

# Pupils are deliberately not editable here: every change to a pupil's record goes through
# trellis.pupils.services, which audits it. Need types are reference data a superuser may correct.


@admin.register(NeedType)
class NeedTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "broad_area", "order"]
