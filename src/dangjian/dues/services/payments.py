"""Payments: the months a payment may cover, the amount it must reach, one member's payment
for one or several months (one receipt), and many at once for the ledger import."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core import bulk
from dangjian.core.audit import acting_user, record_change, record_event
from dangjian.core.errors import Conflict
from dangjian.core.events import AuditEvent
from dangjian.core.money import yuan
from dangjian.dues import amounts
from dangjian.dues.contact import payments_changed
from dangjian.dues.models import DuesMonth, DuesPayment
from dangjian.dues.queries import label, month_start
from dangjian.dues.services.assessing import _assess_member
from dangjian.dues.services.common import _not_before_joining, _not_in_future, _today
from dangjian.party.models import PartyMember
from dangjian.rulebook.periods import add_months

Method = DuesPayment.Method


# -- payments ----------------------------------------------------------------------------------
def _who(user) -> str:
    return user.get_username() if user is not None else _("the system")


def _already_paid(member: PartyMember, months: list[datetime.date]) -> Conflict:
    done = (
        DuesPayment.objects.filter(member=member, month__in=months)
        .select_related("recorded_by")
        .order_by("month")
        .first()
    )
    if done is None:  # pragma: no cover - the constraint fired, so a row exists
        return Conflict()
    return Conflict(
        _(
            "%(name)s's dues for %(month)s were already recorded as paid (%(amount)s yuan on "
            "%(day)s, receipt %(receipt)s, recorded by %(who)s). Nothing was recorded twice."
        )
        % {
            "name": member.name,
            "month": label(done.month),
            "amount": yuan(done.amount_fen),
            "day": done.paid_on.isoformat(),
            "receipt": done.receipt_no,
            "who": _who(done.recorded_by),
        }
    )


def check_payment_months(
    member: PartyMember,
    months: list[datetime.date],
    paid_on: datetime.date,
    federation: Any = None,
) -> None:
    """The months a payment made on ``paid_on`` may cover: none before the member joined, none
    more than the rulebook's back-payment limit before the month of payment (older arrears are
    the branch's to deal with, 党章 art. 9), none further ahead than its advance limit."""
    _not_before_joining(member, months[0])
    paid_month = month_start(paid_on)
    back = amounts.local("back_payment_max_months", paid_on, federation)
    earliest = add_months(paid_month, -back)
    if months[0] < earliest:
        raise ValidationError(
            _(
                "A back payment may cover at most %(n)d months before the month it is paid in, "
                "so from %(month)s; older arrears are for the branch to deal with (Party "
                "Constitution, art. 9)."
            )
            % {"n": back, "month": label(earliest)}
        )
    ahead = amounts.local("advance_max_months", paid_on, federation)
    latest = add_months(paid_month, ahead)
    if months[-1] > latest:
        raise ValidationError(
            _("Dues may be paid at most %(n)d months ahead, so up to %(month)s.")
            % {"n": ahead, "month": label(latest)}
        )


def check_amount(dues: list[DuesMonth] | list[int], amount_fen: int) -> None:
    """An amount covering what the months are due (more is a voluntary extra; less needs an
    approved reduction). ``dues`` are the months' rows or their amounts in fen."""
    due = sum(d if isinstance(d, int) else d.due_fen for d in dues)
    if amount_fen < due:
        raise ValidationError(
            _(
                "%(amount)s yuan entered, but %(due)s yuan is due. Paying less needs a reduction "
                "decided by the branch and approved by the higher organization."
            )
            % {"amount": yuan(amount_fen), "due": yuan(due)}
        )


