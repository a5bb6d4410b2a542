from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Membership, TrustMembership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["school"]
    # The office's access to SEN records is the SENCO's decision, made on the school's "What the
    # school office sees" page, which audits it.
    readonly_fields = ["sees_sen_records"]


class TrustMembershipInline(admin.TabularInline):
    model = TrustMembership
    extra = 0


@admin.register(User)
class TrellisUserAdmin(UserAdmin):
    inlines = [MembershipInline, TrustMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "last_used_at"]
    readonly_fields = ["key_hash", "created_at", "last_used_at"]
