"""What each member owes for a month, computed from their declaration, the rulebook and any
approved reduction — without writing (the assessment stores it, the import's preview reads it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from django.db.models import FilteredRelation, Q, QuerySet

from dangjian.dues import amounts
from dangjian.dues.models import DuesBase, DuesRelief
from dangjian.party.models import PartyMember


class Due(NamedTuple):  # a tuple: a million are made per month assessed
    member_id: int
    month: datetime.date
    category: str
    base_fen: int | None
    rate_bp: int | None
    standard_fen: int
    due_fen: int
    relief_id: int | None


# Above this many members a chunk is read by its range of ids (then filtered here): Django
# prepares each value of an IN list in Python, which cost more than the whole query.
RANGE_FROM = 200


def _members(ids: list[int]) -> Q:
    if len(ids) > RANGE_FROM:
        return Q(member_id__gte=min(ids), member_id__lte=max(ids))
    return Q(member_id__in=ids)


def compute(
    member_ids: Iterable[int], month: datetime.date, *, within: Q | None = None
) -> tuple[dict[int, Due], set[int]]:
    """({member id: the month's dues}, {members without a declaration in force that month}).

    Two queries for any number of members (callers pass a few thousand at a time): the
    declarations starting on or before the month, and the approved reductions covering it.
    ``within`` (a condition on ``member__``, e.g. their branches) narrows what is read to
    the members' own rows; without it they are read by id (neighbouring ids are cheapest)."""
    ids = list(member_ids)
    if not ids:
        return {}, set()
    where = within if within is not None else _members(ids)
    found: dict[int, Due] = {}
    missing: set[int] = set()
    for row in _amounts(ids, month, where, missing):
        found[row[0]] = Due(row[0], month, *row[1:])
    return found, missing


def insert_rows(
    members: QuerySet[PartyMember], month: datetime.date, assessed_on: datetime.date
) -> tuple[list[tuple[Any, ...]], set[int]]:
    """The assessment's rows for ``members`` (a chunk of a few thousand who owe the month) in
    the column order of ``services.MONTH_COLUMNS``, and the members with nothing declared:
    ``compute`` without its objects, for a million members a month.

    One query: each member with their declarations in force and the approved reductions
    covering the month joined on (a member has one or two of each at most), ordered so that
    a member's last row carries the latest declaration and the latest reduction — the same
    choice as ``_amounts``. Three queries through the members' branches (members, their
    declarations, their reductions) cost twice as much at 1,000,000 members."""
    declared = FilteredRelation("dues_bases", condition=Q(dues_bases__from_month__lte=month))
    approved = FilteredRelation(
        "dues_reliefs",
        condition=Q(
            dues_reliefs__approved_on__isnull=False,
            dues_reliefs__first_month__lte=month,
            dues_reliefs__last_month__gte=month,
        ),
    )
    latest = {
        row[0]: row  # the member's last row wins
        for row in members.annotate(declared=declared, approved=approved)
        .order_by("pk", "declared__from_month", "approved__decided_on", "approved__pk")
        .values_list(
            "pk",
            "relation_party_organization_id",
            "declared__category",
            "declared__base_fen",
            "declared__fixed_fen",
            "approved__pk",
            "approved__kind",
            "approved__monthly_fen",
        )
    }
    amount = amounts.calculator(amounts.rates(month))
    after_relief = amounts.after_relief
    missing: set[int] = set()
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for (
        member_id,
        branch,
        category,
        base_fen,
        fixed_fen,
        relief,
        kind,
        monthly_fen,
    ) in latest.values():
        if category is None:
            missing.add(member_id)
            continue
        fen, rate = amount(category, base_fen, fixed_fen)
        due = fen if relief is None else after_relief(fen, kind, monthly_fen)
        append((member_id, month, branch, category, base_fen, rate, fen, due, relief, assessed_on))
    return rows, missing


def _amounts(
    ids: list[int], month: datetime.date, where: Q, missing: set[int]
) -> Iterator[tuple[int, str, int | None, int | None, int, int, int | None]]:
    """(member, category, base, rate, standard, due, reduction) of each member with a
    declaration in force; the others are added to ``missing``."""
    rates = amounts.rates(month)
    wanted = set(ids)
    bases: dict[int, tuple[str, int | None, int | None]] = {}
    for member_id, category, base_fen, fixed_fen in (
        DuesBase.objects.filter(where, from_month__lte=month)
        .order_by("member_id", "from_month")
        .values_list("member_id", "category", "base_fen", "fixed_fen")
    ):
        if member_id in wanted:
            bases[member_id] = (category, base_fen, fixed_fen)  # the latest start wins
    reliefs: dict[int, tuple[int, str, int | None]] = {}
    for relief_id, member_id, kind, monthly_fen in (
        DuesRelief.objects.filter(
            where, approved_on__isnull=False, first_month__lte=month, last_month__gte=month
        )
        .order_by("member_id", "decided_on", "pk")
        .values_list("pk", "member_id", "kind", "monthly_fen")
    ):
        if member_id in wanted:
            reliefs[member_id] = (relief_id, kind, monthly_fen)
    amount = amounts.calculator(rates)
    after_relief = amounts.after_relief
    for member_id in ids:
        declared = bases.get(member_id)
        if declared is None:
            missing.add(member_id)
            continue
        category, base_fen, fixed_fen = declared
        fen, rate = amount(category, base_fen, fixed_fen)
        relief = reliefs.get(member_id)
        if relief is None:
            yield member_id, category, base_fen, rate, fen, fen, None
        else:
            yield (
                member_id,
                category,
                base_fen,
                rate,
                fen,
                after_relief(fen, relief[1], relief[2]),
                relief[0],
            )
