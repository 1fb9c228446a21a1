"""The thresholds these workflows need, and the four formation standards.

The thresholds are the rulebook's (``rulebook/rulebook.yaml``), read through ``rulebook.params`` with
the federation's overrides, so a workflow never accepts what the rules will flag later.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, DateField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import valid_on_q
from dangjian.party import queries, term_queries
from dangjian.party.models import Employment, InstructorAssignment, PartyOrganization
from dangjian.party.standards import STANDARD_LABELS, Standard, document_on_record, notices
from dangjian.rulebook import params

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# An instructor's unit counts as overdue for a visit after this many days without one (a working
# reminder of this page, not a rule of the rulebook: no finding is raised from it).
VISIT_OVERDUE_DAYS = 90


def full_members_for_branch(federation=None, day: datetime.date | None = None) -> int:
    """Full members that oblige a unit to form a branch (支部工作条例第五条: 3)."""
    return params.value(
        "formation.required_not_formed", "min_full_members", day=day, federation=federation
    )


def joint_branch_max_units(federation=None, day: datetime.date | None = None) -> int:
    """Units one joint branch may cover (local practice, DOMAIN.md §3.1: 5)."""
    return params.value(
        "formation.joint_branch_too_many_units", "max_units", day=day, federation=federation
    )


def term_years(kind: str, federation=None, day: datetime.date | None = None) -> int:
    """A new organization's term: 5 years for a 党委, 3 for the others (任期的意见, 2018)."""
    return term_queries.default_term_years(kind, federation, day)


def covered_on(units, day: datetime.date) -> list:
    """Those of ``units`` that a party organization covers on ``day``."""
    ids = set(queries.covered_units(on=day, units=units).values_list("pk", flat=True))
    return [u for u in units if u.pk in ids]


def standards(case) -> list[Standard]:
    """The four standards of a formed party organization, each with what is missing."""
    day = case.established_on
    units = list(case.units.all()) if case.pk else []
    result = []

    # 1. 有批文: number and date on record (party.standards.document_on_record), plus the file
    # this workflow archives and the date the organization is established from.
    missing = [
        str(label)
        for label, ok in [
            (_("document number"), case.approval_doc_no),
            (_("approval date"), case.approval_date),
            (_("uploaded file"), case.approval_file_id),
            (_("date of establishment"), day),
        ]
        if not ok
    ]
    result.append(
        Standard(
            "approval",
            STANDARD_LABELS["approval"],
            not missing,
            _("missing: %(list)s") % {"list": "、".join(missing)}
            if missing
            else f"{case.approval_doc_no}（{case.approval_date:%Y-%m-%d}）",
        )
    )

    # 2. 有书记
    detail: StrOrPromise
    if not case.secretary_id:
        detail, ok = _("no secretary chosen"), False
    elif not day:
        detail, ok = _("date of establishment missing"), False
    elif not case.secretary.is_full_on(day):
        detail, ok = (
            _("%(name)s is not a full member on that date") % {"name": case.secretary},
            False,
        )
    elif not Employment.objects.filter(
        valid_on_q(day), member=case.secretary, organization__in=units
    ).exists():
        detail = _("%(name)s is not employed by a covered unit on that date") % {
            "name": case.secretary
        }
        ok = False
    else:
        detail, ok = case.secretary.name, True
    result.append(Standard("secretary", STANDARD_LABELS["secretary"], ok, str(detail)))

    # 3. 派遣党建指导员有通知: a dispatch notice on record (party.standards.four_standards).
    # The instructor's assignment to a covered unit carries it; where none exists yet, approval
    # creates it with the instructor's notice, so that notice must be on record.
    notice = None
    if case.instructor_id and day:
        notice = (
            notices(day)
            .filter(instructor=case.instructor, organization__in=units)
            .order_by("valid_from")
            .first()
        )
    if case.mode != PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN:
        detail, ok = _("not required for this formation mode"), True
    elif not case.instructor_id:
        detail, ok = _("no instructor chosen"), False
    elif notice is not None:
        detail, ok = (
            f"{case.instructor.name}：{notice.notice_no}（{notice.notice_date:%Y-%m-%d}）",
            True,
        )
    elif not document_on_record(case.instructor.notice_no, case.instructor.notice_date):
        detail, ok = _("the instructor's dispatch notice number or date is missing"), False
    else:
        detail = f"{case.instructor.name}：{case.instructor.notice_no}（{case.instructor.notice_date:%Y-%m-%d}）"
        ok = True
    result.append(Standard("instructor", STANDARD_LABELS["instructor"], ok, str(detail)))

    # 4. 覆盖情况有明细
    problems: list[StrOrPromise] = []
    if not units:
        problems.append(_("no covered unit listed"))
    if case.kind == PartyOrganization.Kind.JOINT_BRANCH:
        if len(units) < 2:
            problems.append(_("a joint branch covers at least 2 units"))
        cap = joint_branch_max_units(case.federation, day)
        if len(units) > cap:
            problems.append(
                _("a joint branch covers at most %(max)d units, %(count)d listed")
                % {"max": cap, "count": len(units)}
            )
    elif len(units) > 1 and case.mode != PartyOrganization.FormationMode.IN_BOARD:
        problems.append(_("a branch of one unit covers exactly one unit; use a joint branch"))
    if units and day:
        already = covered_on(units, day)
        if already:
            problems.append(
                _("already covered by a party organization: %(names)s")
                % {"names": "、".join(u.name for u in already)}
            )
        full = queries.full_member_count(units, day)
        minimum = full_members_for_branch(case.federation, day)
        if full < minimum:
            problems.append(
                _("%(count)d full members employed; at least %(min)d are needed")
                % {"count": full, "min": minimum}
            )
    result.append(
        Standard(
            "coverage",
            STANDARD_LABELS["coverage"],
            not problems,
            "；".join(str(p) for p in problems) if problems else "、".join(u.name for u in units),
        )
    )
    return result


