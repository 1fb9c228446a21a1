"""Pages of the ledgers app: templates, upload, mapping and preview, result, history, exports."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import background_exports, scope
from dangjian.access.models import Action
from dangjian.core import sealed
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent
from dangjian.core.http import attach
from dangjian.dues import queries as dues_queries
from dangjian.ledgers import exports, lifecycle_exports, services, specs, workbooks
from dangjian.ledgers.forms import MappingForm, UploadForm
from dangjian.ledgers.models import LedgerUpload
from dangjian.rules import exports as rules_exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Status = LedgerUpload.Status


def _uploads(user):
    return scope.visible(LedgerUpload, user).select_related("federation", "uploader")


def _xlsx_response(workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attach(HttpResponse(buffer.getvalue(), content_type=XLSX), filename, "ledger.xlsx")


@login_required
def index(request):
    federations = scope.federations(request.user, Action.EDIT)
    form = UploadForm(federations=federations) if federations.exists() else None
    return render(
        request,
        "ledgers/index.html",
        {
            "ledgers": specs.LEDGERS.values(),
            "form": form,
            "uploads": list(_uploads(request.user)[:30]),
            "can_export": scope.can(request.user, Action.EXPORT),
            "can_view_personal": scope.can(request.user, Action.VIEW_PERSONAL),
        },
    )


@login_required
def template_download(request, ledger: str):
    if ledger not in specs.LEDGERS:
        raise Http404
    title = specs.LEDGERS[ledger].title
    return _xlsx_response(workbooks.template(ledger), f"{title}模板v{specs.TEMPLATE_VERSION}.xlsx")


@login_required
@require_POST
def upload(request):
    federations = scope.federations(request.user, Action.EDIT)
    if not federations.exists():
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES, federations=federations)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("ledgers:index")
    file = form.cleaned_data["file"]
    item = services.receive_upload(
        file.chunks(),
        file.name,
        federation=form.cleaned_data["federation"],
        ledger=form.cleaned_data["ledger"],
        actor=request.user,
    )
    if item.status == Status.RECEIVED:
        _start_analysis(item, request.user)
    return redirect("ledgers:detail", pk=item.pk)


def _start_analysis(item, user, columns=None):
    if item.size > services.BACKGROUND_BYTES and columns is None:
        services.queue_analysis(item, actor=user)
    else:
        services.analyse(item, actor=user, columns=columns)


@login_required
def detail(request, pk: int):
    item = scope.get_visible_or_404(_uploads(request.user), pk=pk)
    ledger = specs.LEDGERS[item.ledger]
    mapping_form = None
    if item.status == Status.VALIDATED and item.mapping.get("labels"):
        mapping_form = MappingForm(ledger=ledger, upload=item)
    preview = item.preview or {}
    errors = []
    for number, problems in preview.get("errors", [])[:100]:
        for key, message in problems.items():
            header = ledger.column(key).header if key != "_" else ""
            errors.append((number, header, message))
    return render(
        request,
        "ledgers/detail.html",
        {
            "item": item,
            "ledger": ledger,
            "mapping_form": mapping_form,
            "preview": preview,
            "errors": errors,
            "changes": preview.get("changes", [])[:100],
            "active": item.status in LedgerUpload.ACTIVE,
            "progress": services.read_progress(item),
            "can_commit": item.status == Status.VALIDATED,
        },
    )


@login_required
def progress(request, pk: int):
    item = scope.get_visible_or_404(_uploads(request.user), pk=pk)
    response = render(
        request,
        "ledgers/_progress.html",
        {
            "item": item,
            "progress": services.read_progress(item),
            "active": item.status in LedgerUpload.ACTIVE,
        },
    )
    if item.status not in LedgerUpload.ACTIVE:
        response["HX-Refresh"] = "true"  # finished: reload the whole page with the result
    return response


@login_required
@require_POST
def remap(request, pk: int):
    item = scope.get_visible_or_404(_uploads(request.user), pk=pk)
    if item.status != Status.VALIDATED:
        raise Http404
    form = MappingForm(request.POST, ledger=specs.LEDGERS[item.ledger], upload=item)
    if form.is_valid():
        services.analyse(item, actor=request.user, columns=form.columns())
        services.remember_mapping(item)
        messages.success(request, _("The mapping was saved and the file checked again."))
    else:
        for error in form.non_field_errors():  # the messages (an ErrorList yields strings)
            messages.error(request, str(error))
    return redirect("ledgers:detail", pk=item.pk)


@login_required
@require_POST
def commit(request, pk: int):
    item = scope.get_visible_or_404(_uploads(request.user), pk=pk)
    if item.status != Status.VALIDATED:
        messages.error(request, _("This upload cannot be imported in its current state."))
        return redirect("ledgers:detail", pk=item.pk)
    valid_only = request.POST.get("valid_only") == "1"
    if item.counts.get("invalid") and not valid_only:
        messages.error(
            request,
            _("Some rows have errors: fix them and upload again, or import the valid rows only."),
        )
        return redirect("ledgers:detail", pk=item.pk)
    try:
        if item.size > services.BACKGROUND_BYTES:
            services.queue_commit(item, valid_only=valid_only, actor=request.user)
        else:
            services.commit(item, valid_only=valid_only, actor=request.user)
    except services.ImportBusy as exc:  # refused before anything changed
        messages.error(request, str(exc))
    return redirect("ledgers:detail", pk=item.pk)


@login_required
@require_POST
def cancel(request, pk: int):
    item = scope.get_visible_or_404(_uploads(request.user), pk=pk)
    services.cancel(item, actor=request.user)
    messages.info(request, _("Cancellation requested."))
    return redirect("ledgers:detail", pk=item.pk)


@login_required
def error_workbook(request, pk: int):
    item = scope.get_visible_or_404(_uploads(request.user), pk=pk)
    if not item.error_path:
        raise Http404
    path = services.archive_path_of(item.error_path)
    if not path.exists():
        raise Http404
    record_read(request.user, AuditEvent.LEDGERS_ERROR_WORKBOOK, item, file=item.original_name)
    stem = Path(item.original_name).stem
    name = f"{stem}-错误标注{path.suffix}"
    return FileResponse(sealed.open_read(path), as_attachment=True, filename=name)


@login_required
def export_organizations(request):
    if not scope.can(request.user, Action.EXPORT):
        raise PermissionDenied
    personal = request.GET.get("personal") == "1" and scope.can(request.user, Action.VIEW_PERSONAL)
    params = request.GET.copy()
    params.pop("personal", None)
    filters = exports.organization_filter(request.user, params)
    if (
        queued := background_exports.later(
            request, filters.qs, title=_("Member units"), unmasked=personal
        )
    ) is not None:
        return queued
    workbook, count = exports.organizations(filters, personal=personal)
    # Every export is a read in the trail: who took which units out, under which filter, and
    # whether the contact phones were unmasked.
    record_read(
        request.user,
        AuditEvent.LEDGERS_EXPORT_ORGANIZATIONS,
        None,
        rows=count,
        filters=params.urlencode(),
        unmasked=personal,
    )
    return _xlsx_response(workbook, f"会员单位-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def export_members(request):
    if not scope.can(request.user, Action.EXPORT):
        raise PermissionDenied
    personal = request.GET.get("personal") == "1" and scope.can(request.user, Action.VIEW_PERSONAL)
    members = scope.members_to_list(request.user, Action.EXPORT)
    title = specs.LEDGERS["members"].title
    if (
        queued := background_exports.later(request, members, title=title, unmasked=personal)
    ) is not None:
        return queued
    workbook, count = exports.members(members, personal=personal)
    # Masked or not, the export is in the trail (only the unmasked one under its own name).
    record_read(
        request.user,
        AuditEvent.LEDGERS_EXPORT_MEMBERS if personal else AuditEvent.LEDGERS_EXPORT_MEMBERS_MASKED,
        None,
        rows=count,
        unmasked=personal,
    )
    return _xlsx_response(workbook, f"党员台账-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def export_coverage(request):
    if not scope.can(request.user, Action.EXPORT):
        raise PermissionDenied
    workbook = rules_exports.coverage_statistics(request.user)
    if workbook is None:
        raise Http404
    record_read(request.user, AuditEvent.LEDGERS_EXPORT_COVERAGE, None)
    return _xlsx_response(workbook, f"党组织覆盖统计-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def export_dues(request):
    """A branch's dues ledger for a month (``?month=2026-03``) or a year (``?year=2026``)."""
    branch = scope.get_visible_or_404(
        scope.dues_branches(request.user, Action.EXPORT), pk=request.GET.get("branch")
    )
    month = dues_queries.parse_month(request.GET.get("month"))
    if month is not None:
        months = [month]
    else:
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            raise Http404 from None
        if not 1921 <= year <= timezone.localdate().year + 1:
            raise Http404
        months = dues_queries.months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 1))
    personal = request.GET.get("personal") == "1" and scope.can(request.user, Action.VIEW_PERSONAL)
    workbook, count = exports.dues(request.user, branch, months, personal=personal)
    response = _xlsx_response(
        workbook,
        f"{branch.name}党费-{months[0]:%Y%m}"
        + (f"-{months[-1]:%Y%m}" if len(months) > 1 else "")
        + ".xlsx",
    )
    record_read(
        request.user,
        AuditEvent.DUES_LEDGER_EXPORTED,
        branch,
        months=[f"{m:%Y-%m}" for m in (months[0], months[-1])],
        rows=count(),
        unmasked=personal,
    )
    return response


