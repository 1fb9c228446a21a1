"""The organizational-life half of a member's last contact (LIFECYCLE T-8), kept as dates:
``LastAttended`` (the latest held meeting each member attended) and ``LastRecorded`` (the
latest held meeting with its attendance recorded, per party organization: it keeps its
members' records here). ``transfers.queries.out_of_contact`` reads them instead of every
member's attendance and every branch's meetings.

Kept by the writers: ``counts.settle`` (every write that changes a meeting's attendance,
status or day) refreshes the members on the meeting, ``attendance.write_marks`` those whose
row it removed, ``meetings.delete_meeting`` those who were on the deleted meeting, and
``journal.meetings_changed`` (every meeting writer) the party organizations. ``rebuild``
recomputes both (``dangjian last_contacts``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, Max, OuterRef, QuerySet

from dangjian.core import latest
from dangjian.orglife.models import Attendance, LastAttended, LastRecorded, Meeting


def _attended(ids: list[int] | None) -> QuerySet:
    rows = Attendance.objects.filter(
        status=Attendance.Status.PRESENT, meeting__status=Meeting.Status.HELD
    )
    if ids is not None:
        rows = rows.filter(member_id__in=ids)
    return (
        rows.order_by()
        .values("member_id")
        .annotate(d=Max("meeting__held_on"))
        .values_list("member_id", "d")
    )


def _recorded(ids: list[int] | None) -> QuerySet:
    meetings = Meeting.objects.filter(
        Exists(Attendance.objects.filter(meeting=OuterRef("pk"))), status=Meeting.Status.HELD
    )
    if ids is not None:
        meetings = meetings.filter(party_organization_id__in=ids)
    return (
        meetings.order_by()
        .values("party_organization_id")
        .annotate(d=Max("held_on"))
        .values_list("party_organization_id", "d")
    )


def attendance_changed(member_ids: Iterable[int | None]) -> None:
    """These members' attendance changed (rows written, removed, or their meeting's day or
    status): their latest meeting attended recomputed."""
    latest.refresh(LastAttended, "held_on", _attended, member_ids)


def records_changed(party_organization_ids: Iterable[int | None]) -> None:
    """These party organizations' meetings changed: their latest recorded meeting recomputed."""
    latest.refresh(LastRecorded, "held_on", _recorded, party_organization_ids)


def rebuild() -> dict[str, dict[str, int]]:
    """Both tables recomputed from the meetings; the drift of each (zero: every writer kept
    them)."""
    return {
        "attended": latest.rebuild(LastAttended, "held_on", _attended),
        "recorded": latest.rebuild(LastRecorded, "held_on", _recorded),
    }
