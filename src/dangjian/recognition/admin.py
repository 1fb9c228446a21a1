"""Honours in the admin: shown for support, granted and revoked only through the recognition
pages (``recognition.services``)."""

from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin
from dangjian.recognition.models import Recognition


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "organization", "revoked_on"]
    list_filter = ["kind"]
