"""A member's declared category and base, and the reductions and exemptions the branch decides
and the higher organization approves; each re-sets the unpaid months it changes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import acting_user, record_change, snapshot
from dangjian.core.errors import Conflict
from dangjian.dues import amounts
from dangjian.dues.models import BASE_CATEGORIES, Category, DuesBase, DuesRelief
from dangjian.dues.queries import label, month_start
from dangjian.dues.services.assessing import reassess
from dangjian.dues.services.common import (
    _create_once,
    _months,
    _not_before_joining,
    _not_in_future,
    _today,
)
from dangjian.party.models import PartyMember


# -- declarations ------------------------------------------------------------------------------
@transaction.atomic
def declare_base(
    member: PartyMember,
    *,
    from_month: datetime.date,
    category: str,
    base_fen: int | None = None,
    fixed_fen: int | None = None,
    declared_on: datetime.date | None = None,
    note: str = "",
    actor,
    today: datetime.date | None = None,
) -> DuesBase:
    """The member's category and monthly base (or a farmer's fixed amount) from ``from_month``,
    the month the new pay starts. Unpaid months already assessed from then on are re-set; paid
    months keep the amount they were paid at. A second declaration for the same month corrects
    the first."""
    today = _today(today)
    from_month = month_start(from_month)
    declared_on = declared_on or today
    _not_in_future(declared_on, today)
    _not_before_joining(member, from_month)
    amounts.check_declaration(category, base_fen, fixed_fen, amounts.rates(from_month))
    values = {
        "category": category,
        "base_fen": base_fen if category in BASE_CATEGORIES else None,
        "fixed_fen": fixed_fen if category == Category.RURAL else None,
        "declared_on": declared_on,
        "note": note,
    }
    existing = DuesBase.objects.filter(member=member, from_month=from_month).first()
    if existing is not None:
        before = snapshot(existing)
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        record_change(actor, existing, before, note=note)
        base = existing
    else:
        base = DuesBase(
            member=member, from_month=from_month, recorded_by=acting_user(actor), **values
        )
        _create_once(
            base,
            _(
                "Someone else declared %(name)s's base from %(month)s at the same time; reload "
                "the page to see it."
            )
            % {"name": member.name, "month": label(from_month)},
        )
        record_change(actor, base, None, note=note)
    reassess([member.pk], from_month, actor=actor, today=today)
    return base


@transaction.atomic
def record_relief(
    member: PartyMember,
    *,
    kind: str,
    first_month: datetime.date,
    last_month: datetime.date,
    reason: str,
    decided_on: datetime.date,
    monthly_fen: int | None = None,
    actor,
    today: datetime.date | None = None,
) -> DuesRelief:
    """A reduction or exemption the branch decided; it applies once approved."""
    today = _today(today)
    first_month, last_month = _months(first_month, last_month)
    _not_in_future(decided_on, today)
    _not_before_joining(member, first_month)
    if kind not in DuesRelief.Kind.values:
        raise ValidationError(_("Choose a reduction or an exemption."))
    if kind == DuesRelief.Kind.REDUCED and monthly_fen is None:
        raise ValidationError(_("Enter the reduced monthly amount."))
    if not reason.strip():
        raise ValidationError(_("Give the reason the branch decided on."))
    overlapping = DuesRelief.objects.filter(
        member=member, first_month__lte=last_month, last_month__gte=first_month
    ).first()
    if overlapping is not None:
        raise ValidationError(
            _("%(name)s already has a reduction or exemption for %(first)s–%(last)s.")
            % {
                "name": member.name,
                "first": label(overlapping.first_month),
                "last": label(overlapping.last_month),
            }
        )
    relief = DuesRelief.objects.create(
        member=member,
        kind=kind,
        monthly_fen=monthly_fen if kind == DuesRelief.Kind.REDUCED else None,
        first_month=first_month,
        last_month=last_month,
        reason=reason.strip(),
        decided_on=decided_on,
        recorded_by=acting_user(actor),
    )
    record_change(actor, relief, None)
    return relief


@transaction.atomic
def approve_relief(
    relief: DuesRelief,
    *,
    approved_on: datetime.date,
    approved_by: str,
    actor,
    today: datetime.date | None = None,
) -> DuesRelief:
    """The higher organization's approval: the months it covers are re-set (unpaid ones)."""
    today = _today(today)
    relief = DuesRelief.objects.select_for_update().get(pk=relief.pk)
    if relief.approved_on is not None:
        raise Conflict(_("This reduction or exemption was already approved."))
    _not_in_future(approved_on, today)
    if approved_on < relief.decided_on:
        raise ValidationError(_("The approval cannot come before the branch's decision."))
    before = snapshot(relief)
    relief.approved_on = approved_on
    relief.approved_by = approved_by.strip()
    relief.save(update_fields=["approved_on", "approved_by", "updated_at"])
    record_change(actor, relief, before)
    reassess([relief.member_id], relief.first_month, actor=actor, today=today)
    return relief
