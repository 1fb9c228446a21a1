"""The workflow lists' filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.applications.models import Application, FormationCase
from dangjian.core.filters import FilterSet

ACTIVE = (FormationCase.Status.OPEN, FormationCase.Status.SUBMITTED)
TO_DO = _("To do")


class FormationCaseFilter(FilterSet):
    """The formation cases' tabs: ``?status=active`` (the default: open or submitted) or one
    status."""

    status = django_filters.ChoiceFilter(
        label=_("status"),
        choices=[("active", TO_DO), *FormationCase.Status.choices],
        empty_label=None,
        method="in_status",
    )

    defaults = {"status": TO_DO}

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.is_valid() and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=ACTIVE)
        return queryset

    def in_status(self, qs, name, value):
        return qs.filter(status__in=ACTIVE) if value == "active" else qs.filter(status=value)

    @property
    def tab(self) -> str:
        """The tab shown."""
        return (self.form.cleaned_data.get("status") if self.form.is_valid() else "") or "active"


class ApplicationFilter(FilterSet):
    """The applications' tabs: one status, the submitted ones (awaiting review) by default; an
    unknown status falls back to them, as the tabs always did."""

    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Application.Status.choices, empty_label=None
    )

    defaults = {"status": Application.Status.SUBMITTED.label}

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.is_valid() and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=Application.Status.SUBMITTED)
        return queryset

    def invalid(self, queryset):
        return queryset.filter(status=Application.Status.SUBMITTED)

    @property
    def tab(self) -> str:
        """The tab shown."""
        valid = self.form.is_valid()
        return (
            self.form.cleaned_data.get("status") if valid else ""
        ) or Application.Status.SUBMITTED
