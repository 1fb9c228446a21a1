"""The notices' list filters."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ALL, FilterSet
from dangjian.notices.models import Notice, Receipt


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
