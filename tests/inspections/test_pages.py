"""Annual inspections, visits and grade evaluations, end to end through their pages."""

import datetime

import pytest
from django.urls import reverse

from dangjian.core.models import AuditLog
from dangjian.inspections.models import AnnualInspection, GradeEvaluation, GradingSettings, Visit
from dangjian.party.models import InstructorAssignment
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
LAST_YEAR = TODAY.year - 1


def _org(name):
    return Organization.objects.get(name=name)


# -- annual inspection --------------------------------------------------------------------------
def test_menu_reaches_the_pages(officer_client):
    html = officer_client.get(reverse("registry:organization_list")).content.decode()
    for name in ("inspection_list", "grade_list", "visit_list"):
        assert reverse(f"inspections:{name}") in html
    assert "年检评估" in html


def test_list_shows_the_year_with_report_states(officer_client):
    html = officer_client.get(
        reverse("inspections:inspection_list"), {"year": LAST_YEAR - 1}
    ).content.decode()
    assert "天津市互联网协会" in html
    assert "按时" in html
    assert "未收到" in html  # the dormant society


def test_record_an_inspection_end_to_end(officer_client):
    org = _org("天津市网络游戏行业协会")
    url = reverse("inspections:inspection_edit", args=[org.pk, LAST_YEAR])
    page = officer_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "党建工作情况" in html  # the party-building section, pre-filled from the ledger
    assert "登记住所无法联系" in html or "无法取得联系" in html  # the visit beside it
    response = officer_client.post(
        url,
        {
            "report_to_supervisor_on": f"{TODAY.year}-04-15",
            "report_to_registrar_on": "",
            "notes": "逾期报送，登记住所无法联系。",
            "conclusion": "failed",
            "version": "",
        },
    )
    assert response.status_code == 302
    inspection = AnnualInspection.objects.get(organization=org, year=LAST_YEAR)
    assert inspection.conclusion == "failed"
    assert inspection.report_to_supervisor_on == datetime.date(TODAY.year, 4, 15)
    assert inspection.party_section["party_organization"] is None
    assert AuditLog.objects.filter(
        event_type="inspection.concluded", object_id=str(inspection.pk)
    ).exists()
    html = officer_client.get(url).content.decode()
    assert "逾期" in html


