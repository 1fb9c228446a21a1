"""Bulk writes that skip the ORM's per-object work: one statement per table and chunk.

Django's ``bulk_create`` spends most of its time preparing each value of each object in Python;
for 100,000 party members that alone is slower than the whole target. Here the caller gives
plain tuples (values already in Python types); values are converted column by column (dates and
datetimes adapted once per column kind, encrypted columns through ``crypto.encrypt_many``), and
primary keys are reserved up front (SQLite: after the highest id, inside the write transaction;
PostgreSQL: from the table's sequence) so the caller can insert child rows (employments) that
point at the new members. PostgreSQL gets its rows through ``COPY … FROM STDIN`` (psycopg's
``cursor.copy()``), SQLite through one ``executemany``.

The one raw insert of the system: the ledger import's new members and employments, their audit
rows (``core.audit_bulk.record_creations``), the dues assessment's monthly rows (10^5–10^6
rows), the rules engine's new findings, observations and status changes and the minutes' band
keys when they are rebuilt (``orglife.services.bands``) go through it, so a 100,000-row import
stays fast with a record per member; everything else uses the ORM. ``update`` (and
``update_objects`` for model instances) is its by-key counterpart, with the same conversions:
the engine's changed findings and observations, the party and dues services' field updates in
bulk.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from itertools import chain
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from dangjian.core import crypto
from dangjian.core.fields import EncryptedTextField
from dangjian.core.process import ProcessSetting

Field = models.Field[Any, Any]
Convert = Callable[[list[Any]], list[Any]]
# SQLite's default bound on the parameters of one statement (older builds; newer allow more:
# ``_sqlite_parameters`` asks the connection). Beyond about 10,000 a statement gains nothing.
SQLITE_MAX_PARAMETERS = 999
SQLITE_STATEMENT_PARAMETERS = 10_000


def _column_converter(field: Field) -> Convert | None:
    """A function converting a whole column (list of values) for the database, or None."""
    if isinstance(field, EncryptedTextField):
        return crypto.encrypt_many
    if isinstance(field, models.JSONField):
        if connection.vendor == "sqlite":  # what get_db_prep_save gives, without its layers
            encode = json_encoder(field)
            return lambda values: [encode(v) for v in values]
        return lambda values: [field.get_db_prep_save(v, connection) for v in values]  # Jsonb
    if connection.vendor != "sqlite":
        return None  # psycopg adapts dates, datetimes and bools itself
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda values: _each_distinct(adapt, values)
    if isinstance(field, models.DateField):
        # ISO text, as the ORM writes it. sqlite3 would adapt each date itself through
        # Django's registered adapter (a Python call per value): for the dues assessment's two
        # date columns, shared by every row, that was a third of its insert (1,000,000 rows:
        # 31 s against 22 s, measured), more than taking the rows apart column by column.
        adapt_date = connection.ops.adapt_datefield_value
        return lambda values: _each_distinct(adapt_date, values)
    return None


# Types equal only to themselves (a date never equals a datetime): safe to key a memo by value.
_BY_VALUE = {datetime.date, type(None)}


def json_encoder(field: Field) -> Callable[[Any], str]:
    """How ``insert`` writes a value of a JSON column on SQLite: ``json.dumps(value,
    cls=field.encoder)``, with one encoder for the column (``dumps`` builds one per value).
    A caller that builds the JSON text itself (``insert(..., encoded=...)``) uses it too."""
    return (getattr(field, "encoder", None) or json.JSONEncoder)().encode


def _each_distinct(convert: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``convert`` applied once per distinct value (every row of a chunk shares one timestamp)."""
    if values and values.count(values[0]) == len(values):  # C-speed: identity, then equality
        return [convert(values[0])] * len(values)
    if {v.__class__ for v in values} <= _BY_VALUE:
        # Dates repeat by value, not by object (each parsed cell is its own date): keyed by
        # value, a column of birth dates is converted once per distinct day.
        by_value = {v: convert(v) for v in set(values)}
        return [by_value[v] for v in values]
    seen: dict[int, Any] = {}
    out = []
    for v in values:
        key = id(v)
        if key not in seen:
            seen[key] = convert(v)
        out.append(seen[key])
    return out


def _converted(
    fields: list[Field], rows: list[tuple[Any, ...]], encoded: Collection[str] = ()
) -> list[tuple[Any, ...]]:
    columns = _converted_columns(fields, rows, encoded)
    return rows if columns is None else list(zip(*columns, strict=True))


