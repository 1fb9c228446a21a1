"""The audit trail readable (issue 16 point 5): event names and record kinds in Chinese, each
change as field: before → after, a page of a sensible size, autosaves of one editing session
shown as one record."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.access.audit_lists import AUDIT
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    html = response.content.decode()
    table = html[html.index('id="audit"') :]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    ]


def test_a_change_reads_as_field_before_after_in_chinese(persona_client):
    org = Organization.objects.get(name="天津市大数据协会")
    before = snapshot(org)
    org.district = "和平区"
    record_change(None, org, before)  # as a service would (the object is not saved: no need)
    response = persona_client("auditor").get(reverse("access:audit_list"), {"kind": "changes"})
    first = rows(response)[0]
    assert "系统" in first and "修改" in first
    assert "会员单位 天津市大数据协会" in first or "单位 天津市大数据协会" in first
    assert "所在区 ： 滨海新区 → 和平区" in first or "滨海新区 → 和平区" in first
    assert "registry.organization" not in first


def test_events_show_their_chinese_names_and_the_filter_bar_is_in_chinese(persona_client):
    record_event(None, AuditEvent.BRANCH_FORMED, Organization.objects.first(), count=1)
    response = persona_client("auditor").get(
        reverse("access:audit_list"), {"event": "branch.formed"}
    )
    page = response.content.decode()
    assert "记录类别" in page and "数据变更" in page and "事项" in page
    listed = rows(response)
    assert listed and all("党支部已成立" in row for row in listed)
    assert not any("branch.formed" in row for row in listed)
    assert "数量 ：1" in listed[0]


def test_a_page_holds_thirty_records_with_a_next_link(persona_client):
    response = persona_client("auditor").get(reverse("access:audit_list"))
    assert len(rows(response)) == AUDIT.size == 30
    assert "after=" in response.content.decode()


def test_autosaves_of_one_session_are_one_record_with_their_merged_changes(persona_client):
    org = Organization.objects.get(name="天津市大数据协会")
    start = timezone.now() + datetime.timedelta(hours=1)  # newest on the page
    # Session one: three autosaves 10 minutes apart; session two an hour later: one.
    values = ["甲", "乙", "丙", "丁"]
    times = [start, start + datetime.timedelta(minutes=10), start + datetime.timedelta(minutes=20)]
    times.append(start + datetime.timedelta(minutes=90))
    previous = "原稿"
    for at, value in zip(times, values, strict=True):
        AuditLog.objects.create(
            at=at,
            action=AuditLog.Action.UPDATE,
            object_type="registry.organization",
            object_id=str(org.pk),
            object_repr=org.name,
            changes={"fields": {"district": [previous, value]}},
            note="autosave",
            actor_name="officer",
        )
        previous = value
    listed = [
        r
        for r in rows(persona_client("auditor").get(reverse("access:audit_list")))
        if "自动保存" in r
    ]
    assert len(listed) == 2
    later, earlier = listed
    assert "自动保存 1 次" in later and "丙 → 丁" in later
    assert "自动保存 3 次" in earlier and "原稿 → 丙" in earlier
    # The export keeps every record.
    assert AuditLog.objects.filter(note="autosave", object_id=str(org.pk)).count() == 4
