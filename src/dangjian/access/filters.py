"""The audit trail's filters (the page and the CSV export share them)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.events import AuditEvent
from dangjian.core.filters import ALL, FilterSet
from dangjian.core.models import AuditLog

CHANGES = [AuditLog.Action.CREATE, AuditLog.Action.UPDATE, AuditLog.Action.DELETE]


class AuditFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(
        label=_("kind of record"),
        choices=[
            ("changes", _("changes to data")),
            ("events", _("business events")),
            ("reads", _("sensitive reads")),
            ("signins", _("sign-ins")),
        ],
        empty_label=ALL,
        method="of_kind",
    )
    event = django_filters.ChoiceFilter(
        label=_("event"), field_name="event_type", choices=AuditEvent.choices, empty_label=ALL
    )
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

    def of_kind(self, qs: QuerySet[AuditLog], name: str, value: str) -> QuerySet[AuditLog]:
        if value == "changes":
            return qs.filter(action__in=CHANGES)
        if value == "events":
            return qs.filter(action=AuditLog.Action.EVENT)
        if value == "reads":
            return qs.filter(action=AuditLog.Action.READ)
        if value == "signins":
            return qs.filter(action=AuditLog.Action.SIGNIN)
        return qs
