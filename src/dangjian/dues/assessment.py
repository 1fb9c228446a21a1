"""What each member owes for a month, computed from their declaration, the rulebook and any
approved reduction — without writing (the assessment stores it, the import's preview reads it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from dangjian.dues import amounts
from dangjian.dues.models import DuesBase, DuesRelief


@dataclass(frozen=True)
class Due:
    member_id: int
    month: datetime.date
    category: str
    base_fen: int | None
    rate_bp: int | None
    standard_fen: int
    due_fen: int
    relief_id: int | None


def compute(member_ids: Iterable[int], month: datetime.date) -> tuple[dict[int, Due], set[int]]:
    """({member id: the month's dues}, {members without a declaration in force that month}).

    Two queries for any number of members (callers pass a few thousand at a time): the
    declarations starting on or before the month, and the approved reductions covering it."""
    ids = list(member_ids)
    rates = amounts.rates(month)
    bases: dict[int, tuple[str, int | None, int | None]] = {}
    for member_id, category, base_fen, fixed_fen in (
        DuesBase.objects.filter(member_id__in=ids, from_month__lte=month)
        .order_by("member_id", "from_month")
        .values_list("member_id", "category", "base_fen", "fixed_fen")
    ):
        bases[member_id] = (category, base_fen, fixed_fen)  # the latest start wins
    reliefs: dict[int, tuple[int, str, int | None]] = {}
    for relief_id, member_id, kind, monthly_fen in (
        DuesRelief.objects.filter(
            member_id__in=ids,
            approved_on__isnull=False,
            first_month__lte=month,
            last_month__gte=month,
        )
        .order_by("member_id", "decided_on", "pk")
        .values_list("pk", "member_id", "kind", "monthly_fen")
    ):
        reliefs[member_id] = (relief_id, kind, monthly_fen)
    standards: dict[tuple[str, int | None, int | None], amounts.Standard] = {}
    found: dict[int, Due] = {}
    missing: set[int] = set()
    for member_id in ids:
        declared = bases.get(member_id)
        if declared is None:
            missing.add(member_id)
            continue
        standard = standards.get(declared)
        if standard is None:
            standard = standards[declared] = amounts.standard(*declared, rates)
        relief = reliefs.get(member_id)
        due = amounts.after_relief(standard.fen, relief[1], relief[2]) if relief else standard.fen
        category, base_fen, _fixed = declared
        found[member_id] = Due(
            member_id,
            month,
            category,
            base_fen,
            standard.rate_bp,
            standard.fen,
            due,
            relief[0] if relief else None,
        )
    return found, missing
