from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.filters import params
from dangjian.core.pagination import keyset_page
from dangjian.party import queries, term_queries
from dangjian.party.filters import PartyOrganizationFilter
from dangjian.party.lists import ORGANIZATION_MEMBERS, PARTY_ORGANIZATIONS, TERMS_TO_RENEW


@login_required
def party_organization_list(request):
    action = lists.scope_action(request)
    filters = PartyOrganizationFilter(
        params(request),
        # The current term (the export's columns) from the election history.
        term_queries.with_term_in_force(
            scope.party_organizations(request.user, action).select_related("federation", "parent"),
            timezone.localdate(),
        ),
    )
    if lists.wants_xlsx(request) and not filters.errors:
        return PARTY_ORGANIZATIONS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "party/party_organization_list.html",
        {**PARTY_ORGANIZATIONS.context(request, filters.qs), "filters": filters.form},
    )


@login_required
def terms_to_renew(request):
    """换届提醒 across the user's party organizations: every term whose deadline is within the
    rulebook's reminder (6 months) or past, as the secretary's workspace and the
    organization's page remind it one at a time."""
    today = timezone.localdate()
    qs = term_queries.terms_to_renew(
        scope.party_organizations(request.user).select_related("parent"), today
    )
    if lists.wants_xlsx(request):
        return TERMS_TO_RENEW.export(request, qs)
    return render(
        request,
        "party/terms_to_renew.html",
        {**TERMS_TO_RENEW.context(request, qs), "today": today},
    )


# The subordinate party organizations on a party organization's page, a page at a time.
CHILDREN_PER_PAGE = 50
CHILDREN_CURSOR = "children_after"


@login_required
def party_organization_detail(request, pk: int):
    party_org = scope.get_visible_or_404(
        scope.party_organizations(request.user).select_related("federation", "parent"), pk=pk
    )
    today = timezone.localdate()
    term = term_queries.term_in_force(party_org, today)
    members = (
        scope.members(request.user, Action.VIEW)
        .filter(relation_party_organization=party_org)
        .order_by("name")
    )
    # A joint branch covers several units: a unit's liaison sees its own, and only a count of
    # the others.
    coverages = party_org.coverages.select_related("organization").order_by("-valid_from")
    visible_coverages = coverages.filter(organization__in=scope.organizations(request.user))
    context = {
        "party_org": party_org,
        "today": today,
        "coverages": visible_coverages,
        "hidden_coverage_count": coverages.count() - visible_coverages.count(),
        # Each post's member checked on its key (a few posts), not an IN over every member the
        # user sees (a federation's million, 2.6 s at 200,000 on SQLite).
        "positions": party_org.positions.filter(
            Exists(scope.members(request.user).filter(pk=OuterRef("member_id")))
        )
        .select_related("member")
        .order_by("valid_to", "role"),
        # A page of them: an industry committee has a branch per unit (tens of thousands).
        "children": keyset_page(
            scope.party_organizations(request.user).filter(parent=party_org),
            request.GET.get(CHILDREN_CURSOR),
            size=CHILDREN_PER_PAGE,
        ),
        "children_cursor": CHILDREN_CURSOR,
        "members": ORGANIZATION_MEMBERS.context(request, members)["table"],
        "meetings": scope.meetings(request.user)
        .filter(party_organization=party_org)
        .order_by("-held_on", "-pk")[:30],
        "keeps_meetings": scope.meeting_party_organizations(request.user)
        .filter(pk=party_org.pk)
        .exists(),
        "term": term,
        "reminder": term_queries.term_reminder(party_org, today, term),
        "elections": party_org.elections.prefetch_related("extensions").order_by("-held_on"),
        # A figure of the branch, counted as the rules count it (visible to whoever sees the
        # branch, like the rules' findings), whatever members this viewer may list.
        "branch_full_count": queries.branch_full_members(
            [party_org], on=today, by=queries.branch_count_basis(party_org.federation, today)
        ).count(),
    }
    return render(request, "party/party_organization_detail.html", context)
