"""The notice pages as the demo's people see them, in Chinese: the officer's sign rate and
its drill-down and export, the liaison signing, the secretary's task, the member's notice,
the bell, and what a GET may write (a read receipt only)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.models import AuditLog
from dangjian.notices import queries
from dangjian.notices.models import Notice, NoticeFile, Notification, Receipt

pytestmark = pytest.mark.django_db

STATISTICS = "关于开展2026年度党建工作情况统计的通知"
LOW = "关于核实党组织书记和联络员信息的通知"
TASK = "关于报送本月主题党日活动情况的任务"
MEETING = "关于召开支部党员大会的通知"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def user(name):
    return get_user_model().objects.get(username=name)


def test_the_officer_sees_sign_rates_drills_down_and_exports(persona_client):
    client = persona_client("officer")
    page = client.get(reverse("notices:notice_list")).content.decode()
    assert "已发通知" in page and STATISTICS in page and "签收率" in page
    notice = Notice.objects.get(title=STATISTICS)
    rates = queries.rates(notice)
    assert rates.targets >= 30 and 0 < rates.signed < rates.targets
    detail = client.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    assert f"{rates.sign_rate}%" in detail and "未签收" in detail
    # Drill-down: those not signed, the demo liaison's unit among them.
    unsigned = client.get(reverse("notices:receipt_list", args=[notice.pk]) + "?signed=no")
    text = unsigned.content.decode()
    assert "天津市互联网协会" in text
    assert (
        text.count('class="badge text-bg-secondary"') + text.count('class="badge text-bg-info"')
        == rates.not_signed
    )
    export = client.get(reverse("notices:receipt_list", args=[notice.pk]) + "?export=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    cells = [c for row in workbook.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert "天津市互联网协会" in cells and "已签收" in cells


def test_the_officer_has_low_sign_rates_and_reviews_due():
    officer = user("officer")
    assert LOW in {n.title for n in queries.low_sign_rates(officer)}
    assert STATISTICS not in {n.title for n in queries.low_sign_rates(officer)}  # not yet due
    due = list(queries.reviews_due(officer))
    assert len(due) == 2 and {r.notice.title for r in due} == {TASK}


def test_the_liaison_opens_and_signs_and_a_get_writes_only_a_read(persona_client):
    liaison = user("liaison")
    client = persona_client("liaison")
    notice = Notice.objects.get(title=STATISTICS)
    receipt = Receipt.objects.get(notice=notice, organization__name="天津市互联网协会")
    assert receipt in queries.to_sign(liaison)
    inbox = client.get(reverse("notices:inbox")).content.decode()
    assert "收到的通知" in inbox and STATISTICS in inbox and "待签收" in inbox
    writes = AuditLog.objects.exclude(action=AuditLog.Action.READ).count()
    page = client.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    assert "签收截止" in page and "签收" in page and "各会员单位" in page
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.READ
    # Opening wrote a read receipt, logged as a read, and nothing else.
    assert AuditLog.objects.exclude(action=AuditLog.Action.READ).count() == writes
    assert AuditLog.objects.filter(event_type="notice.read", object_id=str(receipt.pk)).exists()
    # An empty POST signs nothing; the button's own field does.
    client.post(reverse("notices:receipt_sign", args=[receipt.pk]))
    receipt.refresh_from_db()
    assert receipt.signed_at is None
    response = client.post(
        reverse("notices:receipt_sign", args=[receipt.pk]), {"confirm": "yes"}, follow=True
    )
    assert "已签收" in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.signed_by == liaison and receipt.status == Receipt.Status.SIGNED
    assert receipt not in queries.to_sign(liaison)


def test_nobody_signs_another_s_receipt(persona_client):
    notice = Notice.objects.get(title=STATISTICS)
    other = Receipt.objects.filter(notice=notice, signed_at__isnull=True).exclude(
        organization__name="天津市互联网协会"
    )[0]
    for persona in ("liaison", "secretary", "member", "officer"):
        response = persona_client(persona).post(
            reverse("notices:receipt_sign", args=[other.pk]), {"confirm": "yes"}
        )
        assert response.status_code == 404, persona
    other.refresh_from_db()
    assert other.signed_at is None


def test_the_secretary_answers_the_task_and_the_officer_reviews(persona_client):
    secretary = persona_client("secretary")
    notice = Notice.objects.get(title=TASK)
    receipt = Receipt.objects.get(notice=notice, party_organization__name__contains="互联网金融")
    page = secretary.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    assert "提交反馈" in page and "反馈截止" in page
    secretary.post(
        reverse("notices:receipt_feedback", args=[receipt.pk]),
        {
            "feedback": "已开展主题党日，12名党员参加。",
            "progress": "100",
            "attachment": SimpleUploadedFile("签到表.pdf", PDF, "application/pdf"),
        },
    )
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.SUBMITTED and receipt.signed_at is not None
    officer = persona_client("officer")
    page = officer.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    assert "待审核的反馈" in page and "12名党员参加" in page and "签到表.pdf" in page
    stored = NoticeFile.objects.get(receipt=receipt)
    download = officer.get(reverse("notices:file_download", args=[stored.pk]))
    assert b"".join(download.streaming_content) == PDF
    # Another branch's secretary's file is not the demo liaison's to read.
    assert (
        persona_client("liaison")
        .get(reverse("notices:file_download", args=[stored.pk]))
        .status_code
        == 404
    )
    officer.post(
        reverse("notices:receipt_review", args=[receipt.pk]),
        {"decision": "return", "comment": "请附活动照片"},
    )
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.RETURNED
    told = Notification.objects.filter(user=user("secretary"), kind="review").latest("pk")
    assert "退回" in told.title
    page = secretary.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    assert "请附活动照片" in page and "已退回" in page


def test_the_member_sees_their_branch_s_notice_and_the_bell(persona_client):
    member = persona_client("member")
    notice = Notice.objects.get(title=MEETING)
    bell = member.get(reverse("notices:bell")).content.decode()
    unseen = Notification.objects.filter(user=user("member"), seen_at__isnull=True).count()
    assert unseen >= 1 and f'id="bell-unseen">{unseen}<' in bell
    page = member.get(reverse("notices:notifications")).content.decode()
    assert "新通知：" + MEETING in page
    told = Notification.objects.filter(user=user("member"), notice=notice).first()
    response = member.get(reverse("notices:notification_open", args=[told.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:notice_detail", args=[notice.pk])
    told.refresh_from_db()
    assert told.seen_at is not None
    # The officer's notices are not the member's.
    hidden = Notice.objects.get(title=STATISTICS)
    assert member.get(reverse("notices:notice_detail", args=[hidden.pk])).status_code == 404
    assert member.get(reverse("notices:notice_list")).content.decode().count(STATISTICS) == 0


def test_the_officer_writes_publishes_withdraws_and_republishes(persona_client):
    client = persona_client("officer")
    form = client.get(reverse("notices:notice_new")).content.decode()
    assert "发通知" in form and "全部会员单位" in form and "签收截止" in form
    response = client.post(
        reverse("notices:notice_new"),
        {
            "title": "关于做好年底安全检查的通知",
            "kind": "notice",
            "body": "请各单位做好年底安全检查。",
            "audience": "category",
            "category": "association",
            "publish": "yes",
        },
    )
    notice = Notice.objects.get(title="关于做好年底安全检查的通知")
    assert response.status_code == 302 and notice.status == Notice.Status.PUBLISHED
    assert notice.receipts.count() > 0
    assert not notice.receipts.exclude(organization__category="association").exists()
    client.post(reverse("notices:notice_withdraw", args=[notice.pk]), {"reason": "重复发送"})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN
    page = client.get(reverse("notices:notice_republish", args=[notice.pk])).content.decode()
    assert "修改后重新发布" in page
    client.post(
        reverse("notices:notice_republish", args=[notice.pk]),
        {
            "title": "关于做好年底安全检查的通知（修订）",
            "kind": "notice",
            "body": "请各单位做好年底安全检查，12月20日前完成。",
            "audience": "category",
            "category": "association",
            "reason": "补充完成时间",
        },
    )
    new = Notice.objects.get(previous=notice)
    assert new.version_no == 2 and new.status == Notice.Status.PUBLISHED
    page = client.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    assert "已被新版本替代" in page


def test_no_notices_menu_for_those_it_is_not_for(persona_client):
    for persona in ("authority", "expert", "auditor", "outsider", "instructor"):
        page = persona_client(persona).get(reverse("notices:notifications")).content.decode()
        assert 'id="menu-notices"' not in page, persona
        assert persona_client(persona).get(reverse("notices:notice_new")).status_code == 404
    page = persona_client("liaison").get(reverse("notices:inbox")).content.decode()
    assert 'id="menu-notices"' in page and "发通知" not in page
