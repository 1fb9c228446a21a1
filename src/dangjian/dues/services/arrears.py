"""Arrears: a good reason found for months left unpaid, and the steps people take about them."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import acting_user, record_change
from dangjian.dues.models import ArrearsReason, ArrearsStep
from dangjian.dues.services.common import _months, _not_before_joining, _not_in_future, _today
from dangjian.party.models import PartyMember


# -- arrears -----------------------------------------------------------------------------------
@transaction.atomic
def record_arrears_reason(
    member: PartyMember,
    *,
    first_month: datetime.date,
    last_month: datetime.date,
    reason: str,
    recorded_on: datetime.date | None = None,
    actor,
    today: datetime.date | None = None,
) -> ArrearsReason:
    """A good reason the branch found for months left unpaid (they stop counting towards the
    six months of 党章 art. 9; the dues are still owed)."""
    today = _today(today)
    first_month, last_month = _months(first_month, last_month)
    recorded_on = recorded_on or today
    _not_in_future(recorded_on, today)
    _not_before_joining(member, first_month)
    if not reason.strip():
        raise ValidationError(_("Say what the good reason is."))
    obj = ArrearsReason.objects.create(
        member=member,
        first_month=first_month,
        last_month=last_month,
        reason=reason.strip(),
        recorded_on=recorded_on,
        recorded_by=acting_user(actor),
    )
    record_change(actor, obj, None)
    return obj


@transaction.atomic
def record_arrears_step(
    member: PartyMember,
    *,
    kind: str,
    taken_on: datetime.date,
    note: str,
    actor,
    today: datetime.date | None = None,
) -> ArrearsStep:
    """What people did about the arrears (a reminder, a talk, the branch general meeting, the
    higher organization's approval), with its date. Recording the approval of a removal does
    not remove the member: that is done, if at all, on the member's record by whoever may."""
    today = _today(today)
    if kind not in ArrearsStep.Kind.values:
        raise ValidationError(_("Choose what was done."))
    _not_in_future(taken_on, today)
    if not note.strip():
        raise ValidationError(_("Say what was found or decided."))
    obj = ArrearsStep.objects.create(
        member=member,
        kind=kind,
        taken_on=taken_on,
        note=note.strip(),
        recorded_by=acting_user(actor),
    )
    record_change(actor, obj, None)
    return obj
