"""Formation cases and instructors end to end through the pages: approval → formation task →
joint branch with the cap → instructor appointment, assignment, visit log, overdue list; and
hostile uploads."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.applications.checks import VISIT_OVERDUE_DAYS
from dangjian.applications.models import Application, FormationCase
from dangjian.core import uploads
from dangjian.core.models import AuditLog
from dangjian.inspections.models import Visit
from dangjian.party.models import (
    Coverage,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="批文.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def docx_bytes(extra=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def case_post(case, **over):
    data = {
        "version": case.version,
        "name": case.name,
        "kind": case.kind,
        "mode": case.mode,
        "parent": case.parent_id or "",
        "established_on": TODAY.isoformat(),
        "approval_doc_no": "津网党〔2026〕21号",
        "approval_date": TODAY.isoformat(),
        "secretary": "",
        "instructor": "",
        "note": "",
        "units": [u.pk for u in case.units.all()],
    }
    data.update(over)
    return data


def test_approved_application_becomes_a_branch(officer_client):
    application = Application.objects.get(name="天津市数字内容创作者协会")
    officer_client.post(
        reverse("applications:application_decide", args=[application.pk, "approve"]),
        {"version": application.version, "role": "member", "joined_on": TODAY.isoformat()},
    )
    case = FormationCase.objects.get(application__pk=application.pk)
    url = reverse("applications:formation_detail", args=[case.pk])
    html = officer_client.get(url).content.decode()
    assert "四个标准" in html and "有批文" in html and "缺少" in html
    # Submitting before the standards are met is refused with the list of what is missing.
    response = officer_client.post(
        reverse("applications:formation_step", args=[case.pk, "submit"]),
        {"version": case.version},
        follow=True,
    )
    assert "尚未达到全部标准" in response.content.decode()
    org = case.units.get()
    secretary = (
        Employment.objects.filter(organization=org, member__full_member_on__isnull=False)
        .first()
        .member
    )
    response = officer_client.post(
        url, {**case_post(case, secretary=secretary.pk), "approval_upload": pdf()}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    case.refresh_from_db()
    assert case.approval_file.content_type == "application/pdf"
    officer_client.post(
        reverse("applications:formation_step", args=[case.pk, "submit"]), {"version": case.version}
    )
    case.refresh_from_db()
    assert case.status == "submitted"
    officer_client.post(
        reverse("applications:formation_step", args=[case.pk, "approve"]), {"version": case.version}
    )
    case.refresh_from_db()
    assert case.status == "approved"
    branch = case.party_organization
    assert branch.valid_from == TODAY and branch.formation_mode == "in_member_unit"
    assert branch.parent.name == "天津市互联网行业党委"
    coverage = Coverage.objects.get(party_organization=branch)
    assert coverage.organization == org and coverage.kind == "own" and coverage.valid_from == TODAY
    post = Position.objects.get(party_organization=branch)
    assert post.member == secretary and post.role == "secretary" and post.valid_from == TODAY
    assert AuditLog.objects.filter(event_type="branch.formed", object_id=str(branch.pk)).exists()
    # The evidence file is downloaded through the case, and the download is logged.
    download = officer_client.get(reverse("applications:formation_file", args=[case.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditLog.objects.filter(event_type="file.download", object_id=str(case.pk)).exists()
    assert persona_get("liaison", reverse("applications:formation_file", args=[case.pk])) == 404


def persona_get(username, url):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.get(url).status_code


SMALL_UNITS = ["天津市区块链协会", "天津市地理信息产业协会", "天津智链信息科技有限公司"]


def test_joint_branch_with_cap_check(officer_client):
    units = list(Organization.objects.filter(name__in=SMALL_UNITS))
    # The qualifying-units list offers only units with enough full members; a joint case is
    # opened from the menu page for the three small units.
    response = officer_client.post(
        reverse("applications:formation_open"),
        {
            "name": "网信领域社会组织第三联合党支部",
            "kind": "joint_branch",
            "mode": "via_supervisor",
            "units": [u.pk for u in units],
        },
    )
    assert response.status_code == 302
    case = FormationCase.objects.get(name="网信领域社会组织第三联合党支部")
    url = reverse("applications:formation_detail", args=[case.pk])
    # Six units are over the cap of five: refused next to the field.
    six = list(Organization.objects.exclude(pk__in=[u.pk for u in units])[:3]) + units
    html = officer_client.post(
        url, {**case_post(case, units=[u.pk for u in six]), "approval_upload": pdf()}
    ).content.decode()
    assert "最多覆盖 5 个单位" in html  # the rulebook's cap (formation.joint_branch_too_many_units)
    secretary = (
        Employment.objects.filter(
            organization__name="天津市区块链协会", member__full_member_on__isnull=False
        )
        .first()
        .member
    )
    response = officer_client.post(
        url, {**case_post(case, secretary=secretary.pk), "approval_upload": pdf()}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    for step in ("submit", "approve"):
        officer_client.post(
            reverse("applications:formation_step", args=[case.pk, step]), {"version": case.version}
        )
        case.refresh_from_db()
    assert case.status == "approved", list(case.history.values_list("to_status", "reason"))
    branch = case.party_organization
    assert branch.kind == "joint_branch"
    assert set(
        Coverage.objects.filter(party_organization=branch).values_list("kind", flat=True)
    ) == {"joint"}
    assert branch.coverages.count() == 3


def test_formation_case_conflict(officer_client, persona_client):
    units = list(Organization.objects.filter(name__in=SMALL_UNITS))
    officer_client.post(
        reverse("applications:formation_open"),
        {
            "name": "联合党支部甲",
            "kind": "joint_branch",
            "mode": "via_supervisor",
            "units": [u.pk for u in units],
        },
    )
    case = FormationCase.objects.get(name="联合党支部甲")
    url = reverse("applications:formation_detail", args=[case.pk])
    stale = case_post(case)
    assert persona_client("admin").post(url, {**stale, "note": "甲"}).status_code == 302
    response = officer_client.post(url, {**stale, "note": "乙"})
    assert "冲突" in response.content.decode()
    case.refresh_from_db()
    assert case.note == "甲"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("批文.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "可执行程序"),
        ("批文.docx", b"\x7fELF\x02\x01" + b"\x00" * 200, "可执行程序"),
        ("批文.pdf", b"just some text", "不接收此类型"),
        ("批文.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "宏"),
        (
            "批文.docx",
            docx_bytes({"word/media/bomb.bin": b"\x00" * (30 * 1024 * 1024)}),
            "压缩炸弹",
        ),
        ("批文.docx", b"PK\x03\x04" + b"\x00" * 100, "损坏"),
    ],
)
def test_hostile_uploads_are_refused(officer_client, name, content, message):
    units = list(Organization.objects.filter(name__in=SMALL_UNITS))
    officer_client.post(
        reverse("applications:formation_open"),
        {
            "name": "联合党支部乙",
            "kind": "joint_branch",
            "mode": "via_supervisor",
            "units": [u.pk for u in units],
        },
    )
    case = FormationCase.objects.get(name="联合党支部乙")
    upload = SimpleUploadedFile(name, content)
    response = officer_client.post(
        reverse("applications:formation_detail", args=[case.pk]),
        {**case_post(case), "approval_upload": upload},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    case.refresh_from_db()
    assert case.approval_file is None


def test_oversized_upload_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(Exception) as exc:
        uploads.check_upload(SimpleUploadedFile("a.pdf", PDF + b"0" * 2000))
    assert "过大" in str(exc.value.messages)
    assert uploads.check_upload(SimpleUploadedFile("a.docx", docx_bytes())) == uploads.DOCX


def test_upload_without_a_declared_size_is_measured(monkeypatch):
    # An UploadedFile built without a size (never by Django's handlers) is still size-checked.
    from django.core.files.uploadedfile import InMemoryUploadedFile

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)

    def unsized(content):
        return InMemoryUploadedFile(
            io.BytesIO(content), "f", "a.pdf", "application/pdf", None, None
        )

    with pytest.raises(Exception) as exc:
        uploads.check_upload(unsized(PDF + b"0" * 2000))
    assert "过大" in str(exc.value.messages)
    assert uploads.check_upload(unsized(PDF)) == uploads.PDF


def test_instructor_appointment_assignment_visits(officer_client, persona_client):
    response = officer_client.post(
        reverse("applications:instructor_appoint"),
        {
            "federation": Organization.objects.get(name="天津市互联网协会")
            .memberships.first()
            .federation_id,
            "name": "陈指导",
            "kind": "instructor",
            "phone": "13900001111",
            "dispatched_by": "天津市互联网行业党委",
            "notice_no": "津网党〔2026〕9号",
            "notice_date": TODAY.isoformat(),
            "valid_from": TODAY.isoformat(),
            "notice_upload": pdf("通知.pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    instructor = Instructor.objects.get(name="陈指导")
    assert instructor.dossier.notice_file.original_name == "通知.pdf"
    unit = Organization.objects.get(name="天津市网络游戏行业协会")
    url = reverse("applications:instructor_detail", args=[instructor.pk])
    start = TODAY - datetime.timedelta(days=VISIT_OVERDUE_DAYS + 10)
    officer_client.post(
        reverse("applications:instructor_assign", args=[instructor.pk]),
        {
            "organization": unit.pk,
            "notice_no": "津网党〔2026〕10号",
            "notice_date": start.isoformat(),
            "valid_from": start.isoformat(),
        },
    )
    assignment = InstructorAssignment.objects.get(instructor=instructor, organization=unit)
    html = officer_client.get(url).content.decode()
    assert "天津市网络游戏行业协会" in html and "未走访" in html  # overdue: never visited
    # A second assignment to the same unit on overlapping dates is refused.
    html = officer_client.post(
        reverse("applications:instructor_assign", args=[instructor.pk]),
        {
            "organization": unit.pk,
            "notice_no": "x",
            "notice_date": TODAY.isoformat(),
            "valid_from": TODAY.isoformat(),
        },
    ).content.decode()
    assert "已派驻到此单位" in html
    # The visit log goes into inspections.Visit through its service.
    response = officer_client.post(
        reverse("applications:instructor_visit", args=[instructor.pk]),
        {
            "organization": unit.pk,
            "visited_on": TODAY.isoformat(),
            "visitors": "陈指导",
            "findings": "协会办公场所正常",
            "follow_up": "下月再访",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(instructor=instructor, organization=unit)
    assert visit.findings == "协会办公场所正常"
    html = officer_client.get(url).content.decode()
    assert "协会办公场所正常" in html and 'class="badge text-bg-warning overdue"' not in html
    # Ending keeps the row with its last day.
    officer_client.post(
        reverse("applications:assignment_end", args=[instructor.pk, assignment.pk]),
        {"valid_to": TODAY.isoformat()},
    )
    assignment.refresh_from_db()
    assert assignment.valid_to == TODAY
    assert AuditLog.objects.filter(event_type="instructor.assignment_ended").exists()
    # Notice download is scoped and logged.
    assert (
        officer_client.get(
            reverse("applications:instructor_notice", args=[instructor.pk])
        ).status_code
        == 200
    )
    assert AuditLog.objects.filter(
        event_type="file.download", object_id=str(instructor.pk)
    ).exists()
    # A future visit date is refused beside the field.
    html = officer_client.post(
        reverse("applications:instructor_visit", args=[instructor.pk]),
        {"organization": unit.pk, "visited_on": "2999-01-01", "visitors": "x", "findings": "x"},
    ).content.decode()
    assert "不能是将来" in html  # core's one message for a past fact dated in the future


def test_instructor_sees_own_page_and_logs_visits(persona_client):
    client = persona_client("instructor")
    html = client.get(reverse("applications:instructor_list")).content.decode()
    me = Instructor.objects.order_by("pk").first()
    assert me.name in html
    others = Instructor.objects.exclude(pk=me.pk).first()
    assert client.get(reverse("applications:instructor_detail", args=[others.pk])).status_code in (
        200,
        404,
    )
    unit = InstructorAssignment.objects.current().filter(instructor=me).first().organization
    response = client.post(
        reverse("applications:instructor_visit", args=[me.pk]),
        {
            "organization": unit.pk,
            "visited_on": TODAY.isoformat(),
            "visitors": me.name,
            "findings": "了解党建工作",
        },
    )
    assert response.status_code == 302
    assert client.post(reverse("applications:instructor_appoint"), {}).status_code == 404


def test_outsider_sees_no_instructor_or_case(persona_client):
    client = persona_client("outsider")
    html = client.get(reverse("applications:instructor_list")).content.decode()
    assert Instructor.objects.first().name not in html
    assert (
        client.get(
            reverse("applications:instructor_detail", args=[Instructor.objects.first().pk])
        ).status_code
        == 404
    )
    assert client.get(reverse("applications:formation_list")).status_code == 200


def test_qualifying_units_list_the_demo_gap(officer_client):
    html = officer_client.get(reverse("applications:formation_list")).content.decode()
    assert "天津市网络直播行业协会" in html
    assert PartyOrganization.objects.filter(name="天津市网络直播行业协会党支部").count() == 0
