"""Reminders before the signing and feedback deadlines and at them, each once (N-3):
``send_reminders``, run by ``dangjian remind_notices``, ``nightly`` and ``scheduler``."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.notices.models import Notice, Notification, Receipt
from dangjian.notices.services.common import _notify_receipts, _param

# -- reminders ------------------------------------------------------------------------------


@transaction.atomic
def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind whoever has not signed yet: once within ``remind_hours_before`` of the signing
    deadline (unless the notice came out inside that window: its own notification was the
    reminder) and once when the deadline passes (``remind_at_deadline``). Idempotent: each
    receipt gets each reminder once. Returns the number of receipts reminded."""
    now = now or timezone.now()
    # Notices with someone still to remind (one query), then each notice's receipts: the
    # windows are per federation (the rulebook's overrides), and notices are few.
    waiting = Receipt.objects.filter(
        notice=OuterRef("pk"), signed_at__isnull=True, reminded_due_at__isnull=True
    )
    notices = Notice.objects.filter(Exists(waiting), status=Notice.Status.PUBLISHED)
    total = 0
    by_notice: list[tuple[Notice, list[Receipt], list[Receipt]]] = []
    for notice in notices.select_related("federation").order_by("pk"):
        unsigned = Receipt.objects.filter(notice=notice, signed_at__isnull=True)
        hours = _param("remind_hours_before", notice.federation)
        window = notice.sign_deadline - datetime.timedelta(hours=hours)
        published = notice.published_at or notice.created_at
        before_deadline: list[Receipt] = []
        at_deadline: list[Receipt] = []
        if now >= notice.sign_deadline:
            if _param("remind_at_deadline", notice.federation):
                at_deadline = list(unsigned.filter(reminded_due_at__isnull=True))
        elif now >= window and published < window:
            before_deadline = list(unsigned.filter(reminded_before_at__isnull=True))
        by_notice.append((notice, before_deadline, at_deadline))
    for notice, before_deadline, at_deadline in by_notice:
        if before_deadline:
            Receipt.objects.filter(pk__in=[r.pk for r in before_deadline]).update(
                reminded_before_at=now
            )
            _notify_receipts(
                before_deadline,
                Notification.Kind.REMINDER,
                _("Reminder: sign by %(d)s: %(t)s")
                % {
                    "d": timezone.localtime(notice.sign_deadline).strftime("%Y-%m-%d %H:%M"),
                    "t": notice.title,
                },
                notice,
            )
        if at_deadline:
            Receipt.objects.filter(pk__in=[r.pk for r in at_deadline]).update(reminded_due_at=now)
            _notify_receipts(
                at_deadline,
                Notification.Kind.REMINDER,
                _("Signing deadline passed, not yet signed: %(t)s") % {"t": notice.title},
                notice,
            )
        if before_deadline or at_deadline:
            record_event(
                None,
                AuditEvent.NOTICE_REMINDED,
                notice,
                before_deadline=len(before_deadline),
                at_deadline=len(at_deadline),
            )
            total += len(before_deadline) + len(at_deadline)
    return total + _remind_feedback(now)


def _remind_feedback(now: datetime.datetime) -> int:
    """The same two reminders for a task's feedback not yet submitted (or returned for more):
    within ``remind_hours_before`` of the feedback deadline and when it passes, each once."""
    pending = Q(notice=OuterRef("pk"), feedback_reminded_due_at__isnull=True) & ~Q(
        status__in=(Receipt.Status.SUBMITTED, Receipt.Status.DONE)
    )
    notices = Notice.objects.filter(
        Exists(Receipt.objects.filter(pending)),
        status=Notice.Status.PUBLISHED,
        kind=Notice.Kind.TASK,
        feedback_deadline__isnull=False,
    )
    total = 0
    for notice in notices.select_related("federation").order_by("pk"):
        assert notice.feedback_deadline is not None
        waiting = Receipt.objects.filter(notice=notice).exclude(
            status__in=(Receipt.Status.SUBMITTED, Receipt.Status.DONE)
        )
        deadline = notice.feedback_deadline
        window = deadline - datetime.timedelta(
            hours=_param("remind_hours_before", notice.federation)
        )
        published = notice.published_at or notice.created_at
        before: list[Receipt] = []
        due: list[Receipt] = []
        if now >= deadline:
            if _param("remind_at_deadline", notice.federation):
                due = list(waiting.filter(feedback_reminded_due_at__isnull=True))
        elif now >= window and published < window:
            before = list(waiting.filter(feedback_reminded_before_at__isnull=True))
        if before:
            Receipt.objects.filter(pk__in=[r.pk for r in before]).update(
                feedback_reminded_before_at=now
            )
            when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
            _notify_receipts(
                before,
                Notification.Kind.REMINDER,
                _("Reminder: feedback due by %(d)s: %(t)s") % {"d": when, "t": notice.title},
                notice,
            )
        if due:
            Receipt.objects.filter(pk__in=[r.pk for r in due]).update(feedback_reminded_due_at=now)
            _notify_receipts(
                due,
                Notification.Kind.REMINDER,
                _("Feedback deadline passed, no feedback yet: %(t)s") % {"t": notice.title},
                notice,
            )
        if before or due:
            record_event(
                None,
                AuditEvent.NOTICE_REMINDED,
                notice,
                feedback_before_deadline=len(before),
                feedback_at_deadline=len(due),
            )
            total += len(before) + len(due)
    return total
