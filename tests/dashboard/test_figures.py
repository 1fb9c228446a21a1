"""The dashboard's figures on a small federation, counted by hand (see conftest ``small``)."""

import datetime

import pytest

from dangjian.access import scope
from dangjian.dashboard.context import Context
from dangjian.dashboard.panels import PANELS, panels, table
from dangjian.dashboard.views import load

from .conftest import DAY, D

pytestmark = pytest.mark.django_db


def figures(small, key, day=DAY):
    return {p.key: p for p in panels()}[key].compute(Context.for_snapshot(small.fed, day))


def values(data):
    return [f["value"] for f in data["figures"]]


def chart(data, chart_id):
    return next(c for c in data["charts"] if c["id"] == chart_id)


def series(c):
    return {s["name"]: s["data"] for s in c["series"]}


def test_registry_holds_each_panel_once_in_order():
    keys = [p.key for p in panels()]
    assert keys == [
        "coverage",
        "findings",
        "orglife",
        "members",
        "dues",
        "terms",
        "recruitment",
        "transfers",
        "notices",
    ]
    assert set(PANELS) == set(keys)


def test_coverage(small, other):
    data = figures(small, "coverage")
    # 5 member units on DAY (F left in 2024): A, B, C covered (60 %), A its own (20 %), and D
    # with an instructor as well (80 %).
    assert values(data) == [5, 60.0, 20.0, 80.0]
    assert data["figures"][1]["detail"] == "3 / 5"
    trend = chart(data, "coverage-trend")
    assert trend["x"][-1] == "2025-06-15"
    assert series(trend)["组织覆盖率"][-1] == 60.0


def test_findings_open_by_kind_and_new_against_resolved(small, other):
    data = figures(small, "findings")
    # Open on DAY: the warning of March, the serious one of May, and the one resolved only
    # after DAY; the one resolved in April and the replayed ("past") one are not.
    assert values(data) == [3, 2]
    by_kind = chart(data, "findings-kind")
    rows = {r["label"]: r["values"] for r in table(by_kind)["rows"]}
    # Columns: serious, warning, information.
    assert rows == {"组织生活不规范": [0, 1, 0], "空壳支部": [1, 0, 0], "休眠社团": [1, 0, 0]}
    flow = chart(data, "findings-flow")
    assert flow["x"][0] == "2024-06" and flow["x"][-1] == "2025-05"
    by_month = dict(
        zip(flow["x"], zip(*[s["data"] for s in flow["series"]], strict=True), strict=True)
    )
    assert by_month["2024-12"] == (1, 0)
    assert by_month["2025-01"] == (1, 0)
    assert by_month["2025-02"] == (0, 0)  # the replayed one is not new
    assert by_month["2025-03"] == (1, 0)
    assert by_month["2025-04"] == (0, 1)
    assert by_month["2025-05"] == (1, 0)
    assert sum(n for n, _r in by_month.values()) == 4


def test_orglife_heat_map(small, other):
    data = figures(small, "orglife")
    # May 2025: A met its theme day, the joint branch did not: 1 of 2.
    assert values(data) == [50.0, 2]
    heat = chart(data, "orglife-heat")
    rows = {r["label"]: r["values"] for r in table(heat)["rows"]}
    joint = rows[f"联合党支部{small.n}"]
    own = rows[f"甲协会党支部{small.n}"]
    # The joint branch owes nothing before March 2025 (formed 10 February: February is not a
    # whole month of it), met March, missed April and May.
    assert joint == [None] * 9 + [100, 0, 0]
    # A: every month but April 2025 (the planned meeting does not count).
    assert own == [100] * 10 + [0, 100]
    # Lowest completion first.
    assert heat["y"] == [f"联合党支部{small.n}", f"甲协会党支部{small.n}"]
    assert heat["note"] == "共 2 个党组织，显示完成率最低的 2 个"


