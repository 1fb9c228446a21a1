"""Whether the database orders text by code point, so that a prefix search may be a bare range.

A name beginning with "赵" lies between "赵" and "赵" followed by the highest code point only
where text sorts by code point: SQLite's default BINARY collation, PostgreSQL's C, POSIX and
C.UTF-8 (the collation ``.ci/run``'s and the benchmarks' databases use). Under a linguistic
collation (zh_CN.UTF-8, an ICU locale) the range may hold other names, and a ``LIKE 'x%'`` has
to keep the answer exact; but where it is not needed it costs dearly on PostgreSQL, whose
planner multiplies the two conditions' selectivities as if independent (167 rows expected for
a surname held by 21,581, so it fetched and sorted them all instead of walking the index)."""

from __future__ import annotations

from django.db import connections

CODE_POINT_COLLATIONS = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic"})

_known: dict[tuple[str, str], bool] = {}


def orders_by_code_point(alias: str = "default") -> bool:
    """Asked of the database once per process and database name."""
    connection = connections[alias]
    key = (alias, str(connection.settings_dict.get("NAME")))
    if key not in _known:
        if connection.vendor == "sqlite":
            _known[key] = True  # text columns use BINARY unless declared otherwise
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT datcollate FROM pg_database WHERE datname = current_database()"
                )
                _known[key] = cursor.fetchone()[0] in CODE_POINT_COLLATIONS
        else:
            _known[key] = False
    return _known[key]
