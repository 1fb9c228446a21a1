"""The notices' list filters."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.filters import ALL, FilterSet
from dangjian.notices.models import Duty, Notice, Receipt


class NoticeFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Notice.Status.choices, empty_label=ALL
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=Notice.Kind.choices, empty_label=ALL
    )
    title = django_filters.CharFilter(label=_("title"), lookup_expr="icontains")


SIGNED_CHOICES = [("yes", _("signed")), ("no", _("not signed")), ("late", _("signed late"))]


class ReceiptFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Receipt.Status.choices, empty_label=ALL
    )
    signed = django_filters.ChoiceFilter(
        label=_("signed"), choices=SIGNED_CHOICES, empty_label=ALL, method="by_signed"
    )
    name = django_filters.CharFilter(
        label=_("recipient"), field_name="target_name", lookup_expr="icontains"
    )

    def by_signed(self, qs, name, value):
        if value == "yes":
            return qs.filter(signed_at__isnull=False)
        if value == "late":
            return qs.filter(signed_at__gt=F("notice__sign_deadline"))
        return qs.filter(Q(signed_at__isnull=True))


class InboxFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Receipt.Status.choices, empty_label=ALL
    )


class DutyFilter(FilterSet):
    active = django_filters.ChoiceFilter(
        label=_("status"),
        choices=[("yes", pgettext_lazy("duty", "active")), ("no", pgettext_lazy("duty", "ended"))],
        empty_label=ALL,
        method="by_active",
    )
    year = django_filters.NumberFilter(label=_("year"))
    cycle = django_filters.ChoiceFilter(
        label=_("cycle"), choices=Duty.Cycle.choices, empty_label=ALL
    )
    title = django_filters.CharFilter(label=_("task type"), lookup_expr="icontains")

    def by_active(self, qs, name, value):
        return qs.filter(active=value == "yes")
