"""The four standards of a party organization (四有, DOMAIN.md §3.4): an approval document, a
secretary, a dispatch notice where an instructor formed it, and units it covers — each as
``party.standards.four_standards`` defines it."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper

from dangjian.party import standards
from dangjian.rules.asof import AS_OF
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate, kind

# The finding that reports a vacant secretary post on its own (how long, since when): the
# 四有 finding lists 有书记 too and points to it.
SECRETARY_RULE = "terms.secretary_vacant"


def _flag(q):
    return ExpressionWrapper(q, output_field=BooleanField())


@kind("standards_incomplete", reads=())
def standards_incomplete(ctx):
    """有批文、有书记、派遣党建指导员有通知、覆盖有明细: every standard not met is listed."""
    day = ctx.as_of
    # The set forms of party/standards.py's four_standards, which the formation workflow reads
    # too: a branch the workflow accepts is not flagged here.
    no_approval = standards.approval_missing_q()
    no_secretary = standards.secretary_missing_q(day)
    no_notice = standards.notice_missing_q(day)
    no_units = standards.coverage_missing_q(day)
    rows = list(
        base.party_orgs(ctx)
        .filter(no_approval | no_secretary | no_notice | no_units)
        .annotate(
            lacks_secretary=_flag(no_secretary),
            lacks_notice=_flag(no_notice),
            lacks_units=_flag(no_units),
        )
        .values_list(
            "pk",
            "federation_id",
            "approval_doc_no",
            "approval_date",
            "lacks_secretary",
            "lacks_notice",
            "lacks_units",
        )
    )
    vacancies = base.secretary_vacancies(ctx) if any(r[4] for r in rows) else {}
    for pk, fed, doc, doc_date, lacks_secretary, lacks_notice, lacks_units in rows:
        missing = []
        if not doc:
            missing.append({"code": "approval", "text": "无成立批复文件（批文）文号"})
        elif doc_date is None:
            missing.append(
                {"code": "approval", "text": f"成立批复文件（批文）{doc} 未登记批复日期"}
            )
        if lacks_secretary:
            since = vacancies.get(pk, {}).get("since")
            missing.append(
                {
                    "code": "secretary",
                    "text": f"没有在任书记（自 {base.fmt(since)} 起空缺，见“书记空缺”）"
                    if since
                    else "没有在任书记（见“书记空缺”）",
                    "see_rule": SECRETARY_RULE,
                }
            )
        if lacks_notice:
            missing.append(
                {
                    "code": "instructor_notice",
                    "text": "以选派党建指导员方式组建，但无指导员派遣通知记录",
                }
            )
        if lacks_units:
            missing.append({"code": "coverage", "text": "没有覆盖单位明细（当前未覆盖任何单位）"})
        listed = "；".join(f"（{i}）{m['text']}" for i, m in enumerate(missing, 1))
        yield Candidate(
            federation_id=fed,
            party_organization_id=pk,
            explanation=f"截至 {AS_OF}，该党组织“四有”标准缺 {len(missing)} 项：{listed}。",
            evidence={"missing": missing},
            facts={"missing": [m["code"] for m in missing]},
        )
