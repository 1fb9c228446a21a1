"""The findings worklist's filters. An empty status means the open ones (open, acknowledged
or being rectified): the worklist shows what still needs doing unless asked otherwise."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import FilterSet
from dangjian.rules.models import Finding, Severity

OPEN = _("open, acknowledged or being rectified")


class FindingFilter(FilterSet):
    rule = django_filters.ChoiceFilter(label=_("rule"), field_name="rule_id", empty_label="—")
    severity = django_filters.ChoiceFilter(
        label=_("severity"), choices=Severity.choices, empty_label="—"
    )
    status = django_filters.ChoiceFilter(
        label=_("status"),
        choices=[("all", _("all")), *Finding.Status.choices],
        empty_label=OPEN,
        method="in_status",
    )
    unit = django_filters.CharFilter(label=_("unit"), method="named", max_length=100)

    defaults = {"status": OPEN}

    def __init__(self, data=None, queryset=None, *, rule_choices=(), **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.form.fields["rule"].choices = list(rule_choices)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.is_valid() and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=Finding.OPEN_STATUSES)
        return queryset

    def invalid(self, queryset):
        # A tampered filter falls back to the worklist itself.
        return queryset.filter(status__in=Finding.OPEN_STATUSES)

    def in_status(self, qs, name, value):
        return qs if value == "all" else qs.filter(status=value)

    def named(self, qs, name, value):
        return qs.filter(
            Q(organization__name__icontains=value) | Q(party_organization__name__icontains=value)
        )
