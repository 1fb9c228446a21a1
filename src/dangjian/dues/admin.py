"""Dues in the admin: read-only, for support. Every write goes through the dues pages and
``dues.services``, which hold the rules (no base before joining, one payment a month, a hand-in
matching the payments) and the audit trail."""

from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin
from dangjian.dues.models import (
    ArrearsReason,
    ArrearsStep,
    DuesBase,
    DuesMonth,
    DuesPayment,
    DuesPublication,
    DuesRelief,
    HandIn,
)


@admin.register(DuesBase)
class DuesBaseAdmin(ReadOnlyAdmin):
    list_display = ["member", "from_month", "category", "base_fen", "fixed_fen", "declared_on"]
    list_filter = ["category"]
    search_fields = ["member__name"]
    show_full_result_count = False


@admin.register(DuesRelief)
class DuesReliefAdmin(ReadOnlyAdmin):
    list_display = ["member", "kind", "first_month", "last_month", "decided_on", "approved_on"]
    list_filter = ["kind"]
    search_fields = ["member__name"]


@admin.register(DuesMonth)
class DuesMonthAdmin(ReadOnlyAdmin):
    list_display = ["member", "month", "party_organization", "category", "due_fen"]
    list_filter = ["category"]
    search_fields = ["member__name"]
    date_hierarchy = "month"
    show_full_result_count = False


@admin.register(DuesPayment)
class DuesPaymentAdmin(ReadOnlyAdmin):
    list_display = ["member", "month", "amount_fen", "paid_on", "method", "receipt_no"]
    list_filter = ["method"]
    search_fields = ["member__name", "receipt_no"]
    date_hierarchy = "paid_on"
    show_full_result_count = False


@admin.register(ArrearsReason)
class ArrearsReasonAdmin(ReadOnlyAdmin):
    list_display = ["member", "first_month", "last_month", "recorded_on"]
    search_fields = ["member__name"]


@admin.register(ArrearsStep)
class ArrearsStepAdmin(ReadOnlyAdmin):
    list_display = ["member", "kind", "taken_on"]
    list_filter = ["kind"]
    search_fields = ["member__name"]


@admin.register(HandIn)
class HandInAdmin(ReadOnlyAdmin):
    list_display = [
        "party_organization",
        "first_month",
        "last_month",
        "amount_fen",
        "handed_on",
        "received_on",
    ]
    search_fields = ["party_organization__name"]


@admin.register(DuesPublication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["party_organization", "year", "published_on"]
    search_fields = ["party_organization__name"]
