"""Recruitment steps at every interval boundary, computed by hand (2014 rule set: 18 years,
1 month, 6 months, 1 year, 3 and 6 months, a 12-month probation and one extension of 6–12)."""

from __future__ import annotations

import datetime

import pytest

from dangjian.core.errors import WorkflowError
from dangjian.party import timeline
from dangjian.party.models import PartyMember, RelationPeriod
from dangjian.recruitment import queries
from dangjian.recruitment.models import Applicant, Step

from .conftest import TODAY, Branch

D = datetime.date


def test_full_path_from_application_to_full_membership(branch: Branch):
    a = branch.apply()
    branch.to_meeting(a, D(2024, 9, 10))
    branch.step(a, "admission_approval", D(2024, 10, 8), approver=branch.committee)
    assert a.status == Applicant.Status.PROBATIONARY
    member = a.member
    assert member.joined_party_on == D(2024, 9, 10)
    assert member.full_member_on is None
    period = RelationPeriod.objects.get(member=member)
    assert (period.party_organization, period.valid_from) == (branch.po, D(2024, 9, 10))
    for code in ("admission_filed", "placed", "oath"):
        branch.step(a, code, D(2024, 10, 20))
    branch.step(a, "probation_assessment", D(2025, 3, 10))
    branch.step(a, "full_request", D(2025, 8, 20))
    # 预备期 ends 2025-09-10: the meeting on 转正 is refused the day before.
    with pytest.raises(WorkflowError, match="2025-09-10"):
        branch.step(a, "full_meeting", D(2025, 9, 9), present=5, yes_present=5)
    branch.step(a, "full_meeting", D(2025, 9, 10), present=5, yes_present=5)
    branch.step(a, "full_approval", D(2025, 11, 1), approver=branch.committee)
    member.refresh_from_db()
    assert member.full_member_on == D(2025, 9, 10)  # 转正 dated the end of the probation
    assert a.status == Applicant.Status.FULL
    branch.step(a, "archive", D(2025, 11, 5))
    # The steps are in the member's file (party.timeline), as of a day.
    events = [e for e in timeline.entries(member, as_of=D(2026, 1, 1)) if e.source == "recruitment"]
    assert events[0].day == D(2023, 3, 10) and events[0].text.startswith("递交入党申请书（")
    in_march = timeline.entries(member, as_of=D(2023, 3, 31))
    assert [e.day for e in in_march if e.source == "recruitment"] == [
        D(2023, 3, 10),
        D(2023, 3, 20),
    ]
    # Each of the 25 steps once (one assessment in each stage).
    assert Step.objects.filter(applicant=a).count() == 25


# -- at least 18 on the application date -------------------------------------------------


def test_age_boundary(branch: Branch):
    # Born 2005-03-10: 17 years 364 days on 2023-03-09, 18 on 2023-03-10.
    with pytest.raises(WorkflowError, match="18") as exc:
        branch.apply(applied_on=D(2023, 3, 9), birth=D(2005, 3, 10))
    assert "第五条" in str(exc.value)
    assert not Applicant.objects.filter(branch=branch.po).exists()
    a = branch.apply(applied_on=D(2023, 3, 10), birth=D(2005, 3, 10))
    assert a.birth_date == D(2005, 3, 10)


def test_born_on_29_february_is_of_age_on_1_march(branch: Branch):
    with pytest.raises(WorkflowError):
        branch.apply(applied_on=D(2022, 2, 28), birth=D(2004, 2, 29))
    branch.apply(applied_on=D(2022, 3, 1), birth=D(2004, 2, 29))


def test_future_and_invalid_input_lose_nothing(branch: Branch):
    with pytest.raises(WorkflowError, match="晚于今天"):
        branch.apply(applied_on=TODAY + datetime.timedelta(days=1))
    a = branch.apply()
    with pytest.raises(WorkflowError):
        branch.step(a, "activist", D(2023, 5, 1), decided_by="branch_committee", method="x")
    with pytest.raises(WorkflowError):  # before the application
        branch.step(a, "talk", D(2023, 3, 9))
    with pytest.raises(WorkflowError):  # out of order: no talk yet
        branch.step(a, "contacts", D(2023, 5, 1), members=branch.full[:1])
    assert list(a.steps.values_list("code", flat=True)) == ["application"]


# -- the talk within a month ---------------------------------------------------------------


def test_talk_due_exactly_one_month_after(branch: Branch):
    a = branch.apply(applied_on=D(2023, 1, 31))
    due = queries.standing(a, D(2023, 2, 28)).dues[0]
    assert (due.code, due.due_on) == ("talk", D(2023, 2, 28))  # no 31 February: its last day
    assert not queries.standing(a, D(2023, 2, 28)).overdue
    assert [d.code for d in queries.standing(a, D(2023, 3, 1)).overdue] == ["talk"]


# -- R-5 contacts, R-8 sponsors: full members on the day ----------------------------------------


