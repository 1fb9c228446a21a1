"""The one door to data: every queryset a user can reach is built here.

``organizations(user, action)``, ``party_organizations(...)``, ``members(...)`` and
``meetings(...)`` return only what the user's current role assignments allow for that action.

Every other model a user can reach registers its rule once (``register``), in the spirit of
NetBox's ``RestrictedQuerySet.restrict()``: the facts below this app in ``access_rules.py``
beside this module, the apps above it in their own ``access_rules.py`` (each imported from its
AppConfig.ready). Views then ask one lookup:

- ``visible(Model, user, action)`` → the queryset the user may see for ``action``;
- ``get(user, Model | queryset, pk, action)`` → one object, 404 when missing or forbidden;
- ``get_with_rights(user, Model | queryset, pk)`` → ``(obj, frozenset of actions)``, the object
  and what the user may do on it, in one query (Healthchecks' ``_get_project_for_user``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.http import Http404
from django.utils import timezone

from dangjian.access.models import Action, RoleAssignment
from dangjian.core.models import valid_on_q
from dangjian.core.sql import at_most, in_ids
from dangjian.orglife.models import (
    Attendance,
    Meeting,
)
from dangjian.party.models import (
    Coverage,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
)
from dangjian.party.queries import member_in_ledger_q, relations_on
from dangjian.registry.models import Federation, Membership, Organization

NOTHING = Q(pk__in=[])
Role = RoleAssignment.Role
# Whoever asks: a signed-in user or the anonymous one (``request.user``).
AnyUser = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)


def _federation(grant: RoleAssignment) -> Federation:
    # A federation officer's grant always names its federation (RoleAssignment.clean).
    return cast(Federation, grant.federation)


T = TypeVar("T")


def _once_per_grant(grant: RoleAssignment, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` read once per grant and request: kept on the grant, which lives as long
    as the request's user (``current_assignments``)."""
    if key not in grant.__dict__:
        grant.__dict__[key] = compute()
    return cast(T, grant.__dict__[key])


