"""Every write on dues: declarations, reductions, the assessment of months, payments, good
reasons and steps on arrears, hand-ins and their receipt, the yearly publication.

Keyword ``actor``, atomic, audited; refusals are Django's ``ValidationError`` or
``core.errors.Conflict`` with a Chinese message. The pages, the ledger import, the demo and the
admin call these (tests/test_services_only.py fails on a write anywhere else). Nothing here
removes or changes a party member: arrears are recorded and acted on by people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import bulk
from dangjian.core.audit import acting_user, record_change, record_changes, record_event, snapshot
from dangjian.core.errors import Conflict
from dangjian.core.events import AuditEvent
from dangjian.core.money import yuan
from dangjian.dues import amounts, assessment, queries
from dangjian.dues.contact import payments_changed
from dangjian.dues.models import (
    BASE_CATEGORIES,
    ArrearsReason,
    ArrearsStep,
    Category,
    DuesBase,
    DuesMonth,
    DuesPayment,
    DuesPublication,
    DuesRelief,
    HandIn,
)
from dangjian.dues.queries import label, month_start
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.rulebook.periods import add_months

# Branches assessed together: some thousands of members at a time.
BRANCHES_PER_CHUNK = 200
Method = DuesPayment.Method


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _not_in_future(day: datetime.date | None, today: datetime.date) -> None:
    if day is not None and day > today:
        raise ValidationError(_("This date is in the future."))


def _months(first: datetime.date, last: datetime.date) -> tuple[datetime.date, datetime.date]:
    first, last = month_start(first), month_start(last)
    if last < first:
        raise ValidationError(_("The last month must not be earlier than the first month."))
    return first, last


def _not_before_joining(member: PartyMember, month: datetime.date) -> None:
    if month < queries.first_due_month(member):
        raise ValidationError(
            _("%(name)s joined the party in %(month)s; no dues are due before that month.")
            % {"name": member.name, "month": label(queries.first_due_month(member))}
        )


def _create_once(obj: Any, conflict: str) -> None:
    """Save a new row whose uniqueness the database guards: of two people saving the same
    thing at once, one wins and the other gets ``conflict``."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(conflict) from None


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


# -- the assessment ----------------------------------------------------------------------------
MONTH_COLUMNS = [
    "member_id",
    "month",
    "party_organization_id",
    "category",
    "base_fen",
    "rate_bp",
    "standard_fen",
    "due_fen",
    "relief_id",
    "assessed_on",
]


@dataclass
class Assessed:
    created: int = 0
    without_base: set[int] = field(default_factory=set)  # members with nothing declared


def assess(
    branches: QuerySet[PartyOrganization],
    months: Iterable[datetime.date],
    *,
    actor,
    today: datetime.date | None = None,
    note: str = "",
) -> Assessed:
    """Set the dues of ``months`` for every member who owes them at ``branches`` (where they
    hold their 组织关系) and has none set yet: the year's amounts at its start, or a month at a
    time. Members with nothing declared are left out and reported. Months already set stay as
    they are (``reassess`` re-sets them after a change of pay or a reduction). One audit event."""
    today = _today(today)
    result = Assessed()
    months = sorted({month_start(m) for m in months})
    with transaction.atomic(), bulk.roomy_cache():
        branch_ids = list(branches.order_by("pk").values_list("pk", flat=True))
        for month in months:
            # A few hundred branches at a time: their members, read through the index of
            # their 组织关系, with their declarations and reductions in the same query (a
            # subquery of all the branches would make SQLite walk every member each time).
            assessed = DuesMonth.objects.filter(member=OuterRef("pk"), month=month)
            for start in range(0, len(branch_ids), BRANCHES_PER_CHUNK):
                part = branch_ids[start : start + BRANCHES_PER_CHUNK]
                members = PartyMember.objects.filter(
                    queries.payers_q(month), relation_party_organization_id__in=part
                ).exclude(Exists(assessed))
                rows, missing = assessment.insert_rows(members, month, today)
                result.without_base |= missing
                bulk.insert(DuesMonth, MONTH_COLUMNS, rows)
                result.created += len(rows)
        if result.created:
            record_event(
                actor,
                AuditEvent.DUES_ASSESSED,
                None,
                note=note,
                created=result.created,
                months=[f"{m:%Y-%m}" for m in months],
                without_base=len(result.without_base),
            )
    return result


def assess_year(
    branch: PartyOrganization, year: int, *, actor, today: datetime.date | None = None
) -> Assessed:
    """The amounts of the year set at its start (年初核定), for one branch."""
    months = queries.months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 1))
    return assess(PartyOrganization.objects.filter(pk=branch.pk), months, actor=actor, today=today)


