"""Helpers for the few statements written as SQL (the rules' grouped reads)."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, QuerySet


def id_list(ids: Iterable[int]) -> str:
    """Ids as the inside of an SQL ``IN (…)`` (integers only, so nothing to quote; ``NULL``
    for none, which matches nothing): a few thousand ids need no parameter each, and SQLite
    bounds a statement's parameters."""
    return ", ".join(str(int(i)) for i in ids) or "NULL"


def in_ids(field: str, ids: Iterable[int]) -> Func:
    """A filter: ``field IN (…)`` over ``ids`` written into the statement (``id_list``), not a
    parameter each — thousands of them (a scope's members or units, ``access.scope``) would be
    as many bound values for the driver to send, and SQLite's default build bounds them at
    32,766 a statement. ``field`` is resolved like any other (``F``), so the filter holds
    inside a subquery too."""
    return Func(
        F(field), template=f"%(expressions)s IN ({id_list(ids)})", output_field=BooleanField()
    )


def at_most(queryset: QuerySet[Any], bound: int) -> bool:
    """Whether ``queryset`` holds at most ``bound`` rows: a count that stops past the bound
    (counting a province's million rows to learn it is "many" would cost the whole count)."""
    return queryset.order_by().values("pk")[: bound + 1].count() <= bound


T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size``, taken lazily: to bound an ``IN`` list's ids, or how many
    rows of a long read are held at once."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


# Each server-side cursor its own name: two open at once in one connection must not clash.
_cursor_numbers = itertools.count(1)


def chunks_of_rows(queryset: QuerySet[Any], size: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a ``values_list`` queryset, ``size`` at a time, from a server-side cursor:
    for reads of 10^6 rows that are then worked on a chunk at a time (the copied-minutes rule's
    signatures, 1 KB each). The values come as the driver gives them — no ORM conversion per
    value, so only columns whose Python type needs none (integers, text, bytes). On
    PostgreSQL the rows come in binary format: 1.8 million signatures read in 8 s against 13 s
    as text (hex-escaped bytes). Read it to the end: the cursor (and on PostgreSQL its
    transaction) is closed when the last chunk has been given."""
    sql, params = queryset.query.sql_with_params()
    if connection.vendor != "postgresql":
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(size):
                yield rows
        return
    # A named (server-side) cursor lives in a transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        named = cursor.cursor.connection.cursor(
            name=f"dangjian_chunks_{next(_cursor_numbers)}", binary=True
        )
        try:
            named.itersize = size
            named.execute(sql, params)
            while rows := named.fetchmany(size):
                yield rows
        finally:
            named.close()


def fetch_all(
    sql: str, params: list[Any], planner: dict[str, str] | None = None
) -> list[tuple[Any, ...]]:
    """The rows of one statement; on PostgreSQL with ``planner`` settings (``work_mem``,
    ``random_page_cost`` …) for this statement alone, where a grouped read is known to be
    planned badly by the server's defaults. The settings are local to the transaction and put
    back afterwards: inside a caller's transaction they would otherwise hold for the rest of
    it. Without settings no transaction is opened (on SQLite it would take the write lock:
    ``transaction_mode`` IMMEDIATE)."""
    if not planner or connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows
    with transaction.atomic(), connection.cursor() as cursor:
        names = list(planner)
        values = ", ".join("current_setting(%s)" for _ in names)
        cursor.execute(f"SELECT {values}", names)  # noqa: S608
        before = dict(zip(names, cursor.fetchone(), strict=True))
        setting = "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names)
        cursor.execute(setting, [v for name in names for v in (name, planner[name])])
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        # (Had the statement failed, rolling back to the savepoint undoes the settings too.)
        cursor.execute(setting, [v for name in names for v in (name, before[name])])
        return rows


def as_date(value: Any) -> datetime.date | None:
    """A date column's value as a raw statement returns it — SQLite: ISO text, PostgreSQL: a
    date — as a date (None stays None)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)
