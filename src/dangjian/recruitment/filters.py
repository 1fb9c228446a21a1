"""The applicants list's filter."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet
from dangjian.recruitment.models import Applicant


class ApplicantFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=50)
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Applicant.Status.choices, empty_label=ALL
    )

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(name__contains=value) | qs.filter(branch__name__contains=value)