@transaction.atomic
def record_payment(
    member: PartyMember,
    *,
    months: Iterable[datetime.date],
    amount_fen: int,
    paid_on: datetime.date,
    method: str,
    note: str = "",
    actor,
    today: datetime.date | None = None,
) -> list[DuesPayment]:
    """The member paid for ``months`` (one, several ahead, or some back) on ``paid_on``: one
    payment per month, each at its amount due, any extra on the last; the months share a
    receipt. Months not yet assessed are assessed first. A month already paid is refused (the
    database's constraint decides, so of two people recording it at once one wins and the
    other is told, with who recorded it)."""
    today = _today(today)
    months = sorted({month_start(m) for m in months})
    if not months:
        raise ValidationError(_("Choose at least one month."))
    if method not in Method.values:
        raise ValidationError(_("Choose how the dues were paid."))
    _not_in_future(paid_on, today)
    branch = member.relation_party_organization
    if branch is None:
        raise ValidationError(
            _(
                "%(name)s holds no organizational relation in a party organization of this "
                "system; dues are paid where the relation is held."
            )
            % {"name": member.name}
        )
    check_payment_months(member, months, paid_on, branch.federation)
    _assess_member(member, months, actor=actor, today=today)
    dues = {d.month: d for d in DuesMonth.objects.filter(member=member, month__in=months)}
    missing = [m for m in months if m not in dues]
    if missing:
        raise ValidationError(
            _("Declare %(name)s's dues category and base first (none is in force for %(month)s).")
            % {"name": member.name, "month": label(missing[0])}
        )
    exempt = [m for m in months if dues[m].due_fen == 0]
    if exempt:
        raise ValidationError(
            _("%(name)s is exempt for %(month)s: nothing is due.")
            % {"name": member.name, "month": label(exempt[0])}
        )
    check_amount([dues[m] for m in months], amount_fen)
    shares = [dues[m].due_fen for m in months]
    shares[-1] += amount_fen - sum(shares)
    recorder = acting_user(actor)
    payments = [
        DuesPayment(
            member=member,
            month=m,
            party_organization=branch,
            amount_fen=share,
            paid_on=paid_on,
            method=method,
            note=note,
            recorded_by=recorder,
        )
        for m, share in zip(months, shares, strict=True)
    ]
    try:
        with transaction.atomic():
            DuesPayment.objects.bulk_create(payments)
    except IntegrityError:
        raise _already_paid(member, months) from None
    receipt = f"{paid_on:%Y%m%d}-{payments[0].pk}"
    DuesPayment.objects.filter(pk__in=[p.pk for p in payments]).update(receipt_no=receipt)
    payments_changed(payments)
    for payment in payments:
        payment.receipt_no = receipt
        record_change(actor, payment, None, note=note)
    return payments


@transaction.atomic
def record_payments_bulk(
    rows: list[dict], *, actor, note: str = "", today=None
) -> list[DuesPayment]:
    """Many payments, one month each (the ledger import, which checked each row with
    ``check_payment_months`` and ``check_amount``): dicts of ``member`` (a PartyMember), ``month``,
    ``amount_fen``, ``paid_on``, ``method`` and ``note``. The months are assessed first; a
    member's months paid on one day with one method share a receipt. One audit event."""
    today = _today(today)
    by_member: dict[int, list[dict]] = {}
    for row in rows:
        by_member.setdefault(row["member"].pk, []).append(row)
    for member_rows in by_member.values():
        member = member_rows[0]["member"]
        _assess_member(
            member, [month_start(r["month"]) for r in member_rows], actor=actor, today=today
        )
    recorder = acting_user(actor)
    payments = [
        DuesPayment(
            member=row["member"],
            month=month_start(row["month"]),
            party_organization_id=row["member"].relation_party_organization_id,
            amount_fen=row["amount_fen"],
            paid_on=row["paid_on"],
            method=row.get("method") or Method.CASH,
            note=row.get("note", ""),
            recorded_by=recorder,
        )
        for row in rows
    ]
    try:
        with transaction.atomic():
            DuesPayment.objects.bulk_create(payments, batch_size=2000)
    except IntegrityError:
        raise Conflict(
            _("Some of these months were recorded as paid meanwhile; check the file again.")
        ) from None
    receipts: dict[tuple[int, datetime.date, str], str] = {}
    for payment in payments:
        key = (payment.member_id, payment.paid_on, payment.method)
        receipts.setdefault(key, f"{payment.paid_on:%Y%m%d}-{payment.pk}")
        payment.receipt_no = receipts[key]
    bulk.update_objects(payments, ["receipt_no"])
    payments_changed(payments)
    if payments:
        record_event(
            actor, AuditEvent.DUES_PAYMENTS_RECORDED, None, note=note, created=len(payments)
        )
    return payments
