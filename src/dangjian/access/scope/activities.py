"""Organizational life in scope: meetings and their attendance, dues branches, instructors."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from dangjian.access.models import Action, RoleAssignment
from dangjian.access.scope.grants import (
    AnyUser,
    Role,
    _once_per_grant,
    assignments,
    combine,
    personal_assignments,
    subtree_ids,
)
from dangjian.access.scope.party_members import member_branches, own_member_ids
from dangjian.access.scope.units import _org_q, _party_organizations_of, federations
from dangjian.core.sql import at_most
from dangjian.orglife.models import Attendance, Meeting
from dangjian.party.models import Instructor, InstructorAssignment, PartyOrganization

# Organizational life is the party organization's own record: its secretary (and the
# federation's officers) plan and record meetings; a unit's liaison or an instructor reads them.
MEETING_WRITERS = frozenset({Role.ADMIN, Role.FEDERATION_OFFICER, Role.BRANCH_SECRETARY})


def meeting_party_organizations(user: AnyUser) -> QuerySet[PartyOrganization]:
    """The party organizations whose meetings the user may plan and record."""
    return _party_organizations_of(
        [g for g in assignments(user, Action.EDIT) if g.role in MEETING_WRITERS]
    )


def dues_branches(user: AnyUser, action: str = Action.VIEW) -> QuerySet[PartyOrganization]:
    """The party organizations whose members' dues the user keeps: a secretary their own
    organization's (not the ones below it: their members are not the secretary's to see), a
    federation officer every one of the federation's. The dues of a member name a person and
    what they paid: a unit's liaison, an instructor or a reports-only role keeps none."""
    return PartyOrganization.objects.filter(dues_branch_q(user, action))


def dues_branch_q(user: AnyUser, action: str = Action.VIEW, field: str = "") -> Q:
    """``dues_branches`` as a condition on the rows whose foreign key ``field`` names the
    party organization ("" on PartyOrganization itself): a join per grant, not an IN over
    every branch of the federation."""
    ref, rel = (f"{field}_id", f"{field}__") if field else ("pk", "")
    qs = []
    for g in assignments(user, action):
        if g.role == Role.ADMIN:
            return Q(**{f"{ref}__isnull": False}) if field else Q()
        if g.role == Role.FEDERATION_OFFICER:
            qs.append(Q(**{f"{rel}federation_id__in": subtree_ids(g)}))
        elif g.role == Role.BRANCH_SECRETARY:
            qs.append(Q(**{ref: g.party_organization_id}))
    return combine(qs)


# A federation whose branches hold at most this many meetings has its meetings listed through
# its branches (read and sorted), not found by walking every meeting of the system.
FEW_MEETINGS = 20000


def _few_meetings(grant: RoleAssignment) -> bool:
    """A federation officer's branches hold at most ``FEW_MEETINGS`` meetings (a bounded
    count, read once per grant and request)."""
    branches = PartyOrganization.objects.filter(federation_id__in=subtree_ids(grant))
    held = Meeting.objects.filter(party_organization__in=branches.values("pk"))
    return _once_per_grant(grant, "_dangjian_few_meetings", lambda: at_most(held, FEW_MEETINGS))


def meetings(
    user: AnyUser, action: str = Action.VIEW, *, personal: bool = False
) -> QuerySet[Meeting]:
    """Meetings of the party organizations in scope, and (to read) those of a signed-in party
    member's own branch. ``personal``: only where the user may see who took part (roles that
    never see personal data see a branch's meetings but not its people)."""
    grants = personal_assignments(user, action) if personal else assignments(user, action)
    if action == Action.EDIT:
        grants = [g for g in grants if g.role in MEETING_WRITERS]
    # A province's officer's meetings are named by a join to their branch's federation, not
    # an IN over the federation's branches: the meeting list then walks every meeting newest
    # first (its index on the day) and stops after a page, where SQLite drove the IN through
    # each of a hundred thousand branches' meetings and sorted millions (13 s). But the officer
    # of a federation with few meetings (a city's, a new one's) would walk them all to find
    # a page (20 s on SQLite at 7.8 million meetings): their branches' meetings, counted with
    # a bound, are few enough to be read through the IN and sorted. The other grants name a
    # few branches: an IN over them, each branch's meetings by its index.
    if any(g.role == Role.ADMIN for g in grants):
        return Meeting.objects.all()  # every meeting belongs to a party organization
    officers = [g for g in grants if g.role == Role.FEDERATION_OFFICER and not _few_meetings(g)]
    others = [g for g in grants if g not in officers]
    conditions: list[Q] = [
        Q(
            Exists(
                PartyOrganization.objects.filter(
                    pk=OuterRef("party_organization_id"), federation_id__in=subtree_ids(g)
                )
            )
        )
        for g in officers
    ]
    if others or not officers:
        conditions.append(Q(party_organization__in=_party_organizations_of(others).values("pk")))
    q = combine(conditions)
    if action == Action.VIEW and own_member_ids(user, action):
        q |= Q(party_organization__in=member_branches(user, action).values("pk"))
    return Meeting.objects.filter(q)


def attendance(user: AnyUser, action: str = Action.VIEW) -> QuerySet[Attendance]:
    """Who attended: every row of the meetings whose people the user may see; a party member
    signed in sees their own rows and the names of those present at their branch's meetings
    (a sign-in sheet), not who was absent or why."""
    own = own_member_ids(user, action)
    others = [g for g in personal_assignments(user, action) if g.role != Role.PARTY_MEMBER]
    q = Q(meeting__party_organization__in=_party_organizations_of(others).values("pk"))
    if own:
        q |= Q(member_id__in=own)
        if action == Action.VIEW:
            q |= Q(
                meeting__party_organization__in=member_branches(user, action).values("pk"),
                status=Attendance.Status.PRESENT,
            )
    return Attendance.objects.filter(q)


def own_instructor_ids(user: AnyUser, action: str = Action.VIEW) -> set[int]:
    """The instructor records the user *is* (through an instructor role)."""
    return {
        g.instructor_id
        for g in assignments(user, action)
        if g.role == Role.INSTRUCTOR and g.instructor_id is not None
    }


def instructors(user: AnyUser, action: str = Action.VIEW) -> QuerySet[Instructor]:
    """Instructors: seen by the federation that appointed them (their dossier's), by whoever
    sees a unit they are or were assigned to, and by the instructor themself.

    This is the one definition. The visit form used to offer only "assigned to a unit in scope,
    or self", which hid from a federation officer the instructors their own federation had just
    appointed and not yet assigned — exactly the ones they dispatch on a first visit.

    An instructor's page names a person (name, masked phone, visit log): roles that never see
    personal data (the authority viewer, the expert reviewer) see no instructor.
    """
    grants = personal_assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return Instructor.objects.all()
    assigned = InstructorAssignment.objects.filter(instructor=OuterRef("pk")).filter(
        combine([_org_q(g, "organization_id", "organization__") for g in grants])
    )
    q = Q(dossier__federation__in=federations(user, action).values("pk")) | Q(Exists(assigned))
    own = own_instructor_ids(user, action)
    if own:
        q |= Q(pk__in=own)
    return Instructor.objects.filter(q)
