"""Each role lands on its own to-do list (issue 16): what each demo persona sees on the home
page, in Chinese, for the demo's planted data and for hand-built scenarios, and none of another
scope's."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from dangjian.access import home, scope
from dangjian.access.home import Item, Panel
from dangjian.access.models import RoleAssignment
from dangjian.dues import queries as dues_queries
from dangjian.orglife import services as orglife
from dangjian.orglife.models import Meeting
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Organization
from dangjian.rules.models import Finding, Severity

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


def words(response) -> str:
    """The page's main text as a person reads it (the menu left out, tags out, spaces
    folded)."""
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", html[html.index("<main") :])
    return re.sub(r"\s+", " ", text)


def panel_html(response, key: str) -> str:
    """One panel's markup (``orglife.due`` → ``#panel-orglife-due``), or "" if absent."""
    html = response.content.decode()
    html_id = "panel-" + key.replace(".", "-").replace("_", "-")
    start = html.find(f'id="{html_id}"')
    if start < 0:
        return ""
    return html[start : html.find("</section>", start)]


def panel(response, key: str) -> str:
    """The text of one panel, or "" if absent."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel_html(response, key)))


def count_of(html: str, label: str) -> int:
    """The count shown on the to-do item ``label`` (its badge)."""
    start = html.find(label)
    assert start >= 0, f"{label!r} not in {html!r}"
    item = html[start : html.find("</li>", start)]
    found = re.search(r'home-count">(\d+)<', item)
    assert found, f"no count on {label!r}: {item!r}"
    return int(found.group(1))


# -- every demo persona ------------------------------------------------------------------------
EXPECTED = {
    "officer": ["我的待办", "规则发现的问题", "入会与组建", "处理意见", "党费上缴", "人员与角色"],
    "admin": ["规则发现的问题", "入会与组建", "人员与角色"],
    "liaison": ["我的单位", "天津市互联网协会", "规则发现的问题"],
    "secretary": ["组织生活待办", "党费待办", "规则发现的问题"],
    "instructor": ["我的联系单位与走访", "我联系的单位"],
    "authority": ["收到的处理意见", "所主管单位的报告"],
    "auditor": ["审计日志", "今日登录次数"],
    "expert": ["待评分的案例评审", "我的全部评审"],
    "member": ["我即将参加的会议", "我的党费", "近一年未交党费的月数"],
}
NOT_EXPECTED = {
    "liaison": ["入会与组建", "人员与角色", "党费待办", "组织生活待办"],
    "secretary": ["入会与组建", "人员与角色", "处理意见"],
    "instructor": ["人员与角色", "党费"],
    "authority": ["人员与角色", "党费", "我的单位"],
    "auditor": ["规则发现的问题", "人员与角色"],
    "expert": ["规则发现的问题", "人员与角色", "党费"],
    "member": ["规则发现的问题", "组织生活待办", "人员与角色", "入会与组建"],
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_lands_on_their_own_to_do_list(persona_client, persona):
    response = persona_client(persona).get(reverse("home"))
    assert response.status_code == 200
    text = words(response)
    for expected in EXPECTED[persona]:
        assert expected in text, (persona, expected)
    for absent in NOT_EXPECTED.get(persona, []):
        assert absent not in text, (persona, absent)


def test_a_signed_in_user_with_no_role_is_told_so_and_whom_to_ask(persona_client):
    response = persona_client("outsider").get(reverse("home"))
    assert response.status_code == 200
    text = words(response)
    assert "您的账号还没有分配角色" in text and "outsider" in text
    assert "联合会的党务工作人员" in text and "系统管理员" in text
    assert "规则发现的问题" not in text and "我的待办" not in text


def test_the_home_page_names_each_role_held(persona_client):
    text = words(persona_client("secretary").get(reverse("home")))
    assert "党组织书记（天津市互联网金融协会党支部）" in text


def test_the_officers_findings_counts_are_the_open_findings_in_scope(persona_client):
    officer = get_user_model().objects.get(username="officer")
    response = persona_client("officer").get(reverse("home"))
    text = panel_html(response, "rules.findings")
    for severity in Severity:
        expected = scope.visible(Finding, officer).open().filter(severity=severity).count()
        assert count_of(text, f"未结问题：{severity.label}") == expected
    # The link goes to the worklist filtered to that severity.
    assert f"{reverse('rules:finding_list')}?severity=serious" in response.content.decode()


def test_the_liaison_sees_their_unit_and_none_of_anothers(persona_client):
    text = words(persona_client("liaison").get(reverse("home")))
    assert "天津市互联网协会" in text
    assert "天津市大数据协会" not in text
    liaison = get_user_model().objects.get(username="liaison")
    serious = scope.visible(Finding, liaison).open().filter(severity=Severity.SERIOUS).count()
    officer = get_user_model().objects.get(username="officer")
    assert serious < scope.visible(Finding, officer).open().filter(severity="serious").count()
    response = persona_client("liaison").get(reverse("home"))
    assert count_of(panel_html(response, "rules.findings"), "未结问题：严重") == serious


def test_the_demo_secretary_is_asked_to_hand_in_last_month(persona_client):
    response = persona_client("secretary").get(reverse("home"))
    text = panel(response, "dues.secretary")
    html = panel_html(response, "dues.secretary")
    month = dues_queries.label(dues_queries.last_ended_month(timezone.localdate()))
    assert f"上缴{month}党费" in text
    branch = PartyOrganization.objects.get(name="天津市互联网金融协会党支部")
    assert reverse("dues:hand_in_new", args=[branch.pk]) in response.content.decode()
    # The demo leaves one member of the branch six months behind (dues demo data).
    assert count_of(html, "连续六个月以上未交党费的党员") == 1


def test_the_demo_member_sees_the_branchs_next_meeting(persona_client):
    member = get_user_model().objects.get(username="member")
    upcoming = (
        scope.meetings(member)
        .filter(held_on__gte=timezone.localdate(), status=Meeting.Status.PLANNED)
        .order_by("held_on")
        .first()
    )
    text = panel(persona_client("member").get(reverse("home")), "orglife.mine")
    assert upcoming is not None and upcoming.topic in text
    assert f"{upcoming.held_on:%m-%d}" in text


# -- hand-built scenarios ------------------------------------------------------------------------
def test_a_secretary_sees_what_is_due_and_missing_and_it_goes_when_held(world):
    today = timezone.localdate()
    this_month = f"{today.year}年{today.month}月"
    first = today.replace(day=1)
    last_month_day = first - datetime.timedelta(days=1)
    last_month = f"{last_month_day.year}年{last_month_day.month}月"
    client = world.client(world.secretary_user)
    text = panel(client.get(reverse("home")), "orglife.due")
    # Nothing held yet: this month's theme day is still to hold (due at the month's end), last
    # month's was not held.
    assert f"{this_month}主题党日：尚待召开" in text
    next_month = (first + datetime.timedelta(days=32)).replace(day=1)
    assert f"截止 {next_month - datetime.timedelta(days=1):%Y-%m-%d}" in text
    assert f"{last_month}主题党日未召开" in text
    assert world.branch.name in text
    orglife.record_meetings_bulk(
        [
            {
                "party_organization_id": world.branch.pk,
                "kind": Meeting.Kind.THEME_DAY,
                "held_on": today,
            }
        ],
        actor=None,
    )
    text = panel(client.get(reverse("home")), "orglife.due")
    assert f"{this_month}主题党日：尚待召开" not in text
    assert f"{last_month}主题党日未召开" in text  # the past is not mended by this month


def test_a_secretary_sees_none_of_another_branchs_work(world):
    other_secretary = world.user(Role.BRANCH_SECRETARY, party_organization=world.other)
    text = words(world.client(other_secretary).get(reverse("home")))
    assert world.other.name in text
    assert world.branch.name not in text


def test_a_planned_meeting_past_its_day_is_a_record_to_finish(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    orglife.plan_meeting(
        world.branch,
        {"kind": Meeting.Kind.GENERAL_MEETING, "held_on": yesterday, "topic": "学习会"},
        actor=world.secretary_user,
    )
    response = world.client(world.secretary_user).get(reverse("home"))
    assert count_of(panel_html(response, "orglife.due"), "已召开、记录待完成的会议") == 1


# -- the registry ----------------------------------------------------------------------------
def test_a_panel_is_shown_only_with_its_capability_and_keys_are_unique(rf):
    keys = [p.key for p in home.registered()]
    assert len(keys) == len(set(keys))
    with pytest.raises(ValueError):
        home.register(Panel("x.unknown", "x", capability="no-such-capability", items=list))
    member = get_user_model().objects.get(username="member")
    shown = {p.key for p in home.panels_for(member)}
    assert {"orglife.mine", "dues.mine"} <= shown and "rules.findings" not in shown


def test_an_empty_panel_says_so_or_hides(rf):
    probe = Panel(
        "test.empty",
        "空面板",
        capability="member",
        items=lambda request, today: [],
        hide_when_empty=True,
    )
    home._PANELS[probe.key] = probe
    try:
        request = rf.get("/")
        request.user = get_user_model().objects.get(username="member")
        assert probe.key not in {s.panel.key for s in home.build(request, timezone.localdate())}
    finally:
        del home._PANELS[probe.key]
    assert Item("x", "/").tone == ""


def test_units_listed_for_the_instructor_are_theirs(persona_client):
    instructor = get_user_model().objects.get(username="instructor")
    mine = set(scope.organizations(instructor).values_list("name", flat=True))
    response = persona_client("instructor").get(reverse("home"))
    text = panel(response, "inspections.instructor")
    assert count_of(panel_html(response, "inspections.instructor"), "我联系的单位") == len(mine)
    others = Organization.objects.exclude(name__in=mine).values_list("name", flat=True)
    assert not [name for name in others if name in text]
