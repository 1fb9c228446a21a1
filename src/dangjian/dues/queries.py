"""The definitions of dues other code reads: who pays in a month, the base in force, a member's
ledger, unpaid runs (the arrears rule and the worklist), what a branch collected, a year's
publication table, and the figures for the dashboard — each once.

"Ended month": a month whose last day is before the day asked about. "Unpaid": a month with an
amount due, no payment recorded for it on or before that day, and no good reason recorded for
it on or before that day. Payments count by the day they were made, hand-ins by the day they
were handed in and received, so every figure can be asked "as of" a past day; the amount due is
the one last assessed (a later change of pay re-sets unpaid months, see ``services``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from dangjian.core.money import yuan
from dangjian.dues import amounts
from dangjian.dues.models import (
    ArrearsReason,
    DuesMonth,
    DuesPayment,
    HandIn,
)
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.queries import member_in_ledger_q
from dangjian.rulebook.periods import add_months, month_index, period_bounds, period_label


# -- months ------------------------------------------------------------------------------------
def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return period_bounds(month_index(month), "month")[1]


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first``'s to ``last``'s, both included (as first days)."""
    start, end = month_index(first), month_index(last)
    return [period_bounds(i, "month")[0] for i in range(start, end + 1)]


def label(month: datetime.date) -> str:
    """``2026年3月``."""
    return period_label(month_index(month), "month")


def last_ended_month(as_of: datetime.date) -> datetime.date:
    """The latest month whose last day is before ``as_of``."""
    return add_months(month_start(as_of), -1)


