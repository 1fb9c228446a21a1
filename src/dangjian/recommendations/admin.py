from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.recommendations.models import Letter


@admin.register(Letter)
class LetterAdmin(AuditedAdmin):
    list_display = ["doc_number", "title", "recipient", "status", "issued_on", "replied_on"]
    list_filter = ["status", "year"]
    search_fields = ["doc_number", "title", "recipient"]
    raw_id_fields = ["federation", "organizations", "findings", "drafted_by", "issued_by"]
    # The register is written by the services only: numbers are never typed by hand.
    readonly_fields = ["year", "serial", "doc_number", "version"]
