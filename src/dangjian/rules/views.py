"""Pages of the rules app: the findings worklist, a finding, the rulebook, coverage, runs.

Every queryset comes from ``access.scope``: findings are visible when their subject (unit or
party organization) is; coverage scopes are the user's federations.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.filters import params
from dangjian.rulebook import loader as rulebook
from dangjian.rulebook.models import RuleOverride
from dangjian.rulebook.services import set_override
from dangjian.rules import coverage, evidence, history, parameters, services
from dangjian.rules.filters import FindingFilter
from dangjian.rules.forms import BulkForm, CoverageForm, OverrideForm, StatusForm
from dangjian.rules.lists import COVERAGE_UNITS, FINDINGS
from dangjian.rules.models import EvaluationRun, Finding, Severity


@login_required
def finding_list(request):
    book = rulebook.load()
    action = lists.scope_action(request)
    filters = FindingFilter(
        params(request),
        scope.visible(Finding, request.user, action).select_related(
            "organization", "party_organization", "federation"
        ),
        rule_choices=_rule_choices(book),
    )
    if lists.wants_xlsx(request):
        # The worklist as a workbook: what officers send on or keep as the problem ledger.
        return FINDINGS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "rules/finding_list.html",
        {
            **FINDINGS.context(request, filters.qs),
            "form": filters.form,
            "as_of": filters.form.cleaned_data.get("as_of") if filters.form.is_valid() else None,
            "bulk": BulkForm(),
            "can_edit": scope.can(request.user, Action.EDIT),
        },
    )


@login_required
@require_POST
def finding_bulk(request):
    if not scope.can(request.user, Action.EDIT):
        raise PermissionDenied
    form = BulkForm(request.POST)
    back = reverse("rules:finding_list") + "?" + request.POST.get("query", "")
    if not form.is_valid():
        messages.error(request, _("Choose findings and an action; dismissing needs a reason."))
        return redirect(back)
    ids = [int(i) for i in request.POST.getlist("finding") if i.isdigit()]
    findings = list(scope.visible(Finding, request.user, Action.EDIT).filter(pk__in=ids))
    status = form.cleaned_data["action"]
    try:
        done = services.bulk_change_status(
            findings, status, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("%(count)d findings updated.") % {"count": done})
    return redirect(back)


@login_required
def finding_detail(request, pk: int):
    finding = scope.get_visible_or_404(
        scope.visible(Finding, request.user).select_related(
            "organization", "party_organization", "federation"
        ),
        pk=pk,
    )
    form = StatusForm(initial={"version": finding.version})
    if request.method == "POST":
        if not scope.can(request.user, Action.EDIT):
            raise PermissionDenied
        scope.get(request.user, Finding, pk, Action.EDIT)
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                services.change_status(
                    finding,
                    form.cleaned_data["status"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                )
            except services.EditConflict as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The finding was updated."))
            return redirect("rules:finding_detail", pk=pk)
    # "As of" a day: that day's evaluation (explanation, evidence, severity); else the latest.
    as_of = _day(request.GET.get("as_of"))
    seen = (
        finding.observations.filter(as_of__lte=as_of, until__gte=as_of).first() if as_of else None
    )
    shown = seen or finding
    day = as_of if seen and as_of else finding.last_seen
    book = rulebook.load()
    revision = book.revision_on(finding.rule_id, day) or book.latest(finding.rule_id)
    return render(
        request,
        "rules/finding_detail.html",
        {
            "finding": finding,
            "revision": revision,
            "day": day,
            "as_of": as_of,
            "not_found_then": as_of is not None and seen is None,
            "explanation": seen.explanation_on(day) if seen else finding.explanation_text,
            "severity": Severity(shown.severity).label
            if shown.severity in Severity.values
            else shown.severity,
            "evidence": evidence.rows(
                shown.evidence,
                day,
                related=_related(request, finding, shown),
                units=dict(
                    scope.organizations(request.user)
                    .filter(name__in=evidence.unit_names(shown.evidence))
                    .values_list("name", "pk")
                )
                if evidence.unit_names(shown.evidence)
                else None,
            ),
            "timeline": history.timeline(finding),
            "form": form,
            "can_edit": scope.can(request.user, Action.EDIT)
            and bool(services.TRANSITIONS.get(finding.status)),
        },
    )


def _day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text or "")
    except ValueError:
        return None


def _related(request, finding, shown) -> dict[str, int]:
    """{rule id: the visible finding of that rule on the same subject} for the evidence items
    that point to another finding (``see_rule``)."""
    rules = {
        item.get("see_rule")
        for value in shown.evidence.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict) and item.get("see_rule")
    }
    if not rules:
        return {}
    found = (
        scope.visible(Finding, request.user)
        .filter(
            rule_id__in=rules,
            organization_id=finding.organization_id,
            party_organization_id=finding.party_organization_id,
        )
        .order_by("rule_id", "-last_seen")
        .values_list("rule_id", "pk")
    )
    related: dict[str, int] = {}
    for rule_id, pk in found:
        related.setdefault(rule_id, pk)
    return related


def _rule_choices(book):
    return [(rule_id, book.title(rule_id)) for rule_id in book.rule_ids()]


@login_required
def rulebook_page(request):
    book = rulebook.load()
    counts = dict(
        scope.visible(Finding, request.user)
        .open()
        .order_by()
        .values("rule_id")
        .annotate(n=Count("pk"))
        .values_list("rule_id", "n")
    )
    feds = scope.federations(request.user, Action.EDIT)
    overrides = scope.visible(RuleOverride, request.user)
    by_rule: dict[str, list] = {}
    for o in overrides.select_related("federation"):
        o.rows = parameters.rows(o.parameters or {}, o.rule_id)
        by_rule.setdefault(o.rule_id, []).append(o)
    rules = []
    for rule_id in book.rule_ids():
        revisions = book.revisions[rule_id]
        rules.append(
            {
                "id": rule_id,
                "current": book.revision_on(rule_id, timezone.localdate()) or revisions[-1],
                "revisions": revisions,
                "parameters": parameters.rows(revisions[-1].parameters, rule_id),
                "severity": Severity(revisions[-1].severity).label
                if revisions[-1].severity in Severity.values
                else revisions[-1].severity,
                "open": counts.get(rule_id, 0),
                "overrides": by_rule.get(rule_id, []),
            }
        )
    return render(
        request,
        "rules/rulebook.html",
        {
            "rules": rules,
            "override_form": OverrideForm(federations=feds, rule_choices=_rule_choices(book))
            if feds.exists()
            else None,
            "runs": scope.visible(EvaluationRun, request.user)[:5],
            "run_federations": list(feds),
        },
    )


@login_required
@require_POST
def override_save(request):
    feds = scope.federations(request.user, Action.EDIT)
    if not feds.exists():
        raise PermissionDenied
    book = rulebook.load()
    form = OverrideForm(request.POST, federations=feds, rule_choices=_rule_choices(book))
    if form.is_valid():
        try:
            set_override(
                form.cleaned_data["federation"],
                form.cleaned_data["rule_id"],
                form.cleaned_data["parameters"],
                form.cleaned_data["valid_from"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The federation's parameters were saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("rules:rulebook")


@login_required
@require_POST
def run_start(request):
    feds = scope.federations(request.user, Action.EDIT)
    try:
        federation = scope.get_visible_or_404(feds, pk=int(request.POST.get("federation", "0")))
    except ValueError:
        raise Http404 from None
    try:
        as_of = datetime.date.fromisoformat(request.POST.get("as_of") or "")
    except ValueError:
        as_of = timezone.localdate()
    try:
        run = services.request_run(federation, as_of, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rules:rulebook")
    return redirect("rules:run_detail", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    run = scope.get(request.user, EvaluationRun, pk)
    template = "rules/run_progress.html" if request.headers.get("HX-Request") else "rules/run.html"
    book = rulebook.load()
    summary = [(book.title(rule_id), s) for rule_id, s in (run.summary or {}).items()]
    return render(request, template, {"run": run, "summary": summary})


def _coverage_scope(request):
    feds = scope.federations(request.user)
    form = CoverageForm(request.GET or None, federations=feds)
    if form.is_valid():
        data = form.cleaned_data
        fed = data["federation"] or feds.order_by("path").first()
        day = data["day"] or timezone.localdate()
        filters = {k: data[k] for k in ("category", "domain", "district", "legal_form", "sector")}
    else:
        fed, day, filters = feds.order_by("path").first(), timezone.localdate(), {}
    if fed is None:
        return form, None, day
    return form, coverage.Scope(fed, **{k: v or "" for k, v in filters.items()}), day


@login_required
def coverage_page(request):
    form, cov_scope, day = _coverage_scope(request)
    context = {"form": form, "day": day}
    if cov_scope is not None:
        # Every figure of the page from one grouped query, kept for the day while the tables
        # it reads are unchanged (a past month end's headline from its snapshot, as
        # ``coverage.as_of`` reads it).
        figures = coverage.figures(cov_scope, day)
        today = timezone.localdate()
        rates = figures.rates if day >= today else coverage.as_of(cov_scope, day)
        base_query = request.GET.copy()
        base_query["day"] = day.isoformat()
        base_query["federation"] = cov_scope.federation.pk
        tables = []
        for dimension in coverage.DIMENSIONS:
            rows = []
            for value, r in figures.by[dimension]:
                q = base_query.copy()
                q[dimension] = value
                rows.append(
                    {
                        "value": value,
                        "label": _label(dimension, value),
                        "rates": r,
                        "query": q.urlencode(),
                    }
                )
            tables.append(
                {"dimension": dimension, "title": DIMENSION_TITLES[dimension], "rows": rows}
            )
        context |= {
            "scope": cov_scope,
            "rates": rates,
            "query": base_query.urlencode(),
            "tables": tables,
            # The trend ends with today's figures: those just computed when the page is today's.
            "trend": coverage.trend(
                cov_scope.federation, today, figures.rates if day == today else None
            )
            if not cov_scope.filters()
            else [],
        }
    return render(request, "rules/coverage.html", context)


@login_required
def coverage_units(request):
    form, cov_scope, day = _coverage_scope(request)
    if cov_scope is None:
        raise Http404
    measure = request.GET.get("measure", "total")
    if measure not in coverage.MEASURE_Q:
        raise Http404
    # The scope's conditions on the units themselves (not ``pk IN (…)``): SQLite then walks
    # the name index in the page's order and stops after a page (770 → 52 ms at 20,000
    # units, bench/pages_bench.py) instead of sorting every unit of the federation.
    qs = coverage.units_behind(cov_scope, day, measure) & scope.organizations(request.user)
    page = COVERAGE_UNITS.page(request, qs)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "rules/coverage_units.html",
        {
            "page": page,
            "measure": MEASURE_TITLES.get(measure, measure),
            "scope": cov_scope,
            "day": day,
            "query": query.urlencode(),
        },
    )


DIMENSION_TITLES = {
    "category": gettext_lazy("by category"),
    "legal_form": gettext_lazy("by legal form"),
    "district": gettext_lazy("by district"),
    "sector": gettext_lazy("enterprises and social organizations"),
    "domain": gettext_lazy("by domain"),
}
MEASURE_TITLES = {
    "total": gettext_lazy("member units"),
    "organizational": gettext_lazy("covered by a party organization"),
    "single": gettext_lazy("with their own party organization"),
    "work": gettext_lazy("with party work coverage"),
    "uncovered": gettext_lazy("not covered by a party organization"),
    "no_work": gettext_lazy("without party work coverage"),
}


def _label(dimension, value):
    from dangjian.registry.models import Organization

    if dimension == "category":
        return dict(Organization.Category.choices).get(value, value)
    if dimension == "legal_form":
        return dict(Organization.LegalForm.choices).get(value, value)
    if dimension == "sector":
        return _("enterprises") if value == "enterprise" else _("social organizations")
    return value or "—"
