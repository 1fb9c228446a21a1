"""Governance (DOMAIN.md §2.7): party building in the charter; the party organization in the
year's major decisions."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Subquery

from dangjian.core.models import valid_on_q
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.party.models import Coverage
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate, kind


@kind("charter_lacks_clause")
def charter_lacks_clause(ctx):
    """The charter in force (latest revision adopted on or before the day) has no
    party-building clause. Units without any charter on record are not judged."""
    day = ctx.as_of
    latest = CharterRevision.objects.filter(
        organization=OuterRef("pk"), adopted_on__lte=day
    ).order_by("-adopted_on", "-pk")
    rows = (
        base.member_units(ctx)
        .annotate(
            clause=Subquery(latest.values("has_party_building_clause")[:1]),
            adopted=Subquery(latest.values("adopted_on")[:1]),
        )
        .filter(clause=False)
        .values_list("pk", "fed_id", "adopted")
    )
    for org_id, fed_id, adopted in rows:
        yield Candidate(
            federation_id=fed_id,
            organization_id=org_id,
            explanation=(
                f"该单位现行章程（{base.fmt(adopted)} 通过）未写入党的建设有关内容，"
                f"截至 {base.fmt(day)} 尚未修订。"
            ),
            evidence={"charter_adopted_on": base.fmt(adopted)},
            facts={"charter_adopted_on": base.fmt(adopted)},
        )


@kind("no_party_in_decisions")
def no_party_in_decisions(ctx):
    """Major decisions taken this year (up to the day) without the party organization, by a
    unit that was covered by a party organization on the decision's day."""
    day = ctx.as_of
    year_start = datetime.date(day.year, 1, 1)
    units = base.member_units(ctx)
    covered_then = Exists(
        Coverage.objects.filter(
            valid_on_q(OuterRef("decided_on")), organization=OuterRef("organization")
        )
    )
    rows = (
        MajorDecision.objects.filter(
            decided_on__gte=year_start,
            decided_on__lte=day,
            party_participated=False,
            organization__in=units.values("pk"),
        )
        .filter(covered_then)
        .annotate(fed_id=Subquery(units.filter(pk=OuterRef("organization")).values("fed_id")[:1]))
        .order_by("organization_id", "decided_on")
        .values_list("organization_id", "fed_id", "decided_on", "subject", "body")
    )
    found = defaultdict(list)
    feds = {}
    for org_id, fed_id, decided_on, subject, body in rows:
        found[org_id].append({"decided_on": base.fmt(decided_on), "subject": subject, "body": body})
        feds[org_id] = fed_id
    for org_id, decisions in found.items():
        listed = "；".join(f"{d['decided_on']}“{d['subject']}”" for d in decisions)
        yield Candidate(
            federation_id=feds[org_id],
            organization_id=org_id,
            period_start=year_start,
            period_end=datetime.date(day.year, 12, 31),
            period_key=str(day.year),
            explanation=(
                f"{day.year} 年（截至 {base.fmt(day)}）该单位有 {len(decisions)} 项重大决策"
                f"没有党组织参与的记录：{listed}。"
            ),
            evidence={"year": day.year, "decisions": decisions},
            facts={"decisions": decisions},
        )
