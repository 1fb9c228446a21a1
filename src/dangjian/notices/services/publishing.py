"""The life of a published notice: publishing (targets frozen as receipts), withdrawing, and
replacing by a new version whose receipts start again."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.notices.models import Notice, Notification, Receipt
from dangjian.notices.services.common import _notify_receipts
from dangjian.notices.services.drafts import CONTENT_FIELDS, TARGET_FIELDS, create_notice
from dangjian.notices.services.targets import resolve_targets
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Organization

# -- publishing: targets resolved once ----------------------------------------------------------


@transaction.atomic
def publish(notice: Notice, *, actor: Any, now: datetime.datetime | None = None) -> Notice:
    """Resolve the targets, freeze them as receipts, tell the people who answer for them."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Notice.Status.DRAFT:
        raise WorkflowError(_("Only a draft can be published."))
    if notice.sign_deadline <= now:
        raise ValidationError({"sign_deadline": _("The signing deadline has already passed.")})
    targets = resolve_targets(notice, timezone.localdate(now))
    if not targets:
        raise WorkflowError(_("The notice has no recipients: choose whom it goes to."))
    before = snapshot(notice)
    receipts = Receipt.objects.bulk_create(
        [
            Receipt(notice=notice, target_name=t.name[:200], **{f"{t.field}_id": t.pk})
            for t in targets
        ]
    )
    notice.status = Notice.Status.PUBLISHED
    notice.published_at = now
    notice.save()
    record_change(actor, notice, before)
    receipts = list(Receipt.objects.filter(notice=notice))
    told = _notify_receipts(
        receipts, Notification.Kind.NOTICE, _("New notice: %(t)s") % {"t": notice.title}, notice
    )
    record_event(
        actor,
        AuditEvent.NOTICE_PUBLISHED,
        notice,
        targets=len(receipts),
        notified=told,
        audience=notice.audience,
    )
    return notice


@transaction.atomic
def withdraw(notice: Notice, reason: str, *, actor: Any) -> Notice:
    """Take a published notice back; its receipts stay as they were (the history)."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Notice.Status.PUBLISHED:
        raise WorkflowError(_("Only a published notice can be withdrawn."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the notice is withdrawn.")})
    before = snapshot(notice)
    notice.status = Notice.Status.WITHDRAWN
    notice.withdrawn_at = timezone.now()
    notice.withdraw_reason = reason.strip()[:300]
    notice.save()
    record_change(actor, notice, before)
    record_event(actor, AuditEvent.NOTICE_WITHDRAWN, notice, reason=notice.withdraw_reason)
    _notify_receipts(
        list(notice.receipts.all()),
        Notification.Kind.NOTICE,
        _("Notice withdrawn: %(t)s") % {"t": notice.title},
        notice,
    )
    return notice


@transaction.atomic
def republish(
    notice: Notice,
    values: dict[str, Any],
    reason: str,
    *,
    organizations: Iterable[Organization] | None = None,
    party_organizations: Iterable[PartyOrganization] | None = None,
    actor: Any,
    now: datetime.datetime | None = None,
) -> Notice:
    """Replace a published or withdrawn notice by a new version (content and targets as
    given, the old ones where not): its receipts start again; the old version is kept, marked
    replaced, with its receipts."""
    old = Notice.objects.select_for_update().get(pk=notice.pk)
    if old.status not in (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN):
        raise WorkflowError(_("Only a published or withdrawn notice can be republished."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why a new version is needed.")})
    merged = {f: getattr(old, f) for f in CONTENT_FIELDS + TARGET_FIELDS}
    merged.update(values)
    new = create_notice(
        federation=old.federation,
        party_organization=old.party_organization,
        values=merged,
        organizations=organizations if organizations is not None else old.organizations.all(),
        party_organizations=(
            party_organizations if party_organizations is not None else old.target_branches.all()
        ),
        actor=actor,
    )
    before = snapshot(old)
    old.status = Notice.Status.REPLACED
    if old.withdrawn_at is None:
        old.withdrawn_at = timezone.now()
    old.save()
    record_change(actor, old, before)
    new_before = snapshot(new)
    new.previous = old
    new.duty, new.period = old.duty, old.period
    new.version_no = old.version_no + 1
    new.change_reason = reason.strip()[:300]
    new.save()
    record_change(actor, new, new_before)
    record_event(
        actor, AuditEvent.NOTICE_REPUBLISHED, new, replaces=old.pk, reason=new.change_reason
    )
    return publish(new, actor=actor, now=now)
