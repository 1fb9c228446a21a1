"""Helpers shared by the app's pages."""

from django.http import FileResponse

from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent


def serve_file(request, stored, owner):
    """Download of an evidence file whose owner the caller has already fetched through scope."""
    record_read(
        request.user, AuditEvent.FILE_DOWNLOAD, owner, file=stored.pk, name=stored.original_name
    )
    return FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
