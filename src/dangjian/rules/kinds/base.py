"""Querysets shared by the rule kinds: the units and party organizations in scope on a day,
and per-run caches. What a full member, coverage or an instructor is on a day is defined once
in ``party.queries`` (read by the workflows too) and re-exported here under the names the kinds
use."""

from __future__ import annotations

import datetime
import json

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.party import queries
from dangjian.party.models import Coverage, PartyOrganization, Position

# The names the rule kinds read (explicit re-exports of the one definition).
from dangjian.party.queries import full_employments as full_employments
from dangjian.party.queries import has_instructor as has_instructor
from dangjian.party.queries import member_in_ledger_q as member_in_ledger_q
from dangjian.registry.models import Membership, Organization
from dangjian.rules import coverage_kept

covered = queries.covered_q
full_member_count = queries.full_member_count_q

# The party organization kinds judged as branches (a committee is not): they owe meetings,
# cover units and count their members at a meeting.
BRANCH_KINDS = [
    PartyOrganization.Kind.BRANCH,
    PartyOrganization.Kind.JOINT_BRANCH,
    PartyOrganization.Kind.GENERAL_BRANCH,
]


# The per-run values several kinds read (``cached``), by the names the kinds give them in
# ``@kind(shares=…)`` (``registry.SHARES``: the run starts one reader of each first).
BRANCH_COUNTS, DORMANT, REQUIRED, UNCOVERED = "branch_counts", "dormant", "required", "uncovered"


def cached(ctx, name: str, params: dict, compute):
    """One computation per run for what several rules read (dormant units, 应建未建 rows)."""
    key = (name, tuple(ctx.federation_ids), ctx.as_of, json.dumps(params, sort_keys=True))
    return ctx.engine.shared(key, compute)


def fmt(day: datetime.date | None) -> str:
    return day.isoformat() if day else "—"


def memberships(ctx, day: datetime.date | None = None):
    return Membership.objects.filter(
        valid_on_q(day or ctx.as_of), federation_id__in=ctx.federation_ids
    )


def member_units(ctx, day: datetime.date | None = None) -> QuerySet[Organization]:
    """Member units of the context's federations on ``day``, annotated with ``fed_id``."""
    day = day or ctx.as_of
    ms = memberships(ctx, day).filter(organization=OuterRef("pk"))
    qs = Organization.objects.filter(Exists(ms)).order_by()  # unordered: see ``party_orgs``
    if len(ctx.federation_ids) == 1:
        # The usual case: no per-row subquery (SQLite would plan it through the federation
        # index and scan every membership of the federation for each unit).
        return qs.annotate(fed_id=Value(ctx.federation_ids[0], output_field=IntegerField()))
    return qs.annotate(fed_id=Subquery(ms.order_by("-federation_id").values("federation_id")[:1]))


def party_orgs(ctx, day: datetime.date | None = None) -> QuerySet[PartyOrganization]:
    """Party organizations of the context's federations existing on ``day``, in no order
    (``party.queries.party_orgs_on``).

    The models' default order (by name) is not the rules': a rule reads these into maps and
    sets, and its new findings are written in subject order whatever the order it found them
    in (``rules.sync``). Sorting every read by name cost a full run ~1 s of 7.7 at 100,000
    units (21 reads of 58,000 party organizations or 100,000 units, PostgreSQL, 2026-12-08).
    A rule that yields in the order of its rows orders them itself."""
    return queries.party_orgs_on(ctx.federation_ids, day or ctx.as_of)


def count_basis(ctx) -> str:
    """How this run counts a branch's full members (rulebook ``counting.branch_members``)."""
    return queries.checked_basis(ctx.other_params(queries.COUNTING_RULE)["count_by"])


def branch_counts(ctx, orgs: QuerySet[PartyOrganization] | None = None) -> dict[int, int]:
    """{party org id: its full members on the day, counted as the rulebook says} for the
    context's party organizations — GROUP BYs shared by the rules that need branch sizes;
    ``orgs``: for these alone (an incremental run; not shared)."""
    day, by = ctx.as_of, count_basis(ctx)
    if orgs is not None:
        return queries.branch_full_counts(orgs.values("pk"), day, by)

    def compute() -> dict[int, int]:
        # Today, over the run's whole subtree: the day's kept counts (``rules.branch_kept``),
        # followed as the facts change, instead of every relation and job of the subtree.
        whole = set(ctx.federation_ids) == {f.pk for f in ctx.engine.federations}
        if whole and day == timezone.localdate():
            in_scope = list(party_orgs(ctx).values_list("pk", flat=True))
            kept = coverage_kept.branch_counts(ctx.engine.root, day, by, in_scope)
            if kept is not None:
                return kept
        return queries.branch_full_counts(party_orgs(ctx).values("pk"), day, by)

    return cached(ctx, BRANCH_COUNTS, {"by": by}, compute)


# How each basis is said in an explanation ("有正式党员 N 名（按……计）").
BASIS_ZH = {
    queries.EMPLOYER_OR_RELATION: "按在所覆盖单位工作或组织关系在本支部计",
    queries.RELATION: "按组织关系在本支部计",
    queries.EMPLOYER: "按在所覆盖单位工作计",
}


def post_counts(ctx) -> dict[int, int]:
    """{party org id: people holding a post there on the day} — one GROUP BY."""
    day = ctx.as_of

    def compute():
        return dict(
            Position.objects.filter(
                valid_on_q(day), party_organization__in=party_orgs(ctx).values("pk")
            )
            .order_by()
            .values("party_organization")
            .annotate(n=Count("member_id", distinct=True))
            .values_list("party_organization", "n")
        )

    return cached(ctx, "post_counts", {}, compute)


def coverage_count(day: datetime.date, ref: str = "pk"):
    counts = (
        Coverage.objects.filter(valid_on_q(day), party_organization=OuterRef(ref))
        .order_by()
        .values("party_organization")
        .annotate(n=Count("organization_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def secretary_vacancies(ctx, min_days: int = 0, orgs: QuerySet[PartyOrganization] | None = None):
    """{party org id: (vacant since, last secretary's name)} for orgs with no secretary on the
    context's day, vacant for at least ``min_days`` (``orgs``: among these alone)."""
    day = ctx.as_of
    sec = Position.objects.filter(role=Position.Role.SECRETARY, party_organization=OuterRef("pk"))
    last_end = sec.filter(valid_to__lt=day).order_by("-valid_to").values("valid_to")[:1]
    rows = (
        (party_orgs(ctx) if orgs is None else orgs)
        .filter(~Exists(sec.filter(valid_on_q(day))))
        .annotate(last_end=Subquery(last_end))
        .values_list("pk", "valid_from", "last_end", "federation_id", "name")
    )
    result = {}
    for pk, valid_from, last_end_day, fed_id, name in rows:
        since = (last_end_day + datetime.timedelta(days=1)) if last_end_day else valid_from
        if (day - since).days >= min_days:
            result[pk] = {
                "since": since,
                "had_secretary": bool(last_end_day),
                "fed": fed_id,
                "name": name,
            }
    return result


def names(model, ids) -> dict[int, str]:
    return dict(model.objects.filter(pk__in=list(ids)).values_list("pk", "name"))