def test_members_structure(small, other):
    data = figures(small, "members")
    # On DAY: four members of A (one probationary) and one of B; the one who left on DAY and
    # the one who joins the day after are not counted.
    assert values(data) == [5, 1]
    rows = lambda cid: {r["label"]: r["values"][0] for r in table(chart(data, cid))["rows"]}  # noqa: E731
    assert rows("members-status") == {"正式党员": 4, "预备党员": 1}
    assert rows("members-gender") == {"男": 3, "女": 2}
    # Born 1995-06-15 is 30 on DAY; born 1995-06-16 is 29; B's member has no birth date.
    assert rows("members-age") == {
        "不满 30 岁": 2,
        "30–39 岁": 2,
        "40–49 岁": 0,
        "50–59 岁": 0,
        "60 岁及以上": 0,
        "未登记出生日期": 1,
    }
    assert rows("members-education") == {
        "高中及以下": 0,
        "大专": 1,
        "大学本科": 2,
        "硕士研究生": 1,
        "博士研究生": 1,
    }
    # Joined 2020-06-15: five years on DAY; 2020-06-16: four.
    assert rows("members-years") == {
        "不满 5 年": 2,
        "5–9 年": 1,
        "10–19 年": 1,
        "20–29 年": 0,
        "30 年及以上": 1,
    }


def test_a_day_earlier(small):
    """The same world a year earlier: the joint branch did not exist, nor the probationary
    member; the member who left was still there."""
    day = D(2024, 6, 15)
    # 6 units (F still a member); only A covered, by its own branch; A and D with work coverage.
    assert values(figures(small, "coverage", day)) == [6, 16.7, 16.7, 33.3]
    assert values(figures(small, "members", day)) == [5, 0]


def test_real_officer_sees_the_snapshot_figures(small, other):
    """What the snapshot stands in for (scope.officer_of) is what a real officer computes."""
    officer = small.user()
    live = load(Context(small.fed, DAY, officer), live=True)
    stand_in = load(Context.for_snapshot(small.fed, DAY), live=True)
    assert [p["figures"] for p in live] == [p["figures"] for p in stand_in]
    assert [p["charts"] for p in live] == [p["charts"] for p in stand_in]
    assert scope.federations(scope.officer_of(small.fed)).get() == small.fed


def test_snapshot_is_read_instead_of_recomputed(small):
    from dangjian.dashboard.services import take_snapshots

    officer = small.user()
    assert take_snapshots(small.fed, DAY) == 9  # one snapshot per registered panel
    small.unit("新会员单位", joined=D(2025, 6, 1))
    stored = load(Context(small.fed, DAY, officer))
    assert stored[0]["computed_at"] is not None
    assert stored[0]["figures"][0]["value"] == 5
    live = load(Context(small.fed, DAY, officer), live=True)
    assert live[0]["computed_at"] is None and live[0]["figures"][0]["value"] == 6
    # Another day has no snapshot: computed.
    other_day = load(Context(small.fed, DAY - datetime.timedelta(days=1), officer))
    assert other_day[0]["computed_at"] is None


def test_terms(small, other):
    from dangjian.party.models import Election

    # A (founded 2019-01-01, no election since): its 3-year term ended 2022-01-01, overdue.
    # The joint branch (2025-02-10) ends in 2028: beyond the bands. A third, founded
    # 2022-08-01, ends 2025-08-01: within 3 months of DAY. A fourth, elected 2022-11-20 ends
    # 2025-11-20: within 6 months (DAY + 6 months = 2025-12-15).
    small.branch("乙支部", [small.unit("庚协会")], valid_from=D(2022, 8, 1))
    fourth = small.branch("丙支部", [small.unit("辛协会")], valid_from=D(2019, 5, 1))
    Election.objects.create(
        party_organization=fourth, kind=Election.Kind.GENERAL, held_on=D(2022, 11, 20), term_years=3
    )
    data = figures(small, "terms")
    assert values(data) == [1, 2]
    assert chart(data, "terms-ending")["series"][0]["data"] == [1, 1, 1, 0]
    assert chart(data, "terms-ending")["x"][0] == "已过届满期限"
