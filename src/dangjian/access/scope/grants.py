"""A user's grants (role assignments valid today), their reach, and the shared helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, Q

from dangjian.access.models import Action, RoleAssignment
from dangjian.core.sql import at_most
from dangjian.registry.models import Federation, Membership

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


def combine(qs: list[Q]) -> Q:
    """OR the conditions of several grants together (nothing when there is none)."""
    if not qs:
        return NOTHING
    combined = qs[0]
    for q in qs[1:]:
        combined |= q
    return combined
