"""The findings worklist's filters. An empty status means the open ones (open, acknowledged
or being rectified): the worklist shows what still needs doing unless asked otherwise.

"As of" a day lists the findings that day's evaluation found, whatever their status today,
each with that day's severity and explanation (the ``FindingObservation`` run containing the
day): how a finding found only in the past is seen."""

import django_filters
from django import forms
from django.db.models import DateField, Exists, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import FilterSet
from dangjian.rules.models import Finding, FindingObservation, Severity

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
    as_of = django_filters.DateFilter(
        label=_("as of"),
        method="seen_on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    defaults = {"status": OPEN}

    def __init__(self, data=None, queryset=None, *, rule_choices=(), **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.form.fields["rule"].choices = list(rule_choices)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data if self.form.is_valid() else {}
        if self.form.is_valid() and not data.get("status") and not data.get("as_of"):
            queryset = queryset.filter(status__in=Finding.OPEN_STATUSES)
        return queryset

    def invalid(self, queryset):
        # A tampered filter falls back to the worklist itself.
        return queryset.filter(status__in=Finding.OPEN_STATUSES)

    def in_status(self, qs, name, value):
        return qs if value == "all" else qs.filter(status=value)

    def seen_on(self, qs, name, value):
        seen = FindingObservation.objects.filter(
            finding=OuterRef("pk"), as_of__lte=value, until__gte=value
        )
        return qs.filter(Exists(seen)).annotate(
            seen_on=Value(value, output_field=DateField()),
            seen_severity=Subquery(seen.values("severity")[:1]),
            seen_explanation=Subquery(seen.values("explanation")[:1]),
        )

    def named(self, qs, name, value):
        return qs.filter(
            Q(organization__name__icontains=value) | Q(party_organization__name__icontains=value)
        )
