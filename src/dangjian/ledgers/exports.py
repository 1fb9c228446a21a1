"""Exports of what the user can see, as styled .xlsx files.

Every queryset comes from ``access.scope``. The member export uses the member ledger's own
columns, so an exported file can be imported again (and changes nothing). ID numbers and phones
are masked unless the caller passes ``personal=True`` — views do so only for users with
``Action.VIEW_PERSONAL`` who asked, and log the read.
"""

from __future__ import annotations

from django.utils import timezone

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.ledgers import specs, workbooks
from dangjian.ledgers.handlers import show
from dangjian.party.models import Employment
from dangjian.registry.filters import OrganizationFilter


def organizations(user, params):
    base = scope.organizations(user, Action.EXPORT)
    filters = OrganizationFilter(params or None, base, federations=scope.federations(user))
    qs = filters.qs
    ledger = specs.LEDGERS["organizations"]
    columns = [c for c in ledger.columns if c.key not in ("membership_role", "joined_on")]
    headers = [c.header for c in columns] + ["是否建立党组织"]

    def rows():
        for org in qs.order_by("name", "pk").iterator(chunk_size=2000):
            yield [
                show(c, getattr(org, c.key)) if c.kind == "choice" else getattr(org, c.key)
                for c in columns
            ] + ["是" if org.has_party_org else "否"]

    notes = [
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        "筛选条件：" + (filters.describe() or "无"),
    ]
    return workbooks.export(
        ledger.title,
        headers,
        rows(),
        widths=[c.width for c in columns] + [14],
        notes=notes,
        ledger_key="organizations",
    )


def _describe(filters) -> str:
    if not filters.is_bound or not filters.is_valid():
        return "无"
    parts = [f"{filters.fields[k].label}={v}" for k, v in filters.cleaned_data.items() if v]
    return "，".join(str(p) for p in parts) or "无"


def members(user, *, personal: bool):
    """The members of the units in the user's scope, one row per member (current employer)."""
    ledger = specs.LEDGERS["members"]
    visible = scope.members(user, Action.EXPORT)
    jobs = {}
    for job in (
        Employment.objects.filter(member__in=visible.values("pk"))
        .select_related("organization")
        .order_by("valid_from", "pk")
    ):
        if job.valid_to is None:
            jobs[job.member_id] = job  # the current employer; members without one show none
    count = 0

    def rows():
        nonlocal count
        for m in visible.select_related("relation_party_organization").order_by("name", "pk"):
            count += 1
            job = jobs.get(m.pk)
            org = job.organization if job else None
            relation = (
                m.relation_party_organization.name
                if m.relation_party_organization_id
                else m.relation_external
            )
            values = {
                "name": m.name,
                "gender": show(ledger.column("gender"), m.gender),
                "ethnicity": m.ethnicity,
                "birth_date": m.birth_date,
                "id_number": m.id_number if personal else mask_id_number(m.id_number),
                "phone": m.phone if personal else mask_phone(m.phone),
                "education": show(ledger.column("education"), m.education),
                "joined_party_on": m.joined_party_on,
                "full_member_on": m.full_member_on,
                "employer_uscc": org.uscc if org else "",
                "employer_name": org.name if org else "",
                "job_title": job.job_title if job else "",
                "employed_from": job.valid_from if job else None,
                "relation": relation,
                "is_flowing": "是" if m.is_flowing else "否",
                "is_lost_contact": "是" if m.is_lost_contact else "否",
                "left_on": m.left_on,
            }
            yield [values[c.key] for c in ledger.columns]

    notes = [
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        "个人信息："
        + ("未遮盖（已记录查看日志）" if personal else "已遮盖（遮盖的号码不能再导入）"),
    ]
    workbook = workbooks.export(
        ledger.title,
        [c.header for c in ledger.columns],
        rows(),
        widths=[c.width for c in ledger.columns],
        notes=notes,
        ledger_key="members",
    )
    return workbook, count


DIMENSION_TITLES = {
    "category": "按单位类别",
    "legal_form": "按法人类型",
    "district": "按所在区",
    "sector": "按企业与社会组织",
    "domain": "按领域",
}
RATE_HEADERS = [
    "会员单位数",
    "党组织覆盖单位数",
    "单独组建单位数",
    "工作覆盖单位数",
    "组织覆盖率（%）",
    "单独组建率（%）",
    "工作覆盖率（%）",
]


def _rate_cells(rates) -> list:
    return [
        rates.total,
        rates.organizational,
        rates.single,
        rates.work,
        rates.organizational_rate,
        rates.single_rate,
        rates.work_rate,
    ]


def _dimension_label(dimension: str, value: str) -> str:
    from dangjian.registry.models import Organization

    if dimension == "sector":
        return {"enterprise": "企业", "social": "社会组织"}.get(value, value)
    choices = {"category": Organization.Category, "legal_form": Organization.LegalForm}
    if dimension in choices:
        return show_choice(choices[dimension], value)
    return value or "（未填写）"


def show_choice(choices, value) -> str:
    labels = specs.choice_labels(choices)
    for label, code in labels.items():
        if code == value:
            return label
    return value or "（未填写）"


def coverage_statistics(user):
    """One sheet for the totals and one per breakdown, for each federation the user may export.

    The figures come from ``dangjian.rules.coverage`` (the one definition of the rates).
    """
    from dangjian.rules import coverage

    federations = list(scope.federations(user, Action.EXPORT).order_by("path"))
    if not federations:
        return None
    day = timezone.localdate()
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)

    def sheet(title, headers):
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        head = []
        for label in headers:
            cell = WriteOnlyCell(ws, label)
            workbooks._style_header(cell)
            head.append(cell)
        ws.append(head)
        for c in range(len(headers)):
            ws.column_dimensions[workbooks.get_column_letter(c + 1)].width = 18
        return ws

    total = sheet("总体", ["联合会", *RATE_HEADERS])
    for fed in federations:
        total.append([fed.name, *_rate_cells(coverage.compute(coverage.Scope(fed), day))])
    for dimension in coverage.DIMENSIONS:
        ws = sheet(DIMENSION_TITLES.get(dimension, dimension), ["联合会", "分类", *RATE_HEADERS])
        for fed in federations:
            for value, rates in coverage.breakdown(coverage.Scope(fed), day, dimension):
                ws.append([fed.name, _dimension_label(dimension, value), *_rate_cells(rates)])
    notes = wb.create_sheet("说明")
    notes.append([f"统计日期：{day:%Y-%m-%d}"])
    notes.append(["组织覆盖率 = 党组织覆盖（单独、联合或依托理事会）的会员单位数 ÷ 会员单位数"])
    notes.append(["单独组建率 = 单独组建党组织的会员单位数 ÷ 会员单位数"])
    notes.append(["工作覆盖率 = 党组织覆盖或选派了党建工作指导员/联络员的会员单位数 ÷ 会员单位数"])
    return wb
