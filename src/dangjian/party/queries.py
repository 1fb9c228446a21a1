"""The one definition of each party-ledger concept that several apps read.

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
- the term in force on a day (the election history): ``term_in_force`` /
  ``with_term_in_force``;
- covered on a day: ``covered_q`` / ``covered_units`` / ``with_party_organization``;
- an instructor on a day: ``has_instructor``;
- a branch's voting members on a day: ``voting_members``; its probationary members
  (``probationary_members``) and its committee (``committee_members``);
- the four standards (四有): ``four_standards`` (and its set form for the rule:
  ``approval_missing_q``, ``secretary_missing_q``, ``notice_missing_q``,
  ``coverage_missing_q``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import valid_on_q
from dangjian.core.sql import fetch_all, in_ids
from dangjian.party.models import (
    Coverage,
    Election,
    Employment,
    FlowingPeriod,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
    RelationPeriod,
    StandingDecision,
    TermExtension,
)
from dangjian.registry.models import Federation, Membership, Organization
from dangjian.rulebook import loader as rulebook
from dangjian.rulebook import params
from dangjian.rulebook.periods import add_months, add_years, latest_start_overdue

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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
    """The party organizations of these federations existing on ``day``."""
    return PartyOrganization.objects.filter(valid_on_q(day), federation_id__in=federation_ids)


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


# -- terms: the election history ------------------------------------------------------------------


def default_term_years(kind: str, federation=None, day: datetime.date | None = None) -> int:
    """The rulebook's term length for a kind: 5 years for a 基层党委, 3 for the others
    (关于党的基层组织任期的意见, 2018), with the federation's override."""
    name = (
        "committee_term_years" if kind == PartyOrganization.Kind.COMMITTEE else "branch_term_years"
    )
    return params.value("terms.overdue", name, day=day, federation=federation)


def max_extension_years(federation=None, day: datetime.date | None = None) -> int:
    """How far past its end the higher organization may extend a term (一般不超过1年)."""
    return params.value("terms.overdue", "max_extension_years", day=day, federation=federation)


# A term length: one for all, or each federation's (the rulebook lets a federation override it).
Years = int | Mapping[int, int]


def _years_by_kind(committee_years: Years, branch_years: Years, prefix: str = "") -> Case:
    """The rulebook's term length for a party organization's kind (and federation), as a CASE
    over its fields through the lookup ``prefix`` ("" on PartyOrganization itself)."""
    COMMITTEE = PartyOrganization.Kind.COMMITTEE
    kind, federation = f"{prefix}kind", f"{prefix}federation_id"
    if isinstance(committee_years, int) and isinstance(branch_years, int):
        return Case(
            When(**{kind: COMMITTEE}, then=Value(committee_years)),
            default=Value(branch_years),
            output_field=IntegerField(),
        )
    assert not isinstance(committee_years, int) and not isinstance(branch_years, int)
    whens = []
    for federation_id, years in committee_years.items():
        whens.append(When(**{federation: federation_id, kind: COMMITTEE}, then=Value(years)))
    for federation_id, years in branch_years.items():
        whens.append(When(**{federation: federation_id}, then=Value(years)))
    return Case(*whens, default=Value(None), output_field=IntegerField())


