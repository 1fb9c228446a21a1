"""The audit trail: searchable and exportable by audit administrators only (三员分立)."""

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from dangjian.access import scope
from dangjian.access.audit_lists import AUDIT
from dangjian.access.audit_words import collapse_autosaves, merge_sessions
from dangjian.access.filters import AuditFilter
from dangjian.access.models import Action
from dangjian.access.scope import AnyUser
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent
from dangjian.core.exports import safe_cell
from dangjian.core.filters import params
from dangjian.core.models import AuditLog


def _audit_queryset(user: AnyUser) -> QuerySet[AuditLog]:
    if not scope.can(user, Action.AUDIT):
        raise Http404
    return AuditLog.objects.all()


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    qs = _audit_queryset(request.user)
    filters = AuditFilter(params(request), qs)
    # One record per autosaving session on the page (the export keeps every record).
    page = AUDIT.page(request, collapse_autosaves(filters.qs))
    merge_sessions(page.rows)
    table = AUDIT.table(request, page)
    return render(
        request,
        "access/audit_list.html",
        {
            "page": page,
            "table": table,
            "query": table.query,
            "filters": filters.form,
            "filter_set": filters,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    qs = AuditFilter(params(request), _audit_queryset(request.user)).qs
    record_read(request.user, AuditEvent.AUDIT_EXPORTED, note=request.GET.urlencode())
    writer = csv.writer(_Echo())
    header = [
        "time",
        "actor",
        "action",
        "event",
        "object type",
        "object id",
        "object",
        "request id",
        "ip",
        "changes",
    ]

    def rows() -> Iterator[str]:
        yield "\ufeff"  # BOM: Excel/WPS open the UTF-8 file with the right encoding
        yield writer.writerow(header)
        for log in qs.order_by("at", "id").iterator(chunk_size=2000):
            # Actors, object names and changes are users' text: neutralised like any export.
            yield writer.writerow(
                safe_cell(str(value))
                for value in [
                    timezone.localtime(log.at).isoformat(),
                    log.actor_name,
                    log.action,
                    log.event_type,
                    log.object_type,
                    log.object_id,
                    log.object_repr,
                    log.request_id,
                    log.ip_address or "",
                    log.changes,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
