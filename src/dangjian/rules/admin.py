from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dangjian.core.admin import AuditedAdmin
from dangjian.rules.models import CoverageSnapshot, EvaluationRun, Finding


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ("rule_id", "subject_key", "period_key", "severity", "status", "last_seen")
    list_filter = ("rule_id", "severity", "status")
    search_fields = ("explanation", "organization__name", "party_organization__name")
    readonly_fields = (
        "rule_id",
        "subject_key",
        "period_key",
        "explanation_as_read",
        "evidence",
        "fingerprint",
        "version",
    )
    # The stored text holds marks read as of a day (``rules.asof``: "{as_of}", day counts);
    # the engine writes it, the administrator reads it as everyone else does.
    exclude = ("explanation",)

    @admin.display(description=_("explanation"))
    def explanation_as_read(self, finding: Finding) -> str:
        return finding.explanation_text


@admin.register(EvaluationRun)
class EvaluationRunAdmin(AuditedAdmin):
    list_display = ("federation", "as_of", "state", "steps_done", "steps_total", "created_at")


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(AuditedAdmin):
    list_display = ("federation", "day", "dimension", "value", "total", "organizational", "work")
    list_filter = ("dimension",)
