"""Terms and posts (DOMAIN.md §3.2): overdue elections and vacant secretary posts."""

from __future__ import annotations

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from dangjian.party.models import PartyOrganization
from dangjian.rulebook.periods import latest_start_overdue, months_between, term_deadline
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate, kind

K = PartyOrganization.Kind


@kind("term_overdue")
def term_overdue(ctx):
    """Overdue when the term plus the allowed extension ended before the day. The term start is
    the last election recorded (``term_started_on``), else the founding."""
    day, p = ctx.as_of, ctx.params
    ext = p["max_extension_years"]
    years_of = {K.COMMITTEE: p["committee_term_years"]}
    branch_years = p["branch_term_years"]
    cond = Q()
    for po_kind in K.values:
        years = years_of.get(po_kind, branch_years)
        cond |= Q(kind=po_kind, term_start__lte=latest_start_overdue(day, years, ext))
    rows = (
        base.party_orgs(ctx)
        .annotate(term_start=Coalesce(F("term_started_on"), F("valid_from")))
        .filter(cond)
        .values_list("pk", "federation_id", "kind", "term_start")
    )
    for po_id, fed_id, po_kind, start in rows:
        years = years_of.get(po_kind, branch_years)
        end, deadline = term_deadline(start, years, ext)
        overdue_days = (day - deadline).days
        yield Candidate(
            federation_id=fed_id,
            party_organization_id=po_id,
            period_start=start,
            period_end=end,
            period_key=f"term:{start.isoformat()}",
            explanation=(
                f"本届任期自 {base.fmt(start)} 起，每届 {years} 年，应于 {base.fmt(end)} 届满；"
                f"延期最长 {ext} 年也已于 {base.fmt(deadline)} 到期，截至 {base.fmt(day)} "
                f"仍未换届，已逾期 {overdue_days} 天（{months_between(deadline, day)} 个月）。"
            ),
            evidence={
                "term_started_on": base.fmt(start),
                "term_years": years,
                "term_ends_on": base.fmt(end),
                "extension_years": ext,
                "deadline": base.fmt(deadline),
                "overdue_days": overdue_days,
            },
            facts={"term_started_on": base.fmt(start), "term_years": years},
        )


@kind("secretary_vacant")
def secretary_vacant(ctx):
    day = ctx.as_of
    for po_id, info in base.secretary_vacancies(ctx, ctx.params.get("grace_days", 0)).items():
        since = info["since"]
        days = (day - since).days
        what = "上任书记离任" if info["had_secretary"] else "成立"
        yield Candidate(
            federation_id=info["fed"],
            party_organization_id=po_id,
            period_start=since,
            period_key=f"since:{since.isoformat()}",
            explanation=(
                f"该党组织自 {base.fmt(since)}（{what}）起没有在任书记，截至 {base.fmt(day)} "
                f"书记已空缺 {days} 天（{months_between(since, day)} 个月）。"
            ),
            evidence={
                "vacant_since": base.fmt(since),
                "days": days,
                "had_secretary": info["had_secretary"],
            },
            facts={"vacant_since": base.fmt(since)},
        )
