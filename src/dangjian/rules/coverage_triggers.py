"""The journal of changed units behind the kept coverage figures (``rules.coverage_kept``):
database triggers that write a ``CoverageChange`` line for each unit whose coverage inputs
changed — its row, memberships, domains, coverages, instructors and employments, and the
employers of a member whose full membership, leaving or 组织关系 (a relation period: the kept
parts say where the full members' relations sit) changed — in the writing transaction,
whoever writes; a changed federation or domain writes a line naming no unit (anything may
have moved). The kept branch counts (``rules.branch_kept``) read the same lines, and lines naming
a party organization whose members' count may have moved besides its units': the one a
coverage, a relation period (before and after) or a member's standing (the holders of their
relations) names. Installed after every ``migrate`` (``install_triggers``, a ``post_migrate``
receiver), as the rules' change-count triggers are (``rules.freshness``)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q

from dangjian.core import triggers
from dangjian.party.models import (
    Coverage,
    Employment,
    InstructorAssignment,
    PartyMember,
    RelationPeriod,
)
from dangjian.registry.models import Domain, Federation, Membership, Organization
from dangjian.rules.models import CoverageChange

# Triggers, named alike on both databases.
TRIGGER = "rules_coverage_changed"


def _unit_tables() -> list[tuple[str, str]]:
    """(table, the column naming the unit) of each table a unit's part is counted from."""
    return [
        (Organization._meta.db_table, "id"),
        (Membership._meta.db_table, "organization_id"),
        (Organization.domains.through._meta.db_table, "organization_id"),
        (Coverage._meta.db_table, "organization_id"),
        (InstructorAssignment._meta.db_table, "organization_id"),
        (Employment._meta.db_table, "organization_id"),
    ]


# A member's full membership or leaving moves the full members of every unit employing them
# (``full_members``): an update of these columns journals the member's employers. A new member
# has no employment yet; a deleted one's employments are deleted with them (journaled there).
MEMBER_COLUMNS = ("full_member_on", "left_on")


def _frame_tables() -> list[str]:
    """Tables a change to which may move any unit (a federation moved, a domain renamed):
    journaled as "anything" on update. Their inserts and deletes need no line: a new
    federation or domain has no unit yet, and deleting one deletes its units' rows first."""
    return [Federation._meta.db_table, Domain._meta.db_table]


def _events(vendor: str) -> dict[str, tuple[str, ...]]:
    """{table: its triggers' events}."""
    truncate = ("trunc",) if vendor == "postgresql" else ()
    found: dict[str, tuple[str, ...]] = {
        table: ("ins", "upd", "del", *truncate) for table, _ in _unit_tables()
    }
    found |= {table: ("upd", *truncate) for table in _frame_tables()}
    found[PartyMember._meta.db_table] = ("upd", *truncate)
    found[RelationPeriod._meta.db_table] = ("ins", "upd", "del", *truncate)
    return found


def _trigger(table: str, event: str) -> str:
    return f"{TRIGGER}_{event}_{table}"


def triggers_in_place() -> bool:
    """Whether every table's triggers are installed (one catalogue query)."""
    names = {name for _, name in triggers.installed(connection, TRIGGER)}
    expected = {_trigger(t, e) for t, events in _events(connection.vendor).items() for e in events}
    return connection.vendor in ("sqlite", "postgresql") and expected <= names


