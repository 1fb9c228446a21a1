from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dangjian.core.admin import AuditedAdmin
from dangjian.rulebook import loader
from dangjian.rulebook.models import RuleOverride


@admin.register(RuleOverride)
class RuleOverrideAdmin(AuditedAdmin):
    list_display = ("federation", "rule_id", "valid_from", "ignored_national")
    list_filter = ("rule_id",)

    @admin.display(description=_("ignored (national parameters)"))
    def ignored_national(self, obj: RuleOverride) -> str:
        # Saved here, an override bypasses set_override's refusal: show what the rules ignore.
        return "、".join(loader.refused(obj)) or "—"
