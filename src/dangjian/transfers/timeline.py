"""Transfers in a member's file (``party.timeline``): each letter issued, accepted, returned."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.party import timeline
from dangjian.transfers.models import Transfer


def _transfers(member, as_of):
    rows = Transfer.objects.filter(member=member, issued_on__lte=as_of).select_related(
        "from_party_organization", "to_party_organization"
    )
    topic = _("transfer")
    for t in rows:
        number = t.letter_no or t.external_letter_no
        yield timeline.Entry(
            t.issued_on,
            topic,
            f"开具组织关系介绍信{number}：由{t.from_name}转往{t.to_name}",
            "transfers",
        )
        if t.accepted_on and t.accepted_on <= as_of:
            yield timeline.Entry(t.accepted_on, topic, f"{t.to_name}接收组织关系", "transfers")
        if t.receipt_on and t.receipt_on <= as_of and t.receipt_on != t.accepted_on:
            yield timeline.Entry(t.receipt_on, topic, f"介绍信{number}回执", "transfers")


def register():
    timeline.register("transfers", _transfers)
