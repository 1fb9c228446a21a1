from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dangjian.core.admin import AuditedAdmin
from dangjian.party.models import (
    Coverage,
    Designation,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "formation_mode", "federation", "valid_from", "status"]
    list_filter = ["kind", "formation_mode", "status", "federation"]
    search_fields = ["name", "approval_doc_no"]
    autocomplete_fields = ["parent", "federation"]
    inlines = [CoverageInline]


@admin.register(Coverage)
class CoverageAdmin(AuditedAdmin):
    list_display = ["party_organization", "organization", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["party_organization__name", "organization__name"]
    autocomplete_fields = ["party_organization", "organization"]
    show_full_result_count = False


class EmploymentInline(admin.TabularInline):
    model = Employment
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(PartyMember)
class PartyMemberAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "gender", "joined_party_on", "full_member_on", "left_on"]
    list_filter = ["gender", "education", "is_flowing", "is_lost_contact"]
    search_fields = ["name"]
    exclude = ["id_number_hash"]
    autocomplete_fields = ["relation_party_organization"]
    inlines = [EmploymentInline]
    show_full_result_count = False

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.id_number_masked


@admin.register(Employment)
class EmploymentAdmin(AuditedAdmin):
    list_display = ["member", "organization", "valid_from", "valid_to"]
    search_fields = ["member__name", "organization__name"]
    autocomplete_fields = ["member", "organization"]
    show_full_result_count = False


@admin.register(Position)
class PositionAdmin(AuditedAdmin):
    list_display = ["party_organization", "role", "member", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["member__name", "party_organization__name"]
    autocomplete_fields = ["member", "party_organization"]


@admin.register(Instructor)
class InstructorAdmin(AuditedAdmin):
    list_display = ["name", "kind", "dispatched_by", "notice_no", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "notice_no"]
    autocomplete_fields = ["member"]


@admin.register(InstructorAssignment)
class InstructorAssignmentAdmin(AuditedAdmin):
    list_display = ["instructor", "organization", "notice_no", "valid_from", "valid_to"]
    search_fields = ["instructor__name", "organization__name"]
    autocomplete_fields = ["instructor", "organization"]


@admin.register(Designation)
class DesignationAdmin(AuditedAdmin):
    list_display = ["year", "kind", "organization", "party_organization", "granted_by"]
    list_filter = ["kind", "year"]
    autocomplete_fields = ["organization", "party_organization"]
