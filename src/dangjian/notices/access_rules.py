"""Who sees notices, receipts, their files and notifications, registered with
``dangjian.access.scope``.

Two sides of a notice:

- **the sender's side** (``managed_notices``): a federation officer manages the notices of
  their federation and those below it (their own and their secretaries'), a branch secretary
  the notices their party organization sent; with EDIT they withdraw, republish and review.
- **the recipient's side** (``own_receipts``): a unit's liaison answers for the unit's
  receipts, a secretary for their party organization's, a party member for their own. A
  recipient sees a notice once it is published (never a draft) and signs their receipt — a
  party member too, whose role has no EDIT elsewhere: signing their own receipt is theirs
  as reading their own file is.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment

from .models import Duty, Notice, NoticeFile, Notification, Receipt

Role = RoleAssignment.Role
SENDERS = frozenset({Role.ADMIN, Role.FEDERATION_OFFICER, Role.BRANCH_SECRETARY})


def _sender_grants(user: scope.AnyUser, action: str) -> list[RoleAssignment]:
    return [g for g in scope.assignments(user, action) if g.role in SENDERS]


def is_sender(user: scope.AnyUser, action: str = Action.VIEW) -> bool:
    """Whether the user has a sender's side at all (the recurring duties' pages open for
    them, and 404 for everyone else)."""
    return bool(_sender_grants(user, action))


def _sender_side(model: Any, user: scope.AnyUser, action: str) -> QuerySet[Any]:
    """Rows of ``model`` (a notice, a recurring duty: each with its federation and the sending
    party organization) on the user's sender side for ``action``."""
    grants = _sender_grants(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return model.objects.all()
    qs = []
    for g in grants:
        if g.role == Role.FEDERATION_OFFICER and g.federation is not None:
            qs.append(Q(federation__path__startswith=g.federation.path))
        elif g.role == Role.BRANCH_SECRETARY:
            qs.append(Q(party_organization_id=g.party_organization_id))
    return model.objects.filter(scope.combine(qs))


def managed_notices(user: scope.AnyUser, action: str = Action.VIEW) -> QuerySet[Notice]:
    """Notices on the user's sender side for ``action``."""
    return _sender_side(Notice, user, action)


def duties(user: scope.AnyUser, action: str) -> QuerySet[Duty]:
    """Recurring duties (N-8) are seen by whoever may send their tasks."""
    return _sender_side(Duty, user, action)


def own_receipts_q(user: scope.AnyUser, prefix: str = "") -> Q:
    """The receipts the user answers for (to read and to sign)."""
    qs = []
    for g in scope.assignments(user, Action.VIEW):
        if g.role == Role.UNIT_LIAISON:
            qs.append(Q(**{f"{prefix}organization_id": g.organization_id}))
        elif g.role == Role.BRANCH_SECRETARY:
            qs.append(Q(**{f"{prefix}party_organization_id": g.party_organization_id}))
        elif g.role == Role.PARTY_MEMBER and g.member_id is not None:
            qs.append(Q(**{f"{prefix}member_id": g.member_id}))
    return scope.combine(qs)


def receives_notices(user: scope.AnyUser) -> bool:
    """Whether the user answers for anything a notice may go to."""
    return own_receipts_q(user) != scope.NOTHING


RECEIVED = (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN, Notice.Status.REPLACED)


def own_receipts(user: scope.AnyUser) -> QuerySet[Receipt]:
    return Receipt.objects.filter(own_receipts_q(user), notice__status__in=RECEIVED)


def sending_as(user: scope.AnyUser) -> RoleAssignment | None:
    """The grant the user writes notices under: a federation officer's (for the federation)
    or a secretary's (for their party organization); None when they write none."""
    for g in scope.assignments(user, Action.EDIT):
        if g.role == Role.FEDERATION_OFFICER and g.federation_id is not None:
            return g
    for g in scope.assignments(user, Action.EDIT):
        if g.role == Role.BRANCH_SECRETARY and g.party_organization_id is not None:
            return g
    return None


def notices(user: scope.AnyUser, action: str) -> QuerySet[Notice]:
    q = Q(pk__in=managed_notices(user, action).values("pk"))
    if action == Action.VIEW:
        q |= Q(pk__in=own_receipts(user).values("notice_id"))
    return Notice.objects.filter(q)


def receipts(user: scope.AnyUser, action: str) -> QuerySet[Receipt]:
    q = scope.NOTHING
    if action in (Action.VIEW, Action.EXPORT, Action.APPROVE):
        q = Q(notice__in=managed_notices(user, action).values("pk"))
    if action in (Action.VIEW, Action.EDIT):
        q |= Q(pk__in=own_receipts(user).values("pk"))
    return Receipt.objects.filter(q)


def files(user: scope.AnyUser, action: str) -> QuerySet[NoticeFile]:
    return NoticeFile.objects.filter(
        Q(receipt__isnull=True, notice__in=notices(user, action).values("pk"))
        | Q(receipt__in=receipts(user, action).values("pk"))
    )


def notifications(user: scope.AnyUser, action: str) -> QuerySet[Notification]:
    """A user's own notifications, whatever their role (a user with no role gets none)."""
    if not getattr(user, "is_authenticated", False) or action != Action.VIEW:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=cast(int, user.pk))


def register() -> None:
    scope.register(Notice, notices)
    scope.register(Receipt, receipts)
    scope.register(NoticeFile, files)
    scope.register(Notification, notifications)
    scope.register(Duty, duties)
