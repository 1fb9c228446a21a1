from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin

from .models import Applicant, Step


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    list_display = ("name", "branch", "applied_on", "stage", "status")
    list_filter = ("status", "stage")


@admin.register(Step)
class StepAdmin(ReadOnlyAdmin):
    list_display = ("applicant", "code", "done_on", "rule_version", "article")
