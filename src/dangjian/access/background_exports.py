"""Exports too large for a request, made by the task worker (django-tasks).

Every export view asks ``later(request, rows, title=…)`` before building its workbook: when
the rows to export are more than ``settings.EXPORT_IN_REQUEST_ROWS`` (a count that stops past
the bound), an ``ExportFile`` is queued and the user is sent to 我的导出; otherwise the export
is made in the request, as before. At ~0.5 ms a row, a province's member ledger (10^6 rows)
would hold a request — and the user's browser — for minutes.

The worker replays the export's own address as the user who asked (``make``): the view that
answers in the request answers in the worker, so the filter, the masking, the scope and the
export's audit record are those of an export made in the request — there is no second
definition of any list or ledger. The scope is the user's when the worker runs it: rights
withdrawn in between are withdrawn from the file too, and a deactivated account gets nothing.
The workbook is sealed at rest (``core.sealed``) and only its owner may download it, until
``settings.EXPORT_RETENTION_DAYS`` have passed (``prune``, in the nightly run).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action, ExportFile
from dangjian.core import audit, sealed
from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.http import attached_name
from dangjian.core.sql import at_most

logger = logging.getLogger(__name__)

Status = ExportFile.Status

# Set on the request the worker replays: the view makes the export itself, whatever its size.
REPLAYED = "_dangjian_background_export"


class ExportFailed(Exception):
    """An export the worker could not make; the message is shown to its owner."""


def in_background(request: HttpRequest) -> bool:
    return bool(getattr(request, REPLAYED, False))


def later(request: HttpRequest, rows: QuerySet[Any], *, title: object) -> HttpResponse | None:
    """Queue the export of ``request`` when ``rows`` are more than the bound and send the user
    to their exports; ``None`` when the export is to be made now (few rows, or the worker's
    replay)."""
    limit = settings.EXPORT_IN_REQUEST_ROWS
    if in_background(request) or not scope.can(request.user, Action.EXPORT):
        return None  # the worker's replay; or no export right, which the view refuses
    if at_most(rows, limit):
        return None
    queue(
        request.user,
        title=str(title),
        source=request.get_full_path(),
        unmasked=request.GET.get("personal") == "1",
    )
    messages.info(
        request,
        _(
            "This export holds more than %(limit)s rows, so it is being made in the background."
            " It appears below when it is ready to download."
        )
        % {"limit": f"{limit:,}"},
    )
    return redirect("exports")


@transaction.atomic
def queue(user: Any, *, title: str, source: str, unmasked: bool) -> ExportFile:
    """Record the export and put its making on the task queue once the record is committed
    (a worker must find it), with the request id of the click that asked for it."""
    from dangjian.access.tasks import make_export  # the task calls this module

    export = ExportFile.objects.create(
        user=user, title=title[:200], source=source[:2000], unmasked=unmasked
    )
    record_event(user, AuditEvent.EXPORT_QUEUED, export, title=export.title, unmasked=unmasked)
    request_id = audit.current_request_id()

    def enqueue() -> None:
        result = make_export.enqueue(export.pk, request_id)
        ExportFile.objects.filter(pk=export.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return export


def owned(user: Any, action: str) -> QuerySet[ExportFile]:
    """Who sees an export (registered with ``access.scope``): its owner alone, to list and
    download — the file holds what their scope reached, as they asked for it."""
    if not user.is_authenticated or action != Action.VIEW:
        return ExportFile.objects.none()
    return ExportFile.objects.filter(user=user)


def retention_days() -> int:
    return int(settings.EXPORT_RETENTION_DAYS)


def file_path(export: ExportFile) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"{export.pk}.xlsx"


def make(export_id: int) -> None:
    """Make the queued export ``export_id`` (the worker's part): replay its address as its
    owner and seal the workbook. A second worker taking the same task finds it claimed."""
    claimed = ExportFile.objects.filter(pk=export_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return
    export = ExportFile.objects.select_related("user").get(pk=export_id)
    try:
        response = _replay(export)
        filename = attached_name(response) or f"{export.title}.xlsx"
        path = file_path(export)
        with sealed.writer(path) as out:
            for chunk in _content(response):
                out.write(chunk)
        size = sealed.clear_size(path)
    except ExportFailed as exc:
        _fail(export, str(exc))
        return
    except Exception:
        # Logged by type and place only: the rows may hold personal data.
        logger.exception("background export %s failed", export_id)
        _fail(export, _("The export could not be made. Try again, or ask the administrator."))
        return
    ExportFile.objects.filter(pk=export_id).update(
        status=Status.DONE,
        filename=filename[:255],
        size=size,
        finished_at=timezone.now(),
        message="",
    )


def _fail(export: ExportFile, message: str) -> None:
    ExportFile.objects.filter(pk=export.pk).update(
        status=Status.FAILED, finished_at=timezone.now(), message=message[:500]
    )
    record_event(export.user, AuditEvent.EXPORT_FAILED, export, reason=message)


def _replay(export: ExportFile) -> HttpResponse:
    """The export view's answer to the export's address, asked as its owner."""
    user = export.user
    if not user.is_active:
        raise ExportFailed(_("The account that asked for this export is deactivated."))
    path, _sep, query = export.source.partition("?")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "SERVER_NAME": "worker"}
    request.user = user
    setattr(request, REPLAYED, True)
    try:
        match = resolve(path)
        with translation.override(settings.LANGUAGE_CODE):
            response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    except (PermissionDenied, Http404) as exc:
        raise ExportFailed(_("You may no longer export this.")) from exc
    if response.status_code != 200 or "attachment" not in response.get("Content-Disposition", ""):
        raise ExportFailed(_("You may no longer export this."))
    return response


def _content(response: HttpResponse) -> Any:
    if getattr(response, "streaming", False):
        return response.streaming_content  # type: ignore[attr-defined]
    return [response.content]


def remove(export: ExportFile, *, actor: Any) -> bool:
    """Its owner removes a made (or failed) export's file now rather than at the end of its
    retention — an unmasked ledger need not stay on the server once downloaded. The record
    stays, marked removed. False when it is still queued or being made, or already removed."""
    removed = ExportFile.objects.filter(
        pk=export.pk, status__in=[Status.DONE, Status.FAILED]
    ).update(status=Status.EXPIRED)
    if removed:
        file_path(export).unlink(missing_ok=True)
        record_event(actor, AuditEvent.EXPORT_REMOVED, export, title=export.title)
    return bool(removed)


def prune(now: datetime.datetime | None = None) -> int:
    """Remove the files of exports past their retention (and of failed ones' leftovers); their
    records stay, marked removed. Returns how many exports were expired."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    # One still queued or being made after a day will not finish (its worker stopped): it is
    # failed, so its owner asks again rather than waits.
    stuck = ExportFile.objects.filter(
        status__in=[Status.QUEUED, Status.RUNNING], created_at__lt=now - datetime.timedelta(days=1)
    )
    for export in stuck.select_related("user"):
        file_path(export).unlink(missing_ok=True)
        _fail(export, _("The export was not finished. Ask for it again."))
    old = list(
        ExportFile.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[Status.EXPIRED, Status.RUNNING, Status.QUEUED])
        .order_by("pk")
    )
    for export in old:
        file_path(export).unlink(missing_ok=True)
    if old:
        ExportFile.objects.filter(pk__in=[e.pk for e in old]).update(status=Status.EXPIRED)
        record_event(
            None,
            AuditEvent.EXPORTS_PRUNED,
            exports=len(old),
            retention_days=retention_days(),
        )
    return len(old)
