"""The skip cache's digests: has anything a rule reads changed since its last run?

A rule whose inputs did not change since its last run over the same federation for the same
day is skipped (``RuleState``): the inputs are every ledger table the rules read (row count,
largest id, and its change count — or, where the count is not kept, its latest ``updated_at``),
the audit log (its latest write), the rulebook with every parameter and override, the rules'
code, and the rule's own findings (so a person's status change or a deleted finding
re-evaluates too).

**Change counts.** ``MAX(updated_at)`` has no index on most tables: the database scanned every
row of the largest ones (members, employments, relation periods, annual inspections …) at each
run — nearly all of an unchanged re-run's time. Instead, database triggers installed on every
input table (``install_triggers``, after each ``migrate``) count its updates and deletions in
``InputChange``, in the writing transaction itself, whoever writes (a service, a queryset
``update()``, raw SQL, the admin): the digest reads those few rows. On SQLite an insert needs no
count — it moves the largest id (ids are never reused) and the row count, which is cheap there;
on PostgreSQL ``COUNT(*)`` is a scan, so inserts are counted too and the row count not read. SQLite fires a trigger per row
(measured at load ~5: a bare UPDATE of 100,000 rows 1.14 s → 1.75 s, ~6 µs a row; a counting
trigger on inserts would add ~2.6 µs to each inserted row, which is why inserts are not
counted); PostgreSQL once per statement that changed a row (a bulk update of 10^6 rows costs
one counter update, and PostgreSQL keeps the statement's old rows for the trigger to see: a
transition table) — in the bucket of the writer's connection (``InputChange.BUCKETS``), so two
transactions changing the same table hold different counter rows until they commit (one row per
table made them wait for each other). A table whose triggers
are missing (a migration that rebuilt it on SQLite drops them until the next ``migrate``
reinstalls them) is read the old way, so the digest is never wrong, only slower.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Count, Max, Q

from dangjian.core import triggers
from dangjian.rules.models import Finding, InputChange

# Apps whose tables the rules read. Every table of these apps counts (a few are not read by
# any rule: changing them only costs a re-evaluation) except the journaled facts
# (``core.touch.JOURNALED``: the engine reads their changes from the journal) and the tables
# below, which no rule reads.
INPUT_APPS = (
    "registry",
    "party",
    "orglife",
    "inspections",
    "governance",
    "dues",
    "recruitment",
    "transfers",
)
# Read by no rule kind nor by the queries they call (checked by grep when a kind changes):
# a meeting counts by its own ``counts`` column, which ``orglife.services.counts.settle``
# derives from its attendance and resolutions. (Attendance and attachments are read: the
# integrity rules judge sign-ins and photos.)
NOT_READ = ("orglife.Resolution",)
# Derived from a journaled fact and written only with it (orglife.services.journal; the rebuild
# command marks ``core.touch.everything()`` when it repairs a drift).
# The latest dates of a member's contact and a branch's records likewise (``core.latest``,
# kept by the attendance, meeting and payment services with their facts, whose tables the digest
# reads or the journal has; ``dangjian last_contacts`` marks everything when it repairs one):
# counted as inputs, every recorded meeting made a whole run of the incremental one.
DERIVED = (
    "orglife.MeetingCount",
    "orglife.PresentPeak",  # kept with the meeting counts, by the same writers and command
    # A meeting's signature's band keys (``orglife.services.bands``), written with it.
    "orglife.MinuteBand",
    # The pairs of alike minutes (``orglife.services.pairs``), kept with the bands; which
    # lengths they are complete for (``dangjian sign_minutes`` marks everything when its
    # rebuild repairs a drift).
    "orglife.MinutePair",
    "orglife.MinutePairing",
    "orglife.LastAttended",
    "orglife.LastRecorded",
    "dues.LastPaid",
    "dues.BranchLastPaid",
)

# The modules whose code decides what the rules find, besides every kind: the engine and
# registry, and the rulebook's loader, parameters, periods and deadlines. Named by module,
# not by path, so a module that moves is still hashed (or fails loudly when it is gone).
CODE_MODULES = (
    "dangjian.rules.engine",
    "dangjian.rules.sync",  # how the findings are written (was part of the engine)
    "dangjian.rules.registry",
    "dangjian.rulebook.loader",
    "dangjian.rulebook.params",
    "dangjian.rulebook.periods",
    "dangjian.rulebook.deadlines",
    # The definitions the kinds count by (full members, coverage, terms, 四有, a member's
    # standing): a change re-runs them.
    "dangjian.party.queries",
    "dangjian.party.term_queries",
    "dangjian.party.standards",
    "dangjian.party.standing_queries",
    "dangjian.governance.queries",
    "dangjian.dues.queries",
)


def left_out() -> frozenset[str]:
    """The input apps' models the digest leaves out: journaled or read by no rule."""
    from dangjian.core.touch import JOURNALED

    return JOURNALED | frozenset(NOT_READ) | frozenset(DERIVED)


