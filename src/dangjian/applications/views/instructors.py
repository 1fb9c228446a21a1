"""Instructors (党建工作指导员): appointment, assignments to units, visit logs, overdue visits.

Visit logs are ``inspections.Visit`` rows written through ``inspections.services.record_visit``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import background_exports, lists, scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.applications import access_rules, services
from dangjian.applications.checks import (
    VISIT_OVERDUE_DAYS,
    assignment_counts,
    current_assignments,
    instructor_units,
)
from dangjian.applications.forms import (
    AssignmentForm,
    EndAssignmentForm,
    InstructorForm,
    VisitForm,
)
from dangjian.applications.lists import INSTRUCTORS
from dangjian.applications.views.common import serve_file
from dangjian.core.masking import mask_phone
from dangjian.inspections.models import Visit
from dangjian.inspections.services import record_visit
from dangjian.party.models import Instructor


def shows_dispatcher(user) -> bool:
    """The dispatching body is often a party committee the viewer may not otherwise see: shown
    to those who see the federation."""
    return scope.federations(user).exists()


def _export_instructors(request):
    user = request.user
    title = Instructor._meta.verbose_name_plural
    if (
        queued := background_exports.later(
            request, scope.instructors(user, Action.EXPORT), title=title
        )
    ) is not None:
        return queued
    instructors = list(scope.instructors(user, Action.EXPORT).order_by("name", "pk"))
    # Only the assignments to units the viewer may export, as the instructor's page shows them.
    visible = set(scope.organizations(user, Action.EXPORT).values_list("pk", flat=True))
    units = {}
    for row in current_assignments(instructors):
        if row.organization_id in visible:
            units.setdefault(row.instructor_id, []).append(row)
    columns = [
        lists.field(Instructor, "name", 14),
        lists.field(Instructor, "kind", 14),
        lists.field(Instructor, "notice_no", 22),
        lists.field(Instructor, "notice_date", 12),
        (
            _("units assigned"),
            lambda i: "、".join(r.organization.name for r in units.get(i.pk, [])),
            40,
        ),
        (
            _("overdue for a visit"),
            lambda i: sum(1 for r in units.get(i.pk, []) if r.overdue),
            12,
        ),
    ]
    if shows_dispatcher(user):
        columns.insert(2, lists.field(Instructor, "dispatched_by", 26))
    return lists.xlsx_response(request, title=title, columns=columns, rows=instructors)


@login_required
def instructor_list(request):
    if lists.wants_xlsx(request):
        return _export_instructors(request)
    qs = scope.instructors(request.user)
    page = INSTRUCTORS.page(request, qs)
    counts = assignment_counts(page.rows)
    for instructor in page.rows:
        instructor.unit_count, instructor.overdue_count = counts.get(instructor.pk, (0, 0))
    return render(
        request,
        "applications/instructor_list.html",
        {
            "page": page,
            "can_appoint": scope.can(request.user, Action.APPROVE),
            "overdue_days": VISIT_OVERDUE_DAYS,
            "show_dispatcher": shows_dispatcher(request.user),
            "export_query": lists.export_query(request),
        },
    )


@requires(Action.APPROVE)
def instructor_appoint(request):
    federations = scope.federations(request.user, Action.APPROVE)
    form = InstructorForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        federation = federations.filter(pk=request.POST.get("federation")).first()
        if federation is None:
            form.add_error(None, _("Choose a federation you may act for."))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "notice_upload"}
            instructor = services.appoint_instructor(
                federation,
                data,
                notice_upload=form.cleaned_data.get("notice_upload"),
                actor=request.user,
            )
            messages.success(request, _("%(name)s appointed.") % {"name": instructor})
            return redirect("applications:instructor_detail", pk=instructor.pk)
    return render(
        request,
        "applications/instructor_appoint.html",
        {"form": form, "federations": federations},
        status=400 if form.errors else 200,
    )


INSTRUCTOR_ROWS = Instructor.objects.select_related("dossier__notice_file")


def _instructor(request, pk, action=Action.VIEW):
    return scope.get(request.user, INSTRUCTOR_ROWS, pk, action)


@login_required
def instructor_detail(request, pk, assign_form=None, visit_form=None):
    instructor, rights = scope.get_with_rights(request.user, INSTRUCTOR_ROWS, pk)
    today = timezone.localdate()
    visible = scope.organizations(request.user)
    visible_ids = set(visible.values_list("pk", flat=True))
    units = [u for u in instructor_units(instructor, today) if u.organization_id in visible_ids]
    may_appoint = Action.APPROVE in rights
    may_log = access_rules.may_log_visits(request.user, instructor)
    visits = (
        Visit.objects.filter(instructor=instructor, organization__in=visible)
        .select_related("organization")
        .order_by("-visited_on", "-id")[:100]
    )
    if may_appoint and assign_form is None:
        assign_form = AssignmentForm(
            organizations=scope.organizations(request.user, Action.APPROVE).order_by("name")
        )
    if may_log and visit_form is None:
        visit_form = _visit_form(request, instructor, units)
    dossier = getattr(instructor, "dossier", None)
    return render(
        request,
        "applications/instructor_detail.html",
        {
            "instructor": instructor,
            "dossier": dossier,
            "units": units,
            "overdue": [u for u in units if u.overdue],
            "overdue_days": VISIT_OVERDUE_DAYS,
            "assignments": instructor.assignments.filter(organization__in=visible)
            .select_related("organization")
            .order_by("valid_to", "-valid_from"),
            "visits": visits,
            "assign_form": assign_form,
            "visit_form": visit_form,
            "end_form": EndAssignmentForm() if may_appoint else None,
            "may_appoint": may_appoint,
            "today": today,
            "phone_masked": mask_phone(instructor.phone),
            "show_dispatcher": shows_dispatcher(request.user),
        },
        status=400
        if (assign_form and assign_form.errors) or (visit_form and visit_form.errors)
        else 200,
    )


def _visit_form(request, instructor, units, data=None):
    ids = [u.organization_id for u in units]
    return VisitForm(
        data,
        organizations=scope.organizations(request.user).filter(pk__in=ids).order_by("name"),
    )


@require_POST
@requires(Action.APPROVE)
def instructor_assign(request, pk):
    instructor = _instructor(request, pk, Action.APPROVE)
    form = AssignmentForm(
        request.POST, organizations=scope.organizations(request.user, Action.APPROVE)
    )
    if not form.is_valid():
        return instructor_detail(request, pk, assign_form=form)
    data = form.cleaned_data
    try:
        services.assign_instructor(
            instructor,
            data["organization"],
            valid_from=data["valid_from"],
            notice_no=data["notice_no"],
            notice_date=data["notice_date"],
            actor=request.user,
        )
        messages.success(request, _("Assigned to %(unit)s.") % {"unit": data["organization"]})
    except services.WorkflowError as exc:
        form.add_error(None, str(exc))
        return instructor_detail(request, pk, assign_form=form)
    return redirect("applications:instructor_detail", pk=pk)


@require_POST
@requires(Action.APPROVE)
def assignment_end(request, pk, assignment_pk):
    instructor = _instructor(request, pk, Action.APPROVE)
    assignment = scope.get_visible_or_404(
        instructor.assignments.filter(
            organization__in=scope.organizations(request.user, Action.APPROVE)
        ),
        pk=assignment_pk,
    )
    form = EndAssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.end_assignment(
                assignment, valid_to=form.cleaned_data["valid_to"], actor=request.user
            )
            messages.success(request, _("Assignment ended."))
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Enter a valid last day."))
    return redirect("applications:instructor_detail", pk=pk)


@require_POST
@login_required
def instructor_visit(request, pk):
    instructor = _instructor(request, pk)
    if not access_rules.may_log_visits(request.user, instructor):
        raise PermissionDenied
    units = instructor_units(instructor)
    form = _visit_form(request, instructor, units, request.POST)
    if not form.is_valid():
        return instructor_detail(request, pk, visit_form=form)
    data = form.cleaned_data
    record_visit(
        data["organization"],
        data["visited_on"],
        data["visitors"],
        data["findings"],
        instructor=instructor,
        unreachable_at_address=data["unreachable_at_address"],
        follow_up=data["follow_up"],
        actor=request.user,
    )
    messages.success(request, _("Visit recorded."))
    return redirect("applications:instructor_detail", pk=pk)


@login_required
def instructor_notice(request, pk):
    instructor = _instructor(request, pk)
    dossier = getattr(instructor, "dossier", None)
    if dossier is None or dossier.notice_file is None:
        raise Http404
    return serve_file(request, dossier.notice_file, instructor)
