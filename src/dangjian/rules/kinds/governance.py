"""Governance (DOMAIN.md §2.7): party building in the charter; the party organization in the
year's major decisions."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from dangjian.core.models import valid_on_q
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.party.models import Coverage
from dangjian.rules.asof import AS_OF
from dangjian.rules.kinds import base
from dangjian.rules.models import Severity
from dangjian.rules.registry import Candidate, kind


@kind("charter_lacks_clause", reads=())
def charter_lacks_clause(ctx):
    """The charter in force (latest revision adopted on or before the day) has no
    party-building clause. Only units of the legal forms the rule applies to
    (``applies_to_legal_forms``: its source speaks of social organizations, so enterprises are
    left out unless a federation adds them); units without any charter on record are not
    judged."""
    day = ctx.as_of
    latest = CharterRevision.objects.filter(
        organization=OuterRef("pk"), adopted_on__lte=day
    ).order_by("-adopted_on", "-pk")
    rows = (
        base.member_units(ctx)
        .filter(legal_form__in=ctx.params["applies_to_legal_forms"])
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
                f"截至 {AS_OF} 尚未修订。"
            ),
            evidence={"charter_adopted_on": base.fmt(adopted)},
            facts={"charter_adopted_on": base.fmt(adopted)},
        )


def decisions_window(revision, as_of: datetime.date) -> datetime.date:
    return datetime.date(as_of.year - revision.parameters.get("lookback_years", 1), 1, 1)


@kind("no_party_in_decisions", window=decisions_window, reads=())
def no_party_in_decisions(ctx):
    """Per unit and calendar year (the "as of" year and ``lookback_years`` before it):

    * major decisions recorded without the party organization on days the unit was covered by
      one → the rule's severity;
    * otherwise, a whole year covered (on its first and its last day) with no decision recorded
      with the party organization → ``no_record_severity`` (lower): the silence of the records
      is not proof that the party was left out, but it is what an officer asks about. Only
      years that have ended by the day are judged so, and a unit covered for part of a year is
      not (its one annual meeting may have come before the branch).
    """
    day = ctx.as_of
    first_year = decisions_window(ctx.revision, day).year
    ctx.checked_periods = (datetime.date(first_year, 1, 1), datetime.date(day.year, 12, 31))
    units = base.member_units(ctx)
    covered_then = Exists(
        Coverage.objects.filter(
            valid_on_q(OuterRef("decided_on")), organization=OuterRef("organization")
        )
    )
    rows = (
        MajorDecision.objects.filter(
            decided_on__gte=datetime.date(first_year, 1, 1),
            decided_on__lte=day,
            party_participated=False,
            organization__in=units.values("pk"),
        )
        .filter(covered_then)
        .annotate(fed_id=Subquery(units.filter(pk=OuterRef("organization")).values("fed_id")[:1]))
        .order_by("organization_id", "decided_on")
        .values_list("organization_id", "fed_id", "decided_on", "subject", "body")
    )
    found: dict[tuple[int, int], list[dict]] = defaultdict(list)
    feds = {}
    for org_id, fed_id, decided_on, subject, body in rows:
        found[(org_id, decided_on.year)].append(
            {"decided_on": base.fmt(decided_on), "subject": subject, "body": body}
        )
        feds[org_id] = fed_id
    for (org_id, year), decisions in sorted(found.items()):
        end = min(day, datetime.date(year, 12, 31))
        listed = "；".join(f"{d['decided_on']}“{d['subject']}”" for d in decisions)
        yield _candidate(
            feds[org_id],
            org_id,
            year,
            explanation=(
                f"{year} 年（截至 {base.fmt(end) if end < day else AS_OF}）该单位有 {len(decisions)} 项重大决策"
                f"没有党组织参与的记录：{listed}。"
            ),
            evidence={"year": year, "decisions": decisions},
            facts={"decisions": decisions},
        )
    for year in range(first_year, day.year + 1):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if end > day:
            continue
        in_year = MajorDecision.objects.filter(
            organization=OuterRef("pk"), decided_on__gte=start, decided_on__lte=end
        )
        recorded = in_year.order_by().values("organization").annotate(n=Count("pk")).values("n")[:1]
        silent = (
            units.filter(base.covered(start), base.covered(end))
            .filter(~Exists(in_year.filter(party_participated=True)))
            .annotate(recorded=Coalesce(Subquery(recorded), 0))
            .values_list("pk", "fed_id", "recorded")
        )
        for org_id, fed_id, n in silent:
            if (org_id, year) in found:
                continue
            yield _candidate(
                fed_id,
                org_id,
                year,
                explanation=(
                    f"{year} 年该单位全年由党组织覆盖（{base.fmt(start)} 至 {base.fmt(end)}），"
                    f"但没有一项重大决策有党组织参与的记录（全年记录重大决策 {n} 项）。"
                ),
                evidence={"year": year, "decisions": [], "recorded_decisions": n},
                facts={"decisions": [], "recorded_decisions": n},
                severity=_severity(ctx.params["no_record_severity"]),
            )


def _severity(value: str) -> str:
    # A federation's override is checked for its form only: an unknown word is the default.
    return value if value in Severity.values else Severity.INFO


def _candidate(fed_id, org_id, year, **fields) -> Candidate:
    return Candidate(
        federation_id=fed_id,
        organization_id=org_id,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        period_key=str(year),
        **fields,
    )