def _converted_columns(
    fields: list[Field], rows: list[tuple[Any, ...]], encoded: Collection[str] = ()
) -> list[Any] | None:
    """The rows' columns with the values converted for the database; None: nothing to convert."""
    converters = [
        (i, c)
        for i, c in (
            (i, _column_converter(f)) for i, f in enumerate(fields) if f.name not in encoded
        )
        if c
    ]
    if not converters:
        return None
    columns: list[Any] = list(zip(*rows, strict=True))
    for i, convert in converters:
        columns[i] = convert(list(columns[i]))
    return columns


@contextmanager
def roomy_cache(megabytes: int = 64) -> Iterator[None]:
    """On SQLite, a larger page cache for the connection while a large import writes.

    ``PRAGMA cache_size`` only bounds how many database pages the connection keeps in memory:
    durability, locking and the transaction are untouched. With the default 2 MB the index
    B-trees of 100,000 new members no longer fit and pages go back and forth to the OS cache
    (about 3 µs more per imported row, measured). The previous size is restored afterwards, so a
    long-lived connection of the web server does not keep the larger cache.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


class _Writer:
    """The statements ``insert`` hands over while :func:`writes_behind` is active: run in order
    by one thread on the connection's own driver connection (sqlite3 or psycopg), the caller's
    thread never using that connection meanwhile (every statement through Django waits for them
    first)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-writer")
        self.pending: list[Future[None]] = []
        self.failed = threading.Event()

    def submit(self, statement: Callable[[], Any]) -> None:
        self.pending.append(self.pool.submit(self._execute, statement))

    def _execute(self, statement: Callable[[], Any]) -> None:
        if not self.failed.is_set():  # after a failure, nothing more is written
            try:
                statement()
            except BaseException:
                self.failed.set()
                raise

    def wait(self) -> None:
        """Every statement handed over so far executed; the first one that failed raises here."""
        pending, self.pending = self.pending, []
        error = None
        for future in pending:
            exc = future.exception()
            if exc is not None and error is None:
                error = exc
        if error is not None:
            raise error

    def close(self) -> None:
        if self.pending:  # left on an error: what is still queued is not written
            self.failed.set()
        self.pool.shutdown(wait=True)


# Each thread's own connection (``connections[...]``, not the ``connection`` proxy all threads
# share), by id → its writer, while one is active.
_writers: dict[int, _Writer] = {}


def _own_connection() -> Any:
    return connections[DEFAULT_DB_ALIAS]


