"""The registry on home pages: a unit's liaison opens their unit's record to check its data."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.access.models import RoleAssignment


def my_units(request, today):
    own = [
        g.organization_id
        for g in scope.current_assignments(request.user)
        if g.role == RoleAssignment.Role.UNIT_LIAISON
    ]
    return [
        Item(
            name,
            reverse("registry:organization_detail", args=[pk]),
            note=_("Check the unit's data, members and party organization"),
        )
        for pk, name in scope.organizations(request.user)
        .filter(pk__in=own)
        .order_by("name")
        .values_list("pk", "name")
    ]


def register_panels() -> None:
    register(
        Panel("registry.my_unit", _("My unit"), capability="liaison", items=my_units, order=10)
    )