def subtree_ids(grant: RoleAssignment) -> list[int]:
    """The ids of a federation officer's federation and those below it (a few hundred at
    most in a national tree), read once per grant and request: a condition ``federation_id
    IN (…)`` is checked on the row itself, where ``federation__path__startswith`` needs a join
    to every row's federation."""
    return _once_per_grant(
        grant,
        "_dangjian_subtree",
        lambda: list(
            Federation.objects.filter(path__startswith=_federation(grant).path)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    )


# A federation officer's reach is checked row by row (a correlated EXISTS on each row's unit or
# party organization) when their subtree is a province's tens of thousands of units, and taken
# as a set when it holds at most this many (a city's): see ``_org_q``, ``members_to_list``.
MANY_UNITS = 5000


def _few_units(grant: RoleAssignment) -> bool:
    """Whether the grant reaches at most ``MANY_UNITS`` units: a federation officer's subtree by
    a bounded count of its memberships, read once per grant and request; the other roles'
    reach is a few units by nature (the administrator's is everything)."""
    if grant.role != Role.FEDERATION_OFFICER:
        return grant.role != Role.ADMIN
    memberships = Membership.objects.filter(federation_id__in=subtree_ids(grant))
    return _once_per_grant(grant, "_dangjian_few_units", lambda: at_most(memberships, MANY_UNITS))


def current_assignments(user: AnyUser) -> list[RoleAssignment]:
    """All the user's role assignments valid today, whatever they allow (cached per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_dangjian_assignments", None)
    if cache is None:
        cache = list(
            RoleAssignment.objects.current()
            .filter(user=user)
            .select_related(
                "federation", "organization", "party_organization", "instructor", "member"
            )
        )
        user.__dict__["_dangjian_assignments"] = cache
    return list(cache)


def assignments(user: AnyUser, action: str) -> list[RoleAssignment]:
    """The user's role assignments valid today that allow ``action`` (cached per request)."""
    return [a for a in current_assignments(user) if a.allows(action)]


def roles(user: AnyUser) -> set[str]:
    """The roles the user holds today (an expert reviewer's too, which allows no action)."""
    return {a.role for a in current_assignments(user)}


# Roles that read reports and never a person: the supervising unit or registration authority
# ("reports only, never personal data") and the expert reviewer. Every rule over a model that
# names a person (members, instructors, unit leaders, visit logs) drops their grants.
NO_PERSONAL_DATA = frozenset({Role.AUTHORITY_VIEWER, Role.EXPERT_REVIEWER})


def officer_of(federation: Federation) -> AnyUser:
    """A stand-in for "an officer of ``federation``", for work no one signed in asks for (the
    dashboard's nightly snapshots): an unsaved, active user holding one federation-officer
    grant, so every rule of this module answers for it exactly as for a real officer of the
    federation. Never saved, never signed in."""
    from django.contrib.auth import get_user_model

    user = get_user_model()(username=f"officer-of-{federation.pk}", is_active=True)
    grant = RoleAssignment(role=Role.FEDERATION_OFFICER, federation=federation)
    user.__dict__["_dangjian_assignments"] = [grant]
    return user


def personal_assignments(user: AnyUser, action: str) -> list[RoleAssignment]:
    """``assignments`` without the grants of roles that never see personal data."""
    return [g for g in assignments(user, action) if g.role not in NO_PERSONAL_DATA]


def is_admin(user: AnyUser) -> bool:
    return any(a.role == Role.ADMIN for a in assignments(user, Action.VIEW))


def can(user: AnyUser, action: str) -> bool:
    return bool(assignments(user, action))


def _org_q(grant: RoleAssignment, ref: str = "pk", rel: str = "") -> Q:
    """The organizations one grant reaches, as a condition on a queryset in which ``ref`` is the
    organization's id column and ``rel`` the lookup prefix to its fields ("pk" and "" on
    Organization itself; "organization_id" and "organization__" on Employment, Coverage …).

    A province's officer's reach is written as a correlated EXISTS rather than
    ``organization__in=<set>``, so the database checks the rows at hand instead of first listing
    every organization of the province; a smaller federation's (``_few_units``), a branch's and
    an instructor's units are fewer, listed once (``_unit_ids``) — checked row by row, a
    secretary's unit list tested an EXISTS on each of 100,000 units (77 ms on SQLite) to keep a
    dozen, and a city federation's formation applications took 0.5 s.
    """
    if grant.role == Role.ADMIN:
        return Q()
    if grant.role == Role.FEDERATION_OFFICER:
        # Past members stay visible to their federation: history is part of the ledger.
        if _few_units(grant):
            return Q(**{f"{ref}__in": _unit_ids(grant)})
        return Q(
            Exists(
                Membership.objects.filter(
                    organization=OuterRef(ref), federation_id__in=subtree_ids(grant)
                )
            )
        )
    if grant.role == Role.UNIT_LIAISON:
        return Q(**{ref: grant.organization_id})
    if grant.role in (Role.BRANCH_SECRETARY, Role.INSTRUCTOR):
        return Q(**{f"{ref}__in": _unit_ids(grant)})
    if grant.role == Role.AUTHORITY_VIEWER:
        named = Q(supervising_unit=grant.authority_name) | Q(
            registration_authority=grant.authority_name
        )
        if ref == "pk":
            return named
        # The units naming one authority are few (two indexes find them): listed once, rather
        # than every row joined to its unit to compare two names.
        return Q(**{f"{ref}__in": Organization.objects.filter(named).values("pk")})
    return NOTHING


def combine(qs: list[Q]) -> Q:
    """OR the conditions of several grants together (nothing when there is none)."""
    if not qs:
        return NOTHING
    combined = qs[0]
    for q in qs[1:]:
        combined |= q
    return combined


def organizations(user: AnyUser, action: str = Action.VIEW) -> QuerySet[Organization]:
    grants = assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return Organization.objects.all()
    return Organization.objects.filter(combine([_org_q(g) for g in grants]))


def filter_by_organization(
    qs: QuerySet[M],
    user: AnyUser,
    action: str = Action.VIEW,
    field: str = "organization",
    *,
    personal: bool = False,
) -> QuerySet[M]:
    """Keep the rows of ``qs`` whose ``field`` (a foreign key to Organization) is in the user's
    scope — the fast form of ``qs.filter(organization__in=organizations(user))``.

    ``personal``: the rows name a person, so roles that never see personal data get none."""
    grants = personal_assignments(user, action) if personal else assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return qs
    return qs.filter(combine([_org_q(g, f"{field}_id", f"{field}__") for g in grants]))


def federations(user: AnyUser, action: str = Action.VIEW) -> QuerySet[Federation]:
    grants = assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return Federation.objects.all()
    qs = [_federation_q(g) for g in grants if g.role == Role.FEDERATION_OFFICER]
    return Federation.objects.filter(combine(qs))


def party_organizations(user: AnyUser, action: str = Action.VIEW) -> QuerySet[PartyOrganization]:
    return _party_organizations_of(assignments(user, action))


def _party_organizations_of(grants: list[RoleAssignment]) -> QuerySet[PartyOrganization]:
    if any(g.role == Role.ADMIN for g in grants):
        return PartyOrganization.objects.all()
    return PartyOrganization.objects.filter(combine([_party_org_q(g) for g in grants]))


def _party_org_q(grant: RoleAssignment, ref: str = "pk", rel: str = "") -> Q:
    """The party organizations one grant reaches, as a condition on a queryset in which ``ref``
    is the party organization's id column and ``rel`` the lookup prefix to its fields (as
    ``_org_q``): on PartyOrganization itself "pk" and "", on a row that names one (a finding, a
    meeting) "party_organization_id" and "party_organization__"."""
    if grant.role == Role.ADMIN:
        return Q()
    if grant.role == Role.FEDERATION_OFFICER:
        if ref == "pk":
            return Q(federation_id__in=subtree_ids(grant))
        if _few_units(grant):  # a city's few thousand party organizations at most: a set
            theirs = PartyOrganization.objects.filter(federation_id__in=subtree_ids(grant))
            return Q(**{f"{ref}__in": theirs.values("pk")})
        # On a row naming a party organization: a correlated EXISTS, evaluated only when
        # an earlier arm of an OR has not decided the row (``subject_q``), not a join of
        # every row to its party organization.
        return Q(
            Exists(
                PartyOrganization.objects.filter(
                    pk=OuterRef(ref), federation_id__in=subtree_ids(grant)
                )
            )
        )
    if grant.role == Role.BRANCH_SECRETARY:
        own = Q(pk=grant.party_organization_id) | Q(parent_id=grant.party_organization_id)
        if ref == "pk":
            return own
        # On a row naming one (a finding, a meeting): the branch and those below it, a few
        # ids, rather than every row joined to its party organization to read its parent.
        return Q(**{f"{ref}__in": PartyOrganization.objects.filter(own).values("pk")})
    if grant.role in (Role.UNIT_LIAISON, Role.INSTRUCTOR):
        # A liaison's one unit, an instructor's few: the party organizations covering them, as
        # a set of a few ids, rather than an EXISTS checked on every party organization of the
        # system (58,000 at 100,000 units: a liaison's meeting list took 0.15 s on SQLite).
        covering = Coverage.objects.filter(organization_id__in=_unit_ids(grant))
        return Q(**{f"{ref}__in": covering.values("party_organization_id")})
    if grant.role == Role.AUTHORITY_VIEWER:
        coverages = Coverage.objects.filter(party_organization=OuterRef(ref))
        return Q(Exists(coverages.filter(_org_q(grant, "organization_id", "organization__"))))
    return NOTHING


def _federation_q(grant: RoleAssignment, ref: str = "pk") -> Q:
    """The federations one grant reaches (a federation officer's subtree; the administrator's
    all), as a condition on the column ``ref`` holding a federation's id."""
    if grant.role == Role.ADMIN:
        return Q()
    if grant.role == Role.FEDERATION_OFFICER:
        if ref == "pk":  # on Federation itself: its own path, no query for the ids
            return Q(path__startswith=_federation(grant).path)
        return Q(**{f"{ref}__in": subtree_ids(grant)})
    return NOTHING


def subject_q(
    user: AnyUser,
    action: str = Action.VIEW,
    *,
    organization: str | None = None,
    party_organization: str | None = None,
    federation: str | None = None,
) -> Q:
    """A row is in scope when any subject it names is: its organization (the foreign key
    ``organization``), its party organization or its federation — the rule of rows that are
    *about* something (findings). Built per grant on the row's own columns (correlated EXISTS,
    an IN over a literal list of federation ids), never as ``organization__in=<every organization in scope>``: an OR of IN
    subqueries makes the database compute each whole set first (the officer's home page counted
    its open findings in 0.8 s at 100,000 units that way)."""
    arms = []
    for g in assignments(user, action):
        if g.role == Role.ADMIN:
            return Q()
        # Cheapest first: the database stops at the first arm that holds. A federation
        # officer's rows are nearly all decided by their federation's id; most rows name a
        # unit, so the unit's arm comes before the party organization's EXISTS.
        if federation:
            arms.append(_federation_q(g, f"{federation}_id"))
        if organization:
            arms.append(_org_q(g, f"{organization}_id", f"{organization}__"))
        if party_organization:
            arms.append(_party_org_q(g, f"{party_organization}_id", f"{party_organization}__"))
    return combine([a for a in arms if a != NOTHING])


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


def _unit_ids(grant: RoleAssignment) -> QuerySet[Any]:
    """The organizations one grant reaches (``_org_q``) as a set: one column of their ids, read
    from the grant's own index (its federations' memberships, its branch's coverages, its
    instructor's assignments) — for lists driven from the few units in scope rather than
    checking every row (``members_to_list``). ``_org_q`` is the same reach checked row by
    row; tests/access/test_members_to_list.py holds the two equal for every role."""
    if grant.role == Role.FEDERATION_OFFICER:
        return Membership.objects.filter(federation_id__in=subtree_ids(grant)).values(
            "organization_id"
        )
    if grant.role == Role.UNIT_LIAISON:
        return Organization.objects.filter(pk=cast(int, grant.organization_id)).values("pk")
    if grant.role == Role.BRANCH_SECRETARY:
        return Coverage.objects.filter(party_organization_id=grant.party_organization_id).values(
            "organization_id"
        )
    if grant.role == Role.INSTRUCTOR:
        return InstructorAssignment.objects.filter(
            valid_on_q(timezone.localdate()),
            instructor_id=cast(int, grant.instructor_id),  # the role needs it (clean)
        ).values("organization_id")
    return Organization.objects.filter(_org_q(grant)).values("pk")


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


# -- the registry: one rule per model, one lookup ----------------------------------------------
Rule = Callable[[AnyUser, str], QuerySet[Any]]
Public = Callable[[], QuerySet[Any]]
_RULES: dict[type[Model], Rule] = {}
_PUBLIC: dict[type[Model], Public] = {}


@overload
def register(model: type[Model], rule: Rule, *, public: Public | None = None) -> Rule: ...
@overload
def register(
    model: type[Model], rule: None = None, *, public: Public | None = None
) -> Callable[[Rule], Rule]: ...
def register(
    model: type[Model], rule: Rule | None = None, *, public: Public | None = None
) -> Rule | Callable[[Rule], Rule]:
    """Declare who sees ``model``: ``rule(user, action) -> QuerySet``. Usable as a decorator.

    ``public()`` (optional) returns the objects shown to everyone, signed in or not (e.g.
    published cases); the leak test does not count them as hidden.
    """

    def add(rule: Rule) -> Rule:
        if _RULES.get(model, rule) is not rule:
            raise ValueError(f"{model.__name__} already has a visibility rule")
        _RULES[model] = rule
        if public is not None:
            _PUBLIC[model] = public
        return rule

    return add(rule) if rule is not None else add


def registered_models() -> list[type[Model]]:
    return list(_RULES)


def public(model: type[M]) -> QuerySet[M]:
    """The objects of ``model`` that are shown to everyone (none unless registered so)."""
    return _PUBLIC[model]() if model in _PUBLIC else model._default_manager.none()


@overload
def visible(model: type[M], user: AnyUser, action: str = ...) -> QuerySet[M]: ...
@overload
def visible(model: str, user: AnyUser, action: str = ...) -> QuerySet[Any]: ...
def visible(model: type[Model] | str, user: AnyUser, action: str = Action.VIEW) -> QuerySet[Any]:
    """The objects of ``model`` the user may reach for ``action``.

    ``model`` may be given by label ("rules.Finding"), so a page can read the objects of a
    layer above its app without importing it."""
    if isinstance(model, str):
        model = apps.get_model(model)
    try:
        rule = _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no visibility rule in dangjian.access") from None
    return rule(user, action)


def _restricted(
    user: AnyUser, model_or_qs: type[Model] | QuerySet[Any] | str, action: str
) -> QuerySet[Any]:
    if isinstance(model_or_qs, str):
        model_or_qs = apps.get_model(model_or_qs)
    if isinstance(model_or_qs, QuerySet):
        model = model_or_qs.model
        # Tested on the one row fetched (``get``), not as an IN over every visible row: SQLite
        # materialized the whole scope (all 1.5 million meetings for an administrator).
        return model_or_qs.filter(Exists(visible(model, user, action).filter(pk=OuterRef("pk"))))
    return visible(model_or_qs, user, action)


@overload
def get(user: AnyUser, model_or_qs: type[M] | QuerySet[M], pk: object, action: str = ...) -> M: ...
@overload
def get(user: AnyUser, model_or_qs: str, pk: object, action: str = ...) -> Any: ...
def get(
    user: AnyUser,
    model_or_qs: type[Model] | QuerySet[Any] | str,
    pk: object,
    action: str = Action.VIEW,
) -> Any:
    """One object the user may reach for ``action``; missing and forbidden are both 404.

    ``model_or_qs`` may be a queryset (for select_related, or a narrower set such as a
    campaign's submissions); the registered rule is applied on top of it.
    """
    return get_visible_or_404(_restricted(user, model_or_qs, action), pk=pk)


@overload
def get_with_rights(
    user: AnyUser, model_or_qs: type[M] | QuerySet[M], pk: object, action: str = ...
) -> tuple[M, frozenset[str]]: ...
@overload
def get_with_rights(
    user: AnyUser, model_or_qs: str, pk: object, action: str = ...
) -> tuple[Any, frozenset[str]]: ...
def get_with_rights(
    user: AnyUser,
    model_or_qs: type[Model] | QuerySet[Any] | str,
    pk: object,
    action: str = Action.VIEW,
) -> tuple[Any, frozenset[str]]:
    """The object (as ``get``) and the actions the user may take on it, in one query."""
    qs = _restricted(user, model_or_qs, action)
    model = qs.model
    others = [a for a in Action.values if a != action]
    qs = qs.annotate(
        **{f"_may_{a}": Exists(visible(model, user, a).filter(pk=OuterRef("pk"))) for a in others}
    )
    obj = get_visible_or_404(qs, pk=pk)
    rights = {action} | {a for a in others if getattr(obj, f"_may_{a}")}
    return obj, frozenset(rights)


def get_visible_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one object from an already-scoped queryset; missing and forbidden are both 404."""
    try:
        return queryset.get(**lookup)
    # ``get`` raises only its own model's DoesNotExist, a subclass of this one.
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
