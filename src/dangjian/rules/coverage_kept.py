"""The coverage page's figures, kept (``coverage.figures``): counted once per scope and day,
served while the tables they are counted from are unchanged, and — for a federation's whole
subtree, the page as an officer opens it — followed unit by unit as those tables change
("the day's snapshot plus changes").

* **Served** while the digest of the tables (``freshness.tables_state``, a few counters)
  holds and, for a subtree's kept parts, no line was added to the journal below.
* **Followed** when it does not: the units changed since (``CoverageChange``, written by
  database triggers, ``rules.coverage_triggers``, on the unit, membership, unit-domain, coverage, instructor and employment
  tables and on a member's full membership or leaving, in the writing transaction, whoever
  writes — a service, an import's bulk path, the admin, raw SQL) are counted again alone;
  each one's old part (``CoverageUnit``) is taken out of the figures and its new part put in.
  Counting the whole subtree again takes 1.8–2.6 s at 100,000 units (0.3–0.4 s before the
  parts kept the full members); a few changed units take milliseconds.
* **Counted whole** the first time of the day, when a federation or a domain changed (any unit
  may have moved), when more than ``FOLLOW_LIMIT`` units changed, or when a trigger is missing
  (a migration that rebuilt a table on SQLite drops them until the next ``migrate``): each
  unit's part written by one ``INSERT … SELECT`` from the units and flags
  ``coverage.all_breakdowns`` groups, then summed by group.

Each part also keeps the unit's full members employed that day: the formation rules (应建未建
and the rules beside it) read the day's uncovered units from the parts (``uncovered``) — a
maintained per-unit count, followed as employments and members change — instead of counting
every employment of the subtree at each run.

Filtered scopes (a category, a district …), and a subtree's older day once a later day keeps
its parts (a month end looked up), are kept by their digest alone and counted whole when it
moves. Every path gives ``coverage.all_breakdowns``'s figures exactly, and ``uncovered`` the
units the formation rules would count from the facts (tests/rules/test_coverage_kept.py
replays random changes and compares).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.core.sql import as_date, id_list, in_ids
from dangjian.party import queries
from dangjian.party.models import Coverage, InstructorAssignment
from dangjian.party.queries import full_employments_sql
from dangjian.registry.models import Domain, Federation, Membership, Organization
from dangjian.rules import branch_kept, coverage, coverage_triggers, freshness
from dangjian.rules.coverage import Breakdowns, Rates, Scope, Tally
from dangjian.rules.models import CoverageBranch, CoverageChange, CoverageDay, CoverageUnit

KEPT_DAYS = 31  # kept figures computed longer ago than this are deleted when others are kept
# More changed units than this since the figures were kept: counting them alone would not be
# much cheaper than counting the whole subtree (a bulk import, a migration).
FOLLOW_LIMIT = 5000
# Journal lines every kept figure has read are deleted once they are this old: a count that
# read the journal's end before a line was pruned has long finished by then.
PRUNE_AFTER = datetime.timedelta(hours=1)
# The unit's domains in ``CoverageUnit.domains``.
SEP = "\n"
# The first days on which an uncovered unit's full members began to count, kept in its part
# (``CoverageUnit.counted_from``): the 应建未建 rule reads the day its n-th did (n its
# threshold, a parameter: 3 as shipped) and counts from the facts when n is larger.
DETAIL_DAYS = 10


def _inputs() -> list:
    """Every table ``coverage.all_breakdowns`` reads."""
    return [
        Federation,
        Membership,
        Organization,
        Organization.domains.through,
        Domain,
        Coverage,
        InstructorAssignment,
    ]


def figures(scope: Scope, day: datetime.date | None = None) -> Breakdowns:
    """The scope's figures on ``day``: kept (``CoverageDay``), followed, or counted whole."""
    day = day or timezone.localdate()
    key = urlencode(sorted(scope.filters().items()))
    # The digest is read BEFORE the figures: a write committed between the two then leaves
    # figures newer than their digest (followed or counted again at the next view), never
    # older ones served.
    inputs = freshness.tables_state(_inputs())
    kept = (
        CoverageDay.objects.filter(federation=scope.federation, day=day, scope_key=key)
        .values_list("inputs", "data", "position", "running")
        .first()
    )
    # Kept parts are served while the journal is unchanged too: the full members they hold
    # move with employments and members, which the figures' digest leaves out.
    if (
        kept
        and kept[0] == inputs
        and (kept[2] is None or not coverage_triggers.journal_moved(kept[2], kept[3]))
    ):
        return _from_data(kept[1])
    if key:
        return _count_filtered(scope, day, key, inputs)
    if day > timezone.localdate():
        # A day not yet come (typed ahead on the coverage page): counted and kept by its
        # digest alone, so that today's parts stay the newest — the formation rules read
        # today's (``uncovered``), and would count from the facts for the rest of the day.
        return _count_filtered(scope, day, key, inputs)
    if kept and kept[2] is not None:
        followed = _follow(scope, day, inputs)
        if followed is not None:
            return followed
    if _newer_parts(scope, day):
        # An older day of a subtree whose later day keeps its parts (a month end looked up):
        # counted and kept by its digest alone — looking back leaves the newest day's parts.
        return _count_filtered(scope, day, key, inputs)
    return _count_whole(scope, day, inputs)