def _current(instructors, today: datetime.date):
    """Current assignments of ``instructors`` with ``since``: the day of the last visit by
    that instructor to that unit, or the assignment's first day when there was none."""
    from dangjian.inspections.models import Visit

    last = (
        Visit.objects.filter(
            instructor=OuterRef("instructor"), organization=OuterRef("organization")
        )
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return InstructorAssignment.objects.filter(
        valid_on_q(today), instructor__in=instructors
    ).annotate(
        last_visit=Subquery(last),
        since=Coalesce(Subquery(last, output_field=DateField()), F("valid_from")),
    )


def current_assignments(instructors, today: datetime.date | None = None) -> list:
    """Current assignments of ``instructors``, each with ``last_visit`` (by that instructor to
    that unit), ``days_without_visit`` and ``overdue``; one query whatever the number."""
    today = today or timezone.localdate()
    rows = list(
        _current(instructors, today).select_related("organization").order_by("organization__name")
    )
    for row in rows:
        row.days_without_visit = (today - row.since).days
        row.overdue = row.days_without_visit > VISIT_OVERDUE_DAYS
    return rows


def assignment_counts(
    instructors, today: datetime.date | None = None
) -> dict[int, tuple[int, int]]:
    """{instructor id: (units assigned, of them overdue for a visit)} — ``current_assignments``
    counted in one grouped query (overdue: more than ``VISIT_OVERDUE_DAYS`` since ``since``),
    for a list of instructors: the demo's instructor of the synthetic units has 20,000."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=VISIT_OVERDUE_DAYS)
    rows = (
        _current(instructors, today)
        .order_by()
        .values("instructor")
        .annotate(units=Count("pk"), overdue=Count("pk", filter=Q(since__lt=cutoff)))
        .values_list("instructor", "units", "overdue")
    )
    return {pk: (units, overdue) for pk, units, overdue in rows}


def instructor_units(instructor, today: datetime.date | None = None) -> list:
    return current_assignments([instructor], today)
