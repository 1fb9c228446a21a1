"""Every write of the notices app: one function per business action, atomic, audited.

The life of a notice (LIFECYCLE.md §5): a draft is written and published; publishing resolves
its targets once and freezes them as receipt rows (N-1) and its content with them (N-4). A
published notice is withdrawn (the receipts stay, as history) or replaced by a new version
whose receipts start again, with a reason. Each receipt goes unread → read (first opened) →
signed (who, when) and, for a task, → feedback submitted → done, or returned for more (N-2,
N-7). Reminders go out before the signing deadline and at it, each once, and likewise before
a task's feedback deadline and at it (N-3, ``send_reminders``, run by ``dangjian
remind_notices``, ``dangjian nightly`` and ``dangjian scheduler``). A meeting notice is
answered by each member, who signs or asks for leave with a reason (N-5, ``ask_leave``).

Notifications (the bell) are messages that go with an audited event — a publication, a
reminder, a review, a decision about a unit — and carry no audit row of their own.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access.holders import holders
from dangjian.core import uploads, workdays
from dangjian.core.audit import (
    acting_user,
    record_change,
    record_event,
    record_read,
    snapshot,
)
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.core.models import valid_on_q
from dangjian.core.richtext import sanitise
from dangjian.notices.models import Notice, NoticeFile, Notification, Receipt
from dangjian.party.models import Coverage, PartyMember, PartyOrganization
from dangjian.party.queries import held_in_q, member_in_ledger_q
from dangjian.registry.models import Membership, Organization
from dangjian.rulebook import params

CONTENT_FIELDS = ("kind", "urgent", "title", "body", "sign_deadline", "feedback_deadline")
TARGET_FIELDS = ("audience", "category")
MAX_FILES = 10
ALLOWED_FILES = uploads.DOCUMENT_KINDS


# -- deadlines ------------------------------------------------------------------------------


def _param(name: str, federation: Any = None) -> Any:
    return params.value("notices.receipts", name, federation=federation)


def _local_at(day: datetime.date, like: datetime.datetime) -> datetime.datetime:
    """``day`` at the local time of day of ``like``."""
    local = timezone.localtime(like)
    return local.replace(year=day.year, month=day.month, day=day.day)


def default_deadline(
    now: datetime.datetime, *, urgent: bool, federation: Any = None
) -> datetime.datetime:
    """The signing deadline a new notice gets unless its sender sets one (rulebook
    ``notices.receipts``): an urgent one within hours, another within working days by the
    official holiday schedule (``core.workdays``), at the same time of day."""
    if urgent:
        return now + datetime.timedelta(hours=_param("urgent_sign_hours", federation))
    days = _param("sign_working_days", federation)
    return _local_at(workdays.add_workdays(timezone.localdate(now), days).day, now)


def default_feedback_deadline(
    sign_deadline: datetime.datetime, *, federation: Any = None
) -> datetime.datetime:
    """A task's feedback deadline unless its sender sets one: ``feedback_working_days``
    working days after the signing deadline."""
    days = _param("feedback_working_days", federation)
    return _local_at(
        workdays.add_workdays(timezone.localdate(sign_deadline), days).day, sign_deadline
    )


def deadline_provisional(start: datetime.datetime, deadline: datetime.datetime) -> bool:
    """Whether working days between ``start`` and ``deadline`` cross a year whose holiday
    schedule is not yet known: the deadline may move when it is entered (N-3)."""
    first, last = timezone.localdate(start), timezone.localdate(deadline)
    return workdays.workdays_between(first, last)[1] or not workdays.year_known(first.year)


# -- drafts ---------------------------------------------------------------------------------


def _check(values: dict[str, Any]) -> None:
    if values.get("kind") == Notice.Kind.TASK and not values.get("feedback_deadline"):
        raise ValidationError({"feedback_deadline": _("A task needs a feedback deadline.")})
    sign, feedback = values.get("sign_deadline"), values.get("feedback_deadline")
    if sign and feedback and feedback < sign:
        raise ValidationError(
            {"feedback_deadline": _("The feedback deadline cannot be before the signing one.")}
        )
    if values.get("audience") == Notice.Audience.CATEGORY and not values.get("category"):
        raise ValidationError({"category": _("Choose a category.")})
    # N-5: a meeting notice is answered by each member (who may ask for leave); a document
    # notice is signed for by the unit or the party organization.
    to_members = values.get("audience") == Notice.Audience.MEMBERS
    if values.get("kind") == Notice.Kind.MEETING and not to_members:
        raise ValidationError(
            {"audience": _("A meeting notice goes to party members: each signs or asks for leave.")}
        )
    if values.get("kind") == Notice.Kind.NOTICE and to_members:
        raise ValidationError(
            {
                "kind": _(
                    "A document notice is signed for by units or party organizations; "
                    "to ask each member, send a meeting notice."
                )
            }
        )


def set_targets(notice: Any, organizations: Iterable[Any], party_orgs: Iterable[Any]) -> None:
    """The targets chosen for a notice — or a recurring duty (``notices.duties``), which
    names them the same way — as its audience uses them."""
    audience = notice.audience
    notice.organizations.set(organizations if audience == Notice.Audience.UNITS else [])
    notice.target_branches.set(
        party_orgs if audience in (Notice.Audience.BRANCHES, Notice.Audience.MEMBERS) else []
    )


@transaction.atomic
def create_notice(
    *,
    federation: Any,
    party_organization: PartyOrganization | None,
    values: dict[str, Any],
    organizations: Iterable[Organization] = (),
    party_organizations: Iterable[PartyOrganization] = (),
    actor: Any,
) -> Notice:
    """A draft notice from ``federation``'s officers (``party_organization`` None) or from a
    party organization's secretary."""
    _check(values)
    user = acting_user(actor)
    notice = Notice(
        federation=federation,
        party_organization=party_organization,
        sender=user,
        sender_name=(user.get_full_name() or user.get_username()) if user else _("the system"),
        **{f: values.get(f) for f in CONTENT_FIELDS + TARGET_FIELDS if f in values},
    )
    notice.body = str(sanitise(notice.body))
    notice.category = notice.category or ""
    notice.save()
    set_targets(notice, organizations, party_organizations)
    record_change(actor, notice, None)
    return notice


