"""The one definition of each party-ledger concept that several apps read: who counts.

The rules, the workflows' checks, the inspections' party section and the profile page all ask
these questions; each is answered here once — as querysets and subquery expressions, never
Python loops — so a workflow never accepts what the rules will flag later.

- a full member on a day: ``full_q`` (full by that day, still in the ledger that day);
- full members of units (by employer) or of party organizations (by 组织关系): ``full_members``
  (the jobs that count, as SQL for grouping statements: ``full_employments_sql``);
- the 组织关系 on a day (the dated history, ``RelationPeriod``): ``relation_on``,
  ``held_in_q``, ``relation_counts``;
- a branch's full members on a day, counted as the rulebook says (employed in a unit it
  covers, or holding their relation in it, or both): ``branch_full_members`` /
  ``branch_full_counts``; members employed there whose relation is elsewhere:
  ``relation_elsewhere``;
- covered on a day: ``covered_q`` / ``covered_units`` / ``with_party_organization``;
- an instructor on a day: ``has_instructor``;
- a branch's voting members on a day: ``voting_members``; its probationary members
  (``probationary_members``), its committee (``committee_members``) and the flowing members
  it hosts (``hosted_flowing_members``).

The party ledger's other shared definitions have their own modules beside this one: the term
in force and its reminders (``party.term_queries``), the four standards (四有,
``party.standards``) and a member's standing and flowing (``party.standing_queries``, which
this module reads: a suspended member does not vote).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.core.sql import fetch_all, in_ids
from dangjian.party.models import (
    Coverage,
    Employment,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
    RelationPeriod,
)
from dangjian.party.standing_queries import flowing_on, suspended_q
from dangjian.registry.models import Federation, Membership, Organization
from dangjian.rulebook import params

# -- who is in a federation's ledger -----------------------------------------------------------


def members_of_federation(federation: Federation) -> QuerySet[PartyMember]:
    """Party members held in ``federation``'s ledger (or a ledger below it): employed, now or
    before, by one of its member units, or holding their 组织关系 now in one of its party
    organizations. This is what the federation's officers may see and link to (the same
    test as ``access.scope.members``, which reads the current relation too)."""
    units = Membership.objects.filter(federation__path__startswith=federation.path).values(
        "organization"
    )
    employed = Employment.objects.filter(member=OuterRef("pk"), organization__in=units)
    return PartyMember.objects.filter(
        Q(Exists(employed))
        | Q(relation_party_organization__federation__path__startswith=federation.path)
    )


def held_elsewhere(hashes: list[str], federation: Federation) -> set[str]:
    """Of these ID-number blind indexes, those held only outside ``federation``'s ledger.

    Only the fact "held elsewhere" comes back (no name, no federation): the minimum a reviewer
    needs to know the member must be transferred first."""
    everywhere = set(
        PartyMember.objects.filter(id_number_hash__in=hashes).values_list(
            "id_number_hash", flat=True
        )
    )
    inside = set(
        members_of_federation(federation)
        .filter(id_number_hash__in=hashes)
        .values_list("id_number_hash", flat=True)
    )
    return everywhere - inside


# -- full members --------------------------------------------------------------------------------


def member_in_ledger_q(day: datetime.date, prefix: str = "") -> Q:
    """Still in the ledger on ``day``: not left, or left after it (a member who left on the
    day is no longer counted that day)."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})


def full_q(day: datetime.date, prefix: str = "") -> Q:
    """A full member on ``day``: full membership on or before it (预备党员 are not), and still
    in the ledger that day."""
    return PartyMember.full_on_q(day, prefix) & member_in_ledger_q(day, prefix)


def full_employments(day: datetime.date) -> QuerySet[Employment]:
    """Employments valid on ``day`` of full members still in the ledger."""
    return Employment.objects.filter(valid_on_q(day), full_q(day, "member__"))


