"""The dates a member's last contact is read from (``orglife.LastAttended``, ``dues.LastPaid``)
and a branch's keeping of records (``orglife.LastRecorded``, ``dues.BranchLastPaid``) are kept
by the services: after a sequence of writes the rebuild (``dangjian last_contacts``) finds no
drift, and the members out of contact read from them are those of LIFECYCLE T-8, hand-computed
at the boundary (six months to the day, one day less)."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import translation

from dangjian.dues import contact as dues_contact
from dangjian.dues import services as dues
from dangjian.dues.models import BranchLastPaid, Category, LastPaid
from dangjian.orglife import services as orglife
from dangjian.orglife.models import LastAttended, LastRecorded, Meeting
from dangjian.orglife.queries import expected_attendees
from dangjian.orglife.services import contact as orglife_contact
from dangjian.party.models import ContactRecord
from dangjian.party.services import record_contact
from dangjian.transfers import queries

D = datetime.date
ZERO = {"missing": 0, "extra": 0, "wrong": 0}


def no_drift():
    drifts = {**orglife_contact.rebuild(), **dues_contact.rebuild()}
    return all({k: d[k] for k in ZERO} == ZERO for d in drifts.values())


def rebuilt() -> str:
    """``dangjian last_contacts``'s report, as an operator reads it."""
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("last_contacts", stdout=out)
    return out.getvalue()


def held(world, day, present=(), *, branch=None):
    """A meeting of the branch held on ``day``: ``present`` attended, the others absent."""
    meeting = orglife.plan_meeting(
        branch or world.a1,
        {"kind": Meeting.Kind.STUDY, "held_on": day, "topic": "学习", "place": "会议室"},
        actor=None,
    )
    orglife.record_held(
        meeting,
        {"minutes": "记录"},
        version=meeting.version,
        marks=marks(meeting, present),
        actor=None,
    )
    meeting.refresh_from_db()
    return meeting


def marks(meeting, present):
    ids = {m.pk for m in present}
    return {
        e.member.pk: {"status": "present"}
        if e.member.pk in ids
        else {"status": "absent", "reason": "other"}
        for e in expected_attendees(meeting)
    }


def pay(world, member, month, on):
    dues.declare_base(
        member,
        from_month=D(2025, 1, 1),
        category=Category.EMPLOYED,
        base_fen=500000,
        fixed_fen=None,
        declared_on=D(2025, 1, 1),
        actor=None,
        today=on,
    )
    return dues.record_payment(
        member, months=[month], amount_fen=5000, paid_on=on, method="cash", actor=None, today=on
    )


def attended(member):
    row = LastAttended.objects.filter(member=member).first()
    return row.held_on if row else None


def test_every_writer_keeps_the_dates(world):
    other = world.new_member("另一党员", world.a1)
    first = held(world, D(2026, 1, 10), present=[world.member])
    assert attended(world.member) == D(2026, 1, 10)
    assert LastRecorded.objects.get(party_organization=world.a1).held_on == D(2026, 1, 10)
    assert no_drift()
    # Marked present, then unmarked (absent) when the record is written again.
    orglife.record_held(first, {}, version=first.version, marks=marks(first, [other]), actor=None)
    assert attended(world.member) is None
    assert attended(other) == D(2026, 1, 10)
    assert no_drift()
    # A later meeting, then its day moved back, then deleted.
    later = held(world, D(2026, 3, 2), present=[world.member, other])
    assert attended(world.member) == D(2026, 3, 2)
    orglife.edit_meeting(later, {"held_on": D(2026, 2, 1)}, version=later.version, actor=None)
    assert attended(world.member) == D(2026, 2, 1)
    assert no_drift()
    later.refresh_from_db()
    orglife.delete_meeting(later, actor=None)
    assert attended(world.member) is None
    assert attended(other) == D(2026, 1, 10)
    assert LastRecorded.objects.get(party_organization=world.a1).held_on == D(2026, 1, 10)
    assert no_drift()
    # Dues paid: the member's day and the branch's.
    pay(world, world.member, D(2026, 2, 1), D(2026, 2, 6))
    assert LastPaid.objects.get(member=world.member).paid_on == D(2026, 2, 6)
    assert BranchLastPaid.objects.get(party_organization=world.a1).paid_on == D(2026, 2, 6)
    assert no_drift()
    # A contact reached is read from its record (no date kept): the rebuild is unmoved.
    record_contact(
        world.member, on=D(2026, 4, 1), method=ContactRecord.Method.PHONE, reached=True, actor=None
    )
    out = rebuilt()
    assert out.count("缺少 0 条，多余 0 条，错误 0 条") == 4
    assert "已修复" not in out


