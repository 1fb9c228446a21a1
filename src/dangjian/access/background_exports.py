"""Exports too large for a request, made by the task worker (django-tasks).

Every export view that can grow with the ledger asks ``later(request, rows, title=…)`` before
building its workbook (``ListSpec.export`` for every list, and the ledgers', the annual
inspections' and the instructors' exports): when the rows to export are more than
``settings.EXPORT_IN_REQUEST_ROWS`` (a count that stops past the bound), an ``ExportFile`` is
queued and the user is sent to 我的导出; otherwise the export is made in the request, as
before. At ~0.5 ms a row, a province's member ledger (10^6 rows) would hold a request — and the
user's browser — for minutes.

The worker replays the export's own address as the user who asked (``make``), in the language
and under the client address of the click: the view that answers in the request answers in the
worker, so the filter, the masking, the scope and the export's audit record are those of an
export made in the request — there is no second definition of any list or ledger. The replay
runs the view and its decorators, not the middleware (the session's second factor and a forced
password change were checked at the click). The scope is the user's when the worker runs it:
rights withdrawn in between are withdrawn from the file too, and a deactivated account gets
nothing. The workbook is sealed at rest (``core.sealed``) and only its owner may download it,
until they remove it or ``settings.EXPORT_RETENTION_DAYS`` have passed (``prune``, nightly).
The address is kept encrypted (a search may hold an ID number) and cleared once the export is
removed.
"""

from __future__ import annotations

import datetime
import logging
import traceback
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


def later(
    request: HttpRequest, rows: QuerySet[Any], *, title: object, unmasked: bool = False
) -> HttpResponse | None:
    """Queue the export of ``request`` when ``rows`` are more than the bound and send the user
    to their exports; ``None`` when the export is to be made now (few rows, or the worker's
    replay). ``unmasked``: the view will write ID numbers and phones in clear (its own
    decision, rights checked), shown on the export and in its trail."""
    limit = settings.EXPORT_IN_REQUEST_ROWS
    if in_background(request) or not scope.can(request.user, Action.EXPORT):
        return None  # the worker's replay; or no export right, which the view refuses
    if at_most(rows, limit):
        return None
    # The path within the site (not the script prefix a sub-path deployment adds) and the
    # query exactly as sent: what ``resolve`` and the view read again.
    source = f"{request.path_info}?{request.META.get('QUERY_STRING', '')}"
    if pending(request.user, source) is None:
        queue(request.user, title=str(title), source=source, unmasked=unmasked)
        text = _(
            "This export holds more than %(limit)s rows, so it is being made in the background."
            " It appears below when it is ready to download."
        )
    else:
        # A second click (a reload, the back button) does not queue the same export again.
        text = _("This export is already being made. It appears below when it is ready.")
    messages.info(request, text % {"limit": f"{limit:,}"})
    return redirect("exports")


def pending(user: Any, source: str) -> ExportFile | None:
    """The user's export of ``source`` still queued or being made (the address is encrypted:
    compared among the user's few pending exports)."""
    waiting = ExportFile.objects.filter(user=user, status__in=[Status.QUEUED, Status.RUNNING])
    return next((e for e in waiting if e.source == source), None)


