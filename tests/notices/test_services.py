"""A notice to 30 units tracked through every receipt state, withdraw and republish, the
rates and their boundaries, reminders, and the decision hook — hand-computed on a small
federation of its own."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.errors import WorkflowError
from dangjian.core.models import AuditLog, CalendarDay
from dangjian.notices import queries, services
from dangjian.notices.models import Notice, Notification, Receipt

H = datetime.timedelta(hours=1)


def draft(
    world, *, audience=Notice.Audience.ALL_UNITS, kind=Notice.Kind.NOTICE, deadline=None, **more
):
    now = timezone.now()
    values = {
        "kind": kind,
        "title": "关于开展党建工作统计的通知",
        "body": "请各单位按时签收。\n<script>alert(1)</script>",
        "sign_deadline": deadline or now + 48 * H,
        "feedback_deadline": now + 96 * H if kind == Notice.Kind.TASK else None,
        "audience": audience,
        **more.pop("values", {}),
    }
    return services.create_notice(
        federation=world.fed,
        party_organization=more.pop("party_organization", None),
        values=values,
        actor=more.pop("actor", world.officer),
        **more,
    )


def test_a_notice_to_30_units_through_every_receipt_state(world):
    notice = draft(world, kind=Notice.Kind.TASK)
    assert "<script>" not in notice.body  # the text is sanitised when stored
    services.publish(notice, actor=world.officer)
    receipts = list(Receipt.objects.filter(notice=notice).order_by("target_name"))
    assert len(receipts) == 30
    assert {r.status for r in receipts} == {Receipt.Status.UNREAD}
    # Every unit's liaison got a bell message, once.
    assert Notification.objects.filter(notice=notice, kind="notice").count() == 30

    first, second, third = receipts[0], receipts[1], receipts[2]
    assert services.mark_read(first, actor=world.liaisons[0]) is True
    assert services.mark_read(first, actor=world.liaisons[0]) is False  # only the first opening
    first.refresh_from_db()
    assert first.status == Receipt.Status.READ and first.read_at is not None

    services.sign(first, actor=world.liaisons[0])
    first.refresh_from_db()
    assert first.status == Receipt.Status.SIGNED
    assert first.signed_by == world.liaisons[0]
    with pytest.raises(WorkflowError):
        services.sign(first, actor=world.liaisons[0])

    services.submit_feedback(first, "已完成统计", progress=100, actor=world.liaisons[0])
    first.refresh_from_db()
    assert first.status == Receipt.Status.SUBMITTED
    assert list(queries.reviews_due(world.officer)) == [first]

    services.review(first, accept=False, comment="请补充党员人数", actor=world.officer)
    first.refresh_from_db()
    assert first.status == Receipt.Status.RETURNED
    assert Notification.objects.filter(user=world.liaisons[0], kind="review").count() == 1
    services.submit_feedback(first, "已补充", actor=world.liaisons[0])
    with pytest.raises(ValidationError):  # a return needs a reason
        services.review(
            Receipt.objects.get(pk=first.pk), accept=False, comment="", actor=world.officer
        )
    services.review(Receipt.objects.get(pk=first.pk), accept=True, actor=world.officer)
    first.refresh_from_db()
    assert first.status == Receipt.Status.DONE

    # Feedback without signing first signs it too.
    services.submit_feedback(second, "进行中", progress=40, actor=world.liaisons[1])
    second.refresh_from_db()
    assert second.status == Receipt.Status.SUBMITTED and second.signed_at is not None
    services.sign(third, actor=world.liaisons[2])

    rates = queries.rates(notice)
    # 3 signed of 30: 10 %; 1 done: 3 % (rounded down from 3.33).
    assert (rates.targets, rates.signed, rates.sign_rate, rates.feedback_done, rates.done_rate) == (
        30,
        3,
        10,
        1,
        3,
    )
    counts = queries.by_status(notice)
    assert counts == {
        "unread": 27,
        "read": 0,
        "signed": 1,
        "submitted": 1,
        "returned": 0,
        "done": 1,
        "leave": 0,
    }


def test_targets_by_category_units_branches_and_members(world):
    by_category = draft(world, audience=Notice.Audience.CATEGORY, values={"category": "enterprise"})
    assert len(services.resolve_targets(by_category)) == 10
    named = draft(world, audience=Notice.Audience.UNITS, organizations=world.units[:2])
    assert [t.name for t in services.resolve_targets(named)] == [u.name for u in world.units[:2]]
    branches = draft(world, audience=Notice.Audience.BRANCHES)
    assert {t.pk for t in services.resolve_targets(branches)} == {
        world.committee.pk,
        world.branch.pk,
    }
    members = draft(
        world,
        audience=Notice.Audience.MEMBERS,
        kind=Notice.Kind.MEETING,
        party_organizations=[world.branch],
    )
    assert sorted(t.name for t in services.resolve_targets(members)) == sorted(
        m.name for m in world.members
    )
    # A secretary's "every party organization" is those below theirs (none here).
    mine = draft(
        world,
        audience=Notice.Audience.BRANCHES,
        party_organization=world.committee,
        actor=world.secretary,
    )
    assert [t.pk for t in services.resolve_targets(mine)] == [world.branch.pk]


def test_published_content_is_frozen_withdraw_and_republish(world):
    notice = draft(world)
    services.update_draft(
        notice, {"title": "改过的标题", "audience": Notice.Audience.ALL_UNITS}, actor=world.officer
    )
    services.publish(notice, actor=world.officer)
    with pytest.raises(WorkflowError):
        services.update_draft(notice, {"title": "又改"}, actor=world.officer)
    with pytest.raises(WorkflowError):
        services.publish(notice, actor=world.officer)
    receipt = notice.receipts.order_by("pk").first()
    services.sign(receipt, actor=world.liaisons[0])

    with pytest.raises(ValidationError):
        services.withdraw(notice, "  ", actor=world.officer)
    services.withdraw(notice, "内容有误", actor=world.officer)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN
    assert notice.receipts.filter(signed_at__isnull=False).count() == 1  # history kept
    with pytest.raises(WorkflowError):  # nothing to sign on a withdrawn notice
        services.sign(notice.receipts.order_by("pk")[1], actor=world.liaisons[1])

    new = services.republish(
        notice, {"title": "改过的标题（更正）"}, "更正统计口径", actor=world.officer
    )
    notice.refresh_from_db()
    assert notice.status == Notice.Status.REPLACED and notice.next_version == new
    assert (new.version_no, new.status, new.change_reason) == (2, "published", "更正统计口径")
    assert new.receipts.count() == 30
    assert not new.receipts.filter(signed_at__isnull=False).exists()  # receipts start again
    events = set(
        AuditLog.objects.filter(object_type="notices.notice", object_id__in=[notice.pk, new.pk])
        .exclude(event_type="")
        .values_list("event_type", flat=True)
    )
    assert {"notice.published", "notice.withdrawn", "notice.republished"} <= events


def test_publishing_needs_recipients_and_a_future_deadline(world):
    empty = draft(world, audience=Notice.Audience.UNITS)
    with pytest.raises(WorkflowError):
        services.publish(empty, actor=world.officer)
    past = draft(world, deadline=timezone.now() - H)
    with pytest.raises(ValidationError):
        services.publish(past, actor=world.officer)
    with pytest.raises(ValidationError):  # a task needs its feedback deadline
        draft(world, kind=Notice.Kind.TASK, values={"feedback_deadline": None})


@pytest.mark.parametrize(
    "signed, low",
    [(23, True), (24, False)],  # 23/30 = 76.7 % < 80 %; 24/30 = 80 % is not low
)
def test_low_sign_rate_boundary(world, signed, low):
    now = timezone.now()
    notice = draft(world, deadline=now + H)
    services.publish(notice, actor=world.officer, now=now - 10 * H)
    for receipt in notice.receipts.order_by("pk")[:signed]:
        services.sign(receipt, actor=None)
    # Before the deadline nothing is "low" yet; after it, below 80 % is.
    assert not queries.low_sign_rates(world.officer, now=now).exists()
    assert queries.low_sign_rates(world.officer, now=now + 2 * H).exists() is low
    # Only the sender's side sees it.
    assert not queries.low_sign_rates(world.liaisons[0], now=now + 2 * H).exists()


def test_reminders_before_the_deadline_and_at_it_each_once(world):
    now = timezone.now()
    deadline = now + 48 * H
    notice = draft(world, deadline=deadline)
    services.publish(notice, actor=world.officer, now=now)
    services.sign(notice.receipts.order_by("pk").first(), actor=world.liaisons[0])
    reminders = Notification.objects.filter(notice=notice, kind="reminder")

    # The demo's notices are in the same database: count this notice's reminders.
    def remind(at):
        before = reminders.count()
        services.send_reminders(at)
        return reminders.count() - before

    # 24 h before the deadline, less a minute: not yet.
    assert remind(deadline - 24 * H - datetime.timedelta(minutes=1)) == 0
    # At exactly 24 h before: the 29 who have not signed, once.
    assert remind(deadline - 24 * H) == 29
    assert remind(deadline - H) == 0
    # At the deadline: the second reminder, once.
    assert remind(deadline) == 29
    assert remind(deadline + H) == 0
    assert reminders.count() == 58
    assert (
        AuditLog.objects.filter(event_type="notice.reminded", object_id=str(notice.pk)).count() == 2
    )


def test_no_early_reminder_for_a_notice_published_inside_the_window(world):
    now = timezone.now()
    notice = draft(world, deadline=now + 2 * H, values={"urgent": True})
    services.publish(notice, actor=world.officer, now=now)
    reminders = Notification.objects.filter(notice=notice, kind="reminder")
    services.send_reminders(now + H)
    assert reminders.count() == 0  # its own notification was the reminder
    services.send_reminders(now + 2 * H)
    assert reminders.count() == 30  # the deadline's reminder still comes


@pytest.mark.django_db
def test_default_deadlines_in_working_days_by_the_holiday_schedule():
    friday = timezone.make_aware(datetime.datetime(2026, 12, 4, 10, 0))
    # 2 working days from a Friday: Tuesday, at the same time of day; 1 hour when urgent.
    assert services.default_deadline(friday, urgent=False) == timezone.make_aware(
        datetime.datetime(2026, 12, 8, 10, 0)
    )
    assert services.default_deadline(friday, urgent=True) == friday + H
    # Before National Day 2026 (1–7 October off): Wednesday 30 September + 2 working days is
    # Friday 9 October, not Friday 2 October.
    eve = timezone.make_aware(datetime.datetime(2026, 9, 30, 9, 30))
    deadline = services.default_deadline(eve, urgent=False)
    assert deadline == timezone.make_aware(datetime.datetime(2026, 10, 9, 9, 30))
    assert not services.deadline_provisional(eve, deadline)
    # A task's feedback: 10 working days after its signing deadline (Friday 9 October 2026;
    # Saturday 10 October is a working day made up for the holiday): Thursday 22 October.
    assert services.default_feedback_deadline(deadline) == timezone.make_aware(
        datetime.datetime(2026, 10, 22, 9, 30)
    )
    # Over New Year into a year whose schedule nobody knows yet: counted Monday to Friday and
    # said to be provisional, until the year's days are entered.
    late = timezone.make_aware(datetime.datetime(2026, 12, 31, 10, 0))
    into_2027 = services.default_deadline(late, urgent=False)
    assert into_2027.date() == datetime.date(2027, 1, 4)  # Fri 1 Jan, then Monday 4 Jan
    assert services.deadline_provisional(late, into_2027)
    CalendarDay.objects.create(day=datetime.date(2027, 1, 1), workday=False, note="元旦")
    assert not services.deadline_provisional(late, into_2027)


def test_a_decision_notifies_the_unit_s_liaison(world):
    from dangjian.inspections.services import save_annual_inspection

    unit = world.units[3]
    save_annual_inspection(unit, 2025, conclusion="passed", actor=world.officer)
    told = Notification.objects.get(user=world.liaisons[3], kind="decision")
    assert "2025" in told.title and unit.name in told.title
    assert not Notification.objects.filter(user=world.liaisons[4]).exists()


def test_the_optional_e_mail_channel(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    world.liaisons[0].email = "liaison@example.org"
    world.liaisons[0].save()
    notice = draft(world)
    settings.NOTIFY_BY_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([world.liaisons[0].pk], "reminder", "测试提醒")
    assert mailoutbox == []
    settings.NOTIFY_BY_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(notice, actor=world.officer)
    # One of the 30 liaisons has an address: one mail, with the notice's title.
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["liaison@example.org"]
    assert notice.title in mailoutbox[0].subject


def test_the_reminders_command(world):
    import io

    from django.core.management import call_command

    now = timezone.now()
    notice = draft(world, deadline=now + 10 * H)
    services.publish(notice, actor=world.officer, now=now - 30 * H)  # before the 24 h window
    out = io.StringIO()
    call_command("remind_notices", stdout=out)
    assert "reminded" in out.getvalue()
    assert Notification.objects.filter(notice=notice, kind="reminder").count() == 30
    assert Receipt.objects.filter(notice=notice, reminded_before_at__isnull=False).count() == 30
