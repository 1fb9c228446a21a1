"""The inspections demo data: in order everywhere except the one deliberate dormant society."""

import datetime

import pytest

from dangjian.core.models import valid_on_q
from dangjian.inspections.models import AnnualInspection, GradeEvaluation, Visit
from dangjian.registry.models import Membership
from dangjian.rulebook.deadlines import first_inspection_year, is_exempt

pytestmark = pytest.mark.django_db
DORMANT = "天津市网络游戏行业协会"


def test_every_current_member_has_an_inspection_for_each_past_year(demo_federation):
    today = datetime.date.today()
    memberships = Membership.objects.filter(
        valid_on_q(today), federation=demo_federation
    ).select_related("organization")
    assert memberships.count() > 20
    for m in memberships:
        org = m.organization
        years = set(
            AnnualInspection.objects.filter(organization=org).values_list("year", flat=True)
        )
        expected = set(range(first_inspection_year(org.founded_on, m.valid_from), today.year))
        if org.name == DORMANT:
            expected -= {today.year - 1, today.year - 2}
        # The year whose report is not yet due to the supervisor may be absent.
        if today < datetime.date(today.year, 3, 31):
            expected.discard(today.year - 1)
            years.discard(today.year - 1)
        assert years == expected, org.name


def test_reports_are_on_time_and_passed(demo_federation):
    for i in AnnualInspection.objects.filter(organization__memberships__federation=demo_federation):
        if i.exempt:
            assert is_exempt(i.organization.founded_on, i.year)
            continue
        assert i.report_to_supervisor_on <= datetime.date(i.year + 1, 3, 31)
        if i.report_to_registrar_on:
            assert i.report_to_registrar_on <= datetime.date(i.year + 1, 5, 31)
            assert i.conclusion == AnnualInspection.Conclusion.PASSED
            assert "full_members" in i.party_section


def test_the_dormant_society_was_unreachable_45_days_ago(demo_federation):
    visit = Visit.objects.get(organization__name=DORMANT)
    assert visit.unreachable_at_address
    assert visit.visited_on == datetime.date.today() - datetime.timedelta(days=45)
    others = Visit.objects.exclude(organization__name=DORMANT)
    assert others.count() >= 2
    assert not others.filter(unreachable_at_address=True).exists()


def test_one_grade_evaluation(demo_federation):
    evaluation = GradeEvaluation.objects.get()
    assert evaluation.grade and evaluation.eligible
    assert evaluation.valid_from == datetime.date(evaluation.notice_date.year + 1, 1, 1)


def test_rules_find_exactly_the_inspection_problems(demo_federation):
    rules = pytest.importorskip("dangjian.rules.engine")
    from dangjian.rules.models import Finding

    rules.run_rulebook(demo_federation, datetime.date.today())
    for rule_id in ("dormancy.dormant_society", "credit.abnormal_list_proposal"):
        names = set(
            Finding.objects.open()
            .filter(rule_id=rule_id, federation__path__startswith=demo_federation.path)
            .values_list("organization__name", flat=True)
        )
        assert DORMANT in names, rule_id
    dormant = set(
        Finding.objects.open()
        .filter(rule_id="dormancy.dormant_society")
        .values_list("organization__name", flat=True)
    )
    assert dormant == {DORMANT}