def full_employments_sql(day: datetime.date, unit_ids: list[int] | None = None) -> tuple[str, Any]:
    """``full_employments(day)`` compiled to SQL, for statements that group them in the
    database: rows (unit, person, counted — the day the job began to count: employed and full,
    the later). ``unit_ids``: of those units alone, written into the statement (``in_ids``: an
    ORM filter of thousands of bound ids took longer to compile than the statement to run, and
    a queryset converts every row's dates in Python)."""
    jobs = full_employments(day)
    if unit_ids is not None:
        jobs = jobs.filter(in_ids("organization_id", unit_ids))
    rows = jobs.order_by().values(
        unit=F("organization_id"),
        person=F("member_id"),
        counted=Greatest("valid_from", "member__full_member_on"),
    )
    return rows.query.sql_with_params()


@dataclass(frozen=True)
class EmployedFull:
    """A unit's full members employed on a day, as the 应建未建 rule explains them: the first
    days on which they began to count (each member's earliest counting job there; ascending,
    at most the ``first`` asked for) and where their 组织关系 sits that day ({place: members};
    a place is "system" — a party organization of the system —, "outside" or "unrecorded")."""

    counted_from: tuple[datetime.date, ...]
    places: dict[str, int]

    def reached(self, n: int) -> datetime.date | None:
        """The day the ``n``-th began to count (None: fewer than ``n`` days here, or n < 1)."""
        return nth(self.counted_from, n)


def nth(days: Sequence[Any], n: int) -> Any:
    """The ``n``-th of ``days`` (from 1), None when there are fewer or n < 1."""
    return days[n - 1] if 0 < n <= len(days) else None


def employed_full(unit_ids: list[int], day: datetime.date, first: int) -> dict[int, EmployedFull]:
    """{unit: ``EmployedFull``} of the units with full members employed on ``day`` (DOMAIN.md
    §3.1: counted by employer, the relation shown alongside). One statement over the units'
    jobs, grouped in the database: a row per job fetched and converted in Python was most of
    the 应建未建 rule's time at 100,000 units."""
    if not unit_ids:
        return {}
    jobs, params = full_employments_sql(day, unit_ids)
    periods = RelationPeriod._meta.db_table
    # One lookup of the member's relation that day (at most one period holds on a day); none:
    # unrecorded.
    place = (
        "COALESCE((SELECT CASE WHEN rp.party_organization_id IS NOT NULL THEN 'system' "  # noqa: S608
        "WHEN rp.external IS NOT NULL THEN 'outside' ELSE 'unrecorded' END "
        f"FROM {periods} rp WHERE rp.member_id = j.person AND rp.valid_from <= %s "
        "AND (rp.valid_to IS NULL OR rp.valid_to >= %s) LIMIT 1), 'unrecorded')"
    )
    days = (
        "group_concat(CASE WHEN n <= %s THEN counted END)"
        if connection.vendor == "sqlite"
        else "string_agg(CASE WHEN n <= %s THEN counted::text END, ',')"
    )
    sql = (
        "WITH j AS (SELECT unit, person, MIN(counted) AS counted "  # noqa: S608
        f"FROM ({jobs}) f GROUP BY unit, person), "
        "r AS (SELECT unit, counted, ROW_NUMBER() OVER (PARTITION BY unit ORDER BY counted) "
        f"AS n, {place} AS place FROM j) "
        f"SELECT unit, place, COUNT(*), {days} FROM r GROUP BY unit, place"
    )
    counted: dict[int, list[datetime.date]] = {}
    places: dict[int, dict[str, int]] = {}
    # PostgreSQL's defaults (pages costed as on spinning disks) hashed the whole member table
    # to check the few thousand units' members, and sorted on disk: probing the members by
    # primary key in memory took 212 ms against 331 ms at 100,000 units (55,000 jobs).
    rows = fetch_all(
        sql, [*params, day, day, first], {"random_page_cost": "1.1", "work_mem": "64MB"}
    )
    for unit, where, members, firsts in rows:
        places.setdefault(unit, {})[where] = members
        days_of = counted.setdefault(unit, [])
        for text in (firsts or "").split(","):
            if text:
                days_of.append(datetime.date.fromisoformat(text))
    return {
        unit: EmployedFull(tuple(sorted(counted[unit])[:first]), places[unit]) for unit in places
    }


