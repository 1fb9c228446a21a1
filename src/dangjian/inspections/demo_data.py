"""The inspections part of the demo: every current member unit's annual inspections, a few
visits and one grade evaluation — all in order, except 天津市网络游戏行业协会, which filed no
annual report for the last two years and was found unreachable at its registered address
(so the rules find a dormant society and an abnormal-list proposal; see demo/tianjin_data.PROBLEMS).
"""

from __future__ import annotations

import datetime

from dangjian.core.models import valid_on_q
from dangjian.inspections import grading
from dangjian.inspections.ledger import party_section
from dangjian.inspections.models import AnnualInspection, GradeEvaluation, Visit
from dangjian.party.models import InstructorAssignment
from dangjian.registry.models import Membership
from dangjian.rulebook.deadlines import (
    first_inspection_year,
    is_exempt,
    registrar_deadline,
    supervisor_deadline,
)

DORMANT = "天津市网络游戏行业协会"
VISITED = ["天津市互联网协会", "天津市大数据协会", "天津市地理信息产业协会"]
GRADED = "天津市互联网协会"


def build(federation, today: datetime.date, rng) -> None:
    memberships = (
        Membership.objects.filter(valid_on_q(today), federation__path__startswith=federation.path)
        .select_related("organization")
        .order_by("organization__name")
    )
    rows = []
    for membership in memberships:
        org = membership.organization
        skip = {today.year - 1, today.year - 2} if org.name == DORMANT else set()
        for year in range(first_inspection_year(org.founded_on, membership.valid_from), today.year):
            if year in skip:
                continue
            rows.append(_inspection(org, year, today, rng))
    AnnualInspection.objects.bulk_create([r for r in rows if r is not None])
    _visits(federation, today, rng)
    _grade(federation, today)


def _inspection(org, year: int, today: datetime.date, rng) -> AnnualInspection | None:
    if is_exempt(org.founded_on, year):
        return AnnualInspection(
            organization=org,
            year=year,
            exempt=True,
            notes="当年成立未满六个月，免于本年度年检。",
        )
    to_supervisor = supervisor_deadline(year) - datetime.timedelta(days=rng.randrange(0, 40))
    to_registrar = registrar_deadline(year) - datetime.timedelta(days=rng.randrange(0, 40))
    if to_supervisor > today:
        return None  # not yet due: nothing received yet
    done = to_registrar <= today
    return AnnualInspection(
        organization=org,
        year=year,
        report_to_supervisor_on=to_supervisor,
        report_to_registrar_on=to_registrar if done else None,
        party_section=party_section(org, year, today),
        conclusion=AnnualInspection.Conclusion.PASSED if done else "",
        notes="年度工作报告按时报送，党建工作情况已填报。" if done else "",
    )


def _visits(federation, today: datetime.date, rng) -> None:
    orgs = {
        m.organization.name: m.organization
        for m in Membership.objects.filter(
            valid_on_q(today), federation__path__startswith=federation.path
        ).select_related("organization")
    }
    if DORMANT in orgs:
        Visit.objects.create(
            organization=orgs[DORMANT],
            visited_on=today - datetime.timedelta(days=45),
            visitors="联合会党建工作部 张敏、刘洋",
            findings="按登记住所走访，现场已由其他公司使用，物业称该协会已于去年搬离，"
            "联系电话无人接听，无法取得联系。",
            unreachable_at_address=True,
            follow_up="函告业务主管单位和登记管理机关，建议核查其活动情况。",
        )
    for offset, name in zip((120, 75, 20), VISITED, strict=True):
        org = orgs.get(name)
        if org is None:
            continue
        assignment = (
            InstructorAssignment.objects.filter(valid_on_q(today), organization=org)
            .select_related("instructor")
            .first()
        )
        Visit.objects.create(
            organization=org,
            visited_on=today - datetime.timedelta(days=offset + rng.randrange(0, 5)),
            visitors=assignment.instructor.name if assignment else "联合会党建工作部 张敏",
            instructor=assignment.instructor if assignment else None,
            findings="单位正常开展活动，党建工作台账齐全，了解了党员教育管理情况。",
            follow_up="",
        )


def _grade(federation, today: datetime.date) -> None:
    membership = (
        Membership.objects.filter(
            valid_on_q(today),
            federation__path__startswith=federation.path,
            organization__name=GRADED,
        )
        .select_related("organization", "federation")
        .first()
    )
    if membership is None:
        return
    org = membership.organization
    indicators = grading.indicators_for(federation)
    cover = grading.coverage_status(org, today)
    typed = {
        "basic": 55,
        "governance": 330,
        "performance": 335,
        "social": 110,
        "party_work": 75,
    }
    sheet = {}
    for ind in indicators:
        if ind.get("auto") == "coverage":
            sheet[ind["code"]] = str(grading.coverage_score(cover, ind["max"]))
        else:
            sheet[ind["code"]] = str(typed.get(ind["code"], 0))
    from decimal import Decimal

    total = sum((Decimal(v) for v in sheet.values()), Decimal(0))
    check = grading.eligibility(org, today)
    grade, notes = grading.grade_for(
        total, grading.cutoffs_for(federation), has_party_org=cover == "organization", bar=False
    )
    notice = datetime.date(today.year - 1, 11, 20)
    valid_from, valid_to = grading.validity(notice)
    GradeEvaluation.objects.create(
        organization=org,
        federation=federation,
        year=today.year - 1,
        evaluated_on=datetime.date(today.year - 1, 10, 15),
        indicators=indicators,
        scores=sheet,
        total_score=total,
        eligible=check.eligible,
        eligibility_reasons=check.reasons,
        has_party_organization=cover == "organization",
        grade=grade,
        grade_notes=notes,
        notice_no=f"津民评〔{today.year - 1}〕8号",
        notice_date=notice,
        valid_from=valid_from,
        valid_to=valid_to,
        status=GradeEvaluation.Status.DECIDED,
    )
