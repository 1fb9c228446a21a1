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
    march = timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 0))
    document = services.publish(draft(world), actor=world.officer, now=march)
    task = services.publish(
        draft(world, kind=Notice.Kind.TASK),
        actor=world.officer,
        now=march + datetime.timedelta(days=10),
    )
    for receipt in document.receipts.order_by("pk")[:3]:
        services.sign(receipt, actor=None)
    late = document.receipts.filter(signed_at__isnull=False).order_by("pk").first()
    Receipt.objects.filter(pk=late.pk).update(
        signed_at=document.sign_deadline + datetime.timedelta(hours=1)
    )
    for receipt in task.receipts.order_by("pk")[:2]:
        services.submit_feedback(receipt, "已完成", actor=None)
        services.review(Receipt.objects.get(pk=receipt.pk), accept=True, actor=world.officer)
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
