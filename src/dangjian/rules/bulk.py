"""The engine's bulk updates: rows updated by primary key, with one ``executemany`` per
statement. (Its inserts go through ``core.bulk.insert``, the system's one raw insert: COPY on
PostgreSQL, many rows a statement on SQLite.)

``bulk_update`` writes one CASE expression per field that grows with the batch (SQLite then
compares every row with every branch). Here each value is prepared by its column's kind — dates
as text on SQLite, JSON dumped once, a timestamp prepared once — and each update is one short
statement by primary key, with SQL assignments the same for every row (``extra``).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

from dangjian.rules.registry import chunks

BATCH = 2000


def _field(model: type[models.Model], column: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(column)
    assert isinstance(field, models.Field)  # a concrete column (by name or attname)
    return field


def _preparer(model: type[models.Model], column: str) -> Callable[[Any], Any]:
    field = _field(model, column)
    sqlite = connection.vendor == "sqlite"
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda value: json.dumps(value, ensure_ascii=False)
    if kind == "DateTimeField":
        prepared: dict[datetime.datetime, Any] = {}

        def stamp(value: Any) -> Any:
            if value is None:
                return None
            if value not in prepared:  # the same few timestamps in every row
                prepared[value] = field.get_db_prep_value(value, connection)
            return prepared[value]

        return stamp
    if kind == "DateField" and sqlite:
        return lambda value: value.isoformat() if value is not None else None
    return lambda value: value


def _mark(model: type[models.Model], column: str) -> str:
    field = _field(model, column)
    if field.get_internal_type() == "JSONField" and connection.vendor != "sqlite":
        return "%s::jsonb"
    return "%s"


def _quote(model: type[models.Model], column: str) -> str:
    return connection.ops.quote_name(str(_field(model, column).column))


def update(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple[int, Sequence[Any]]],
    *,
    extra: str = "",
) -> None:
    """UPDATE each ``(pk, values)`` of ``rows``: ``columns`` set to ``values``, plus the SQL
    assignments of ``extra`` (e.g. ``version = version + 1``, the same for every row)."""
    prep = [_preparer(model, c) for c in columns]
    sets = [f"{_quote(model, c)} = {_mark(model, c)}" for c in columns]
    if extra:
        sets.append(extra)
    pk = connection.ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {model._meta.db_table} SET {', '.join(sets)} WHERE {pk} = %s"  # noqa: S608
    prepared = ([*(p(v) for p, v in zip(prep, values, strict=True)), key] for key, values in rows)
    with connection.cursor() as cursor:
        for chunk in chunks(prepared, BATCH):
            cursor.executemany(sql, chunk)
