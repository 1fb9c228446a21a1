"""The sender's side: the list of notices sent, writing a draft, publishing, withdrawing and
publishing a new version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.errors import WorkflowError
from dangjian.core.filters import params
from dangjian.notices import queries, services
from dangjian.notices.access_rules import managed_notices, sending_as
from dangjian.notices.filters import NoticeFilter
from dangjian.notices.forms import NoticeForm, ReasonForm, RepublishForm
from dangjian.notices.lists import NOTICES
from dangjian.notices.models import Notice
from dangjian.notices.views.common import NOTICE_QS, _choices, _errors, _origin, _sender
from dangjian.registry.models import Federation

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
