"""Organizational life in a member's file: the meetings they attended (``party.timeline``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.orglife.models import Attendance, Meeting
from dangjian.party import timeline


def _attended(member, as_of):
    rows = Attendance.objects.filter(
        member=member,
        status=Attendance.Status.PRESENT,
        meeting__status=Meeting.Status.HELD,
        meeting__held_on__lte=as_of,
    ).select_related("meeting__party_organization")
    for a in rows:
        m = a.meeting
        text = f"参加{m.party_organization.name}{m.get_kind_display()}" + (
            f"：{m.topic}" if m.topic else ""
        )
        yield timeline.Entry(m.held_on, _("organizational life"), text, "orglife")


def register():
    timeline.register("orglife", _attended)
