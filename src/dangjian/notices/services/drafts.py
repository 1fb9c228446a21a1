"""Writing a notice before it is published: the draft's content and targets, checked
(N-5: whom each kind of notice goes to), and its files (or a receipt's feedback files)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import uploads
from dangjian.core.audit import acting_user, record_change, record_event, snapshot
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.core.richtext import sanitise
from dangjian.notices.models import Notice, NoticeFile, Receipt
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Organization

CONTENT_FIELDS = ("kind", "urgent", "title", "body", "sign_deadline", "feedback_deadline")
TARGET_FIELDS = ("audience", "category")
MAX_FILES = 10
ALLOWED_FILES = uploads.DOCUMENT_KINDS


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
