"""Every write of the inspections app: one function per business action, atomic, audited.

Annual inspections and grade evaluations are edited by several officers: each write names the
version it was read at, and a stale version raises ``EditConflict`` instead of overwriting.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import acting_user, record_change, record_event, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import Conflict
from dangjian.core.events import AuditEvent
from dangjian.core.validators import not_in_future
from dangjian.inspections import grading
from dangjian.inspections.ledger import party_section
from dangjian.inspections.models import AnnualInspection, GradeEvaluation, GradingSettings, Visit
from dangjian.notices.services import notify_decision
from dangjian.party.services.common import update_fact
from dangjian.rulebook.deadlines import is_exempt

# Someone saved the record after this user opened it: the one conflict error of every app.
EditConflict = Conflict


class AlreadyEvaluated(EditConflict):
    """The unit already has a grade evaluation for that year (one per unit and year)."""

    def __init__(self, message=None):
        super().__init__(
            message or _("This unit already has an evaluation for that year: open it to edit.")
        )


@transaction.atomic
def record_visit(
    organization,
    visited_on,
    visitors,
    findings,
    instructor=None,
    unreachable_at_address=False,
    follow_up="",
    *,
    actor,
    note="",
):
    """Record a visit or survey of a member unit (走访调研)."""
    visit = Visit.objects.create(
        organization=organization,
        visited_on=visited_on,
        visitors=visitors,
        instructor=instructor,
        findings=findings,
        unreachable_at_address=unreachable_at_address,
        follow_up=follow_up,
        recorded_by=acting_user(actor),
    )
    record_change(actor, visit, None, note=note)
    if unreachable_at_address:
        _unreachable(visit, actor)
    return visit


# What a recorded visit may change (the unit and day are what it is).
VISIT_FIELDS = ("visitors", "instructor_id", "findings", "unreachable_at_address", "follow_up")


@transaction.atomic
def update_visit(visit: Visit, values: dict, *, actor, note="") -> Visit:
    """Change a recorded visit (a ledger re-import with corrected findings, say); only the
    fields given change, and a visit that now found the unit unreachable is reported as such."""
    was_unreachable = visit.unreachable_at_address
    update_fact(visit, values, actor=actor, note=note, allowed=VISIT_FIELDS)
    if visit.unreachable_at_address and not was_unreachable:
        _unreachable(visit, actor)
    return visit


def _unreachable(visit: Visit, actor) -> None:
    record_event(
        actor,
        AuditEvent.VISIT_UNREACHABLE,
        visit,
        organization=visit.organization_id,
        visited_on=str(visit.visited_on),
    )


# The first work year an inspection can be recorded for (the pages and the ledger).
FIRST_YEAR = 2000


def annual_inspection_problems(
    year: int,
    *,
    exempt: bool,
    report_to_supervisor_on: datetime.date | None,
    report_to_registrar_on: datetime.date | None,
    conclusion: str,
) -> dict[str, str]:
    """What is wrong with an annual inspection's data, by field, in Chinese: reports received
    in the future or before the work year is over, a pass without the report at the
    registration authority (unless exempt). The form and the ledger import both ask here."""
    problems: dict[str, str] = {}
    for name, day in (
        ("report_to_supervisor_on", report_to_supervisor_on),
        ("report_to_registrar_on", report_to_registrar_on),
    ):
        try:
            not_in_future(day)
        except ValidationError as exc:
            problems[name] = exc.messages[0]
            continue
        if day and day <= datetime.date(year, 12, 31):
            problems[name] = _(
                "A report on work year %(year)s cannot arrive before the year is over."
            ) % {"year": year}
    if (
        conclusion == AnnualInspection.Conclusion.PASSED
        and not exempt
        and not report_to_registrar_on
        and "report_to_registrar_on" not in problems
    ):
        problems["conclusion"] = _(
            "A unit can pass only after its annual report reached the registration authority."
        )
    return problems


@transaction.atomic
def save_annual_inspection(
    organization,
    year: int,
    *,
    report_to_supervisor_on=None,
    report_to_registrar_on=None,
    notes: str = "",
    conclusion: str = "",
    version: int | None = None,
    refresh_party_section: bool = False,
    today: datetime.date | None = None,
    actor,
    note="",
) -> AnnualInspection:
    """Create or update the unit's inspection for ``year``; the exemption follows the
    registration date, and the party-building section is filled from the ledger when new."""
    today = today or timezone.localdate()
    existing = AnnualInspection.objects.filter(organization=organization, year=year).first()
    if existing is not None:
        inspection = claim(AnnualInspection, existing.pk, version)
        before = snapshot(inspection)
    else:
        inspection = AnnualInspection(organization=organization, year=year)
        before = None
    inspection.exempt = is_exempt(organization.founded_on, year)
    inspection.report_to_supervisor_on = report_to_supervisor_on
    inspection.report_to_registrar_on = report_to_registrar_on
    inspection.notes = notes
    inspection.conclusion = conclusion
    if conclusion:
        inspection.inspected_by = acting_user(actor)
    if before is None or refresh_party_section or not inspection.party_section:
        inspection.party_section = party_section(organization, year, today)
    inspection.save()
    record_change(actor, inspection, before, note=note)
    if conclusion and (before is None or before.get("conclusion") != conclusion):
        record_event(
            actor,
            AuditEvent.INSPECTION_CONCLUDED,
            inspection,
            organization=organization.pk,
            year=year,
            conclusion=conclusion,
        )
        # The unit's liaisons hear of the decision in their bell.
        notify_decision(
            _("Annual inspection %(year)s of %(unit)s: %(conclusion)s")
            % {
                "year": year,
                "unit": organization.name,
                "conclusion": inspection.get_conclusion_display(),
            },
            reverse("registry:organization_detail", args=[organization.pk]),
            organizations=[organization.pk],
        )
    return inspection


@transaction.atomic
def update_grading_settings(
    federation, *, indicators, cutoffs, bar_without_party_org, actor
) -> GradingSettings:
    settings, created = GradingSettings.objects.get_or_create(federation=federation)
    before = None if created else snapshot(settings)
    settings.indicators = indicators
    settings.cutoffs = cutoffs
    settings.bar_without_party_org = bar_without_party_org
    settings.save()
    record_change(actor, settings, before)
    return settings


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)


@transaction.atomic
def evaluate_grade(
    organization,
    federation,
    year: int,
    *,
    scores: dict,
    evaluated_on: datetime.date,
    eligibility: grading.Eligibility,
    notice_no: str = "",
    notice_date: datetime.date | None = None,
    notes: str = "",
    version: int | None = None,
    actor,
) -> GradeEvaluation:
    """Score the sheet, grade by the cut-offs if ``eligibility`` allows, set the validity.

    ``eligibility`` is decided above this app (it reads the open findings of the rules:
    ``recommendations.eligibility.grade_eligibility``). Automatic indicators (organizational
    coverage) are scored from the ledger, whatever was typed. A notice date makes the
    evaluation decided and sets the 5-year validity. ``version=0`` creates the unit's
    evaluation for the year: if it already has one, ``AlreadyEvaluated`` (also when another
    officer creates it at the same moment).
    """
    indicators = grading.indicators_for(federation)
    cover = grading.coverage_status(organization, evaluated_on)
    sheet = {}
    for ind in indicators:
        if ind.get("auto") == "coverage":
            points = grading.coverage_score(cover, ind["max"])
        else:
            points = min(max(_decimal(scores.get(ind["code"])), Decimal(0)), Decimal(ind["max"]))
        sheet[ind["code"]] = str(points.quantize(Decimal("0.01")))
    total = sum((Decimal(v) for v in sheet.values()), Decimal(0))
    check = eligibility
    has_org = cover == "organization"
    if check.eligible:
        grade, grade_notes = grading.grade_for(
            total,
            grading.cutoffs_for(federation),
            has_party_org=has_org,
            bar=grading.bar_without_party_org(federation),
        )
    else:
        grade, grade_notes = "", [_("Not eligible: no grade is given.")]

    creating = version is not None and int(version) == 0
    existing = GradeEvaluation.objects.filter(organization=organization, year=year).first()
    if existing is not None and creating:
        raise AlreadyEvaluated()
    if existing is not None:
        evaluation = claim(GradeEvaluation, existing.pk, version)
        before = snapshot(evaluation)
    else:
        evaluation = GradeEvaluation(organization=organization, year=year)
        before = None
    evaluation.federation = federation
    evaluation.evaluated_on = evaluated_on
    evaluation.indicators = indicators
    evaluation.scores = sheet
    evaluation.total_score = total
    evaluation.eligible = check.eligible
    evaluation.eligibility_reasons = check.reasons
    evaluation.has_party_organization = has_org
    evaluation.grade = grade
    evaluation.grade_notes = grade_notes
    evaluation.notice_no = notice_no
    evaluation.notice_date = notice_date
    if notice_date and grade:
        evaluation.valid_from, evaluation.valid_to = grading.validity(notice_date)
        evaluation.status = GradeEvaluation.Status.DECIDED
    else:
        evaluation.valid_from = evaluation.valid_to = None
        evaluation.status = GradeEvaluation.Status.DRAFT
    evaluation.notes = notes
    evaluation.evaluated_by = acting_user(actor)
    try:
        # A savepoint: two officers creating the same unit's evaluation at once meet the
        # unique constraint (one per unit and year), and the second is told so.
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        raise AlreadyEvaluated() from None
    record_change(actor, evaluation, before)
    if evaluation.status == GradeEvaluation.Status.DECIDED:
        record_event(
            actor,
            AuditEvent.GRADE_DECIDED,
            evaluation,
            organization=organization.pk,
            grade=grade,
            valid_to=str(evaluation.valid_to),
        )
        if before is None or before.get("status") != GradeEvaluation.Status.DECIDED:
            notify_decision(
                _("Grade evaluation %(year)s of %(unit)s: %(grade)s")
                % {
                    "year": year,
                    "unit": organization.name,
                    "grade": evaluation.get_grade_display(),
                },
                reverse("inspections:grade_detail", args=[evaluation.pk]),
                organizations=[organization.pk],
            )
    return evaluation