def _assess_member(member: PartyMember, months: list[datetime.date], *, actor, today) -> None:
    branch = member.relation_party_organization_id
    if branch is None:  # dues are due where the relation is held: nowhere in this system
        return
    have = set(
        DuesMonth.objects.filter(member=member, month__in=months).values_list("month", flat=True)
    )
    rows = []
    for month in months:
        if month in have:
            continue
        dues, _missing = assessment.compute([member.pk], month)
        d = dues.get(member.pk)
        if d is not None:
            rows.append(
                DuesMonth(
                    member=member,
                    month=month,
                    party_organization_id=branch,
                    category=d.category,
                    base_fen=d.base_fen,
                    rate_bp=d.rate_bp,
                    standard_fen=d.standard_fen,
                    due_fen=d.due_fen,
                    relief_id=d.relief_id,
                    assessed_on=today,
                )
            )
    if rows:
        DuesMonth.objects.bulk_create(rows, ignore_conflicts=True)
        record_event(
            actor,
            AuditEvent.DUES_ASSESSED,
            member,
            created=len(rows),
            months=[f"{r.month:%Y-%m}" for r in rows],
        )


@transaction.atomic
def reassess(
    member_ids: list[int], from_month: datetime.date, *, actor, today: datetime.date | None = None
) -> int:
    """Re-set the assessed, unpaid months of ``member_ids`` from ``from_month`` on, after a change
    of pay or an approved reduction. Paid months keep the amount they were paid at. Returns how
    many changed (each with its field-level audit record)."""
    today = _today(today)
    paid = DuesPayment.objects.filter(member_id=OuterRef("member_id"), month=OuterRef("month"))
    rows = list(
        DuesMonth.objects.filter(member_id__in=member_ids, month__gte=month_start(from_month))
        .exclude(Exists(paid))
        .order_by("month")
    )
    pairs = []
    for month in sorted({r.month for r in rows}):
        dues, _missing = assessment.compute(member_ids, month)
        for row in (r for r in rows if r.month == month):
            d = dues.get(row.member_id)
            if d is None:
                continue
            before = snapshot(row)
            new = {
                "category": d.category,
                "base_fen": d.base_fen,
                "rate_bp": d.rate_bp,
                "standard_fen": d.standard_fen,
                "due_fen": d.due_fen,
                "relief_id": d.relief_id,
            }
            if all(getattr(row, k) == v for k, v in new.items()):
                continue
            for name, value in new.items():
                setattr(row, name, value)
            row.assessed_on = today
            pairs.append((row, before))
    if pairs:
        DuesMonth.objects.bulk_update(
            [row for row, _before in pairs],
            ["category", "base_fen", "rate_bp", "standard_fen", "due_fen", "relief", "assessed_on"],
        )
        record_changes(actor, pairs, note="reassessed")
    return len(pairs)


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
    DuesPayment.objects.bulk_update(payments, ["receipt_no"], batch_size=2000)
    payments_changed(payments)
    if payments:
        record_event(
            actor, AuditEvent.DUES_PAYMENTS_RECORDED, None, note=note, created=len(payments)
        )
    return payments


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


# -- hand-ins and the publication -------------------------------------------------------------
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


@transaction.atomic
def publish_year(
    branch: PartyOrganization,
    year: int,
    *,
    published_on: datetime.date | None = None,
    actor,
    today: datetime.date | None = None,
) -> DuesPublication:
    """Publish the branch's dues of ``year`` (党费收缴情况公示) as they stand on the day. The
    figures are kept as published; publishing again replaces them (and says so in the trail)."""
    today = _today(today)
    published_on = published_on or today
    _not_in_future(published_on, today)
    if published_on < datetime.date(year, 1, 1):
        raise ValidationError(_("A year cannot be published before it begins."))
    figures = queries.year_table(branch, year, published_on)
    if not figures["rows"]:
        raise ValidationError(
            _("No dues are set for %(year)d at this branch yet: set the year's amounts first.")
            % {"year": year}
        )
    existing = (
        DuesPublication.objects.select_for_update()
        .filter(party_organization=branch, year=year)
        .first()
    )
    if existing is not None:
        before = snapshot(existing)
        existing.published_on = published_on
        existing.figures = figures
        existing.published_by = acting_user(actor)
        existing.save()
        record_change(actor, existing, before, note="published again")
        publication = existing
    else:
        publication = DuesPublication(
            party_organization=branch,
            year=year,
            published_on=published_on,
            figures=figures,
            published_by=acting_user(actor),
        )
        _create_once(publication, _("Someone else published this year at the same time."))
        record_change(actor, publication, None)
    record_event(actor, AuditEvent.DUES_PUBLISHED, publication, year=year)
    return publication
