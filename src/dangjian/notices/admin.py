"""Notices in the admin, for support only: their pages and services keep the life of a notice
(frozen once published) and the audit; here they are read, never edited."""

from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin
from dangjian.notices.models import Duty, Notice, Receipt


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "federation", "sender_name", "published_at"]
    list_filter = ["kind", "status", "audience"]
    search_fields = ["title"]
    show_full_result_count = False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["notice", "target_name", "status", "signed_at", "signed_by_name"]
    list_filter = ["status"]
    search_fields = ["target_name", "notice__title"]
    show_full_result_count = False


@admin.register(Duty)
class DutyAdmin(ReadOnlyAdmin):
    """Recurring duties (N-8) are set up, changed and ended on their pages (``notices.duties``,
    audited); here they are read only."""

    list_display = ["title", "year", "cycle", "expected_count", "audience", "federation", "active"]
    list_filter = ["year", "cycle", "active"]
    filter_horizontal = ["organizations", "target_branches"]
