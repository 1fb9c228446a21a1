"""Keyset pagination: no COUNT(*) and no OFFSET, so page 500 costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

SALT = "dangjian.keyset"


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    is_first: bool


def keyset_page(
    qs: QuerySet[Any],
    cursor: str | None,
    size: int = 50,
    key: str = "name",
    newest_first: bool = False,
) -> KeysetPage:
    """Rows ordered by (key, id) — or (key, id) descending, for registers read newest first —
    after ``cursor``; a bad or tampered cursor restarts at page 1."""
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
        value = getattr(last, key)
        # Dates travel as ISO text (the signed cursor is JSON); the lookups accept it back.
        value = value.isoformat() if hasattr(value, "isoformat") else value
        next_cursor = signing.dumps([value, last.pk], salt=SALT)
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=position is None)
