"""A meeting record's files: photos (re-encoded, so no EXIF or GPS position survives) and PDFs
(a scanned sign-in sheet, a document studied). The type is read from the content
(``core.uploads``): an executable renamed ``.jpg`` is refused whatever its name says."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import uploads
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting, MeetingAttachment

MAX_BYTES = uploads.MAX_UPLOAD_BYTES
MAX_FILES = 20
ALLOWED = (uploads.PDF, uploads.JPEG, uploads.PNG)


@transaction.atomic
def add_attachment(meeting: Meeting, upload, *, actor) -> MeetingAttachment:
    if meeting.attachments.count() >= MAX_FILES:
        raise ValidationError(_("A meeting may have at most %(n)d files.") % {"n": MAX_FILES})
    kind = uploads.check_upload(upload, ALLOWED)  # size, then the content's first bytes
    data = uploads.read_limited(upload, MAX_BYTES)
    if kind == uploads.PDF:
        stored, stored_kind = data, MeetingAttachment.Kind.PDF
    else:
        stored, stored_kind = uploads.reencode_image(data)[0], MeetingAttachment.Kind.PHOTO
    attachment = MeetingAttachment(
        meeting=meeting,
        kind=stored_kind,
        original_name=uploads.safe_name(getattr(upload, "name", "") or "file"),
        size=len(stored),
        sha256=hashlib.sha256(stored).hexdigest(),
        phash=similarity.dhash(stored) if stored_kind == MeetingAttachment.Kind.PHOTO else "",
    )
    attachment.file.save(f"file.{stored_kind}", ContentFile(stored), save=False)
    attachment.save()
    record_event(
        actor,
        AuditEvent.FILE_UPLOADED,
        meeting,
        file=attachment.file.name,
        name=attachment.original_name,
        sha256=attachment.sha256,
    )
    return attachment


@transaction.atomic
def remove_attachment(attachment: MeetingAttachment, *, actor) -> None:
    record_change(actor, attachment, snapshot(attachment), deleted=True)
    attachment.file.delete(save=False)
    attachment.delete()
