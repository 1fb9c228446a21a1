from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.access import scope
from dangjian.core.pagination import keyset_page
from dangjian.party.queries import with_party_organization
from dangjian.registry.filters import OrganizationFilter
from dangjian.registry.profile import organization_profile


@login_required
def organization_list(request):
    filters = OrganizationFilter(request.GET or None, federations=scope.federations(request.user))
    qs = (
        filters.apply(scope.organizations(request.user))
        if filters.is_bound
        else with_party_organization(scope.organizations(request.user))
    )
    page = keyset_page(qs, request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "registry/organization_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@login_required
def organization_detail(request, pk: int):
    org = scope.get_visible_or_404(scope.organizations(request.user), pk=pk)
    context = organization_profile(org, request.user)
    return render(request, "registry/organization_detail.html", context)
