"""The organizations, party organizations and federations that a grant or a user reaches."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dangjian.access.models import Action, RoleAssignment
from dangjian.access.scope.grants import (
    NOTHING,
    AnyUser,
    M,
    Role,
    _federation,
    _few_units,
    assignments,
    combine,
    personal_assignments,
    subtree_ids,
)
from dangjian.core.models import valid_on_q
from dangjian.party.models import Coverage, InstructorAssignment, PartyOrganization
from dangjian.registry.models import Federation, Membership, Organization


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
