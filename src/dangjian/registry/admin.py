from django.contrib import admin

from dangjian.core.admin import AuditedAdmin
from dangjian.registry import services
from dangjian.registry.models import Domain, Federation, Membership, Organization


class FactAdmin(AuditedAdmin):
    """The admin of a fact model: every write goes through the app's services.

    ``create(values, actor)``, ``update(obj, values, actor)`` and ``delete(obj, actor)`` are the
    service calls; ``values`` are the fields the form changed (all of them on create). The
    audit records are the services' own.
    """

    create = update = delete = None

    def _values(self, obj, form, changed_only: bool) -> dict:
        names = form.changed_data if changed_only else list(form.cleaned_data)
        concrete = {f.name for f in obj._meta.concrete_fields if not f.primary_key}
        return {name: getattr(obj, name) for name in names if name in concrete}

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            type(self).update(stored, self._values(obj, form, True), request.user)
        else:
            created = type(self).create(self._values(obj, form, False), request.user)
            obj.pk = created.pk
            obj._state.adding = False

    def delete_model(self, request, obj):
        type(self).delete(obj, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            type(self).delete(obj, request.user)


class ReadOnlyInline(admin.TabularInline):
    """Shown on the parent's page; added and changed on its own admin page (through the
    services), so an inline never writes a fact unaudited."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Federation)
class FederationAdmin(FactAdmin):
    list_display = ["name", "short_name", "level", "parent", "founded_on"]
    list_filter = ["level"]
    search_fields = ["name", "short_name"]

    def create(values, actor):
        return services.create_federation(values, actor=actor)

    def update(obj, values, actor):
        return services.update_federation(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_federation(obj, actor=actor)


@admin.register(Domain)
class DomainAdmin(FactAdmin):
    search_fields = ["name"]

    def create(values, actor):
        return services.domain(values["name"], actor=actor)

    def update(obj, values, actor):
        return services.rename_domain(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_domain(obj, actor=actor)


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["federation", "role", "valid_from", "valid_to", "note"]


@admin.register(Organization)
class OrganizationAdmin(FactAdmin):
    list_display = ["name", "uscc", "category", "legal_form", "district", "status"]
    list_filter = ["category", "legal_form", "status", "district", "domains"]
    search_fields = ["name", "uscc"]
    filter_horizontal = ["domains"]
    inlines = [MembershipInline]
    show_full_result_count = False  # no COUNT(*) over a large table on every page

    def create(values, actor):
        return services.create_organization(values, actor=actor)

    def update(obj, values, actor):
        return services.update_organization(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_organization(obj, actor=actor)

    def save_related(self, request, form, formsets, change):
        # The fields of work through the service (an audited many-to-many change).
        services.set_domains(form.instance, form.cleaned_data["domains"], actor=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Membership)
class MembershipAdmin(FactAdmin):
    list_display = ["organization", "federation", "role", "valid_from", "valid_to"]
    list_filter = ["role", "federation"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization", "federation"]
    show_full_result_count = False

    def create(values, actor):
        return services.admit_unit(
            values["federation"],
            values["organization"],
            role=values.get("role"),
            joined_on=values["valid_from"],
            valid_to=values.get("valid_to"),
            note=values.get("note", ""),
            actor=actor,
        )

    def update(obj, values, actor):
        if set(values) - set(services.MEMBERSHIP_FIELDS):
            # Moving a membership to another unit or federation is a new membership.
            raise ValueError("unit and federation of a membership are fixed")
        return services.update_membership(obj, values, actor=actor)

    def delete(obj, actor):
        return services.delete_membership(obj, actor=actor)

    def get_readonly_fields(self, request, obj=None):
        return ["organization", "federation"] if obj else []
