"""The four standards of a party organization (四有, DOMAIN.md §3.4): an approval document, a
dispatch notice where an instructor formed it, and units it covers. The secretary (有书记) is
the secretary_vacant rule's."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q

from dangjian.core.models import valid_on_q
from dangjian.party import queries
from dangjian.party.models import Coverage, PartyOrganization
from dangjian.rules.kinds import base
from dangjian.rules.kinds.orglife import BRANCH_KINDS
from dangjian.rules.registry import Candidate, kind


@kind("standards_incomplete")
def standards_incomplete(ctx):
    """有批文、派遣指导员有通知、覆盖有明细. The secretary (有书记) is the secretary_vacant
    rule's finding and is not reported twice."""
    day = ctx.as_of
    # 有批文 and 派遣指导员有通知 are party/queries.py's definitions, which the formation
    # workflow reads too: a branch the workflow accepts is not flagged here.
    no_approval = queries.approval_missing_q()
    no_notice = queries.notice_missing_q(day)
    with_units = Coverage.objects.filter(valid_on_q(day)).values("party_organization")
    with_children = PartyOrganization.objects.filter(valid_on_q(day), parent__isnull=False).values(
        "parent"
    )
    no_units = Q(kind__in=BRANCH_KINDS) & ~Q(pk__in=with_units) & ~Q(pk__in=with_children)
    rows = [
        (pk, fed, doc, doc_date, mode, has_notice, po_kind, 0 if lacks_units else 1, False)
        for pk, fed, doc, doc_date, mode, po_kind, has_notice, lacks_units in base.party_orgs(ctx)
        .filter(no_approval | no_notice | no_units)
        .annotate(
            has_notice=ExpressionWrapper(~no_notice, output_field=BooleanField()),
            lacks_units=ExpressionWrapper(no_units, output_field=BooleanField()),
        )
        .values_list(
            "pk",
            "federation_id",
            "approval_doc_no",
            "approval_date",
            "formation_mode",
            "kind",
            "has_notice",
            "lacks_units",
        )
    ]
    for pk, fed, doc, doc_date, mode, has_notice, po_kind, units_now, has_children in rows:
        missing = []
        if not doc:
            missing.append({"code": "approval", "text": "无成立批复文件（批文）文号"})
        elif doc_date is None:
            missing.append(
                {"code": "approval", "text": f"成立批复文件（批文）{doc} 未登记批复日期"}
            )
        if mode == PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN and not has_notice:
            missing.append(
                {
                    "code": "instructor_notice",
                    "text": "以选派党建指导员方式组建，但无指导员派遣通知记录",
                }
            )
        if po_kind in BRANCH_KINDS and units_now == 0 and not has_children:
            missing.append({"code": "coverage", "text": "没有覆盖单位明细（当前未覆盖任何单位）"})
        listed = "；".join(f"（{i}）{m['text']}" for i, m in enumerate(missing, 1))
        yield Candidate(
            federation_id=fed,
            party_organization_id=pk,
            explanation=f"截至 {base.fmt(day)}，该党组织“四有”标准缺 {len(missing)} 项：{listed}。",
            evidence={"missing": missing},
            facts={"missing": [m["code"] for m in missing]},
        )
