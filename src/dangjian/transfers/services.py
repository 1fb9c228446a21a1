"""Every write of a transfer of the 组织关系: issuing the letter (numbered), accepting it (the
relation moves on that day, through ``party.services.move_relation`` — never another way),
returning or cancelling it, recording the receipt (回执) and the national system's reference;
one function per business action, atomic and audited. Two officers accepting the same transfer:
the versioned claim lets one win, the other is told it is already accepted.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import numbering
from dangjian.core.audit import acting_user, record_change, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import Conflict, WorkflowError
from dangjian.party import queries as party_queries
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.services import move_relation
from dangjian.rulebook import params
from dangjian.transfers import queries
from dangjian.transfers.models import Transfer

RULE = queries.RULE


def register_of(federation) -> str:
    """The federation's register of introduction letters (``core.numbering``)."""
    return f"transfers.letter:{federation.pk}"


def letter_prefix(federation) -> str:
    return f"{federation.letter_prefix or federation.short_name or federation.name}组"


def _require(transfer: Transfer, *statuses: str) -> None:
    if transfer.status not in statuses:
        if transfer.status == Transfer.Status.ACCEPTED:
            raise Conflict(
                _("This transfer has already been accepted (on %(day)s).")
                % {"day": transfer.accepted_on.isoformat() if transfer.accepted_on else "—"}
            )
        raise Conflict(
            _("This transfer is %(status)s: that step is not possible now.")
            % {"status": transfer.get_status_display()}
        )


def _check_validity(days, federation, day) -> int:
    max_days = int(params.value(RULE, "validity_days", day=day, federation=federation))
    if days in (None, ""):
        return max_days
    days = int(days)
    if not 1 <= days <= max_days:
        raise ValidationError(
            _(
                "An introduction letter is valid for 1 to %(max)d days (组通字〔2006〕45号; the "
                "rulebook's transfers.overdue)."
            )
            % {"max": max_days}
        )
    return days


def _destination(to, member_relation, day):
    """The destination as (party organization, outside name), refused when it is the member's
    own branch, does not exist that day, or is empty."""
    if isinstance(to, PartyOrganization):
        if member_relation is not None and member_relation.party_organization_id == to.pk:
            raise ValidationError(_("The member's relation is already held by that branch."))
        if not to.is_valid_on(day):
            raise ValidationError(_("That party organization does not exist on that date."))
        return to, ""
    name = (to or "").strip()
    if not name:
        raise ValidationError(_("Name the party organization the member transfers to."))
    if len(name) > 200:
        raise ValidationError(_("The name of the party organization is at most 200 characters."))
    return None, name


@transaction.atomic
def issue_transfer(
    member: PartyMember,
    *,
    to: PartyOrganization | str,
    issued_on: datetime.date,
    actor,
    valid_days: int | None = None,
    dues_paid_to: datetime.date | None = None,
    reason: str = "",
    contact_note: str = "",
) -> Transfer:
    """Issue the introduction letter moving the member's relation out of their branch on
    ``issued_on``: to a party organization of the system (it accepts on its page) or to one
    outside it (by the printed letter, the receipt recorded when it comes back). The letter is
    numbered in the sending federation's register; the relation does not move yet."""
    if dues_paid_to is None:
        dues_paid_to = queries.dues_paid_to(member)
    return _issue(
        member,
        to=to,
        issued_on=issued_on,
        actor=actor,
        valid_days=valid_days,
        dues_paid_to=dues_paid_to,
        reason=reason,
        contact_note=contact_note,
    )


def _issue(
    member, *, to, issued_on, actor, valid_days, dues_paid_to, reason, contact_note, printed=None
) -> Transfer:
    """The letter's checks and its record: numbered in the register (``printed`` None), or a
    paper letter issued before the system kept the register, with the number printed on it
    (``printed``; "" when the ledger has none: no number is taken for it, as none would
    match the paper)."""
    PartyMember.objects.select_for_update().filter(pk=member.pk).first()
    if issued_on is None:
        raise ValidationError(_("The date of issue is required."))
    if member.left_on is not None and member.left_on <= issued_on:
        raise ValidationError(_("The member has left the ledger."))
    relation = party_queries.relation_on(member, issued_on)
    if relation is None or relation.party_organization is None:
        raise ValidationError(
            _(
                "The member's relation is not held by a party organization of the system on that date."
            )
        )
    source = relation.party_organization
    if queries.pending(member).exists():
        raise ValidationError(_("A transfer of this member is already awaiting acceptance."))
    to_org, to_external = _destination(to, relation, issued_on)
    federation = source.federation
    days = _check_validity(valid_days, federation, issued_on)
    year: int | None
    serial: int | None
    if printed is None:
        year, serial, letter_no = _next_number(federation, issued_on.year)
    else:
        year, serial, letter_no = _printed_number(federation, printed)
    transfer = Transfer.objects.create(
        member=member,
        federation=federation,
        from_party_organization=source,
        to_party_organization=to_org,
        to_external=to_external,
        issued_on=issued_on,
        valid_days=days,
        dues_paid_to=dues_paid_to.replace(day=1) if dues_paid_to else None,
        reason=(reason or "").strip(),
        contact_note=(contact_note or "").strip(),
        year=year,
        serial=serial,
        letter_no=letter_no,
    )
    record_change(actor, transfer, None)
    return transfer


