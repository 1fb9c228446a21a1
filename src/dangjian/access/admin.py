from django.contrib import admin

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.core.admin import AuditedAdmin


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = [
        "user",
        "role",
        "federation",
        "organization",
        "party_organization",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["role"]
    search_fields = ["user__username"]
    autocomplete_fields = ["federation", "organization", "party_organization", "instructor"]


@admin.register(UserSecurity)
class UserSecurityAdmin(AuditedAdmin):
    """Lets an administrator force a password change or reset a lost second factor."""

    list_display = ["user", "must_change_password", "totp_enabled", "password_changed_at"]
    list_filter = ["must_change_password", "totp_enabled"]
    search_fields = ["user__username"]
    fields = ["user", "must_change_password", "totp_enabled", "password_changed_at"]
    readonly_fields = ["user", "password_changed_at"]

    def has_add_permission(self, request):
        return False  # created with each account