def with_term_in_force(
    qs: QuerySet[PartyOrganization],
    day: datetime.date,
    *,
    committee_years: Years | None = None,
    branch_years: Years | None = None,
) -> QuerySet[PartyOrganization]:
    """Annotate each party organization with its term in force on ``day``:

    - ``term_election`` / ``term_election_kind``: the last founding or general election held
      on or before the day (a by-election starts no term);
    - ``term_started_on`` / ``term_years``: that election's day and term length. With no
      election recorded and the lengths given, the first term is counted from the founding
      with the rulebook's length for the kind (the founding meeting elects the first
      committee); without the lengths, both stay empty. A length is one number, or a
      mapping of federation id to its number (``terms_to_renew``'s groups);
    - ``extended_until``: the latest end of an extension of that term approved on or before
      the day (empty when none: an extension is never automatic).
    """
    elected = Election.objects.filter(
        party_organization=OuterRef("pk"), kind__in=Election.TERM_KINDS, held_on__lte=day
    ).order_by("-held_on", "-pk")  # two the same day: the one recorded last (terms_in_force)
    qs = qs.annotate(
        term_election=Subquery(elected.values("pk")[:1]),
        elected_on=Subquery(elected.values("held_on")[:1], output_field=DateField()),
        term_election_kind=Subquery(elected.values("kind")[:1]),
        elected_years=Subquery(elected.values("term_years")[:1], output_field=IntegerField()),
    )
    if committee_years is None or branch_years is None:
        qs = qs.annotate(term_started_on=F("elected_on"), term_years=F("elected_years"))
    else:
        by_kind = _years_by_kind(committee_years, branch_years)
        qs = qs.annotate(
            term_started_on=Coalesce("elected_on", "valid_from", output_field=DateField()),
            term_years=Coalesce("elected_years", by_kind, output_field=IntegerField()),
        )
    extended = (
        TermExtension.objects.filter(election=OuterRef("term_election"), approved_on__lte=day)
        .order_by("-extended_until")
        .values("extended_until")[:1]
    )
    return qs.annotate(extended_until=Subquery(extended, output_field=DateField()))


@dataclass(frozen=True)
class Term:
    """A party organization's term in force on a day."""

    started_on: datetime.date
    years: int
    election_id: int | None  # None: no election recorded, counted from the founding
    extended_until: datetime.date | None  # an approved extension's end, in force by the day

    @property
    def ends_on(self) -> datetime.date:
        return add_years(self.started_on, self.years)

    @property
    def deadline(self) -> datetime.date:
        """The last day the term may run: its end, or the approved extension's."""
        return self.extended_until or self.ends_on

    def overdue_on(self, day: datetime.date) -> bool:
        return day > self.deadline


def term_in_force(party_org: PartyOrganization, day: datetime.date) -> Term | None:
    """The term of ``party_org`` in force on ``day`` (None before its founding)."""
    if day < party_org.valid_from:
        return None
    years = default_term_years(party_org.kind, party_org.federation, day)
    row = (
        with_term_in_force(  # annotates the term's fields (django-stubs cannot see them)
            PartyOrganization.objects.filter(pk=party_org.pk),
            day,
            # The length the 换届 rule applies that day to the organization's kind (one
            # lookup: the organization has one kind).
            committee_years=years,
            branch_years=years,
        )
        .values("term_started_on", "term_years", "term_election", "extended_until")  # type: ignore[misc]
        .get()
    )
    return Term(
        row["term_started_on"], row["term_years"], row["term_election"], row["extended_until"]
    )


@dataclass(frozen=True)
class TermReminder:
    """How near the end of the term in force is: ``months`` is the nearest of the rulebook's
    reminders reached (6, then 3 months before the deadline), None once overdue."""

    term: Term
    deadline: datetime.date
    months: int | None
    overdue: bool


def term_reminder(
    party_org: PartyOrganization, day: datetime.date, term: Term | None = None
) -> TermReminder | None:
    """The reminder due on ``day`` for the term of ``party_org`` (terms.overdue's
    ``reminder_months``), or None while the term's end is further off than every reminder.
    ``term``: the term in force that day, when the caller has read it already."""
    term = term or term_in_force(party_org, day)
    if term is None:
        return None
    deadline = term.deadline
    if term.overdue_on(day):
        return TermReminder(term, deadline, None, True)
    months = params.value(
        "terms.overdue", "reminder_months", day=day, federation=party_org.federation
    )
    reached = [int(m) for m in months if add_months(deadline, -int(m)) <= day]
    if not reached:
        return None
    return TermReminder(term, deadline, min(reached), False)


def last_deadline_reminded(day: datetime.date, months: int) -> datetime.date:
    """The latest term deadline whose reminder ``months`` before it is reached by ``day``
    (``term_reminder``'s test, add_months(deadline, -months) <= day, solved for the deadline
    so a list can ask it in SQL). add_months clips the day to the month's end, so the answer
    is add_months(day, months) or up to three days later (31 August, 6 months before: 28
    February)."""
    guess = add_months(day, months)
    return max(
        guess + datetime.timedelta(days=d)
        for d in range(4)
        if add_months(guess + datetime.timedelta(days=d), -months) <= day
    )


