"""Bulk writes that skip the ORM's per-object work: one ``executemany`` per table and chunk.

Django's ``bulk_create`` spends most of its time preparing each value of each object in Python;
for 100,000 party members that alone is slower than the whole target. Here the caller gives
plain tuples (values already in Python types), dates and datetimes are adapted once per column
kind, encrypted columns are encrypted here, and primary keys are reserved up front (SQLite: after
the highest id, inside the write transaction; PostgreSQL: from the table's sequence) so the
caller can insert child rows (employments) that point at the new members.
"""

from __future__ import annotations

from django.db import connection, models

from dangjian.core import crypto
from dangjian.core.fields import EncryptedTextField


def _converter(field: models.Field):
    if isinstance(field, EncryptedTextField):
        return lambda v: crypto.encrypt(v) if v else v
    vendor = connection.vendor
    if vendor == "sqlite":
        if isinstance(field, models.DateTimeField):
            return _last_value(connection.ops.adapt_datetimefield_value)
        if isinstance(field, models.DateField):
            return lambda v: v.isoformat() if v is not None else None
        if isinstance(field, models.JSONField):
            return lambda v: field.get_db_prep_save(v, connection)
    return None


def _last_value(convert):
    """``convert`` remembering its last answer: every row of a chunk shares one timestamp."""
    last = [object(), None]

    def cached(value):
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return cached


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model`` (call inside the write transaction)."""
    if count == 0:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        highest = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table]
            )
            seq = cursor.fetchone()
            highest = max(highest, seq[0] if seq else 0)
    return list(range(highest + 1, highest + 1 + count))


def insert(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``: field names, ``id`` included)."""
    if not rows:
        return
    if connection.vendor not in ("sqlite", "postgresql"):  # pragma: no cover - other databases
        model.objects.bulk_create([model(**dict(zip(columns, r, strict=True))) for r in rows])
        return
    fields = [model._meta.get_field(name) for name in columns]
    converters = [(i, c) for i, c in ((i, _converter(f)) for i, f in enumerate(fields)) if c]
    if converters:
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in converters:
                row[i] = convert(row[i])
            converted.append(row)
        rows = converted
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def update(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """UPDATE by id: ``rows`` are tuples of ``columns`` values followed by the id."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    converters = [(i, c) for i, c in ((i, _converter(f)) for i, f in enumerate(fields)) if c]
    if converters:
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in converters:
                row[i] = convert(row[i])
            converted.append(row)
        rows = converted
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE id = %s".format(  # noqa: S608
        quote(model._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
