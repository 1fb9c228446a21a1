"""The people list's filters."""

from __future__ import annotations

import django_filters
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.access.models import RoleAssignment
from dangjian.core.filters import ALL, FilterSet


class PeopleFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    role = django_filters.ChoiceFilter(
        label=_("role"), choices=RoleAssignment.Role.choices, empty_label=ALL, method="has_role"
    )
    active = django_filters.ChoiceFilter(
        label=_("account"),
        choices=[("yes", _("active")), ("no", _("deactivated"))],
        empty_label=ALL,
        method="is_active",
    )

    def search(self, qs: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        term = value.strip()
        if not term:
            return qs
        return qs.filter(Q(username__icontains=term) | Q(first_name__icontains=term))

    def has_role(self, qs: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return qs.filter(pk__in=RoleAssignment.objects.current().filter(role=value).values("user"))

    def is_active(self, qs: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return qs.filter(is_active=value == "yes")
