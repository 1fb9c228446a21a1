"""A branch's hand-in of what it collected in a month or a quarter, and its receipt by the
higher organization."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import acting_user, record_change, record_event, snapshot
from dangjian.core.errors import Conflict
from dangjian.core.events import AuditEvent
from dangjian.core.money import yuan
from dangjian.dues import queries
from dangjian.dues.models import DuesPayment, HandIn
from dangjian.dues.queries import label, month_start
from dangjian.dues.services.common import _create_once, _not_in_future, _today
from dangjian.party.models import PartyOrganization
from dangjian.rulebook.periods import add_months


# -- hand-ins (the publication is in ``publication``) ------------------------------------------
@transaction.atomic
def hand_in(
    branch: PartyOrganization,
    *,
    period: str,
    first_month: datetime.date,
    amount_fen: int,
    handed_on: datetime.date,
    note: str = "",
    actor,
    today: datetime.date | None = None,
) -> HandIn:
    """The branch hands in what it collected in a month or a quarter (by the days paid). An
    amount that differs from its recorded payments is refused; so is a period already handed
    in. The statement lists the months, the payments and the amount."""
    today = _today(today)
    if period not in HandIn.Period.values:
        raise ValidationError(_("Choose a month or a quarter."))
    first_month = month_start(first_month)
    if period == HandIn.Period.QUARTER:
        first_month = first_month.replace(month=(first_month.month - 1) // 3 * 3 + 1)
    last_month = add_months(first_month, 2 if period == HandIn.Period.QUARTER else 0)
    first_day, last_day = first_month, queries.month_end(last_month)
    _not_in_future(handed_on, today)
    if last_day >= today:
        raise ValidationError(_("A period can be handed in once it has ended."))
    if handed_on <= last_day:
        raise ValidationError(_("The hand-in date must be after the end of the period."))
    overlapping = HandIn.objects.filter(
        party_organization=branch, first_month__lte=last_month, last_month__gte=first_month
    ).first()
    if overlapping is not None:
        raise Conflict(
            _("%(first)s–%(last)s was already handed in on %(day)s.")
            % {
                "first": label(overlapping.first_month),
                "last": label(overlapping.last_month),
                "day": overlapping.handed_on.isoformat(),
            }
        )
    collected = queries.collected_fen(branch, first_day, last_day)
    if amount_fen != collected:
        raise ValidationError(
            _(
                "The amount handed in (%(amount)s yuan) does not match the dues the branch "
                "recorded as collected from %(first)s to %(last)s (%(collected)s yuan). Record the "
                "missing payments or correct the amount."
            )
            % {
                "amount": yuan(amount_fen),
                "collected": yuan(collected),
                "first": first_day.isoformat(),
                "last": last_day.isoformat(),
            }
        )
    payments = DuesPayment.objects.filter(
        party_organization=branch, paid_on__gte=first_day, paid_on__lte=last_day
    )
    count = payments.count()
    members = payments.values("member_id").distinct().count()
    months_text = (
        label(first_month)
        if first_month == last_month
        else f"{label(first_month)}至{label(last_month)}"
    )
    statement = (
        f"{branch.name}{months_text}收缴党费 {yuan(collected)} 元（{members} 名党员、{count} 笔），"
        f"于 {handed_on.isoformat()} 全额上缴上级党组织。"
    )
    if note.strip():
        statement += f"\n{note.strip()}"
    obj = HandIn(
        party_organization=branch,
        period=period,
        first_month=first_month,
        last_month=last_month,
        amount_fen=amount_fen,
        handed_on=handed_on,
        statement=statement,
        recorded_by=acting_user(actor),
    )
    _create_once(obj, _("Someone else recorded this hand-in at the same time; reload the page."))
    record_change(actor, obj, None)
    record_event(actor, AuditEvent.DUES_HANDED_IN, obj, amount_fen=amount_fen)
    return obj


@transaction.atomic
def receive_hand_in(
    obj: HandIn,
    *,
    received_on: datetime.date,
    note: str = "",
    actor,
    today: datetime.date | None = None,
) -> HandIn:
    """The higher organization received the hand-in."""
    today = _today(today)
    _not_in_future(received_on, today)
    obj = HandIn.objects.select_for_update().get(pk=obj.pk)
    if obj.received_on is not None:
        raise Conflict(
            _("This hand-in was already received on %(day)s.")
            % {"day": obj.received_on.isoformat()}
        )
    if received_on < obj.handed_on:
        raise ValidationError(_("It cannot be received before it was handed in."))
    before = snapshot(obj)
    obj.received_on = received_on
    obj.received_by = acting_user(actor)
    obj.received_note = note.strip()
    obj.save(update_fields=["received_on", "received_by", "received_note", "updated_at"])
    record_change(actor, obj, before)
    record_event(actor, AuditEvent.DUES_HAND_IN_RECEIVED, obj)
    return obj