def input_models() -> list[type[models.Model]]:
    skip = left_out()
    found = [
        model
        for label in INPUT_APPS
        if apps.is_installed(f"dangjian.{label}")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.label not in skip
    ]
    return [*found, apps.get_model("rulebook", "RuleOverride")]


def _table_state_sql(model: type[models.Model], counted: frozenset[str] = frozenset()) -> str:
    """Row count, largest id and change count (``counted``: the tables whose triggers are in
    place) or else latest ``updated_at`` of one table, as scalar subqueries: each is planned
    on its own (MAX(pk) one index probe; COUNT(*) alone reads the smallest index on SQLite:
    7.7M meetings, 0.28 s against 0.79 s with the other aggregates)."""
    qn = connection.ops.quote_name
    name = model._meta.db_table
    table, pk = qn(name), qn(model._meta.pk.column)
    names = {f.attname for f in model._meta.concrete_fields}
    # Quoted table and column names of the project's own models only (S608).
    if name in counted:
        changed = (
            f"(SELECT SUM({qn('changes')}) FROM {qn(InputChange._meta.db_table)} "  # noqa: S608
            f"WHERE {qn('table_name')} = '{name}')"
        )
    elif "updated_at" in names:
        changed = f"(SELECT MAX({qn('updated_at')}) FROM {table})"  # noqa: S608
    else:
        changed = "NULL"
    # COUNT(*) is a scan on PostgreSQL (35 ms for 207,000 members): where the triggers count
    # inserts too (PostgreSQL's), the count of changes says it already.
    rows = "NULL" if name in counted and connection.vendor == "postgresql" else None
    rows = rows or f"(SELECT COUNT(*) FROM {table})"  # noqa: S608
    return f"{rows}, (SELECT MAX({pk}) FROM {table}), {changed}"  # noqa: S608