@dataclass(frozen=True)
class TermGroup:
    """Federations that share the term parameters on a day: the lengths, and the latest
    deadline reminded by the day (``last_deadline_reminded`` for the furthest reminder).
    ``federation_ids`` None: every federation (no override anywhere)."""

    committee_years: int
    branch_years: int
    limit: datetime.date
    federation_ids: list[int] | None

    def q(self, field: str = "federation_id") -> Q:
        return Q() if self.federation_ids is None else Q(**{f"{field}__in": self.federation_ids})


def term_groups(day: datetime.date) -> list[TermGroup]:
    """The federations grouped by their term parameters on ``day`` (one query for the
    overrides, as the rules engine groups them): a condition per group, not per federation
    — and no federation named at all when none overrides them."""
    book = rulebook.load()
    revision = book.revision_on("terms.overdue", day) or book.revisions["terms.overdue"][0]
    groups = rulebook.parameter_groups(revision, Federation.objects.only("pk", "path"), day)
    # No federation yet: the rulebook's own values.
    groups = groups or [(revision.parameters, [])]
    return [
        TermGroup(
            committee_years=int(values["committee_term_years"]),
            branch_years=int(values["branch_term_years"]),
            limit=last_deadline_reminded(day, max(int(m) for m in values["reminder_months"])),
            federation_ids=None if len(groups) == 1 else ids,
        )
        for values, ids in groups
    ]


def _lengths(groups: list[TermGroup]) -> tuple[Years, Years]:
    """The groups' lengths as ``with_term_in_force`` takes them: one number each when every
    federation shares them, else per federation id."""
    if len(groups) == 1 and groups[0].federation_ids is None:
        return groups[0].committee_years, groups[0].branch_years
    committee = {pk: g.committee_years for g in groups for pk in g.federation_ids or []}
    branch = {pk: g.branch_years for g in groups for pk in g.federation_ids or []}
    return committee, branch


def terms_to_renew(
    qs: QuerySet[PartyOrganization], day: datetime.date
) -> QuerySet[PartyOrganization]:
    """The party organizations of ``qs`` whose term in force has reached a reminder on
    ``day`` (``term_reminder`` is not None: the deadline is within the rulebook's furthest
    reminder, 6 months, or past) and that exist on ``day``, annotated as
    ``with_term_in_force`` with the lengths of each one's federation. Compared in SQL per
    group of federations sharing the parameters, as the rule ``terms.overdue`` does (no date
    arithmetic in SQL)."""
    groups = term_groups(day)
    if kept_deadlines_hold(day):
        reached = qs.filter(valid_on_q(day), kept_deadline_reached_q(groups))
    else:
        reached = reached_from_elections(qs, day, groups)
    committee, branch = _lengths(groups)
    return with_term_in_force(reached, day, committee_years=committee, branch_years=branch)


def kept_deadlines_hold(day: datetime.date) -> bool:
    """Whether ``PartyOrganization.term_deadline`` (the latest term recorded) is each one's
    term in force on ``day``: so unless a term election is dated after the day or an
    extension approved after it (an as-of view into the past). Two indexed probes."""
    return not (
        Election.objects.filter(held_on__gt=day, kind__in=Election.TERM_KINDS).exists()
        or TermExtension.objects.filter(approved_on__gt=day).exists()
    )


def kept_deadline_reached_q(groups: list[TermGroup]) -> Q:
    """The kept deadline within the furthest reminder (or past); never elected, the first
    term counted from the founding with the length for its kind."""
    K = PartyOrganization.Kind
    reached = Q(pk__in=[])
    for group in groups:
        after = group.limit + datetime.timedelta(days=1)
        reached |= group.q() & (
            Q(term_deadline__lte=group.limit)
            | Q(
                term_deadline__isnull=True,
                kind=K.COMMITTEE,
                valid_from__lte=latest_start_overdue(after, group.committee_years, 0),
            )
            | (
                Q(term_deadline__isnull=True)
                & ~Q(kind=K.COMMITTEE)
                & Q(valid_from__lte=latest_start_overdue(after, group.branch_years, 0))
            )
        )
    return reached


