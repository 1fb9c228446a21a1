"""Exports of what the user can see, as styled .xlsx files.

Every queryset comes from ``access.scope``. The member export uses the member ledger's own
columns, so an exported file can be imported again (and changes nothing). ID numbers and phones
are masked unless the caller passes ``personal=True`` — views do so only for users with
``Action.VIEW_PERSONAL`` who asked, and log the read.
"""

from __future__ import annotations

import decimal

from django.utils import timezone, translation

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import exports
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.money import FEN_PER_YUAN
from dangjian.core.sql import chunks
from dangjian.dues import queries as dues_queries
from dangjian.dues.models import DuesMonth, DuesPayment
from dangjian.ledgers import specs, workbooks
from dangjian.ledgers.handlers import show
from dangjian.party.models import Employment, RelationPeriod
from dangjian.registry.filters import OrganizationFilter


def organization_filter(user, params) -> OrganizationFilter:
    """The member units the user may export, under the filter ``params``."""
    base = scope.organizations(user, Action.EXPORT)
    return OrganizationFilter(params or None, base, federations=scope.federations(user))


def organizations(filters: OrganizationFilter, *, personal: bool = False):
    """The member units of ``filters`` (``organization_filter``: the user's scope under the
    page's filter): (workbook, rows).

    Contact phones are masked unless ``personal`` (a masked one imports back unchanged)."""
    qs = filters.qs
    ledger = specs.LEDGERS["organizations"]
    columns = [c for c in ledger.columns if c.key not in ("membership_role", "joined_on")]
    headers = [c.header for c in columns] + ["是否建立党组织"]
    count = 0

    def rows():
        nonlocal count
        for org in qs.order_by("name", "pk").iterator(chunk_size=2000):
            count += 1
            yield [_unit_cell(c, getattr(org, c.key), personal) for c in columns] + [
                "是" if org.has_party_org else "否"
            ]

    notes = [
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        "筛选条件：" + _describe(filters),
        "联系电话：" + ("未遮盖（已记录查看日志）" if personal else "已遮盖"),
    ]
    workbook = exports.workbook(
        ledger.title, headers, rows(), widths=[c.width for c in columns] + [14], notes=notes
    )
    workbooks.mark_version(workbook, "organizations", specs.TEMPLATE_VERSION)
    return workbook, count  # the write-only sheet took its rows above: count is final


def _unit_cell(column: specs.Column, value, personal: bool):
    if column.kind == "choice":
        return show(column, value)
    if column.kind == "phone" and not personal:
        return mask_phone(value)
    return value


def _describe(filters) -> str:
    """The filter in words, choices by their labels (as the other lists' exports say it)."""
    with translation.override("zh-hans"):  # the notes are in Chinese throughout
        return filters.describe() or "无"


# Members read and written this many at a time, with their current jobs and relations: a
# province's export holds one chunk in memory, not a million members and their jobs (which
# took over 4 GB at 10^6 members before its first row was written).
MEMBER_CHUNK = 2000


def _current_jobs(member_ids: list[int]) -> dict[int, tuple]:
    """{member id: (employer's USCC, employer's name, job title, from)} — each member's current
    job (open, the latest begun; none for a member without one)."""
    jobs = {}
    for member_id, *job in (
        Employment.objects.filter(member_id__in=member_ids, valid_to__isnull=True)
        .order_by("valid_from", "pk")
        .values_list(
            "member_id", "organization__uscc", "organization__name", "job_title", "valid_from"
        )
    ):
        jobs[member_id] = tuple(job)
    return jobs


def members(visible, *, personal: bool):
    """The members ``visible`` (the user's scope to export, ``scope.members_to_list``), one row
    per member (current employer), in name order."""
    ledger = specs.LEDGERS["members"]
    count = 0

    ordered = visible.select_related("relation_party_organization").order_by("name", "pk")

    def rows():
        nonlocal count
        for chunk in chunks(ordered.iterator(chunk_size=MEMBER_CHUNK), MEMBER_CHUNK):
            ids = [m.pk for m in chunk]
            jobs = _current_jobs(ids)
            # The current relation's start (the open period), for the dated relation column.
            since = dict(
                RelationPeriod.objects.filter(member_id__in=ids, valid_to__isnull=True).values_list(
                    "member_id", "valid_from"
                )
            )
            for m in chunk:
                count += 1
                uscc, employer, title, employed_from = jobs.get(m.pk, ("", "", "", None))
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
                    "employer_uscc": uscc,
                    "employer_name": employer,
                    "job_title": title,
                    "employed_from": employed_from,
                    "relation": relation,
                    "relation_since": since.get(m.pk) if relation else None,
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
    workbook = exports.workbook(
        ledger.title,
        [c.header for c in ledger.columns],
        rows(),
        widths=[c.width for c in ledger.columns],
        notes=notes,
    )
    workbooks.mark_version(workbook, "members", specs.TEMPLATE_VERSION)
    return workbook, count


def dues(user, branch, months, *, personal: bool):
    """A branch's dues ledger for ``months`` (a month or a year): one row per member owing each
    month, in the dues ledger's own columns, so the file can be filled in and imported again
    (a row without an amount records nothing). ID numbers masked unless ``personal`` (then the
    file can be imported again). ``branch`` comes from ``scope.dues_branches``."""
    ledger = specs.LEDGERS["dues"]
    today = timezone.localdate()
    members = scope.members(user, Action.EXPORT).filter(relation_party_organization=branch)
    count = 0

    def rows():
        nonlocal count
        for month in months:
            for row in dues_queries.branch_month(
                members,
                scope.visible(DuesMonth, user, Action.EXPORT),
                scope.visible(DuesPayment, user, Action.EXPORT),
                month,
                today,
            ):
                member, payment = row["member"], row["payment"]
                count += 1
                values = {
                    "name": member.name,
                    "id_number": member.id_number if personal else mask_id_number(member.id_number),
                    "party_org": branch.name,
                    "month": f"{month:%Y-%m}",
                    "due": _yuan(row["due_fen"]),
                    "amount": _yuan(payment.amount_fen) if payment else None,
                    "paid_on": payment.paid_on if payment else None,
                    "method": show(ledger.column("method"), payment.method) if payment else "",
                    "receipt_no": payment.receipt_no if payment else "",
                    "note": payment.note if payment else "",
                }
                yield [values[c.key] for c in ledger.columns]

    notes = [
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        f"党组织：{branch.name}",
        f"月份：{months[0]:%Y-%m} 至 {months[-1]:%Y-%m}",
        "金额单位：元。实交金额为空的行是尚未交纳的月份，填写实交金额、交纳日期和方式后可再导入。",
        "个人信息："
        + ("未遮盖（已记录查看日志）" if personal else "已遮盖（遮盖的号码不能再导入）"),
    ]
    workbook = exports.workbook(
        ledger.title,
        [c.header for c in ledger.columns],
        rows(),
        widths=[c.width for c in ledger.columns],
        notes=notes,
    )
    workbooks.mark_version(workbook, "dues", specs.TEMPLATE_VERSION)
    return workbook, lambda: count


def _yuan(fen):
    """Fen as an exact number of 元 for a cell (a Decimal, never a float)."""
    return None if fen is None else decimal.Decimal(fen) / FEN_PER_YUAN
