"""Flowing, out of contact, lost, suspended, removed (LIFECYCLE T-7, T-8, M-5), hand-computed:
the 6-month clock to the day, the documented search before a suspension, the two years before
a removal — and every step a person's recorded decision."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.orglife import services as orglife
from dangjian.orglife.models import Meeting
from dangjian.orglife.queries import expected_attendees
from dangjian.party import queries as party_queries
from dangjian.party import standing_queries
from dangjian.party.models import ContactRecord, StandingDecision
from dangjian.party.services import record_contact, record_standing_decision, register_flowing
from dangjian.transfers import queries

D = datetime.date
K = StandingDecision.Kind


def keeps_records(world, day):
    """The branch records a meeting on ``day`` that the member missed (another member came):
    the branch keeps its records in the system, so the member's absence from them counts."""
    other = world.new_member("按时参加党员", world.a1)
    meeting = orglife.plan_meeting(
        world.a1,
        {"kind": Meeting.Kind.STUDY, "held_on": day, "topic": "学习", "place": "会议室"},
        actor=None,
    )
    marks = {
        e.member.pk: {"status": "present"}
        if e.member.pk == other.pk
        else {"status": "absent", "reason": "other"}
        for e in expected_attendees(meeting)
    }
    orglife.record_held(
        meeting, {"minutes": "记录"}, version=meeting.version, marks=marks, actor=None
    )
    return other


def out(world, day, months=6):
    return set(queries.out_of_contact([world.a1], day, months).values_list("pk", flat=True))


def test_out_of_contact_six_months_after_the_last_contact_to_the_day(world):
    keeps_records(world, D(2026, 1, 5))
    record_contact(
        world.member, on=D(2025, 8, 15), method=ContactRecord.Method.PHONE, reached=True, actor=None
    )
    # Out of contact on the day whose date six months earlier is on or after the last contact.
    assert world.member.pk not in out(world, D(2026, 2, 14))
    assert world.member.pk in out(world, D(2026, 2, 15))


def test_an_attempt_that_did_not_reach_the_member_is_no_contact(world):
    keeps_records(world, D(2026, 1, 5))
    record_contact(
        world.member,
        on=D(2026, 1, 10),
        method=ContactRecord.Method.PHONE,
        reached=False,
        actor=None,
    )
    assert world.member.pk in out(world, D(2026, 2, 1))


def test_a_meeting_attended_is_contact(world):
    meeting = orglife.plan_meeting(
        world.a1,
        {"kind": Meeting.Kind.STUDY, "held_on": D(2026, 1, 20), "topic": "学习", "place": "会议室"},
        actor=None,
    )
    marks = {e.member.pk: {"status": "present"} for e in expected_attendees(meeting)}
    orglife.record_held(
        meeting, {"minutes": "记录"}, version=meeting.version, marks=marks, actor=None
    )
    keeps_records(world, D(2026, 3, 1))
    assert world.member.pk not in out(world, D(2026, 7, 19))
    assert world.member.pk in out(world, D(2026, 7, 20))


DECLARED = D(2024, 1, 10)


def _lost(world, on=DECLARED):
    return record_standing_decision(
        world.member, kind=K.LOST_CONTACT, decided_on=on, decided_by="甲第一党支部", actor=None
    )


def test_a_branch_that_records_nothing_proposes_nobody(world):
    assert world.member.pk not in out(world, D(2026, 2, 15))


def test_a_declared_member_is_no_longer_proposed_and_is_flagged(world):
    keeps_records(world, D(2026, 1, 5))
    _lost(world)
    world.member.refresh_from_db()
    assert world.member.pk not in out(world, D(2026, 2, 28))
    assert standing_queries.standing_on(world.member, D(2024, 1, 9)) == standing_queries.NORMAL
    assert standing_queries.standing_on(world.member, D(2024, 1, 10)) == standing_queries.LOST


def test_suspension_needs_a_documented_search_after_the_declaration(world):
    _lost(world)
    with pytest.raises(ValidationError) as exc:
        record_standing_decision(
            world.member,
            kind=K.SUSPENDED,
            decided_on=D(2024, 3, 1),
            decided_by="支部大会",
            actor=None,
        )
    assert "查找" in str(exc.value)
    record_contact(
        world.member, on=D(2024, 2, 1), method=ContactRecord.Method.VISIT, reached=False, actor=None
    )
    record_standing_decision(
        world.member, kind=K.SUSPENDED, decided_on=D(2024, 3, 15), decided_by="支部大会", actor=None
    )
    # A suspended member does not vote.
    assert world.member not in party_queries.voting_members(world.a1, on=D(2024, 3, 15))
    assert world.member in party_queries.voting_members(world.a1, on=D(2024, 3, 14))


def test_removal_two_years_after_the_suspension_and_not_a_day_earlier(world):
    _lost(world)
    record_contact(
        world.member, on=D(2024, 2, 1), method=ContactRecord.Method.VISIT, reached=False, actor=None
    )
    record_standing_decision(
        world.member, kind=K.SUSPENDED, decided_on=D(2024, 3, 15), decided_by="支部大会", actor=None
    )
    with pytest.raises(ValidationError) as exc:
        record_standing_decision(
            world.member,
            kind=K.REMOVED,
            decided_on=D(2026, 3, 14),
            decided_by="支部大会",
            actor=None,
        )
    assert "2026-03-15" in str(exc.value)
    # The removal review is due from the same day (a finding proposes it; people decide).
    due = queries.removal_reviews([world.a1], D(2026, 3, 15), 24)
    assert list(due.values_list("pk", flat=True)) == [world.member.pk]
    assert not queries.removal_reviews([world.a1], D(2026, 3, 14), 24).exists()
    record_standing_decision(
        world.member, kind=K.REMOVED, decided_on=D(2026, 3, 15), decided_by="支部大会", actor=None
    )
    world.member.refresh_from_db()
    assert world.member.left_on == D(2026, 3, 15)


def test_decisions_are_recorded_in_order(world):
    _lost(world, on=D(2024, 5, 1))
    with pytest.raises(ValidationError):
        record_standing_decision(
            world.member,
            kind=K.CONTACT_RESTORED,
            decided_on=D(2024, 4, 1),
            decided_by="支部",
            actor=None,
        )


def test_flowing_in_the_own_branch_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        register_flowing(
            world.member, since=D(2026, 1, 1), whereabouts="深圳", host=world.a1, actor=None
        )
    assert "流入地" in str(exc.value)
    register_flowing(
        world.member, since=D(2026, 1, 1), whereabouts="深圳", host=world.b1, actor=None
    )
    world.member.refresh_from_db()
    assert world.member.is_flowing
    with pytest.raises(ValidationError):
        register_flowing(world.member, since=D(2026, 2, 1), whereabouts="广州", actor=None)