class Details(NamedTuple):
    """What the 应建未建 rule explains of an uncovered unit, kept with its part."""

    counted_from: str  # ``CoverageUnit.counted_from``
    places: dict[str, int]  # where its full members' 组织关系 sits
    joined: datetime.date | None
    cover_ended: datetime.date | None

    def reached(self, n: int) -> datetime.date | None:
        """The day its ``n``-th full member began to count; None when not kept (n beyond
        ``DETAIL_DAYS``, or fewer full members)."""
        day = queries.nth(self.counted_from.split(",") if self.counted_from else [], n)
        return datetime.date.fromisoformat(day) if day else None


class Uncovered(NamedTuple):
    """A member unit no party organization covers on the day."""

    unit: int
    federation: int | None
    full: int  # full members employed
    instructed: bool  # has an instructor or liaison
    details: Details | None = None  # None: counted from the facts, or no full member


@contextmanager
def _locked_parts(federation: Federation, day: datetime.date) -> Iterator[tuple[int, str] | None]:
    """(id, branch counts' basis) of ``federation``'s whole-subtree figures of ``day``, brought
    up to date and locked while the caller reads their parts (a count for another day deleting
    them waits on PostgreSQL; SQLite reads one snapshot in the transaction). None when no parts
    are kept for that day (a later day keeps them) or a trigger is missing."""
    if not coverage_triggers.triggers_in_place():
        yield None
        return
    figures(Scope(federation), day)
    with transaction.atomic():
        yield (
            CoverageDay.objects.select_for_update()
            .filter(federation=federation, day=day, scope_key="", position__isnull=False)
            .values_list("pk", "count_by")
            .first()
        )


def uncovered(federation: Federation, day: datetime.date) -> list[Uncovered] | None:
    """The member units of ``federation``'s subtree no party organization covers on ``day``,
    in unit order, with what the 应建未建 rule explains of them, read from the day's kept
    parts (followed, or counted whole when the day has none yet) instead of counting every
    employment of the subtree. None when the parts are not kept for that day (a later day
    keeps them) or a trigger is missing: the caller counts from the facts."""
    with _locked_parts(federation, day) as kept:
        if kept is None:
            return None
        # A raw statement, and the day joined read through a CASE (an expression has no
        # declared type, so SQLite's driver leaves its text alone): converting the dates of
        # every uncovered unit (26,000 at 100,000 units) was a third of the 应建未建 rule's
        # time; those of the units with details are converted here.
        columns = ", ".join(("organization_id", "federation_id", "full_members", "worked"))
        joined = "CASE WHEN counted_from IS NULL THEN NULL ELSE joined END"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, {joined}, {', '.join(DETAILS)} "  # noqa: S608
                f"FROM {CoverageUnit._meta.db_table} WHERE figures_id = %s AND covered = 0 "
                "ORDER BY organization_id",
                [kept[0]],
            )
            rows = cursor.fetchall()
        return [
            Uncovered(
                unit,
                fed,
                full,
                bool(worked),
                None
                if counted is None
                else Details(
                    counted,
                    {place: n for place, n in zip(PLACES, counts, strict=True) if n},
                    as_date(joined),
                    as_date(ended),
                ),
            )
            for unit, fed, full, worked, joined, counted, *counts, ended in rows
        ]


def branch_counts(
    federation: Federation, day: datetime.date, by: str, in_scope: list[int]
) -> dict[int, int] | None:
    """{party organization: its full members on ``day`` counted by ``by``} of ``in_scope`` (the
    subtree's party organizations as the caller reads them), from the day's kept parts
    (``rules.branch_kept``; counted whole for ``by`` when the day keeps another basis's). None
    when the parts are not kept for that day or a trigger is missing: the caller counts from
    the facts."""
    with _locked_parts(federation, day) as kept:
        if kept is None:
            return None
        if kept[1] != by:
            branch_kept.count_whole(kept[0], federation, day, by)
        return branch_kept.read(kept[0], day, by, in_scope)


