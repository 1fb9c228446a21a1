"""The recruitment pages: applicants (list and export), a branch's pipeline, an applicant's
file with its timeline and the form for the next step, a new application. Kept by the branch's
secretary and the federation's officers (``access_rules``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.core.errors import WorkflowError
from dangjian.core.filters import params
from dangjian.party.models import PartyOrganization
from dangjian.party.queries import voting_members
from dangjian.recruitment import procedure, queries, services
from dangjian.recruitment.filters import ApplicantFilter
from dangjian.recruitment.forms import ApplicantForm, StepForm
from dangjian.recruitment.lists import APPLICANTS
from dangjian.recruitment.models import Applicant


def _branches(request, action=Action.VIEW):
    return scope.dues_branches(request.user, action)


@login_required
def index(request):
    """Every applicant the user keeps, newest application first; the branches' pipelines."""
    action = lists.scope_action(request)
    qs = scope.visible(Applicant, request.user, action).select_related("branch")
    filters = ApplicantFilter(params(request), qs)
    if lists.wants_xlsx(request):
        return APPLICANTS.export(request, filters.qs, filters=filters.describe())
    branches = _branches(request).filter(applicants__isnull=False).distinct().order_by("name")
    return render(
        request,
        "recruitment/index.html",
        {
            **APPLICANTS.context(request, filters.qs),
            "filters": filters.form,
            "branches": branches,
            "can_add": _branches(request, Action.EDIT).exists(),
        },
    )


@login_required
def branch(request, pk: int):
    """A branch's pipeline: who is at which stage, what is due by when, what is overdue."""
    po = scope.get_visible_or_404(_branches(request).select_related("federation"), pk=pk)
    today = timezone.localdate()
    standings = queries.pipeline(scope.visible(Applicant, request.user).filter(branch=po), today)
    stages = []
    for code, title in procedure.stages(today):
        rows = [s for s in standings if s.stage == code]
        stages.append({"code": code, "title": title, "rows": rows})
    overdue = sum(len(s.overdue) for s in standings)
    return render(
        request,
        "recruitment/branch.html",
        {"po": po, "stages": stages, "overdue": overdue, "today": today, "total": len(standings)},
    )


@login_required
@requires(Action.EDIT)
def new(request):
    branches = _branches(request, Action.EDIT).order_by("name")
    form = ApplicantForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            applicant = services.register_applicant(data, branch=data["branch"], actor=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Application recorded."))
            return redirect("recruitment:applicant", applicant.pk)
    return render(request, "recruitment/new.html", {"form": form})


def _available(standing) -> list[procedure.StepRule]:
    """The steps that may be recorded now: the next one, and the repeated steps and the
    extension while they are open."""
    s, day = standing, standing.day
    found = [standing.next_step] if standing.next_step else []
    if standing.applicant.status == Applicant.Status.STOPPED:
        return []
    for code, start, end in (
        ("assessment", "activist", "candidate"),
        ("probation_assessment", queries.ADMITTED, queries.CONFIRMED),
        ("extension", queries.ADMITTED, "full_meeting"),
    ):
        if s.has(start) and not s.has(end):
            found.append(procedure.step(code, day))
    return found


def _step_form(request, applicant, code, data=None):
    members = voting_members(applicant.branch, on=timezone.localdate()).order_by("name", "pk")
    approvers = PartyOrganization.objects.filter(
        pk__in=queries.higher_organization_ids(applicant.branch)
    ).order_by("name")
    return StepForm(
        data,
        code=code,
        members=members,
        approvers=approvers,
        initial={"version": applicant.version, "done_on": timezone.localdate()},
    )


@login_required
def applicant(request, pk: int, *, form=None, code: str = ""):
    """An applicant's file: the person (masked), the timeline of steps done with their articles,
    the 25 steps of the procedure with what is due, and the form for the next step."""
    a, rights = scope.get_with_rights(
        request.user,
        scope.visible(Applicant, request.user).select_related("branch__federation", "member"),
        pk,
    )
    today = timezone.localdate()
    standing = queries.standing(a, today)
    available = _available(standing)
    can_edit = Action.EDIT in rights
    code = code or request.GET.get("step") or (available[0].code if available else "")
    if can_edit and form is None and code in {r.code for r in available}:
        form = _step_form(request, a, code)
    timeline = []
    steps = a.steps.select_related("approver").prefetch_related("members").order_by("done_on", "pk")
    for step in steps:
        rule = procedure.step(step.code, step.done_on)
        timeline.append({"step": step, "rule": rule, "document": procedure.document(step.done_on)})
    due_by_code = {d.code: d for d in standing.dues}
    procedure_rows = [
        {"rule": r, "done": standing.done.get(r.code, []), "due": due_by_code.get(r.code)}
        for r in procedure.steps(today)
    ]
    return render(
        request,
        "recruitment/applicant.html",
        {
            "a": a,
            "standing": standing,
            "timeline": timeline,
            "procedure": procedure_rows,
            "available": available if can_edit else [],
            "form": form if can_edit else None,
            "code": code,
            "code_title": procedure.step(code, today).title if code else "",
            "stage_title": procedure.stage_title(standing.stage, today) if standing.stage else "",
            "document": procedure.document(today),
            "today": today,
            "can_edit": can_edit,
        },
    )


@login_required
@require_POST
@requires(Action.EDIT)
def record(request, pk: int):
    """Record a step; a refusal shows the page again with what was typed and the reason."""
    a = scope.get(request.user, Applicant, pk, Action.EDIT)
    code = request.POST.get("code", "")
    try:
        procedure.step(code, timezone.localdate())
    except KeyError:
        messages.error(request, _("Unknown recruitment step."))
        return redirect("recruitment:applicant", a.pk)
    form = _step_form(request, a, code, request.POST)
    if form.is_valid():
        try:
            step = services.record_step(
                a,
                code,
                form.values(),
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            if step.is_passed:
                messages.success(request, _("Step recorded."))
            else:  # a branch meeting whose vote failed: recorded, the step not passed
                messages.warning(
                    request,
                    _("Recorded as %(outcome)s: %(why)s")
                    % {"outcome": step.outcome_label, "why": step.data.get("explanation", "")},
                )
            return redirect("recruitment:applicant", a.pk)
    return applicant(request, a.pk, form=form, code=code)


@login_required
@require_POST
@requires(Action.EDIT)
def stop(request, pk: int):
    a = scope.get(request.user, Applicant, pk, Action.EDIT)
    try:
        services.stop_applicant(
            a,
            version=request.POST.get("version"),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The application has been ended."))
    return redirect("recruitment:applicant", a.pk)