def _table_states(tables: list[type[models.Model]]) -> list[Any]:
    """[table, rows, largest id, change count or latest ``updated_at``] of each table, in one
    statement (one round trip and no ORM compilation per table: ~45 tables × 3 aggregates)."""
    if not tables:
        return []
    counted = counted_tables()
    sql = "SELECT " + ", ".join(_table_state_sql(model, counted) for model in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return [
        [model._meta.db_table, row[3 * i], row[3 * i + 1], str(row[3 * i + 2])]
        for i, model in enumerate(tables)
    ]


def tables_state(tables: list[type[models.Model]]) -> str:
    """A digest of ``tables`` alone (rows, largest id, change count): what a figure computed
    from them and kept (``coverage.figures``) compares to know it still holds."""
    return digest(_table_states(tables))


def input_state() -> str:
    """A digest of every input table: row count, largest id and latest ``updated_at`` (inserts,
    deletions and saved changes), and of the audit log's latest write (changes made through a
    service with a queryset ``update()`` that leaves ``updated_at`` alone). The rules' own
    events (run requests, status changes) are left out: the rule's findings are compared on
    their own; so are the records of the journaled facts and of the tables no rule reads, and
    organizational life's events (the journal has their changes)."""
    from dangjian.core.models import AuditLog

    parts: list[Any] = _table_states(input_models())
    labels = sorted(label.lower() for label in left_out())
    top = (
        AuditLog.objects.exclude(action__in=[AuditLog.Action.READ, AuditLog.Action.SIGNIN])
        .exclude(
            Q(event_type__startswith="rules.")
            | Q(object_type__startswith="rules.")
            | Q(event_type__startswith="orglife.")
            | Q(object_type__in=labels)
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    parts.append(["audit", top])
    return digest(parts)


# -- change counts kept by triggers ------------------------------------------------------------
# One trigger per table and event, named alike on both databases (SQLite names them per schema).
TRIGGER = "rules_input_changed"
SQLITE_EVENTS = {"UPDATE": "upd", "DELETE": "del"}
# PostgreSQL's fire per statement, and a statement that changed no row must not count (deleting a
# meeting deletes its attendance "WHERE meeting_id IN (…)" even when it has none): the UPDATE and
# DELETE triggers see the statement's old rows (a transition table, one event per trigger).
# Inserts are counted there too, with no transition table (a bulk COPY would keep every new row
# for it): an INSERT statement of no row, which the ORM never sends, would count once for nothing.
POSTGRES_EVENTS = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del", "TRUNCATE": "trunc"}


def _trigger(table: str, event: str) -> str:
    events = SQLITE_EVENTS if connection.vendor == "sqlite" else POSTGRES_EVENTS
    return f"{TRIGGER}_{events[event]}_{table}"


def counted_tables() -> frozenset[str]:
    """The tables whose change-count triggers are in place (every event)."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return frozenset()
    events = SQLITE_EVENTS if connection.vendor == "sqlite" else POSTGRES_EVENTS
    names = triggers.installed(connection, TRIGGER)
    tables = {table for table, _ in names}
    return frozenset(t for t in tables if all((t, _trigger(t, e)) in names for e in events))


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    """Install the change-count triggers on every input table that has none (idempotent; a
    ``post_migrate`` receiver, so tables a migration rebuilt or added get theirs)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor not in ("sqlite", "postgresql"):
        return
    existing = set(conn.introspection.table_names())
    counts = InputChange._meta.db_table
    if counts not in existing:
        return  # the rules app is not migrated this far
    qn = conn.ops.quote_name
    tables = [m._meta.db_table for m in input_models() if m._meta.db_table in existing]
    # Identifiers of the project's own tables only (S608).
    bump = (
        f"INSERT INTO {qn(counts)} ({qn('table_name')}, {qn('bucket')}, {qn('changes')}) "  # noqa: S608
        "VALUES ({name}, {bucket}, 1) "
        f"ON CONFLICT ({qn('table_name')}, {qn('bucket')}) "
        f"DO UPDATE SET {qn('changes')} = {qn(counts)}.{qn('changes')} + 1"
    )
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for table in tables:
                for event, suffix in SQLITE_EVENTS.items():
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {qn(f'{TRIGGER}_{suffix}_{table}')} "
                        f"AFTER {event} ON {qn(table)} FOR EACH ROW BEGIN "
                        f"{bump.format(name=repr(table), bucket=0)}; END"
                    )
            return
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
            "BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN "
            "IF NOT EXISTS (SELECT 1 FROM changed_rows) THEN RETURN NULL; END IF; END IF; "
            f"{bump.format(name='TG_TABLE_NAME', bucket=f'pg_backend_pid() % {InputChange.BUCKETS}')}; "
            "RETURN NULL; END $$"
        )
        for table in tables:
            for event, suffix in POSTGRES_EVENTS.items():
                rows = (
                    "REFERENCING OLD TABLE AS changed_rows "
                    if event in ("UPDATE", "DELETE")
                    else ""
                )
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {qn(f'{TRIGGER}_{suffix}_{table}')} "
                    f"AFTER {event} ON {qn(table)} {rows}"
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
                )


def drop_triggers(conn: Any) -> None:
    """Remove every change-count trigger (the migration that adds the counts, reversed)."""
    triggers.drop(conn, TRIGGER)


def findings_state(rule_id: str) -> str:
    row = (
        Finding.objects.filter(rule_id=rule_id)
        .order_by()
        .aggregate(n=Count("*"), top=Max("pk"), changed=Max("updated_at"))
    )
    return digest([row["n"], row["top"], str(row["changed"])])


def findings_states(rule_ids: list[str]) -> dict[str, str]:
    """``findings_state`` of each rule in one GROUP BY (a run checks every rule's)."""
    rows = {
        rule_id: (n, top, changed)
        for rule_id, n, top, changed in Finding.objects.filter(rule_id__in=rule_ids)
        .order_by()
        .values("rule_id")
        .annotate(n=Count("*"), top=Max("pk"), changed=Max("updated_at"))
        .values_list("rule_id", "n", "top", "changed")
    }
    return {
        rule_id: digest([n, top, str(changed)])
        for rule_id in rule_ids
        for n, top, changed in [rows.get(rule_id, (0, None, None))]
    }


@functools.cache
def code_version() -> str:
    """The rules' code and the rulebook's: a new version of a rule kind, of a parameter's
    lookup or of a deadline re-evaluates."""
    from dangjian.rules import kinds

    names = [
        *CODE_MODULES,
        *(f"{kinds.__name__}.{m.name}" for m in pkgutil.iter_modules(kinds.__path__)),
    ]
    files = sorted({Path(str(importlib.import_module(name).__file__)) for name in names})
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
