"""Transfers of the 组织关系 overdue, and members out of contact (LIFECYCLE T-3, T-6, T-8).

What "overdue" and "out of contact" are is ``transfers.queries``'s one definition (read by the
transfers pages too). Findings name a member by their ledger number only: they reach roles that
never see a person; the pages show the name to those keeping the branch's members.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from dangjian.orglife.models import Attendance
from dangjian.party import queries as party_queries
from dangjian.rules.kinds import base
from dangjian.rules.registry import MEETINGS, Candidate, kind
from dangjian.transfers import queries
from dangjian.transfers.models import Transfer


# Reads letters (not journaled: their changes reach the input digest).
@kind("transfer_overdue", reads=())
def transfer_overdue(ctx):
    day = ctx.as_of
    orgs = base.party_orgs(ctx)
    federation_of = dict(orgs.values_list("pk", "federation_id"))
    transfers = Transfer.objects.filter(
        Q(from_party_organization__in=orgs.values("pk"))
        | Q(to_party_organization__in=orgs.values("pk"))
    )
    for row in queries.overdue(transfers, day):
        t = row.transfer
        number = t.letter_no or t.external_letter_no
        if row.what == "expired":
            subject = t.from_party_organization_id
            text = (
                f"组织关系介绍信{number}（党员台账编号 {t.member_id}，由{t.from_name}转往{t.to_name}）"
                f"于 {t.issued_on.isoformat()} 开具，有效期 {t.valid_days} 天，至 {t.valid_until.isoformat()} "
                f"仍未被接收，已过期。按组通字〔2006〕45号，须由党员本人申请、原党组织出具证明后重新开具介绍信；"
                f"介绍信接收前党员仍由转出党组织管理。"
            )
        elif t.is_from_outside:
            subject = t.to_party_organization_id
            text = (
                f"{t.from_name}开具的组织关系介绍信{number}（党员台账编号 {t.member_id}）已于 "
                f"{t.accepted_on.isoformat()} 接收，回执应于 {(row.since - datetime.timedelta(days=1)).isoformat()} 前寄回，至今未记录寄回。"
            )
        else:
            subject = t.from_party_organization_id
            text = (
                f"组织关系介绍信{number}（党员台账编号 {t.member_id}，转往系统外{t.to_name}）于 "
                f"{t.issued_on.isoformat()} 开具，回执应于 {(row.since - datetime.timedelta(days=1)).isoformat()} 前收回，至今未记录回执；"
                f"请与接收党组织核实党员是否已报到。"
            )
        if subject not in federation_of:
            continue  # the other side's federation judges its own part
        yield Candidate(
            federation_id=federation_of[subject],
            party_organization_id=subject,
            period_start=row.since,
            period_key=f"t{t.pk}:{row.what}",
            explanation=text,
            evidence={
                "letter_no": number,
                "member_id": t.member_id,
                "issued_on": t.issued_on.isoformat(),
                "valid_until": t.valid_until.isoformat(),
                "deadline": (row.since - datetime.timedelta(days=1)).isoformat(),
            },
            facts={"transfer": t.pk, "what": row.what},
        )


def contact_reach(ctx, only: frozenset[int]) -> set[int]:
    """A meeting moves its branch's records (``keeping_records``: its members) and the last
    contact of each member present at it, whose finding is their own branch's on the day:
    the branches of the members present at a meeting of ``only`` (of any day or status: one
    moved or no longer held moves their last contact). (A change of attendance itself is not
    journaled: it evaluates the rule whole.)"""
    present = Attendance.objects.filter(
        meeting__party_organization_id__in=sorted(only), status=Attendance.Status.PRESENT
    ).values("member_id")
    return set(
        party_queries.relations_on(ctx.as_of)
        .filter(member_id__in=present, party_organization__federation_id__in=ctx.federation_ids)
        .values_list("party_organization_id", flat=True)
        .distinct()
    )


# The last contact includes meetings attended: a recorded meeting may end a member's silence.
@kind("lost_contact", reads=(MEETINGS,), subject="party_organization", reach=contact_reach)
def lost_contact(ctx):
    """Each finding is a member's, about their branch on the day (``out_of_contact``, the
    one definition); an incremental run judges the members of the branches ``ctx.only``."""
    p, day = ctx.params, ctx.as_of
    orgs = base.party_orgs(ctx)
    if ctx.only is not None:
        orgs = orgs.filter(pk__in=sorted(ctx.only))
    federation_of = dict(orgs.values_list("pk", "federation_id"))
    for m in queries.out_of_contact(orgs.values("pk"), day, p["months"]):
        last = m.last_contact if m.last_contact != m.joined_party_on else None
        since = (
            f"最近一次联系（参加组织生活、交纳党费或联系上本人）为 {last.isoformat()}"
            if last
            else "没有参加组织生活、交纳党费或联系上本人的记录"
        )
        yield Candidate(
            federation_id=federation_of[m.branch_id],
            party_organization_id=m.branch_id,
            period_key=f"m{m.pk}",
            explanation=(
                f"党员（台账编号 {m.pk}）{since}，已满 {p['months']} 个月未与党组织联系。"
                f"请党支部多方查找并逐次记录；经查找仍无音讯的，由党组织认定为失联党员并作出停止党籍等决定——"
                f"系统只提示，不认定、不处理任何党员。"
            ),
            evidence={
                "member_id": m.pk,
                "last_contact": last.isoformat() if last else "—",
                "months": p["months"],
            },
            facts={"member_id": m.pk},
        )
    months = p["removal_review_months"]
    for m in queries.removal_reviews(orgs.values("pk"), day, months):
        yield Candidate(
            federation_id=federation_of[m.branch_id],
            party_organization_id=m.branch_id,
            period_key=f"r{m.pk}",
            explanation=(
                f"党员（台账编号 {m.pk}）于 {m.suspended_on.isoformat()} 被停止党籍，已满 {months} 个月，"
                f"应由党组织审查是否恢复党籍或予以除名；除名由支部大会讨论、报上级党组织批准，系统不作处理。"
            ),
            evidence={"member_id": m.pk, "since": m.suspended_on.isoformat(), "months": months},
            facts={"member_id": m.pk, "suspended_on": m.suspended_on.isoformat()},
        )
