"""Helpers shared by the app's pages."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse

from dangjian.access import scope
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent


def requires(action):
    """Signed in, and allowed ``action`` somewhere; objects are still fetched through scope."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not scope.can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


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