@transaction.atomic
def queue(user: Any, *, title: str, source: str, unmasked: bool) -> ExportFile:
    """Record the export and put its making on the task queue once the record is committed
    (a worker must find it), with the request id and client address of the click."""
    from dangjian.access.tasks import make_export  # the task calls this module

    export = ExportFile.objects.create(
        user=user,
        title=title[:200],
        source=source,
        unmasked=unmasked,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    record_event(user, AuditEvent.EXPORT_QUEUED, export, title=export.title, unmasked=unmasked)
    audit.enqueue_on_commit(
        make_export,
        export.pk,
        audit.current_ip(),
        noted=lambda task_id: ExportFile.objects.filter(pk=export.pk).update(task_id=task_id),
    )
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
    owner and seal the workbook. A second worker taking the same task finds it claimed; an
    export failed or removed meanwhile (``prune``, its owner) keeps that state, and the file
    made for it is deleted."""
    claimed = ExportFile.objects.filter(pk=export_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return
    export = ExportFile.objects.select_related("user").get(pk=export_id)
    path = file_path(export)
    try:
        # Not ``response.close()``: it signals the request's end, which closes the worker's
        # database connection under it.
        response = _replay(export)
        filename = attached_name(response) or f"{export.title}.xlsx"
        with sealed.writer(path) as out:
            for chunk in response:  # a plain response's content, or a streaming one's parts
                out.write(chunk)
        size = sealed.clear_size(path)
    except ExportFailed as exc:
        _fail(export, str(exc))
        return
    except Exception as exc:
        # By type and place only: an exception's text may quote a cell (a name, an ID number).
        logger.error(
            "background export %s failed: %s\n%s",
            export_id,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        _fail(export, _("The export could not be made. Try again, or ask the administrator."))
        return
    done = ExportFile.objects.filter(pk=export_id, status=Status.RUNNING).update(
        status=Status.DONE,
        filename=filename[:255],
        size=size,
        finished_at=timezone.now(),
        message="",
    )
    if not done:
        path.unlink(missing_ok=True)  # failed or removed while it was being made


def _fail(export: ExportFile, message: str) -> None:
    """Mark a queued or running export failed (not one already made, failed or removed): the
    system's event, whether the worker or the nightly run found it."""
    failed = ExportFile.objects.filter(
        pk=export.pk, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(status=Status.FAILED, finished_at=timezone.now(), message=message[:500])
    if failed:
        record_event(None, AuditEvent.EXPORT_FAILED, export, reason=message)


def _replay(export: ExportFile) -> HttpResponse:
    """The export view's answer to the export's address, asked as its owner."""
    user = export.user
    if not user.is_active:
        raise ExportFailed(_("The account that asked for this export is deactivated."))
    path, _sep, query = export.source.partition("?")
    request = HttpRequest()
    request.LANGUAGE_CODE = export.language
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "SERVER_NAME": "worker"}
    request.user = user
    setattr(request, REPLAYED, True)
    try:
        match = resolve(path)
        with translation.override(export.language or settings.LANGUAGE_CODE):
            response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    except (PermissionDenied, Http404) as exc:
        raise ExportFailed(_("You may no longer export this.")) from exc
    if response.status_code != 200 or "attachment" not in response.get("Content-Disposition", ""):
        raise ExportFailed(_("You may no longer export this."))
    return response


def remove(export: ExportFile, *, actor: Any) -> bool:
    """Its owner removes a made export's file now rather than at the end of its retention — an
    unmasked ledger need not stay on the server once downloaded. The record stays, marked
    removed, its address cleared. False when it is not (or no longer) a made export."""
    removed = ExportFile.objects.filter(pk=export.pk, status=Status.DONE).update(
        status=Status.EXPIRED, source=""
    )
    if removed:
        file_path(export).unlink(missing_ok=True)
        record_event(actor, AuditEvent.EXPORT_REMOVED, export, title=export.title)
    return bool(removed)


def prune(now: datetime.datetime | None = None) -> int:
    """Remove the files of exports past their retention; their records stay, marked removed,
    their addresses cleared. Fail the exports left unfinished for a day, and remove the files
    no made export owns (a killed worker's part-written file, a deleted account's exports).
    Returns how many exports were expired."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    # One still queued or being made after a day will not finish (its worker stopped): it is
    # failed, so its owner asks again rather than waits.
    stuck = ExportFile.objects.filter(
        status__in=[Status.QUEUED, Status.RUNNING], created_at__lt=now - datetime.timedelta(days=1)
    )
    for export in stuck:
        _fail(export, _("The export was not finished. Ask for it again."))
    old = list(
        ExportFile.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[Status.EXPIRED, Status.RUNNING, Status.QUEUED])
        .order_by("pk")
    )
    for export in old:
        file_path(export).unlink(missing_ok=True)
    if old:
        ExportFile.objects.filter(pk__in=[e.pk for e in old]).update(
            status=Status.EXPIRED, source=""
        )
        record_event(
            None,
            AuditEvent.EXPORTS_PRUNED,
            exports=len(old),
            retention_days=retention_days(),
        )
    _remove_orphans(now)
    return len(old)


def _remove_orphans(now: datetime.datetime) -> None:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    if not folder.exists():
        return
    made = {
        f"{pk}.xlsx"
        for pk in ExportFile.objects.filter(status=Status.DONE).values_list("pk", flat=True)
    }
    # A day old at least: a file being written now is not an orphan yet.
    before = (now - datetime.timedelta(days=1)).timestamp()
    for path in folder.iterdir():
        if path.is_file() and path.name not in made and path.stat().st_mtime < before:
            path.unlink(missing_ok=True)
