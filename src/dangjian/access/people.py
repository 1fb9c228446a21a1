"""Who manages whose sign-in: the people an officer sees, the roles they may grant, and the
check that a grant's scope lies in theirs. The writes are ``access.services`` (grant, end,
deactivate) and ``access.invitations`` (a one-time link for a new person with a role).

A federation officer manages the people whose roles lie in their federation: liaisons of its
units, secretaries of its party organizations, its instructors, its party members, its own
officers, and the experts and supervising units it invited (a role with no scope of its own
carries the inviting federation in ``RoleAssignment.federation``). An administrator manages
everyone.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment, RoleInvitation
from dangjian.access.scope import AnyUser
from dangjian.core.errors import WorkflowError
from dangjian.party.models import Employment
from dangjian.registry.models import Membership

Role = RoleAssignment.Role
# What a federation officer may grant (the administrator and the auditor are granted by an
# administrator only: 三员分立).
OFFICER_GRANTS = (
    Role.UNIT_LIAISON,
    Role.BRANCH_SECRETARY,
    Role.INSTRUCTOR,
    Role.PARTY_MEMBER,
    Role.EXPERT_REVIEWER,
    Role.AUTHORITY_VIEWER,
    Role.FEDERATION_OFFICER,
)
# Roles with no scope of their own: their grant names the inviting federation.
FEDERATION_STAMPED = (Role.EXPERT_REVIEWER, Role.AUTHORITY_VIEWER)


def manages_people(user: AnyUser) -> bool:
    return bool(scope.roles(user) & {Role.ADMIN, Role.FEDERATION_OFFICER})


def grantable_roles(user: AnyUser) -> list[str]:
    if scope.is_admin(user):
        return list(Role.values)
    if Role.FEDERATION_OFFICER in scope.roles(user):
        return list(OFFICER_GRANTS)
    return []


def _scoped_q(user: AnyUser) -> Q:
    """Grants (or invitations) whose scope lies in ``user``'s (an officer's) federations.

    Written as conditions on the grant's own row (joins and correlated EXISTS from the small
    table of grants), never as "scope in <every unit, member … of the federation>": at 100,000
    units and a million members those sets cost seconds (bench/home_bench.py)."""
    feds = scope.federations(user, Action.EDIT).values("pk")
    in_federation = Membership.objects.filter(federation__in=feds)
    employed = Employment.objects.filter(
        member=OuterRef("member"),
        organization__in=in_federation.values("organization"),
    )
    return (
        Q(federation__in=feds)
        | Q(Exists(in_federation.filter(organization=OuterRef("organization"))))
        | Q(party_organization__federation__in=feds)
        | Q(instructor__in=scope.instructors(user, Action.EDIT).values("pk"))
        | Q(member__relation_party_organization__federation__in=feds)
        | Q(Exists(employed))
    )


def role_assignments(user: AnyUser, action: str = Action.VIEW) -> QuerySet[RoleAssignment]:
    """The grants ``user`` manages (the one door's rule for RoleAssignment)."""
    if not manages_people(user) or not scope.can(user, action):
        return RoleAssignment.objects.none()
    if scope.is_admin(user):
        return RoleAssignment.objects.all()
    return RoleAssignment.objects.filter(_scoped_q(user))


def invitations(user: AnyUser, action: str = Action.VIEW) -> QuerySet[RoleInvitation]:
    """Invitations: an officer's federation's, and a secretary's members' (who may edit the
    member's record may invite them)."""
    if scope.is_admin(user):
        return RoleInvitation.objects.all()
    by_member = Q(member__in=scope.members(user, Action.EDIT).values("pk"))
    if manages_people(user):
        return RoleInvitation.objects.filter(_scoped_q(user))
    return RoleInvitation.objects.filter(by_member, role=Role.PARTY_MEMBER)


def people(user: AnyUser) -> QuerySet[User]:
    """The accounts ``user`` manages: those holding (or having held) a grant they manage."""
    users = get_user_model().objects.all()
    if scope.is_admin(user):
        return users
    return users.filter(pk__in=role_assignments(user).values("user")).exclude(
        pk__in=RoleAssignment.objects.filter(role=Role.ADMIN).values("user")
    )


def check_grant(actor: AnyUser, role: str, where: dict[str, Any]) -> dict[str, Any]:
    """The scope fields to grant ``role`` with, checked against ``actor``'s; ``WorkflowError``
    in words when ``actor`` may not grant it there."""
    if role not in grantable_roles(actor):
        raise WorkflowError(_("You may not give this role."))
    needed = RoleAssignment.SCOPE_FIELD.get(role)
    fields = {k: v for k, v in where.items() if v not in (None, "")}
    if role in FEDERATION_STAMPED and "federation" not in fields:
        own = scope.federations(actor, Action.EDIT).order_by("path").first()
        if own is not None:
            fields["federation"] = own
    if needed and needed not in fields:
        raise WorkflowError(_("This role needs a scope."))
    if scope.is_admin(actor):
        return fields
    checks: dict[str, QuerySet[Any]] = {
        "federation": scope.federations(actor, Action.EDIT),
        "organization": scope.organizations(actor, Action.EDIT),
        "party_organization": scope.party_organizations(actor, Action.EDIT),
        "instructor": scope.instructors(actor, Action.EDIT),
        "member": scope.members(actor, Action.EDIT),
    }
    for name, value in fields.items():
        if name in checks and not checks[name].filter(pk=value.pk).exists():
            raise WorkflowError(_("This is outside what you manage."))
    return fields


def resolve_scope(actor: AnyUser, role: str, text: str) -> dict[str, Any]:
    """The scope typed on a form (a name, or a unit's credit code, or a member's ID number),
    looked up among what ``actor`` manages; ``WorkflowError`` in words when none or several."""
    from dangjian.core.crypto import blind_index
    from dangjian.core.validators import normalize_code
    from dangjian.party.models import Instructor, PartyMember, PartyOrganization
    from dangjian.registry.models import Federation, Organization

    needed = RoleAssignment.SCOPE_FIELD.get(role)
    text = text.strip()
    if not needed:
        return {}
    if not text:
        raise WorkflowError(_("This role needs a scope."))
    if needed == "authority_name":
        return {"authority_name": text}
    edit = Action.EDIT
    found: QuerySet[Any]
    if needed == "federation":
        found = scope.federations(actor, edit).filter(name=text)
        model: Any = Federation
    elif needed == "organization":
        found = scope.organizations(actor, edit).filter(Q(name=text) | Q(uscc=normalize_code(text)))
        model = Organization
    elif needed == "party_organization":
        found = scope.party_organizations(actor, edit).filter(name=text)
        model = PartyOrganization
    elif needed == "instructor":
        found = scope.instructors(actor, edit).filter(name=text, valid_to__isnull=True)
        model = Instructor
    else:
        found = scope.members(actor, edit).filter(
            Q(name=text) | Q(id_number_hash=blind_index(normalize_code(text))),
            left_on__isnull=True,
            anonymised_at__isnull=True,
        )
        model = PartyMember
    hits = list(found[:2])
    if not hits:
        raise WorkflowError(
            _("No %(what)s named “%(text)s” among those you manage.")
            % {"what": model._meta.verbose_name, "text": text}
        )
    if len(hits) > 1:
        raise WorkflowError(
            _("Several match “%(text)s”: type the full name or the code.") % {"text": text}
        )
    return {needed: hits[0]}
