from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.access import scope
from dangjian.core.filters import params
from dangjian.dashboard.profile import organization_profile
from dangjian.registry.filters import OrganizationFilter
from dangjian.registry.lists import ORGANIZATIONS


@login_required
def organization_list(request):
    filters = OrganizationFilter(
        params(request),
        scope.organizations(request.user),
        federations=scope.federations(request.user),
    )
    return render(
        request,
        "registry/organization_list.html",
        {**ORGANIZATIONS.context(request, filters.qs), "filters": filters.form},
    )


@login_required
def organization_detail(request, pk: int):
    org = scope.get_visible_or_404(scope.organizations(request.user), pk=pk)
    context = organization_profile(org, request.user)
    return render(request, "registry/organization_detail.html", context)
