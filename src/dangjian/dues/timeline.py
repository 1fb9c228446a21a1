"""Party dues in a member's file: each month paid (``party.timeline``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.core.money import yuan
from dangjian.dues.models import DuesPayment
from dangjian.party import timeline


def _paid(member, as_of):
    for p in DuesPayment.objects.filter(member=member, paid_on__lte=as_of).order_by("paid_on"):
        text = f"交纳{p.month:%Y年%m月}党费 {yuan(p.amount_fen)} 元"
        yield timeline.Entry(p.paid_on, _("party dues"), text, "dues")


def register():
    timeline.register("dues", _paid)
