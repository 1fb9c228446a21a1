from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.rulebook.models import RuleOverride


@admin.register(RuleOverride)
class RuleOverrideAdmin(AuditedAdmin):
    list_display = ("federation", "rule_id", "valid_from")
    list_filter = ("rule_id",)
