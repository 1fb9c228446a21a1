"""The recipient's side: a receipt read, signed, answered with leave (N-5), a task's feedback
submitted, and the sender's review of it (done, or returned for more)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import acting_user, record_change, record_event, record_read, snapshot
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.core.richtext import sanitise
from dangjian.notices.models import Notice, Notification, Receipt
from dangjian.notices.services.common import _notify_receipts
from dangjian.notices.services.drafts import add_file

# -- the recipient's side -------------------------------------------------------------------


def _open_receipt(receipt: Receipt) -> Receipt:
    receipt = Receipt.objects.select_for_update().select_related("notice").get(pk=receipt.pk)
    if receipt.notice.status != Notice.Status.PUBLISHED:
        raise WorkflowError(_("This notice was withdrawn: there is nothing to sign."))
    return receipt


@transaction.atomic
def mark_read(receipt: Receipt, *, actor: Any) -> bool:
    """The first opening of a notice by whoever answers for the receipt (N-2 "read"): a read,
    logged as one. Later openings change nothing. Returns whether it was the first."""
    updated = Receipt.objects.filter(pk=receipt.pk, status=Receipt.Status.UNREAD).update(
        status=Receipt.Status.READ, read_at=timezone.now()
    )
    if updated:
        record_read(actor, AuditEvent.NOTICE_READ, receipt, notice=receipt.notice_id)
    return bool(updated)


@transaction.atomic
def sign(receipt: Receipt, *, actor: Any, now: datetime.datetime | None = None) -> Receipt:
    """Sign for a notice (an explicit click: who and when)."""
    receipt = _open_receipt(receipt)
    if receipt.is_signed:
        raise WorkflowError(_("This notice is already signed for."))
    now = now or timezone.now()
    before = snapshot(receipt)
    user = acting_user(actor)
    receipt.status = Receipt.Status.SIGNED
    receipt.read_at = receipt.read_at or now
    receipt.signed_at = now
    receipt.signed_by = user
    receipt.signed_by_name = (user.get_full_name() or user.get_username()) if user else ""
    receipt.save()
    record_change(actor, receipt, before)
    record_event(
        actor,
        AuditEvent.NOTICE_SIGNED,
        receipt,
        notice=receipt.notice_id,
        late=now > receipt.notice.sign_deadline,
    )
    return receipt


@transaction.atomic
def ask_leave(
    receipt: Receipt, reason: str, *, actor: Any, now: datetime.datetime | None = None
) -> Receipt:
    """A member's answer to a meeting notice: they will not attend, and why (请假, N-5). It
    answers the notice (counted as signed for); the sender sees the reason."""
    receipt = _open_receipt(receipt)
    if receipt.notice.kind != Notice.Kind.MEETING:
        raise WorkflowError(_("Leave can be asked for a meeting notice only."))
    if receipt.status == Receipt.Status.LEAVE:
        raise WorkflowError(_("Leave is already asked for."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you cannot attend.")})
    now = now or timezone.now()
    before = snapshot(receipt)
    user = acting_user(actor)
    receipt.status = Receipt.Status.LEAVE
    receipt.leave_reason = reason.strip()[:300]
    receipt.read_at = receipt.read_at or now
    receipt.signed_at = receipt.signed_at or now
    receipt.signed_by = receipt.signed_by or user
    receipt.signed_by_name = receipt.signed_by_name or (
        (user.get_full_name() or user.get_username()) if user else ""
    )
    receipt.save()
    record_change(actor, receipt, before)
    record_event(
        actor,
        AuditEvent.NOTICE_LEAVE_ASKED,
        receipt,
        notice=receipt.notice_id,
        reason=receipt.leave_reason,
    )
    return receipt


@transaction.atomic
def submit_feedback(
    receipt: Receipt,
    text: str,
    *,
    progress: int | None = None,
    files: Iterable[Any] = (),
    actor: Any,
) -> Receipt:
    """A task's feedback (text, progress, files): signs for the notice first if not yet."""
    receipt = _open_receipt(receipt)
    if not receipt.notice.is_task:
        raise WorkflowError(_("This notice asks for no feedback."))
    if receipt.status in (Receipt.Status.SUBMITTED, Receipt.Status.DONE):
        raise WorkflowError(_("The feedback is already submitted."))
    if not text.strip():
        raise ValidationError({"feedback": _("Write the feedback.")})
    if not receipt.is_signed:
        receipt = sign(receipt, actor=actor)
    before = snapshot(receipt)
    receipt.feedback = str(sanitise(text))
    receipt.progress = progress
    receipt.feedback_at = timezone.now()
    receipt.status = Receipt.Status.SUBMITTED
    receipt.save()
    for upload in files:
        add_file(receipt.notice, upload, receipt=receipt, actor=actor)
    record_change(actor, receipt, before)
    record_event(actor, AuditEvent.NOTICE_FEEDBACK_SUBMITTED, receipt, notice=receipt.notice_id)
    return receipt


@transaction.atomic
def review(receipt: Receipt, *, accept: bool, comment: str = "", actor: Any) -> Receipt:
    """The sender's review of a task's feedback: done, or returned for more with a reason."""
    receipt = Receipt.objects.select_for_update().select_related("notice").get(pk=receipt.pk)
    if receipt.status != Receipt.Status.SUBMITTED:
        raise WorkflowError(_("Only submitted feedback can be reviewed."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Say what more is needed.")})
    before = snapshot(receipt)
    receipt.status = Receipt.Status.DONE if accept else Receipt.Status.RETURNED
    receipt.review_comment = comment.strip()[:500]
    receipt.reviewed_at = timezone.now()
    receipt.reviewed_by = acting_user(actor)
    receipt.save()
    record_change(actor, receipt, before)
    record_event(
        actor,
        AuditEvent.NOTICE_FEEDBACK_ACCEPTED if accept else AuditEvent.NOTICE_FEEDBACK_RETURNED,
        receipt,
        notice=receipt.notice_id,
    )
    title = (
        _("Feedback accepted: %(t)s") if accept else _("Feedback returned for more: %(t)s")
    ) % {"t": receipt.notice.title}
    _notify_receipts([receipt], Notification.Kind.REVIEW, title, receipt.notice)
    return receipt