def _newer_parts(scope: Scope, day: datetime.date) -> bool:
    """Whether the subtree's parts are kept for a later day than ``day`` — up to today: the
    parts of a day not yet come (kept before such days were counted without them) give way
    to today's."""
    return CoverageDay.objects.filter(
        federation=scope.federation,
        scope_key="",
        day__gt=day,
        day__lte=timezone.localdate(),
        position__isnull=False,
    ).exists()


def _count_filtered(scope: Scope, day: datetime.date, key: str, inputs: str) -> Breakdowns:
    result = coverage.all_breakdowns(scope, day)
    now = timezone.now()
    # Two first views at once both count; the later write wins with the same figures.
    CoverageDay.objects.bulk_create(
        [
            CoverageDay(
                federation=scope.federation,
                day=day,
                scope_key=key,
                inputs=inputs,
                data=_to_data(result),
                computed_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["federation", "day", "scope_key"],
        update_fields=["inputs", "data", "computed_at"],
    )
    _forget_old(now)
    return result


def _count_whole(scope: Scope, day: datetime.date, inputs: str) -> Breakdowns:
    """Every unit's part written anew, then summed (the subtree's figures)."""
    position, running = coverage_triggers.journal_end()
    now = timezone.now()
    with transaction.atomic():
        # Locks the row: a second first view (another worker of the same run on PostgreSQL)
        # waits for the first to commit, then finds its figures current and serves them
        # instead of counting every unit and branch a second time.
        kept, created = CoverageDay.objects.select_for_update().get_or_create(
            federation=scope.federation,
            day=day,
            scope_key="",
            defaults={
                "inputs": inputs,
                "position": position,
                "running": running,
                "computed_at": now,
            },
        )
        if (
            not created
            and kept.position is not None
            and kept.inputs == inputs
            and not coverage_triggers.journal_moved(kept.position, kept.running)
        ):
            return _from_data(kept.data)
        CoverageDay.objects.filter(pk=kept.pk).update(
            inputs=inputs, position=position, running=running, computed_at=now
        )
        # Parts are kept for the subtree's newest day only (100,000 rows at 100,000 units):
        # the federation's figures of other days go back to their digest alone.
        older = CoverageDay.objects.filter(federation=scope.federation, scope_key="").exclude(
            pk=kept.pk
        )
        CoverageUnit.objects.filter(figures__in=older.filter(position__isnull=False)).delete()
        CoverageBranch.objects.filter(figures__in=older.exclude(count_by="")).delete()
        older.update(position=None, running=[], count_by="")
        CoverageUnit.objects.filter(figures=kept).delete()
        sql, params = _parts_sql(scope, day)
        columns = ", ".join(PART_COLUMNS)
        table = CoverageUnit._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (figures_id, {columns}) "  # noqa: S608
                f"SELECT %s, {columns} FROM ({sql}) p",
                [kept.pk, *params],
            )
        # The uncovered units with full members again, with their details: taken out and
        # written anew (an UPDATE per unit was planned as a scan of the new parts each on
        # PostgreSQL, whose statistics had not seen them yet: 79 s for 5,900 units).
        wanted = CoverageUnit.objects.filter(figures=kept, covered=0, full_members__gt=0)
        parts = list(wanted.order_by("organization_id").values_list(*PART_COLUMNS))
        wanted.delete()
        _write_parts(kept.pk, day, parts)
        branch_kept.count_whole(
            kept.pk, scope.federation, day, queries.branch_count_basis(scope.federation, day)
        )
        result = _summed(kept.pk)
        CoverageDay.objects.filter(pk=kept.pk).update(data=_to_data(result))
    _forget_old(now)
    return result


def _follow(scope: Scope, day: datetime.date, inputs: str) -> Breakdowns | None:
    """The kept figures moved by the units changed since they were read; None when they must
    be counted whole."""
    if not coverage_triggers.triggers_in_place():
        return None
    position, running = coverage_triggers.journal_end()
    with transaction.atomic():
        kept = (
            CoverageDay.objects.select_for_update()
            .filter(federation=scope.federation, day=day, scope_key="")
            .values_list("pk", "data", "position", "running", "count_by")
            .first()
        )
        if kept is None:
            return None
        pk, data, read_to, were_running, count_by = kept
        if read_to is None:
            return None
        changed = list(
            CoverageChange.objects.filter(coverage_triggers.since(read_to, were_running))
            .order_by()
            .values_list("organization_id", "party_organization_id")
            .distinct()[: FOLLOW_LIMIT + 1]
        )
        if (None, None) in changed or len(changed) > FOLLOW_LIMIT:
            return None
        result = _from_data(data)
        ids = sorted({unit for unit, _ in changed if unit is not None})
        if count_by:
            branch_kept.follow(pk, day, count_by, ids, {po for _, po in changed if po is not None})
        if ids:
            tally = Tally(result)
            old = CoverageUnit.objects.filter(figures_id=pk, organization_id__in=ids)
            for part in old.values_list(*PART_COLUMNS):
                _add_part(tally, part, -1)
            new = _parts(scope, day, ids)
            for part in new:
                _add_part(tally, part, 1)
            old.delete()
            _write_parts(pk, day, new)
            result = tally.result()
        CoverageDay.objects.filter(pk=pk).update(
            inputs=inputs,
            data=_to_data(result),
            position=position,
            running=running,
            computed_at=timezone.now(),
        )
    return result


# -- each unit's part ------------------------------------------------------------------------------

PART_COLUMNS = (
    "organization_id",
    "category",
    "legal_form",
    "district",
    "domains",
    "covered",
    "own",
    "worked",
    "federation_id",
    "full_members",
    "joined",
)
# Kept for the uncovered units with full members (``_details``).
DETAILS = (
    "counted_from",
    "relation_system",
    "relation_outside",
    "relation_unrecorded",
    "cover_ended",
)
# The relation places in ``DETAILS``' order.
PLACES = ("system", "outside", "unrecorded")


def _parts_sql(scope: Scope, day: datetime.date, only: list[int] | None = None):
    """(SQL, params) of each member unit's part on ``day`` (``PART_COLUMNS``): the units and
    flags ``coverage.all_breakdowns`` counts, with the unit's domains' names. ``only``: of
    those units alone."""
    units = coverage.units(scope, day)
    if only is not None:
        units = units.filter(pk__in=only)
    combos_sql, combos_params = (
        units.order_by()
        .values(uid=F("pk"), cat=F("category"), form=F("legal_form"), dist=F("district"))
        .query.sql_with_params()
    )
    flag_rows, flags_params = coverage.flags_sql(day, only)
    links, domain = Organization.domains.through._meta.db_table, Domain._meta.db_table
    names = (
        "group_concat(dm.name, char(10))"
        if connection.vendor == "sqlite"
        else "string_agg(dm.name, chr(10))"
    )
    restrict = f"WHERE l.organization_id IN ({id_list(only)}) " if only is not None else ""
    feds_sql, feds_params = _federations_sql(scope, day, only)
    full_sql, full_params = _full_members_sql(day, only)
    sql = (
        "SELECT c.uid AS organization_id, c.cat AS category, c.form AS legal_form, "  # noqa: S608
        "c.dist AS district, COALESCE(d.names, '') AS domains, "
        "COALESCE(f.cov, 0) AS covered, COALESCE(f.own, 0) AS own, "
        "CASE WHEN f.organization_id IS NULL THEN 0 ELSE 1 END AS worked, "
        "m.fed AS federation_id, COALESCE(e.n, 0) AS full_members, m.joined AS joined "
        f"FROM ({combos_sql}) c LEFT JOIN ({flag_rows}) f ON f.organization_id = c.uid "
        f"LEFT JOIN (SELECT l.organization_id, {names} AS names FROM {links} l "
        f"JOIN {domain} dm ON dm.id = l.domain_id {restrict}GROUP BY l.organization_id) d "
        "ON d.organization_id = c.uid "
        f"LEFT JOIN ({feds_sql}) m ON m.unit = c.uid "
        f"LEFT JOIN ({full_sql}) e ON e.unit = c.uid"
    )
    return sql, [*combos_params, *flags_params, *feds_params, *full_params]


def _federations_sql(scope: Scope, day: datetime.date, only: list[int] | None):
    """(SQL, params): each member unit's federation in the subtree on ``day`` (``unit``,
    ``fed``) — the largest id when it is a member of several, as ``rules.kinds.base.
    member_units`` names it — and the latest start of its memberships in force (``joined``,
    as ``rules.kinds.formation.joined_and_uncovered`` reads it)."""
    ids = list(scope.federation.subtree().values_list("pk", flat=True))
    rows = Membership.objects.filter(valid_on_q(day), federation_id__in=ids)
    if only is not None:
        rows = rows.filter(in_ids("organization_id", only))
    grouped = (
        rows.order_by()
        .values(unit=F("organization_id"))
        .annotate(fed=Max("federation_id"), joined=Max("valid_from"))
    )
    return grouped.values("unit", "fed", "joined").query.sql_with_params()


def _full_members_sql(day: datetime.date, only: list[int] | None):
    """(SQL, params): each unit's full members employed on ``day`` (``party.queries.
    full_member_count_q``'s count, for every unit in one grouped pass)."""
    jobs, params = full_employments_sql(day, only)
    sql = f"SELECT unit, COUNT(DISTINCT person) AS n FROM ({jobs}) j GROUP BY unit"  # noqa: S608
    return sql, list(params)


def _write_parts(figures_id: int, day: datetime.date, parts: list[tuple]) -> None:
    """These parts (``PART_COLUMNS``) written, with ``DETAILS`` for the uncovered units with
    full members."""
    details = _details(day, [part[0] for part in parts if _wants_details(part)])
    CoverageUnit.objects.bulk_create(
        [
            CoverageUnit(
                figures_id=figures_id,
                **dict(zip(PART_COLUMNS, part, strict=True)),
                **dict(zip(DETAILS, details.get(part[0], ()), strict=False)),
            )
            for part in parts
        ],
        batch_size=1000,
    )


def _details(day: datetime.date, unit_ids: list[int]) -> dict[int, tuple]:
    """{unit: its ``DETAILS``} of these (uncovered) units with full members on ``day``."""
    employed = queries.employed_full(unit_ids, day, DETAIL_DAYS)
    ended = queries.coverage_ended_before(unit_ids, day)
    return {
        unit: (
            ",".join(d.isoformat() for d in e.counted_from),
            *(e.places.get(place, 0) for place in PLACES),
            ended.get(unit),
        )
        for unit, e in employed.items()
    }


def _wants_details(part: tuple) -> bool:
    """Whether a part (``PART_COLUMNS``) keeps ``DETAILS``: uncovered, with full members."""
    fields = dict(zip(PART_COLUMNS, part, strict=True))
    return not fields["covered"] and fields["full_members"] > 0


def _parts(scope: Scope, day: datetime.date, only: list[int]) -> list[tuple]:
    sql, params = _parts_sql(scope, day, only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _add_part(tally: Tally, part: tuple, sign: int) -> None:
    _, category, legal_form, district, domains, covered, own, worked, *_ = part
    nums = [sign, covered * sign, own * sign, worked * sign]
    _add_group(tally, category, legal_form, district, domains, nums)


def _add_group(
    tally: Tally, category: str, legal_form: str, district: str, domains: str, nums: list[int]
) -> None:
    tally.add_units(category, legal_form, district, nums)
    # A unit with no domain is counted under "" (``coverage.all_breakdowns`` likewise).
    for name in domains.split(SEP) if domains else [""]:
        tally.add("domain", name, nums)


def _summed(figures_id: int) -> Breakdowns:
    """The kept parts summed: grouped in the database by (category, legal form, district,
    domains) — a few thousand groups at 100,000 units — then by dimension here."""
    table = CoverageUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT category, legal_form, district, domains, COUNT(*), SUM(covered), "  # noqa: S608
            f"SUM(own), SUM(worked) FROM {table} WHERE figures_id = %s "
            "GROUP BY category, legal_form, district, domains",
            [figures_id],
        )
        rows = cursor.fetchall()
    tally = Tally()
    for category, legal_form, district, domains, *nums in rows:
        _add_group(tally, category, legal_form, district, domains, [int(n) for n in nums])
    return tally.result()


# -- the journal of changed units -------------------------------------------------------------------


def _forget_old(now: datetime.datetime) -> None:
    """Kept figures older than ``KEPT_DAYS``, and the journal lines every kept figure has read
    (when figures are counted whole: the first view of a day at least)."""
    CoverageDay.objects.filter(computed_at__lt=now - datetime.timedelta(days=KEPT_DAYS)).delete()
    low = CoverageDay.objects.filter(position__isnull=False).aggregate(position=Min("position"))
    if low["position"] is None:
        return
    running = {
        tx
        for txs in CoverageDay.objects.filter(position__isnull=False).values_list(
            "running", flat=True
        )
        for tx in txs
    }
    read = CoverageChange.objects.filter(pk__lte=low["position"], at__lt=now - PRUNE_AFTER)
    read.exclude(tx__in=sorted(running)).delete()


# -- kept figures as JSON ------------------------------------------------------------------------------


def _to_data(b: Breakdowns) -> dict:
    return {
        "rates": b.rates.numbers(),
        "by": {d: [[value, r.numbers()] for value, r in rows] for d, rows in b.by.items()},
    }


def _from_data(data: dict) -> Breakdowns:
    return Breakdowns(
        Rates(*data["rates"]),
        {d: [(value, Rates(*nums)) for value, nums in rows] for d, rows in data["by"].items()},
    )
