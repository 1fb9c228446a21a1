"""The dues lists' filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet


class HandInFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    received = django_filters.ChoiceFilter(
        label=_("received"),
        choices=[("yes", _("received")), ("no", _("not yet received"))],
        empty_label=ALL,
        method="by_receipt",
    )

    def search(self, qs, name, value):
        return qs.filter(party_organization__name__contains=value.strip()) if value.strip() else qs

    def by_receipt(self, qs, name, value):
        return qs.filter(received_on__isnull=value == "no")
