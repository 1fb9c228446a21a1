"""What the dues pages share: the branch and member lookups through the one door, who acts for
the higher organization, the refusal messages, and the signed-in member."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.errors import WorkflowError
from dangjian.dues.queries import month_start, parse_month
from dangjian.party.models import PartyMember, PartyOrganization


def branch_or_404(request, pk: int, action: str = Action.VIEW) -> PartyOrganization:
    """A party organization whose dues the user keeps (``scope.dues_branches``)."""
    return scope.get_visible_or_404(
        scope.dues_branches(request.user, action).select_related("federation", "parent"), pk=pk
    )


def member_or_404(request, pk: int, action: str = Action.VIEW) -> PartyMember:
    """A member holding their 组织关系 in a party organization whose dues the user keeps."""
    qs = scope.members(request.user, action).filter(
        relation_party_organization__in=scope.dues_branches(request.user, action).values("pk")
    )
    return scope.get_visible_or_404(
        qs.select_related("relation_party_organization__federation"), pk=pk
    )


def acts_for_higher(user, branch: PartyOrganization, *, hand_in: bool = False) -> bool:
    """Whether the user acts for the organization above ``branch``: the federation's officers
    (the federation's party committee) approve reductions and receive hand-ins; a hand-in, which
    names no one, may also be received by the secretary of the party organization above."""
    if scope.party_organizations(user, Action.APPROVE).filter(pk=branch.pk).exists():
        return True
    return bool(
        hand_in
        and branch.parent_id
        and scope.dues_branches(user, Action.EDIT).filter(pk=branch.parent_id).exists()
    )


def refused(request, exc: Exception) -> None:
    """A service's refusal, shown as it was worded (in Chinese)."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


REFUSALS = (ValidationError, WorkflowError)


def month_param(request, name: str = "month") -> datetime.date:
    return parse_month(request.GET.get(name)) or month_start(timezone.localdate())


def year_param(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 1921 <= year <= 2100 else timezone.localdate().year


def signed_in_member(user) -> PartyMember | None:
    """The ledger record of the party member who is signed in (their role bound to it), or
    None: the member's own dues page is theirs alone."""
    ids = scope.own_member_ids(user)
    return scope.members(user).filter(pk__in=ids).first() if ids else None
