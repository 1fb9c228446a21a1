from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.ledgers.models import LedgerMapping, LedgerUpload


@admin.register(LedgerUpload)
class LedgerUploadAdmin(AuditedAdmin):
    """Uploads are a record of what came in: viewed here, never edited."""

    list_display = ["created_at", "original_name", "ledger", "federation", "uploader", "status"]
    list_filter = ["ledger", "status"]
    search_fields = ["original_name", "sha256"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerMapping)
class LedgerMappingAdmin(AuditedAdmin):
    list_display = ["federation", "ledger", "updated_at"]
