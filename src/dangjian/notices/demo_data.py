"""Notices in the demo, sent and signed through the services.

- The federation's officers sent every member unit a notice on the year's party-building
  statistics three days ago, due tomorrow: about half the units have signed; the demo
  liaison's unit (天津市互联网协会) has not, so the liaison finds it to sign.
- An older notice on reporting the secretaries' details is past its deadline with a third
  signed: the officer's "low sign rate".
- A task to every party organization asks for the month's 主题党日 report: two branches have
  submitted feedback (waiting for the officer's review), one was accepted; the demo
  secretary's branch has not answered yet.
- The demo secretary sent their branch's members a notice of the coming general meeting: the
  demo party member has it to sign.
- A recurring duty (周期性任务): 三会一课 every quarter of this year for every party
  organization, once per cycle; this quarter's task is out (the nightly job generates the next).
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from dangjian.core.audit import context
from dangjian.demo.tianjin_data import SECRETARY_BRANCH
from dangjian.notices import duties, services
from dangjian.notices.models import Notice, Receipt
from dangjian.party.models import PartyOrganization

LIAISON_UNIT = "天津市互联网协会"

STATISTICS = """<p>各会员单位：</p>
<p>为全面掌握网络社会组织党建工作情况，现开展2026年度党建工作情况统计。请各单位对照党员管理工作台账，核实本单位党员人数、党组织设置和组织生活开展情况。</p>
<ul><li>请于签收截止前签收本通知；</li><li>统计表请通过“台账”菜单导入。</li></ul>
<p>联系人：联合会党建工作办公室</p>"""

SECRETARIES = """<p>各会员单位：</p>
<p>请核实本单位党组织书记、联络员的姓名和联系方式，并于截止时间前签收。</p>"""

THEME_DAY = """<p>各党组织：</p>
<p>请报送本月主题党日活动开展情况，包括活动主题、参加人数和主要内容，可附活动照片。</p>"""

GENERAL_MEETING = """<p>全体党员：</p>
<p>支部定于下周召开支部党员大会，学习上级党组织有关文件精神，讨论支部年度工作要点。请全体党员签收本通知，确不能参加的请向支部书记请假。</p>"""


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def build(federation, today: datetime.date, rng: random.Random) -> None:
    with context():
        _build(federation, today, rng)


def _build(federation, today: datetime.date, rng: random.Random) -> None:
    now = timezone.now()
    officer, secretary = _user("officer"), _user("secretary")

    # An all-units notice, half signed, due tomorrow.
    statistics = services.create_notice(
        federation=federation,
        party_organization=None,
        values={
            "kind": Notice.Kind.NOTICE,
            "title": "关于开展2026年度党建工作情况统计的通知",
            "body": STATISTICS,
            "sign_deadline": now + datetime.timedelta(days=1),
            "audience": Notice.Audience.ALL_UNITS,
        },
        actor=officer,
    )
    services.publish(statistics, actor=officer, now=now - datetime.timedelta(days=3))
    receipts = list(statistics.receipts.exclude(target_name=LIAISON_UNIT).order_by("pk"))
    for receipt in receipts[: len(receipts) // 2]:
        services.sign(receipt, actor=None, now=now - datetime.timedelta(hours=rng.randint(2, 60)))
    for receipt in receipts[len(receipts) // 2 : len(receipts) // 2 + 3]:
        services.mark_read(receipt, actor=None)

    # An older one, past its deadline with a third signed: a low sign rate.
    older = services.create_notice(
        federation=federation,
        party_organization=None,
        values={
            "kind": Notice.Kind.NOTICE,
            "title": "关于核实党组织书记和联络员信息的通知",
            "body": SECRETARIES,
            "sign_deadline": now - datetime.timedelta(days=2),
            "audience": Notice.Audience.ALL_UNITS,
        },
        actor=officer,
    )
    services.publish(older, actor=officer, now=now - datetime.timedelta(days=6))
    receipts = list(older.receipts.order_by("pk"))
    for receipt in receipts[: len(receipts) // 3]:
        services.sign(receipt, actor=None, now=now - datetime.timedelta(days=3))

    # A task to every party organization: feedback to review.
    task = services.create_notice(
        federation=federation,
        party_organization=None,
        values={
            "kind": Notice.Kind.TASK,
            "title": "关于报送本月主题党日活动情况的任务",
            "body": THEME_DAY,
            "sign_deadline": now + datetime.timedelta(days=2),
            "feedback_deadline": now + datetime.timedelta(days=7),
            "audience": Notice.Audience.BRANCHES,
        },
        actor=officer,
    )
    services.publish(task, actor=officer, now=now - datetime.timedelta(days=1))
    others = list(
        task.receipts.exclude(party_organization__name=SECRETARY_BRANCH).order_by("pk")[:3]
    )
    for i, receipt in enumerate(others):
        services.submit_feedback(
            receipt,
            "本月主题党日已开展，围绕网络文明建设开展志愿服务，全体党员参加。",
            progress=100,
            actor=None,
        )
        if i == 0:
            services.review(Receipt.objects.get(pk=receipt.pk), accept=True, actor=officer)

    # The demo secretary's notice to their branch's members.
    branch = PartyOrganization.objects.filter(name=SECRETARY_BRANCH).first()
    if branch is not None:
        meeting = services.create_notice(
            federation=branch.federation,
            party_organization=branch,
            values={
                "kind": Notice.Kind.MEETING,
                "title": "关于召开支部党员大会的通知",
                "body": GENERAL_MEETING,
                "sign_deadline": now + datetime.timedelta(days=2),
                "audience": Notice.Audience.MEMBERS,
            },
            party_organizations=[branch],
            actor=secretary,
        )
        services.publish(meeting, actor=secretary, now=now - datetime.timedelta(hours=5))

    # A recurring duty: this quarter's 三会一课 task, as the nightly run generates it.
    duty = duties.create_duty(
        federation=federation,
        party_organization=None,
        values={
            "title": "三会一课",
            "body": "按季度开展“三会一课”，召开支部党员大会、支委会，上好党课，并报送开展情况。",
            "expected_count": 1,
            "cycle": "quarter",
            "year": today.year,
            "audience": Notice.Audience.BRANCHES,
        },
        actor=officer,
    )
    cycle = duties.cycle_of(duty, today)
    if cycle is not None:
        duties.generate_task(duty, cycle, now - datetime.timedelta(hours=2))
