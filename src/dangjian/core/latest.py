"""Maintained latest dates: a table holding, per key (a member, a party organization), the
latest date of some fact (a meeting attended, dues paid), so that a page reads one column
instead of the latest of many rows. The owning app gives the truth as a grouped queryset of
(key, date) pairs for some keys (``truth(ids)``, every key when ``ids`` is None); its writers
call ``refresh`` with the keys they touched, in the write's transaction; its rebuild command
calls ``rebuild``, which reports the drift it repaired (zero when every writer kept the
table)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models import QuerySet

CHUNK = 500
Truth = Callable[[list[int] | None], QuerySet[Any, Any]]


def refresh(model: type[models.Model], field: str, truth: Truth, ids: Iterable[int | None]) -> None:
    """Recompute ``model``'s rows (its primary key the key, ``field`` the date) for ``ids``:
    two statements, a delete and an ``INSERT … SELECT`` of the grouped truth (a writer such
    as a meeting's record keeps a fixed number of queries)."""
    keys = sorted({int(pk) for pk in ids if pk})
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    date = cast("models.Field[Any, Any]", model._meta.get_field(field))
    columns = f"{qn(cast(str, model._meta.pk.column))}, {qn(cast(str, date.column))}"
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        model._default_manager.filter(pk__in=chunk).delete()
        sql, params = truth(chunk).query.sql_with_params()
        with connection.cursor() as cursor:
            # The project's own table and column names, quoted (S608).
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608


@transaction.atomic
def rebuild(model: type[models.Model], field: str, truth: Truth) -> dict[str, int]:
    """Every row recomputed; returns the drift found (rows missing, extra, wrong) and the rows."""
    expected = {k: v for k, v in truth(None) if v is not None}
    key = model._meta.pk.attname
    found = drift(expected, dict(model._default_manager.values_list(key, field)))
    if found["missing"] or found["extra"] or found["wrong"]:
        model._default_manager.all().delete()
        model._default_manager.bulk_create(
            (model(**{key: k, field: v}) for k, v in expected.items()), batch_size=5000
        )
    return found


def drift(expected: dict[Any, Any], stored: dict[Any, Any]) -> dict[str, int]:
    """How a maintained table's rows (``stored``, by key) differ from what they should be
    (``expected``): rows missing, extra and wrong, and how many there should be — the report
    of every rebuild command of a maintained table."""
    return {
        "missing": sum(1 for k in expected if k not in stored),
        "extra": sum(1 for k in stored if k not in expected),
        "wrong": sum(1 for k, v in expected.items() if k in stored and stored[k] != v),
        "rows": len(expected),
    }
