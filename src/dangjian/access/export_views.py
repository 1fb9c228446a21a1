"""我的导出: the exports made in the background for the signed-in user, and their download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import background_exports, scope
from dangjian.access.models import ExportFile
from dangjian.core import sealed
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent

# A user's exports are kept days, not years: the page shows the latest ones.
SHOWN = 50


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    exports = list(scope.visible(ExportFile, request.user).order_by("-created_at", "-pk")[:SHOWN])
    pending = any(
        e.status in (ExportFile.Status.QUEUED, ExportFile.Status.RUNNING) for e in exports
    )
    return render(
        request,
        "access/exports.html",
        {
            "exports": exports,
            "pending": pending,
            "retention_days": background_exports.retention_days(),
        },
    )


@login_required
@require_POST
def export_remove(request: HttpRequest, pk: int) -> HttpResponse:
    export = scope.get_visible_or_404(scope.visible(ExportFile, request.user), pk=pk)
    if background_exports.remove(export, actor=request.user):
        messages.success(request, _("The file of %(title)s was removed.") % {"title": export.title})
    return redirect("exports")


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = scope.get_visible_or_404(scope.visible(ExportFile, request.user), pk=pk)
    if export.status != ExportFile.Status.DONE:
        raise Http404
    try:
        opened = sealed.open_read(background_exports.file_path(export))
    except FileNotFoundError:  # removed meanwhile (its owner elsewhere, the nightly run)
        raise Http404 from None
    # The export itself is in the trail (the view's own record, made by the worker); each
    # download of the file is a read of its own.
    record_read(
        request.user,
        AuditEvent.EXPORT_DOWNLOADED,
        export,
        title=export.title,
        unmasked=export.unmasked,
    )
    return FileResponse(opened, as_attachment=True, filename=export.filename)
