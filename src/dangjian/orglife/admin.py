from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.orglife.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["held_on", "kind", "party_organization", "topic", "present_count"]
    list_filter = ["kind"]
    search_fields = ["topic", "party_organization__name"]
    autocomplete_fields = ["party_organization"]
    date_hierarchy = "held_on"
    show_full_result_count = False