def reached_from_elections(
    qs: QuerySet[PartyOrganization], day: datetime.date, groups: list[TermGroup]
) -> QuerySet[PartyOrganization]:
    """``terms_to_renew``'s filter read from the elections themselves, for a day before the
    latest recorded (the kept deadlines do not hold for it)."""
    committee, branch = _lengths(groups)
    lengths = {g.committee_years for g in groups} | {g.branch_years for g in groups}
    for years in (
        Election.objects.filter(term_years__isnull=False)
        .order_by()
        .values_list("term_years", flat=True)
        .distinct()
    ):
        lengths.add(int(years or 0))
    # Decided without annotating every organization: the term election in force (one
    # anti-join over the elections, ``terms_in_force``) and the founding of those never
    # elected, compared per group of federations and term length. The annotations
    # ``with_term_in_force`` adds afterwards are for the rows shown (and left out of a count):
    # computed per organization by five correlated subqueries, they cost 2 s at 58,000 party
    # organizations when the filter itself read them.
    elections = terms_in_force(day).annotate(
        years=Coalesce(
            "term_years",
            _years_by_kind(committee, branch, "party_organization__"),
            output_field=IntegerField(),
        )
    )
    # Approved extensions are few: read once (the latest end of each election's by the day),
    # so that no election row is tested for one in SQL.
    extended: dict[int, tuple[datetime.date, int]] = {}
    for election_id, until, federation_id in TermExtension.objects.filter(
        approved_on__lte=day
    ).values_list("election_id", "extended_until", "election__party_organization__federation_id"):
        if election_id not in extended or until > extended[election_id][0]:
            extended[election_id] = (until, federation_id)
    ends, by_extension = Q(pk__in=[]), []
    by_founding = Q(pk__in=[])
    for group in groups:
        # A term ends on add_years(start, years): on or before ``limit`` when it ends before
        # the day after. An approved extension's end replaces it.
        for years in lengths:
            latest = latest_start_overdue(group.limit + datetime.timedelta(days=1), years, 0)
            ends |= group.q("party_organization__federation_id") & Q(
                years=years, held_on__lte=latest
            )
            by_founding |= group.q() & Q(founding_years=years, valid_from__lte=latest)
        by_extension += [
            pk
            for pk, (until, federation_id) in extended.items()
            if (group.federation_ids is None or federation_id in group.federation_ids)
            and until <= group.limit
        ]
    by_election = (ends & ~Q(pk__in=list(extended))) | Q(pk__in=by_extension)
    never_elected = ~Q(
        Exists(
            Election.objects.filter(
                party_organization=OuterRef("pk"), kind__in=Election.TERM_KINDS, held_on__lte=day
            )
        )
    )
    return qs.annotate(founding_years=_years_by_kind(committee, branch)).filter(
        valid_on_q(day),
        Q(pk__in=elections.filter(by_election).values("party_organization_id"))
        | (never_elected & by_founding),
    )


def terms_in_force(day: datetime.date) -> QuerySet[Election]:
    """The election whose term is in force on ``day`` for each party organization that has
    one: its last founding or general election held by then (two on the same day: the one
    recorded last), found by one anti-join rather than a subquery per organization."""
    term = Q(kind__in=Election.TERM_KINDS, held_on__lte=day)
    later = Election.objects.filter(term, party_organization=OuterRef("party_organization")).filter(
        Q(held_on__gt=OuterRef("held_on")) | Q(held_on=OuterRef("held_on"), pk__gt=OuterRef("pk"))
    )
    return Election.objects.filter(term).exclude(Exists(later))


# -- the four standards (四有) -------------------------------------------------------------------


@dataclass
class Standard:
    code: str
    label: StrOrPromise  # one of STANDARD_LABELS, translated when shown
    met: bool
    detail: str


STANDARD_LABELS = {
    "approval": _("Approval document"),
    "secretary": _("Secretary"),
    "instructor": _("Instructor's dispatch notice"),
    "coverage": _("Itemised coverage"),
}


