"""Notice pages: the sender's list, writing and publishing, the notice's page (the sender's
figures or the recipient's receipt), the receipts' drill-down, signing, feedback, review, the
recipient's inbox and the bell. Thin: the one door gives the objects, the services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
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
from dangjian.notices import duties, queries, services
from dangjian.notices.access_rules import is_sender, managed_notices, own_receipts, sending_as
from dangjian.notices.filters import DutyFilter, InboxFilter, NoticeFilter, ReceiptFilter
from dangjian.notices.forms import (
    DutyForm,
    FeedbackForm,
    LeaveForm,
    NoticeForm,
    ReasonForm,
    RepublishForm,
    ReviewForm,
)
from dangjian.notices.lists import DUTIES, INBOX, NOTICES, NOTIFICATIONS, RECEIPTS
from dangjian.notices.models import Duty, Notice, NoticeFile, Notification, Receipt
from dangjian.registry.models import Federation

NOTICE_QS = Notice.objects.select_related("federation", "party_organization")


def _errors(form: Any, exc: ValidationError | WorkflowError) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in getattr(exc, "messages", [str(exc)]):
            form.add_error(None, message)


def _sender(request: HttpRequest) -> Any:
    grant = sending_as(request.user)
    if grant is None:
        raise Http404
    return grant


def _choices(grant: Any) -> tuple[Any, Any]:
    today = timezone.localdate()
    federation_id, party_org_id = _origin(grant)
    return (
        services.sender_units(federation_id, party_org_id, today),
        services.sender_branches(federation_id, party_org_id, today),
    )


def _origin(grant: Any) -> tuple[int, int | None]:
    if grant.party_organization_id is not None and grant.federation_id is None:
        return grant.party_organization.federation_id, grant.party_organization_id
    return grant.federation_id, None


# -- the sender's side ---------------------------------------------------------------------


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    action = lists.scope_action(request)
    notices = queries.with_counts(managed_notices(request.user, action))
    filters = NoticeFilter(params(request), notices)
    if lists.wants_xlsx(request) and not filters.errors:
        return NOTICES.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "notices/notice_list.html",
        {
            **NOTICES.context(request, filters.qs),
            "filters": filters.form,
            "can_send": sending_as(request.user) is not None,
        },
    )


def _values(form: Any) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    return {
        f: data.get(f) for f in (*services.CONTENT_FIELDS, *services.TARGET_FIELDS) if f in data
    }


def _fill_deadline(values: dict[str, Any], federation: Any) -> None:
    if not values.get("sign_deadline"):
        values["sign_deadline"] = services.default_deadline(
            timezone.now(), urgent=bool(values.get("urgent")), federation=federation
        )
    if values.get("kind") == Notice.Kind.TASK and not values.get("feedback_deadline"):
        values["feedback_deadline"] = services.default_feedback_deadline(
            values["sign_deadline"], federation=federation
        )


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    grant = _sender(request)
    units, branches = _choices(grant)
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        branches=branches,
        initial={"audience": Notice.Audience.ALL_UNITS},
    )
    if request.method == "POST" and form.is_valid():
        federation_id, party_org_id = _origin(grant)
        values = _values(form)
        party_org = branches.filter(pk=party_org_id).first() if party_org_id else None
        federation = Federation.objects.get(pk=federation_id)
        _fill_deadline(values, federation)
        try:
            notice = services.create_notice(
                federation=federation,
                party_organization=party_org,
                values=values,
                organizations=form.cleaned_data["organizations"],
                party_organizations=form.cleaned_data["party_organizations"],
                actor=request.user,
            )
            if form.cleaned_data.get("attachment"):
                services.add_file(notice, form.cleaned_data["attachment"], actor=request.user)
        except (ValidationError, WorkflowError) as exc:
            _errors(form, exc)
        else:
            return _saved(request, notice)
    return render(request, "notices/notice_form.html", {"form": form, "notice": None})


def _saved(request: HttpRequest, notice: Notice) -> HttpResponse:
    """After a draft is written (new or edited): published too when that button was pressed."""
    if request.POST.get("publish") == "yes":
        _publish(request, notice)
    else:
        messages.success(request, _("The draft was saved."))
    return redirect("notices:notice_detail", pk=notice.pk)


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = scope.get(request.user, NOTICE_QS, pk, Action.EDIT)
    if notice.status != Notice.Status.DRAFT:
        return redirect("notices:notice_detail", pk=pk)
    grant = _sender(request)
    units, branches = _choices(grant)
    initial = {f: getattr(notice, f) for f in (*services.CONTENT_FIELDS, *services.TARGET_FIELDS)}
    initial["organizations"] = list(notice.organizations.values_list("pk", flat=True))
    initial["party_organizations"] = list(notice.target_branches.values_list("pk", flat=True))
    form = NoticeForm(
        request.POST or None, request.FILES or None, units=units, branches=branches, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        values = _values(form)
        _fill_deadline(values, notice.federation)
        try:
            services.update_draft(
                notice,
                values,
                organizations=form.cleaned_data["organizations"],
                party_organizations=form.cleaned_data["party_organizations"],
                actor=request.user,
            )
            if form.cleaned_data.get("attachment"):
                services.add_file(notice, form.cleaned_data["attachment"], actor=request.user)
        except (ValidationError, WorkflowError) as exc:
            _errors(form, exc)
        else:
            return _saved(request, notice)
    return render(request, "notices/notice_form.html", {"form": form, "notice": notice})


@require_POST
@login_required
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = scope.get(request.user, NOTICE_QS, pk, Action.EDIT)
    if request.POST.get("confirm") != "yes":  # the button's own field: an empty POST does nothing
        return redirect("notices:notice_detail", pk=pk)
    _publish(request, notice)
    return redirect("notices:notice_detail", pk=pk)


def _publish(request: HttpRequest, notice: Notice) -> None:
    """Publish, or say on the draft's page why not (no recipients, a deadline passed)."""
    try:
        services.publish(notice, actor=request.user)
    except (ValidationError, WorkflowError) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
        messages.warning(request, _("The draft was saved but not published."))
    else:
        messages.success(request, _("The notice was published."))


