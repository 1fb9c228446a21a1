"""Arrears (党章 art. 9): six consecutive ended months unpaid without a recorded good reason is
a finding listing the months — five is not, a good reason in between breaks the run, paying
resolves it — and the steps people take are recorded; nobody is removed."""

import datetime

import pytest
from django.utils import translation

from dangjian.dues import queries, services
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding

D = datetime.date
pytestmark = pytest.mark.django_db


def setup_member(branch, paid_until):
    """A member at 2000.00 元 (0.5 % → 10.00 a month) who paid January to ``paid_until``."""
    m = branch.member()
    branch.declare(m, 2000.00)
    branch.assess()
    for month in queries.months_between(D(2026, 1, 1), paid_until):
        services.record_payment(
            m,
            months=[month],
            amount_fen=1000,
            paid_on=month.replace(day=10),
            method="cash",
            actor=branch.secretary,
            today=month.replace(day=10),
        )
    return m


def findings(branch, as_of):
    return Engine(branch.fed, as_of, rule_ids=["dues.arrears"]).evaluate_rule("dues.arrears")[0]


def test_five_months_is_not_yet_a_finding_six_is(branch):
    m = setup_member(branch, D(2026, 2, 1))  # paid Jan–Feb; March on unpaid
    # As of 31 August, March–July have ended: five months.
    assert findings(branch, D(2026, 8, 31)) == []
    # On 1 September August has ended too: six months, listed.
    [found] = findings(branch, D(2026, 9, 1))
    assert found.party_organization_id == branch.po.pk
    assert found.evidence["months"] == [
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
    ]
    assert found.evidence["member_id"] == m.pk
    assert "2026年3月、2026年4月、2026年5月、2026年6月、2026年7月、2026年8月" in found.explanation
    assert m.name not in found.explanation  # findings reach roles that never see a person


def test_a_good_reason_recorded_in_between_breaks_the_run(branch):
    m = setup_member(branch, D(2026, 2, 1))
    services.record_arrears_reason(
        m,
        first_month=D(2026, 5, 1),
        last_month=D(2026, 5, 1),
        reason="住院治疗，无法交纳",
        recorded_on=D(2026, 6, 2),
        actor=branch.secretary,
        today=D(2026, 6, 2),
    )
    # March–April unpaid, May excused, June–August unpaid: runs of 2 and 3.
    assert findings(branch, D(2026, 9, 1)) == []
    # As of a day before the reason was recorded, the run was whole (history is as it was).
    assert findings(branch, D(2026, 6, 1)) == []  # only March–May had ended: three months


def test_six_months_after_the_good_reason_is_a_finding_again(branch):
    m = setup_member(branch, D(2026, 2, 1))
    services.record_arrears_reason(
        m,
        first_month=D(2026, 3, 1),
        last_month=D(2026, 5, 1),
        reason="出国访学，已报告",
        recorded_on=D(2026, 6, 2),
        actor=branch.secretary,
        today=D(2026, 6, 2),
    )
    assert findings(branch, D(2026, 11, 30)) == []  # June–October: five
    [found] = findings(branch, D(2026, 12, 1))  # June–November: six
    assert found.evidence["months"][0] == "2026-06" and found.evidence["count"] == 6


def test_paying_back_resolves_the_finding_and_nobody_is_removed(branch):
    m = setup_member(branch, D(2026, 2, 1))
    Engine(branch.fed, D(2026, 9, 1), rule_ids=["dues.arrears"]).run()
    finding = Finding.objects.get(rule_id="dues.arrears", federation=branch.fed)
    assert finding.status == Finding.Status.OPEN
    services.record_arrears_step(
        m,
        kind="talk",
        taken_on=D(2026, 9, 3),
        note="支部书记谈话，本人表示将补交",
        actor=branch.secretary,
        today=D(2026, 9, 3),
    )
    # The member pays August back on 5 September: the run is five months, and it resolves.
    services.record_payment(
        m,
        months=[D(2026, 8, 1)],
        amount_fen=1000,
        paid_on=D(2026, 9, 5),
        method="cash",
        actor=branch.secretary,
        today=D(2026, 9, 5),
    )
    Engine(branch.fed, D(2026, 9, 6), rule_ids=["dues.arrears"]).run()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED
    m.refresh_from_db()
    assert m.left_on is None and PartyMember.objects.filter(pk=m.pk).exists()


def test_exempt_months_are_not_unpaid(branch):
    m = branch.member()
    branch.declare(m, 2000.00)
    relief = services.record_relief(
        m,
        kind="exempt",
        first_month=D(2026, 1, 1),
        last_month=D(2026, 4, 1),
        reason="受灾",
        decided_on=D(2026, 1, 2),
        actor=branch.secretary,
        today=D(2026, 1, 2),
    )
    services.approve_relief(
        relief,
        approved_on=D(2026, 1, 4),
        approved_by="党委",
        actor=branch.officer,
        today=D(2026, 1, 4),
    )
    branch.assess(today=D(2026, 1, 5))
    # January–April exempt, May–August unpaid: four months, no finding.
    assert findings(branch, D(2026, 9, 1)) == []


def test_the_worklist_lists_the_member_and_the_months(branch):
    m = setup_member(branch, D(2026, 2, 1))
    runs = queries.unpaid_runs(
        PartyOrganization.objects.filter(pk=branch.po.pk),
        D(2026, 9, 1),
        min_months=6,
        lookback_months=24,
    )
    assert [(r.member_id, r.labels[0], len(r.months)) for r in runs] == [(m.pk, "2026年3月", 6)]


def test_a_step_needs_what_was_found(branch):
    m = branch.member()
    from django.core.exceptions import ValidationError

    with translation.override("zh-hans"), pytest.raises(ValidationError, match="请写明"):
        services.record_arrears_step(
            m,
            kind="talk",
            taken_on=D(2026, 9, 3),
            note="  ",
            actor=branch.secretary,
            today=D(2026, 9, 3),
        )
