"""The party organization list's filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet
from dangjian.party.models import PartyOrganization


class PartyOrganizationFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=PartyOrganization.Kind.choices, empty_label=ALL
    )
    formation_mode = django_filters.ChoiceFilter(
        label=_("formation mode"),
        choices=PartyOrganization.FormationMode.choices,
        empty_label=ALL,
    )
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=PartyOrganization.Status.choices, empty_label=ALL
    )

    def search(self, qs, name, value):
        return qs.filter(name__contains=value.strip()) if value.strip() else qs