def _next_number(federation, year: int) -> tuple[int, int, str]:
    serial = numbering.take(register_of(federation), year)
    return year, serial, numbering.doc_number(letter_prefix(federation), year, serial)


def _printed_number(federation, printed: str) -> tuple[int | None, int | None, str]:
    """A paper letter's number: in the federation's register when it has the register's form
    (its prefix), so the register's next number follows it and it is never handed out again;
    otherwise (an older register's form) kept as printed, outside the register."""
    printed = printed.strip()
    if not printed:
        return None, None, ""
    if len(printed) > 50:
        raise ValidationError(_("The letter number is at most 50 characters."))
    parsed = numbering.parse_doc_number(printed)
    if parsed is None or parsed[0] != letter_prefix(federation):
        return None, None, printed
    _prefix, year, serial = parsed
    if Transfer.objects.filter(federation=federation, year=year, serial=serial).exists():
        raise ValidationError(
            _("The letter number %(number)s is already held by another transfer in the register.")
            % {"number": printed}
        )
    numbering.record(register_of(federation), year, serial)
    return year, serial, numbering.doc_number(letter_prefix(federation), year, serial)


@transaction.atomic
def record_past_transfer(
    member: PartyMember,
    *,
    source: PartyOrganization | str,
    to: PartyOrganization | str,
    issued_on: datetime.date,
    actor,
    letter_no: str = "",
    valid_days: int | None = None,
    accepted_on: datetime.date | None = None,
    receipt_on: datetime.date | None = None,
    dues_paid_to: datetime.date | None = None,
    reason: str = "",
) -> Transfer:
    """A transfer that happened before the system kept them (the transfers ledger), recorded
    through the same steps and checks as a new one: the letter issued on ``issued_on`` (with
    its printed number, see ``_printed_number``; none when the ledger has none), accepted on
    ``accepted_on`` — the relation moves that day — or still awaiting acceptance without it.

    ``source`` is a party organization of the system, or the name of one outside it (a letter
    received from outside: accepted on arrival, ``letter_no`` required). When the member's
    relation on ``issued_on`` is not recorded at all, the letter is the record that it was held
    by ``source`` that day; a relation recorded elsewhere that day is refused."""
    if not isinstance(source, PartyOrganization):
        if accepted_on is None:
            raise ValidationError(
                _("A letter received from outside the system needs its acceptance date.")
            )
        transfer = receive_from_outside(
            member,
            to=to,  # type: ignore[arg-type]  # the caller's kind: a party organization here
            from_external=source,
            external_letter_no=letter_no,
            issued_on=issued_on,
            valid_days=valid_days or _check_validity(None, to.federation, issued_on),  # type: ignore[union-attr]
            accepted_on=accepted_on,
            dues_paid_to=dues_paid_to,
            reason=reason,
            actor=actor,
        )
        if receipt_on is not None:
            transfer = record_receipt_sent(
                transfer, version=transfer.version, sent_on=receipt_on, actor=actor
            )
        return transfer
    if issued_on is not None:
        relation = party_queries.relation_on(member, issued_on)
        if relation is None:
            move_relation(member, to=source, on=issued_on, actor=actor, note=letter_no)
        elif relation.party_organization_id != source.pk:
            raise ValidationError(
                _("On %(day)s the member's relation was held by %(holder)s, not by %(source)s.")
                % {
                    "day": issued_on.isoformat(),
                    "holder": relation.party_organization or relation.external,
                    "source": source.name,
                }
            )
    transfer = _issue(
        member,
        to=to,
        issued_on=issued_on,
        actor=actor,
        valid_days=valid_days,
        dues_paid_to=dues_paid_to,
        reason=reason,
        contact_note="",
        printed=letter_no or "",
    )
    if accepted_on is None:
        if receipt_on is not None:
            raise ValidationError(_("A receipt needs the date the letter was accepted."))
        return transfer
    if isinstance(to, PartyOrganization):
        return accept_transfer(transfer, version=transfer.version, on=accepted_on, actor=actor)
    return record_receipt(
        transfer,
        version=transfer.version,
        received_on=receipt_on or accepted_on,
        accepted_on=accepted_on,
        actor=actor,
    )