def coverage_ended_before(unit_ids: list[int], day: datetime.date) -> dict[int, datetime.date]:
    """{unit: the last day a coverage of it ended before ``day``} (units never uncovered so
    left out). The ids are written into the statement (``in_ids``)."""
    rows = (
        Coverage.objects.filter(in_ids("organization_id", unit_ids), valid_to__lt=day)
        .order_by()
        .values("organization_id")
        .annotate(last=Max("valid_to"))
        .values_list("organization_id", "last")
    )
    return dict(rows) if unit_ids else {}


def full_members(
    *, on: datetime.date, by: str = "employer", units=None, party_orgs=None
) -> QuerySet[PartyMember]:
    """Full members on ``on``, counted the two ways DOMAIN.md §3.1 names:

    - ``by="employer"``: employed on that day by one of ``units`` (all units when None) — the
      "≥ 3 full members" count that obliges a unit to form a branch;
    - ``by="relation"``: holding their 组织关系 on that day (the dated history) in one of
      ``party_orgs`` (any party organization of the system when None).

    A branch's own members, counted as the rulebook says, are ``branch_full_members``.
    """
    if by == "employer":
        jobs = full_employments(on).filter(member=OuterRef("pk"))
        if units is not None:
            jobs = jobs.filter(organization__in=units)
        return PartyMember.objects.filter(Exists(jobs))
    if by == "relation":
        return PartyMember.objects.filter(full_q(on), held_in_q(on, party_orgs))
    raise ValueError(f"full_members(by=...) is 'employer' or 'relation', not {by!r}")


def full_member_count(units, day: datetime.date) -> int:
    """Full members employed by any of ``units`` on ``day`` (each person once)."""
    return full_members(on=day, by="employer", units=units).count()


