from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.governance.models import CharterRevision, MajorDecision, UnitLeader


@admin.register(UnitLeader)
class UnitLeaderAdmin(AuditedAdmin):
    list_display = ["organization", "role", "name", "member", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "member"]


@admin.register(CharterRevision)
class CharterRevisionAdmin(AuditedAdmin):
    list_display = ["organization", "adopted_on", "has_party_building_clause"]
    list_filter = ["has_party_building_clause"]
    autocomplete_fields = ["organization"]


@admin.register(MajorDecision)
class MajorDecisionAdmin(AuditedAdmin):
    list_display = ["organization", "decided_on", "body", "subject", "party_participated"]
    list_filter = ["body", "party_participated"]
    autocomplete_fields = ["organization"]
