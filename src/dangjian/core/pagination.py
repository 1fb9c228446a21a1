"""Keyset pagination: no COUNT(*) and no OFFSET, so page 500 costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Q, QuerySet

SALT = "dangjian.keyset"


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    is_first: bool


def keyset_page(
    qs: QuerySet, cursor: str | None, size: int = 50, key: str = "name", newest_first=False
) -> KeysetPage:
    """Rows ordered by (key, id) — or (key, id) descending, for registers read newest first —
    after ``cursor``; a bad or tampered cursor restarts at page 1.

    ``key`` must be non-null: a NULL sorts first on one database and last on another, and
    ``key > value`` never matches it, so rows would be skipped without a word."""
    _require_non_null(qs.model, key)
    if newest_first:
        qs = qs.order_by(f"-{key}", "-pk")
        before, same = f"{key}__lt", "pk__lt"
    else:
        qs = qs.order_by(key, "pk")
        before, same = f"{key}__gt", "pk__gt"
    position = None
    if cursor:
        try:
            position = signing.loads(cursor, salt=SALT)
        except signing.BadSignature:
            position = None
    if position:
        value, pk = position
        qs = qs.filter(Q(**{before: value}) | Q(**{key: value, same: pk}))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        value = _value(last, key)
        if value is None:  # an annotation or expression key that turned out NULL
            raise ValueError(f"keyset key {key!r} is NULL on {last!r}")
        # Dates travel as ISO text (the signed cursor is JSON); the lookups accept it back.
        value = value.isoformat() if hasattr(value, "isoformat") else value
        next_cursor = signing.dumps([value, last.pk], salt=SALT)
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=position is None)


def _require_non_null(model, key: str) -> None:
    """Refuse a key path through a nullable field (a model field; annotations are checked on
    the page's last row instead)."""
    for name in key.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return
        if getattr(field, "null", False):
            raise ImproperlyConfigured(f"keyset key {key!r}: {model.__name__}.{name} may be NULL")
        if not field.is_relation:
            return
        model = field.related_model


def _value(obj, key: str):
    for name in key.split("__"):
        obj = getattr(obj, name)
        if obj is None:
            return None
    return obj
