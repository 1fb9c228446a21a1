"""Every write of the recommendations app: drafting from findings, numbering, sending,
recording the reply and closing; one function per business action, atomic and audited.

Numbers are taken in ``issue_letter`` from ``core.numbering`` (the one numbered-register helper):
the federation's counter row for the year is locked with
``select_for_update()`` (on SQLite the settings open every transaction IMMEDIATE, which
serialises writers the same way), incremented, and written to the letter in the same
transaction, so concurrent officers get distinct consecutive numbers and a failed transaction
leaves no gap.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import numbering
from dangjian.core.audit import acting_user, record_change, record_event, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import Conflict
from dangjian.core.events import AuditEvent
from dangjian.recommendations.drafting import draft_text
from dangjian.recommendations.models import Letter

# The letter changed after this user opened it, or is no longer in the right state: the one
# conflict error of every app (pages catch it under this name too).
LetterConflict = Conflict


def _require(letter: Letter, *statuses: str) -> None:
    if letter.status not in statuses:
        raise LetterConflict(
            _("This letter is %(status)s: that step is not possible now.")
            % {"status": letter.get_status_display()}
        )


format_doc_number = numbering.doc_number


# The letter tells the gravest matters first: dormancy, empty shells, then credit-list proposals.
RULE_ORDER = ("dormancy.", "shell.", "credit.", "formation.")


def _finding_order(finding):
    rank = next(
        (i for i, prefix in enumerate(RULE_ORDER) if finding.rule_id.startswith(prefix)),
        len(RULE_ORDER),
    )
    return (finding.subject_name, rank, finding.rule_id, finding.pk)


@transaction.atomic
def draft_letter(
    federation,
    findings,
    *,
    recipient_kind: str,
    recipient: str = "",
    today: datetime.date | None = None,
    actor,
) -> Letter:
    """A draft recommendation from selected findings (read, never recomputed)."""
    findings = sorted(findings, key=_finding_order)
    if not findings:
        raise ValueError(_("Select at least one finding."))
    organizations = []
    for finding in findings:
        if finding.organization_id and finding.organization not in organizations:
            organizations.append(finding.organization)
    text = draft_text(
        federation,
        findings,
        organizations,
        recipient_kind,
        recipient,
        today or timezone.localdate(),
    )
    letter = Letter.objects.create(
        federation=federation,
        recipient_kind=recipient_kind,
        recipient=text.recipient,
        title=text.title,
        body=text.body,
        contact_note=text.contact_note,
        drafted_by=acting_user(actor),
    )
    letter.findings.set(findings)
    letter.organizations.set(organizations)
    record_change(actor, letter, None)
    record_event(
        actor,
        AuditEvent.LETTER_DRAFTED,
        letter,
        findings=[f.pk for f in findings],
        organizations=[o.pk for o in organizations],
    )
    return letter


@transaction.atomic
def update_letter(
    letter: Letter,
    *,
    recipient: str,
    title: str,
    body: str,
    contact_note: str = "",
    version: int | str,
    actor,
) -> Letter:
    letter = claim(Letter, letter.pk, version)
    _require(letter, Letter.Status.DRAFT)
    before = snapshot(letter)
    letter.recipient, letter.title, letter.body = recipient, title, body
    letter.contact_note = contact_note
    letter.save()
    record_change(actor, letter, before)
    return letter


def register_of(federation) -> str:
    """The federation's register of outgoing letters (``core.numbering``)."""
    return f"recommendations.letter:{federation.pk}"


def _next_serial(federation, year: int) -> int:
    """Take the next serial number of the federation's register (locked, gap-free)."""
    return numbering.take(register_of(federation), year)


@transaction.atomic
def issue_letter(
    letter: Letter,
    *,
    version: int | str,
    issued_on: datetime.date | None = None,
    actor,
) -> Letter:
    """Give the draft its number in the register (编号) and date it."""
    letter = claim(Letter, letter.pk, version)
    _require(letter, Letter.Status.DRAFT)
    before = snapshot(letter)
    issued_on = issued_on or timezone.localdate()
    federation = letter.federation
    serial = _next_serial(federation, issued_on.year)
    prefix = federation.letter_prefix or federation.short_name or federation.name
    letter.year, letter.serial = issued_on.year, serial
    letter.doc_number = format_doc_number(prefix, issued_on.year, serial)
    letter.issued_on = issued_on
    letter.issued_by = acting_user(actor)
    letter.status = Letter.Status.ISSUED
    letter.save()
    record_change(actor, letter, before)
    record_event(actor, AuditEvent.LETTER_ISSUED, letter, doc_number=letter.doc_number)
    return letter


@transaction.atomic
def mark_sent(letter: Letter, *, sent_on, sent_via: str = "", version: int | str, actor) -> Letter:
    letter = claim(Letter, letter.pk, version)
    _require(letter, Letter.Status.ISSUED)
    before = snapshot(letter)
    letter.sent_on, letter.sent_via = sent_on, sent_via
    letter.status = Letter.Status.SENT
    letter.save()
    record_change(actor, letter, before)
    record_event(actor, AuditEvent.LETTER_SENT, letter, sent_on=str(sent_on))
    return letter


@transaction.atomic
def record_reply(letter: Letter, *, replied_on, reply: str, version: int | str, actor) -> Letter:
    letter = claim(Letter, letter.pk, version)
    _require(letter, Letter.Status.SENT, Letter.Status.ANSWERED)
    before = snapshot(letter)
    letter.replied_on, letter.reply = replied_on, reply
    letter.status = Letter.Status.ANSWERED
    letter.save()
    record_change(actor, letter, before)
    record_event(actor, AuditEvent.LETTER_ANSWERED, letter, replied_on=str(replied_on))
    return letter


@transaction.atomic
def close_letter(letter: Letter, *, closed_on, note: str = "", version: int | str, actor) -> Letter:
    letter = claim(Letter, letter.pk, version)
    _require(letter, Letter.Status.SENT, Letter.Status.ANSWERED)
    before = snapshot(letter)
    letter.closed_on, letter.close_note = closed_on, note
    letter.status = Letter.Status.CLOSED
    letter.save()
    record_change(actor, letter, before)
    record_event(actor, AuditEvent.LETTER_CLOSED, letter)
    return letter


@transaction.atomic
def withdraw_letter(letter: Letter, *, version: int | str, actor) -> Letter:
    """Withdraw a draft (it never had a number, so the register keeps no gap)."""
    letter = claim(Letter, letter.pk, version)
    _require(letter, Letter.Status.DRAFT)
    before = snapshot(letter)
    letter.status = Letter.Status.WITHDRAWN
    letter.save()
    record_change(actor, letter, before)
    record_event(actor, AuditEvent.LETTER_WITHDRAWN, letter)
    return letter
