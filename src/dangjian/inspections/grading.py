"""Grade evaluation (等级评估): indicator set, eligibility, grade and validity (DOMAIN.md §3.7).

Everything local is configurable per federation (``GradingSettings``); the defaults below are a
1000-point scale in which party building is 100 points (10 of 100), of which organizational
coverage is 20 (2 of 100: own or joint organization 2, instructor only 1.5, neither 0 — scaled).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from dangjian.core.models import valid_on_q
from dangjian.rulebook.loader import title as rulebook_title
from dangjian.rulebook.periods import add_months

# Indicator names are data (a federation writes its own set), so they are stored in Chinese.
DEFAULT_INDICATORS = [
    {"code": "basic", "name": "基础条件", "max": 60},
    {"code": "governance", "name": "内部治理", "max": 360},
    {"code": "performance", "name": "工作绩效", "max": 360},
    {"code": "social", "name": "社会评价", "max": 120},
    {"code": "party_work", "name": "党建工作（组织生活、作用发挥）", "max": 80},
    {"code": "party_coverage", "name": "党组织覆盖", "max": 20, "auto": "coverage"},
]
# Coverage points on the 2-point scale of the national indicator, scaled to the indicator's max.
COVERAGE_POINTS = {"organization": Decimal("2"), "instructor": Decimal("1.5"), "none": Decimal(0)}
COVERAGE_SCALE = Decimal("2")

DEFAULT_CUTOFFS = {"5A": 900, "4A": 800, "3A": 700, "2A": 600, "1A": 500}
GRADES = ["5A", "4A", "3A", "2A", "1A"]
BARRED_GRADES = {"5A", "4A"}
# Registered years needed to take part, and the years a grade stays valid: the rulebook's
# (grading.parameters, national), in the revision in force on the day in question.
GRADING_RULE = "grading.parameters"


def _parameter(name: str, day: datetime.date) -> int:
    from dangjian.rulebook import params

    return params.value(GRADING_RULE, name, day=day)


def indicators_for(federation) -> list[dict]:
    settings = getattr(federation, "grading_settings", None) if federation else None
    return list(settings.indicators) if settings and settings.indicators else DEFAULT_INDICATORS


def cutoffs_for(federation) -> dict:
    settings = getattr(federation, "grading_settings", None) if federation else None
    return dict(settings.cutoffs) if settings and settings.cutoffs else dict(DEFAULT_CUTOFFS)


def bar_without_party_org(federation) -> bool:
    settings = getattr(federation, "grading_settings", None) if federation else None
    return bool(settings and settings.bar_without_party_org)


def coverage_status(organization, day: datetime.date) -> str:
    """ "organization" (own, joint or board), "instructor" (instructor only) or "none"."""
    from dangjian.party.models import Coverage, InstructorAssignment

    if Coverage.objects.filter(valid_on_q(day), organization=organization).exists():
        return "organization"
    if InstructorAssignment.objects.filter(valid_on_q(day), organization=organization).exists():
        return "instructor"
    return "none"


def coverage_score(status: str, maximum) -> Decimal:
    return (COVERAGE_POINTS[status] / COVERAGE_SCALE * Decimal(maximum)).quantize(Decimal("0.01"))


def validity(notice_date: datetime.date) -> tuple[datetime.date, datetime.date]:
    """2026 rule: from 1 January after the notice to 31 December of the fifth year."""
    start = datetime.date(notice_date.year + 1, 1, 1)
    years = _parameter("valid_years", notice_date)
    return start, datetime.date(start.year + years - 1, 12, 31)


@dataclass
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def eligibility(
    organization,
    day: datetime.date,
    *,
    on_abnormal_list: bool = False,
    on_serious_list: bool = False,
    list_findings: Iterable[str] = (),
) -> Eligibility:
    """Registered ≥ 2 full years and not on the abnormal/serious lists, each with its reason.

    ``list_findings`` are the rule ids of the unit's open findings that propose a credit
    listing: findings are judgments above this app, so the caller reads them
    (``recommendations.eligibility.grade_eligibility``)."""
    reasons = []
    registered = organization.founded_on
    years = _parameter("min_registered_years", day)
    if registered is None:
        reasons.append(_("The registration date is unknown."))
    elif add_months(registered, 12 * years) > day:
        reasons.append(
            _("Registered on %(date)s: less than %(years)d full years before %(day)s.")
            % {"date": registered.isoformat(), "years": years, "day": day}
        )
    if on_abnormal_list:
        reasons.append(_("On the abnormal-activity list."))
    if on_serious_list:
        reasons.append(_("On the list of serious violations."))
    for rule_id in list_findings:
        reasons.append(
            _("An open finding proposes a credit listing (%(rule)s).")
            % {"rule": rulebook_title(rule_id)}
        )
    return Eligibility(not reasons, reasons)


def grade_for(
    total: Decimal, cutoffs: dict, *, has_party_org: bool, bar: bool
) -> tuple[str, list[str]]:
    """The grade for ``total`` and notes (e.g. capped at 3A for want of a party organization)."""
    notes = []
    grade = ""
    for candidate in GRADES:
        if candidate in cutoffs and total >= Decimal(str(cutoffs[candidate])):
            grade = candidate
            break
    if bar and not has_party_org and grade in BARRED_GRADES:
        notes.append(
            _(
                "The score reaches %(grade)s, but units without a party organization cannot "
                "be graded above 3A in this federation."
            )
            % {"grade": grade}
        )
        grade = "3A" if Decimal(str(cutoffs.get("3A", 0))) <= total else ""
    if not grade:
        notes.append(_("The score is below every grade's cut-off."))
    return grade, notes
