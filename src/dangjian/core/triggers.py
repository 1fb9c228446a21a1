"""Database triggers the project installs itself (after ``migrate``): which of a family are in
place, and removing a family. A family is named by a common prefix; on PostgreSQL its triggers
call one function of the prefix's name. The families: the rules' change counts
(``rules.freshness``) and the coverage figures' journal of changed units
(``rules.coverage_kept``)."""

from __future__ import annotations

from typing import Any


def installed(conn: Any, prefix: str) -> set[tuple[str, str]]:
    """{(table, trigger)} of the family ``prefix`` in place (enabled, in the current schema)."""
    if conn.vendor == "sqlite":
        sql = "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s"
    elif conn.vendor == "postgresql":
        sql = (
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname LIKE %s "
            "AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND n.nspname = current_schema()"
        )
    else:
        return set()
    with conn.cursor() as cursor:
        cursor.execute(sql, [f"{prefix}%"])
        return {(table, name) for table, name in cursor.fetchall()}


def drop(conn: Any, prefix: str) -> None:
    """Remove the family ``prefix`` (a migration reversed: a trigger left behind would write to
    a table that no longer exists)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for _, name in installed(conn, prefix):
                cursor.execute(f"DROP TRIGGER IF EXISTS {conn.ops.quote_name(name)}")
        elif conn.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {prefix}() CASCADE")  # and its triggers