def full_member_count_q(day: datetime.date, ref: str = "pk"):
    """Subquery per unit: full members it employs on ``day`` (0 when none)."""
    counts = (
        full_employments(day)
        .filter(organization=OuterRef(ref))
        .order_by()
        .values("organization")
        .annotate(n=Count("member_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


# -- the 组织关系 on a day ----------------------------------------------------------------------


def party_orgs_on(federation_ids: Sequence[int], day: datetime.date) -> QuerySet[PartyOrganization]:
    """The party organizations of these federations existing on ``day``, in no order: the rules
    and the kept coverage parts read them into maps, sets and subqueries, and the models'
    order by name sorted 58,000 rows on every such read at 100,000 units."""
    return PartyOrganization.objects.filter(
        valid_on_q(day), federation_id__in=federation_ids
    ).order_by()


def relations_on(day: datetime.date) -> QuerySet[RelationPeriod]:
    """The relation periods in force on ``day`` (at most one per member)."""
    return RelationPeriod.objects.filter(valid_on_q(day))


def relations_on_ref(day_ref: str) -> QuerySet[RelationPeriod]:
    """The relation periods in force on the day the outer query's ``day_ref`` holds (each
    row its own day: a meeting's), for correlated subqueries."""
    return RelationPeriod.objects.filter(
        Q(valid_from__lte=OuterRef(day_ref))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef(day_ref)))
    )


def held_in_q(
    day: datetime.date,
    party_orgs=None,
    ref: str = "pk",
    *,
    few: bool = False,
    where: Q | None = None,
) -> Q:
    """The member at ``ref`` holds their 组织关系 on ``day`` in one of ``party_orgs`` (in any
    party organization of the system when None).

    For named party organizations the members are found from the relations (an IN over the
    relation periods of those organizations, served by their index), not by testing every
    member: a correlated EXISTS made SQLite visit each of a million members to find one
    branch's eighty, seconds per call. ``few``: the query's other conditions already name a
    few members (the flowing ones, those with a standing decision): each is checked on its own
    relation (a correlated EXISTS), so that the database starts from those few rather than
    from a federation's million relations. ``where`` (with ``few``, instead of ``party_orgs``):
    a condition on the relation period naming the party organizations (``party_organization``
    …), such as ``access.scope.dues_branch_q``'s join per grant — no IN over every branch of a
    federation."""
    if where is not None:
        return Q(Exists(relations_on(day).filter(where, member=OuterRef(ref))))
    if party_orgs is not None and few:
        periods = relations_on(day).filter(member=OuterRef(ref), party_organization__in=party_orgs)
        return Q(Exists(periods))
    if party_orgs is not None:
        held = relations_on(day).filter(party_organization__in=party_orgs).values("member")
        return Q(**{f"{ref}__in": held})
    periods = relations_on(day).filter(member=OuterRef(ref), party_organization__isnull=False)
    return Q(Exists(periods))


def relation_on(member: PartyMember, day: datetime.date) -> RelationPeriod | None:
    """Where ``member``'s 组织关系 is held on ``day`` (None: not recorded that day)."""
    return relations_on(day).filter(member=member).select_related("party_organization").first()


def relation_counts(party_orgs, day: datetime.date) -> dict[int, int]:
    """{party org id: full members holding their relation there on ``day``} — one GROUP BY."""
    return dict(
        relations_on(day)
        .filter(full_q(day, "member__"), party_organization__in=party_orgs)
        .order_by()
        .values("party_organization")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("party_organization", "n")
    )


def voting_members(party_org: PartyOrganization, *, on: datetime.date) -> QuerySet[PartyMember]:
    """The branch's voting members (有表决权的党员) on ``on``: full members holding their
    relation in it that day. Probationary members take part but do not vote, and do not count
    toward a general meeting's quorum (more than half of the voting members); a member working
    in a covered unit with the relation elsewhere votes where the relation is. A member whose
    membership is suspended that day (停止党籍, LIFECYCLE O-5) does not vote."""
    return full_members(on=on, by="relation", party_orgs=[party_org]).exclude(suspended_q(on))


# -- a branch's members: by the rulebook's basis -------------------------------------------------

# How a branch's full members are counted (rulebook ``counting.branch_members``, ``count_by``).
# DOMAIN.md §1 and §3.1: the 组织关系 of a social organization's staff is often held
# elsewhere, so the default counts both, each person once.
EMPLOYER_OR_RELATION, RELATION, EMPLOYER = "employer_or_relation", "relation", "employer"
COUNT_BASES = (EMPLOYER_OR_RELATION, RELATION, EMPLOYER)
COUNTING_RULE = "counting.branch_members"


def branch_count_basis(federation=None, day: datetime.date | None = None) -> str:
    """The rulebook's basis for counting a branch's members (for pages and workflows; the
    rules read it from their run's parameters)."""
    return checked_basis(params.value(COUNTING_RULE, "count_by", day=day, federation=federation))


def checked_basis(by: str) -> str:
    if by not in COUNT_BASES:
        raise ValueError(f"count_by is one of {', '.join(COUNT_BASES)}, not {by!r}")
    return by


def covered_units_of(party_orgs, day: datetime.date):
    """The units ``party_orgs`` cover on ``day`` (a values queryset, for ``__in``)."""
    return Coverage.objects.filter(valid_on_q(day), party_organization__in=party_orgs).values(
        "organization"
    )


def branch_full_members(
    party_orgs, *, on: datetime.date, by: str = EMPLOYER_OR_RELATION
) -> QuerySet[PartyMember]:
    """Full members of ``party_orgs`` on ``on``, counted by ``by``: employed that day in a unit
    they cover, holding their 组织关系 in them that day, or either (each person once).

    The members are found from the branch's own rows (its units' jobs, its relation periods:
    one IN over their union, served by their indexes), not by testing every member: a
    correlated EXISTS OR'ed with the relations made the database visit each of a million
    members to count one branch's eighty (3 s on PostgreSQL)."""
    by = checked_basis(by)
    employed = (
        Employment.objects.filter(valid_on_q(on), organization__in=covered_units_of(party_orgs, on))
        .order_by()
        .values("member")
    )
    held = relations_on(on).filter(party_organization__in=party_orgs).order_by().values("member")
    which = {EMPLOYER: employed, RELATION: held, EMPLOYER_OR_RELATION: employed.union(held)}[by]
    return PartyMember.objects.filter(full_q(on), pk__in=which)


# The covering organization of a job from ``_jobs_in_covered_units``.
_COVERING_PO = "organization__coverages__party_organization"


def _jobs_in_covered_units(
    jobs: QuerySet[Employment], party_orgs, day: datetime.date
) -> QuerySet[Employment]:
    """Of ``jobs``, those in a unit one of ``party_orgs`` covers on ``day``, once per covering
    organization (``_COVERING_PO``). One ``filter``: the day and the organization are then
    conditions on the same coverage row (two calls would join the coverages twice)."""
    return jobs.filter(
        valid_on_q(day, "organization__coverages__"),
        **{f"{_COVERING_PO}__in": party_orgs},
    )


def branch_full_counts(
    party_orgs, day: datetime.date, by: str = EMPLOYER_OR_RELATION
) -> dict[int, int]:
    """{party org id: its full members on ``day`` counted by ``by``}, no row per member read:
    by both, one GROUP BY over the union of the (organization, member) pairs of each way —
    the union keeps each person once per organization."""
    by = checked_basis(by)
    if by == RELATION:
        return relation_counts(party_orgs, day)
    employed = _jobs_in_covered_units(full_employments(day), party_orgs, day).order_by()
    if by == EMPLOYER:
        return dict(
            employed.values(_COVERING_PO)
            .annotate(n=Count("member_id", distinct=True))
            .values_list(_COVERING_PO, "n")
        )
    # Counting each way apart and taking out the members counted both ways (a third GROUP BY,
    # testing each held relation against the covered units' jobs) took 4.5 s at 100,000 units
    # on PostgreSQL; the union's one pass over the same rows takes a fraction of it.
    held = relations_on(day).filter(full_q(day, "member__"), party_organization__in=party_orgs)
    held_sql, held_params = (
        held.order_by().values_list("party_organization_id", "member_id").query.sql_with_params()
    )
    employed_sql, employed_params = employed.values_list(
        _COVERING_PO, "member_id"
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.party_organization_id, COUNT(*) FROM ({held_sql} UNION {employed_sql}) p "  # noqa: S608
            "GROUP BY p.party_organization_id",
            [*held_params, *employed_params],
        )
        return dict(cursor.fetchall())


@dataclass(frozen=True)
class ElsewhereRow:
    """A member employed in a unit a party organization covers, whose 组织关系 is not there."""

    party_organization_id: int
    member_id: int
    member_name: str
    is_full: bool
    unit_id: int
    unit_name: str
    relation_party_organization_id: int | None
    relation_name: str  # the party organization's name, the outside holder, or "" (none)


def relation_elsewhere(party_orgs, day: datetime.date) -> list[ElsewhereRow]:
    """Members (full or probationary, in the ledger, not registered as flowing) employed on
    ``day`` in a unit one of ``party_orgs`` covers that day, whose 组织关系 that day is held
    elsewhere or not recorded: to transfer in, or to register as 流动党员. The flowing flag is
    today's (it is undated)."""
    period = relations_on(day).filter(member=OuterRef("member"))
    # Only the jobs in a unit covered by a party organization that does not hold the member's
    # relation reach Python (an anti-join on the relations of the day, one per covering
    # organization): nearly every member's relation is in the branch covering their employer,
    # and reading each of those rows (800,000 at 100,000 units) only to drop it took seconds.
    held_by_coverer = relations_on(day).filter(
        member=OuterRef("member"), party_organization=OuterRef("covering_po")
    )
    jobs = (
        _jobs_in_covered_units(
            Employment.objects.filter(
                valid_on_q(day), member_in_ledger_q(day, "member__"), member__is_flowing=False
            ),
            party_orgs,
            day,
        )
        .annotate(covering_po=F(_COVERING_PO))
        .filter(~Exists(held_by_coverer))
        .annotate(
            relation_po=Subquery(period.values("party_organization")[:1]),
            relation_po_name=Subquery(period.values("party_organization__name")[:1]),
            relation_ext=Subquery(period.values("external")[:1]),
        )
        .order_by("member__name", "member_id")
        .values_list(
            "covering_po",
            "member_id",
            "member__name",
            "member__full_member_on",
            "organization_id",
            "organization__name",
            "relation_po",
            "relation_po_name",
            "relation_ext",
        )
    )
    rows, seen = [], set()
    for po_id, member, name, full_on, unit, unit_name, r_po, r_po_name, r_ext in jobs:
        if (po_id, member) in seen:  # two jobs in units the same organization covers
            continue
        seen.add((po_id, member))
        rows.append(
            ElsewhereRow(
                po_id,
                member,
                name,
                full_on is not None and full_on <= day,
                unit,
                unit_name,
                r_po,
                r_po_name or r_ext or "",
            )
        )
    return rows


def probationary_members(
    party_org: PartyOrganization, *, on: datetime.date
) -> QuerySet[PartyMember]:
    """The branch's probationary members (预备党员) on ``on``: joined by then, not yet full,
    holding their relation in it, still in the ledger. They attend its general meeting and take
    part, without a vote and without counting toward the quorum."""
    return (
        PartyMember.objects.filter(
            member_in_ledger_q(on), held_in_q(on, [party_org]), joined_party_on__lte=on
        )
        .exclude(full_member_on__lte=on)
        .order_by("name", "pk")
    )


def committee_members(party_org: PartyOrganization, *, on: datetime.date) -> QuerySet[PartyMember]:
    """The members of the party organization's committee (支部委员会) on ``on``: those holding a
    post in it that day (书记, 副书记, 委员 …), each once."""
    posts = Position.objects.filter(valid_on_q(on), party_organization=party_org)
    return PartyMember.objects.filter(pk__in=posts.values("member")).order_by("name", "pk")


def hosted_flowing_members(
    party_org: PartyOrganization, *, on: datetime.date
) -> QuerySet[PartyMember]:
    """Flowing members the party organization hosts on ``on``: they take part in its
    organizational life without a vote (LIFECYCLE T-7, O-5); their relation, dues and vote stay
    with their own branch."""
    # From the flowing periods to the members (an IN), not a test of every member: see held_in_q.
    hosted = flowing_on(on).filter(host_party_organization=party_org).values("member")
    return (
        PartyMember.objects.filter(member_in_ledger_q(on), pk__in=hosted)
        .exclude(held_in_q(on, [party_org]))
        .order_by("name", "pk")
    )


def employed_members(units, day: datetime.date) -> QuerySet[PartyMember]:
    """Members (full or probationary) employed by any of ``units`` on ``day`` and still in the
    ledger that day."""
    # From the employments to the members (an IN), not a test of every member: see held_in_q.
    employed = Employment.objects.filter(valid_on_q(day), organization__in=units)
    return PartyMember.objects.filter(pk__in=employed.values("member")).filter(
        member_in_ledger_q(day)
    )


# -- coverage and instructors ------------------------------------------------------------------


def coverages_on(day: datetime.date, ref: str = "pk") -> QuerySet[Coverage]:
    """The coverages on ``day`` of the unit at ``ref`` (a correlated subquery's rows)."""
    return Coverage.objects.filter(valid_on_q(day), organization=OuterRef(ref))


def covered_q(day: datetime.date, ref: str = "pk") -> Exists:
    """The unit at ``ref`` is covered by a party organization on ``day``."""
    return Exists(coverages_on(day, ref))


def covered_units(*, on: datetime.date, units=None) -> QuerySet[Organization]:
    """Units covered by a party organization on ``on`` (of ``units`` when given)."""
    qs = (
        Organization.objects.all()
        if units is None
        else Organization.objects.filter(
            pk__in=[u.pk if isinstance(u, Organization) else u for u in units]
        )
    )
    return qs.filter(covered_q(on))


def with_party_organization(qs: QuerySet[Organization], day: datetime.date | None = None):
    """Annotate ``has_party_org``: covered by a party organization on ``day`` (today)."""
    return qs.annotate(has_party_org=covered_q(day or timezone.localdate()))


def has_instructor(day: datetime.date, ref: str = "pk") -> Exists:
    """The unit at ``ref`` has an instructor assigned on ``day``."""
    return Exists(InstructorAssignment.objects.filter(valid_on_q(day), organization=OuterRef(ref)))
