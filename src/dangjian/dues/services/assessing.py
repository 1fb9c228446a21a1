"""The assessment of months: the dues of a month set for every member who owes them (the
year's at its start, or a month at a time), a member's missing months, and re-setting the
unpaid months after a change of pay or an approved reduction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from dangjian.core import bulk
from dangjian.core.audit import record_event, snapshot
from dangjian.core.audit_bulk import record_changes
from dangjian.core.events import AuditEvent
from dangjian.dues import assessment, queries
from dangjian.dues.models import DuesMonth, DuesPayment
from dangjian.dues.queries import month_start
from dangjian.dues.services.common import _today
from dangjian.party.models import PartyMember, PartyOrganization

# Branches assessed together: some thousands of members at a time.
BRANCHES_PER_CHUNK = 200


# -- the assessment ----------------------------------------------------------------------------
MONTH_COLUMNS = [
    "member_id",
    "month",
    "party_organization_id",
    "category",
    "base_fen",
    "rate_bp",
    "standard_fen",
    "due_fen",
    "relief_id",
    "assessed_on",
]


@dataclass
class Assessed:
    created: int = 0
    without_base: set[int] = field(default_factory=set)  # members with nothing declared


def assess(
    branches: QuerySet[PartyOrganization],
    months: Iterable[datetime.date],
    *,
    actor,
    today: datetime.date | None = None,
    note: str = "",
) -> Assessed:
    """Set the dues of ``months`` for every member who owes them at ``branches`` (where they
    hold their 组织关系) and has none set yet: the year's amounts at its start, or a month at a
    time. Members with nothing declared are left out and reported. Months already set stay as
    they are (``reassess`` re-sets them after a change of pay or a reduction). One audit event."""
    today = _today(today)
    result = Assessed()
    months = sorted({month_start(m) for m in months})
    with transaction.atomic(), bulk.roomy_cache():
        branch_ids = list(branches.order_by("pk").values_list("pk", flat=True))
        for month in months:
            # A few hundred branches at a time: their members, read through the index of
            # their 组织关系, with their declarations and reductions in the same query (a
            # subquery of all the branches would make SQLite walk every member each time).
            assessed = DuesMonth.objects.filter(member=OuterRef("pk"), month=month)
            for start in range(0, len(branch_ids), BRANCHES_PER_CHUNK):
                part = branch_ids[start : start + BRANCHES_PER_CHUNK]
                members = PartyMember.objects.filter(
                    queries.payers_q(month), relation_party_organization_id__in=part
                ).exclude(Exists(assessed))
                rows, missing = assessment.insert_rows(members, month, today)
                result.without_base |= missing
                bulk.insert(DuesMonth, MONTH_COLUMNS, rows)
                result.created += len(rows)
        if result.created:
            record_event(
                actor,
                AuditEvent.DUES_ASSESSED,
                None,
                note=note,
                created=result.created,
                months=[f"{m:%Y-%m}" for m in months],
                without_base=len(result.without_base),
            )
    return result


def assess_year(
    branch: PartyOrganization, year: int, *, actor, today: datetime.date | None = None
) -> Assessed:
    """The amounts of the year set at its start (年初核定), for one branch."""
    months = queries.months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 1))
    return assess(PartyOrganization.objects.filter(pk=branch.pk), months, actor=actor, today=today)


def _assess_member(member: PartyMember, months: list[datetime.date], *, actor, today) -> None:
    branch = member.relation_party_organization_id
    if branch is None:  # dues are due where the relation is held: nowhere in this system
        return
    have = set(
        DuesMonth.objects.filter(member=member, month__in=months).values_list("month", flat=True)
    )
    rows = []
    for month in months:
        if month in have:
            continue
        dues, _missing = assessment.compute([member.pk], month)
        d = dues.get(member.pk)
        if d is not None:
            rows.append(
                DuesMonth(
                    member=member,
                    month=month,
                    party_organization_id=branch,
                    category=d.category,
                    base_fen=d.base_fen,
                    rate_bp=d.rate_bp,
                    standard_fen=d.standard_fen,
                    due_fen=d.due_fen,
                    relief_id=d.relief_id,
                    assessed_on=today,
                )
            )
    if rows:
        DuesMonth.objects.bulk_create(rows, ignore_conflicts=True)
        record_event(
            actor,
            AuditEvent.DUES_ASSESSED,
            member,
            created=len(rows),
            months=[f"{r.month:%Y-%m}" for r in rows],
        )


@transaction.atomic
def reassess(
    member_ids: list[int], from_month: datetime.date, *, actor, today: datetime.date | None = None
) -> int:
    """Re-set the assessed, unpaid months of ``member_ids`` from ``from_month`` on, after a change
    of pay or an approved reduction. Paid months keep the amount they were paid at. Returns how
    many changed (each with its field-level audit record)."""
    today = _today(today)
    paid = DuesPayment.objects.filter(member_id=OuterRef("member_id"), month=OuterRef("month"))
    rows = list(
        DuesMonth.objects.filter(member_id__in=member_ids, month__gte=month_start(from_month))
        .exclude(Exists(paid))
        .order_by("month")
    )
    pairs = []
    for month in sorted({r.month for r in rows}):
        dues, _missing = assessment.compute(member_ids, month)
        for row in (r for r in rows if r.month == month):
            d = dues.get(row.member_id)
            if d is None:
                continue
            before = snapshot(row)
            new = {
                "category": d.category,
                "base_fen": d.base_fen,
                "rate_bp": d.rate_bp,
                "standard_fen": d.standard_fen,
                "due_fen": d.due_fen,
                "relief_id": d.relief_id,
            }
            if all(getattr(row, k) == v for k, v in new.items()):
                continue
            for name, value in new.items():
                setattr(row, name, value)
            row.assessed_on = today
            pairs.append((row, before))
    if pairs:
        bulk.update_objects(
            [row for row, _before in pairs],
            ["category", "base_fen", "rate_bp", "standard_fen", "due_fen", "relief", "assessed_on"],
        )
        record_changes(actor, pairs, note="reassessed")
    return len(pairs)
