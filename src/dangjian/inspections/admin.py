from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.inspections.models import AnnualInspection, GradeEvaluation, GradingSettings, Visit


@admin.register(AnnualInspection)
class AnnualInspectionAdmin(AuditedAdmin):
    list_display = [
        "organization",
        "year",
        "report_to_supervisor_on",
        "report_to_registrar_on",
        "exempt",
        "conclusion",
    ]
    list_filter = ["year", "conclusion", "exempt"]
    search_fields = ["organization__name"]
    raw_id_fields = ["organization", "inspected_by"]
    show_full_result_count = False


@admin.register(GradeEvaluation)
class GradeEvaluationAdmin(AuditedAdmin):
    list_display = ["organization", "year", "total_score", "grade", "valid_from", "valid_to"]
    list_filter = ["year", "grade", "status"]
    search_fields = ["organization__name"]
    raw_id_fields = ["organization", "evaluated_by"]


@admin.register(GradingSettings)
class GradingSettingsAdmin(AuditedAdmin):
    list_display = ["federation", "bar_without_party_org"]


@admin.register(Visit)
class VisitAdmin(AuditedAdmin):
    list_display = ["visited_on", "organization", "visitors", "unreachable_at_address"]
    list_filter = ["unreachable_at_address"]
    search_fields = ["organization__name", "visitors"]
    raw_id_fields = ["organization", "instructor", "recorded_by"]
    date_hierarchy = "visited_on"
