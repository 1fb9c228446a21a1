"""The one door to data: every queryset a user can reach is built here.

``organizations(user, action)``, ``party_organizations(...)``, ``members(...)`` and
``meetings(...)`` return only what the user's current role assignments allow for that action.
Views fetch single objects with ``get_visible_or_404`` so that missing and forbidden look the
same (404).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.access.models import Action, RoleAssignment
from dangjian.core.models import valid_on_q
from dangjian.orglife.models import Meeting
from dangjian.party.models import (
    Coverage,
    Employment,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
)
from dangjian.registry.models import Federation, Membership, Organization

NOTHING = Q(pk__in=[])
Role = RoleAssignment.Role


def assignments(user, action: str) -> list[RoleAssignment]:
    """The user's role assignments valid today that allow ``action`` (cached per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_dangjian_assignments", None)
    if cache is None:
        cache = list(
            RoleAssignment.objects.current().filter(user=user).select_related("federation")
        )
        user.__dict__["_dangjian_assignments"] = cache
    return [a for a in cache if a.allows(action)]


def is_admin(user) -> bool:
    return any(a.role == Role.ADMIN for a in assignments(user, Action.VIEW))


def can(user, action: str) -> bool:
    return bool(assignments(user, action))


def _org_q(grant: RoleAssignment, ref: str = "pk", rel: str = "") -> Q:
    """The organizations one grant reaches, as a condition on a queryset in which ``ref`` is the
    organization's id column and ``rel`` the lookup prefix to its fields ("pk" and "" on
    Organization itself; "organization_id" and "organization__" on Employment, Coverage …).

    Written as correlated EXISTS rather than ``organization__in=<set>``, so the database checks
    the rows at hand instead of first listing every organization in scope.
    """
    today = timezone.localdate()
    if grant.role == Role.ADMIN:
        return Q()
    if grant.role == Role.FEDERATION_OFFICER:
        # Past members stay visible to their federation: history is part of the ledger.
        return Q(
            Exists(
                Membership.objects.filter(
                    organization=OuterRef(ref), federation__path__startswith=grant.federation.path
                )
            )
        )
    if grant.role == Role.UNIT_LIAISON:
        return Q(**{ref: grant.organization_id})
    if grant.role == Role.BRANCH_SECRETARY:
        return Q(
            Exists(
                Coverage.objects.filter(
                    organization=OuterRef(ref), party_organization_id=grant.party_organization_id
                )
            )
        )
    if grant.role == Role.INSTRUCTOR:
        return Q(
            Exists(
                InstructorAssignment.objects.filter(
                    valid_on_q(today), organization=OuterRef(ref), instructor_id=grant.instructor_id
                )
            )
        )
    if grant.role == Role.AUTHORITY_VIEWER:
        return Q(**{f"{rel}supervising_unit": grant.authority_name}) | Q(
            **{f"{rel}registration_authority": grant.authority_name}
        )
    return NOTHING


def _combine(qs: list[Q]) -> Q:
    if not qs:
        return NOTHING
    combined = qs[0]
    for q in qs[1:]:
        combined |= q
    return combined


def organizations(user, action: str = Action.VIEW) -> QuerySet[Organization]:
    grants = assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return Organization.objects.all()
    return Organization.objects.filter(_combine([_org_q(g) for g in grants]))


def filter_by_organization(
    qs: QuerySet, user, action: str = Action.VIEW, field: str = "organization"
):
    """Keep the rows of ``qs`` whose ``field`` (a foreign key to Organization) is in the user's
    scope — the fast form of ``qs.filter(organization__in=organizations(user))``."""
    grants = assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return qs
    return qs.filter(_combine([_org_q(g, f"{field}_id", f"{field}__") for g in grants]))


def federations(user, action: str = Action.VIEW) -> QuerySet[Federation]:
    grants = assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return Federation.objects.all()
    qs = [
        Q(path__startswith=g.federation.path) for g in grants if g.role == Role.FEDERATION_OFFICER
    ]
    return Federation.objects.filter(_combine(qs))


def party_organizations(user, action: str = Action.VIEW) -> QuerySet[PartyOrganization]:
    grants = assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return PartyOrganization.objects.all()
    qs = []
    for g in grants:
        if g.role == Role.FEDERATION_OFFICER:
            qs.append(Q(federation__path__startswith=g.federation.path))
        elif g.role == Role.BRANCH_SECRETARY:
            qs.append(Q(pk=g.party_organization_id) | Q(parent_id=g.party_organization_id))
        elif g.role in (Role.UNIT_LIAISON, Role.INSTRUCTOR, Role.AUTHORITY_VIEWER):
            coverages = Coverage.objects.filter(party_organization=OuterRef("pk"))
            qs.append(Q(Exists(coverages.filter(_org_q(g, "organization_id", "organization__")))))
    return PartyOrganization.objects.filter(_combine(qs))


def members(user, action: str = Action.VIEW) -> QuerySet[PartyMember]:
    """Party members: personal data, so authority viewers and reviewers never see any."""
    grants = [
        g
        for g in assignments(user, action)
        if g.role not in (Role.AUTHORITY_VIEWER, Role.EXPERT_REVIEWER)
    ]
    if any(g.role == Role.ADMIN for g in grants):
        return PartyMember.objects.all()
    qs = []
    for g in grants:
        if g.role == Role.BRANCH_SECRETARY:
            qs.append(Q(relation_party_organization_id=g.party_organization_id))
            covered = Coverage.objects.filter(party_organization_id=g.party_organization_id)
            qs.append(
                Q(
                    Exists(
                        Employment.objects.filter(
                            member=OuterRef("pk"), organization__in=covered.values("organization")
                        )
                    )
                )
            )
        else:
            employments = Employment.objects.filter(member=OuterRef("pk"))
            qs.append(Q(Exists(employments.filter(_org_q(g, "organization_id", "organization__")))))
            if g.role == Role.FEDERATION_OFFICER:
                qs.append(
                    Q(relation_party_organization__federation__path__startswith=g.federation.path)
                )
    return PartyMember.objects.filter(_combine(qs))


def meetings(user, action: str = Action.VIEW) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        party_organization__in=party_organizations(user, action).values("pk")
    )


def get_visible_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already-scoped queryset; missing and forbidden are both 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def recheck(queryset: QuerySet, obj) -> None:
    """Call inside the write's transaction, after saving: if the change moved the object out of
    the user's scope (e.g. a liaison reassigning a member to another unit), raise 404 so the
    transaction rolls back and nothing is written."""
    if not queryset.filter(pk=obj.pk).exists():
        raise Http404
