"""The recruitment and transfers panels (issue 13, point 7), counted by hand on planted data of
the ``small`` federation, with another federation's applicant, transfer and flowing member
that must never show (``other``)."""

import pytest
from django.urls import reverse

from dangjian.demo import identity
from dangjian.party.models import FlowingPeriod, PartyMember, StandingDecision
from dangjian.party.services import move_relation
from dangjian.recruitment.models import Applicant, Step
from dangjian.transfers.models import Transfer

from .conftest import DAY, D
from .test_figures import chart, figures, values

pytestmark = pytest.mark.django_db


def applicant(s, branch, applied, steps, status=Applicant.Status.ACTIVE):
    a = Applicant.objects.create(
        branch=branch,
        name="看板申请人",
        id_number=identity.id_number(s.rng, D(1998, 1, 1), True),
        applied_on=applied,
        status=status,
    )
    for code, day in [("application", applied), *steps]:
        Step.objects.create(
            applicant=a, code=code, done_on=day, rule_version="2014", article="第六条"
        )
    return a


def plant_applicants(s, branch):
    # On DAY (2025-06-15): P1 application stage, talk done; P2 application stage, no talk (due
    # 2025-04-01: overdue); P3 activist since 2023-03-01 without an assessment (due 2023-09-01:
    # overdue); P4 applies after DAY; P5 ended; P6 full member from its approval of 2025-05-01
    # (on its way on 2025-04-30).
    applicant(s, branch, D(2025, 1, 10), [("talk", D(2025, 1, 20))])
    applicant(s, branch, D(2025, 3, 1), [])
    applicant(s, branch, D(2023, 1, 1), [("talk", D(2023, 1, 10)), ("activist", D(2023, 3, 1))])
    applicant(s, branch, D(2025, 7, 1), [])
    applicant(s, branch, D(2025, 1, 1), [], status=Applicant.Status.STOPPED)
    applicant(
        s,
        branch,
        D(2024, 1, 1),
        [("talk", D(2024, 1, 5)), ("full_approval", D(2025, 5, 1))],
        status=Applicant.Status.FULL,
    )


def test_recruitment_pipeline_per_stage_and_overdue(small, other):
    plant_applicants(small, small.pa)
    applicant(other, other.fed.party_organizations.first(), D(2025, 3, 1), [])  # overdue, not ours
    data = figures(small, "recruitment")
    assert values(data) == [3, 2]  # P1, P2, P3; P2's talk and P3's assessment
    c = chart(data, "recruitment-stages")
    assert c["x"] == [
        "申请入党",
        "入党积极分子的确定和培养教育",
        "发展对象的确定和考察",
        "预备党员的接收",
        "预备党员的教育考察和转正",
    ]
    assert c["series"][0]["data"] == [2, 1, 0, 0, 0]
    assert data["figures"][0]["link"] == reverse("recruitment:index")
    assert data["figures"][1]["link"] == reverse("rules:finding_list") + "?rule=recruitment.overdue"
    # The day before P6's approval it is still on its way (application stage, nothing due).
    earlier = figures(small, "recruitment", D(2025, 4, 30))
    assert values(earlier) == [4, 2]
    assert chart(earlier, "recruitment-stages")["series"][0]["data"] == [3, 1, 0, 0, 0]
    # Before P2's talk was due (2025-04-01 is its last day), only P3's step is overdue.
    assert values(figures(small, "recruitment", D(2025, 4, 1))) == [4, 1]
    assert values(figures(small, "recruitment", D(2025, 4, 2))) == [4, 2]


def held(s, branch, name="看板党员"):
    m = PartyMember.objects.create(
        name=name,
        gender="male",
        id_number=identity.id_number(s.rng, D(1985, 1, 1), True),
        joined_party_on=D(2010, 1, 1),
        full_member_on=D(2011, 1, 1),
    )
    move_relation(m, to=branch, on=D(2019, 1, 1), actor=None)
    return m


def transfer(s, member, to, issued, days, status=Transfer.Status.ISSUED, accepted=None):
    return Transfer.objects.create(
        member=member,
        federation=s.fed,
        from_party_organization=s.pa if to != s.pa else s.pj,
        to_party_organization=to,
        issued_on=issued,
        valid_days=days,
        status=status,
        accepted_on=accepted,
    )


def test_transfers_pending_overdue_flowing_and_lost(small, other):
    m1, m2, m3, m4, m5 = (held(small, small.pa, f"看板党员{i}") for i in range(5))
    transfer(small, m1, small.pj, D(2025, 6, 1), 90)  # pending
    transfer(small, m2, small.pj, D(2025, 1, 1), 30)  # pending, valid to 2025-01-30: overdue
    # Accepted after DAY: still pending on DAY.
    transfer(small, m3, small.pj, D(2025, 6, 10), 90, Transfer.Status.ACCEPTED, D(2025, 6, 20))
    transfer(small, m4, small.pj, D(2025, 6, 1), 90, Transfer.Status.CANCELLED)
    # m4 flowing since 2024-10-01; m5 declared lost contact on 2025-05-01.
    FlowingPeriod.objects.create(member=m4, whereabouts="深圳", valid_from=D(2024, 10, 1))
    StandingDecision.objects.create(
        member=m5, kind="lost_contact", decided_on=D(2025, 5, 1), decided_by="看板党支部"
    )
    # Another federation's pending transfer and flowing member.
    theirs = other.fed.party_organizations.first()
    o1 = held(other, theirs)
    Transfer.objects.create(
        member=o1,
        federation=other.fed,
        from_party_organization=theirs,
        to_external="外地党委",
        issued_on=D(2025, 1, 1),
        valid_days=30,
    )
    FlowingPeriod.objects.create(member=o1, whereabouts="外地", valid_from=D(2024, 1, 1))

    data = figures(small, "transfers")
    assert values(data) == [3, 1, 1, 1]
    links = [f["link"] for f in data["figures"]]
    assert links == [
        reverse("transfers:index") + "?status=issued",
        reverse("rules:finding_list") + "?rule=transfers.overdue",
        reverse("transfers:flowing"),
        reverse("transfers:lost"),
    ]
    assert chart(data, "transfers-figures")["series"][0]["data"] == [3, 1, 1, 1]
    # As of 2025-04-30: only m2's transfer was issued (and is overdue); m5 not yet declared.
    assert values(figures(small, "transfers", D(2025, 4, 30))) == [1, 1, 1, 0]
    # m2's letter is valid 30 days counting the day of issue: its last valid day is
    # 2025-01-30 (pending, not overdue), the next day it is overdue; m4 flowing on both.
    assert values(figures(small, "transfers", D(2025, 1, 30))) == [1, 0, 1, 0]
    assert values(figures(small, "transfers", D(2025, 1, 31))) == [1, 1, 1, 0]
    # As of 2024-09-30: nothing.
    assert values(figures(small, "transfers", D(2024, 9, 30))) == [0, 0, 0, 0]


def test_the_dashboard_page_shows_both_panels(small):
    plant_applicants(small, small.pa)
    client = small.client(small.user())
    html = client.get(reverse("dashboard:index"), {"day": DAY.isoformat()}).content.decode()
    assert 'id="panel-recruitment"' in html and 'id="panel-transfers"' in html
    assert "发展党员" in html and "逾期环节" in html
    assert "待接收的组织关系转接" in html and "流动党员" in html
