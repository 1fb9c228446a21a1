"""Coverage rates computed by hand on a small federation; snapshots; property tests."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.party.models import Coverage, PartyOrganization
from dangjian.registry.models import Organization
from dangjian.rules import coverage
from dangjian.rules.coverage import Rates, Scope
from dangjian.rules.engine import Engine
from dangjian.rules.models import CoverageSnapshot

D = datetime.date
pytestmark = pytest.mark.django_db


def test_rates_by_hand(world, five):
    rates = coverage.compute(Scope(world.fed), D(2025, 1, 1))
    # 6 members (G left); covered A B C F = 4; own A = 1; work adds D = 5.
    assert rates == Rates(total=6, organizational=4, single=1, work=5)
    assert rates.organizational_rate == 66.7 and rates.single_rate == 16.7
    # Before the joint branch (2022-07-01) and the instructor (2021-03-01); G still a member.
    assert coverage.compute(Scope(world.fed), D(2021, 1, 1)) == Rates(7, 2, 1, 2)
    # Scopes.
    assert coverage.compute(Scope(world.fed, category="chamber"), D(2025, 1, 1)) == Rates(
        2, 2, 0, 2
    )
    assert coverage.compute(Scope(world.fed, sector="enterprise"), D(2025, 1, 1)) == Rates(
        1, 1, 0, 1
    )
    assert coverage.compute(Scope(world.fed, sector="social"), D(2025, 1, 1)) == Rates(5, 3, 1, 4)
    assert coverage.compute(Scope(world.fed, district="河西区"), D(2025, 1, 1)) == Rates(2, 2, 0, 2)


def test_units_behind_each_figure(world, five):
    day = D(2025, 1, 1)

    def names(measure):
        return {o.pk for o in coverage.units_behind(Scope(world.fed), day, measure)}

    assert names("organizational") == {five[k].pk for k in "abcf"}
    assert names("single") == {five["a"].pk}
    assert names("work") == {five[k].pk for k in "abcdf"}
    assert names("no_work") == {five["e"].pk}


def test_breakdown_and_snapshots(world, five):
    day = D(2025, 1, 31)
    by_sector = dict(coverage.breakdown(Scope(world.fed), day, "sector"))
    assert by_sector["enterprise"] == Rates(1, 1, 0, 1) and by_sector["social"] == Rates(5, 3, 1, 4)
    by_category = dict(coverage.breakdown(Scope(world.fed), day, "category"))
    assert by_category["chamber"] == Rates(2, 2, 0, 2)
    written = coverage.take_monthly_snapshots(world.fed, D(2024, 11, 1), D(2025, 2, 10))
    assert (
        written
        and CoverageSnapshot.objects.filter(federation=world.fed, dimension="all").count() == 3
    )
    snap = CoverageSnapshot.objects.get(federation=world.fed, day=day, dimension="all")
    assert (snap.total, snap.organizational, snap.single, snap.work) == (6, 4, 1, 5)
    # as_of reads the snapshot for a past month end, even after a later correction…
    Coverage.objects.filter(organization=five["a"]).update(valid_to=D(2024, 12, 31))
    assert coverage.as_of(Scope(world.fed), day) == Rates(6, 4, 1, 5)
    # …until the snapshot is retaken; the live computation sees the correction at once.
    assert coverage.compute(Scope(world.fed), day) == Rates(6, 3, 0, 4)
    coverage.take_snapshot(world.fed, day)
    assert coverage.as_of(Scope(world.fed), day) == Rates(6, 3, 0, 4)


def test_as_of_today_equals_live(world, five):
    today = timezone.localdate()
    coverage.take_snapshot(world.fed, today)
    assert coverage.as_of(Scope(world.fed), today) == coverage.compute(Scope(world.fed), today)
    trend = coverage.trend(world.fed, today)
    assert trend[-1]["day"] == today.isoformat()
    assert trend[-1]["total"] == coverage.compute(Scope(world.fed), today).total


def test_demo_coverage(demo_federation):
    rates = coverage.compute(Scope(demo_federation))
    # 33 current members: 21 covered (9 own-branch units, 2 board, 10 joint + 信息化/云帆/海河
    # covered jointly by own branches), 9 with their own branch, 6 more with an instructor.
    assert rates.total == 33
    assert rates.work >= rates.organizational >= rates.single
    uncovered = {
        o.name
        for o in coverage.units_behind(Scope(demo_federation), timezone.localdate(), "no_work")
    }
    assert uncovered == {"天津市网络直播行业协会", "天津市网络游戏行业协会"}


unit_spec = st.tuples(
    st.integers(min_value=0, max_value=4),  # full members
    st.sampled_from(["none", "own", "joint", "board"]),
    st.booleans(),  # instructor
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(unit_spec, min_size=1, max_size=6), day=st.dates(D(2018, 6, 1), D(2026, 1, 1))
)
def test_properties(make_world, specs, day):
    world = make_world()
    for i, (full, cover, instructor) in enumerate(specs):
        unit = world.unit(f"性质{i}协会", full=full, joined=D(2019, 1, 1))
        if cover != "none":
            world.party_org(
                f"性质{i}党支部",
                units=[unit],
                coverage_kind={"own": "own", "joint": "joint", "board": "board"}[cover],
                valid_from=D(2020, 1, 1),
            )
        if instructor:
            world.instructor(unit, valid_from=D(2020, 6, 1))
    rates = coverage.compute(Scope(world.fed), day)
    assert rates.work >= rates.organizational >= rates.single
    assert rates.total == (len(specs) if day >= D(2019, 1, 1) else 0)
    in_scope_units = set(
        Organization.objects.filter(memberships__federation=world.fed).values_list("pk", flat=True)
    )
    in_scope_pos = set(
        PartyOrganization.objects.filter(federation=world.fed).values_list("pk", flat=True)
    )
    for candidates in Engine(world.fed, day).evaluate().values():
        for c in candidates:
            assert c.federation_id == world.fed.pk
            if c.party_organization_id:
                assert c.party_organization_id in in_scope_pos
            else:
                assert c.organization_id in in_scope_units
