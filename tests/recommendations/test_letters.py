"""Handling recommendations end to end through their pages: select findings → draft → number →
Word → sent → answered → closed; scoping, conflicts and the audit trail."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from dangjian.core.models import AuditLog
from dangjian.recommendations.models import Letter

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
DORMANT = "天津市网络游戏行业协会"


def _dormant_finding(demo_findings):
    return demo_findings.get(rule_id="dormancy.dormant_society", organization__name=DORMANT)


def _draft(client, findings, kind="supervisor"):
    response = client.post(
        reverse("recommendations:finding_select"),
        {"findings": [f.pk for f in findings], "recipient_kind": kind, "recipient": ""},
    )
    assert response.status_code == 302, response.content.decode()
    return Letter.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_menu_reaches_the_pages(officer_client):
    html = officer_client.get(reverse("registry:organization_list")).content.decode()
    assert reverse("recommendations:finding_select") in html
    assert reverse("recommendations:letter_list") in html


def test_selection_page_lists_the_three_kinds_of_findings(officer_client, demo_findings):
    html = officer_client.get(reverse("recommendations:finding_select")).content.decode()
    assert "休眠社团" in html
    assert "空壳支部" in html
    assert "建议列入活动异常名录" in html
    assert DORMANT in html


def test_letter_for_a_dormant_society_end_to_end(officer_client, demo_findings, demo_federation):
    dormant = _dormant_finding(demo_findings)
    abnormal = demo_findings.get(
        rule_id="credit.abnormal_list_proposal", organization__name=DORMANT
    )
    letter = _draft(officer_client, [dormant, abnormal])
    assert letter.status == Letter.Status.DRAFT
    assert letter.recipient == "天津市委网信办"
    assert letter.title == f"关于{DORMANT}有关问题的处理建议函"
    # The explanation as official text writes it: 截至2026年12月4日, not 截至 2026-12-04.
    assert dormant.explanation_text.strip()[:20] in letter.body
    today = timezone.localdate()
    assert f"截至{today.year}年{today.month}月{today.day}日，" in letter.body
    assert today.isoformat() not in letter.body
    assert "一、基本情况" in letter.body and "二、处理建议" in letter.body
    assert set(letter.findings.all()) == {dormant, abnormal}
    assert [o.name for o in letter.organizations.all()] == [DORMANT]

    detail = reverse("recommendations:letter_detail", args=[letter.pk])
    assert "编号并签发" in officer_client.get(detail).content.decode()

    # Edit the draft.
    response = officer_client.post(
        reverse("recommendations:letter_step", args=[letter.pk, "edit"]),
        {
            "recipient": "天津市委网信办",
            "title": letter.title,
            "body": letter.body + "\n附件：走访记录",
            "contact_note": "联系人：张敏，电话：022-12345678",
            "version": letter.version,
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.body.endswith("附件：走访记录")

    # Number it: the register gives the next number of the year.
    before = Letter.objects.filter(federation=demo_federation, year=TODAY.year).count()
    response = officer_client.post(
        reverse("recommendations:letter_step", args=[letter.pk, "issue"]),
        {"issued_on": TODAY.isoformat(), "version": letter.version},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ISSUED
    assert letter.serial == before + 1
    assert letter.doc_number == f"津网联〔{TODAY.year}〕{letter.serial}号"
    assert AuditLog.objects.filter(event_type="letter.issued", object_id=str(letter.pk)).exists()

    # Download the Word file: laid out, and the download is logged.
    response = officer_client.get(reverse("recommendations:letter_download", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    assert letter.doc_number in texts
    assert "天津市委网信办：" in texts
    assert letter.title in texts
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in texts
    assert AuditLog.objects.filter(
        action=AuditLog.Action.READ, event_type="letter.downloaded", object_id=str(letter.pk)
    ).exists()

    # Sent, answered, closed.
    step = reverse("recommendations:letter_step", args=[letter.pk, "send"])
    assert (
        officer_client.post(
            step, {"sent_on": TODAY.isoformat(), "sent_via": "机要交换", "version": letter.version}
        ).status_code
        == 302
    )
    letter.refresh_from_db()
    step = reverse("recommendations:letter_step", args=[letter.pk, "reply"])
    assert (
        officer_client.post(
            step,
            {
                "replied_on": TODAY.isoformat(),
                "reply": "已责令限期整改。",
                "version": letter.version,
            },
        ).status_code
        == 302
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ANSWERED and letter.reply == "已责令限期整改。"
    step = reverse("recommendations:letter_step", args=[letter.pk, "close"])
    assert (
        officer_client.post(
            step, {"closed_on": TODAY.isoformat(), "note": "", "version": letter.version}
        ).status_code
        == 302
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.CLOSED
    events = set(
        AuditLog.objects.filter(object_id=str(letter.pk), object_type="recommendations.letter")
        .exclude(event_type="")
        .values_list("event_type", flat=True)
    )
    assert {
        "letter.drafted",
        "letter.issued",
        "letter.sent",
        "letter.answered",
        "letter.closed",
    } <= events
    html = officer_client.get(reverse("recommendations:letter_list")).content.decode()
    assert letter.doc_number in html and "已办结" in html


def test_drafting_needs_a_finding(officer_client, demo_findings):
    response = officer_client.post(
        reverse("recommendations:finding_select"), {"recipient_kind": "supervisor"}
    )
    assert response.status_code == 200
    assert "请至少选择一个问题" in response.content.decode()


def test_two_officers_editing_a_letter_see_a_conflict(
    officer_client, persona_client, demo_findings
):
    letter = _draft(officer_client, [_dormant_finding(demo_findings)])
    url = reverse("recommendations:letter_step", args=[letter.pk, "edit"])
    data = {"recipient": letter.recipient, "title": letter.title, "version": letter.version}
    assert persona_client("admin").post(url, {**data, "body": "管理员的修改"}).status_code == 302
    response = officer_client.post(url, {**data, "body": "工作人员的修改"})
    assert response.status_code == 200
    # The one conflict message of every app (core.errors.Conflict) names who changed it.
    assert "修改冲突" in response.content.decode() and "admin" in response.content.decode()
    letter.refresh_from_db()
    assert letter.body == "管理员的修改"


def test_step_dates_cannot_go_backwards(officer_client, demo_findings):
    letter = _draft(officer_client, [_dormant_finding(demo_findings)])
    officer_client.post(
        reverse("recommendations:letter_step", args=[letter.pk, "issue"]),
        {"issued_on": TODAY.isoformat(), "version": letter.version},
    )
    letter.refresh_from_db()
    response = officer_client.post(
        reverse("recommendations:letter_step", args=[letter.pk, "send"]),
        {"sent_on": (TODAY - datetime.timedelta(days=3)).isoformat(), "version": letter.version},
    )
    assert response.status_code == 200
    assert "不能早于上一环节" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ISSUED


def test_a_numbered_letter_cannot_be_edited_or_numbered_again(officer_client, demo_findings):
    letter = _draft(officer_client, [_dormant_finding(demo_findings)])
    issue = reverse("recommendations:letter_step", args=[letter.pk, "issue"])
    officer_client.post(issue, {"issued_on": TODAY.isoformat(), "version": letter.version})
    letter.refresh_from_db()
    number = letter.doc_number
    response = officer_client.post(
        issue, {"issued_on": TODAY.isoformat(), "version": letter.version}
    )
    assert "不能进行此操作" in response.content.decode()
    letter.refresh_from_db()
    assert letter.doc_number == number


def test_authority_sees_numbered_letters_about_its_units_only(
    officer_client, persona_client, demo_findings
):
    letter = _draft(officer_client, [_dormant_finding(demo_findings)])
    authority = persona_client("authority")
    detail = reverse("recommendations:letter_detail", args=[letter.pk])
    download = reverse("recommendations:letter_download", args=[letter.pk])
    assert authority.get(detail).status_code == 404  # drafts stay inside the federation
    officer_client.post(
        reverse("recommendations:letter_step", args=[letter.pk, "issue"]),
        {"issued_on": TODAY.isoformat(), "version": letter.version},
    )
    page = authority.get(detail)
    assert page.status_code == 200
    html = page.content.decode()
    assert "编号并签发" not in html and "登记发送" not in html
    assert authority.get(download).status_code == 200
    assert (
        authority.post(
            reverse("recommendations:letter_step", args=[letter.pk, "send"]),
            {"sent_on": TODAY.isoformat(), "version": 99},
        ).status_code
        == 404
    )
    assert authority.get(reverse("recommendations:finding_select")).status_code == 404
    for persona in ("outsider", "liaison", "instructor", "secretary", "expert"):
        client = persona_client(persona)
        assert client.get(detail).status_code == 404, persona
        assert client.get(download).status_code == 404, persona
        assert (
            letter.title not in client.get(reverse("recommendations:letter_list")).content.decode()
        )


def test_withdrawn_draft_leaves_no_gap(officer_client, demo_findings, demo_federation):
    finding = _dormant_finding(demo_findings)
    first = _draft(officer_client, [finding])
    second = _draft(officer_client, [finding])
    officer_client.post(
        reverse("recommendations:letter_step", args=[first.pk, "withdraw"]),
        {"version": first.version},
    )
    officer_client.post(
        reverse("recommendations:letter_step", args=[second.pk, "issue"]),
        {"issued_on": TODAY.isoformat(), "version": second.version},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Letter.Status.WITHDRAWN and first.serial is None
    serials = sorted(
        Letter.objects.filter(federation=demo_federation, year=TODAY.year)
        .exclude(serial=None)
        .values_list("serial", flat=True)
    )
    assert serials == list(range(1, len(serials) + 1))
