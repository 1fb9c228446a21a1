"""R-13, hand-computed: a branch meeting short of its quorum or a vote short of its majority is
recorded with its figures as 会议无效 / 未通过 and the reason with its article; the step is not
passed (what follows it is refused, nothing is admitted), the applicant's file shows it, and a
later meeting may vote again. With E voting members: valid iff 2P > E, passes iff 2Y > E —
E = 9: P = 4 invalid, P = 5 valid; Y = 4 fails, Y = 5 passes. E = 10: P = 5 invalid, P = 6
valid; Y = 5 fails, Y = 6 passes."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.core.errors import WorkflowError
from dangjian.party.models import PartyMember
from dangjian.recruitment import queries
from dangjian.recruitment.models import Step

from .conftest import Branch

D = datetime.date
pytestmark = pytest.mark.django_db
MEETING = "admission_meeting"


def _ready(branch: Branch):
    """An applicant whose next step is the branch meeting (the 入党志愿书 filled on 2024-08-10)."""
    a = branch.apply()
    branch.to_candidate_steps(a)
    branch.step(a, "candidate_filed", D(2024, 5, 12))
    branch.step(a, "sponsors", D(2024, 5, 20), members=branch.full[:2])
    branch.step(a, "political_review", D(2024, 6, 20), passed=True)
    branch.step(a, "training", D(2024, 7, 5), days=3)
    branch.step(a, "committee_review", D(2024, 7, 20))
    branch.step(a, "pre_review", D(2024, 8, 1), approver=branch.committee)
    branch.step(a, "application_form", D(2024, 8, 10))
    return a


def _votes(a):
    return [
        (s.done_on, s.data["expected"], s.data["present"], s.outcome)
        for s in a.steps.filter(code=MEETING).order_by("done_on", "pk")
    ]


@pytest.mark.parametrize(
    ("members", "short", "enough"),
    [(9, 4, 5), (10, 5, 6)],
)
def test_quorum_and_majority_at_their_boundaries(db, members, short, enough):
    branch = Branch(full_members=members)
    a = _ready(branch)
    absent_short = members - short
    # P one short of the quorum: not valid, whatever the yes votes (all written ones counted).
    branch.step(
        a, MEETING, D(2024, 9, 10), present=short, yes_present=short, yes_written=absent_short
    )
    step = a.steps.get(code=MEETING)
    assert step.outcome == Step.INVALID and step.outcome_label == "会议无效"
    assert step.data["explanation"] == (
        f"支部大会无效：应到会有表决权的党员 {members} 名，只到会 {short} 名，须至少 {enough} "
        "名到会（超过半数）（《中国共产党发展党员工作细则（2014）》第二十一条、第二十二条）。"
    )
    s = queries.standing(a, D(2024, 9, 10))
    assert not s.has(MEETING) and s.next_step.code == MEETING
    # P at the quorum, Y one short of the majority (present and written together): failed.
    branch.step(a, MEETING, D(2024, 9, 17), present=enough, yes_present=short - 1, yes_written=1)
    # P at the quorum, Y at the majority: passed.
    branch.step(a, MEETING, D(2024, 9, 24), present=enough, yes_present=enough - 1, yes_written=1)
    assert _votes(a) == [
        (D(2024, 9, 10), members, short, Step.INVALID),
        (D(2024, 9, 17), members, enough, Step.FAILED),
        (D(2024, 9, 24), members, enough, Step.PASSED),
    ]
    failed = a.steps.get(code=MEETING, done_on=D(2024, 9, 17))
    assert failed.data["explanation"].startswith(f"决议未通过：赞成 {short} 票")
    # The probation runs from the meeting that passed.
    branch.step(a, "committee_talk", D(2024, 9, 24))
    branch.step(a, "admission_approval", D(2024, 10, 8), approver=branch.committee)
    assert PartyMember.objects.get(name="李申请").joined_party_on == D(2024, 9, 24)


def test_a_failed_vote_is_not_the_step_and_nothing_follows_it(branch: Branch):
    a = _ready(branch)  # E = 9
    branch.step(a, MEETING, D(2024, 9, 10), present=5, yes_present=4, yes_written=0)
    assert a.steps.get(code=MEETING).outcome == Step.FAILED
    with pytest.raises(WorkflowError, match="支部大会讨论"):
        branch.step(a, "committee_talk", D(2024, 9, 12))
    with pytest.raises(WorkflowError, match="支部大会讨论"):
        branch.step(a, "admission_approval", D(2024, 9, 12), approver=branch.committee)
    assert not PartyMember.objects.filter(name="李申请").exists()
    # No admission-approval clock runs from a failed vote.
    assert [d.code for d in queries.standing(a, D(2025, 6, 1)).dues] == []
    # A later vote may not be dated before the one that failed.
    with pytest.raises(WorkflowError, match="2024-09-10"):
        branch.step(a, MEETING, D(2024, 9, 9), present=9, yes_present=9, yes_written=0)
    # The figures must still add up: refused, nothing recorded.
    with pytest.raises(WorkflowError):
        branch.step(a, MEETING, D(2024, 9, 20), present=5, yes_present=6, yes_written=0)
    assert a.steps.filter(code=MEETING).count() == 1


def test_the_applicants_file_shows_the_failed_vote(branch: Branch):
    a = _ready(branch)
    client = Client()
    client.force_login(branch.secretary)
    response = client.post(
        reverse("recruitment:record", args=[a.pk]),
        {
            "code": MEETING,
            "version": a.version,
            "done_on": "2024-09-10",
            "present": "4",
            "yes_present": "4",
            "yes_written": "5",
        },
        follow=True,
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "会议无效" in text and "须至少 5 名到会" in text and "第二十一条" in text
    assert a.steps.filter(code=MEETING).count() == 1
    # The meeting is still the step to record.
    assert 'name="code" value="admission_meeting"' in text
