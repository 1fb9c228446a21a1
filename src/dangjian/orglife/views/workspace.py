"""Landing pages of organizational life: the branch secretary's workspace (what is due this
month and quarter, the members and their 组织关系, records to finish) and a party member's own
page (their branch's meetings and their attendance).

The requirements are the rule's own (``orglife.irregular`` in the rulebook, ``applicable`` in
rules/kinds/orglife.py) and a meeting is done when it counts (``Meeting.counts``), so the page
and the findings never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.models import valid_on_q
from dangjian.orglife.models import Attendance, Meeting
from dangjian.party.models import Coverage, Employment, PartyMember, PartyOrganization, Position
from dangjian.party.queries import held_in_q
from dangjian.party.term_queries import term_in_force, term_reminder
from dangjian.rulebook import params
from dangjian.rulebook.periods import STEP, period_bounds, period_index, period_label
from dangjian.rules.kinds.orglife import applicable

SWITCH_MAX = 20
# Shown in this order: monthly, quarterly, yearly requirements.
ORDER = {"month": 0, "quarter": 1, "year": 2}


@dataclass
class Period:
    label: str
    start: datetime.date
    end: datetime.date
    state: str  # "done", "due", "missing", "not_owed"
    meetings: list[Meeting]
    failed: list[Meeting]  # held but not counting (quorum)
    planned: list[Meeting]


@dataclass
class Requirement:
    kind: str
    label: str
    period: str
    current: Period
    previous: Period


def _period(org, kind, period, idx, today, meetings) -> Period:
    start, end = period_bounds(idx, period)
    of_kind = [m for m in meetings if m.kind == kind and start <= m.held_on <= end]
    counted = [m for m in of_kind if m.counts]
    failed = [m for m in of_kind if not m.counts and not m.is_planned]
    planned = [m for m in of_kind if m.is_planned]
    owed = org.valid_from <= start and (org.valid_to is None or org.valid_to >= end)
    running = end >= today
    if counted:
        state = "done"
    elif running:
        state = "due"
    else:
        state = "missing" if owed else "not_owed"
    return Period(period_label(idx, period), start, end, state, counted, failed, planned)


def requirements(org: PartyOrganization, today: datetime.date) -> list[Requirement]:
    """Each meeting kind the rulebook requires of ``org``: this period and the one before."""
    federation = org.federation
    reqs = params.value("orglife.irregular", "requirements", day=today, federation=federation)
    min_posts = params.value(
        "orglife.irregular", "min_committee_posts", day=today, federation=federation
    )
    posts = Position.objects.filter(valid_on_q(today), party_organization=org).count()
    wanted = [
        (kind, req)
        for kind, req in reqs.items()
        if kind in Meeting.Kind.values
        and isinstance(req, dict)
        and req.get("period") in STEP
        and applicable(req, org.kind, posts, min_posts)
    ]
    if not wanted:
        return []
    earliest = min(
        period_bounds(period_index(today, r["period"]) - 1, r["period"])[0] for _, r in wanted
    )
    meetings = list(
        Meeting.objects.filter(
            party_organization=org,
            held_on__gte=earliest,
            held_on__lte=today + datetime.timedelta(days=366),
        ).order_by("held_on")
    )
    result = []
    for kind, req in sorted(wanted, key=lambda kr: (ORDER[kr[1]["period"]], kr[0])):
        period = req["period"]
        idx = period_index(today, period)
        result.append(
            Requirement(
                kind,
                str(Meeting.Kind(kind).label),
                period,
                _period(org, kind, period, idx, today, meetings),
                _period(org, kind, period, idx - 1, today, meetings),
            )
        )
    return result


def _relation_status(member: PartyMember, org: PartyOrganization) -> str:
    if member.relation_party_organization_id != org.pk:
        return "elsewhere"
    if member.is_lost_contact:
        return "lost_contact"
    if member.is_flowing:
        return "flowing"
    return "held_here"


@login_required
def workspace(request):
    """The secretary's home: one of the party organizations whose meetings they keep."""
    kept = (
        scope.meeting_party_organizations(request.user)
        .filter(valid_to__isnull=True)
        .select_related("federation")
        .order_by("name")
    )
    chosen = request.GET.get("org", "")
    org = (kept.filter(pk=chosen) if chosen.isdigit() else kept).first()
    if org is None:
        if scope.own_member_ids(request.user):
            return redirect("orglife:mine")
        raise Http404
    # A secretary of a few branches switches between them; an officer over hundreds opens a
    # branch's workspace from its page (?org=) instead of a list of every branch.
    switch = list(kept[: SWITCH_MAX + 1])
    today = timezone.localdate()
    units = Coverage.objects.filter(valid_on_q(today), party_organization=org).values(
        "organization"
    )
    employed_here = Employment.objects.filter(valid_on_q(today), organization__in=units)
    members = (
        scope.members(request.user)
        .filter(held_in_q(today, [org]) | Q(pk__in=employed_here.values("member")))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .order_by("name")
    )
    rows = [
        (m, "full" if m.is_full_on(today) else "probationary", _relation_status(m, org))
        for m in members
    ]
    # The next term end, and the rulebook's reminders 6 and 3 months before it.
    term = term_in_force(org, today)
    drafts = (
        scope.meetings(request.user, Action.EDIT)
        .filter(party_organization=org, status=Meeting.Status.PLANNED)
        .order_by("held_on", "starts_at")
    )
    return render(
        request,
        "orglife/workspace.html",
        {
            "org": org,
            "orgs": switch if len(switch) <= SWITCH_MAX else [],
            "today": today,
            "requirements": requirements(org, today),
            "term": term,
            "reminder": term_reminder(org, today, term),
            "members": rows,
            "to_record": [m for m in drafts if m.held_on <= today],
            "upcoming": [m for m in drafts if m.held_on > today],
        },
    )


@login_required
def mine(request):
    """A party member's own page: their branch's meetings, their attendance, their file."""
    own = scope.own_member_ids(request.user)
    if not own:
        raise Http404
    member = scope.members(request.user).filter(pk__in=own).first()
    if member is None:
        raise Http404
    today = timezone.localdate()
    meetings = scope.meetings(request.user).select_related("party_organization")
    upcoming = meetings.filter(held_on__gte=today, status=Meeting.Status.PLANNED).order_by(
        "held_on", "starts_at"
    )
    recent = meetings.filter(held_on__lte=today, status=Meeting.Status.HELD).order_by(
        "-held_on", "-pk"
    )[:20]
    attendance = {
        a.meeting_id: a
        for a in scope.visible(Attendance, request.user).filter(
            member=member, meeting__in=[m.pk for m in recent]
        )
    }
    return render(
        request,
        "orglife/mine.html",
        {
            "member": member,
            "upcoming": upcoming,
            "recent": [(m, attendance.get(m.pk)) for m in recent],
        },
    )
