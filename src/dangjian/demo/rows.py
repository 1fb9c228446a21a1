"""Rows of one model written by one raw statement, primary keys reserved up front: building and
preparing 10^6 model instances costs more than writing the rows (the synthetic federation's
writer)."""

from django.db import connection
from django.utils import timezone


class Rows:
    """Rows of one model, written by one raw statement (``COPY`` on PostgreSQL).

    Callers give database-ready values for the columns they name; every other column gets its
    field's default, prepared once (created_at/updated_at: now)."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        self.columns = columns
        self.rows: list[tuple] = []
        now = timezone.now()
        self.constants = {}
        for f in model._meta.concrete_fields:
            if f.attname in columns or f.primary_key:
                continue
            if f.attname in ("created_at", "updated_at"):
                value = now
            else:
                value = f.get_default()  # "" for text fields without a default
                if value is None and not f.null:
                    raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            self.constants[f.column] = f.get_db_prep_save(value, connection)

    def reserve(self, n: int) -> list[int]:
        """``n`` primary keys for new rows, taken from the table's sequence."""
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, n],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            first = cursor.fetchone()[0] + 1 + getattr(self, "_reserved", 0)
            self._reserved = getattr(self, "_reserved", 0) + n
            return list(range(first, first + n))

    def add(self, *values):
        self.rows.append(values)

    def write(self):
        if not self.rows:
            return
        meta = self.model._meta
        names = [meta.get_field(c).column for c in self.columns] + list(self.constants)
        constants = tuple(self.constants.values())
        table = meta.db_table
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row + constants)
            else:
                marks = ", ".join(["%s"] * len(names))
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
                for i in range(0, len(self.rows), 10000):
                    cursor.executemany(sql, [r + constants for r in self.rows[i : i + 10000]])
        self.rows = []
        self._reserved = 0
