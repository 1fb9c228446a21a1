"""Planning and recording a meeting through the services: who is expected, the attendance as
marked, the quorum and whether the meeting counts — and the rules see the same."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.errors import Conflict
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import expected_attendees
from dangjian.rules.engine import Engine

PRESENT, ABSENT = Attendance.Status.PRESENT, Attendance.Status.ABSENT
TODAY = timezone.localdate()
# A day of the quarter before last: complete, and judged by the rules.
LAST_QUARTER_DAY = (TODAY.replace(day=1) - datetime.timedelta(days=100)).replace(day=10)


def plan(world, kind=Meeting.Kind.GENERAL_MEETING, day=LAST_QUARTER_DAY, **more):
    values = {
        "kind": kind,
        "held_on": day,
        "starts_at": datetime.time(9, 0),
        "ends_at": datetime.time(11, 0),
        "place": "会议室",
        "topic": "学习会",
        "chair": world.full[0],
        "recorder": world.full[1],
        **more,
    }
    return services.plan_meeting(world.branch, values, actor=world.secretary_user)


def marks(meeting, present: int):
    """The first ``present`` voters present, everyone else absent on sick leave."""
    result = {}
    voters = [e for e in expected_attendees(meeting) if e.votes]
    others = [e for e in expected_attendees(meeting) if not e.votes]
    for i, e in enumerate(voters):
        result[e.member.pk] = (
            {"status": PRESENT} if i < present else {"status": ABSENT, "reason": "sick"}
        )
    for e in others:
        result[e.member.pk] = {"status": PRESENT}
    return result


def record(world, meeting, present, **more):
    meeting.refresh_from_db()
    return services.record_held(
        meeting,
        {"minutes": "会议记录"},
        version=meeting.version,
        marks=marks(meeting, present),
        actor=world.secretary_user,
        **more,
    )


def test_expected_are_the_voters_then_the_probationary_members(world):
    meeting = plan(world)
    expected = expected_attendees(meeting)
    assert [e.role for e in expected] == ["voter"] * 6 + ["probationary"] * 2
    assert world.guest.pk not in {e.member.pk for e in expected}


def test_a_committee_meeting_expects_the_committee(world):
    meeting = plan(world, kind=Meeting.Kind.COMMITTEE_MEETING)
    assert {e.member.pk for e in expected_attendees(meeting)} == {m.pk for m in world.committee}


def test_a_planned_meeting_does_not_count(world):
    meeting = plan(world, day=TODAY + datetime.timedelta(days=3))
    assert meeting.status == Meeting.Status.PLANNED and meeting.counts is False


@pytest.mark.parametrize(("present", "counts"), [(3, False), (4, True)])
def test_a_general_meeting_counts_only_with_more_than_half_of_the_voters(world, present, counts):
    meeting = record(world, plan(world), present)
    # 6 voters: 4 needed; the 2 probationary members attend but are not counted for the quorum.
    assert (meeting.expected_count, meeting.present_count) == (8, present + 2)
    assert (meeting.voters_expected, meeting.voters_present) == (6, present)
    assert meeting.status == Meeting.Status.HELD
    assert meeting.quorum_met is counts and meeting.counts is counts


def test_a_failed_quorum_is_a_missing_general_meeting_for_the_rules(world):
    meeting = record(world, plan(world), 3)
    q = (meeting.held_on.month - 1) // 3 + 1
    missing = _missing(world, "general_meeting")
    assert f"{meeting.held_on.year}Q{q}" in missing
    # Recorded again with one more voter present: the quarter is no longer missing.
    record(world, meeting, 4)
    assert f"{meeting.held_on.year}Q{q}" not in _missing(world, "general_meeting")


def _missing(world, kind) -> list[str]:
    engine = Engine(world.federation, TODAY, rule_ids=["orglife.irregular"])
    found = []
    for candidate in engine.evaluate()["orglife.irregular"]:
        if candidate.party_organization_id == world.branch.pk:
            found += candidate.evidence["missing"].get(kind, {}).get("missing", [])
    return found


def test_every_expected_member_must_be_marked(world):
    meeting = plan(world)
    partial = marks(meeting, 6)
    partial.pop(world.full[5].pk)
    with pytest.raises(ValidationError) as exc:
        services.record_held(
            meeting, {}, version=meeting.version, marks=partial, actor=world.secretary_user
        )
    assert "尚未标记出席情况" in str(exc.value) and world.full[5].name in str(exc.value)


def test_an_absence_needs_its_reason(world):
    meeting = plan(world)
    given = marks(meeting, 6)
    given[world.full[5].pk] = {"status": ABSENT, "reason": ""}
    with pytest.raises(ValidationError) as exc:
        services.record_held(
            meeting, {}, version=meeting.version, marks=given, actor=world.secretary_user
        )
    assert "缺席原因" in str(exc.value)


def test_a_guest_from_another_branch_attends_without_counting(world):
    meeting = record(world, plan(world), 4, guests=[world.guest.pk])
    guest = Attendance.objects.get(meeting=meeting, member=world.guest)
    assert guest.role == Attendance.Role.GUEST and guest.status == PRESENT
    assert (meeting.expected_count, meeting.present_count) == (8, 6)


def test_a_resolution_passes_with_more_than_half_of_all_voters(world):
    meeting = record(
        world,
        plan(world),
        5,
        resolutions=[
            {"text": "通过甲", "votes_for": 4, "votes_against": 1},
            {"text": "通过乙", "votes_for": 3, "votes_against": 2},
        ],
    )
    # 6 voters expected: 4 yes pass, 3 do not (more than half of those expected, not present).
    assert dict(meeting.resolutions.values_list("text", "passed")) == {
        "通过甲": True,
        "通过乙": False,
    }


def test_no_resolution_passes_at_a_meeting_without_quorum(world):
    meeting = record(world, plan(world), 3, resolutions=[{"text": "通过甲", "votes_for": 3}])
    assert meeting.resolutions.get().passed is False


def test_more_votes_than_members_present_are_refused(world):
    meeting = plan(world)
    with pytest.raises(ValidationError) as exc:
        services.record_held(
            meeting,
            {},
            version=meeting.version,
            marks=marks(meeting, 4),
            resolutions=[{"text": "通过甲", "votes_for": 9}],
            actor=world.secretary_user,
        )
    assert "多于到会人数" in str(exc.value)


def test_two_secretaries_saving_the_same_version_conflict(world):
    meeting = plan(world)
    version = meeting.version
    services.edit_meeting(
        meeting, {"place": "甲会议室"}, version=version, actor=world.secretary_user
    )
    stale = Meeting.objects.get(pk=meeting.pk)
    with pytest.raises(Conflict) as exc:
        services.edit_meeting(
            stale, {"place": "乙会议室"}, version=version, actor=world.secretary_user
        )
    assert "修改冲突" in str(exc.value)
    assert Meeting.objects.get(pk=meeting.pk).place == "甲会议室"


def test_minutes_of_a_megabyte_are_refused_in_chinese(world):
    meeting = plan(world)
    with pytest.raises(ValidationError) as exc:
        services.edit_meeting(
            meeting,
            {"minutes": "记" * 1_000_000},
            version=meeting.version,
            actor=world.secretary_user,
        )
    assert "会议记录过长" in str(exc.value)


def test_minutes_keep_formatting_and_lose_scripts(world):
    meeting = plan(world)
    services.edit_meeting(
        meeting,
        {"minutes": '<p onclick="x()">讨论<strong>通过</strong></p><script>alert(1)</script>'},
        version=meeting.version,
        actor=world.secretary_user,
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>讨论<strong>通过</strong></p>"


def test_the_chair_must_belong_to_the_party_organization(world):
    with pytest.raises(ValidationError) as exc:
        plan(world, chair=world.guest)
    assert "主持人和记录人须为本党组织" in str(exc.value)


def test_a_meeting_cannot_be_recorded_as_held_before_its_day(world):
    meeting = plan(world, day=TODAY + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        record(world, meeting, 6)
    assert "会议当天或之后" in str(exc.value)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_the_import_and_the_pages_are_judged_alike(world):
    """A general meeting imported with 应到 8 / 实到 5 and no attendance counts as the page's
    record would; with 有表决权 6 / 3 it does not, as on the page."""
    paged = record(world, plan(world), 3)
    [imported_ok, imported_short] = services.record_meetings_bulk(
        [
            {
                "party_organization_id": world.branch.pk,
                "kind": Meeting.Kind.GENERAL_MEETING,
                "held_on": LAST_QUARTER_DAY,
                "expected_count": 8,
                "present_count": 5,
            },
            {
                "party_organization_id": world.branch.pk,
                "kind": Meeting.Kind.GENERAL_MEETING,
                "held_on": LAST_QUARTER_DAY,
                "expected_count": 8,
                "present_count": 5,
                "voters_expected": 6,
                "voters_present": 3,
            },
        ],
        actor=None,
    )
    assert imported_ok.counts is True
    assert (imported_short.quorum_met, imported_short.counts) == (paged.quorum_met, paged.counts)
    assert paged.counts is False
