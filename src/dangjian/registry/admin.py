from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.registry.models import Domain, Federation, Membership, Organization


@admin.register(Federation)
class FederationAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "level", "parent", "founded_on"]
    list_filter = ["level"]
    search_fields = ["name", "short_name"]


@admin.register(Domain)
class DomainAdmin(AuditedAdmin):
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["federation"]


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "uscc", "category", "legal_form", "district", "status"]
    list_filter = ["category", "legal_form", "status", "district", "domains"]
    search_fields = ["name", "uscc"]
    filter_horizontal = ["domains"]
    inlines = [MembershipInline]
    show_full_result_count = False  # no COUNT(*) over a large table on every page


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["organization", "federation", "role", "valid_from", "valid_to"]
    list_filter = ["role", "federation"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization", "federation"]
    show_full_result_count = False
