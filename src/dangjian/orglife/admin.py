from django.contrib import admin

from dangjian.orglife import services
from dangjian.orglife.models import Meeting
from dangjian.registry.admin import FactAdmin


@admin.register(Meeting)
class MeetingAdmin(FactAdmin):
    list_display = ["held_on", "kind", "party_organization", "topic", "present_count"]
    list_filter = ["kind"]
    search_fields = ["topic", "party_organization__name"]
    autocomplete_fields = ["party_organization"]
    date_hierarchy = "held_on"
    show_full_result_count = False

    def create(values, actor):
        values = dict(values)
        return services.record_meeting(values.pop("party_organization"), actor=actor, **values)

    def update(obj, values, actor):
        return services.update_meeting(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_meeting(obj, actor=actor)
