from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dangjian.party import services
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
from dangjian.registry.admin import FactAdmin, ReadOnlyInline


class CoverageInline(ReadOnlyInline):
    model = Coverage
    fields = ["organization", "kind", "valid_from", "valid_to"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(FactAdmin):
    list_display = ["name", "kind", "formation_mode", "federation", "valid_from", "status"]
    list_filter = ["kind", "formation_mode", "status", "federation"]
    search_fields = ["name", "approval_doc_no"]
    autocomplete_fields = ["parent", "federation"]
    inlines = [CoverageInline]

    def create(values, actor):
        values = dict(values)
        return services.form_party_organization(
            values.pop("federation"),
            name=values.pop("name"),
            kind=values.pop("kind"),
            valid_from=values.pop("valid_from"),
            actor=actor,
            **values,
        )

    def update(obj, values, actor):
        return services.update_party_organization(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_party_organization(obj, actor=actor)


@admin.register(Coverage)
class CoverageAdmin(FactAdmin):
    list_display = ["party_organization", "organization", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["party_organization__name", "organization__name"]
    autocomplete_fields = ["party_organization", "organization"]
    show_full_result_count = False

    def create(values, actor):
        return services.add_coverage(
            values["party_organization"],
            values["organization"],
            kind=values.get("kind"),
            valid_from=values["valid_from"],
            valid_to=values.get("valid_to"),
            actor=actor,
        )

    def update(obj, values, actor):
        return services.update_coverage(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_coverage(obj, actor=actor)


class EmploymentInline(ReadOnlyInline):
    model = Employment
    fields = ["organization", "job_title", "valid_from", "valid_to"]


@admin.register(PartyMember)
class PartyMemberAdmin(FactAdmin):
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

    def create(values, actor):
        return services.create_member(values, actor=actor)

    def update(obj, values, actor):
        return services.update_member(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_member(obj, actor=actor)


@admin.register(Employment)
class EmploymentAdmin(FactAdmin):
    list_display = ["member", "organization", "valid_from", "valid_to"]
    search_fields = ["member__name", "organization__name"]
    autocomplete_fields = ["member", "organization"]
    show_full_result_count = False

    def create(values, actor):
        return services.start_employment(
            values["member"],
            values["organization"],
            on=values["valid_from"],
            job_title=values.get("job_title", ""),
            valid_to=values.get("valid_to"),
            actor=actor,
        )

    def update(obj, values, actor):
        return services.update_employment(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_employment(obj, actor=actor)


@admin.register(Position)
class PositionAdmin(FactAdmin):
    list_display = ["party_organization", "role", "member", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["member__name", "party_organization__name"]
    autocomplete_fields = ["member", "party_organization"]

    def create(values, actor):
        return services.appoint_position(
            values["party_organization"],
            values["member"],
            role=values["role"],
            valid_from=values["valid_from"],
            valid_to=values.get("valid_to"),
            actor=actor,
        )

    def update(obj, values, actor):
        return services.update_position(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_position(obj, actor=actor)


@admin.register(Instructor)
class InstructorAdmin(FactAdmin):
    list_display = ["name", "kind", "dispatched_by", "notice_no", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "notice_no"]
    autocomplete_fields = ["member"]

    def create(values, actor):
        return services.appoint_instructor(values, actor=actor)

    def update(obj, values, actor):
        return services.update_instructor(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_instructor(obj, actor=actor)


@admin.register(InstructorAssignment)
class InstructorAssignmentAdmin(FactAdmin):
    list_display = ["instructor", "organization", "notice_no", "valid_from", "valid_to"]
    search_fields = ["instructor__name", "organization__name"]
    autocomplete_fields = ["instructor", "organization"]

    def create(values, actor):
        return services.assign_instructor(
            values["instructor"],
            values["organization"],
            valid_from=values["valid_from"],
            valid_to=values.get("valid_to"),
            notice_no=values.get("notice_no", ""),
            notice_date=values.get("notice_date"),
            actor=actor,
        )

    def update(obj, values, actor):
        return services.update_instructor_assignment(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_instructor_assignment(obj, actor=actor)


@admin.register(Designation)
class DesignationAdmin(FactAdmin):
    list_display = ["year", "kind", "organization", "party_organization", "granted_by"]
    list_filter = ["kind", "year"]
    autocomplete_fields = ["organization", "party_organization"]

    def create(values, actor):
        values = dict(values)
        return services.designate(values.pop("kind"), actor=actor, **values)

    def update(obj, values, actor):
        return services.update_designation(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_designation(obj, actor=actor)
