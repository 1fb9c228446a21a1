"""The dashboard and big screen as users see them: Chinese, their federation only, 404 to
anyone who may see no federation, a table for every chart."""

import json

import pytest
from django.core.management import call_command

from dangjian.access.models import RoleAssignment

from .conftest import DAY

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


def test_officer_reads_the_figures_in_chinese(small, other):
    client = small.client(small.user())
    page = client.get("/dashboard/", {"day": DAY.isoformat()}).content.decode()
    assert f"数据看板 · {small.fed} · 2025-06-15" in page
    for words in (
        "覆盖率",
        "组织覆盖率",
        "60.0%",
        "未结问题",
        "其中严重",
        "组织生活",
        "党员结构",
        "预备党员",
        "党费",
        "以表格查看",
        "数据为刚刚根据台账计算的结果",
    ):
        assert words in page, words
    # Every chart has its table, with the list behind each row.
    assert page.count('<table class="table') == page.count('class="dash-box')
    assert f"/party-organizations/{small.pa.pk}/" in page
    assert (
        f"/rules/coverage/units/?federation={small.fed.pk}&amp;day=2025-06-15&amp;measure=organizational"
        in page
    )
    # Nothing of the other federation.
    assert "外会" not in page and str(other.fed) not in page


def test_officer_of_another_federation_sees_only_theirs(small, other):
    client = other.client(other.user())
    page = client.get("/dashboard/", {"federation": small.fed.pk, "day": DAY.isoformat()})
    text = page.content.decode()
    assert page.status_code == 200
    assert str(other.fed) in text and str(small.fed) not in text
    assert "甲协会" not in text
    data = client.get("/dashboard/data/", {"federation": small.fed.pk}).json()
    assert data["federation"] == str(other.fed)


@pytest.mark.parametrize(
    "role", [Role.UNIT_LIAISON, Role.BRANCH_SECRETARY, Role.AUTHORITY_VIEWER, None]
)
def test_others_get_no_dashboard_and_no_menu(small, role):
    if role == Role.UNIT_LIAISON:
        user = small.user(role, organization=small.pa.coverages.first().organization)
    elif role == Role.BRANCH_SECRETARY:
        user = small.user(role, party_organization=small.pa)
    elif role == Role.AUTHORITY_VIEWER:
        user = small.user(role, authority_name="市委网信办")
    else:
        from django.contrib.auth import get_user_model

        from dangjian.access.models import UserSecurity

        user = get_user_model().objects.create_user("dash-nobody", password="x")
        UserSecurity.objects.filter(user=user).update(must_change_password=False)
    client = small.client(user)
    for url in ("/dashboard/", "/dashboard/screen/", "/dashboard/data/"):
        assert client.get(url).status_code == 404, url
    assert 'id="menu-dashboard"' not in client.get("/").content.decode()


def test_menu_and_big_screen(small):
    client = small.client(small.user())
    home = client.get("/", follow=True).content.decode()
    assert 'id="menu-dashboard"' in home and "数据看板" in home
    screen = client.get("/dashboard/screen/", {"day": DAY.isoformat()}).content.decode()
    assert 'data-bs-theme="dark"' in screen
    assert "党建工作数据大屏" in screen and "主要指标" in screen
    assert 'data-refresh="300"' in screen
    assert "vendor/echarts/dist/echarts.min.js" in screen  # served locally
    assert "http://" not in screen.replace("http://testserver", "") and "https://" not in screen
    data = client.get("/dashboard/data/", {"day": DAY.isoformat()}).json()
    assert data["figures"]["coverage-1"]["value"] == 60.0
    assert set(data["charts"]) >= {"coverage-trend", "findings-kind", "orglife-heat", "dues-money"}


def test_future_day_refused(small):
    client = small.client(small.user())
    page = client.get("/dashboard/", {"day": "2999-01-01"}).content.decode()
    assert "不能查看未来日期的数据" in page


def test_nightly_command_and_snapshot_shown(small, capsys):
    call_command("dashboard_snapshot", "--day", DAY.isoformat(), "--federation", str(small.fed.pk))
    out = capsys.readouterr().out
    assert "9 个看板模块" in out
    client = small.client(small.user())
    page = client.get("/dashboard/", {"day": DAY.isoformat()}).content.decode()
    assert "夜间快照" in page and "立即重新计算" in page
    live = client.get("/dashboard/", {"day": DAY.isoformat(), "live": "1"}).content.decode()
    assert "数据为刚刚根据台账计算的结果" in live


def test_demo_officer_dashboard(officer_client, demo_federation):
    page = officer_client.get("/dashboard/").content.decode()
    assert "津网联" in page or str(demo_federation) in page
    charts = json.loads(
        page.split('id="dashboard-charts" type="application/json">')[1].split("</script>")[0]
    )
    assert charts["coverage-trend"]["x"]
    assert sum(charts["members-gender"]["series"][0]["data"]) > 0


def test_without_a_day_the_latest_snapshot_is_shown(small):
    """Opening the page never recomputes a large federation once a night's run exists."""
    from dangjian.dashboard.services import take_snapshots

    take_snapshots(small.fed, DAY)
    client = small.client(small.user())
    page = client.get("/dashboard/").content.decode()
    assert "2025-06-15" in page and "夜间快照" in page
    assert client.get("/dashboard/data/").json()["day"] == "2025-06-15"


def test_big_screen_refresh_follows_the_latest_night_unless_a_day_was_asked(small):
    from dangjian.dashboard.services import take_snapshots

    take_snapshots(small.fed, DAY)
    client = small.client(small.user())
    plain = client.get("/dashboard/screen/").content.decode()
    assert f'data-source="/dashboard/data/?federation={small.fed.pk}"' in plain
    assert '<span id="screen-day-value">2025-06-15</span>' in plain
    asked = client.get("/dashboard/screen/", {"day": "2025-05-31"}).content.decode()
    assert f"federation={small.fed.pk}&amp;day=2025-05-31" in asked
