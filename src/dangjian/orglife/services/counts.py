"""``settle``: what follows from a meeting's record — 应到 / 实到 and the voters (from the
attendance when it is recorded, else as given), the quorum, whether the meeting counts as the
required one (``Meeting.counts``, read by the rules) and whether each resolution passed."""

from __future__ import annotations

from dangjian.orglife import quorum
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import COUNTED_ROLES, VOTING_ROLES
from dangjian.orglife.services.contact import attendance_changed
from dangjian.orglife.services.journal import meetings_changed


def settle(meeting: Meeting) -> Meeting:
    """Derive the counts, the quorum, whether the meeting counts and its resolutions' outcome
    from what is recorded, and save them (the caller holds the meeting's row)."""
    marked = list(meeting.attendance.values_list("member_id", "role", "status"))
    rows = [(role, status) for _member, role, status in marked]
    counted = [(role, status) for role, status in rows if role in COUNTED_ROLES]
    present = Attendance.Status.PRESENT
    if counted:
        voting = [status for role, status in counted if role in VOTING_ROLES]
        meeting.expected_count = len(counted)
        meeting.present_count = sum(status == present for _, status in counted)
        meeting.voters_expected = len(voting)
        meeting.voters_present = sum(status == present for status in voting)
    federation = meeting.party_organization.federation
    expected, voting_present = meeting.voters_expected, meeting.voters_present
    if expected is None and voting_present is None:
        # Imported without the voters: 应到 / 实到 stand for them (a probationary member
        # counted in 应到 only makes the quorum harder to reach, never easier).
        expected, voting_present = meeting.expected_count, meeting.present_count
    held = meeting.status == Meeting.Status.HELD
    meeting.quorum_met = (
        quorum.quorum_met(
            meeting.kind, expected, voting_present, day=meeting.held_on, federation=federation
        )
        if held
        else None
    )
    meeting.counts = held and meeting.quorum_met is not False
    meeting.save(
        update_fields=[
            "expected_count",
            "present_count",
            "voters_expected",
            "voters_present",
            "quorum_met",
            "counts",
            "updated_at",
        ]
    )
    meetings_changed([meeting.party_organization_id])
    # Each member on the meeting: its attendance, day or status may have moved their latest.
    attendance_changed(member for member, _role, _status in marked)
    base = expected if expected is not None else (meeting.present_count or 0)
    for resolution in meeting.resolutions.all():
        passed = meeting.quorum_met is not False and quorum.resolution_passes(
            resolution.votes_for, base, day=meeting.held_on, federation=federation
        )
        if resolution.passed != passed:
            resolution.passed = passed
            resolution.save(update_fields=["passed", "updated_at"])
    return meeting


def settle_again(meeting: Meeting) -> Meeting:
    """``settle`` on the meeting as stored now (after its attendance changed)."""
    return settle(
        Meeting.objects.select_related("party_organization__federation").get(pk=meeting.pk)
    )
