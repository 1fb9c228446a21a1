"""Grade eligibility that reads open findings is a workflow above the rules; the inspections
app scores the sheet with the eligibility it is given, and refuses a second evaluation of the
same unit and year itself (so two officers cannot race past a check in the view)."""

import ast
import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.inspections import services
from dangjian.inspections.models import GradeEvaluation
from dangjian.recommendations.eligibility import grade_eligibility, open_list_findings
from dangjian.registry.models import Organization
from dangjian.rules.models import Finding

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
INSPECTIONS = Path(__file__).resolve().parents[2] / "src" / "dangjian" / "inspections"


def _unit():
    org = Organization.objects.get(name="天津市互联网金融协会")
    org.founded_on = datetime.date(2010, 1, 1)
    org.save()
    Finding.objects.filter(organization=org).delete()
    return org


def _list_finding(org, status=Finding.Status.OPEN):
    return Finding.objects.create(
        rule_id="credit.abnormal_list_proposal",
        federation=org.memberships.first().federation,
        organization=org,
        subject_key=Finding.subject_key_for(org.pk, None),
        severity="serious",
        explanation="测试",
        first_seen=TODAY,
        last_seen=TODAY,
        status=status,
    )


def test_an_open_credit_list_finding_makes_the_unit_ineligible():
    org = _unit()
    assert grade_eligibility(org, TODAY).eligible
    finding = _list_finding(org)
    assert open_list_findings(org) == ["credit.abnormal_list_proposal"]
    check = grade_eligibility(org, TODAY)
    assert not check.eligible
    # The reason names the rule by its title, not its id.
    assert "（建议列入活动异常名录）" in check.reasons[0]
    assert "credit." not in check.reasons[0]
    finding.status = Finding.Status.DISMISSED
    finding.save()
    assert grade_eligibility(org, TODAY).eligible


def test_the_inspections_grading_and_services_do_not_import_the_rules():
    for name in ("grading.py", "services.py"):
        tree = ast.parse((INSPECTIONS / name).read_text(encoding="utf-8"))
        imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
            a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
        ]
        assert not [m for m in imported if m and m.startswith("dangjian.rules")], name


def _evaluate(org, *, version):
    officer = get_user_model().objects.get(username="officer")
    return services.evaluate_grade(
        org,
        org.memberships.first().federation,
        TODAY.year,
        scores={},
        evaluated_on=TODAY,
        eligibility=grade_eligibility(org, TODAY),
        version=version,
        actor=officer,
    )


def test_a_second_evaluation_of_the_same_unit_and_year_is_refused_by_the_service():
    org = _unit()
    GradeEvaluation.objects.filter(organization=org).delete()
    first = _evaluate(org, version=0)
    with pytest.raises(services.AlreadyEvaluated) as refused:
        _evaluate(org, version=0)
    assert "已有等级评估" in str(refused.value)
    assert isinstance(refused.value, services.EditConflict)
    # Editing the one there is still works.
    assert _evaluate(org, version=first.version).pk == first.pk


def test_the_page_still_says_so_on_the_year(officer_client):
    org = _unit()
    GradeEvaluation.objects.filter(organization=org).delete()
    data = {
        "organization": org.pk,
        "year": TODAY.year,
        "evaluated_on": TODAY.isoformat(),
        "score_basic": 58,
        "score_governance": 350,
        "score_performance": 345,
        "score_social": 115,
        "score_party_work": 78,
    }
    first = officer_client.post(reverse("inspections:grade_create"), data)
    assert first.status_code == 302, first.context["form"].errors
    response = officer_client.post(reverse("inspections:grade_create"), data)
    assert response.status_code == 200
    assert "已有等级评估" in " ".join(response.context["form"].errors["year"])
    assert GradeEvaluation.objects.filter(organization=org, year=TODAY.year).count() == 1