@transaction.atomic
def accept_transfer(transfer: Transfer, *, version, on: datetime.date, actor) -> Transfer:
    """The receiving party organization accepts (within the system): the member's relation
    moves to it on ``on``. Refused for an expired letter (a new one must be issued)."""
    transfer = claim(Transfer, transfer.pk, version)
    _require(transfer, Transfer.Status.ISSUED)
    if transfer.to_party_organization is None:
        raise WorkflowError(_("A letter out of the system is completed by recording its receipt."))
    return _accept(transfer, on=on, actor=actor)


def _accept(transfer: Transfer, *, on, actor) -> Transfer:
    if on is None:
        raise ValidationError(_("The date of acceptance is required."))
    if on < transfer.issued_on:
        raise ValidationError(_("The acceptance cannot be earlier than the letter's issue."))
    if on > transfer.valid_until:
        raise ValidationError(
            _(
                "The introduction letter was valid until %(day)s (%(days)d days) and has expired: "
                "issue a new one (组通字〔2006〕45号)."
            )
            % {"day": transfer.valid_until.isoformat(), "days": transfer.valid_days}
        )
    before = snapshot(transfer)
    move_relation(
        transfer.member,
        to=transfer.to_party_organization or transfer.to_external,
        on=on,
        actor=actor,
        note=transfer.letter_no or transfer.external_letter_no,
    )
    transfer.status = Transfer.Status.ACCEPTED
    transfer.accepted_on = on
    transfer.accepted_by = acting_user(actor)
    if transfer.to_party_organization_id and transfer.from_party_organization_id:
        transfer.receipt_on = on  # within the system the acceptance is the receipt
    transfer.save()
    record_change(actor, transfer, before)
    return transfer


@transaction.atomic
def record_receipt(
    transfer: Transfer, *, version, received_on: datetime.date, accepted_on=None, actor
) -> Transfer:
    """The receipt (回执) of a letter out of the system came back: the receiving organization
    accepted the member on ``accepted_on`` (as written on it; the day it came back when not
    known), and the relation moves out of the system that day."""
    transfer = claim(Transfer, transfer.pk, version)
    _require(transfer, Transfer.Status.ISSUED)
    if transfer.to_party_organization_id is not None:
        raise WorkflowError(_("A transfer within the system is completed by its acceptance."))
    if received_on is None:
        raise ValidationError(_("The date the receipt came back is required."))
    accepted_on = accepted_on or received_on
    if received_on < accepted_on:
        raise ValidationError(_("The receipt cannot come back before the acceptance."))
    transfer = _accept(transfer, on=accepted_on, actor=actor)
    before = snapshot(transfer)
    transfer.receipt_on = received_on
    transfer.save(update_fields=["receipt_on", "updated_at"])
    record_change(actor, transfer, before)
    return transfer


@transaction.atomic
def receive_from_outside(
    member: PartyMember,
    *,
    to: PartyOrganization,
    from_external: str,
    external_letter_no: str,
    issued_on: datetime.date,
    valid_days: int,
    accepted_on: datetime.date,
    actor,
    dues_paid_to: datetime.date | None = None,
    reason: str = "",
) -> Transfer:
    """A member arrives with a printed letter from a party organization outside the system: the
    branch accepts it (the relation moves in on ``accepted_on``); our receipt is then due."""
    PartyMember.objects.select_for_update().filter(pk=member.pk).first()
    if not (from_external or "").strip():
        raise ValidationError(_("Name the party organization that issued the letter."))
    if not (external_letter_no or "").strip():
        raise ValidationError(_("The number of the letter received is required."))
    if issued_on is None:
        raise ValidationError(_("The date of issue is required."))
    if queries.pending(member).exists():
        raise ValidationError(_("A transfer of this member is already awaiting acceptance."))
    relation = party_queries.relation_on(member, accepted_on or issued_on)
    to_org, _name = _destination(to, relation, accepted_on or issued_on)
    if valid_days in (None, "") or int(valid_days) < 1:
        raise ValidationError(_("The letter's validity in days is required."))
    transfer = Transfer.objects.create(
        member=member,
        federation=to_org.federation,
        from_external=from_external.strip(),
        to_party_organization=to_org,
        issued_on=issued_on,
        valid_days=int(valid_days),
        dues_paid_to=dues_paid_to.replace(day=1) if dues_paid_to else None,
        external_letter_no=external_letter_no.strip(),
        reason=(reason or "").strip(),
    )
    record_change(actor, transfer, None)
    return _accept(transfer, on=accepted_on, actor=actor)