# What each lifecycle ledger has a row of (the bound on an export made in the request).
LIFECYCLE_ROWS = {
    "recruitment": "recruitment.Applicant",
    "transfers": "transfers.Transfer",
    "flowing": "party.FlowingPeriod",
}

LIFECYCLE_EXPORTS = {
    "recruitment": lifecycle_exports.recruitment,
    "transfers": lifecycle_exports.transfers,
    "flowing": lifecycle_exports.flowing,
}


@login_required
def export_lifecycle(request, ledger: str):
    """The 发展党员工作台账, 组织关系转接台账 or 流动党员台账 of what the user may export."""
    if ledger not in LIFECYCLE_EXPORTS:
        raise Http404
    if not scope.can(request.user, Action.EXPORT):
        raise PermissionDenied
    personal = request.GET.get("personal") == "1" and scope.can(request.user, Action.VIEW_PERSONAL)
    title = (
        lifecycle_exports.RECRUITMENT_TITLE
        if ledger == "recruitment"
        else specs.LEDGERS[ledger].title
    )
    rows = scope.visible(LIFECYCLE_ROWS[ledger], request.user, Action.EXPORT)
    if (
        queued := background_exports.later(request, rows, title=title, unmasked=personal)
    ) is not None:
        return queued
    workbook, count = LIFECYCLE_EXPORTS[ledger](request.user, personal=personal)
    response = _xlsx_response(workbook, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    record_read(
        request.user,
        AuditEvent.LEDGERS_EXPORT_LIFECYCLE,
        None,
        ledger=ledger,
        rows=count(),
        unmasked=personal,
    )
    return response
