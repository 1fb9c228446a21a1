"""The nightly jobs run in order, each once per day; the scheduler queues them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from dangjian.core.models import AuditLog
from dangjian.dashboard.scheduled import JOBS, done_on

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def run(*args):
    out = io.StringIO()
    call_command("nightly", *args, stdout=out)
    return out.getvalue().splitlines()


def test_each_job_once_per_day():
    today = timezone.localdate()
    first = run()
    assert [line.split("：")[0] for line in first] == [
        "运行规则库",
        "生成周期性任务",
        "发送通知提醒",
        "生成看板快照",
        "删除过期的后台导出文件",
        "为会议记录查重生成特征值",
    ]
    assert all("已完成（" in line for line in first)
    assert done_on(today) == {j.key for j in JOBS}
    second = run()
    assert all(line.endswith("已完成，跳过") for line in second) and len(second) == 6
    logged = AuditLog.objects.filter(event_type="ops.scheduled_job_done")
    assert logged.count() == 6  # once each, not twice
    with pytest.raises(CommandError, match="未来"):
        run("--day", "2999-01-01")
    with pytest.raises(CommandError, match="不是日期"):
        run("--day", "明天")


@override_settings(TASKS=IMMEDIATE, NIGHTLY_AT="00:00")
def test_the_scheduler_queues_the_nightly_jobs_once():
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "已将" in out.getvalue()
    assert done_on(timezone.localdate()) == {j.key for j in JOBS}
    again = io.StringIO()
    call_command("scheduler", "--once", stdout=again)
    assert again.getvalue() == ""  # all done today: only the reminders were queued
    assert AuditLog.objects.filter(event_type="ops.scheduled_job_done").count() == 6
