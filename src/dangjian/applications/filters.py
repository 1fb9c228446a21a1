"""The workflow lists' filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.applications.models import FormationCase
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
