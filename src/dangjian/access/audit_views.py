"""The audit trail: searchable and exportable by audit administrators only (三员分立)."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog


class AuditFilter(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("action"), required=False, choices=[("", _("all")), *AuditLog.Action.choices]
    )
    since = forms.DateField(label=_("from"), required=False)
    until = forms.DateField(label=_("to"), required=False)

    def apply(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["q"]:
            term = data["q"].strip()
            qs = qs.filter(
                Q(actor_name__icontains=term)
                | Q(object_repr__icontains=term)
                | Q(event_type__icontains=term)
                | Q(request_id=term)
                | Q(object_type=term)
            )
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["since"]:
            qs = qs.filter(at__date__gte=data["since"])
        if data["until"]:
            qs = qs.filter(at__date__lte=data["until"])
        return qs


def _audit_queryset(user):
    if not scope.can(user, Action.AUDIT):
        raise Http404
    return AuditLog.objects.all()


@login_required
def audit_list(request):
    qs = _audit_queryset(request.user)
    filters = AuditFilter(request.GET or None)
    if filters.is_bound:
        qs = filters.apply(qs)
    rows = list(qs.order_by("-at", "-id")[:200])
    return render(
        request,
        "access/audit_list.html",
        {"filters": filters, "rows": rows, "query": request.GET.urlencode()},
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_export(request):
    qs = AuditFilter(request.GET or {}).apply(_audit_queryset(request.user))
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

    def rows():
        yield "\ufeff"  # BOM: Excel/WPS open the UTF-8 file with the right encoding
        yield writer.writerow(header)
        for log in qs.order_by("at", "id").iterator(chunk_size=2000):
            yield writer.writerow(
                [
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
