"""The letter register's filters (``?status=issued&year=2025``, as bookmarked)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import FilterSet
from dangjian.recommendations.models import Letter


class LetterFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Letter.Status.choices, empty_label=_("all statuses")
    )
    year = django_filters.NumberFilter(label=_("year"), min_value=1949, max_value=9999)
