"""The party ledger on home pages: the officer's terms to renew (换届提醒), counted as the list
``party:terms_to_renew`` shows them (``party.term_queries.terms_to_renew``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.party import term_queries


def terms(request, today):
    rows = term_queries.terms_to_renew(scope.party_organizations(request.user), today)
    count = rows.count()
    if not count:
        return []
    return [
        Item(
            _("Terms ending within the reminder period or overdue"),
            reverse("party:terms_to_renew"),
            count=count,
            tone="warning",
        )
    ]


def register_panels():
    register(
        Panel(
            "party.terms",
            _("Terms to renew"),
            capability="officer",
            items=terms,
            order=40,
            hide_when_empty=True,
        )
    )
