"""Exports of a member's life in the forms officers keep on paper: the 发展党员工作台账 (one
row per applicant, a date column per step of the procedure in force), the 组织关系转接台账
and the 流动党员台账 (in their import ledgers' own columns plus the state, so an exported file
imports back unchanged).

Every queryset comes from ``access.scope`` (``Action.EXPORT``); ID numbers are masked unless
the caller passes ``personal=True`` (views: users with ``Action.VIEW_PERSONAL`` who asked, the
read logged).
"""

from __future__ import annotations

from django.utils import timezone, translation

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import exports
from dangjian.core.masking import mask_id_number
from dangjian.ledgers import specs, workbooks
from dangjian.ledgers.handlers import show
from dangjian.ledgers.lifecycle_specs import TransferKind
from dangjian.party.models import FlowingPeriod
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Applicant
from dangjian.transfers.models import Transfer

RECRUITMENT_TITLE = "发展党员工作台账"
NAMED = {"contacts": "培养联系人", "sponsors": "入党介绍人"}


def _notes(personal: bool, *more: str) -> list[str]:
    return [
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        *more,
        "个人信息："
        + ("未遮盖（已记录查看日志）" if personal else "已遮盖（遮盖的号码不能再导入）"),
    ]


def _id(number: str, personal: bool) -> str:
    return number if personal else mask_id_number(number)


def recruitment_headers(day) -> tuple[list[str], list[procedure.StepRule]]:
    """The 发展党员工作台账's headers on ``day``: the applicant, then each step of the procedure
    in force (its date; contacts and sponsors by name), then where they stand."""
    steps = [s for s in procedure.steps(day) if not s.decision]
    headers = ["序号", "党支部", "姓名", "性别", "出生日期", "学历", "公民身份号码"]
    for step in steps:
        headers.append(step.title + ("（最近一次）" if step.repeats else ""))
        if step.code in NAMED:
            headers.append(NAMED[step.code])
    return [*headers, "当前阶段", "状态"], steps


def recruitment(user, *, personal: bool):
    """The applicants the user may export, one row each: (workbook, row count)."""
    today = timezone.localdate()
    headers, steps = recruitment_headers(today)
    applicants = (
        scope.visible(Applicant, user, Action.EXPORT)
        .select_related("branch")
        .prefetch_related("steps__members")
        .order_by("branch__name", "applied_on", "pk")
    )
    count = 0

    def rows():
        nonlocal count
        with translation.override("zh-hans"):
            for a in applicants:
                count += 1
                done: dict[str, list] = {}
                for step in sorted(a.steps.all(), key=lambda s: (s.done_on, s.pk)):
                    done.setdefault(step.code, []).append(step)
                row = [
                    count,
                    a.branch.name,
                    a.name,
                    a.get_gender_display(),
                    a.birth_date,
                    a.get_education_display(),
                    _id(a.id_number, personal),
                ]
                for rule in steps:
                    recorded = done.get(rule.code, [])
                    row.append(recorded[-1].done_on if recorded else None)
                    if rule.code in NAMED:
                        names = [m.name for s in recorded[-1:] for m in s.members.all()]
                        row.append("、".join(sorted(names)))
                stage = procedure.stage_title(a.stage, today) if a.stage else ""
                yield [*row, stage, a.get_status_display()]

    workbook = exports.workbook(
        RECRUITMENT_TITLE,
        headers,
        rows(),
        widths=[6, 24, 10, 6, 12, 10, 22] + [14] * (len(headers) - 9) + [16, 12],
        notes=_notes(personal, f"步骤依据：{procedure.document(today)}"),
    )
    return workbook, lambda: count


def transfers(user, *, personal: bool):
    """The transfers the user may export, in the transfers ledger's columns and the state."""
    ledger = specs.LEDGERS["transfers"]
    qs = (
        scope.visible(Transfer, user, Action.EXPORT)
        .select_related("member", "from_party_organization", "to_party_organization")
        .order_by("issued_on", "pk")
    )
    count = 0

    def rows():
        nonlocal count
        for t in qs:
            count += 1
            kind = (
                TransferKind.IN
                if t.is_from_outside
                else TransferKind.OUT
                if t.is_out_of_system
                else TransferKind.WITHIN
            )
            values = {
                "name": t.member.name,
                "id_number": _id(t.member.id_number, personal),
                "kind": show(ledger.column("kind"), kind),
                "from_org": t.from_name,
                "to_org": t.to_name,
                "issued_on": t.issued_on,
                "letter_no": t.letter_no or t.external_letter_no,
                "valid_days": t.valid_days,
                "accepted_on": t.accepted_on,
                "receipt_on": t.receipt_on if kind == TransferKind.OUT else None,
                "dues_paid_to": f"{t.dues_paid_to:%Y-%m}" if t.dues_paid_to else "",
                "reason": t.reason,
            }
            with translation.override("zh-hans"):
                status = str(t.get_status_display())
            yield [values[c.key] for c in ledger.columns] + [status]

    workbook = exports.workbook(
        ledger.title,
        [c.header for c in ledger.columns] + ["状态"],
        rows(),
        widths=[c.width for c in ledger.columns] + [16],
        notes=_notes(personal),
    )
    workbooks.mark_version(workbook, "transfers", specs.TEMPLATE_VERSION)
    return workbook, lambda: count


def flowing(user, *, personal: bool):
    """The flowing periods the user may export, in the flowing ledger's columns and the state."""
    ledger = specs.LEDGERS["flowing"]
    today = timezone.localdate()
    qs = (
        scope.visible(FlowingPeriod, user, Action.EXPORT)
        .select_related("member", "host_party_organization")
        .order_by("valid_from", "pk")
    )
    count = 0

    def rows():
        nonlocal count
        for p in qs:
            count += 1
            host = p.host_party_organization.name if p.host_party_organization else p.host_external
            values = {
                "name": p.member.name,
                "id_number": _id(p.member.id_number, personal),
                "certificate_no": p.certificate_no,
                "whereabouts": p.whereabouts,
                "host": host,
                "since": p.valid_from,
                "until": p.valid_to,
                "note": "",
            }
            state = "已返回" if p.valid_to is not None and p.valid_to < today else "外出流动中"
            yield [values[c.key] for c in ledger.columns] + [state]

    workbook = exports.workbook(
        ledger.title,
        [c.header for c in ledger.columns] + ["状态"],
        rows(),
        widths=[c.width for c in ledger.columns] + [12],
        notes=_notes(personal),
    )
    workbooks.mark_version(workbook, "flowing", specs.TEMPLATE_VERSION)
    return workbook, lambda: count
