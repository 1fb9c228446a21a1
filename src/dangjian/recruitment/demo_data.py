"""The recruitment part of the demo: applicants of the secretary persona's branch
(天津市互联网金融协会党支部) at each stage, every step recorded through the services with dates
relative to the demo's day.

- 王晓雨 applied ten days ago: the talk is due within the month (not yet overdue);
- 赵一鸣 applied 45 days ago and nobody has talked with them: the talk is overdue, and
  ``recruitment.overdue`` finds it (tianjin_data.PROBLEMS);
- 陈思远 is an activist of seven months, assessed last month;
- 刘佳怡 became a candidate (发展对象) last month, 14 months after becoming an activist, with
  two sponsors: the political review comes next;
- 孙浩然 was admitted by the branch meeting five months ago and approved a month later: a
  probationary member in the ledger, sworn in.
"""

from __future__ import annotations

import datetime

from dangjian.demo import identity
from dangjian.party.models import PartyOrganization
from dangjian.party.queries import voting_members
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.rulebook.periods import add_months

BRANCH = "天津市互联网金融协会党支部"
D = datetime.timedelta


def build(federation, today, rng):
    branch = PartyOrganization.objects.filter(federation=federation, name=BRANCH).first()
    if branch is None or branch.parent is None:
        return
    committee = branch.parent
    while committee.kind != PartyOrganization.Kind.COMMITTEE and committee.parent is not None:
        committee = committee.parent
    if committee.kind != PartyOrganization.Kind.COMMITTEE:
        return
    voters = list(voting_members(branch, on=today).order_by("joined_party_on", "pk"))
    if len(voters) < 3:
        return

    def apply(name, applied_on, birth, male):
        return services.register_applicant(
            {
                "name": name,
                "id_number": identity.id_number(rng, birth, male),
                "phone": identity.phone(rng),
                "education": "bachelor",
                "applied_on": applied_on,
            },
            branch=branch,
            actor=None,
            today=today,
        )

    def step(a, code, day, **values):
        a.refresh_from_db()
        services.record_step(
            a, code, {"done_on": day, **values}, version=a.version, actor=None, today=today
        )

    def meeting(day):
        expected = voting_members(branch, on=day).count()
        present = expected // 2 + 1
        return {"present": present, "yes_present": present, "yes_written": 0}

    def until_candidate(a, activist_on, candidate_on):
        step(a, "talk", add_months(a.applied_on, 1) - D(days=5))
        step(a, "activist", activist_on, decided_by="branch_committee", method="party_members")
        step(a, "activist_filed", activist_on + D(days=3))
        step(a, "contacts", activist_on + D(days=3), members=voters[:2])
        day = add_months(activist_on, 6) - D(days=10)
        while day < candidate_on:
            step(a, "assessment", day)
            day = add_months(day, 6) - D(days=10)
        if candidate_on <= today:
            step(a, "candidate", candidate_on)
            step(a, "candidate_filed", candidate_on + D(days=2))
            step(a, "sponsors", candidate_on + D(days=5), members=voters[:2])

    apply("王晓雨", today - D(days=10), datetime.date(2001, 4, 12), False)
    apply("赵一鸣", today - D(days=45), datetime.date(1998, 11, 3), True)

    chen = apply("陈思远", add_months(today, -9), datetime.date(1999, 6, 20), True)
    step(chen, "talk", add_months(today, -9) + D(days=12))
    step(
        chen,
        "activist",
        add_months(today, -7),
        decided_by="branch_committee",
        method="party_members",
    )
    step(chen, "activist_filed", add_months(today, -7) + D(days=3))
    step(chen, "contacts", add_months(today, -7) + D(days=3), members=voters[:1])
    step(chen, "assessment", add_months(today, -1))

    liu = apply("刘佳怡", add_months(today, -20), datetime.date(1996, 2, 14), False)
    until_candidate(liu, add_months(today, -15), add_months(today, -1))

    sun = apply("孙浩然", add_months(today, -30), datetime.date(1995, 9, 9), True)
    meeting_on = add_months(today, -5)
    candidate_on = add_months(today, -10)
    until_candidate(sun, add_months(today, -24), candidate_on)
    step(sun, "political_review", candidate_on + D(days=30), passed=True)
    step(sun, "training", candidate_on + D(days=40), days=3, hours=24)
    step(sun, "committee_review", candidate_on + D(days=60))
    step(sun, "pre_review", candidate_on + D(days=75), approver=committee)
    step(sun, "application_form", candidate_on + D(days=85))
    step(sun, "admission_meeting", meeting_on, **meeting(meeting_on))
    step(sun, "committee_talk", meeting_on + D(days=10))
    step(sun, "admission_approval", add_months(meeting_on, 1), approver=committee)
    step(sun, "admission_filed", add_months(meeting_on, 1) + D(days=5))
    step(sun, "placed", add_months(meeting_on, 1) + D(days=7))
    step(sun, "oath", add_months(meeting_on, 1) + D(days=7))
    step(sun, "probation_assessment", add_months(meeting_on, 3))
    assert Applicant.objects.filter(branch=branch).count() == 5