@require_POST
@login_required
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = scope.get(request.user, NOTICE_QS, pk, Action.EDIT)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the notice is withdrawn."))
        return redirect("notices:notice_detail", pk=pk)
    try:
        services.withdraw(notice, form.cleaned_data["reason"], actor=request.user)
    except (ValidationError, WorkflowError) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        messages.success(request, _("The notice was withdrawn."))
    return redirect("notices:notice_detail", pk=pk)


@login_required
def notice_republish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = scope.get(request.user, NOTICE_QS, pk, Action.EDIT)
    if notice.status not in (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN):
        return redirect("notices:notice_detail", pk=pk)
    grant = _sender(request)
    units, branches = _choices(grant)
    initial: dict[str, Any] = {
        f: getattr(notice, f) for f in (*services.CONTENT_FIELDS, *services.TARGET_FIELDS)
    }
    initial["sign_deadline"] = None
    initial["organizations"] = list(notice.organizations.values_list("pk", flat=True))
    initial["party_organizations"] = list(notice.target_branches.values_list("pk", flat=True))
    form = RepublishForm(
        request.POST or None, request.FILES or None, units=units, branches=branches, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        values = _values(form)
        _fill_deadline(values, notice.federation)
        try:
            new = services.republish(
                notice,
                values,
                form.cleaned_data["reason"],
                organizations=form.cleaned_data["organizations"],
                party_organizations=form.cleaned_data["party_organizations"],
                actor=request.user,
            )
        except (ValidationError, WorkflowError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The new version was published."))
            return redirect("notices:notice_detail", pk=new.pk)
    return render(
        request, "notices/notice_form.html", {"form": form, "notice": notice, "republish": True}
    )


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


# -- the recipient's side and the bell -------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    receipts = own_receipts(request.user).select_related("notice")
    filters = InboxFilter(params(request), receipts)
    if lists.wants_xlsx(request) and not filters.errors:
        if not scope.can(request.user, Action.EXPORT):
            raise Http404
        return INBOX.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "notices/inbox.html",
        {
            **INBOX.context(request, filters.qs),
            "filters": filters.form,
            "to_sign": queries.to_sign(request.user).count(),
            "may_export": scope.can(request.user, Action.EXPORT),
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    mine = scope.visible(Notification, request.user)
    if lists.wants_xlsx(request):
        raise Http404  # one's own messages: nothing to export
    return render(
        request,
        "notices/notifications.html",
        {**NOTIFICATIONS.context(request, mine), "unseen": queries.unseen_count(request.user)},
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = scope.get(request.user, Notification, pk)
    services.mark_seen(notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notices:notifications")


@require_POST
@login_required
def notifications_seen(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") == "yes":
        services.mark_all_seen(request.user)
    return redirect("notices:notifications")


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's count, fetched by htmx from the navigation bar (no page writes)."""
    return render(request, "notices/_bell.html", {"unseen": queries.unseen_count(request.user)})


# -- recurring duties (N-8): the sender's configuration --------------------------------------

DUTY_QS = Duty.objects.select_related("federation", "party_organization")


@login_required
def duty_list(request: HttpRequest) -> HttpResponse:
    if not is_sender(request.user):
        raise Http404
    action = lists.scope_action(request)
    qs = duties.with_last_task(scope.visible(Duty, request.user, action))
    filters = DutyFilter(params(request), qs)
    if lists.wants_xlsx(request) and not filters.errors:
        return DUTIES.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "notices/duty_list.html",
        {
            **DUTIES.context(request, filters.qs),
            "filters": filters.form,
            "can_send": sending_as(request.user) is not None,
        },
    )


def _duty_values(form: DutyForm) -> dict[str, Any]:
    return {f: form.cleaned_data.get(f) for f in duties.DUTY_FIELDS}


@login_required
def duty_new(request: HttpRequest) -> HttpResponse:
    grant = _sender(request)
    units, branches = _choices(grant)
    today = timezone.localdate()
    form = DutyForm(
        request.POST or None,
        units=units,
        branches=branches,
        this_year=today.year,
        fixed=False,
        initial={
            "audience": Notice.Audience.BRANCHES,
            "cycle": Duty.Cycle.MONTH,
            "year": today.year,
            "expected_count": 1,
        },
    )
    if request.method == "POST" and form.is_valid():
        federation_id, party_org_id = _origin(grant)
        try:
            duty = duties.create_duty(
                federation=Federation.objects.get(pk=federation_id),
                party_organization=branches.filter(pk=party_org_id).first()
                if party_org_id
                else None,
                values=_duty_values(form),
                organizations=form.cleaned_data["organizations"],
                party_organizations=form.cleaned_data["party_organizations"],
                actor=request.user,
            )
        except (ValidationError, WorkflowError) as exc:
            _errors(form, exc)
        else:
            messages.success(
                request,
                _("The recurring duty was set up: its first task goes out tonight."),
            )
            return redirect("notices:duty_edit", pk=duty.pk)
    return render(request, "notices/duty_form.html", {"form": form, "duty": None})


@login_required
def duty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    duty = scope.get(request.user, DUTY_QS, pk, Action.EDIT)
    today = timezone.localdate()
    units = services.sender_units(duty.federation_id, duty.party_organization_id, today)
    branches = services.sender_branches(duty.federation_id, duty.party_organization_id, today)
    fixed = duties.has_tasks(duty)
    initial: dict[str, Any] = {f: getattr(duty, f) for f in duties.DUTY_FIELDS}
    initial["organizations"] = list(duty.organizations.values_list("pk", flat=True))
    initial["party_organizations"] = list(duty.target_branches.values_list("pk", flat=True))
    form = DutyForm(
        request.POST or None,
        units=units,
        branches=branches,
        this_year=today.year,
        fixed=fixed,
        initial=initial,
    )
    if not duty.active:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and duty.active and form.is_valid():
        try:
            duties.update_duty(
                duty,
                _duty_values(form),
                organizations=form.cleaned_data["organizations"],
                party_organizations=form.cleaned_data["party_organizations"],
                actor=request.user,
            )
        except (ValidationError, WorkflowError) as exc:
            _errors(form, exc)
        else:
            messages.success(
                request,
                _("The changes were saved: they apply from the next task generated."),
            )
            return redirect("notices:duty_edit", pk=duty.pk)
    # A duty's tasks: one per cycle of its year (at most 12) and their new versions.
    tasks = queries.with_counts(managed_notices(request.user).filter(duty=duty)).order_by(
        "-period", "-version_no", "-pk"
    )
    return render(
        request,
        "notices/duty_form.html",
        {
            "form": form,
            "duty": duty,
            "tasks": list(tasks),
            "current": duties.cycle_of(duty, today),
        },
    )


@require_POST
@login_required
def duty_end(request: HttpRequest, pk: int) -> HttpResponse:
    duty = scope.get(request.user, DUTY_QS, pk, Action.EDIT)
    if request.POST.get("confirm") != "yes":  # the button's own field: an empty POST does nothing
        return redirect("notices:duty_edit", pk=pk)
    try:
        duties.end_duty(duty, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The recurring duty was ended: no more tasks will be generated for it.")
        )
    return redirect("notices:duty_list")