def test_the_rebuild_reports_and_repairs_a_date_written_around_the_services(world):
    held(world, D(2026, 1, 10), present=[world.member])
    LastAttended.objects.filter(member=world.member).update(held_on=D(2020, 1, 1))
    LastRecorded.objects.filter(party_organization=world.a1).delete()
    out = rebuilt()
    assert "最近参加组织生活（党员）" in out and "错误 1 条" in out and "缺少 1 条" in out
    assert "已修复" in out
    assert attended(world.member) == D(2026, 1, 10)
    assert no_drift()


def out(world, day, months=6):
    return set(queries.out_of_contact([world.a1], day, months).values_list("pk", flat=True))


def test_a_meeting_attended_six_months_before_to_the_day(world):
    other = world.new_member("按时参加党员", world.a1)
    held(world, D(2026, 1, 31), present=[world.member, other])
    held(world, D(2026, 6, 1), present=[other])  # the branch keeps its records
    # add_months(2026-07-30, -6) = 2026-01-30: the last contact is after it, not out.
    assert world.member.pk not in out(world, D(2026, 7, 30))
    assert world.member.pk in out(world, D(2026, 7, 31))
    assert other.pk not in out(world, D(2026, 7, 31))


def test_dues_paid_six_months_before_to_the_day(world):
    other = world.new_member("按时参加党员", world.a1)
    held(world, D(2026, 5, 4), present=[other])
    pay(world, world.member, D(2026, 1, 1), D(2026, 1, 15))
    assert world.member.pk not in out(world, D(2026, 7, 14))
    assert world.member.pk in out(world, D(2026, 7, 15))


def test_a_record_after_the_day_asked_about_is_not_contact_on_it(world):
    """The kept date is the latest ever: asked about an earlier day (a rule's past run), the
    rows on or before that day decide."""
    other = world.new_member("按时参加党员", world.a1)
    held(world, D(2026, 3, 2), present=[other])
    held(world, D(2026, 9, 1), present=[world.member, other])
    assert LastRecorded.objects.get(party_organization=world.a1).held_on == D(2026, 9, 1)
    assert attended(world.member) == D(2026, 9, 1)
    # On 2026-06-30 the member's last contact is joining the party (2015): out of contact.
    assert world.member.pk in out(world, D(2026, 6, 30))
    assert world.member.pk not in out(world, D(2026, 9, 1))


def test_a_branch_keeps_its_records_from_the_day_after_six_months_before(world):
    """Only a branch with a record after ``add_months(day, -6)`` proposes anyone."""
    other = world.new_member("按时参加党员", world.a1)
    held(world, D(2026, 1, 31), present=[other])
    # On 2026-07-31 the limit is 2026-01-31: the record is not after it.
    assert out(world, D(2026, 7, 31)) == set()
    assert world.member.pk in out(world, D(2026, 7, 30))
    # Dues collected count as records too.
    pay(world, other, D(2026, 2, 1), D(2026, 2, 3))
    assert world.member.pk in out(world, D(2026, 8, 2))
    assert out(world, D(2026, 8, 3)) == set()
