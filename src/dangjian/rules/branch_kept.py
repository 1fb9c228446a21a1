"""Each party organization's full members on the day, kept with the coverage figures of a
federation's whole subtree (``CoverageBranch`` under ``CoverageDay``) and followed by the same
journal of changes (``CoverageChange``, written by ``rules.coverage_triggers``).

Counting a branch's full members (``party.queries.branch_full_counts``: every member holding
their 组织关系 there or employed in a unit it covers, each once) reads every relation and job of
the subtree: 1.5–2 s at 100,000 units, at every run of the rules that judge a branch's size.
Here it is counted whole once a day, with the units' parts (``coverage_kept._count_whole``),
and then only for the party organizations a change can move (``follow``):

* the ones a journal line names — the party organization of a coverage written, of a relation
  period written (before and after), of the relations of a member whose full membership or
  leaving changed;
* the ones covering, on the day, a unit a line names — its employments or its employees'
  standing changed (a coverage moved names its party organization itself).

A party organization that joined the subtree after the count (created, or moved in from
another federation: those rows are not journaled) has no part; it is counted when first read
(``read``). The counts are kept for the rulebook's basis of that day (``CoverageDay.count_by``);
a run counting by another basis counts them whole again for it.

Every path gives ``branch_full_counts``'s counts exactly (tests/rules/test_coverage_kept.py
replays random changes and compares)."""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db import connection
from django.db.models import Q, QuerySet

from dangjian.core import bulk as core_bulk
from dangjian.core.models import valid_on_q
from dangjian.core.sql import in_ids
from dangjian.party import queries
from dangjian.party.models import Coverage, PartyOrganization
from dangjian.registry.models import Federation
from dangjian.rules.models import CoverageBranch, CoverageDay

COLUMNS = ["figures_id", "party_organization_id", "full_members"]


def subtree_party_orgs(federation: Federation, day: datetime.date):
    """The party organizations of ``federation``'s subtree on ``day`` (as the rules' contexts
    over the whole subtree read them: ``rules.kinds.base.party_orgs``)."""
    return queries.party_orgs_on(list(federation.subtree().values_list("pk", flat=True)), day)


def count_whole(figures_id: int, federation: Federation, day: datetime.date, by: str) -> None:
    """Every party organization's part written anew, counted by ``by`` (in the caller's
    transaction, the figures' row locked)."""
    CoverageBranch.objects.filter(figures_id=figures_id).delete()
    _write(figures_id, subtree_party_orgs(federation, day), day, by)
    CoverageDay.objects.filter(pk=figures_id).update(count_by=by)


def follow(
    figures_id: int,
    day: datetime.date,
    by: str,
    units: Collection[int],
    party_orgs: Collection[int],
) -> None:
    """The parts of the party organizations these changed units and party organizations can
    move, counted again (those with a part: the others are counted when first read)."""
    if not units and not party_orgs:
        return
    parts = CoverageBranch.objects.filter(figures_id=figures_id)
    moved = Q(party_organization_id__in=sorted(party_orgs))
    if units:
        covering = Coverage.objects.filter(
            valid_on_q(day), in_ids("organization_id", sorted(units))
        )
        moved |= Q(party_organization_id__in=covering.values("party_organization_id"))
    ids = list(parts.filter(moved).values_list("party_organization_id", flat=True))
    parts.filter(party_organization_id__in=ids).delete()
    _write(figures_id, ids, day, by)


def read(figures_id: int, day: datetime.date, by: str, in_scope: list[int]) -> dict[int, int]:
    """{party organization: its full members} of ``in_scope`` (those with none left out, as
    ``branch_full_counts`` gives them): the kept parts, and for a party organization that has
    none (not in the subtree when counted) its count, written as its part."""
    table = CoverageBranch._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT party_organization_id, full_members FROM {table} "  # noqa: S608
            "WHERE figures_id = %s",
            [figures_id],
        )
        kept = dict(cursor.fetchall())
    missing = [pk for pk in in_scope if pk not in kept]
    if missing:
        kept |= _write(figures_id, missing, day, by)
    return {pk: kept[pk] for pk in in_scope if kept[pk]}


def _write(
    figures_id: int, orgs: list[int] | QuerySet[PartyOrganization], day: datetime.date, by: str
) -> dict[int, int]:
    """These party organizations' parts (ids, or a queryset: the whole subtree's, not
    written into the statement id by id) counted and written; returns them."""
    if isinstance(orgs, list):
        if not orgs:
            return {}
        ids = orgs
        counts = queries.branch_full_counts(
            PartyOrganization.objects.filter(in_ids("id", ids)).values("pk"), day, by
        )
    else:
        counts = queries.branch_full_counts(orgs.values("pk"), day, by)
        ids = list(orgs.values_list("pk", flat=True))
    parts = {pk: counts.get(pk, 0) for pk in ids}
    core_bulk.insert(CoverageBranch, COLUMNS, [(figures_id, pk, n) for pk, n in parts.items()])
    return parts
