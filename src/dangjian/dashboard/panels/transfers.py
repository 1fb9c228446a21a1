"""Transfers of the 组织关系, flowing and lost-contact members on the day
(``transfers.queries.figures``): transfers awaiting acceptance into or out of the subtree's
party organizations and those overdue (an expired letter, a receipt past its month), members
registered as flowing, and members declared lost contact or suspended — each linking to its
list."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.dashboard.panels import register
from dangjian.transfers.models import Transfer
from dangjian.transfers.queries import figures as transfer_figures


@register("transfers", gettext_lazy("Transfers and members away"), 80)
def compute(ctx) -> dict[str, Any]:
    party_orgs = ctx.dues_branches().values("pk")
    f = transfer_figures(party_orgs, ctx.day)
    pending = ctx.url("transfers:index", status=Transfer.Status.ISSUED)
    rows = [
        (_("transfers awaiting acceptance"), f.pending, pending),
        (
            _("transfers overdue"),
            f.overdue,
            ctx.url("rules:finding_list", rule="transfers.overdue"),
        ),
        (_("flowing members"), f.flowing, ctx.url("transfers:flowing")),
        (_("members lost contact"), f.lost_contact, ctx.url("transfers:lost")),
    ]
    chart = {
        "id": "transfers-figures",
        "title": _("Transfers and members away"),
        "type": "bar",
        "unit": "",
        "x": [label for label, _v, _l in rows],
        "series": [{"name": _("number"), "data": [v for _l, v, _u in rows]}],
        "links": [link for _l, _v, link in rows],
    }
    figures = [{"label": label, "value": v, "unit": "", "link": link} for label, v, link in rows]
    return {"figures": figures, "charts": [chart]}
