"""Who sees which letters, registered with ``dangjian.access.scope``.

Federation officers (and admins) see their federations' letters, drafts included. Authority
viewers see numbered letters about units they supervise or registered, or addressed to them.
Nobody else sees letters.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment

from .models import Letter

Role = RoleAssignment.Role
HIDDEN_FROM_AUTHORITIES = (Letter.Status.DRAFT, Letter.Status.WITHDRAWN)


def letters(user, action: str = Action.VIEW) -> QuerySet[Letter]:
    grants = scope.assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return Letter.objects.all()
    q = Q(pk__in=[])
    if any(g.role == Role.FEDERATION_OFFICER for g in grants):
        q |= Q(federation__in=scope.federations(user, action).values("pk"))
    names = [g.authority_name for g in grants if g.role == Role.AUTHORITY_VIEWER]
    if names:
        about_their_units = Exists(
            Letter.organizations.through.objects.filter(
                letter_id=OuterRef("pk"),
                organization__in=scope.organizations(user, action).values("pk"),
            )
        )
        q |= (about_their_units | Q(recipient__in=names)) & ~Q(status__in=HIDDEN_FROM_AUTHORITIES)
    return Letter.objects.filter(q)


def register() -> None:
    scope.register(Letter, letters)
