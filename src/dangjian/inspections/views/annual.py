"""Pages of annual inspections: the list of a year with its deadlines, and one unit's report."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import background_exports, lists, scope
from dangjian.access.models import Action
from dangjian.core.models import valid_on_q
from dangjian.inspections import services
from dangjian.inspections.forms import AnnualInspectionForm
from dangjian.inspections.lists import INSPECTIONS
from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.inspections.reports import report_state
from dangjian.orglife.models import Meeting
from dangjian.registry.models import Membership, Organization
from dangjian.rulebook.deadlines import is_exempt, registrar_deadline, supervisor_deadline


def _open_findings(organization, user):
    """Open findings of the unit (read, never recomputed)."""
    # By label: the page reads findings of a layer above inspections without importing it.
    findings = list(
        scope.visible("rules.Finding", user)
        .open()
        .filter(organization=organization)
        .order_by("-last_seen", "rule_id")[:50]
    )
    return findings


def _member_units(user, day: datetime.date, action=Action.VIEW):
    """Units visible to the user that were member units on ``day``."""
    # A correlated EXISTS on each unit's memberships: SQLite walks the units' name index for
    # the page's fifty, where an IN listed every membership of the day first and sorted all
    # the units (89 ms at 100,000 units).
    return scope.organizations(user, action).filter(
        Exists(Membership.objects.filter(valid_on_q(day), organization=OuterRef("pk")))
    )


def _default_year() -> int:
    return timezone.localdate().year - 1


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return _default_year()
    return year if services.FIRST_YEAR <= year <= timezone.localdate().year else _default_year()


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
    title = _("Annual inspections of work year %(year)s") % {"year": year}
    if (queued := background_exports.later(request, units, title=title)) is not None:
        return queued
    found = {
        i.organization_id: i
        for i in AnnualInspection.objects.filter(year=year, organization__in=units.values("pk"))
    }
    units = list(units.order_by("name", "pk"))
    states = {u.pk: _states(found.get(u.pk), u, year, today) for u in units}
    return lists.xlsx_response(
        request,
        title=title,
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
    page = INSPECTIONS.page(request, units)
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
    if not services.FIRST_YEAR <= year <= today.year:
        raise Http404
    org, rights = scope.get_with_rights(request.user, Organization, org_pk)
    can_edit = Action.APPROVE in rights
    inspection = AnnualInspection.objects.filter(organization=org, year=year).first()
    exempt = inspection.exempt if inspection else is_exempt(org.founded_on, year)
    initial: dict[str, Any] = {"version": inspection.version if inspection else None}
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
            "visits": scope.visible(Visit, request.user).filter(organization=org)[:10],
            "history": AnnualInspection.objects.filter(organization=org).order_by("-year")[:10],
        },
    )
