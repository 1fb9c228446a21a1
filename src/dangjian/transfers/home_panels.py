"""Transfers on the home pages of whoever keeps a branch's members (secretaries, officers):
letters to accept at their branches, and transfers overdue (a lapsed letter, a receipt not
recorded in time) — the same definition the overdue rule reads (``queries.overdue``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.access.models import Action
from dangjian.transfers import queries
from dangjian.transfers.models import Transfer


def transfers(request, today):
    user = request.user
    kept = scope.dues_branches(user, Action.EDIT).values("pk")
    visible = scope.visible(Transfer, user)
    items = []
    to_accept = visible.filter(status=Transfer.Status.ISSUED, to_party_organization__in=kept)
    count = to_accept.count()
    if count:
        items.append(
            Item(
                _("Letters of introduction to accept"),
                reverse("transfers:index") + "?status=issued",
                count,
                tone="warning",
            )
        )
    for row in queries.overdue(visible.filter(from_party_organization__in=kept), today):
        items.append(
            Item(
                row.transfer.member.name,
                reverse("transfers:detail", args=[row.transfer.pk]),
                tone="danger",
                note=_("letter lapsed") if row.what == "expired" else _("receipt overdue"),
            )
        )
    return items


def register_panels():
    register(
        Panel(
            "transfers.to_do",
            _("Transfers of organizational relations"),
            capability="keep_meetings",
            items=transfers,
            order=25,
            hide_when_empty=True,
        )
    )
