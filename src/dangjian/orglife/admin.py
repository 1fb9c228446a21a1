from django.contrib import admin

from dangjian.orglife import services
from dangjian.orglife.models import Attendance, Meeting
from dangjian.registry.admin import FactAdmin, ReadOnlyInline


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["member", "role", "status", "reason", "method", "signed_at"]


@admin.register(Meeting)
class MeetingAdmin(FactAdmin):
    list_display = ["held_on", "kind", "party_organization", "topic", "present_count", "counts"]
    list_filter = ["kind", "status", "counts"]
    search_fields = ["topic", "party_organization__name"]
    autocomplete_fields = ["party_organization", "chair", "recorder"]
    date_hierarchy = "held_on"
    show_full_result_count = False
    # Derived from the attendance by the services (orglife.services.counts.settle).
    readonly_fields = ["status", "quorum_met", "counts", "version"]
    inlines = [AttendanceInline]

    def create(values, actor):
        values = dict(values)
        return services.record_meeting(values.pop("party_organization"), actor=actor, **values)

    def update(obj, values, actor):
        return services.update_meeting(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_meeting(obj, actor=actor)
