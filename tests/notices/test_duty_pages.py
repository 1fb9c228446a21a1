"""The recurring duties' pages (N-8): an officer sets a duty up, changes it and ends it; a
secretary sees only their own organization's; a liaison or a member cannot open them; a change
reaches the tasks generated from the next cycle on (dates counted by hand: 2026's holiday
schedule is built in)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.access.models import UserSecurity
from dangjian.core.models import AuditLog
from dangjian.notices import duties
from dangjian.notices.models import Duty, Notice

from .conftest import World

pytestmark = pytest.mark.django_db
D = datetime.date
LIST = reverse("notices:duty_list")
NEW = reverse("notices:duty_new")


def at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def client_of(user):
    # A user made by the fixture must change the password first; these have.
    UserSecurity.objects.filter(user=user).update(must_change_password=False)
    client = Client()
    client.force_login(user)
    return client


def form(**values):
    data = {
        "title": "三会一课",
        "body": "按时召开支部党员大会、支委会、党小组会，按时上好党课。",
        "expected_count": "1",
        "cycle": Duty.Cycle.MONTH,
        "year": str(timezone.localdate().year),
        "audience": Notice.Audience.ALL_UNITS,
        "category": "",
    }
    data.update(values)
    return data


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_officer_sets_up_changes_and_ends_a_duty(world):
    client = client_of(world.officer)
    page = text(client.get(LIST))
    assert "周期性任务" in page and "新建周期性任务" in page
    response = client.post(NEW, form())
    duty = Duty.objects.get(federation=world.fed)
    assert response.status_code == 302 and response["Location"] == reverse(
        "notices:duty_edit", args=[duty.pk]
    )
    assert (duty.title, duty.expected_count, duty.cycle, duty.party_organization) == (
        "三会一课",
        1,
        Duty.Cycle.MONTH,
        None,
    )
    assert AuditLog.objects.filter(
        object_type="notices.duty", object_id=str(duty.pk), action=AuditLog.Action.CREATE
    ).exists()
    listed = text(client.get(LIST))
    assert "三会一课" in listed and "启用中" in listed and "每月" in listed

    # Tonight's run sends the cycle's task: the list links to it; the cycle is now fixed.
    today = timezone.localdate()
    (task,) = [n for n in duties.generate_due(today) if n.duty_id == duty.pk]
    listed = text(client.get(LIST))
    assert reverse("notices:notice_detail", args=[task.pk]) in listed
    assert f"{today:%Y-%m}" in listed
    edit = reverse("notices:duty_edit", args=[duty.pk])
    page = text(client.get(edit))
    assert "本周期的任务已下发，修改从下一周期起生效。" in page
    assert "已生成过任务，不能再修改" in page and task.title in page

    # A change: a new count and a quarterly cycle (refused: the cycle is fixed by now).
    response = client.post(edit, form(expected_count="3", cycle=Duty.Cycle.QUARTER))
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.expected_count, duty.cycle) == (3, Duty.Cycle.MONTH)
    change = AuditLog.objects.get(
        object_type="notices.duty", object_id=str(duty.pk), action=AuditLog.Action.UPDATE
    )
    assert change.changes["fields"] == {"expected_count": [1, 3]}
    assert change.actor == world.officer

    # An empty POST to the end button's address ends nothing; the button does.
    end = reverse("notices:duty_end", args=[duty.pk])
    client.post(end)
    duty.refresh_from_db()
    assert duty.active
    assert client.post(end, {"confirm": "yes"})["Location"] == LIST
    duty.refresh_from_db()
    assert not duty.active
    assert AuditLog.objects.filter(event_type="notice.duty_ended", object_id=str(duty.pk)).exists()
    assert "已停用" in text(client.get(LIST))
    assert "不再生成新任务" in text(client.get(edit))
    # Ended: nothing more is generated, not even next month's.
    next_month = duties.add_months(today.replace(day=1), 1)
    if next_month.year == duty.year:
        assert [n for n in duties.generate_due(next_month) if n.duty_id == duty.pk] == []
    # And the page no longer changes it.
    client.post(edit, form(expected_count="5"))
    duty.refresh_from_db()
    assert duty.expected_count == 3


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"expected_count": "0"}, "expected_count", "每周期应完成次数至少为 1 次。"),
        ({"expected_count": "-2"}, "expected_count", "每周期应完成次数至少为 1 次。"),
        ({"expected_count": "两次"}, "expected_count", "每周期应完成次数应为整数。"),
        ({"title": "党" * 151}, "title", "任务类型最多 150 个字。"),
        ({"title": ""}, "title", "请填写任务类型。"),
        ({"year": "2020"}, "year", "年度只能是今年或明年"),
        ({"audience": Notice.Audience.CATEGORY}, "category", "请选择类别。"),
        ({"audience": Notice.Audience.UNITS}, "organizations", "请至少选择一个会员单位。"),
    ],
)
def test_the_form_says_what_is_wrong_in_chinese(world, values, field, message):
    response = client_of(world.officer).post(NEW, form(**values))
    assert response.status_code == 200
    assert message in text(response)
    assert not Duty.objects.filter(federation=world.fed).exists()


def test_a_liaison_or_a_member_cannot_open_the_duties(world):
    duty = duties.create_duty(
        federation=world.fed,
        party_organization=None,
        values={
            "title": "党小组会",
            "audience": "all_units",
            "expected_count": 1,
            "cycle": "month",
            "year": 2026,
        },
        actor=world.officer,
    )
    for user in (world.liaisons[0], world.member_user):
        client = client_of(user)
        home = client.get(reverse("home")).content.decode()
        assert LIST not in home  # not in their menu
        for url in (
            LIST,
            NEW,
            reverse("notices:duty_edit", args=[duty.pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert (
            client.post(reverse("notices:duty_end", args=[duty.pk]), {"confirm": "yes"}).status_code
            == 404
        )
    duty.refresh_from_db()
    assert duty.active
    # The officer's menu has it.
    assert LIST in client_of(world.officer).get(reverse("home")).content.decode()


def test_a_secretary_sees_and_changes_only_their_own(world):
    officers = duties.create_duty(
        federation=world.fed,
        party_organization=None,
        values={
            "title": "联合会的任务",
            "audience": "all_units",
            "expected_count": 1,
            "cycle": "month",
            "year": 2026,
        },
        actor=world.officer,
    )
    other = World()
    theirs = duties.create_duty(
        federation=other.fed,
        party_organization=other.branch,
        values={
            "title": "别的支部的任务",
            "audience": "members",
            "expected_count": 1,
            "cycle": "month",
            "year": 2026,
        },
        actor=other.secretary,
    )
    client = client_of(world.secretary)
    assert LIST in client.get(reverse("home")).content.decode()
    response = client.post(
        NEW,
        form(title="支部党员大会", audience=Notice.Audience.MEMBERS, cycle=Duty.Cycle.QUARTER),
    )
    assert response.status_code == 302
    mine = Duty.objects.get(title="支部党员大会")
    assert (mine.federation, mine.party_organization) == (world.fed, world.branch)
    listed = text(client.get(LIST))
    assert "支部党员大会" in listed
    assert "联合会的任务" not in listed and "别的支部的任务" not in listed
    for duty in (officers, theirs):
        assert client.get(reverse("notices:duty_edit", args=[duty.pk])).status_code == 404
    assert (
        client.post(reverse("notices:duty_end", args=[officers.pk]), {"confirm": "yes"}).status_code
        == 404
    )
    # The federation's officer sees both of their federation's, not the other federation's.
    officer_list = text(client_of(world.officer).get(LIST))
    assert "支部党员大会" in officer_list and "联合会的任务" in officer_list
    assert "别的支部的任务" not in officer_list


def test_a_change_reaches_the_task_of_the_next_cycle(world):
    duty = duties.create_duty(
        federation=world.fed,
        party_organization=None,
        values={
            "title": "党小组会",
            "audience": "all_units",
            "expected_count": 1,
            "cycle": "month",
            "year": 2026,
        },
        actor=world.officer,
    )
    # Wednesday 20 May 2026: May's task, to all 30 units, once a month.
    (may,) = [
        n
        for n in duties.generate_due(D(2026, 5, 20), now=at(2026, 5, 20, 9, 0))
        if n.duty_id == duty.pk
    ]
    assert may.title == "党小组会（2026-05）" and may.receipts.count() == 30

    # The officer changes it on the 25th: the enterprises only, three times a month.
    response = client_of(world.officer).post(
        reverse("notices:duty_edit", args=[duty.pk]),
        form(
            title="党小组会（企业）",
            expected_count="3",
            audience=Notice.Audience.CATEGORY,
            category="enterprise",
            year="2026",
        ),
    )
    assert response.status_code == 302
    # The rest of May: May's task stands as sent, nothing new.
    assert [
        n
        for n in duties.generate_due(D(2026, 5, 28), now=at(2026, 5, 28, 9, 0))
        if n.duty_id == duty.pk
    ] == []
    may.refresh_from_db()
    assert may.title == "党小组会（2026-05）" and "每个周期应完成1次" in may.body
    assert may.receipts.count() == 30
    # Monday 1 June: June's task carries the new values. Signing: 2 working days, Wednesday
    # 3 June 09:00; feedback: the cycle's last day, 30 June 23:59 (端午 is 19 June, after).
    (june,) = [
        n
        for n in duties.generate_due(D(2026, 6, 1), now=at(2026, 6, 1, 9, 0))
        if n.duty_id == duty.pk
    ]
    assert june.title == "党小组会（企业）（2026-06）"
    assert "每个周期应完成3次" in june.body
    assert june.receipts.count() == 10  # the ten enterprises of the thirty units
    assert timezone.localtime(june.sign_deadline) == at(2026, 6, 3, 9, 0)
    assert timezone.localtime(june.feedback_deadline) == at(2026, 6, 30, 23, 59)
    assert (june.duty, june.period) == (duty, "2026-06")


def test_the_demo_has_a_quarterly_duty_with_this_quarters_task_out(demo_federation, persona_client):
    """The demo's officer finds the 三会一课 duty on the duties page, and the demo secretary
    this quarter's task among the notices to answer."""
    page = persona_client("officer").get(reverse("notices:duty_list")).content.decode()
    assert "三会一课" in page and "每季度" in page
    task = Notice.objects.get(duty__title="三会一课")
    assert task.kind == Notice.Kind.TASK and task.title.startswith("三会一课（")
    inbox = persona_client("secretary").get(reverse("notices:inbox")).content.decode()
    assert task.title in inbox