def test_contacts_one_or_two_full_members(branch: Branch):
    a = branch.apply()
    branch.step(a, "talk", D(2023, 3, 20))
    branch.step(
        a, "activist", D(2023, 5, 10), decided_by="branch_committee", method="party_members"
    )
    branch.step(a, "activist_filed", D(2023, 5, 10))
    with pytest.raises(WorkflowError, match="1–2"):
        branch.step(a, "contacts", D(2023, 5, 10), members=branch.full[:3])
    with pytest.raises(WorkflowError, match="1–2"):
        branch.step(a, "contacts", D(2023, 5, 10), members=[])
    probationary = branch.member("预备党员", joined=D(2022, 9, 1), full_on=None)
    with pytest.raises(WorkflowError, match="预备党员"):
        branch.step(a, "contacts", D(2023, 5, 10), members=[branch.full[0], probationary])
    # Full on 2023-05-10 exactly: accepted that day.
    just_full = branch.member("刚转正", joined=D(2022, 5, 10), full_on=D(2023, 5, 10))
    branch.step(a, "contacts", D(2023, 5, 10), members=[just_full])
    assert list(a.steps.get(code="contacts").members.all()) == [just_full]


def test_two_sponsors_both_full(branch: Branch):
    a = branch.apply()
    branch.to_candidate_steps(a)
    branch.step(a, "candidate_filed", D(2024, 5, 12))
    with pytest.raises(WorkflowError, match="2 "):
        branch.step(a, "sponsors", D(2024, 5, 20), members=branch.full[:1])
    probationary = branch.member("预备党员", joined=D(2024, 1, 1), full_on=None)
    with pytest.raises(WorkflowError, match="预备党员"):
        branch.step(a, "sponsors", D(2024, 5, 20), members=[branch.full[0], probationary])
    branch.step(a, "sponsors", D(2024, 5, 20), members=branch.full[:2])


# -- assessed every 6 months ---------------------------------------------------------------


def test_assessment_every_six_months(branch: Branch):
    a = branch.apply()
    branch.step(a, "talk", D(2023, 3, 20))
    branch.step(
        a, "activist", D(2023, 5, 10), decided_by="general_meeting", method="mass_organization"
    )
    s = queries.standing(a, D(2023, 11, 10))
    assert [(d.code, d.due_on) for d in s.dues] == [("assessment", D(2023, 11, 10))]
    assert not s.overdue
    assert [d.code for d in queries.standing(a, D(2023, 11, 11)).overdue] == ["assessment"]
    branch.step(a, "activist_filed", D(2023, 5, 11))
    branch.step(a, "contacts", D(2023, 5, 11), members=branch.full[:1])
    branch.step(a, "assessment", D(2023, 11, 1))
    assert queries.standing(a, D(2024, 5, 1)).dues[0].due_on == D(2024, 5, 1)


# -- 发展对象 at least a year after 积极分子 -------------------------------------------------


def test_candidate_one_year_after_activist(branch: Branch):
    a = branch.apply()
    with pytest.raises(WorkflowError, match="2024-05-10"):
        branch.to_candidate_steps(a, D(2023, 5, 10), D(2024, 5, 9))
    assert not a.steps.filter(code="candidate").exists()
    branch.step(a, "candidate", D(2024, 5, 10))
    assert a.stage == "candidate"


# -- political review passed, training 3 days or 24 hours ---------------------------


def test_review_and_training(branch: Branch):
    a = branch.apply()
    branch.to_candidate_steps(a)
    branch.step(a, "candidate_filed", D(2024, 5, 12))
    branch.step(a, "sponsors", D(2024, 5, 20), members=branch.full[:2])
    branch.step(a, "political_review", D(2024, 6, 20), passed=False)
    with pytest.raises(WorkflowError, match="23 hours|2 days|24"):
        branch.step(a, "training", D(2024, 7, 5), days=2, hours=23)
    branch.step(a, "training", D(2024, 7, 5), days=0, hours=24)
    with pytest.raises(WorkflowError, match="政治审查|political"):
        branch.step(a, "committee_review", D(2024, 7, 20))
    branch.step(a, "political_review", D(2024, 7, 10), passed=True)  # reviewed again, passed
    branch.step(a, "committee_review", D(2024, 7, 20))


# -- the branch meeting: quorum and majority of the voting members -----------------------