def parse_month(text: str | None) -> datetime.date | None:
    """``2026-03`` (or ``2026-3``) → 2026-03-01; None for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if year < 1921:
            return None
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return None


# -- who pays, on what ---------------------------------------------------------------------
def payers_q(month: datetime.date, prefix: str = "") -> Q:
    """Members who owe dues for ``month`` where they hold their 组织关系: joined by its last day
    (a probationary member pays from the month of the branch meeting that admitted them; the
    ledger holds that meeting's date as the joining date, ``joined_party_on``), still in the
    ledger at its end (a member who moved away during the month pays at the new branch), and
    not anonymised."""
    end = month_end(month)
    return (
        Q(**{f"{prefix}joined_party_on__lte": end})
        & member_in_ledger_q(end, prefix)
        & Q(**{f"{prefix}anonymised_at__isnull": True})
    )


def first_due_month(member: PartyMember) -> datetime.date:
    return month_start(member.joined_party_on)


# -- a member's ledger ---------------------------------------------------------------------
@dataclass
class LedgerRow:
    month: datetime.date
    due: DuesMonth | None
    payment: DuesPayment | None
    reason: ArrearsReason | None
    ended: bool

    @property
    def label(self) -> str:
        return label(self.month)

    @property
    def state(self) -> str:
        """paid · exempt · unpaid · excused · open (not ended yet) · unassessed."""
        if self.payment is not None:
            return "paid"
        if self.due is None:
            return "unassessed"
        if self.due.due_fen == 0:
            return "exempt"
        if not self.ended:
            return "open"
        return "excused" if self.reason is not None else "unpaid"

    @property
    def due_yuan(self) -> str:
        return yuan(self.due.due_fen) if self.due else ""

    @property
    def paid_yuan(self) -> str:
        return yuan(self.payment.amount_fen) if self.payment else ""


def member_ledger(member: PartyMember, year: int, as_of: datetime.date) -> list[LedgerRow]:
    """The member's twelve months of ``year`` from the month they joined."""
    first = max(datetime.date(year, 1, 1), first_due_month(member))
    last = datetime.date(year, 12, 1)
    if first > last:
        return []
    months = months_between(first, last)
    dues = {d.month: d for d in DuesMonth.objects.filter(member=member, month__range=(first, last))}
    paid = {
        p.month: p
        for p in DuesPayment.objects.filter(
            member=member, month__range=(first, last), paid_on__lte=as_of
        )
    }
    reasons = list(
        ArrearsReason.objects.filter(
            member=member, first_month__lte=last, last_month__gte=first, recorded_on__lte=as_of
        )
    )
    ended = last_ended_month(as_of)
    return [
        LedgerRow(
            month=m,
            due=dues.get(m),
            payment=paid.get(m),
            reason=next((r for r in reasons if r.first_month <= m <= r.last_month), None),
            ended=m <= ended,
        )
        for m in months
    ]


# -- arrears -------------------------------------------------------------------------------
@dataclass
class UnpaidRun:
    """Consecutive ended months a member left unpaid without a recorded good reason."""

    member_id: int
    party_organization_id: int  # where the last of the months was due
    months: list[datetime.date]
    since_window_start: bool = False  # the run may have begun before the months read

    @property
    def labels(self) -> list[str]:
        return [label(m) for m in self.months]


def unpaid_months(
    dues: QuerySet[DuesMonth], as_of: datetime.date, first: datetime.date, last: datetime.date
) -> QuerySet[DuesMonth]:
    """The rows of ``dues`` between ``first`` and ``last`` left unpaid as of ``as_of``."""
    paid = DuesPayment.objects.filter(
        member_id=OuterRef("member_id"), month=OuterRef("month"), paid_on__lte=as_of
    )
    excused = ArrearsReason.objects.filter(
        member_id=OuterRef("member_id"),
        first_month__lte=OuterRef("month"),
        last_month__gte=OuterRef("month"),
        recorded_on__lte=as_of,
    )
    return dues.filter(month__gte=first, month__lte=last, due_fen__gt=0).exclude(
        Exists(paid) | Exists(excused)
    )


def unpaid_runs(
    branches: QuerySet[PartyOrganization],
    as_of: datetime.date,
    *,
    min_months: int,
    lookback_months: int,
) -> list[UnpaidRun]:
    """Each member's latest run of at least ``min_months`` consecutive unpaid months among the
    ``lookback_months`` months that ended before ``as_of``, for dues due at ``branches``. A
    month without an amount due (before joining, exempt, or not assessed) breaks a run, as does
    a paid month or one with a recorded good reason. Members who left the ledger by ``as_of``
    are not judged."""
    last = last_ended_month(as_of)
    first = add_months(last, -(lookback_months - 1))
    rows = (
        unpaid_months(
            DuesMonth.objects.filter(party_organization__in=branches.values("pk")),
            as_of,
            first,
            last,
        )
        .filter(
            Exists(
                PartyMember.objects.filter(
                    member_in_ledger_q(as_of), pk=OuterRef("member_id"), anonymised_at__isnull=True
                )
            )
        )
        .order_by("member_id", "month")
        .values_list("member_id", "month", "party_organization_id")
    )
    found: list[UnpaidRun] = []
    for member_id, group in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        latest: UnpaidRun | None = None
        run: UnpaidRun | None = None
        previous = 0
        for _member, month, branch_id in group:
            index = month_index(month)
            if run is None or index != previous + 1:
                if run is not None and len(run.months) >= min_months:
                    latest = run  # a later run of the same member replaces an earlier one
                run = UnpaidRun(member_id, branch_id, [], since_window_start=month == first)
            run.months.append(month)
            run.party_organization_id = branch_id
            previous = index
        if run is not None and len(run.months) >= min_months:
            latest = run
        if latest is not None:
            found.append(latest)
    return found


# -- a branch's collection and hand-ins ----------------------------------------------------
def collected_fen(
    branch: PartyOrganization, first_day: datetime.date, last_day: datetime.date
) -> int:
    """What the branch collected (payments it recorded, by the day paid) between two days."""
    total = DuesPayment.objects.filter(
        party_organization=branch, paid_on__gte=first_day, paid_on__lte=last_day
    ).aggregate(total=Sum("amount_fen"))["total"]
    return int(total or 0)


def hand_in_covering(branch: PartyOrganization, month: datetime.date) -> HandIn | None:
    return HandIn.objects.filter(
        party_organization=branch, first_month__lte=month, last_month__gte=month
    ).first()


# -- a year's publication (党费收缴情况公示) and the 党费收缴登记表 ------------------------------
def year_table(branch: PartyOrganization, year: int, as_of: datetime.date) -> dict[str, Any]:
    """Each member's year at the branch: category, base, rate, monthly amount, what was due and
    paid month by month (payments made on or before ``as_of``), and the totals with the
    year's hand-ins. Plain values (fen and text), so a publication can keep them as published."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
    dues = list(
        DuesMonth.objects.filter(party_organization=branch, month__range=(first, last))
        .select_related("member")
        .order_by("member__name", "member_id", "month")
    )
    paid = {
        (p.member_id, p.month): p.amount_fen
        for p in DuesPayment.objects.filter(
            member_id__in={d.member_id for d in dues},
            month__range=(first, last),
            paid_on__lte=as_of,
        )
    }
    ended = last_ended_month(as_of)
    members: dict[int, dict[str, Any]] = {}
    for d in dues:
        row = members.setdefault(
            d.member_id,
            {
                "member_id": d.member_id,
                "name": d.member.name,
                "months": {},
                "due_fen": 0,
                "paid_fen": 0,
                "unpaid_months": [],
            },
        )
        # The latest month's declaration describes the member in the table.
        row["category"] = d.get_category_display()
        row["base_fen"] = d.base_fen
        row["rate"] = amounts.percent(d.rate_bp)
        row["monthly_fen"] = d.due_fen
        amount = paid.get((d.member_id, d.month))
        row["months"][str(d.month.month)] = {"due_fen": d.due_fen, "paid_fen": amount}
        row["due_fen"] += d.due_fen
        row["paid_fen"] += amount or 0
        if amount is None and d.due_fen > 0 and d.month <= ended:
            row["unpaid_months"].append(label(d.month))
    rows = list(members.values())
    hand_ins = HandIn.objects.filter(
        party_organization=branch,
        first_month__gte=first,
        first_month__lte=last,
        handed_on__lte=as_of,
    )
    handed = sum(h.amount_fen for h in hand_ins)
    received = sum(h.amount_fen for h in hand_ins if h.received_on and h.received_on <= as_of)
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "branch": branch.name,
        "rows": rows,
        "totals": {
            "members": len(rows),
            "due_fen": sum(r["due_fen"] for r in rows),
            "paid_fen": sum(r["paid_fen"] for r in rows),
            "unpaid_fen": sum(
                r["due_fen"] - r["paid_fen"] for r in rows if r["due_fen"] > r["paid_fen"]
            ),
            "handed_in_fen": handed,
            "received_fen": received,
        },
    }


# -- figures for the dashboard -------------------------------------------------------------
@dataclass
class MonthFigures:
    party_organization_id: int
    month: datetime.date
    members_due: int = 0
    due_fen: int = 0
    members_paid: int = 0
    paid_fen: int = 0
    hand_in: str = "none"  # none · handed · received


@dataclass
class Figures:
    """Due against paid per party organization and month, members in arrears per party
    organization, and the hand-in status of each month, as of a day."""

    as_of: datetime.date
    months: list[MonthFigures] = field(default_factory=list)
    arrears: dict[int, int] = field(default_factory=dict)

    def totals(self) -> dict[datetime.date, MonthFigures]:
        """The months summed over every party organization in scope (party organization id 0)."""
        out: dict[datetime.date, MonthFigures] = {}
        for f in self.months:
            t = out.setdefault(f.month, MonthFigures(0, f.month))
            t.members_due += f.members_due
            t.due_fen += f.due_fen
            t.members_paid += f.members_paid
            t.paid_fen += f.paid_fen
        return dict(sorted(out.items()))


def figures(
    party_orgs: QuerySet[PartyOrganization],
    first: datetime.date,
    last: datetime.date,
    as_of: datetime.date,
    *,
    arrears_months: int = 6,
    lookback_months: int = 24,
) -> Figures:
    """The dues figures of ``party_orgs`` (a scoped queryset: ``access.scope``) for the months
    from ``first`` to ``last``, as of ``as_of``. Four grouped queries and the arrears runs."""
    first, last = month_start(first), month_start(last)
    ids = party_orgs.values("pk")
    result = Figures(as_of)
    cells: dict[tuple[int, datetime.date], MonthFigures] = {}

    def cell(po: int, month: datetime.date) -> MonthFigures:
        return cells.setdefault((po, month), MonthFigures(po, month))

    due = (
        DuesMonth.objects.filter(
            party_organization__in=ids, month__range=(first, last), due_fen__gt=0
        )
        .order_by()
        .values("party_organization_id", "month")
        .annotate(n=Count("id"), total=Sum("due_fen"))
    )
    for row in due:
        c = cell(row["party_organization_id"], row["month"])
        c.members_due, c.due_fen = row["n"], int(row["total"] or 0)
    paid = (
        DuesPayment.objects.filter(
            party_organization__in=ids, month__range=(first, last), paid_on__lte=as_of
        )
        .order_by()
        .values("party_organization_id", "month")
        .annotate(n=Count("id"), total=Sum("amount_fen"))
    )
    for row in paid:
        c = cell(row["party_organization_id"], row["month"])
        c.members_paid, c.paid_fen = row["n"], int(row["total"] or 0)
    for h in HandIn.objects.filter(
        party_organization__in=ids,
        last_month__gte=first,
        first_month__lte=last,
        handed_on__lte=as_of,
    ):
        status = "received" if h.received_on and h.received_on <= as_of else "handed"
        for month in months_between(max(h.first_month, first), min(h.last_month, last)):
            cell(h.party_organization_id, month).hand_in = status
    result.months = sorted(cells.values(), key=lambda f: (f.party_organization_id, f.month))
    counts: dict[int, int] = defaultdict(int)
    for run in unpaid_runs(
        party_orgs, as_of, min_months=arrears_months, lookback_months=lookback_months
    ):
        counts[run.party_organization_id] += 1
    result.arrears = dict(counts)
    return result


# -- a branch's month ----------------------------------------------------------------------
def branch_month(
    members: QuerySet[PartyMember],
    dues: QuerySet[DuesMonth],
    payments: QuerySet[DuesPayment],
    month: datetime.date,
    as_of: datetime.date,
) -> list[dict[str, Any]]:
    """One row per member owing ``month`` (``members``: the branch's, already scoped): the amount
    due (as assessed, or as it would be assessed, marked so), and the payment if any."""
    from dangjian.dues import assessment

    people = list(members.filter(payers_q(month)).order_by("name", "pk"))
    ids = [m.pk for m in people]
    stored = {d.member_id: d for d in dues.filter(member_id__in=ids, month=month)}
    paid = {
        p.member_id: p for p in payments.filter(member_id__in=ids, month=month, paid_on__lte=as_of)
    }
    computed, _missing = assessment.compute([pk for pk in ids if pk not in stored], month)
    rows = []
    for m in people:
        due = stored.get(m.pk)
        guess = computed.get(m.pk)
        due_fen = due.due_fen if due else (guess.due_fen if guess else None)
        rows.append(
            {
                "member": m,
                "due": due,
                "due_fen": due_fen,
                "assessed": due is not None,
                "payment": paid.get(m.pk),
                "ended": month <= last_ended_month(as_of),
            }
        )
    return rows
