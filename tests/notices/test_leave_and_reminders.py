"""N-5: a document notice is signed for by the organization, a meeting notice by each member,
who may ask for leave with a reason (the sender sees it in the drill-down and the export); and
the reminders of a task's feedback (N-3)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.access.models import UserSecurity
from dangjian.core.errors import WorkflowError
from dangjian.core.models import AuditLog
from dangjian.notices import queries, services
from dangjian.notices.models import Notice, Notification, Receipt

from .test_services import H, draft

pytestmark = pytest.mark.django_db


def client_of(user):
    # A user made by the fixture must change the password first; these have.
    UserSecurity.objects.filter(user=user).update(must_change_password=False)
    client = Client()
    client.force_login(user)
    return client


def meeting(world):
    notice = draft(
        world,
        audience=Notice.Audience.MEMBERS,
        kind=Notice.Kind.MEETING,
        party_organizations=[world.branch],
        values={"title": "关于召开支部党员大会的通知"},
    )
    return services.publish(notice, actor=world.officer)


def test_the_kind_decides_who_signs(world):
    # A meeting notice goes to members, one receipt each; a document notice to members is
    # refused with a word on what to send instead.
    with pytest.raises(ValidationError) as err:
        draft(world, audience=Notice.Audience.ALL_UNITS, kind=Notice.Kind.MEETING)
    assert "会议通知" in str(err.value)
    with pytest.raises(ValidationError) as err:
        draft(
            world,
            audience=Notice.Audience.MEMBERS,
            kind=Notice.Kind.NOTICE,
            party_organizations=[world.branch],
        )
    assert "会议通知" in str(err.value)
    document = services.publish(draft(world), actor=world.officer)
    assert document.receipts.filter(organization__isnull=False).count() == 30
    notice = meeting(world)
    assert sorted(notice.receipts.values_list("member_id", flat=True)) == sorted(
        m.pk for m in world.members
    )


def test_a_member_asks_for_leave_with_a_reason(world):
    notice = meeting(world)
    mine = notice.receipts.get(member=world.members[0])
    with pytest.raises(ValidationError):
        services.ask_leave(mine, "   ", actor=world.member_user)
    services.ask_leave(mine, "出差在外，无法参会", actor=world.member_user)
    mine.refresh_from_db()
    assert mine.status == Receipt.Status.LEAVE and mine.leave_reason == "出差在外，无法参会"
    assert mine.signed_by == world.member_user  # an answer: counted as signed for
    with pytest.raises(WorkflowError):
        services.ask_leave(mine, "再请一次", actor=world.member_user)
    assert queries.rates(notice).signed == 1 and queries.rates(notice).targets == 3
    assert queries.by_status(notice)["leave"] == 1
    assert AuditLog.objects.filter(event_type="notice.leave_asked").count() == 1
    # Only a meeting notice takes leave.
    document = services.publish(draft(world), actor=world.officer)
    with pytest.raises(WorkflowError):
        services.ask_leave(document.receipts.first(), "不去", actor=world.liaisons[0])


def test_the_member_s_page_and_the_sender_s_drill_down_and_export(world):
    notice = meeting(world)
    member = client_of(world.member_user)
    page = member.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    assert "请假" in page and "请假事由" in page
    mine = notice.receipts.get(member=world.members[0])
    url = reverse("notices:receipt_leave", args=[mine.pk])
    member.post(url, {"reason": ""})  # an empty reason: said, nothing stored
    mine.refresh_from_db()
    assert mine.status == Receipt.Status.READ
    member.post(url, {"reason": "家中有事"})
    mine.refresh_from_db()
    assert mine.status == Receipt.Status.LEAVE

    officer = client_of(world.officer)
    receipts = reverse("notices:receipt_list", args=[notice.pk])
    page = officer.get(receipts).content.decode()
    assert "已请假" in page and "家中有事" in page
    xlsx = officer.get(receipts + "?export=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    header = next(r for r in rows if r and "请假事由" in r)
    col = header.index("请假事由")
    assert [r[col] for r in rows if r and r[col] == "家中有事"] == ["家中有事"]


def test_feedback_reminders_before_the_deadline_and_at_it(world):
    now = timezone.now()
    task = draft(world, kind=Notice.Kind.TASK)  # sign in 48 h, feedback in 96 h
    services.publish(task, actor=world.officer, now=now)
    done = task.receipts.order_by("pk")[0]
    services.submit_feedback(done, "已完成", actor=world.liaisons[0])
    # Sign everything so only the feedback reminders are left.
    for receipt in task.receipts.filter(signed_at__isnull=True):
        Receipt.objects.filter(pk=receipt.pk).update(signed_at=now, status="signed")

    # (The demo's notices are in the database too: count this task's receipts.)
    receipts = Receipt.objects.filter(notice=task)

    def reminded(at):
        services.send_reminders(at)
        return (
            receipts.filter(feedback_reminded_before_at__isnull=False).count(),
            receipts.filter(feedback_reminded_due_at__isnull=False).count(),
        )

    assert reminded(now + 71 * H) == (0, 0)  # 25 h before the feedback deadline
    assert reminded(now + 73 * H) == (29, 0)  # within 24 h: all but the one submitted
    assert reminded(now + 97 * H) == (29, 29)  # the deadline passed
    before = Notification.objects.filter(kind="reminder").count()
    assert reminded(now + 98 * H) == (29, 29)  # each once
    assert Notification.objects.filter(kind="reminder").count() == before
    told = Notification.objects.filter(user=world.liaisons[1], kind="reminder")
    assert [n.title.split("：")[0] for n in told.order_by("pk")] == [
        "提醒",
        "反馈截止已过，尚未反馈",
    ]
    assert not Notification.objects.filter(user=world.liaisons[0], kind="reminder").exists()
    logged = AuditLog.objects.filter(event_type="notice.reminded", object_id=str(task.pk))
    assert [r.changes.get("feedback_at_deadline") for r in logged.order_by("pk")] == [0, 29]


def test_the_remind_command_runs_both(world):
    from django.core.management import call_command

    now = timezone.now()
    task = draft(world, kind=Notice.Kind.TASK, deadline=now + H / 2)
    Notice.objects.filter(pk=task.pk).update(feedback_deadline=now + H)
    services.publish(task, actor=world.officer, now=now - datetime.timedelta(days=3))
    out = io.StringIO()
    call_command("remind_notices", stdout=out)
    assert out.getvalue().startswith("reminded ")
    receipts = Receipt.objects.filter(notice=task)
    assert receipts.filter(reminded_before_at__isnull=False).count() == 30
    assert receipts.filter(feedback_reminded_before_at__isnull=False).count() == 30
