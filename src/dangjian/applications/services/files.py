"""Files the workflows archive (approval documents, dispatch notices)."""

from __future__ import annotations

import uuid

from django.db import transaction

from dangjian.applications.models import StoredFile
from dangjian.core.audit import acting_user, record_event
from dangjian.core.uploads import check_upload, safe_name, sha256_of


@transaction.atomic
def store_file(upload, federation, *, actor) -> StoredFile:
    """Archive an uploaded file under MEDIA_ROOT with a name of our own (never the user's)."""
    kind = check_upload(upload)
    stored = StoredFile(
        federation=federation,
        original_name=safe_name(upload.name),
        content_type=kind.content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=acting_user(actor),
    )
    upload.seek(0)
    stored.file.save(f"{uuid.uuid4().hex}.{kind.extension}", upload, save=False)
    stored.save()
    # An event rather than a field snapshot: the audit log keeps JSON, not file handles.
    record_event(
        actor,
        "file.uploaded",
        stored,
        name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )
    return stored
