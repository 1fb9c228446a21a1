from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.party import services
from dangjian.party.models import (
    Coverage,
    Designation,
    Election,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
    RelationPeriod,
    TermExtension,
)
from dangjian.registry.admin import FactAdmin, ReadOnlyInline


class CoverageInline(ReadOnlyInline):
    model = Coverage
    fields = ["organization", "kind", "valid_from", "valid_to"]


class ElectionInline(ReadOnlyInline):
    model = Election
    fields = ["held_on", "kind", "term_years", "document_no"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(FactAdmin):
    list_display = ["name", "kind", "formation_mode", "federation", "valid_from", "status"]
    list_filter = ["kind", "formation_mode", "status", "federation"]
    search_fields = ["name", "approval_doc_no"]
    autocomplete_fields = ["parent", "federation"]
    inlines = [CoverageInline, ElectionInline]

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
        return services.remove(obj, actor=actor)


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
        return services.correct(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove(obj, actor=actor)


@admin.register(Election)
class ElectionAdmin(FactAdmin):
    list_display = ["party_organization", "held_on", "kind", "term_years"]
    list_filter = ["kind"]
    search_fields = ["party_organization__name", "document_no"]
    autocomplete_fields = ["party_organization"]

    def create(values, actor):
        values = dict(values)
        return services.record_election(
            values.pop("party_organization"), held_on=values.pop("held_on"), actor=actor, **values
        )

    def update(obj, values, actor):
        if "held_on" in values or "party_organization" in values:
            raise ValidationError(_("Remove this election and record it again on its day."))
        return services.update_election(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove_election(obj, actor=actor)


@admin.register(TermExtension)
class TermExtensionAdmin(FactAdmin):
    list_display = ["election", "approved_on", "approved_by", "extended_until"]
    search_fields = ["election__party_organization__name", "approved_by", "document_no"]
    autocomplete_fields = ["election"]

    def create(values, actor):
        values = dict(values)
        election = values.pop("election")
        return services.approve_term_extension(election.party_organization, actor=actor, **values)

    def update(obj, values, actor):
        values = {k: v for k, v in values.items() if k != "election"}
        return services.update_term_extension(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove_term_extension(obj, actor=actor)


class EmploymentInline(ReadOnlyInline):
    model = Employment
    fields = ["organization", "job_title", "valid_from", "valid_to"]


class RelationPeriodInline(ReadOnlyInline):
    model = RelationPeriod
    fields = ["party_organization", "external", "valid_from", "valid_to"]


@admin.register(RelationPeriod)
class RelationPeriodAdmin(FactAdmin):
    """A move is recorded here (its start is the move's day); a wrong one is removed."""

    list_display = ["member", "party_organization", "external", "valid_from", "valid_to"]
    search_fields = ["member__name", "party_organization__name", "external"]
    autocomplete_fields = ["member", "party_organization"]
    readonly_fields = ["valid_to"]
    show_full_result_count = False

    def create(values, actor):
        return services.move_relation(
            values["member"],
            to=values.get("party_organization") or values.get("external"),
            on=values["valid_from"],
            actor=actor,
        )

    def update(obj, values, actor):
        if set(values) - {"valid_from"}:
            raise ValidationError(_("Record a move instead, or remove this record."))
        if values["valid_from"] < obj.valid_from:
            return services.move_relation(
                obj.member,
                to=obj.party_organization or obj.external,
                on=values["valid_from"],
                actor=actor,
            )
        return services.correct_relation_start(obj, values["valid_from"], actor=actor)

    def delete(obj, actor):
        return services.remove_relation_period(obj, actor=actor)


@admin.register(PartyMember)
class PartyMemberAdmin(FactAdmin):
    list_display = ["name", "masked_id", "gender", "joined_party_on", "full_member_on", "left_on"]
    list_filter = ["gender", "education", "is_flowing", "is_lost_contact"]
    search_fields = ["name"]
    exclude = ["id_number_hash"]
    # The current relation follows the dated history (recorded as moves, RelationPeriod).
    readonly_fields = ["relation_party_organization", "relation_external"]
    inlines = [EmploymentInline, RelationPeriodInline]
    show_full_result_count = False

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.id_number_masked

    def create(values, actor):
        return services.create_member(values, actor=actor)

    def update(obj, values, actor):
        return services.update_member(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove(obj, actor=actor)


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
        return services.correct(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove(obj, actor=actor)


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
        return services.correct(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove(obj, actor=actor)


@admin.register(Instructor)
class InstructorAdmin(FactAdmin):
    list_display = ["name", "kind", "dispatched_by", "notice_no", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "notice_no"]
    autocomplete_fields = ["member"]

    def create(values, actor):
        return services.appoint_instructor(values, actor=actor)

    def update(obj, values, actor):
        return services.correct(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove(obj, actor=actor)


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
        return services.correct(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove(obj, actor=actor)


@admin.register(Designation)
class DesignationAdmin(FactAdmin):
    list_display = ["year", "kind", "organization", "party_organization", "granted_by"]
    list_filter = ["kind", "year"]
    autocomplete_fields = ["organization", "party_organization"]

    def create(values, actor):
        values = dict(values)
        return services.designate(values.pop("kind"), actor=actor, **values)

    def update(obj, values, actor):
        return services.correct(obj, values, actor=actor)

    def delete(obj, actor):
        return services.remove(obj, actor=actor)
