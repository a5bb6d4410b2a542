from django.contrib import admin

from .models import AcademicYear, AssessmentPoint, GroupStaff, HalfTerm, Region, School, TeachingGroup, Trust


class HalfTermInline(admin.TabularInline):
    model = HalfTerm
    extra = 0


class AssessmentPointInline(admin.TabularInline):
    model = AssessmentPoint
    extra = 0


class GroupStaffInline(admin.TabularInline):
    model = GroupStaff
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "trust", "region"]
    list_filter = ["phase", "trust"]
    search_fields = ["name", "urn"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["school", "name", "starts_on", "ends_on"]
    inlines = [HalfTermInline, AssessmentPointInline]


@admin.register(TeachingGroup)
class TeachingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "academic_year", "kind", "nc_year"]
    list_filter = ["kind", "school"]
    search_fields = ["name"]
    inlines = [GroupStaffInline]


admin.site.register(Trust)
admin.site.register(Region)