def document_on_record(number: str, date: datetime.date | None) -> bool:
    """A document (批文, 派遣通知) is on record when both its number (文号) and its date are."""
    return bool(number) and date is not None


def approval_missing_q(prefix: str = "") -> Q:
    """Party organizations whose approval document (有批文) is not on record."""
    return Q(**{f"{prefix}approval_doc_no": ""}) | Q(**{f"{prefix}approval_date__isnull": True})


def notices(day: datetime.date) -> QuerySet[InstructorAssignment]:
    """Dispatch notices on record by ``day``: assignments begun by then with number and date.
    An assignment that ended later (the instructor left once the branch stood) still counts:
    the standard is that the dispatch was notified, not that the instructor stays."""
    return InstructorAssignment.objects.filter(
        valid_from__lte=day, notice_date__isnull=False
    ).exclude(notice_no="")


def notice_missing_q(day: datetime.date) -> Q:
    """Instructor-driven party organizations with no dispatch notice on record by ``day`` for
    any unit they cover."""
    with_notice = Coverage.objects.filter(
        organization__in=notices(day).values("organization")
    ).values("party_organization")
    return Q(formation_mode=PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN) & ~Q(
        pk__in=with_notice
    )


def secretary_missing_q(day: datetime.date) -> Q:
    """Party organizations with no secretary holding the post on ``day`` (有书记 not met)."""
    return ~Q(
        Exists(
            Position.objects.filter(
                valid_on_q(day), party_organization=OuterRef("pk"), role=Position.Role.SECRETARY
            )
        )
    )


def coverage_missing_q(day: datetime.date) -> Q:
    """Party organizations that cover no unit on ``day`` and stand over no party organization
    of their own (覆盖情况有明细 not met)."""
    return ~Q(pk__in=Coverage.objects.filter(valid_on_q(day)).values("party_organization")) & ~Q(
        pk__in=PartyOrganization.objects.filter(valid_on_q(day), parent__isnull=False).values(
            "parent"
        )
    )


def four_standards(party_org: PartyOrganization, *, on: datetime.date) -> list[Standard]:
    """The four standards (四有) of a party organization on ``on``, DOMAIN.md §2.3:

    1. 有批文 — the approval document's number **and** date are on record. The rule used to
       read the number only and the formation workflow asked for number, date and file; a 批文
       is cited by number and date (and the date is what shows the approval preceded the
       establishment), so both are required. The uploaded file is the formation workflow's
       archive requirement on top, not part of the standard (imported organizations have none).
    2. 有书记 — a secretary holds the post on the day.
    3. 派遣党建指导员有通知 — only where the mode is instructor-driven: a *dispatch* notice
       (the assignment's number and date, ``InstructorAssignment``), not the instructor's
       appointment notice (``Instructor.notice_no``, which the workflow used to read): the
       standard is about sending the instructor to these units.
    4. 覆盖情况有明细 — a branch covers at least one unit on the day (a party committee or
       general branch may instead stand over branches of its own).

    The rule (``standards.incomplete``) asks the same of every party organization at once with
    the set forms ``approval_missing_q``, ``secretary_missing_q``, ``notice_missing_q`` and
    ``coverage_missing_q``; a standard changed here is changed there too.
    """
    result = []
    ok = document_on_record(party_org.approval_doc_no, party_org.approval_date)
    result.append(
        Standard(
            "approval",
            STANDARD_LABELS["approval"],
            ok,
            f"{party_org.approval_doc_no}（{party_org.approval_date:%Y-%m-%d}）" if ok else "",
        )
    )
    secretary = (
        Position.objects.filter(
            valid_on_q(on), party_organization=party_org, role=Position.Role.SECRETARY
        )
        .select_related("member")
        .first()
    )
    result.append(
        Standard(
            "secretary",
            STANDARD_LABELS["secretary"],
            secretary is not None,
            secretary.member.name if secretary else "",
        )
    )
    if party_org.formation_mode != PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN:
        result.append(Standard("instructor", STANDARD_LABELS["instructor"], True, ""))
    else:
        notice = (
            notices(on)
            .filter(organization__in=party_org.coverages.values("organization"))
            .order_by("valid_from")
            .first()
        )
        result.append(
            Standard(
                "instructor",
                STANDARD_LABELS["instructor"],
                notice is not None,
                notice.notice_no if notice else "",
            )
        )
    units = list(
        Organization.objects.filter(
            pk__in=party_org.coverages.filter(valid_on_q(on)).values("organization")
        ).values_list("name", flat=True)
    )
    stands_over_branches = PartyOrganization.objects.filter(
        valid_on_q(on), parent=party_org
    ).exists()
    result.append(
        Standard(
            "coverage",
            STANDARD_LABELS["coverage"],
            bool(units) or stands_over_branches,
            "、".join(units),
        )
    )
    return result


