"""The organization list's filters (the page and the member-unit export share them)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet
from dangjian.party.queries import with_party_organization
from dangjian.registry.models import Federation, Organization

YES_NO = [("yes", _("yes")), ("no", _("no"))]


class OrganizationFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    federation = django_filters.ModelChoiceFilter(
        label=_("federation"), queryset=Federation.objects.none(), method="in_federation"
    )
    category = django_filters.ChoiceFilter(
        label=_("category"), choices=Organization.Category.choices, empty_label=ALL
    )
    district = django_filters.CharFilter(label=_("district"), method="in_district", max_length=50)
    has_party_org = django_filters.ChoiceFilter(
        label=_("has a party organization"), choices=YES_NO, empty_label=ALL, method="covered"
    )
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Organization.Status.choices, empty_label=ALL
    )

    def __init__(self, data=None, queryset=None, *, federations=None, **kwargs):
        # Every row says whether a party organization covers the unit today (a column and a filter).
        super().__init__(data, with_party_organization(queryset), **kwargs)
        # `is not None`, not `or`: a QuerySet's truth value runs the query.
        self.form.fields["federation"].queryset = (
            federations if federations is not None else Federation.objects.none()
        )

    def search(self, qs, name, value):
        term = value.strip()
        return qs.filter(Q(name__contains=term) | Q(uscc=term.upper())) if term else qs

    def in_federation(self, qs, name, value):
        return qs.members_of(value)

    def in_district(self, qs, name, value):
        return qs.filter(district=value.strip()) if value.strip() else qs

    def covered(self, qs, name, value):
        return qs.filter(has_party_org=value == "yes")
