from django.contrib import admin

from dangjian.governance import services
from dangjian.governance.models import CharterRevision, MajorDecision, UnitLeader
from dangjian.registry.admin import FactAdmin


@admin.register(UnitLeader)
class UnitLeaderAdmin(FactAdmin):
    list_display = ["organization", "role", "name", "member", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "member"]

    def create(values, actor):
        values = dict(values)
        return services.appoint_unit_leader(values.pop("organization"), actor=actor, **values)

    def update(obj, values, actor):
        return services.update_unit_leader(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_unit_leader(obj, actor=actor)


@admin.register(CharterRevision)
class CharterRevisionAdmin(FactAdmin):
    list_display = ["organization", "adopted_on", "has_party_building_clause"]
    list_filter = ["has_party_building_clause"]
    autocomplete_fields = ["organization"]

    def create(values, actor):
        return services.record_charter_revision(
            values["organization"],
            adopted_on=values["adopted_on"],
            has_party_building_clause=values.get("has_party_building_clause", False),
            note_text=values.get("note", ""),
            actor=actor,
        )

    def update(obj, values, actor):
        return services.update_charter_revision(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_charter_revision(obj, actor=actor)


@admin.register(MajorDecision)
class MajorDecisionAdmin(FactAdmin):
    list_display = ["organization", "decided_on", "body", "subject", "party_participated"]
    list_filter = ["body", "party_participated"]
    autocomplete_fields = ["organization"]

    def create(values, actor):
        return services.record_major_decision(
            values["organization"],
            decided_on=values["decided_on"],
            body=values["body"],
            subject=values["subject"],
            party_participated=values.get("party_participated", False),
            note_text=values.get("note", ""),
            actor=actor,
        )

    def update(obj, values, actor):
        return services.update_major_decision(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_major_decision(obj, actor=actor)
