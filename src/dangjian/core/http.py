"""Facts about the HTTP request that more than one app needs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse


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


def attach(response: HttpResponse, filename: str, fallback: str) -> HttpResponse:
    """Make ``response`` a download named ``filename`` (RFC 6266's UTF-8 form, for the Chinese
    names), with the plain ``fallback`` for clients that read only the ASCII one."""
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def attached_name(response: HttpResponse) -> str:
    """The name ``attach`` gave the download (its UTF-8 form; else the plain one; else "")."""
    disposition = str(response.get("Content-Disposition", ""))
    if found := re.search(r"filename\*=UTF-8''([^;\s]+)", disposition, re.IGNORECASE):
        return unquote(found.group(1))
    if found := re.search(r'filename="([^"]+)"', disposition):
        return found.group(1)
    return ""