@transaction.atomic
def record_receipt_sent(transfer: Transfer, *, version, sent_on: datetime.date, actor) -> Transfer:
    """Our receipt for a letter received from outside the system was sent back."""
    transfer = claim(Transfer, transfer.pk, version)
    _require(transfer, Transfer.Status.ACCEPTED)
    if not transfer.is_from_outside:
        raise WorkflowError(_("Only a letter received from outside the system needs our receipt."))
    if sent_on is None or (transfer.accepted_on and sent_on < transfer.accepted_on):
        raise ValidationError(_("The receipt is sent on or after the acceptance."))
    before = snapshot(transfer)
    transfer.receipt_on = sent_on
    transfer.save(update_fields=["receipt_on", "updated_at"])
    record_change(actor, transfer, before)
    return transfer


@transaction.atomic
def close_transfer(transfer: Transfer, *, version, status: str, reason: str, actor) -> Transfer:
    """Return (by the receiver) or cancel (by the sender) a transfer awaiting acceptance: the
    member stays where they are. A reason is required."""
    transfer = claim(Transfer, transfer.pk, version)
    _require(transfer, Transfer.Status.ISSUED)
    if status not in (Transfer.Status.RETURNED, Transfer.Status.CANCELLED):
        raise WorkflowError(_("Choose whether the transfer is returned or cancelled."))
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason."))
    before = snapshot(transfer)
    transfer.status = status
    transfer.closed_reason = reason.strip()[:200]
    transfer.save()
    record_change(actor, transfer, before)
    return transfer


@transaction.atomic
def record_national(transfer: Transfer, *, version, ref: str, on=None, actor) -> Transfer:
    """The transfer was also completed in the 全国党员管理信息系统 (reference as given there)."""
    transfer = claim(Transfer, transfer.pk, version)
    if not (ref or "").strip():
        raise ValidationError(_("The reference in the national system is required."))
    before = snapshot(transfer)
    transfer.national_ref = ref.strip()[:100]
    transfer.national_on = on or timezone.localdate()
    transfer.save()
    record_change(actor, transfer, before)
    return transfer


@transaction.atomic
def transfer_in_many(
    members, *, to: PartyOrganization, issued_on: datetime.date, actor, reason: str = ""
) -> list[Transfer]:
    """One transfer each into ``to`` for ``members`` whose relation is held on ``issued_on`` by
    another party organization of the system (the formation workflow's one step "transfer the
    covered units' members in"): each letter is numbered in its sender's register and awaits
    acceptance; the relation moves when ``to`` accepts, and until then the sender keeps the
    member (T-4). Members already held by ``to``, awaiting a transfer, or whose relation is
    outside the system or unrecorded are skipped (their letter comes from outside). All or
    nothing: a refusal for one member names them and issues none."""
    if issued_on is None:
        raise ValidationError(_("The date of issue is required."))
    if not to.is_valid_on(issued_on):
        raise ValidationError(_("That party organization does not exist on that date."))
    done = []
    seen: set[int] = set()
    for member in sorted(members, key=lambda m: (m.name, m.pk)):
        if member.pk in seen:
            continue
        seen.add(member.pk)
        relation = party_queries.relation_on(member, issued_on)
        if relation is None or relation.party_organization is None:
            continue
        if relation.party_organization_id == to.pk or queries.pending(member).exists():
            continue
        try:
            transfer = issue_transfer(
                member, to=to, issued_on=issued_on, reason=reason, actor=actor
            )
        except ValidationError as exc:
            raise ValidationError(
                _("%(name)s: %(error)s") % {"name": member.name, "error": " ".join(exc.messages)}
            ) from exc
        done.append(transfer)
    return done
