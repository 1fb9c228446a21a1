"""Keyset pagination: no COUNT(*) and no OFFSET, so page 500 costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db.models import Q, QuerySet

SALT = "dangjian.keyset"


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    is_first: bool


def keyset_page(qs: QuerySet, cursor: str | None, size: int = 50, key: str = "name") -> KeysetPage:
    """Rows ordered by (key, id) after ``cursor``; a bad or tampered cursor restarts at page 1."""
    qs = qs.order_by(key, "pk")
    position = None
    if cursor:
        try:
            position = signing.loads(cursor, salt=SALT)
        except signing.BadSignature:
            position = None
    if position:
        value, pk = position
        qs = qs.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk}))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = signing.dumps([getattr(last, key), last.pk], salt=SALT)
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=position is None)
