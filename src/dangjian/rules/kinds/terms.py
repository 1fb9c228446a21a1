"""Terms and posts (DOMAIN.md §3.2): overdue elections and vacant secretary posts."""

from __future__ import annotations

from django.db.models import Q

from dangjian.party import term_queries
from dangjian.party.models import Election, PartyOrganization
from dangjian.rulebook.periods import latest_start_overdue
from dangjian.rules.asof import AS_OF, days_since, months_since
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate, kind

K = PartyOrganization.Kind
# How the term in force began, in the explanation (no election recorded: the founding).
BEGAN_WITH = {Election.Kind.FOUNDING: "成立时选举", Election.Kind.GENERAL: "换届选举"}


@kind("term_overdue", reads=())
def term_overdue(ctx):
    """Overdue when the term in force on the day (the last founding or general election held
    by then; with none recorded, the first term counted from the founding) ended before it,
    unless an extension approved by then runs on: then overdue once the extension has ended.
    The extension is never automatic (延期换届须报上级党组织批准): a term with none approved is
    overdue from the day after its end."""
    day, p = ctx.as_of, ctx.params
    rows = term_queries.with_term_in_force(
        base.party_orgs(ctx),
        day,
        committee_years=p["committee_term_years"],
        branch_years=p["branch_term_years"],
    )
    # Only terms that ended before the day, compared in SQL per term length (few distinct
    # lengths): a start on or before the latest start whose term has ended.
    lengths = {p["committee_term_years"], p["branch_term_years"]} | set(
        Election.objects.filter(term_years__isnull=False)
        .order_by()
        .values_list("term_years", flat=True)
        .distinct()
    )
    ended = Q(pk__in=[])
    for years in lengths:
        ended |= Q(term_years=years, term_started_on__lte=latest_start_overdue(day, years, 0))
    found = rows.filter(ended).values_list(
        "pk",
        "federation_id",
        "term_started_on",
        "term_years",
        "term_election",
        "term_election_kind",
        "extended_until",
    )
    for po_id, fed_id, start, years, election, election_kind, extended_until in found:
        term = term_queries.Term(start, years, election, extended_until)
        if not term.overdue_on(day):
            continue  # an approved extension runs on
        end, deadline = term.ends_on, term.deadline
        began = BEGAN_WITH.get(election_kind, "成立")
        if extended_until:
            extension = f"经上级党组织批准延期至 {base.fmt(deadline)}，延期也已届满，"
        else:
            extension = "没有经上级党组织批准的延期，"
        yield Candidate(
            federation_id=fed_id,
            party_organization_id=po_id,
            period_start=start,
            period_end=end,
            period_key=f"term:{start.isoformat()}",
            explanation=(
                f"本届任期自 {base.fmt(start)}（{began}）起，每届 {years} 年，"
                f"应于 {base.fmt(end)} 届满；{extension}截至 {AS_OF} 仍未换届，"
                f"已逾期 {days_since(deadline)} 天（{months_since(deadline)} 个月）。"
            ),
            evidence={
                "term_started_on": base.fmt(start),
                "term_years": years,
                "term_ends_on": base.fmt(end),
                "extended_until": base.fmt(extended_until) if extended_until else "",
                "deadline": base.fmt(deadline),
            },
            # The extension's end decides too (only when there is one: the fingerprints of
            # findings raised before extensions were recorded stay as they were).
            facts={"term_started_on": base.fmt(start), "term_years": years}
            | ({"extended_until": base.fmt(extended_until)} if extended_until else {}),
        )


@kind("secretary_vacant", reads=())
def secretary_vacant(ctx):
    for po_id, info in base.secretary_vacancies(ctx, ctx.params.get("grace_days", 0)).items():
        since = info["since"]
        what = "上任书记离任" if info["had_secretary"] else "成立"
        yield Candidate(
            federation_id=info["fed"],
            party_organization_id=po_id,
            period_start=since,
            period_key=f"since:{since.isoformat()}",
            explanation=(
                f"该党组织自 {base.fmt(since)}（{what}）起没有在任书记，截至 {AS_OF} "
                f"书记已空缺 {days_since(since)} 天（{months_since(since)} 个月）。"
            ),
            evidence={
                "vacant_since": base.fmt(since),
                "had_secretary": info["had_secretary"],
            },
            facts={"vacant_since": base.fmt(since)},
        )
