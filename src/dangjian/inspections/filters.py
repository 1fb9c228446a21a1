"""The visit register's filters (``?unreachable=1&organization=<id>``, as linked from a unit's
page and bookmarked)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import FilterSet
from dangjian.registry.models import Organization


class VisitFilter(FilterSet):
    unreachable = django_filters.ChoiceFilter(
        label=_("unreachable at the registered address"),
        choices=[("1", _("yes"))],
        method="only_unreachable",
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("organization"), queryset=Organization.objects.none()
    )

    def __init__(self, data=None, queryset=None, *, organizations=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.form.fields["organization"].queryset = (
            organizations if organizations is not None else Organization.objects.none()
        )

    def only_unreachable(self, qs, name, value):
        return qs.filter(unreachable_at_address=True)
