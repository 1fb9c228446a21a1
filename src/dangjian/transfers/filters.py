"""The transfers lists' filters."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet
from dangjian.transfers.models import Transfer


class TransferFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Transfer.Status.choices, empty_label=ALL
    )
    direction = django_filters.ChoiceFilter(
        label=_("direction"),
        choices=[
            ("system", _("within the system")),
            ("out", _("out of the system")),
            ("in", _("from outside the system")),
        ],
        empty_label=ALL,
        method="by_direction",
    )

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(member__name__contains=value)
            | Q(letter_no__contains=value)
            | Q(external_letter_no__contains=value)
        )

    def by_direction(self, qs, name, value):
        if value == "out":
            return qs.filter(to_party_organization__isnull=True)
        if value == "in":
            return qs.filter(from_party_organization__isnull=True)
        return qs.filter(to_party_organization__isnull=False, from_party_organization__isnull=False)


class FlowingFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    current = django_filters.ChoiceFilter(
        label=_("period"),
        choices=[("yes", _("flowing now")), ("no", _("ended"))],
        empty_label=ALL,
        method="by_current",
    )

    def search(self, qs, name, value):
        value = value.strip()
        return (
            qs.filter(Q(member__name__contains=value) | Q(whereabouts__contains=value))
            if value
            else qs
        )

    def by_current(self, qs, name, value):
        return qs.filter(valid_to__isnull=value == "yes")
