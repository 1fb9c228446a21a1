"""A flowing member hosted by a branch (流动党员, LIFECYCLE T-7 / O-5): expected at its meetings
and counted in 应到 / 实到, never a vote nor the quorum; before the day they are registered
(and after the period ends) they are not expected."""

import datetime

from dangjian.orglife.models import Attendance
from dangjian.orglife.queries import expected_attendees
from dangjian.party.services import end_flowing, register_flowing
from tests.orglife.test_meetings import ABSENT, LAST_QUARTER_DAY, PRESENT, plan

ONE = datetime.timedelta(days=1)


def _host(world, since):
    return register_flowing(
        world.guest,
        since=since,
        whereabouts="天津市和平区",
        certificate_no="流动证001",
        host=world.branch,
        actor=world.secretary_user,
    )


def _marks(meeting, voters_present):
    result, seen = {}, 0
    for e in expected_attendees(meeting):
        if e.votes:
            seen += 1
            result[e.member.pk] = (
                {"status": PRESENT}
                if seen <= voters_present
                else {"status": ABSENT, "reason": "sick"}
            )
        else:
            result[e.member.pk] = {"status": PRESENT}
    return result


def _record(world, meeting, voters_present):
    from dangjian.orglife import services

    meeting.refresh_from_db()
    return services.record_held(
        meeting,
        {"minutes": "会议记录"},
        version=meeting.version,
        marks=_marks(meeting, voters_present),
        actor=world.secretary_user,
    )


def test_a_hosted_flowing_member_is_expected_from_the_day_registered(world):
    _host(world, LAST_QUARTER_DAY)
    on_the_day = {e.member.pk: e.role for e in expected_attendees(plan(world))}
    assert on_the_day[world.guest.pk] == Attendance.Role.FLOWING
    day_before = plan(world, day=LAST_QUARTER_DAY - ONE)
    assert world.guest.pk not in {e.member.pk for e in expected_attendees(day_before)}


def test_the_flowing_member_counts_in_attendance_without_a_vote(world):
    _host(world, LAST_QUARTER_DAY - ONE)
    # 6 voters: 4 present is more than half; 应到 = 6 voters + 2 probationary + 1 flowing.
    meeting = _record(world, plan(world), voters_present=4)
    assert (meeting.expected_count, meeting.present_count) == (9, 7)
    assert (meeting.voters_expected, meeting.voters_present) == (6, 4)
    assert meeting.quorum_met is True


def test_the_flowing_member_present_never_makes_the_quorum(world):
    _host(world, LAST_QUARTER_DAY - ONE)
    # 3 of 6 voters is not more than half, though 3 + the flowing member would be 4.
    meeting = _record(world, plan(world), voters_present=3)
    assert meeting.voters_present == 3 and meeting.present_count == 6
    assert meeting.quorum_met is False and meeting.counts is False


def test_no_longer_expected_after_the_period_ends(world):
    period = _host(world, LAST_QUARTER_DAY - 10 * ONE)
    end_flowing(period, on=LAST_QUARTER_DAY - ONE, actor=world.secretary_user)
    assert world.guest.pk not in {e.member.pk for e in expected_attendees(plan(world))}
