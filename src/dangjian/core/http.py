"""Facts about the HTTP request that more than one app needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the audit trail and the per-address sign-in lockout.

    Behind a reverse proxy (DANGJIAN_BEHIND_PROXY=1) every request comes from the proxy, so the
    address is the LAST entry of X-Forwarded-For — the one our proxy appended; earlier entries
    are whatever the client claimed and are ignored. Without a proxy, X-Forwarded-For is not
    trusted at all, since any client can forge it.
    """
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    remote = request.META.get("REMOTE_ADDR")
    return str(remote) if remote else None


def file_response(field: Any, **kwargs: Any) -> FileResponse:
    """Serve a stored file; a file missing from storage is a 404, not a server error."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, **kwargs)
