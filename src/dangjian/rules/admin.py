from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.rules.models import CoverageSnapshot, EvaluationRun, Finding


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ("rule_id", "subject_key", "period_key", "severity", "status", "last_seen")
    list_filter = ("rule_id", "severity", "status")
    search_fields = ("explanation", "organization__name", "party_organization__name")
    readonly_fields = ("rule_id", "subject_key", "period_key", "evidence", "fingerprint", "version")


@admin.register(EvaluationRun)
class EvaluationRunAdmin(AuditedAdmin):
    list_display = ("federation", "as_of", "state", "steps_done", "steps_total", "created_at")


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(AuditedAdmin):
    list_display = ("federation", "day", "dimension", "value", "total", "organizational", "work")
    list_filter = ("dimension",)
