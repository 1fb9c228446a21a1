"""Keyset pagination: no COUNT(*) and no OFFSET, so page 500 costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.db.models.query import ModelIterable

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
    key: str | tuple[str, ...] = "name",
    newest_first: bool = False,
) -> KeysetPage:
    """Rows ordered by (key, id) — or (key, id) descending, for registers read newest first —
    after ``cursor``; a bad or tampered cursor restarts at page 1.

    ``key`` may be several fields, each ascending or, with a leading "-", descending (e.g.
    ``("revoked", "-year", "organization__name")``; ``newest_first`` reverses them all). Keys
    must be non-null: a NULL sorts first on one database and last on another, and
    ``key > value`` never matches it, so rows would be skipped without a word — order by an
    annotation such as ``revoked_on IS NOT NULL`` instead of a nullable field."""
    keys = order(key, newest_first)
    for k in keys[:-1]:
        _require_non_null(qs.model, k.lstrip("-"))
    qs = qs.order_by(*keys)
    position = None
    if cursor:
        try:
            position = signing.loads(cursor, salt=SALT)
        except signing.BadSignature:
            position = None
        if not isinstance(position, list) or len(position) != len(keys):
            position = None
    if position:
        qs = qs.filter(_after(keys, position))
    rows = _page_rows(qs, size + 1)
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        values = []
        for k in keys:
            value = _value(last, k.lstrip("-"))
            if value is None:  # an annotation or expression key that turned out NULL
                raise ValueError(f"keyset key {k!r} is NULL on {last!r}")
            # Dates travel as ISO text (the signed cursor is JSON); the lookups accept it back.
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        next_cursor = signing.dumps(values, salt=SALT)
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=position is None)


def _page_rows(qs: QuerySet[Any], count: int) -> list[Any]:
    """The first ``count`` rows of ``qs``, model instances with their related rows.

    Where related rows are joined (``select_related``), the page's ids are read first and its
    rows then by id alone: a database that sorts before it limits otherwise sorts every joined
    row — SQLite took 75 ms for the first page of 42,000 findings with their federation, unit
    and party organization at the 100,000-unit size, 6 ms for their ids (bench/RESULTS.md,
    pages at scale, sixth pass). By id alone, not by ``qs``'s filters again: with those, SQLite
    chose a scope's index over the ids (a page of hand-ins, 68 ms). Annotated or distinct
    querysets, those with prefetched relations, and rows that are not instances, are read in
    one statement as before."""
    q = qs.query
    prefetched = bool(getattr(qs, "_prefetch_related_lookups", None))
    if (
        not q.select_related
        or q.annotations
        or q.distinct
        or prefetched
        or not issubclass(qs._iterable_class, ModelIterable)
    ):
        return list(qs[:count])
    ids = list(qs.values_list("pk", flat=True)[:count])
    page = qs.model._base_manager.filter(pk__in=ids).order_by(*q.order_by)
    page.query.select_related = q.select_related
    page.query.deferred_loading = q.deferred_loading
    return list(page)


def order(key: str | tuple[str, ...], newest_first: bool = False) -> list[str]:
    """The ``order_by`` of a keyset: the keys, reversed for newest first, then the pk (which
    breaks ties in the direction of the last key)."""
    keys = [key] if isinstance(key, str) else list(key)
    if newest_first:
        keys = [k[1:] if k.startswith("-") else f"-{k}" for k in keys]
    return [*keys, "-pk" if keys[-1].startswith("-") else "pk"]


def _after(keys: list[str], values: list[Any]) -> Q:
    """Rows after ``values`` in the order of ``keys``: (k1 > v1) or (k1 = v1 and k2 > v2) …"""
    condition = Q()
    equal: dict[str, Any] = {}
    for k, value in zip(keys, values, strict=True):
        name = k.lstrip("-")
        lookup = "lt" if k.startswith("-") else "gt"
        condition |= Q(**equal, **{f"{name}__{lookup}": value})
        equal[name] = value
    return condition


def _require_non_null(model: type[Model], key: str) -> None:
    """Refuse a key path through a nullable field (a model field; annotations are checked on
    the page's last row instead)."""
    for name in key.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return
        if getattr(field, "null", False):
            raise ImproperlyConfigured(f"keyset key {key!r}: {model.__name__}.{name} may be NULL")
        related = field.related_model
        if not field.is_relation or not isinstance(related, type):
            return
        model = related


def _value(obj: Any, key: str) -> Any:
    for name in key.split("__"):
        obj = getattr(obj, name)
        if obj is None:
            return None
    return obj