# -- standing, flowing and lost contact (LIFECYCLE M-5, T-7, T-8) --------------------------------

NORMAL, LOST, SUSPENDED, REMOVED = "normal", "lost_contact", "suspended", "removed"
# The standing each decision leaves the member in.
STANDING_AFTER: dict[str, str] = {
    StandingDecision.Kind.LOST_CONTACT: LOST,
    StandingDecision.Kind.CONTACT_RESTORED: NORMAL,
    StandingDecision.Kind.SUSPENDED: SUSPENDED,
    StandingDecision.Kind.RESTORED: NORMAL,
    StandingDecision.Kind.REMOVED: REMOVED,
}
STANDING_LABELS = {
    NORMAL: _("normal"),
    LOST: _("lost contact"),
    SUSPENDED: _("party membership suspended"),
    REMOVED: _("removed from the party"),
}


def last_decision(member: PartyMember, day: datetime.date) -> StandingDecision | None:
    """The member's latest standing decision taken on or before ``day``."""
    return (
        StandingDecision.objects.filter(member=member, decided_on__lte=day)
        .order_by("-decided_on", "-id")
        .first()
    )


def standing_on(member: PartyMember, day: datetime.date) -> str:
    """The member's standing on ``day``: what their latest decision by then left it (normal
    when none was recorded)."""
    decision = last_decision(member, day)
    return STANDING_AFTER[decision.kind] if decision else NORMAL


def standing_q(day: datetime.date, kinds, ref: str = "pk") -> Q:
    """The member at ``ref``'s latest decision on or before ``day`` is one of ``kinds``.

    The first condition (a decision of those kinds by that day, an IN over the few members who
    have one) is implied by the second; it lets the database skip the latest-decision subquery
    for the members without any, filtered or excluded: counting a federation's members declared
    lost contact tested each of a million members' latest decision (12 s on PostgreSQL)."""
    decided = StandingDecision.objects.filter(kind__in=kinds, decided_on__lte=day).values("member")
    return Q(**{f"{ref}__in": decided}) & Q(
        Exists(
            StandingDecision.objects.filter(
                pk=Subquery(
                    StandingDecision.objects.filter(
                        member=OuterRef(OuterRef(ref)), decided_on__lte=day
                    )
                    .order_by("-decided_on", "-id")
                    .values("pk")[:1]
                ),
                kind__in=kinds,
            )
        )
    )


def suspended_q(day: datetime.date, ref: str = "pk") -> Q:
    """Membership suspended (停止党籍) on ``day``: no vote, no quorum count (LIFECYCLE O-5)."""
    return standing_q(day, [StandingDecision.Kind.SUSPENDED], ref)


def lost_q(day: datetime.date, ref: str = "pk") -> Q:
    """Declared lost contact, or suspended after it, on ``day``."""
    return standing_q(
        day, [StandingDecision.Kind.LOST_CONTACT, StandingDecision.Kind.SUSPENDED], ref
    )


def flowing_on(day: datetime.date) -> QuerySet[FlowingPeriod]:
    """The flowing periods in force on ``day`` (a member is flowing in one at a time)."""
    return FlowingPeriod.objects.filter(valid_on_q(day))


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


def flowing_months(federation=None, day: datetime.date | None = None) -> int:
    """Months away after which a member who has not transferred is registered as flowing."""
    return int(
        params.value("members.lost_contact", "flowing_months", day=day, federation=federation)
    )
