"""Pages of visits to units (by the federation's staff and by instructors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import lists, scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.core.filters import params
from dangjian.inspections import services
from dangjian.inspections.filters import VisitFilter
from dangjian.inspections.forms import VisitForm
from dangjian.inspections.lists import VISITS
from dangjian.inspections.models import Visit
from dangjian.party.models import Instructor

Role = RoleAssignment.Role


# -- visits -------------------------------------------------------------------------------------
@login_required
def visit_list(request):
    action = lists.scope_action(request)
    visible = scope.organizations(request.user, action)
    visits = (
        scope.visible(Visit, request.user, action)
        .select_related("organization", "instructor")
        .order_by("-visited_on", "-id")
    )
    filters = VisitFilter(params(request), visits, organizations=visible)
    if lists.wants_xlsx(request) and not filters.errors:
        return VISITS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "inspections/visit_list.html",
        {
            **VISITS.context(request, filters.qs),
            "filters": filters.form,
            "can_record": _can_record_visits(request.user),
            "unreachable": filters.form["unreachable"].value() == "1",
        },
    )


# Visits are made by the federation's staff and by instructors, not by the units themselves.
VISITING_ROLES = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.INSTRUCTOR)


def _can_record_visits(user) -> bool:
    return any(g.role in VISITING_ROLES for g in scope.assignments(user, Action.EDIT))


@login_required
def visit_create(request):
    if not _can_record_visits(request.user):
        raise Http404
    organizations = scope.organizations(request.user, Action.EDIT)
    initial = {"visited_on": timezone.localdate()}
    org_id = request.GET.get("organization")
    if org_id and org_id.isdigit():
        initial["organization"] = int(org_id)
    form = VisitForm(
        request.POST or None,
        initial=initial,
        organizations=organizations.order_by("name"),
        instructors=scope.visible(Instructor, request.user, Action.EDIT).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.record_visit(
            data["organization"],
            data["visited_on"],
            data["visitors"],
            data["findings"],
            instructor=data["instructor"],
            unreachable_at_address=data["unreachable_at_address"],
            follow_up=data["follow_up"],
            actor=request.user,
        )
        messages.success(request, _("The visit was recorded."))
        return redirect("inspections:visit_list")
    return render(request, "inspections/visit_form.html", {"form": form})
