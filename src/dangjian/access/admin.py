from django.contrib import admin

from dangjian.access.models import RoleAssignment
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
