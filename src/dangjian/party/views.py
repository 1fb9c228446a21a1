from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.pagination import keyset_page
from dangjian.party.filters import PartyOrganizationFilter
from dangjian.party.models import PartyOrganization


@login_required
def party_organization_list(request):
    filters = PartyOrganizationFilter(lists.filter_params(request) or None)
    action = lists.scope_action(request)
    qs = filters.apply(
        scope.party_organizations(request.user, action).select_related("federation", "parent")
    )
    if lists.wants_xlsx(request) and not filters.errors:
        return lists.xlsx_response(
            request,
            title=PartyOrganization._meta.verbose_name_plural,
            columns=[
                lists.field(PartyOrganization, "name", 36),
                lists.field(PartyOrganization, "kind", 12),
                lists.field(PartyOrganization, "formation_mode", 22),
                lists.field(PartyOrganization, "parent", 30),
                lists.field(PartyOrganization, "federation", 26),
                lists.field(PartyOrganization, "approval_doc_no", 22),
                lists.field(PartyOrganization, "approval_date", 12),
                (_("established on"), lambda p: p.valid_from, 12),
                lists.field(PartyOrganization, "term_started_on", 12),
                lists.field(PartyOrganization, "term_years", 10),
                lists.field(PartyOrganization, "status", 10),
            ],
            rows=qs.order_by("name", "pk").iterator(chunk_size=2000),
            filters=lists.describe_filter(filters),
        )
    page = keyset_page(qs, request.GET.get("after"))
    return render(
        request,
        "party/party_organization_list.html",
        {
            "page": page,
            "filters": filters,
            "query": lists.filter_params(request).urlencode(),
            "export_query": lists.export_query(request),
        },
    )


@login_required
def party_organization_detail(request, pk: int):
    party_org = scope.get_visible_or_404(
        scope.party_organizations(request.user).select_related("federation", "parent"), pk=pk
    )
    today = timezone.localdate()
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
        "positions": party_org.positions.filter(member__in=scope.members(request.user).values("pk"))
        .select_related("member")
        .order_by("valid_to", "role"),
        "children": scope.party_organizations(request.user).filter(parent=party_org),
        "members": list(members[:200]),
        "meetings": party_org.meetings.order_by("-held_on")[:30],
        "term_ends_on": party_org.term_ends_on(),
    }
    return render(request, "party/party_organization_detail.html", context)
