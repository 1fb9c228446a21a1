"""The dashboard's notices panel on planted notices, counted by hand; another federation's
notices (all signed) never count."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.dashboard.context import Context
from dangjian.dashboard.panels import panels
from dangjian.notices import services
from dangjian.notices.models import Notice, Receipt

from .conftest import World
from .test_services import draft

pytestmark = pytest.mark.django_db


def test_sign_rates_and_task_feedback(world):
    # The panel counts as of its day (test below): every step is dated before 15 April.
    march = timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 0))
    document = services.publish(
        draft(world, deadline=march + datetime.timedelta(days=2)), actor=world.officer, now=march
    )
    task = services.publish(
        draft(world, kind=Notice.Kind.TASK, deadline=march + datetime.timedelta(days=12)),
        actor=world.officer,
        now=march + datetime.timedelta(days=10),
    )
    for receipt in document.receipts.order_by("pk")[:3]:
        services.sign(receipt, actor=None, now=march + datetime.timedelta(days=1))
    late = document.receipts.filter(signed_at__isnull=False).order_by("pk").first()
    Receipt.objects.filter(pk=late.pk).update(
        signed_at=document.sign_deadline + datetime.timedelta(hours=1)
    )
    for receipt in task.receipts.order_by("pk")[:2]:
        services.sign(receipt, actor=None, now=march + datetime.timedelta(days=11))
        services.submit_feedback(Receipt.objects.get(pk=receipt.pk), "已完成", actor=None)
        services.review(Receipt.objects.get(pk=receipt.pk), accept=True, actor=world.officer)
        Receipt.objects.filter(pk=receipt.pk).update(
            feedback_at=march + datetime.timedelta(days=15),
            reviewed_at=march + datetime.timedelta(days=16),
        )
    other = World()
    theirs = services.publish(draft(other), actor=other.officer, now=march)
    for receipt in theirs.receipts.all():
        services.sign(receipt, actor=None)

    panel = {p.key: p for p in panels()}["notices"]
    data = panel.compute(Context.for_snapshot(world.fed, datetime.date(2026, 4, 15)))
    # March 2026: 60 receipts (30 + 30), 5 signed (3 + the 2 tasks done), 4 on time; the task's
    # feedback done 2 of 30. Percent rounded down.
    assert [f["value"] for f in data["figures"]][:2] == [8, 6]
    assert [f["detail"] for f in data["figures"][:2]] == ["5 / 60", "2 / 30"]
    chart = data["charts"][0]
    march_at = chart["x"].index("2026-03")
    by_name = {s["name"]: s["data"][march_at] for s in chart["series"]}
    assert by_name == {"签收率": 8, "按时签收": 6, "任务反馈完成": 6}
    assert chart["series"][0]["data"][chart["x"].index("2026-02")] is None  # nothing sent
    assert data["figures"][0]["link"] == "/notices/"


def at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def _figures(world, day):
    panel = {p.key: p for p in panels()}["notices"]
    data = panel.compute(Context.for_snapshot(world.fed, day))
    return data, [f["detail"] for f in data["figures"][:2]]


def test_the_panel_counts_the_receipts_as_they_stood_on_the_day_asked(world):
    """A document notice D (published 10 March, sign by 12 March 18:00) signed on 11 March,
    20 March and 20 April; a task T (published 20 March, sign by 25 March) signed by two on
    21 March, their feedback accepted on 10 April and 5 May; a notice W (published 15 March)
    signed on 16 March and withdrawn on 25 April."""
    d = services.publish(
        draft(world, deadline=at(2026, 3, 12, 18, 0)), actor=world.officer, now=at(2026, 3, 10, 9)
    )
    r1, r2, r3 = d.receipts.order_by("pk")[:3]
    services.sign(r1, actor=None, now=at(2026, 3, 11, 10, 0))
    services.sign(r2, actor=None, now=at(2026, 3, 20, 10, 0))
    services.sign(r3, actor=None, now=at(2026, 4, 20, 10, 0))
    t = services.publish(
        draft(world, kind=Notice.Kind.TASK, deadline=at(2026, 3, 25, 18, 0)),
        actor=world.officer,
        now=at(2026, 3, 20, 9, 0),
    )
    a, b = t.receipts.order_by("pk")[:2]
    for receipt, accepted in ((a, at(2026, 4, 10, 10, 0)), (b, at(2026, 5, 5, 10, 0))):
        services.sign(receipt, actor=None, now=at(2026, 3, 21, 10, 0))
        services.submit_feedback(Receipt.objects.get(pk=receipt.pk), "已完成", actor=None)
        services.review(Receipt.objects.get(pk=receipt.pk), accept=True, actor=world.officer)
        # The services stamp the real time: the scenario's days, by hand.
        Receipt.objects.filter(pk=receipt.pk).update(
            feedback_at=at(2026, 4, 1, 10, 0), reviewed_at=accepted
        )
    w = services.publish(
        draft(world, deadline=at(2026, 3, 17, 18, 0)), actor=world.officer, now=at(2026, 3, 15, 9)
    )
    services.sign(w.receipts.order_by("pk").first(), actor=None, now=at(2026, 3, 16, 10, 0))
    services.withdraw(w, "发错了", actor=world.officer)
    Notice.objects.filter(pk=w.pk).update(withdrawn_at=at(2026, 4, 25, 10, 0))

    # Before any of it: nothing published in the months shown up to February.
    data, details = _figures(world, datetime.date(2026, 3, 9))
    assert details == ["0 / 0", "0 / 0"] and data["figures"][0]["value"] is None
    # 31 March: D, T and W stand (90 receipts); signed: r1, r2, a, b, w1; on time: r1, a, b,
    # w1; no feedback accepted yet.
    data, details = _figures(world, datetime.date(2026, 3, 31))
    assert details == ["5 / 90", "0 / 30"]
    assert [f["value"] for f in data["figures"][:2]] == [5, 0]
    # 19 April, the day before r3 signs (the months shown end with March): a accepted.
    assert _figures(world, datetime.date(2026, 4, 19))[1] == ["5 / 90", "1 / 30"]
    # 20 April, the day r3 signs (at 10:00): counted on its day.
    assert _figures(world, datetime.date(2026, 4, 20))[1] == ["6 / 90", "1 / 30"]
    # 30 April: W was withdrawn on the 25th and no longer counts; D and T: 60 receipts.
    data, details = _figures(world, datetime.date(2026, 4, 30))
    assert details == ["5 / 60", "1 / 30"]
    chart = data["charts"][0]
    march = chart["x"].index("2026-03")
    assert {s["name"]: s["data"][march] for s in chart["series"]} == {
        "签收率": 8,  # 5 / 60
        "按时签收": 5,  # r1, a, b: 3 / 60
        "任务反馈完成": 3,  # a: 1 / 30
    }
    # 31 May: b accepted on 5 May.
    assert _figures(world, datetime.date(2026, 5, 31))[1] == ["5 / 60", "2 / 30"]


def test_the_duties_expected_and_accepted_as_of_the_day_asked(world):
    from dangjian.notices import duties
    from dangjian.notices.models import Duty

    duty = duties.create_duty(
        federation=world.fed,
        party_organization=None,
        values={
            "title": "主题党日",
            "audience": Notice.Audience.ALL_UNITS,
            "expected_count": 1,
            "cycle": Duty.Cycle.MONTH,
            "year": 2026,
        },
        actor=world.officer,
    )
    (march,) = [
        n
        for n in duties.generate_due(datetime.date(2026, 3, 2), now=at(2026, 3, 2, 9, 0))
        if n.duty_id == duty.pk
    ]
    (april,) = [
        n
        for n in duties.generate_due(datetime.date(2026, 4, 1), now=at(2026, 4, 1, 9, 0))
        if n.duty_id == duty.pk
    ]
    first = march.receipts.order_by("pk").first()
    services.submit_feedback(first, "已开展", actor=None)
    services.review(Receipt.objects.get(pk=first.pk), accept=True, actor=world.officer)
    Receipt.objects.filter(pk=first.pk).update(
        feedback_at=at(2026, 4, 3, 10, 0), reviewed_at=at(2026, 4, 5, 10, 0)
    )

    def duty_bars(day):
        data, _ = _figures(world, day)
        chart = next(c for c in data["charts"] if c["id"] == "notices-duties")
        i = chart["x"].index("主题党日")
        return [s["data"][i] for s in chart["series"]], data["figures"][2]["value"]

    # 31 March: January to March begun, March's task sent (30 receipts), nothing accepted.
    assert duty_bars(datetime.date(2026, 3, 31)) == ([3, 1, 30, 0], 0)
    # 4 April: April's task too; the feedback given on the 3rd is not accepted yet.
    assert duty_bars(datetime.date(2026, 4, 4)) == ([4, 2, 60, 0], 0)
    # 30 April: accepted on the 5th: 1 of 60.
    assert duty_bars(datetime.date(2026, 4, 30)) == ([4, 2, 60, 1], 1)
    assert april.period == "2026-04"