@transaction.atomic
def update_draft(
    notice: Notice,
    values: dict[str, Any],
    *,
    organizations: Iterable[Organization] = (),
    party_organizations: Iterable[PartyOrganization] = (),
    actor: Any,
) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Notice.Status.DRAFT:
        raise WorkflowError(_("A published notice cannot be changed: withdraw it or republish."))
    _check(values)
    before = snapshot(notice)
    for name in CONTENT_FIELDS + TARGET_FIELDS:
        if name in values:
            setattr(notice, name, values[name] if values[name] is not None else "")
    notice.feedback_deadline = values.get("feedback_deadline")
    notice.body = str(sanitise(notice.body))
    notice.save()
    set_targets(notice, organizations, party_organizations)
    record_change(actor, notice, before)
    return notice


@transaction.atomic
def add_file(
    notice: Notice, upload: Any, *, receipt: Receipt | None = None, actor: Any
) -> NoticeFile:
    """A file of the notice (while a draft) or of a receipt's feedback; checked by content."""
    if receipt is None and notice.status != Notice.Status.DRAFT:
        raise WorkflowError(_("A published notice cannot be changed: withdraw it or republish."))
    if NoticeFile.objects.filter(notice=notice, receipt=receipt).count() >= MAX_FILES:
        raise ValidationError(_("At most %(n)d files.") % {"n": MAX_FILES})
    kind = uploads.check_upload(upload, ALLOWED_FILES)
    data = uploads.read_limited(upload, uploads.MAX_UPLOAD_BYTES)
    if kind in (uploads.JPEG, uploads.PNG):
        data = uploads.reencode_image(data)[0]
        kind = uploads.JPEG
    stored = NoticeFile(
        notice=notice,
        receipt=receipt,
        content_type=kind.content_type,
        original_name=uploads.safe_name(getattr(upload, "name", "") or "file"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    stored.file.save(f"file.{kind.extension}", ContentFile(data), save=False)
    stored.save()
    record_event(
        actor,
        AuditEvent.FILE_UPLOADED,
        receipt or notice,
        file=stored.file.name,
        name=stored.original_name,
        sha256=stored.sha256,
    )
    return stored


# -- publishing: targets resolved once ----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    field: str  # "organization", "party_organization" or "member"
    pk: int
    name: str


def sender_units(federation_id: int, party_organization_id: int | None, day: datetime.date) -> Any:
    """The member units a sender speaks to: the federation's current members, or the units a
    sending party organization covers today."""
    if party_organization_id is not None:
        covered = Coverage.objects.filter(
            valid_on_q(day), party_organization_id=party_organization_id
        )
        return Organization.objects.filter(pk__in=covered.values("organization"))
    members = Membership.objects.filter(valid_on_q(day), federation_id=federation_id)
    return Organization.objects.filter(pk__in=members.values("organization"))


def sender_branches(
    federation_id: int, party_organization_id: int | None, day: datetime.date
) -> Any:
    """The party organizations a sender speaks to: the federation's, or a sending party
    organization and those directly below it."""
    current = PartyOrganization.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    if party_organization_id is not None:
        return current.filter(Q(pk=party_organization_id) | Q(parent_id=party_organization_id))
    return current.filter(federation_id=federation_id)


def resolve_targets(notice: Notice, day: datetime.date | None = None) -> list[Target]:
    """Who the notice goes to on ``day`` (today), each target once, by name."""
    day = day or timezone.localdate()
    audience = notice.audience
    if audience in (Notice.Audience.ALL_UNITS, Notice.Audience.CATEGORY, Notice.Audience.UNITS):
        units = sender_units(notice.federation_id, notice.party_organization_id, day)
        if audience == Notice.Audience.CATEGORY:
            units = units.filter(category=notice.category)
        elif audience == Notice.Audience.UNITS:
            units = units.filter(pk__in=notice.organizations.values("pk"))
        return [
            Target("organization", pk, name)
            for pk, name in units.order_by("name", "pk").values_list("pk", "name")
        ]
    branches = sender_branches(notice.federation_id, notice.party_organization_id, day)
    chosen = notice.target_branches.values("pk")
    if audience == Notice.Audience.BRANCHES:
        if notice.target_branches.exists():
            branches = branches.filter(pk__in=chosen)
        elif notice.party_organization_id is not None:
            # "Every party organization" from a secretary: those below theirs, not theirs.
            branches = branches.exclude(pk=notice.party_organization_id)
        return [
            Target("party_organization", pk, name)
            for pk, name in branches.order_by("name", "pk").values_list("pk", "name")
        ]
    if audience == Notice.Audience.MEMBERS:
        if notice.target_branches.exists():
            branches = branches.filter(pk__in=chosen)
        members = PartyMember.objects.filter(
            member_in_ledger_q(day), held_in_q(day, branches.values("pk"))
        )
        return [
            Target("member", pk, name)
            for pk, name in members.order_by("name", "pk").values_list("pk", "name")
        ]
    raise ValueError(f"unknown audience {audience!r}")


def _users_of(receipts: Sequence[Receipt]) -> dict[int, list[int]]:
    """``{receipt id: [user ids answering for it]}``, one query per kind of target."""
    found: dict[int, list[int]] = {}
    for field in ("organization", "party_organization", "member"):
        rows = [r for r in receipts if getattr(r, f"{field}_id") is not None]
        if not rows:
            continue
        by_target = holders(field, {getattr(r, f"{field}_id") for r in rows})
        for r in rows:
            found[r.pk] = by_target.get(getattr(r, f"{field}_id"), [])
    return found


def notify(
    user_ids: Iterable[int],
    kind: str,
    title: str,
    url: str = "",
    *,
    notice: Notice | None = None,
) -> int:
    """Put a message in each user's bell (once per user); returns how many. For a decision
    about a unit or a person, see ``notify_decision``."""
    users = list(dict.fromkeys(user_ids))
    rows = [
        Notification(user_id=uid, kind=kind, title=title[:300], url=url[:300], notice=notice)
        for uid in users
    ]
    Notification.objects.bulk_create(rows)
    if settings.NOTIFY_BY_EMAIL and users:
        transaction.on_commit(lambda: _email(users, title, url))
    return len(rows)


def _email(user_ids: list[int], title: str, url: str) -> None:
    """The optional e-mail channel (``DANGJIAN_NOTIFY_EMAIL``): the same words, to those users
    who have an address; a mail server that fails does not undo what was notified."""
    from django.contrib.auth import get_user_model

    addresses = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    body = f"{title}\n\n{_('Open the system to read it.')} {url}".strip()
    messages = [(title, body, None, [address]) for address in addresses]
    if messages:
        send_mass_mail(messages, fail_silently=True)


def notify_decision(
    title: str,
    url: str = "",
    *,
    organizations: Iterable[int] = (),
    party_organizations: Iterable[int] = (),
    members: Iterable[int] = (),
) -> int:
    """Tell the people a decision concerns (a unit's liaisons, a party organization's
    secretaries, a member's own sign-in): the decision services call this beside their audit
    event (e.g. ``inspections.services.save_annual_inspection`` when a conclusion is given)."""
    users: list[int] = []
    for field, ids in (
        ("organization", organizations),
        ("party_organization", party_organizations),
        ("member", members),
    ):
        for found in holders(field, ids).values():
            users.extend(found)
    return notify(users, Notification.Kind.DECISION, title, url)


def _notify_receipts(receipts: Sequence[Receipt], kind: str, title: str, notice: Notice) -> int:
    from django.urls import reverse

    url = reverse("notices:notice_detail", args=[notice.pk])
    users = [u for found in _users_of(receipts).values() for u in found]
    return notify(users, kind, title, url, notice=notice)


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


# -- the bell -------------------------------------------------------------------------------


def mark_seen(notification: Notification) -> None:
    """The user opened a notification (their own message box; no audit row)."""
    if notification.seen_at is None:
        Notification.objects.filter(pk=notification.pk, seen_at__isnull=True).update(
            seen_at=timezone.now()
        )


def mark_all_seen(user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
