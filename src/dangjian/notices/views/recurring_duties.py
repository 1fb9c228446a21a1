"""Recurring duties (N-8): the sender's configuration — the list, setting one up, changing it
(with the tasks it generated) and ending it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.errors import WorkflowError
from dangjian.core.filters import params
from dangjian.notices import duties, queries, services
from dangjian.notices.access_rules import is_sender, managed_notices, sending_as
from dangjian.notices.filters import DutyFilter
from dangjian.notices.forms import DutyForm
from dangjian.notices.lists import DUTIES
from dangjian.notices.models import Duty, Notice
from dangjian.notices.views.common import _choices, _errors, _origin, _sender
from dangjian.registry.models import Federation

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
