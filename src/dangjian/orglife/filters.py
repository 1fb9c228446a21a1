"""The meetings list's filters."""

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet
from dangjian.orglife.models import Meeting


class MeetingFilter(FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=Meeting.Kind.choices, empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Meeting.Status.choices, empty_label=ALL
    )
    year = django_filters.NumberFilter(
        label=_("year"), method="in_year", min_value=1921, max_value=2100
    )

    def in_year(self, qs, name, value):
        # A date range (the index on party organization and day), not an extract per row.
        year = int(value)
        return qs.filter(
            held_on__gte=datetime.date(year, 1, 1), held_on__lte=datetime.date(year, 12, 31)
        )
