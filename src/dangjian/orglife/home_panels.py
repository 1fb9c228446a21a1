"""Organizational life on home pages: the secretary's meetings due and records to finish (the
workspace's own requirements), a party member's coming meetings."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.access.models import Action, RoleAssignment
from dangjian.orglife.models import Meeting

SOON = datetime.timedelta(days=7)


def secretary_branches(user):
    """The party organizations the user is secretary of (not an officer's hundreds)."""
    own = [
        g.party_organization_id
        for g in scope.current_assignments(user)
        if g.role == RoleAssignment.Role.BRANCH_SECRETARY
    ]
    return (
        scope.meeting_party_organizations(user)
        .filter(pk__in=own, valid_to__isnull=True)
        .select_related("federation")
        .order_by("name")
    )


def meetings_due(request, today):
    from dangjian.orglife.views.workspace import requirements

    items = []
    for org in secretary_branches(request.user):
        workspace = f"{reverse('orglife:workspace')}?{urlencode({'org': org.pk})}"
        plan = reverse("orglife:meeting_plan")
        for r in requirements(org, today):
            if r.previous.state == "missing":
                items.append(
                    Item(
                        _("%(kind)s for %(period)s was not held")
                        % {"kind": r.label, "period": r.previous.label},
                        workspace,
                        tone="danger",
                        note=org.name,
                    )
                )
            if r.current.state == "due":
                items.append(
                    Item(
                        _("%(kind)s for %(period)s: still to hold")
                        % {"kind": r.label, "period": r.current.label},
                        f"{plan}?{urlencode({'party_organization': org.pk, 'kind': r.kind})}",
                        due=r.current.end,
                        tone="warning" if r.current.end - today <= SOON else "",
                        note=org.name,
                    )
                )
        to_record = (
            scope.meetings(request.user, Action.EDIT)
            .filter(party_organization=org, status=Meeting.Status.PLANNED, held_on__lte=today)
            .count()
        )
        if to_record:
            items.append(
                Item(
                    _("Meetings held whose records are to finish"),
                    workspace,
                    count=to_record,
                    tone="warning",
                    note=org.name,
                )
            )
    return items


def my_meetings(request, today):
    upcoming = (
        scope.meetings(request.user)
        .filter(held_on__gte=today, status=Meeting.Status.PLANNED)
        .select_related("party_organization")
        .order_by("held_on", "starts_at")[:10]
    )
    items = [
        Item(
            " · ".join(
                str(part) for part in (f"{m.held_on:%m-%d}", m.get_kind_display(), m.topic) if part
            ),
            reverse("orglife:meeting_detail", args=[m.pk]),
            tone="warning" if m.held_on - today <= SOON else "",
            note=m.party_organization.name,
        )
        for m in upcoming
    ]
    items.append(Item(_("My organizational life"), reverse("orglife:mine")))
    return items


def register_panels() -> None:
    register(
        Panel(
            "orglife.due",
            _("Organizational life to do"),
            capability="secretary",
            items=meetings_due,
            order=10,
            empty=_("Every required meeting of this period is held."),
        )
    )
    register(
        Panel(
            "orglife.mine",
            _("My coming meetings"),
            capability="member",
            items=my_meetings,
            order=10,
        )
    )
