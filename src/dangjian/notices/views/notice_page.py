"""The notice's page (the sender's figures or the recipient's receipt), the receipts'
drill-down, signing, leave, feedback and its review, and the notice's files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.audit import record_read
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.core.filters import params
from dangjian.core.http import file_response
from dangjian.core.richtext import sanitise
from dangjian.notices import queries, services
from dangjian.notices.access_rules import managed_notices, own_receipts
from dangjian.notices.filters import ReceiptFilter
from dangjian.notices.forms import FeedbackForm, LeaveForm, ReasonForm, ReviewForm
from dangjian.notices.lists import RECEIPTS
from dangjian.notices.models import Notice, NoticeFile, Receipt
from dangjian.notices.views.common import NOTICE_QS

# -- the notice's page ----------------------------------------------------------------------


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice, rights = scope.get_with_rights(request.user, NOTICE_QS, pk)
    managed = managed_notices(request.user).filter(pk=notice.pk).exists()
    mine = list(
        own_receipts(request.user)
        .filter(notice=notice)
        .prefetch_related("files")
        .order_by("target_name", "pk")
    )
    for receipt in mine:
        if receipt.status == Receipt.Status.UNREAD and notice.is_published:
            services.mark_read(receipt, actor=request.user)
            receipt.refresh_from_db()
    files = scope.visible(NoticeFile, request.user).filter(notice=notice, receipt__isnull=True)
    context: dict[str, Any] = {
        "notice": notice,
        "body": sanitise(notice.body),
        "files": files,
        "managed": managed,
        "can_edit": managed and Action.EDIT in rights,
        "mine": mine,
        "now": timezone.now(),
        "feedback_form": FeedbackForm() if notice.is_task else None,
        "leave_form": LeaveForm() if notice.kind == Notice.Kind.MEETING else None,
        "provisional": services.deadline_provisional(
            notice.published_at or notice.created_at,
            notice.feedback_deadline or notice.sign_deadline,
        ),
        "withdraw_form": ReasonForm(),
    }
    if managed:
        context["rates"] = queries.rates(notice)
        context["by_status"] = [
            (label, queries.by_status(notice)[value]) for value, label in Receipt.Status.choices
        ]
        context["reviews"] = (
            queries.reviews_due(request.user).filter(notice=notice).prefetch_related("files")
            if Action.EDIT in rights
            else []
        )
    return render(request, "notices/notice_detail.html", context)


@login_required
def receipt_list(request: HttpRequest, pk: int) -> HttpResponse:
    action = lists.scope_action(request)
    notice = scope.get(request.user, managed_notices(request.user, action), pk, action)
    receipts = scope.visible(Receipt, request.user, action).filter(notice=notice)
    filters = ReceiptFilter(params(request), receipts.select_related("notice"))
    if lists.wants_xlsx(request) and not filters.errors:
        return RECEIPTS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "notices/receipt_list.html",
        {
            **RECEIPTS.context(request, filters.qs),
            "filters": filters.form,
            "notice": notice,
            "rates": queries.rates(notice),
        },
    )


def _own_receipt(request: HttpRequest, pk: int) -> Receipt:
    return scope.get(request.user, own_receipts(request.user).select_related("notice"), pk)


@require_POST
@login_required
def receipt_sign(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = _own_receipt(request, pk)
    if request.POST.get("confirm") != "yes":
        return redirect("notices:notice_detail", pk=receipt.notice_id)
    try:
        services.sign(receipt, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Signed for."))
    return redirect("notices:notice_detail", pk=receipt.notice_id)


@require_POST
@login_required
def receipt_leave(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = _own_receipt(request, pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you cannot attend."))
        return redirect("notices:notice_detail", pk=receipt.notice_id)
    try:
        services.ask_leave(receipt, form.cleaned_data["reason"], actor=request.user)
    except (ValidationError, WorkflowError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Leave asked for."))
    return redirect("notices:notice_detail", pk=receipt.notice_id)


@require_POST
@login_required
def receipt_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = _own_receipt(request, pk)
    form = FeedbackForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Write the feedback."))
        return redirect("notices:notice_detail", pk=receipt.notice_id)
    upload = form.cleaned_data.get("attachment")
    try:
        services.submit_feedback(
            receipt,
            form.cleaned_data["feedback"],
            progress=form.cleaned_data.get("progress"),
            files=[upload] if upload else [],
            actor=request.user,
        )
    except (ValidationError, WorkflowError) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        messages.success(request, _("The feedback was submitted."))
    return redirect("notices:notice_detail", pk=receipt.notice_id)


@require_POST
@login_required
def receipt_review(request: HttpRequest, pk: int) -> HttpResponse:
    receipts = Receipt.objects.filter(
        notice__in=managed_notices(request.user, Action.EDIT).values("pk")
    ).select_related("notice")
    receipt = scope.get(request.user, receipts, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return redirect("notices:notice_detail", pk=receipt.notice_id)
    try:
        services.review(
            receipt,
            accept=form.cleaned_data["decision"] == "accept",
            comment=form.cleaned_data["comment"],
            actor=request.user,
        )
    except (ValidationError, WorkflowError) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        messages.success(request, _("The review was recorded."))
    return redirect("notices:notice_detail", pk=receipt.notice_id)


@login_required
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    stored = scope.get(request.user, NoticeFile.objects.select_related("notice"), pk)
    record_read(request.user, AuditEvent.FILE_DOWNLOAD, stored.notice, file=stored.file.name)
    return file_response(
        stored.file,
        content_type=stored.content_type,
        as_attachment=not stored.content_type.startswith("image/"),
        filename=stored.original_name,
    )
