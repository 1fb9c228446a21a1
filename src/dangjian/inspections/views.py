"""Pages of annual inspections, grade evaluations and visits (thin: services do the writes)."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import lists, scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.core.models import valid_on_q
from dangjian.core.pagination import keyset_page
from dangjian.inspections import grading, services
from dangjian.inspections.deadlines import (
    is_exempt,
    registrar_deadline,
    report_state,
    supervisor_deadline,
)
from dangjian.inspections.forms import (
    AnnualInspectionForm,
    GradeEvaluationForm,
    GradingSettingsForm,
    VisitForm,
)
from dangjian.inspections.models import AnnualInspection, GradeEvaluation, Visit
from dangjian.orglife.models import Meeting
from dangjian.party.models import Instructor
from dangjian.registry.models import Membership

Role = RoleAssignment.Role


def _open_findings(organization, user):
    """Open findings of the unit (read, never recomputed), when the rules app has them."""
    try:
        from dangjian.rules.models import Finding
    except ImportError:
        return []
    findings = list(
        Finding.objects.open()
        .filter(organization=organization)
        .filter(organization__in=scope.organizations(user).values("pk"))
        .order_by("-last_seen", "rule_id")[:50]
    )
    for finding in findings:
        finding.title = _rule_title(finding.rule_id)
    return findings


def _rule_title(rule_id: str) -> str:
    try:
        from dangjian.rules import rulebook

        return rulebook.load().latest(rule_id).title_zh
    except (ImportError, KeyError):
        return rule_id


def _member_units(user, day: datetime.date, action=Action.VIEW):
    """Units visible to the user that were member units on ``day``."""
    return scope.organizations(user, action).filter(
        pk__in=Membership.objects.filter(valid_on_q(day)).values("organization")
    )


def _default_year() -> int:
    return timezone.localdate().year - 1


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return _default_year()
    return year if 2000 <= year <= timezone.localdate().year else _default_year()


def _states(inspection, org, year, today):
    exempt = inspection.exempt if inspection else is_exempt(org.founded_on, year)
    return (
        report_state(
            inspection.report_to_supervisor_on if inspection else None,
            supervisor_deadline(year),
            today,
            exempt,
        ),
        report_state(
            inspection.report_to_registrar_on if inspection else None,
            registrar_deadline(year),
            today,
            exempt,
        ),
    )


# -- annual inspections -------------------------------------------------------------------------
def _state_text(state) -> str:
    received = getattr(state, "received_on", None)
    return f"{state.label} {received:%Y-%m-%d}" if received else str(state.label)


def _export_inspections(request, units, year, today):
    found = {
        i.organization_id: i
        for i in AnnualInspection.objects.filter(year=year, organization__in=units.values("pk"))
    }
    units = list(units.order_by("name", "pk"))
    states = {u.pk: _states(found.get(u.pk), u, year, today) for u in units}
    return lists.xlsx_response(
        request,
        title=_("Annual inspections of work year %(year)s") % {"year": year},
        columns=[
            (_("organization"), lambda u: u.name, 36),
            (_("to the supervising unit"), lambda u: _state_text(states[u.pk][0]), 22),
            (_("to the registration authority"), lambda u: _state_text(states[u.pk][1]), 22),
            (
                _("conclusion"),
                lambda u: found[u.pk].get_conclusion_display() if u.pk in found else "",
                12,
            ),
            (_("notes"), lambda u: found[u.pk].notes if u.pk in found else "", 40),
        ],
        rows=units,
        filters=f"{_('work year')}={year}",
    )


@login_required
def inspection_list(request):
    today = timezone.localdate()
    year = _year(request.GET.get("year"))
    if lists.wants_xlsx(request):
        units = _member_units(request.user, datetime.date(year, 12, 31), Action.EXPORT)
        return _export_inspections(request, units, year, today)
    units = _member_units(request.user, datetime.date(year, 12, 31))
    page = keyset_page(units, request.GET.get("after"))
    inspections = {
        i.organization_id: i
        for i in AnnualInspection.objects.filter(year=year, organization__in=page.rows)
    }
    rows = []
    for org in page.rows:
        inspection = inspections.get(org.pk)
        to_supervisor, to_registrar = _states(inspection, org, year, today)
        rows.append(
            {
                "org": org,
                "inspection": inspection,
                "to_supervisor": to_supervisor,
                "to_registrar": to_registrar,
            }
        )
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 8, -1)),
            "rows": rows,
            "page": page,
            "export_query": lists.export_query(request),
            "can_edit": scope.can(request.user, Action.APPROVE),
            "supervisor_deadline": supervisor_deadline(year),
            "registrar_deadline": registrar_deadline(year),
        },
    )


def _meeting_rows(section: dict) -> list[dict]:
    labels = dict(Meeting.Kind.choices)
    return [
        {
            **row,
            "label": labels.get(row.get("kind"), row.get("kind")),
            "short": row["held"] < row["required"],
        }
        for row in section.get("meetings", [])
    ]


@login_required
def inspection_edit(request, org_pk: int, year: int):
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise Http404
    org = scope.get_visible_or_404(scope.organizations(request.user), pk=org_pk)
    can_edit = scope.organizations(request.user, Action.APPROVE).filter(pk=org.pk).exists()
    inspection = AnnualInspection.objects.filter(organization=org, year=year).first()
    exempt = inspection.exempt if inspection else is_exempt(org.founded_on, year)
    initial = {"version": inspection.version if inspection else None}
    if inspection:
        initial.update(
            report_to_supervisor_on=inspection.report_to_supervisor_on,
            report_to_registrar_on=inspection.report_to_registrar_on,
            notes=inspection.notes,
            conclusion=inspection.conclusion,
        )
    form = AnnualInspectionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        year=year,
        exempt=exempt,
    )
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_annual_inspection(
                    org,
                    year,
                    report_to_supervisor_on=data["report_to_supervisor_on"],
                    report_to_registrar_on=data["report_to_registrar_on"],
                    notes=data["notes"],
                    conclusion=data["conclusion"],
                    # Empty: the officer saw no inspection yet; if one appeared meanwhile,
                    # version 0 never matches it and the service reports the conflict.
                    version=data["version"] or 0,
                    refresh_party_section=data["refresh_party_section"],
                    actor=request.user,
                )
            except services.EditConflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The annual inspection was saved."))
                return redirect("inspections:inspection_edit", org_pk=org.pk, year=year)
    if inspection and inspection.party_section:
        section = inspection.party_section
        section_is_preview = False
    else:
        from dangjian.inspections.ledger import party_section

        section = party_section(org, year, today)
        section_is_preview = True
    to_supervisor, to_registrar = _states(inspection, org, year, today)
    return render(
        request,
        "inspections/inspection_edit.html",
        {
            "org": org,
            "year": year,
            "inspection": inspection,
            "form": form,
            "can_edit": can_edit,
            "exempt": exempt,
            "section": section,
            "meeting_rows": _meeting_rows(section),
            "section_is_preview": section_is_preview,
            "to_supervisor": to_supervisor,
            "to_registrar": to_registrar,
            "findings": _open_findings(org, request.user),
            "visits": Visit.objects.filter(organization=org)[:10],
            "history": AnnualInspection.objects.filter(organization=org).order_by("-year")[:10],
        },
    )


# -- visits -------------------------------------------------------------------------------------
def _visit_filters(request, visits) -> str:
    parts = []
    if request.GET.get("unreachable") == "1":
        parts.append(str(_("unreachable at the registered address")))
    org_id = request.GET.get("organization")
    if org_id and org_id.isdigit():
        first = visits.select_related("organization").first()
        parts.append(f"{_('organization')}={first.organization.name if first else org_id}")
    return "，".join(parts)


@login_required
def visit_list(request):
    action = lists.scope_action(request)
    visible = scope.organizations(request.user, action)
    visits = (
        Visit.objects.filter(organization__in=visible.values("pk"))
        .select_related("organization", "instructor")
        .order_by("-visited_on", "-id")
    )
    if request.GET.get("unreachable") == "1":
        visits = visits.filter(unreachable_at_address=True)
    org_id = request.GET.get("organization")
    if org_id and org_id.isdigit():
        visits = visits.filter(organization_id=int(org_id))
    if lists.wants_xlsx(request):
        return lists.xlsx_response(
            request,
            title=Visit._meta.verbose_name_plural,
            columns=[
                lists.field(Visit, "visited_on", 12),
                lists.field(Visit, "organization", 34),
                lists.field(Visit, "visitors", 20),
                lists.field(Visit, "instructor", 14),
                lists.field(Visit, "findings", 40),
                lists.field(Visit, "unreachable_at_address", 12),
                lists.field(Visit, "follow_up", 40),
            ],
            rows=visits.iterator(chunk_size=2000),
            filters=_visit_filters(request, visits),
        )
    page = keyset_page(visits, request.GET.get("after"), key="visited_on", newest_first=True)
    return render(
        request,
        "inspections/visit_list.html",
        {
            "visits": page.rows,
            "page": page,
            "query": lists.filter_params(request).urlencode(),
            "export_query": lists.export_query(request),
            "can_record": _can_record_visits(request.user),
            "unreachable": request.GET.get("unreachable") == "1",
        },
    )


def _visit_instructors(user, organizations):
    own = [
        a.instructor_id for a in scope.assignments(user, Action.EDIT) if a.instructor_id is not None
    ]
    qs = Instructor.objects.filter(assignments__organization__in=organizations.values("pk"))
    if own:
        qs = qs | Instructor.objects.filter(pk__in=own)
    return qs.distinct().order_by("name")


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
        instructors=_visit_instructors(request.user, organizations),
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
        membership = (
            Membership.objects.filter(organization=org)
            .select_related("federation")
            .order_by("-valid_from")
            .first()
        )
    return membership.federation if membership else None


@login_required
def grade_list(request):
    evaluations = (
        GradeEvaluation.objects.filter(
            organization__in=scope.organizations(request.user, lists.scope_action(request)).values(
                "pk"
            )
        )
        .select_related("organization")
        .order_by("-year", "organization__name")
    )
    if lists.wants_xlsx(request):
        return lists.xlsx_response(
            request,
            title=GradeEvaluation._meta.verbose_name_plural,
            columns=[
                lists.field(GradeEvaluation, "year", 8),
                lists.field(GradeEvaluation, "organization", 34),
                lists.field(GradeEvaluation, "evaluated_on", 12),
                lists.field(GradeEvaluation, "total_score", 10),
                lists.field(GradeEvaluation, "eligible", 10),
                lists.field(GradeEvaluation, "grade", 8),
                lists.field(GradeEvaluation, "notice_no", 20),
                lists.field(GradeEvaluation, "valid_from", 12),
                lists.field(GradeEvaluation, "valid_to", 12),
                lists.field(GradeEvaluation, "status", 10),
            ],
            rows=evaluations.iterator(chunk_size=2000),
        )
    page = keyset_page(evaluations, request.GET.get("after"), key="evaluated_on", newest_first=True)
    evaluations = page.rows
    return render(
        request,
        "inspections/grade_list.html",
        {
            "evaluations": evaluations,
            "can_edit": scope.can(request.user, Action.APPROVE),
            "settings_federations": scope.federations(request.user, Action.APPROVE),
            "export_query": lists.export_query(request),
            "page": page,
            "query": lists.filter_params(request).urlencode(),
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
        if (
            evaluation is None
            and GradeEvaluation.objects.filter(organization=org, year=data["year"]).exists()
        ):
            form.add_error(
                "year", _("This unit already has an evaluation for that year: open it to edit.")
            )
        else:
            try:
                result = services.evaluate_grade(
                    org,
                    federation,
                    data["year"],
                    scores=form.scores(),
                    evaluated_on=data["evaluated_on"],
                    notice_no=data["notice_no"],
                    notice_date=data["notice_date"],
                    on_abnormal_list=data["on_abnormal_list"],
                    on_serious_list=data["on_serious_list"],
                    notes=data["notes"],
                    version=data["version"] if evaluation else 0,
                    actor=request.user,
                )
            except services.EditConflict as exc:
                form.add_error(None, str(exc))
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