@contextmanager
def writes_behind() -> Iterator[None]:
    """``insert``'s statements run in a second thread while the caller goes on (the ledger
    import parses the next chunk while this one's rows go into their tables and indexes).

    sqlite3 releases the GIL while SQLite executes a statement, so the B-tree work of a large
    insert (a third or more of a 100,000-row import) can overlap the caller's Python work on a
    second core; psycopg releases it while PostgreSQL's server (another process) takes a
    ``COPY``, which the caller otherwise waited for at the end of each. The statements run in
    order, one at a time, on the same connection and in the same transaction as without this;
    nothing else changes: every other statement of the connection (any query or write through
    Django: ``cursor.execute``, savepoints, the ORM) waits for the pending inserts first and
    sees their rows, and so does leaving this block, which raises the first insert's error if
    one failed (nothing after it was written). Use it inside the transaction
    (``transaction.atomic``), so that the commit comes after the last insert. On other
    databases it does nothing. Meanwhile the process hands the GIL between threads every
    ``WRITER_SWITCH_INTERVAL``.
    """
    own = _own_connection()
    if own.vendor not in ("sqlite", "postgresql") or id(own) in _writers:
        yield
        return
    own.ensure_connection()
    writer = _Writer()

    def waiting(execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
        writer.wait()
        return execute(sql, params, many, context)

    _writers[id(own)] = writer
    try:
        with _switching_often(), own.execute_wrapper(waiting):
            yield
            writer.wait()
    finally:
        del _writers[id(own)]
        writer.close()


# How long (seconds) a thread keeps the GIL while another waits for it, while a writer runs.
# Each statement the writer runs gives the GIL up while SQLite works and needs it back to
# return and take the next one's values; with CPython's default 5 ms it waited up to that long
# each time behind the caller's parsing. 100,000 new members (~470 statements): the writer's
# statements took 2.3 s with the caller idle, 4.5 s beside its parsing at 5 ms, 2.9 s at
# 0.5 ms; the whole import about 10 % shorter on SQLite (bench/RESULTS.md).
WRITER_SWITCH_INTERVAL = 0.0005
_switch_interval = ProcessSetting(sys.getswitchinterval, sys.setswitchinterval)


def _switching_often() -> AbstractContextManager[None]:
    """``sys.setswitchinterval(WRITER_SWITCH_INTERVAL)`` while any writer runs in the process."""
    return _switch_interval.changed(lambda saved: min(WRITER_SWITCH_INTERVAL, saved))


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


def _fields(model: type[models.Model], names: list[str]) -> tuple[list[Field], list[str]]:
    """The fields named and their columns: only a concrete field (not a reverse relation) has
    one."""
    fields, columns = [], []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise ValueError(f"{model.__name__}.{name} has no column to write")
        fields.append(field)
        columns.append(field.column)
    return fields, columns


def insert(
    model: type[models.Model],
    columns: list[str],
    rows: list[tuple[Any, ...]],
    *,
    encoded: Collection[str] = (),
) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``: field names, ``id`` included).

    ``encoded`` names JSON columns whose values the caller already wrote as JSON text, exactly
    as ``json_encoder`` would (``core.audit_bulk.record_creations`` builds its rows' JSON column by
    column): they are stored as given. Inside :func:`writes_behind` the rows are written later,
    by another thread: do not change them after the call."""
    if not rows:
        return
    if connection.vendor not in ("sqlite", "postgresql"):  # pragma: no cover - other databases
        rows = [
            tuple(json.loads(v) if c in encoded else v for c, v in zip(columns, r, strict=True))
            for r in rows
        ]
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, r, strict=True))) for r in rows]
        )
        return
    fields, db_columns = _fields(model, columns)
    for name in encoded:
        if not isinstance(model._meta.get_field(name), models.JSONField):
            raise ValueError(f"{model.__name__}.{name} is not a JSON column")
    converted = _converted_columns(fields, rows, encoded)
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in db_columns)
    table = quote(model._meta.db_table)
    writer = _writers.get(id(_own_connection()))
    connection.ensure_connection()
    raw = connection.connection  # the driver's own (psycopg's or sqlite3's)
    if connection.vendor == "postgresql":
        copy = partial(
            _copy,
            raw,
            f"COPY {table} ({names}) FROM STDIN",
            rows if converted is None else zip(*converted, strict=True),
        )
        if writer is not None:
            writer.submit(copy)
        else:
            copy()
        return
    # Many rows per statement: about twice as fast as executemany's one row per step
    # (100,000 dues rows: 0.4 s against 0.8 s), within the parameters SQLite allows
    # (1,000 rows of 10 columns a statement instead of 99: 10 % less at 1,000,000 rows).
    # The statements go to sqlite3 as written (with its own ? marks): Django's wrapper would
    # rewrite every %s of every statement (a quarter of the time at 100,000 rows).
    run = (
        (lambda sql, params: writer.submit(partial(raw.execute, sql, params)))
        if writer is not None
        else raw.execute
    )
    one = "(" + ", ".join(["?"] * len(fields)) + ")"
    per = max(1, _sqlite_parameters(raw) // len(fields))
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
    full = head + ", ".join([one] * per)
    for start in range(0, len(rows), per):
        end = min(start + per, len(rows))
        sql = full if end - start == per else head + ", ".join([one] * (end - start))
        # The statement's values, row after row, straight from the converted columns.
        part = (
            rows[start:end]
            if converted is None
            else zip(*(c[start:end] for c in converted), strict=True)
        )
        run(sql, list(chain.from_iterable(part)))  # C speed: 10^7 values


def _copy(raw: Any, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """``COPY … FROM STDIN`` of ``rows`` on psycopg's connection ``raw``."""
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        write = copy.write_row
        for row in rows:
            write(row)


# Rows per ``executemany`` of an update.
UPDATE_BATCH = 2000
PG_UPDATE_BATCH = 10_000