def test_inspection_form_errors_are_chinese_and_next_to_fields(officer_client):
    org = _org("天津市网络游戏行业协会")
    url = reverse("inspections:inspection_edit", args=[org.pk, LAST_YEAR])
    response = officer_client.post(
        url,
        {
            "report_to_supervisor_on": f"{LAST_YEAR}-12-01",  # before the year is over
            "report_to_registrar_on": "",
            "conclusion": "passed",  # passed without a report
            "version": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "年度结束前" in html
    assert "登记管理机关" in html and "才能" in html
    assert not AnnualInspection.objects.filter(organization=org, year=LAST_YEAR).exists()


def test_two_officers_editing_see_a_conflict(officer_client, persona_client):
    org = _org("天津市互联网协会")
    inspection = AnnualInspection.objects.get(organization=org, year=LAST_YEAR - 1)
    url = reverse("inspections:inspection_edit", args=[org.pk, LAST_YEAR - 1])
    base = {
        "report_to_supervisor_on": inspection.report_to_supervisor_on.isoformat(),
        "report_to_registrar_on": inspection.report_to_registrar_on.isoformat(),
        "conclusion": "passed",
        "version": inspection.version,
    }
    first = persona_client("admin").post(url, {**base, "notes": "第一位"})
    assert first.status_code == 302
    second = officer_client.post(url, {**base, "notes": "第二位"})
    assert second.status_code == 200
    assert "修改冲突" in second.content.decode()  # core.errors.Conflict, one message
    inspection.refresh_from_db()
    assert inspection.notes == "第一位"


def test_authority_viewer_reads_but_cannot_write(persona_client):
    client = persona_client("authority")
    org = _org("天津市互联网协会")  # supervised by 天津市委网信办
    url = reverse("inspections:inspection_edit", args=[org.pk, LAST_YEAR - 1])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="conclusion"' not in html
    assert client.post(url, {"conclusion": "failed"}).status_code == 404


def test_outsider_and_liaison_cannot_reach_other_units(persona_client):
    org = _org("天津市网络游戏行业协会")
    url = reverse("inspections:inspection_edit", args=[org.pk, LAST_YEAR])
    assert persona_client("outsider").get(url).status_code == 404
    assert persona_client("liaison").get(url).status_code == 404
    html = persona_client("outsider").get(reverse("inspections:inspection_list")).content.decode()
    assert "天津市互联网协会" not in html


# -- visits -------------------------------------------------------------------------------------
def test_record_a_visit_end_to_end(officer_client):
    org = _org("天津市网络直播行业协会")
    response = officer_client.post(
        reverse("inspections:visit_create"),
        {
            "organization": org.pk,
            "visited_on": TODAY.isoformat(),
            "visitors": "党建工作部 王强",
            "findings": "登记住所已无人办公。",
            "unreachable_at_address": "on",
            "follow_up": "函告登记管理机关。",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(organization=org, visited_on=TODAY)
    assert visit.unreachable_at_address
    assert AuditLog.objects.filter(event_type="visit.unreachable", object_id=str(visit.pk)).exists()
    html = officer_client.get(
        reverse("inspections:visit_list"), {"unreachable": "1"}
    ).content.decode()
    assert "天津市网络直播行业协会" in html


def test_visit_form_rejects_future_dates_in_chinese(officer_client):
    org = _org("天津市网络直播行业协会")
    response = officer_client.post(
        reverse("inspections:visit_create"),
        {
            "organization": org.pk,
            "visited_on": (TODAY + datetime.timedelta(days=3)).isoformat(),
            "visitors": "",
            "findings": "",
        },
    )
    html = response.content.decode()
    assert "不能是将来" in html
    assert "这个字段是必填项" in html


def test_instructor_records_visits_to_own_units_only(persona_client):
    client = persona_client("instructor")
    from dangjian.access.models import RoleAssignment

    instructor = RoleAssignment.objects.get(user__username="instructor").instructor
    assigned = InstructorAssignment.objects.current().filter(instructor=instructor).first()
    other = _org("天津市互联网协会")
    form = client.get(reverse("inspections:visit_create")).content.decode()
    assert assigned.organization.name in form
    assert other.name not in form
    response = client.post(
        reverse("inspections:visit_create"),
        {
            "organization": other.pk,
            "visited_on": TODAY.isoformat(),
            "visitors": instructor.name,
            "findings": "试图记录不属于自己的单位。",
        },
    )
    assert response.status_code == 200
    assert not Visit.objects.filter(organization=other, visited_on=TODAY).exists()


# -- grade evaluation ---------------------------------------------------------------------------
def _scores(**override):
    data = {
        "score_basic": 58,
        "score_governance": 350,
        "score_performance": 345,
        "score_social": 115,
        "score_party_work": 78,
    }
    data.update(override)
    return data


def test_grade_evaluation_end_to_end(officer_client):
    org = _org("天津市互联网金融协会")  # own party branch: full coverage points
    notice = TODAY - datetime.timedelta(days=1)
    response = officer_client.post(
        reverse("inspections:grade_create"),
        {
            "organization": org.pk,
            "year": TODAY.year,
            "evaluated_on": (TODAY - datetime.timedelta(days=10)).isoformat(),
            "notice_no": "津民评〔2026〕9号",
            "notice_date": notice.isoformat(),
            **_scores(),
        },
    )
    assert response.status_code == 302, response.content.decode()
    evaluation = GradeEvaluation.objects.get(organization=org, year=TODAY.year)
    assert evaluation.scores["party_coverage"] == "20.00"
    assert evaluation.total_score == 58 + 350 + 345 + 115 + 78 + 20
    assert evaluation.grade == "5A"
    assert evaluation.valid_from == datetime.date(notice.year + 1, 1, 1)
    assert evaluation.valid_to == datetime.date(notice.year + 5, 12, 31)
    html = officer_client.get(response["Location"]).content.decode()
    assert "5A" in html and f"{notice.year + 5}-12-31" in html


def test_bar_without_party_organization_switched_on(officer_client, demo_federation):
    settings_url = reverse("inspections:grading_settings")
    page = officer_client.get(settings_url).content.decode()
    assert "party_coverage" in page
    import json

    from dangjian.inspections.grading import DEFAULT_INDICATORS

    response = officer_client.post(
        settings_url,
        {
            "indicators": json.dumps(DEFAULT_INDICATORS, ensure_ascii=False),
            "bar_without_party_org": "on",
            "cutoff_5A": 900,
            "cutoff_4A": 800,
            "cutoff_3A": 700,
            "cutoff_2A": 600,
            "cutoff_1A": 500,
        },
    )
    assert response.status_code == 302
    assert GradingSettings.objects.get(federation=demo_federation).bar_without_party_org
    org = _org("天津市网络游戏行业协会")  # no party organization, no instructor
    response = officer_client.post(
        reverse("inspections:grade_create"),
        {
            "organization": org.pk,
            "year": TODAY.year,
            "evaluated_on": TODAY.isoformat(),
            **_scores(
                score_basic=60,
                score_governance=360,
                score_performance=360,
                score_social=120,
                score_party_work=80,
            ),
        },
    )
    evaluation = GradeEvaluation.objects.get(organization=org, year=TODAY.year)
    assert evaluation.scores["party_coverage"] == "0.00"
    assert evaluation.total_score == 980
    # Capped at 3A, or not eligible at all when a credit-list finding is open.
    assert evaluation.grade in ("3A", "")
    assert evaluation.grade_notes


def test_grading_settings_reject_bad_input_in_chinese(officer_client):
    response = officer_client.post(
        reverse("inspections:grading_settings"),
        {
            "indicators": '[{"code": "a"}]',
            "cutoff_5A": 800,
            "cutoff_4A": 900,
            "cutoff_3A": 700,
            "cutoff_2A": 600,
            "cutoff_1A": 500,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "指标" in html and "越高" in html


def test_grade_requires_registered_two_years(officer_client):
    org = _org("天津市互联网协会")
    org.founded_on = TODAY - datetime.timedelta(days=300)
    org.save()
    officer_client.post(
        reverse("inspections:grade_create"),
        {
            "organization": org.pk,
            "year": TODAY.year,
            "evaluated_on": TODAY.isoformat(),
            **_scores(),
        },
    )
    evaluation = GradeEvaluation.objects.get(organization=org, year=TODAY.year)
    assert not evaluation.eligible
    assert evaluation.grade == ""
    assert any("2" in r for r in evaluation.eligibility_reasons)


def test_grade_pages_are_scoped(persona_client):
    evaluation = GradeEvaluation.objects.first()
    url = reverse("inspections:grade_detail", args=[evaluation.pk])
    assert persona_client("authority").get(url).status_code == 200
    assert persona_client("outsider").get(url).status_code == 404
    assert persona_client("authority").get(reverse("inspections:grade_create")).status_code == 404
    assert (
        persona_client("authority").get(reverse("inspections:grading_settings")).status_code == 404
    )


def test_two_officers_creating_the_same_inspection_see_a_conflict(officer_client, persona_client):
    org = _org("天津市网络游戏行业协会")
    url = reverse("inspections:inspection_edit", args=[org.pk, LAST_YEAR])
    data = {"report_to_supervisor_on": "", "report_to_registrar_on": "", "version": ""}
    # Both opened the page while no inspection existed (empty version).
    assert persona_client("admin").post(url, {**data, "notes": "先保存"}).status_code == 302
    second = officer_client.post(url, {**data, "notes": "后保存"})
    assert second.status_code == 200
    assert "修改冲突" in second.content.decode()  # core.errors.Conflict, one message
    assert AnnualInspection.objects.get(organization=org, year=LAST_YEAR).notes == "先保存"


def test_units_do_not_record_visits_to_themselves(persona_client):
    client = persona_client("liaison")
    assert client.get(reverse("inspections:visit_create")).status_code == 404
    assert "登记走访" not in client.get(reverse("inspections:visit_list")).content.decode()
