"""Who sees the facts below this app (registry, party, orglife, governance, dues, transfers,
the rulebook's overrides), registered with ``dangjian.access.scope`` from AccessConfig.ready —
as each app above registers its own from its ``access_rules.py``. The rules that are more than
a line (members, meetings, party organizations …) are written out in ``scope``; here each
model is given its rule, most of them following the object they belong to."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.access.scope import AnyUser, Rule
from dangjian.dues.models import (
    ArrearsReason,
    ArrearsStep,
    DuesBase,
    DuesMonth,
    DuesPayment,
    DuesPublication,
    DuesRelief,
    HandIn,
)
from dangjian.governance.models import CharterRevision, MajorDecision, UnitLeader
from dangjian.orglife.models import (
    Attendance,
    ElectionCandidate,
    Meeting,
    MeetingAttachment,
    MeetingElection,
    Resolution,
)
from dangjian.party.models import (
    ContactRecord,
    Coverage,
    Designation,
    Election,
    Employment,
    FlowingPeriod,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
    RelationPeriod,
    StandingDecision,
    TermExtension,
)
from dangjian.registry.models import Federation, Membership, Organization
from dangjian.rulebook.models import RuleOverride
from dangjian.transfers.models import Transfer

Role = RoleAssignment.Role


def _by_organization(
    model: type[Model], field: str = "organization", *, personal: bool = False
) -> Rule:
    return lambda user, action: scope.filter_by_organization(
        model._default_manager.all(), user, action, field, personal=personal
    )


def _dues_of_members(model: type[Model]) -> Rule:
    """A member's dues records: seen where the member holds their 组织关系 (and, for the rows
    that name the branch they were due or paid at, at that branch too)."""
    at_branch = "party_organization" in {f.name for f in model._meta.get_fields()}

    def rule(user: AnyUser, action: str) -> QuerySet[Any]:
        branches = scope.dues_branches(user, action).values("pk")
        # A party member signed in reads their own dues (their own file, PIPL's access right).
        q = Q(member__relation_party_organization__in=branches) | Q(
            member_id__in=scope.own_member_ids(user, action)
        )
        if at_branch:
            q |= Q(party_organization__in=branches)
        return model._default_manager.filter(q)

    return rule


def transfers(user: AnyUser, action: str = Action.VIEW) -> QuerySet[Transfer]:
    """Transfers of the 组织关系: seen by those keeping the sending or the receiving party
    organization's members (its secretary, the federation's officers — of either federation,
    so a transfer between two federations is seen on both sides), and by the member. A letter
    names a person: roles that never see personal data see none."""
    q = scope.dues_branch_q(user, action, "from_party_organization") | scope.dues_branch_q(
        user, action, "to_party_organization"
    )
    if not [g for g in scope.personal_assignments(user, action) if g.role != Role.PARTY_MEMBER]:
        q = scope.NOTHING
    own = scope.own_member_ids(user, action)
    if own and action == Action.VIEW:
        q |= Q(member_id__in=own)
    return Transfer.objects.filter(q)


def register() -> None:
    # Facts below this app: their rules are written out in ``scope`` or follow from the
    # organization.
    scope.register(Federation, scope.federations)
    scope.register(Organization, scope.organizations)
    scope.register(PartyOrganization, scope.party_organizations)
    scope.register(PartyMember, scope.members)
    scope.register(Meeting, scope.meetings)
    scope.register(Attendance, scope.attendance)
    # A meeting's resolutions and files follow the meeting.
    scope.register(
        Resolution,
        lambda user, action: Resolution.objects.filter(
            meeting__in=scope.meetings(user, action).values("pk")
        ),
    )
    scope.register(
        MeetingAttachment,
        lambda user, action: MeetingAttachment.objects.filter(
            meeting__in=scope.meetings(user, action).values("pk")
        ),
    )
    # An election follows its meeting; who stood and their votes are the people of the meeting.
    scope.register(
        MeetingElection,
        lambda user, action: MeetingElection.objects.filter(
            meeting__in=scope.meetings(user, action).values("pk")
        ),
    )
    scope.register(
        ElectionCandidate,
        lambda user, action: ElectionCandidate.objects.filter(
            meeting_election__meeting__in=scope.meetings(user, action, personal=True).values("pk")
        ),
    )
    # Role assignments and invitations: access.people (registered from AccessConfig.ready).
    scope.register(Instructor, scope.instructors)
    scope.register(Membership, _by_organization(Membership))
    scope.register(Coverage, _by_organization(Coverage))
    # An assignment names its instructor, a unit leader is a person: personal data.
    scope.register(InstructorAssignment, _by_organization(InstructorAssignment, personal=True))
    scope.register(Designation, _by_organization(Designation))
    scope.register(UnitLeader, _by_organization(UnitLeader, personal=True))
    scope.register(CharterRevision, _by_organization(CharterRevision))
    scope.register(MajorDecision, _by_organization(MajorDecision))
    # Jobs and posts hold personal data: they follow the member and the unit or party organization.
    scope.register(
        Employment,
        lambda user, action: scope.filter_by_organization(
            Employment.objects.filter(member__in=scope.members(user, action).values("pk")),
            user,
            action,
        ),
    )
    scope.register(
        Position,
        lambda user, action: Position.objects.filter(
            member__in=scope.members(user, action).values("pk"),
            party_organization__in=scope.party_organizations(user, action).values("pk"),
        ),
    )
    # A term's history follows its party organization; a member's relation history, the member.
    scope.register(
        Election,
        lambda user, action: Election.objects.filter(
            party_organization__in=scope.party_organizations(user, action).values("pk")
        ),
    )
    scope.register(
        TermExtension,
        lambda user, action: TermExtension.objects.filter(
            election__party_organization__in=scope.party_organizations(user, action).values("pk")
        ),
    )
    scope.register(
        RelationPeriod,
        lambda user, action: RelationPeriod.objects.filter(
            member__in=scope.members(user, action).values("pk")
        ),
    )
    # A member's flowing periods, contacts and standing decisions follow the member; a branch
    # hosting a flowing member sees the period that names it (its sign-in sheet lists them).
    for _member_model in (ContactRecord, StandingDecision):
        scope.register(
            _member_model,
            lambda user, action, _m=_member_model: _m.objects.filter(
                member__in=scope.members(user, action).values("pk")
            ),
        )
    scope.register(
        FlowingPeriod,
        # The member checked row by row (a correlated EXISTS on its key), not an IN over every
        # member in scope: the list walks the periods newest first and stops after a page, where
        # the IN made PostgreSQL hash a federation's million members first (3.3 s).
        lambda user, action: FlowingPeriod.objects.filter(
            Q(Exists(scope.members(user, action).filter(pk=OuterRef("member_id"))))
            | Q(host_party_organization__in=scope.dues_branches(user, action).values("pk"))
        ),
    )

    scope.register(Transfer, transfers)
    # Party dues: a member's records follow the branch keeping them; a hand-in (a branch's total,
    # no person) is seen like its party organization, so the organization above receives it; a
    # publication lists every member of the branch, so only those keeping the branch's dues see it.
    for _dues_model in (DuesBase, DuesRelief, DuesMonth, DuesPayment, ArrearsReason, ArrearsStep):
        scope.register(_dues_model, _dues_of_members(_dues_model))
    scope.register(
        HandIn,
        lambda user, action: HandIn.objects.filter(
            party_organization__in=scope.party_organizations(user, action).values("pk")
        ),
    )
    scope.register(
        DuesPublication,
        lambda user, action: DuesPublication.objects.filter(
            party_organization__in=scope.dues_branches(user, action).values("pk")
        ),
    )
    # A federation's overrides of rulebook parameters are its own configuration.
    scope.register(
        RuleOverride,
        lambda user, action: RuleOverride.objects.filter(
            federation__in=scope.federations(user, action).values("pk")
        ),
    )