def update(
    model: type[models.Model],
    columns: Collection[str],
    rows: Iterable[tuple[int, Collection[Any]]],
    *,
    extra: str = "",
) -> None:
    """UPDATE each ``(pk, values)`` of ``rows``: ``columns`` (field names) set to ``values``,
    plus the SQL assignments of ``extra`` (e.g. ``version = version + 1``, the same for every
    row). One short statement by primary key, many rows an ``executemany``: ``bulk_update``
    writes one CASE expression per field that grows with the batch, and SQLite then compares
    every row with every branch. The values are converted column by column as ``insert``
    converts them (dates, timestamps, JSON, encrypted text)."""
    rows = list(rows)
    if not rows:
        return
    fields, db_columns = _fields(model, list(columns))
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    if connection.vendor == "postgresql":
        _update_from_arrays(model, fields, db_columns, rows, extra)
        return
    sets = [f"{quote(c)} = %s" for c in db_columns] + ([extra] if extra else [])
    sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_BATCH):
            part = rows[start : start + UPDATE_BATCH]
            values = _converted(fields, [tuple(v) for _, v in part])
            cursor.executemany(sql, [(*v, key) for (key, _), v in zip(part, values, strict=True)])


def _update_from_arrays(
    model: type[models.Model],
    fields: list[Field],
    db_columns: list[str],
    rows: list[tuple[int, Collection[Any]]],
    extra: str,
) -> None:
    """``update`` on PostgreSQL: one statement per batch, the keys and each column's new values
    passed as arrays (``UPDATE … FROM unnest(…)``). Django's psycopg binds parameters on the
    client, so an ``executemany`` sent every row as its own statement to parse and plan
    (100,000 members re-imported with a new education: minutes). A key given twice keeps its
    last values, as the statements one after another did."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    key_type = cast(Any, model._meta.pk).rel_db_type(connection)  # bigint, even for an AutoField
    types = [key_type, *(f.db_type(connection) for f in fields)]
    names = ["k", *(f"c{i}" for i in range(len(fields)))]
    sets = [f"{quote(c)} = v.c{i}" for i, c in enumerate(db_columns)] + ([extra] if extra else [])
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} "  # noqa: S608 - names from the model
        f"FROM unnest({', '.join(f'%s::{t}[]' for t in types)}) AS v({', '.join(names)}) "
        f"WHERE {table}.{pk} = v.k"
    )
    latest = list(dict(rows).items())
    with connection.cursor() as cursor:
        for start in range(0, len(latest), PG_UPDATE_BATCH):
            part = latest[start : start + PG_UPDATE_BATCH]
            values = _converted(fields, [tuple(v) for _, v in part])
            cursor.execute(
                sql, [[k for k, _ in part], *(list(c) for c in zip(*values, strict=True))]
            )


def update_objects(objs: Sequence[models.Model], names: list[str]) -> None:
    """UPDATE the fields ``names`` of each object (all of one model) to its current values:
    ``update`` by primary key, as ``bulk_update`` would write them without its CASE."""
    if not objs:
        return
    model = type(objs[0])
    attnames = [field.attname for field in _fields(model, names)[0]]
    update(model, names, [(obj.pk, [getattr(obj, a) for a in attnames]) for obj in objs])


def load_referred(objs: Sequence[models.Model]) -> None:
    """Read the objects these (all of one model) refer to by foreign key, each once, into
    their caches: a bulk write's trail records name each object (``str``: an employment is
    "member @ unit"), which otherwise queries twice a record.

    ``in_bulk`` (batched under the database's parameter limit), not
    ``prefetch_related_objects``: for the member of 2,000 employments Django 5.2 writes one
    ``OR`` term per member, which SQLite refuses past 1,000 ("Expression tree is too large").
    Encrypted columns are left unread: a name never shows them."""
    if not objs:
        return
    for field in objs[0]._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey):
            continue
        wanted = [o for o in objs if not field.is_cached(o) and getattr(o, field.attname)]
        if not wanted:
            continue
        model = cast(type[models.Model], field.related_model)
        secret = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        found = model._base_manager.defer(*secret).in_bulk(
            list({getattr(o, field.attname) for o in wanted})
        )
        for obj in wanted:
            related = found.get(getattr(obj, field.attname))
            if related is not None:
                field.set_cached_value(obj, related)


def _sqlite_parameters(raw: Any) -> int:
    """How many parameters one statement may carry on this SQLite connection (up to
    ``SQLITE_STATEMENT_PARAMETERS``); 999 where the build cannot say."""
    try:
        limit = int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - older sqlite3 modules
        return SQLITE_MAX_PARAMETERS
    return max(1, min(limit, SQLITE_STATEMENT_PARAMETERS))
