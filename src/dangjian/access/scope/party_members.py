"""The party members a user may see: their ledger records, and the roster's way to list them."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone

from dangjian.access.models import Action, RoleAssignment
from dangjian.access.scope.grants import (
    AnyUser,
    Role,
    _few_units,
    assignments,
    combine,
    personal_assignments,
    subtree_ids,
)
from dangjian.access.scope.units import _org_q, _unit_ids
from dangjian.core.sql import in_ids
from dangjian.party.models import Employment, PartyMember, PartyOrganization
from dangjian.party.queries import member_in_ledger_q, relations_on


def own_member_ids(user: AnyUser, action: str = Action.VIEW) -> set[int]:
    """The ledger records the user *is* (through a party member's sign-in)."""
    return {
        cast(int, g.member_id)  # the role needs it (RoleAssignment.clean)
        for g in assignments(user, action)
        if g.role == Role.PARTY_MEMBER and g.member_id is not None
    }


def member_branches(user: AnyUser, action: str = Action.VIEW) -> QuerySet[PartyOrganization]:
    """The party organizations where the user, signed in as a party member, holds their 组织关系
    today (and is still in the ledger). Their meetings are the member's to see; the branch
    itself is only a name to them (it is not in ``party_organizations``: its page, units and
    findings are the secretary's)."""
    own = own_member_ids(user, action)
    if not own:
        return PartyOrganization.objects.none()
    today = timezone.localdate()
    # The dated relation (RelationPeriod), not the member's cached current one: a transfer
    # recorded ahead of its day moves the member's meetings on that day, not before.
    held = relations_on(today).filter(
        member__in=PartyMember.objects.filter(member_in_ledger_q(today), pk__in=own),
        party_organization__isnull=False,
    )
    return PartyOrganization.objects.filter(pk__in=held.values("party_organization"))


def _held_in_q(grant: RoleAssignment) -> Q | None:
    """The members a grant reaches by where they hold their 组织关系 (the party member's
    cached current relation), or None: a secretary's own branch, a federation officer's
    federations' party organizations."""
    if grant.role == Role.BRANCH_SECRETARY:
        return Q(relation_party_organization_id=grant.party_organization_id)
    if grant.role == Role.FEDERATION_OFFICER:
        return Q(relation_party_organization__federation_id__in=subtree_ids(grant))
    return None


def members(user: AnyUser, action: str = Action.VIEW) -> QuerySet[PartyMember]:
    """Party members: personal data, so authority viewers and reviewers never see any. A party
    member signed in sees their own record only (the names of the others of their branch reach
    them through the meetings' attendance, never as records). The others see the members whose
    relation is held in their party organizations (``_held_in_q``) and those who have (had) a
    job in a unit in their scope."""
    grants = personal_assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return PartyMember.objects.all()
    qs = []
    for g in grants:
        if g.role == Role.PARTY_MEMBER:
            qs.append(Q(pk=g.member_id))
            continue
        # First: most of a federation's or a branch's members are held in its party
        # organizations, and the databases stop at the first true arm of an OR.
        held = _held_in_q(g)
        if held is not None:
            qs.append(held)
        # A job in scope, checked member by member: a scalar subquery (its first job's key,
        # or NULL), which PostgreSQL evaluates per row. Written as an EXISTS inside this OR,
        # PostgreSQL 15 chose its hashed form and hashed every employment of the system
        # (a million, 2 s) before the roster's first row, which walks (name, id) and stops
        # after a page; SQLite checks either form row by row.
        job = Employment.objects.filter(
            _org_q(g, "organization_id", "organization__"), member=OuterRef("pk")
        )
        qs.append(Q(IsNull(Subquery(job.values("pk")[:1]), False)))
    return PartyMember.objects.filter(combine(qs))


# A list of members (the roster) walks the (name, id) index and keeps each row in scope
# (``members``): for a province's officer nearly every row is theirs and a page reads a few
# dozen; for a branch secretary, a unit's liaison, an instructor or a small federation's officer
# almost none is, and the walk read the whole ledger before its first page (3–17 s at 10^6
# members on PostgreSQL). Up to this many members in scope, the list starts from them instead.
# (Naming more was tried for a city's federation, 20,000 members: fetching them by id cost as
# much as walking the names with its units as a set, 80–170 ms either way on PostgreSQL.)
FEW_MEMBERS = 5000


def members_to_list(
    user: AnyUser, action: str = Action.VIEW, *, among: Q | None = None
) -> QuerySet[PartyMember]:
    """``members``, for a list that pages through them in its own order: the same members,
    but when the scope holds at most ``FEW_MEMBERS`` of them, named by their ids (read from
    the scope's own indexes: its party organizations' members, its units' employments), so
    that the database sorts those few instead of walking every member to find them. Each
    source is read with a bound, so a large scope costs a few bounded reads before the walk.

    ``among``: the list shows only the members matching it (and filters them so itself), so
    only those are read and counted against the bound — the duplicates page's few entries
    flagged as sharing their ID number, of a city's 20,000 members (whose walk checked every
    flagged entry of the ledger against the scope: 0.1–0.3 s)."""
    grants = personal_assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return PartyMember.objects.all()
    if among is not None and not all(_few_units(g) for g in grants):
        # A province's: its sources overflow the bound at once when read whole, but finding
        # the first few thousand that match ``among`` is a search of its own (0.1 s on SQLite).
        among = None
    ids: set[int] = set()
    sources: list[QuerySet[Any]] = []
    for g in grants:
        if g.role == Role.PARTY_MEMBER:
            if g.member_id is not None:  # the role needs it (RoleAssignment.clean)
                ids.add(g.member_id)
            continue
        held = _held_in_q(g)
        if held is not None:
            sources.append(
                PartyMember.objects.filter(held, among or Q()).values_list("pk", flat=True)
            )
        if g.role == Role.FEDERATION_OFFICER and _few_units(g):
            # A city's few thousand units, named: given as their subquery, PostgreSQL read
            # every job of the system to find theirs (40 ms at 10^6 members).
            units = _unit_ids(g).order_by().values_list("organization_id", flat=True)
            jobs = Employment.objects.filter(in_ids("organization_id", units))
        else:
            jobs = Employment.objects.filter(organization_id__in=_unit_ids(g))
        if among is not None:
            jobs = jobs.filter(member__in=PartyMember.objects.filter(among).values("pk"))
        sources.append(jobs.values_list("member_id", flat=True))
    for source in sources:
        found = list(source.order_by()[: FEW_MEMBERS + 1])
        ids.update(found)
        if len(found) > FEW_MEMBERS or len(ids) > FEW_MEMBERS:
            return members(user, action)
    return PartyMember.objects.filter(in_ids("pk", sorted(ids)))
