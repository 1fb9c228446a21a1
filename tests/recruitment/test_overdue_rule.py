"""The rule recruitment.overdue on a hand-built branch: a finding the day after a step's last
day, none on that day, resolved by recording the step; and an admitted member's anonymisation
erasing the applicant's copy of their data."""

from __future__ import annotations

import dataclasses
import datetime

from dangjian.party import services as party_services
from dangjian.recruitment.models import Applicant
from dangjian.rules.asof import text_on
from dangjian.rules.engine import Engine

from .conftest import Branch

D = datetime.date


def _overdue(branch: Branch, day: datetime.date):
    """The findings, each explanation read as of the day (``rules.asof``)."""
    found = Engine(branch.fed, day).evaluate_rule("recruitment.overdue")[0]
    return [dataclasses.replace(c, explanation=text_on(c.explanation, day)) for c in found]


def test_talk_overdue_the_day_after_one_month(branch: Branch):
    branch.apply(applied_on=D(2023, 3, 10))
    assert _overdue(branch, D(2023, 4, 10)) == []
    [finding] = _overdue(branch, D(2023, 4, 11))
    assert finding.party_organization_id == branch.po.pk
    assert "党组织派人谈话" in finding.explanation and "2023-04-10" in finding.explanation
    assert "第七条" in finding.explanation and "逾期 1 天" in finding.explanation
    assert "李申请" not in finding.explanation  # the applicant by number only
    a = Applicant.objects.get(branch=branch.po)
    branch.step(a, "talk", D(2023, 4, 11))
    assert _overdue(branch, D(2023, 4, 12)) == []


def test_approval_overdue_after_three_months(branch: Branch):
    a = branch.apply()
    branch.to_meeting(a, D(2024, 9, 10))
    assert _overdue(branch, D(2024, 12, 10)) == []
    [finding] = _overdue(branch, D(2024, 12, 11))
    assert "上级党委审批" in finding.explanation and "2025-03-10" in finding.explanation


def test_anonymising_the_member_erases_the_applicant_copy(branch: Branch):
    a = branch.apply()
    branch.to_meeting(a, D(2024, 9, 10))
    branch.step(a, "admission_approval", D(2024, 10, 8), approver=branch.committee)
    party_services.anonymise_member(a.member, actor=None, left_on=D(2025, 1, 1))
    a.refresh_from_db()
    assert a.name.startswith("已匿名") and a.id_number == "" and a.birth_date is None
