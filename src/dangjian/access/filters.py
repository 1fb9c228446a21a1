"""The audit trail's filters (the page and the CSV export share them)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet
from dangjian.core.models import AuditLog


class AuditFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    action = django_filters.ChoiceFilter(
        label=_("action"), choices=AuditLog.Action.choices, empty_label=ALL
    )
    since = django_filters.DateFilter(label=_("from"), field_name="at__date", lookup_expr="gte")
    until = django_filters.DateFilter(label=_("to"), field_name="at__date", lookup_expr="lte")

    def search(self, qs: QuerySet[AuditLog], name: str, value: str) -> QuerySet[AuditLog]:
        term = value.strip()
        if not term:
            return qs
        return qs.filter(
            Q(actor_name__icontains=term)
            | Q(object_repr__icontains=term)
            | Q(event_type__icontains=term)
            | Q(request_id=term)
            | Q(object_type=term)
        )
