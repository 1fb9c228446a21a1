from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.recommendations.models import Letter, LetterCounter


@admin.register(Letter)
class LetterAdmin(AuditedAdmin):
    list_display = ["doc_number", "title", "recipient", "status", "issued_on", "replied_on"]
    list_filter = ["status", "year"]
    search_fields = ["doc_number", "title", "recipient"]
    raw_id_fields = ["federation", "organizations", "findings", "drafted_by", "issued_by"]
    # The register is written by the services only: numbers are never typed by hand.
    readonly_fields = ["year", "serial", "doc_number", "version"]


@admin.register(LetterCounter)
class LetterCounterAdmin(admin.ModelAdmin):
    list_display = ["federation", "year", "last_serial"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
