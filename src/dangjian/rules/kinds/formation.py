"""Formation rules (DOMAIN.md §3.1): 应建未建, joint-branch candidates, units needing an
instructor, joint branches covering too many units, branches needing a committee or too large."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Max
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.core.sql import in_ids
from dangjian.party import queries
from dangjian.party.models import Coverage, PartyOrganization
from dangjian.rules import coverage_kept
from dangjian.rules.asof import AS_OF, months_since
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate, kind

K = PartyOrganization.Kind


def uncovered_units(ctx) -> list[coverage_kept.Uncovered]:
    """The member units no party organization covers on the day — shared by three formation
    rules. Today, over the run's whole subtree, read from the day's kept coverage parts
    (``coverage_kept.uncovered``: each unit's full members, and what the 应建未建 rule explains
    of it, kept and followed as the facts change); otherwise one query. In id order: each
    unit's memberships, coverages and employments are then read in index order (in name order
    SQLite read them scattered over the file: 3× slower at 20,000 units)."""
    day = ctx.as_of

    def compute():
        whole = set(ctx.federation_ids) == {f.pk for f in ctx.engine.federations}
        if whole and day == timezone.localdate():
            kept = coverage_kept.uncovered(ctx.engine.root, day)
            if kept is not None:
                return kept
        return [
            coverage_kept.Uncovered(*row)
            for row in base.member_units(ctx)
            .filter(~base.covered(day))
            .annotate(full=base.full_member_count(day), instructed=base.has_instructor(day))
            .order_by("pk")
            .values_list("pk", "fed_id", "full", "instructed")
        ]

    return base.cached(ctx, base.UNCOVERED, {}, compute)


def uncovered_with_members(
    ctx, low: int, high: int | None = None, *, no_instructor=False
) -> list[coverage_kept.Uncovered]:
    """The uncovered member units whose full members employed number in [low, high]."""
    return [
        row
        for row in uncovered_units(ctx)
        if row.full >= low
        and (high is None or row.full <= high)
        and not (no_instructor and row.instructed)
    ]


def required_not_formed_rows(ctx, params) -> list[dict]:
    """Units with ≥ min full members employed and no covering party organization, with the day
    the condition began (joined, reached the threshold, or lost its coverage — the latest) and
    where their full members' 组织关系 sits: read from the kept parts when they hold it, else
    counted from the facts (``explained``)."""
    return explained(
        ctx, params["min_full_members"], uncovered_with_members(ctx, params["min_full_members"])
    )


def explained(ctx, threshold: int, rows: list[coverage_kept.Uncovered]) -> list[dict]:
    """The 应建未建 rows of these uncovered units (each with ≥ ``threshold`` full members)."""
    day = ctx.as_of
    kept = {row.unit: row.details for row in rows if _holds(row.details, threshold)}
    counted = [row.unit for row in rows if row.unit not in kept]
    employed = queries.employed_full(counted, day, threshold)
    joined, last_cover = joined_and_uncovered(ctx, counted, day)
    result = []
    for row in rows:
        details = kept.get(row.unit)
        if details is not None:
            reached, entered, ended = (
                details.reached(threshold),
                details.joined,
                details.cover_ended,
            )
            places = details.places
        else:
            e = employed.get(row.unit)
            reached = e.reached(threshold) if e is not None else None
            entered, ended = joined.get(row.unit), last_cover.get(row.unit)
            places = e.places if e is not None else {}
        since = max(
            reached or day,
            entered or day,
            (ended + datetime.timedelta(days=1)) if ended else day.min,
        )
        result.append(
            {
                "id": row.unit,
                "fed": row.federation,
                "full": row.full,
                "since": since,
                "relations": {p: places[p] for p in RELATION_PLACES if places.get(p)},
            }
        )
    return result


def _holds(details: coverage_kept.Details | None, threshold: int) -> bool:
    """Whether kept details answer for this threshold (its day kept)."""
    return details is not None and details.reached(threshold) is not None


# Where the 组织关系 of a unit's full members sits (``party.queries.EmployedFull.places``), in
# the order the explanation lists it.
RELATION_PLACES = {
    "system": "在本系统党组织",
    "outside": "在系统外党组织",
    "unrecorded": "未登记",
}


def joined_and_uncovered(
    ctx, unit_ids: list[int], day: datetime.date
) -> tuple[dict[int, datetime.date], dict[int, datetime.date]]:
    """({unit: the latest start of its membership in force on ``day``}, {unit: the last day a
    coverage of it ended before ``day``}). The ids are written into the statements
    (``in_ids``): bound one by one, compiling the filters took longer than running them."""
    if not unit_ids:
        return {}, {}
    joined = (
        base.memberships(ctx, day)
        .filter(in_ids("organization_id", unit_ids))
        .order_by()
        .values("organization_id")
        .annotate(first=Max("valid_from"))
        .values_list("organization_id", "first")
    )
    return dict(joined), queries.coverage_ended_before(unit_ids, day)


def relations_text(relations: dict[str, int]) -> str:
    """ "组织关系在本系统党组织 1 名、在系统外党组织 2 名" (empty when none employed)."""
    parts = [f"{RELATION_PLACES[p]} {n} 名" for p, n in relations.items()]
    return f"组织关系{'、'.join(parts)}" if parts else ""


@kind("required_not_formed", reads=(), kept_coverage=True, shares=(base.REQUIRED, base.UNCOVERED))
def required_not_formed(ctx):
    rows = base.cached(
        ctx, base.REQUIRED, ctx.params, lambda: required_not_formed_rows(ctx, ctx.params)
    )
    for row in rows:
        where = relations_text(row["relations"])
        yield Candidate(
            federation_id=row["fed"],
            organization_id=row["id"],
            explanation=(
                f"该单位有正式党员 {row['full']} 名（达到 {ctx.params['min_full_members']} 名应建标准"
                f"{'；' + where if where else ''}），"
                f"截至 {AS_OF} 未被任何党组织覆盖，自 {base.fmt(row['since'])} 起已持续 {months_since(row['since'])} 个月。"
            ),
            evidence={
                "full_members": row["full"],
                "relations": row["relations"],
                "threshold": ctx.params["min_full_members"],
                "since": base.fmt(row["since"]),
            },
            facts={"full_members": row["full"], "since": base.fmt(row["since"])},
        )


@kind("joint_branch_candidate", reads=(), kept_coverage=True, shares=(base.UNCOVERED,))
def joint_branch_candidate(ctx):
    low, high = ctx.params["min_full_members"], ctx.params["max_full_members"]
    for row in uncovered_with_members(ctx, low, high, no_instructor=True):
        org_id, fed_id, full = row.unit, row.federation, row.full
        yield Candidate(
            federation_id=fed_id,
            organization_id=org_id,
            explanation=(
                f"该单位有正式党员 {full} 名（不足 3 名），截至 {AS_OF} 既未被党组织覆盖，"
                f"也未派党建工作指导员，宜与邻近单位联合组建党支部或选派指导员。"
            ),
            evidence={"full_members": full},
            facts={"full_members": full},
        )


@kind("needs_instructor", reads=(), kept_coverage=True, shares=(base.UNCOVERED,))
def needs_instructor(ctx):
    high = ctx.params["max_full_members"]
    for row in uncovered_with_members(ctx, 0, high, no_instructor=True):
        org_id, fed_id, full = row.unit, row.federation, row.full
        yield Candidate(
            federation_id=fed_id,
            organization_id=org_id,
            explanation=(
                f"该单位有正式党员 {full} 名，截至 {AS_OF} 未被党组织覆盖，"
                f"也没有在岗的党建工作指导员或联络员，党的工作尚未覆盖。"
            ),
            evidence={"full_members": full},
            facts={"full_members": full},
        )


@kind("joint_branch_too_many_units", reads=())
def joint_branch_too_many_units(ctx):
    day, cap = ctx.as_of, ctx.params["max_units"]
    rows = list(
        base.party_orgs(ctx)
        .filter(kind=K.JOINT_BRANCH)
        .annotate(units=base.coverage_count(day))
        .filter(units__gt=cap)
        .values_list("pk", "federation_id", "units")
    )
    unit_names = defaultdict(list)
    for po_id, name in (
        Coverage.objects.filter(valid_on_q(day), party_organization_id__in=[r[0] for r in rows])
        .order_by("organization__name")
        .values_list("party_organization_id", "organization__name")
    ):
        unit_names[po_id].append(name)
    for po_id, fed_id, units in rows:
        yield Candidate(
            federation_id=fed_id,
            party_organization_id=po_id,
            explanation=(
                f"该联合党支部截至 {AS_OF} 覆盖 {units} 个单位，超过每个联合党支部不超过 "
                f"{cap} 个单位的要求（多 {units - cap} 个）：{'、'.join(unit_names[po_id])}。"
            ),
            evidence={"units": units, "max_units": cap, "unit_names": unit_names[po_id]},
            facts={"units": units},
        )


@kind("needs_committee", reads=(), kept_coverage=True, shares=(base.BRANCH_COUNTS,))
def needs_committee(ctx):
    need, posts_min = ctx.params["min_full_members"], ctx.params["min_committee_posts"]
    count_by = base.count_basis(ctx)
    counts, basis = base.branch_counts(ctx), base.BASIS_ZH[count_by]
    posts_of = base.post_counts(ctx)
    rows = [
        (pk, fed, counts.get(pk, 0), posts_of.get(pk, 0))
        for pk, fed in base.party_orgs(ctx)
        .filter(kind__in=[K.BRANCH, K.JOINT_BRANCH])
        .values_list("pk", "federation_id")
        if counts.get(pk, 0) >= need and posts_of.get(pk, 0) < posts_min
    ]
    for po_id, fed_id, full, posts in rows:
        yield Candidate(
            federation_id=fed_id,
            party_organization_id=po_id,
            explanation=(
                f"该党支部截至 {AS_OF} 有正式党员 {full} 名（{basis}；{need} 名以上"
                f"应设支部委员会），但只有 {posts} 名支部委员会成员在任，"
                f"未设立由 3 至 5 人组成的支部委员会。"
            ),
            evidence={
                "full_members": full,
                "posts": posts,
                "threshold": need,
                "count_by": count_by,
            },
            facts={"full_members": full, "posts": posts},
        )


@kind("branch_too_large", reads=(), kept_coverage=True, shares=(base.BRANCH_COUNTS,))
def branch_too_large(ctx):
    branch_max, committee_min = (
        ctx.params["branch_max_members"],
        ctx.params["committee_min_members"],
    )
    counts, basis = base.branch_counts(ctx), base.BASIS_ZH[base.count_basis(ctx)]
    rows = [
        (pk, fed, po_kind, counts[pk])
        for pk, fed, po_kind in base.party_orgs(ctx)
        .filter(pk__in=[k for k, n in counts.items() if n > branch_max])
        .values_list("pk", "federation_id", "kind")
        if (po_kind in (K.BRANCH, K.JOINT_BRANCH) and counts[pk] > branch_max)
        or (po_kind == K.GENERAL_BRANCH and counts[pk] >= committee_min)
    ]
    for po_id, fed_id, po_kind, full in rows:
        should = "基层党委" if full >= committee_min else "党总支"
        current = "党总支" if po_kind == K.GENERAL_BRANCH else "党支部"
        yield Candidate(
            federation_id=fed_id,
            party_organization_id=po_id,
            explanation=(
                f"该{current}截至 {AS_OF} 有正式党员 {full} 名（{basis}），超过党支部一般不超过 "
                f"{branch_max} 名的规模，按 {branch_max} 至 {committee_min - 1} 名设党总支、"
                f"{committee_min} 名以上设基层党委的指引，宜改设{should}。"
            ),
            evidence={
                "full_members": full,
                "kind": po_kind,
                "should_be": should,
                "count_by": base.count_basis(ctx),
            },
            facts={"full_members_band": should, "kind": po_kind},
        )


@kind("relation_elsewhere", reads=())
def relation_elsewhere(ctx):
    """Members working in a unit a branch covers whose 组织关系 is not in it (held in another
    party organization, outside the system, or not recorded): to transfer in, or to register
    as 流动党员. What used to make such a branch look empty (空壳) is listed here instead.
    Branches and joint branches only: a general branch or committee stands over branches that
    hold its members' relations. No names in the text (authority viewers see findings, not
    people); the members are in the evidence by id."""
    day = ctx.as_of
    branches = base.party_orgs(ctx).filter(kind__in=[K.BRANCH, K.JOINT_BRANCH])
    by_po: dict[int, list[queries.ElsewhereRow]] = defaultdict(list)
    for row in queries.relation_elsewhere(branches.values("pk"), day):
        by_po[row.party_organization_id].append(row)
    feds = dict(branches.filter(pk__in=list(by_po)).values_list("pk", "federation_id"))
    for po_id, rows in sorted(by_po.items()):
        units: dict[str, int] = defaultdict(int)
        places: dict[str, int] = {}
        for row in rows:
            units[row.unit_name] += 1
            place = (
                "system"
                if row.relation_party_organization_id
                else ("outside" if row.relation_name else "unrecorded")
            )
            places[place] = places.get(place, 0) + 1
        places = {p: places[p] for p in RELATION_PLACES if p in places}
        full = sum(1 for row in rows if row.is_full)
        in_units = "、".join(f"{name} {n} 名" for name, n in sorted(units.items()))
        where = "、".join(
            f"{RELATION_PLACES[p] if p != 'system' else '在本系统其他党组织'} {n} 名"
            for p, n in places.items()
        )
        yield Candidate(
            federation_id=feds[po_id],
            party_organization_id=po_id,
            explanation=(
                f"截至 {AS_OF}，该党支部所覆盖单位中有 {len(rows)} 名党员（其中正式党员 "
                f"{full} 名）的组织关系不在本支部（{in_units}）：组织关系{where}。"
                f"应将其组织关系转入本支部，或登记为流动党员。"
            ),
            evidence={
                "members": len(rows),
                "full_members": full,
                "units": dict(sorted(units.items())),
                "relations": places,
                "member_ids": sorted({row.member_id for row in rows}),
            },
            facts={"member_ids": sorted({row.member_id for row in rows})},
        )
