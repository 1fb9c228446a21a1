"""Joining and formation on home pages: what waits for the officer's decision."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.access.models import Action
from dangjian.applications.models import Application, FormationCase


def waiting(request, today):
    applications = (
        scope.visible(Application, request.user, Action.APPROVE)
        .filter(status=Application.Status.SUBMITTED)
        .count()
    )
    cases = scope.visible(FormationCase, request.user, Action.APPROVE).filter(
        status__in=[FormationCase.Status.OPEN, FormationCase.Status.SUBMITTED]
    )
    submitted = cases.filter(status=FormationCase.Status.SUBMITTED).count()
    open_cases = cases.filter(status=FormationCase.Status.OPEN).count()
    formation = reverse("applications:formation_list")
    return [
        Item(
            _("Membership applications to review"),
            reverse("applications:application_list"),
            count=applications,
            tone="warning" if applications else "",
        ),
        Item(
            _("Formation cases submitted for approval"),
            f"{formation}?{urlencode({'status': FormationCase.Status.SUBMITTED})}",
            count=submitted,
            tone="warning" if submitted else "",
        ),
        Item(
            _("Formation cases in preparation"),
            f"{formation}?{urlencode({'status': FormationCase.Status.OPEN})}",
            count=open_cases,
        ),
    ]


def register_panels() -> None:
    register(
        Panel(
            "applications.waiting",
            _("Joining and formation"),
            capability="officer",
            items=waiting,
            order=30,
        )
    )
