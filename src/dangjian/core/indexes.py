"""Single-column indexes a migration drops without rebuilding the table (see party 0012 and
rules 0014, 0017): the state changes by ``AlterField`` (``db_index=False``), the database by
``DROP INDEX`` — Django would rebuild each whole table on SQLite to alter a field. Every index
is written again by every insert, so one that another index's first column already serves,
or that no read uses, only costs."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# {index name: (table, column)} — the name Django gave the index (the same on both databases).
Indexes = dict[str, tuple[str, str]]


def dropped(indexes: Indexes, pattern_copies: Indexes) -> migrations.RunPython:
    """The operation dropping ``indexes`` and, on PostgreSQL, ``pattern_copies`` (the
    ``varchar_pattern_ops`` copies Django adds beside an indexed text column); reversed, it
    creates them again."""

    def drop(apps: Any, schema_editor: Any) -> None:
        names = list(indexes)
        if schema_editor.connection.vendor == "postgresql":
            names += list(pattern_copies)
        for name in names:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def restore(apps: Any, schema_editor: Any) -> None:
        qn = schema_editor.quote_name
        for name, (table, column) in indexes.items():
            schema_editor.execute(f"CREATE INDEX {qn(name)} ON {qn(table)} ({qn(column)})")
        if schema_editor.connection.vendor == "postgresql":
            for name, (table, column) in pattern_copies.items():
                schema_editor.execute(
                    f"CREATE INDEX {qn(name)} ON {qn(table)} ({qn(column)} varchar_pattern_ops)"
                )

    return migrations.RunPython(drop, restore)
