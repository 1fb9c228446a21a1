"""Inspections on home pages: an instructor's units and the ones not yet visited this year; the
supervising unit's annual reports."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.core.models import valid_on_q
from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.party.models import InstructorAssignment


def my_units(request, today):
    # The instructor's current assignments first (a handful of units), then the one door on
    # them: scope.organizations alone would test every unit of a large federation.
    assigned = InstructorAssignment.objects.filter(
        valid_on_q(today), instructor_id__in=scope.own_instructor_ids(request.user)
    ).values("organization")
    units = scope.organizations(request.user).filter(pk__in=assigned)
    visited = Visit.objects.filter(
        organization=OuterRef("pk"), visited_on__gte=datetime.date(today.year, 1, 1)
    )
    not_visited = list(
        units.filter(~Exists(visited)).order_by("name").values_list("pk", "name")[:20]
    )
    items = [
        Item(_("Units I work with"), reverse("registry:organization_list"), count=units.count())
    ]
    new_visit = reverse("inspections:visit_create")
    items += [
        Item(
            _("Not visited yet this year"),
            f"{new_visit}?{urlencode({'organization': pk})}",
            tone="warning",
            note=name,
        )
        for pk, name in not_visited
    ]
    return items


def reports(request, today):
    year = today.year - 1
    inspections = scope.visible(AnnualInspection, request.user).filter(year=year)
    url = reverse("inspections:inspection_list")
    return [
        Item(
            _("Annual inspections of %(year)s") % {"year": year},
            f"{url}?{urlencode({'year': year})}",
            count=inspections.count(),
        ),
        Item(_("Member units"), reverse("registry:organization_list")),
    ]


def register_panels() -> None:
    register(
        Panel(
            "inspections.instructor",
            _("My units and visits"),
            capability="instructor",
            items=my_units,
            order=10,
        )
    )
    register(
        Panel(
            "inspections.reports",
            _("Reports of the units you supervise"),
            capability="authority",
            items=reports,
            order=20,
        )
    )