def test_meeting_quorum_and_votes(branch: Branch):
    # 9 full members vote (E = 9): valid with 5 present, passes with 5 yes (written included).
    a = branch.apply()
    branch.to_candidate_steps(a)
    branch.step(a, "candidate_filed", D(2024, 5, 12))
    branch.step(a, "sponsors", D(2024, 5, 20), members=branch.full[:2])
    branch.step(a, "political_review", D(2024, 6, 20), passed=True)
    branch.step(a, "training", D(2024, 7, 5), days=3)
    branch.step(a, "committee_review", D(2024, 7, 20))
    with pytest.raises(WorkflowError, match="党总支|general branch"):
        branch.step(a, "pre_review", D(2024, 8, 1), approver=branch.general)
    branch.step(a, "pre_review", D(2024, 8, 1), approver=branch.committee)
    branch.step(a, "application_form", D(2024, 8, 10))
    day = D(2024, 9, 10)
    with pytest.raises(WorkflowError):  # more written votes than members absent
        branch.step(a, "admission_meeting", day, present=5, yes_present=1, yes_written=5)
    branch.step(a, "admission_meeting", day, present=5, yes_present=3, yes_written=2)
    step = a.steps.get(code="admission_meeting")
    assert step.data == {
        "expected": 9,
        "present": 5,
        "yes_present": 3,
        "yes_written": 2,
        "outcome": "passed",
    }


def test_probationary_members_do_not_vote(db):
    branch = Branch(full_members=9)
    for i in range(3):
        branch.member(f"预备{i}", joined=D(2024, 1, 1), full_on=None)
    a = branch.apply()
    branch.to_meeting(a)  # E stays 9: 5 present is valid
    assert a.steps.get(code="admission_meeting").data["expected"] == 9


# -- approval by a committee within 3 months, at most 6 --------------------------------


def test_approval_within_three_months_at_most_six(branch: Branch):
    a = branch.apply()
    branch.to_meeting(a, D(2024, 9, 10))
    s = queries.standing(a, D(2024, 12, 10))
    due = next(d for d in s.dues if d.code == "admission_approval")
    assert (due.due_on, due.hard_limit) == (D(2024, 12, 10), D(2025, 3, 10))
    assert not s.overdue
    assert [d.code for d in queries.standing(a, D(2024, 12, 11)).overdue] == ["admission_approval"]
    with pytest.raises(WorkflowError, match="党总支|general branch"):
        branch.step(a, "admission_approval", D(2024, 10, 1), approver=branch.general)
    with pytest.raises(WorkflowError, match="2025-03-10"):
        branch.step(a, "admission_approval", D(2025, 3, 11), approver=branch.committee)
    assert not PartyMember.objects.filter(name="李申请").exists()
    branch.step(a, "admission_approval", D(2025, 3, 10), approver=branch.committee)
    assert PartyMember.objects.get(name="李申请").joined_party_on == D(2024, 9, 10)


# -- the probation, one extension, 转正 approval within 3 months ------------


def test_one_extension_of_six_to_twelve_months(branch: Branch):
    a = branch.apply()
    branch.to_meeting(a, D(2024, 9, 10))
    branch.step(a, "admission_approval", D(2024, 10, 8), approver=branch.committee)
    s = queries.standing(a, D(2025, 10, 10))
    assert s.probation_end == D(2025, 9, 10)
    assert [d.due_on for d in s.dues if d.code == "full_meeting"] == [D(2025, 10, 10)]
    for months in (5, 13):
        with pytest.raises(WorkflowError, match="6"):
            branch.step(a, "extension", D(2025, 9, 10), months=months)
    branch.step(a, "extension", D(2025, 9, 10), months=6)
    with pytest.raises(WorkflowError):
        branch.step(a, "extension", D(2025, 9, 11), months=6)
    assert queries.standing(a, D(2026, 3, 10)).probation_end == D(2026, 3, 10)
    for code in ("admission_filed", "placed", "oath", "full_request"):
        branch.step(a, code, D(2025, 10, 1))
    with pytest.raises(WorkflowError):
        branch.step(a, "full_meeting", D(2026, 3, 9), present=5, yes_present=5)
    branch.step(a, "full_meeting", D(2026, 3, 10), present=5, yes_present=5)
    s = queries.standing(a, D(2026, 6, 10))
    assert [(d.code, d.due_on) for d in s.dues] == [("full_approval", D(2026, 6, 10))]
    assert not s.overdue
    assert queries.standing(a, D(2026, 6, 11)).overdue
    branch.step(a, "full_approval", D(2026, 6, 11), approver=branch.committee)
    a.member.refresh_from_db()
    assert a.member.full_member_on == D(2026, 3, 10)


def test_concurrent_step_is_a_conflict(branch: Branch):
    from dangjian.core.errors import Conflict
    from dangjian.recruitment import services

    a = branch.apply()
    stale = a.version
    branch.step(a, "talk", D(2023, 3, 20))
    with pytest.raises(Conflict):
        services.record_step(
            a, "activist", {"done_on": D(2023, 5, 1)}, version=stale, actor=None, today=TODAY
        )


def test_already_a_member_cannot_apply(branch: Branch):
    member = branch.full[0]
    from dangjian.recruitment import services

    with pytest.raises(WorkflowError):
        services.register_applicant(
            {"name": "重复", "id_number": member.id_number, "applied_on": D(2023, 3, 1)},
            branch=branch.po,
            actor=None,
            today=TODAY,
        )
