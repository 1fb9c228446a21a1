"""Party dues on home pages: a secretary's arrears and the month to hand in, the officer's
hand-ins to receive, a party member's own unpaid months."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.access.models import RoleAssignment
from dangjian.core.money import yuan
from dangjian.dues import queries
from dangjian.dues.models import DuesMonth, HandIn
from dangjian.rulebook import params
from dangjian.rulebook.periods import add_months


def secretary_dues(request, today):
    own = [
        g.party_organization_id
        for g in scope.current_assignments(request.user)
        if g.role == RoleAssignment.Role.BRANCH_SECRETARY
    ]
    branches = scope.dues_branches(request.user).filter(pk__in=own, valid_to__isnull=True)
    if not own:
        return []
    runs = queries.unpaid_runs(
        branches,
        today,
        min_months=params.value("dues.arrears", "months", day=today),
        lookback_months=params.value("dues.arrears", "lookback_months", day=today),
    )
    items = [
        Item(
            _("Members with dues unpaid for six months or more"),
            reverse("dues:arrears"),
            count=len(runs),
            tone="danger" if runs else "",
        )
    ]
    month = queries.last_ended_month(today)
    handed = set(
        scope.visible(HandIn, request.user)
        .filter(party_organization__in=branches, first_month__lte=month, last_month__gte=month)
        .values_list("party_organization_id", flat=True)
    )
    for branch in branches.order_by("name"):
        if branch.pk not in handed:
            items.append(
                Item(
                    _("Hand in the dues of %(month)s") % {"month": queries.label(month)},
                    reverse("dues:hand_in_new", args=[branch.pk]),
                    tone="warning",
                    note=branch.name,
                )
            )
    return items


def officer_dues(request, today):
    waiting = (
        scope.visible(HandIn, request.user)
        .filter(received_on__isnull=True)
        .exclude(party_organization__in=_secretary_of(request.user))
        .count()
    )
    url = f"{reverse('dues:hand_ins')}?{urlencode({'received': 'no'})}"
    return [
        Item(
            _("Dues hand-ins to receive"),
            url,
            count=waiting,
            tone="warning" if waiting else "",
        )
    ]


def _secretary_of(user):
    return [
        g.party_organization_id
        for g in scope.current_assignments(user)
        if g.role == RoleAssignment.Role.BRANCH_SECRETARY
    ]


def my_dues(request, today):
    own = scope.own_member_ids(request.user)
    last = queries.last_ended_month(today)
    first = add_months(last, -11)
    unpaid = queries.unpaid_months(
        scope.visible(DuesMonth, request.user).filter(member_id__in=own), today, first, last
    ).aggregate(months=Count("pk"), fen=Sum("due_fen"))
    months = int(unpaid["months"] or 0)
    return [
        Item(
            _("Months of the last year with dues unpaid"),
            reverse("dues:mine"),
            count=months,
            tone="warning" if months else "",
            note=_("%(amount)s yuan due") % {"amount": yuan(int(unpaid["fen"]))}
            if months
            else _("All paid."),
        )
    ]


def register_panels() -> None:
    register(
        Panel(
            "dues.secretary",
            _("Party dues to do"),
            capability="secretary",
            items=secretary_dues,
            order=30,
            hide_when_empty=True,
        )
    )
    register(
        Panel(
            "dues.officer",
            _("Party dues hand-ins"),
            capability="officer",
            items=officer_dues,
            order=60,
        )
    )
    register(Panel("dues.mine", _("My party dues"), capability="member", items=my_dues, order=20))
