from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import BaseModelForm
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest

from dangjian.core import personal
from dangjian.core.audit import record_change, snapshot


def _stored(obj: models.Model) -> dict[str, Any]:
    """The snapshot of the row as the database holds it (the form has already changed ``obj``)."""
    return snapshot(type(obj)._default_manager.get(pk=obj.pk))


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin writes leave the same audit records as service calls, inlines included.

    The object's own record is written in ``save_related``, after its many-to-many fields and
    inlines are saved, so a change of links (e.g. an organization's domains) is in it.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._audit_before = _stored(obj) if change and obj.pk else None
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: BaseModelForm[Any], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        record_change(request.user, obj, getattr(obj, "_audit_before", None))

    def save_formset(
        self,
        request: HttpRequest,
        form: BaseModelForm[Any],
        formset: BaseModelFormSet[Any, Any],
        change: bool,
    ) -> None:
        befores: dict[Any, dict[str, Any]] = {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk is None:
                continue
            if inline_form in formset.deleted_forms:
                # Recorded now: after the delete the instance no longer has its primary key.
                record_change(request.user, instance, _stored(instance), deleted=True)
            elif inline_form.has_changed():
                befores[instance.pk] = _stored(instance)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record_change(request.user, obj, None)
        for obj, _fields in formset.changed_objects:
            record_change(request.user, obj, befores.get(obj.pk) or _stored(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj)
        record_change(request.user, obj, before, deleted=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            record_change(request.user, obj, snapshot(obj), deleted=True)
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Workflow records (applications, formation cases, case campaigns, honours) change only
    through their workflow's pages and services, which keep the state machine, the version and
    the audit trail; the admin shows them for support and never edits them. Personal fields
    (``core.personal``) are left out of the page, so the admin shows no ID number or phone."""

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in personal.fields_of(self.model._meta.label_lower)]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
