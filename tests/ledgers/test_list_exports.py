"""Every list page exports what the user sees (scope and filter) as .xlsx — issue 5, item 6."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditLog
from dangjian.party.models import Coverage, PartyOrganization

pytestmark = pytest.mark.django_db


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)], workbook


def test_party_organizations_export_is_the_scoped_list(persona_client, demo_federation):
    officer = persona_client("officer")
    page = officer.get(reverse("party:party_organization_list")).content.decode()
    assert "export=xlsx" in page
    rows, workbook = _sheet(
        officer.get(reverse("party:party_organization_list"), {"export": "xlsx"})
    )
    assert rows[0][:3] == ["名称", "类型", "组建方式"]
    names = [r[0] for r in rows[1:]]
    # Every party organization of the Tianjin federation's tree, each once, and no other.
    expected = PartyOrganization.objects.filter(
        federation__path__startswith=demo_federation.path
    ).values_list("name", flat=True)
    assert sorted(names) == sorted(expected) and "天津市大数据协会党支部" in names
    notes = [r[0] for r in workbook["说明"].iter_rows(values_only=True)]
    assert "导出人：联合会党务工作者" in notes
    assert AuditLog.objects.filter(
        event_type="ledgers.list_exported", action=AuditLog.Action.READ
    ).exists()
    # The liaison of 天津市互联网协会 exports the party organizations covering that unit.
    liaison = persona_client("liaison")
    rows, _ = _sheet(liaison.get(reverse("party:party_organization_list"), {"export": "xlsx"}))
    covering = Coverage.objects.filter(organization__name="天津市互联网协会").values_list(
        "party_organization__name", flat=True
    )
    assert sorted(r[0] for r in rows[1:]) == sorted(set(covering))


def test_no_export_right_no_export(persona_client):
    # An expert reviewer holds no export right: refused, and no button.
    client = persona_client("expert")
    response = client.get(reverse("party:party_organization_list"), {"export": "xlsx"})
    assert response.status_code == 403
    page = client.get(reverse("party:party_organization_list")).content.decode()
    assert 'id="export-xlsx"' not in page


def test_formation_cases_export_lists_the_covered_units(persona_client, demo_federation):
    from dangjian.applications import services as workflow
    from dangjian.party.models import PartyOrganization as PO
    from dangjian.registry.models import Organization

    units = list(
        Organization.objects.filter(name__in=["天津市区块链协会", "天津市地理信息产业协会"])
    )
    officer = _user("officer")
    workflow.open_formation_case(
        demo_federation,
        units,
        name="导出测试联合党支部",
        kind=PO.Kind.JOINT_BRANCH,
        mode=PO.FormationMode.VIA_SUPERVISOR,
        parent=workflow.federation_committee(demo_federation),
        actor=officer,
    )
    rows, workbook = _sheet(
        persona_client("officer").get(reverse("applications:formation_list"), {"export": "xlsx"})
    )
    row = next(r for r in rows if r[0] == "导出测试联合党支部")
    assert set(row[3].split("、")) == {"天津市区块链协会", "天津市地理信息产业协会"}
    assert row[1] == "联合党支部"
    notes = [r[0] for r in workbook["说明"].iter_rows(values_only=True)]
    assert "筛选条件：状态=待办" in notes


LISTS = [
    # (list page, its filter, first header, a cell the demo puts in the export or None)
    ("applications:application_list", {"status": "approved"}, "单位名称", None),
    ("applications:formation_list", {"status": "active"}, "党组织名称", None),
    ("applications:instructor_list", {}, "姓名", "吴海燕"),
    ("inspections:inspection_list", {"year": "2025"}, "单位", "天津云帆网络科技有限公司"),
    ("inspections:visit_list", {}, "走访日期", "天津市地理信息产业协会"),
    ("inspections:grade_list", {}, "评估年度", "天津市互联网协会"),
    ("recommendations:letter_list", {"status": "issued"}, "文号", None),
]


@pytest.mark.parametrize("name,params,header,cell", LISTS)
def test_every_list_exports_its_filtered_rows(persona_client, name, params, header, cell):
    officer = persona_client("officer")
    page = officer.get(reverse(name), params).content.decode()
    assert 'id="export-xlsx"' in page and "export=xlsx" in page
    rows, _ = _sheet(officer.get(reverse(name), {**params, "export": "xlsx"}))
    assert rows[0][0] == header
    assert all(isinstance(h, str) and h.isascii() is False for h in rows[0])  # all in Chinese
    if cell:
        assert any(cell in (str(v) for v in row) for row in rows[1:])


def test_the_inspection_export_says_what_the_page_says(persona_client):
    rows, workbook = _sheet(
        persona_client("officer").get(
            reverse("inspections:inspection_list"), {"year": "2025", "export": "xlsx"}
        )
    )
    assert workbook.worksheets[0].title == "2025年度检查"
    row = next(r for r in rows if r[0] == "天津云帆网络科技有限公司")
    assert row[1].startswith("按时 2026-") and row[3] == "合格"


def test_party_organizations_filter_and_its_export_agree(persona_client):
    officer = persona_client("officer")
    url = reverse("party:party_organization_list")
    page = officer.get(url, {"kind": "joint_branch"}).content.decode()
    assert "网信领域社会组织第一联合党支部" in page
    assert "天津市大数据协会党支部" not in page
    rows, workbook = _sheet(officer.get(url, {"kind": "joint_branch", "export": "xlsx"}))
    assert rows[1:] and all(r[1] == "联合党支部" for r in rows[1:])
    notes = [r[0] for r in workbook["说明"].iter_rows(values_only=True)]
    assert "筛选条件：类型=联合党支部" in notes
    # A bad value is said, not silently ignored.
    bad = officer.get(url, {"kind": "nonsense"}).content.decode()
    assert "部分筛选条件无效" in bad


def test_findings_worklist_exports_the_open_findings_with_their_explanations(persona_client):
    officer = persona_client("officer")
    url = reverse("rules:finding_list")
    assert 'id="export-xlsx"' in officer.get(url).content.decode()
    rows, workbook = _sheet(officer.get(url, {"export": "xlsx"}))
    by_rule = {r[0]: r for r in rows[1:]}
    row = by_rule["应建未建"]
    assert row[1] == "天津市网络直播行业协会" and row[3] == "严重"
    assert "有正式党员 4 名" in row[5] and row[8] == "待处理"
    notes = [r[0] for r in workbook["说明"].iter_rows(values_only=True)]
    assert "筛选条件：状态=待处理、已确认或整改中" in notes


def test_times_keep_their_clock_time_in_beijing(persona_client):
    from dangjian.applications.models import Application

    application = Application.objects.exclude(submitted_at=None).first()
    rows, workbook = _sheet(
        persona_client("officer").get(
            reverse("applications:application_list"),
            {"status": application.status, "export": "xlsx"},
        )
    )
    sheet = workbook.worksheets[0]
    cell = sheet.cell(row=2, column=8)  # 提交时间
    assert rows[0][7] == "提交时间"
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    local = timezone.localtime(application.submitted_at).replace(tzinfo=None, microsecond=0)
    assert cell.value.replace(microsecond=0) == local


def test_an_unfiltered_export_says_no_filter(persona_client):
    _, workbook = _sheet(
        persona_client("officer").get(reverse("inspections:grade_list"), {"export": "xlsx"})
    )
    notes = [r[0] for r in workbook["说明"].iter_rows(values_only=True)]
    assert "筛选条件：无" in notes
