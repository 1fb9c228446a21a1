"""The filters above lists: django-filter FilterSets with the project's compact styling, the
invalid-filter rule and the filter in words for exports.

Each list has one ``FilterSet`` in its app's ``filters.py``; the query parameters are the
filters' names, so bookmarks keep working. ``filters.qs`` is the filtered queryset; an invalid
filter shows its errors and matches nothing (``invalid``), on the page and in the export alike.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import style_compact

ALL = _("all")


def params(request: HttpRequest) -> QueryDict:
    """The request's filter: its query without the page cursor and the export switch."""
    query = request.GET.copy()
    for key in ("after", "export"):
        query.pop(key, None)
    return query


class FilterSet(django_filters.FilterSet):
    """A list's filters. ``defaults`` ({filter name: words}) name what an empty filter still
    means (e.g. an empty status shows the open findings), for ``describe``."""

    defaults: dict[str, Any] = {}

    def __init__(
        self, data: QueryDict | None = None, queryset: QuerySet[Any] | None = None, **kwargs: Any
    ) -> None:
        # Always bound: no query is the empty filter, so a list's defaults (e.g. the open
        # findings) hold on its first visit too, and the same code path serves both.
        super().__init__(data if data is not None else QueryDict(), queryset, **kwargs)
        style_compact(self.form)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.form.is_valid():
            return self.invalid(queryset)
        filtered: QuerySet[Any] = super().filter_queryset(queryset)
        return filtered

    def invalid(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """An invalid filter matches nothing; its errors are on the page."""
        return queryset.none()

    def describe(self) -> str:
        """The filter in words for an export's notes sheet: "label=shown value" for each filter
        set (choices by their labels, not codes), and the ``defaults`` of those left empty."""
        form = self.form
        data = form.cleaned_data if form.is_valid() else {}
        parts = []
        for name, field in form.fields.items():
            value = data.get(name)
            if value not in (None, "", [], ()):
                choices = {str(k): v for k, v in getattr(field, "choices", [])}
                values = value if isinstance(value, list | tuple) else [value]
                shown = "、".join(str(choices.get(str(v), v)) for v in values)
                parts.append(f"{field.label}={shown}")
            elif name in self.defaults:
                parts.append(f"{field.label}={self.defaults[name]}")
        return "，".join(parts)