SQLITE_EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    """Install the journal's triggers on every table that has none (idempotent; a
    ``post_migrate`` receiver, as ``freshness.install_triggers``)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor not in ("sqlite", "postgresql"):
        return
    existing = set(conn.introspection.table_names())
    journal = CoverageChange._meta.db_table
    if journal not in existing:
        return  # the rules app is not migrated this far
    qn = conn.ops.quote_name
    # Identifiers of the project's own tables and columns only (S608).
    columns = dict(_unit_tables())
    events = {t: e for t, e in _events(conn.vendor).items() if t in existing}
    members, jobs = PartyMember._meta.db_table, Employment._meta.db_table
    relations, coverages = RelationPeriod._meta.db_table, Coverage._meta.db_table
    po = "party_organization_id"
    present = {name for _, name in triggers.installed(conn, TRIGGER)}
    if {_trigger(t, e) for t, kinds in events.items() for e in kinds} - present:
        # A trigger was missing (a migration rebuilt its table on SQLite): what was written
        # meanwhile went unjournaled, and the employments and members are not in the figures'
        # digest — a line naming no unit has the next reader count the subtree whole.
        with conn.cursor() as cursor:
            cursor.execute(f"INSERT INTO {qn(journal)} (organization_id) VALUES (NULL)")  # noqa: S608
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for table, kinds in events.items():
                for event in kinds:
                    col = columns.get(table)
                    if table == members:  # the employers of a member whose standing changed
                        moved = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in MEMBER_COLUMNS)
                        # … and the party organizations holding their relations.
                        cursor.execute(
                            f"CREATE TRIGGER IF NOT EXISTS {qn(_trigger(table, event))} "  # noqa: S608
                            f"AFTER UPDATE OF {', '.join(MEMBER_COLUMNS)} ON {qn(table)} "
                            f"FOR EACH ROW WHEN {moved} BEGIN "
                            f"INSERT INTO {qn(journal)} (organization_id) "
                            f"SELECT organization_id FROM {qn(jobs)} WHERE member_id = NEW.id; "
                            f"INSERT INTO {qn(journal)} ({po}) SELECT DISTINCT {po} "
                            f"FROM {qn(relations)} WHERE member_id = NEW.id AND {po} IS NOT NULL; "
                            "END"
                        )
                        continue
                    rows = {"ins": ("NEW",), "upd": ("OLD", "NEW"), "del": ("OLD",)}[event]
                    if table == relations:  # the employers of a member whose relation moved
                        # … and the party organizations holding it before and after.
                        body = "".join(
                            f"INSERT INTO {qn(journal)} (organization_id) "  # noqa: S608
                            f"SELECT organization_id FROM {qn(jobs)} "
                            f"WHERE member_id = {row}.member_id; "
                            f"INSERT INTO {qn(journal)} ({po}) SELECT {row}.{po} "
                            f"WHERE {row}.{po} IS NOT NULL;"
                            for row in rows
                        )
                    elif table == coverages:  # the unit, and the party organization covering it
                        body = "".join(
                            f"INSERT INTO {qn(journal)} (organization_id, {po}) "  # noqa: S608
                            f"VALUES ({row}.{col}, {row}.{po});"
                            for row in rows
                        )
                    elif col is None:  # a federation or a domain: anything may have moved
                        body = f"INSERT INTO {qn(journal)} (organization_id) VALUES (NULL);"  # noqa: S608
                    elif event == "upd":  # both units when a row moved from one to another
                        body = (
                            f"INSERT INTO {qn(journal)} (organization_id) VALUES (OLD.{col}); "  # noqa: S608
                            f"INSERT INTO {qn(journal)} (organization_id) "
                            f"SELECT NEW.{col} WHERE NEW.{col} IS NOT OLD.{col};"
                        )
                    else:
                        row = "NEW" if event == "ins" else "OLD"
                        body = f"INSERT INTO {qn(journal)} (organization_id) VALUES ({row}.{col});"  # noqa: S608
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {qn(_trigger(table, event))} "
                        f"AFTER {SQLITE_EVENTS[event]} ON {qn(table)} FOR EACH ROW "
                        f"BEGIN {body} END"
                    )
            return
        # PostgreSQL: once per statement, reading the statement's rows (transition tables),
        # each changed unit once; the column is the trigger's argument (none: anything).
        into = f"INSERT INTO {qn(journal)} (organization_id, tx)"
        # The party organizations the statement's rows name (a relation period's, a coverage's).
        party_orgs_written = (
            f"EXECUTE 'INSERT INTO {qn(journal)} ({po}, tx) SELECT DISTINCT {po}, $1 FROM (' || "  # noqa: S608
            f"CASE TG_OP WHEN 'INSERT' THEN 'SELECT {po} FROM new_rows' "
            f"WHEN 'DELETE' THEN 'SELECT {po} FROM old_rows' "
            f"ELSE 'SELECT {po} FROM new_rows UNION ALL SELECT {po} FROM old_rows' END "
            f"|| ') r WHERE {po} IS NOT NULL' USING tx;"
        )
        moved = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in MEMBER_COLUMNS)
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
            "DECLARE tx bigint := pg_current_xact_id()::text::bigint; BEGIN "
            f"IF TG_OP = 'TRUNCATE' THEN {into} VALUES (NULL, tx); "
            # A member's standing changed: the units employing them.
            # (EXECUTE: planned for each statement's rows, one member or a million, not once.)
            f"ELSIF TG_TABLE_NAME = '{members}' THEN EXECUTE '{into} SELECT DISTINCT "
            f"e.organization_id, $1 FROM {qn(jobs)} e JOIN new_rows n ON n.id = e.member_id "
            f"JOIN old_rows o ON o.id = n.id WHERE {moved}' USING tx; "
            # … and the party organizations holding their relations.
            f"EXECUTE 'INSERT INTO {qn(journal)} ({po}, tx) SELECT DISTINCT "
            f"r.{po}, $1 FROM {qn(relations)} r JOIN new_rows n ON n.id = r.member_id "
            f"JOIN old_rows o ON o.id = n.id WHERE r.{po} IS NOT NULL AND ({moved})' USING tx; "
            # A relation period written: the units employing its member.
            f"ELSIF TG_TABLE_NAME = '{relations}' THEN EXECUTE '{into} SELECT DISTINCT "
            f"e.organization_id, $1 FROM {qn(jobs)} e WHERE e.member_id IN (' || "
            "CASE TG_OP WHEN 'INSERT' THEN 'SELECT member_id FROM new_rows' "
            "WHEN 'DELETE' THEN 'SELECT member_id FROM old_rows' "
            "ELSE 'SELECT member_id FROM new_rows UNION SELECT member_id FROM old_rows' END "
            "|| ')' USING tx; "
            # … and the party organizations holding it before and after.
            f"{party_orgs_written} "
            # An update of a federation or a domain (PostgreSQL fires for one of no row too).
            "ELSIF TG_NARGS = 0 THEN IF EXISTS (SELECT 1 FROM old_rows) THEN "
            f"{into} VALUES (NULL, tx); END IF; "
            f"ELSIF TG_OP = 'INSERT' THEN EXECUTE format('{into} "
            "SELECT DISTINCT %I, $1 FROM new_rows', TG_ARGV[0]) USING tx; "
            f"ELSIF TG_OP = 'DELETE' THEN EXECUTE format('{into} "
            "SELECT DISTINCT %I, $1 FROM old_rows', TG_ARGV[0]) USING tx; "
            f"ELSE EXECUTE format('{into} SELECT %I, $1 FROM old_rows "
            "UNION SELECT %I, $1 FROM new_rows', TG_ARGV[0], TG_ARGV[0]) USING tx; "
            "END IF; "
            # A coverage (its second argument): the party organization covering the unit too.
            f"IF TG_NARGS = 2 AND TG_OP <> 'TRUNCATE' THEN {party_orgs_written} END IF; "
            "RETURN NULL; END $$"
        )
        referencing = {
            "ins": "REFERENCING NEW TABLE AS new_rows ",
            "upd": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows ",
            "del": "REFERENCING OLD TABLE AS old_rows ",
            "trunc": "",
        }
        pg_events = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE", "trunc": "TRUNCATE"}
        for table, kinds in events.items():
            col = columns.get(table)
            for event in kinds:
                refs = (
                    referencing[event]
                    if col is not None or event == "upd" or table == relations
                    else ""
                )
                # The column naming the unit; none for a frame table (anything may have moved)
                # or the members and their relations (their employers are looked up).
                arg = f"'{col}'" if col is not None else ""
                if table == coverages:
                    arg += f", '{po}'"
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {qn(_trigger(table, event))} "
                    f"AFTER {pg_events[event]} ON {qn(table)} {refs}"
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}({arg})"
                )


def drop_triggers(conn: Any) -> None:
    """Remove the journal's triggers (its migration reversed)."""
    triggers.drop(conn, TRIGGER)


# -- reading the journal (the kept figures, ``rules.coverage_kept``) ------------------------


def since(position: int, running: list[int]) -> Q:
    """The journal's lines not read by figures that read it up to ``position`` while the
    transactions ``running`` had not committed."""
    since = Q(pk__gt=position)
    if running:  # lines of transactions still running then, committed since
        since |= Q(tx__in=running)
    return since


def journal_moved(position: int, running: list[int]) -> bool:
    return CoverageChange.objects.filter(since(position, running)).exists()


def journal_end() -> tuple[int, list[int]]:
    """(the journal's last line, on PostgreSQL the other transactions still running): every
    line up to the first is read now, except lines of those transactions, which may commit
    later with lower ids (ids are taken at insert, not at commit) and are read again next
    time. This transaction's own lines are visible to it now and are not among them."""
    table = CoverageChange._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT COALESCE(MAX(id), 0), ARRAY(SELECT x::text::bigint "  # noqa: S608
                f"FROM pg_snapshot_xip(pg_current_snapshot()) x) FROM {table}"
            )
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0), NULL FROM {table}")  # noqa: S608
        position, running = cursor.fetchone()
    return int(position), sorted(int(x) for x in running or ())
