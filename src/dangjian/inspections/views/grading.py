"""Pages of grade evaluations and a federation's grading settings."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.inspections import grading, services
from dangjian.inspections.forms import GradeEvaluationForm, GradingSettingsForm
from dangjian.inspections.lists import GRADES
from dangjian.inspections.models import GradeEvaluation
from dangjian.recommendations.eligibility import grade_eligibility
from dangjian.registry.models import Membership


# -- grade evaluations --------------------------------------------------------------------------
def _federation_for(user, org):
    """The federation (in the user's scope) whose grading settings apply to ``org``."""
    membership = (
        Membership.objects.filter(organization=org, federation__in=scope.federations(user))
        .select_related("federation")
        .order_by("-valid_from")
        .first()
    )
    if membership is None:
        # A liaison has no federation grant but sees its unit's memberships (its own
        # federation). Never an unscoped read: a federation's settings outside the user's scope
        # are not theirs to see.
        membership = (
            scope.visible(Membership, user)
            .filter(organization=org)
            .select_related("federation")
            .order_by("-valid_from")
            .first()
        )
    return membership.federation if membership else None


@login_required
def grade_list(request):
    # The registered scope (a correlated EXISTS per evaluation): SQLite then walks the list's
    # index from its end, where an IN over every unit in scope made it list the units first,
    # then look up each one's evaluations and sort them all (99 -> 22 ms at 100,000 units).
    evaluations = (
        scope.visible(GradeEvaluation, request.user, lists.scope_action(request))
        .select_related("organization")
        .order_by("-year", "organization__name")
    )
    if lists.wants_xlsx(request):
        return GRADES.export(request, evaluations)
    return render(
        request,
        "inspections/grade_list.html",
        {
            **GRADES.context(request, evaluations),
            "can_edit": scope.can(request.user, Action.APPROVE),
            "settings_federations": scope.federations(request.user, Action.APPROVE),
        },
    )


@login_required
def grade_detail(request, pk: int):
    evaluation = scope.get_visible_or_404(
        GradeEvaluation.objects.filter(
            organization__in=scope.organizations(request.user).values("pk")
        ).select_related("organization", "federation"),
        pk=pk,
    )
    rows = [
        {**ind, "score": evaluation.scores.get(ind["code"], "0")} for ind in evaluation.indicators
    ]
    can_edit = (
        scope.organizations(request.user, Action.APPROVE)
        .filter(pk=evaluation.organization_id)
        .exists()
    )
    return render(
        request,
        "inspections/grade_detail.html",
        {"evaluation": evaluation, "rows": rows, "can_edit": can_edit},
    )


@login_required
def grade_edit(request, pk: int | None = None):
    organizations = scope.organizations(request.user, Action.APPROVE)
    if not scope.can(request.user, Action.APPROVE):
        raise Http404
    evaluation = None
    if pk is not None:
        evaluation = scope.get_visible_or_404(
            GradeEvaluation.objects.filter(organization__in=organizations.values("pk")), pk=pk
        )
    org = evaluation.organization if evaluation else None
    if org is None:
        org_id = request.POST.get("organization") or request.GET.get("organization")
        if org_id and str(org_id).isdigit():
            org = organizations.filter(pk=int(org_id)).first()
    federation = _federation_for(request.user, org) if org else None
    if federation is None:
        federation = scope.federations(request.user, Action.APPROVE).first()
    indicators = evaluation.indicators if evaluation else grading.indicators_for(federation)
    today = timezone.localdate()
    initial = {"year": today.year, "evaluated_on": today, "organization": org}
    if evaluation:
        initial.update(
            organization=evaluation.organization,
            year=evaluation.year,
            evaluated_on=evaluation.evaluated_on,
            notice_no=evaluation.notice_no,
            notice_date=evaluation.notice_date,
            notes=evaluation.notes,
            version=evaluation.version,
            **{f"score_{code}": value for code, value in evaluation.scores.items()},
        )
    form = GradeEvaluationForm(
        request.POST or None,
        initial=initial,
        organizations=organizations.order_by("name"),
        indicators=indicators,
    )
    if evaluation:
        form.fields["organization"].disabled = True
        form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = data["organization"]
        federation = _federation_for(request.user, org) or federation
        try:
            result = services.evaluate_grade(
                org,
                federation,
                data["year"],
                scores=form.scores(),
                evaluated_on=data["evaluated_on"],
                eligibility=grade_eligibility(
                    org,
                    data["evaluated_on"],
                    on_abnormal_list=data["on_abnormal_list"],
                    on_serious_list=data["on_serious_list"],
                ),
                notice_no=data["notice_no"],
                notice_date=data["notice_date"],
                notes=data["notes"],
                version=data["version"] if evaluation else 0,
                actor=request.user,
            )
        except services.EditConflict as exc:
            duplicate = isinstance(exc, services.AlreadyEvaluated)
            form.add_error("year" if duplicate else None, str(exc))
        else:
            messages.success(request, _("The grade evaluation was saved."))
            return redirect("inspections:grade_detail", pk=result.pk)
    return render(
        request,
        "inspections/grade_form.html",
        {"form": form, "evaluation": evaluation, "federation": federation},
    )


@login_required
def grading_settings(request):
    federation = scope.federations(request.user, Action.APPROVE).order_by("path").first()
    if federation is None:
        raise Http404
    initial = {
        "indicators": json.dumps(grading.indicators_for(federation), ensure_ascii=False, indent=2),
        "bar_without_party_org": grading.bar_without_party_org(federation),
        **{f"cutoff_{g}": v for g, v in grading.cutoffs_for(federation).items()},
    }
    form = GradingSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_grading_settings(
            federation,
            indicators=form.cleaned_data["indicators"],
            cutoffs=form.cutoffs(),
            bar_without_party_org=form.cleaned_data["bar_without_party_org"],
            actor=request.user,
        )
        messages.success(request, _("The grading settings were saved."))
        return redirect("inspections:grading_settings")
    return render(
        request, "inspections/grading_settings.html", {"form": form, "federation": federation}
    )
