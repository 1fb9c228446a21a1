"""Findings with their own history (issue 17, point 3), computed by hand.

The world: units joined on 1 January 2019 with four full members employed since 2016 (so each
owes a party organization from 1 January 2019, DOMAIN.md §3.1). Today is 15 November 2025; a
replay evaluates 30 June 2024. From 1 January 2019 the months are 65 to 30 June 2024 and 82 to
15 November 2025.
"""

import datetime

import pytest
from django.urls import reverse

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.core.dates import official_date
from dangjian.party.models import Coverage
from dangjian.rules import services
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding, FindingObservation, FindingStatusChange

D = datetime.date
pytestmark = pytest.mark.django_db
RULE = "formation.required_not_formed"
TODAY, PAST = D(2025, 11, 15), D(2024, 6, 30)


# As stored: the day and the months up to it are read as of the day it is shown for, so the
# text is the same on every day while the facts are.
STORED = (
    "该单位有正式党员 4 名（达到 3 名应建标准；组织关系未登记 4 名），截至 {as_of} 未被任何党组织覆盖，"
    "自 2019-01-01 起已持续 {months since 2019-01-01} 个月。"
)


def shown(day, months):
    return (
        f"该单位有正式党员 4 名（达到 3 名应建标准；组织关系未登记 4 名），截至{official_date(day)}"
        f"未被任何党组织覆盖，自2019年1月1日起已持续 {months} 个月。"
    )


def finding(unit):
    return Finding.objects.get(rule_id=RULE, organization=unit)


def observed(f):
    """Its runs of observations: (first day, last day, explanation)."""
    return list(f.observations.order_by("as_of").values_list("as_of", "until", "explanation"))


def worklist(world):
    return set(
        Finding.objects.open()
        .filter(federation=world.fed, rule_id=RULE)
        .values_list("organization__name", flat=True)
    )


def covered_from(world, unit, day, until=None):
    po = world.party_org(f"{unit.name}党支部", valid_from=D(2019, 1, 1))
    Coverage.objects.create(
        party_organization=po,
        organization=unit,
        kind=Coverage.Kind.OWN,
        valid_from=day,
        valid_to=until,
    )


def test_a_replay_of_the_past_after_today_leaves_todays_worklist_alone(world):
    still = world.unit("至今未建协会", full=4)
    since_fixed = world.unit("已建协会", full=4)
    covered_from(world, since_fixed, D(2025, 4, 1))  # covered since 1 April 2025
    world.run(TODAY, [RULE])
    assert worklist(world) == {still.name}

    (past,) = world.run(PAST, [RULE])
    # Both were uncovered on 30 June 2024; only the one still uncovered is in today's worklist.
    assert (past.found, past.created, past.resolved, past.reopened) == (2, 1, 0, 0)
    assert worklist(world) == {still.name}
    old = finding(since_fixed)
    assert old.status == Finding.Status.PAST and not old.is_open
    assert (old.first_seen, old.last_seen) == (PAST, PAST)
    assert observed(old) == [(PAST, PAST, STORED)]
    assert old.explanation_text == shown(PAST, 65)

    # The finding open today keeps today's text, and gains the replayed day in its history.
    current = finding(still)
    assert current.status == Finding.Status.OPEN
    assert (current.first_seen, current.last_seen) == (PAST, TODAY)
    assert current.explanation == STORED and current.explanation_text == shown(TODAY, 82)
    # The same text on both days, but not one run: the days between were not evaluated so.
    assert observed(current) == [(PAST, PAST, STORED), (TODAY, TODAY, STORED)]

    # Today again: nothing moves (the replay created nothing to resolve).
    (again,) = Engine(world.fed, TODAY, rule_ids=[RULE]).run(force=True)
    assert (again.created, again.resolved, again.reopened, again.updated) == (0, 0, 0, 0)
    assert worklist(world) == {still.name}
    assert finding(since_fixed).status == Finding.Status.PAST
    assert not FindingStatusChange.objects.filter(finding__federation=world.fed).exists()


def test_a_replay_neither_reopens_nor_resolves(world):
    """Evaluated on 31 March and 15 November 2025 in order, the unit covered from 1 July is
    resolved on 15 November; a replay of 30 June (it was uncovered then) and of 31 July (it
    was covered) leave it resolved, and the other unit open."""
    fixed = world.unit("七月建支部协会", full=4)
    covered_from(world, fixed, D(2025, 7, 1))
    open_one = world.unit("未建协会", full=4)
    world.run(D(2025, 3, 31), [RULE])
    (today,) = world.run(TODAY, [RULE])
    assert today.resolved == 1
    f = finding(fixed)
    assert (f.status, f.resolved_on) == (Finding.Status.RESOLVED, TODAY)
    world.run(D(2025, 6, 30), [RULE])
    world.run(D(2025, 7, 31), [RULE])
    f.refresh_from_db()
    assert (f.status, f.resolved_on) == (Finding.Status.RESOLVED, TODAY)
    # Its latest observation is now 30 June: the finding reads as of that day.
    assert f.last_seen == D(2025, 6, 30)
    assert f.explanation == STORED and f.explanation_text == shown(D(2025, 6, 30), 77)
    assert [(first, last) for first, last, _ in observed(f)] == [
        (D(2025, 3, 31), D(2025, 3, 31)),
        (D(2025, 6, 30), D(2025, 6, 30)),
    ]
    assert finding(open_one).status == Finding.Status.OPEN
    # The one status change is the engine's, decided by the evaluation of 15 November.
    (change,) = FindingStatusChange.objects.filter(finding=f)
    assert (change.from_status, change.to_status, change.as_of, change.actor) == (
        "open",
        "resolved",
        TODAY,
        None,
    )


def test_a_rerun_of_a_day_rewrites_only_what_changed(world):
    unit = world.unit("重算协会", full=4)
    world.run(TODAY, [RULE])
    world.run(PAST, [RULE])
    f = finding(unit)
    first = f.observations.get(as_of=PAST)
    Engine(world.fed, PAST, rule_ids=[RULE]).run(force=True)
    assert f.observations.get(as_of=PAST).recorded_at == first.recorded_at
    # A fifth member employed since 2016: the past day's text changes, today's row does not.
    world.members(1, employer=unit)
    Engine(world.fed, PAST, rule_ids=[RULE]).run(force=True)
    assert "正式党员 5 名" in f.observations.get(as_of=PAST).explanation
    f.refresh_from_db()
    assert f.explanation_text == shown(TODAY, 82) and f.last_seen == TODAY
    assert f.observations.count() == 2


def test_a_finding_of_the_past_only_goes_when_its_day_no_longer_finds_it(world):
    unit = world.unit("补录协会", full=4)
    covered_from(world, unit, D(2025, 4, 1))
    world.run(TODAY, [RULE])
    world.run(PAST, [RULE])
    assert finding(unit).status == Finding.Status.PAST
    # A correction: the unit was in fact covered from 2019 (its start entered wrong).
    Coverage.objects.filter(organization=unit).update(valid_from=D(2019, 1, 1))
    Engine(world.fed, PAST, rule_ids=[RULE]).run(force=True)
    assert not Finding.objects.filter(rule_id=RULE, organization=unit).exists()
    assert not FindingObservation.objects.filter(finding__organization=unit).exists()


def test_a_finding_of_the_past_found_today_opens(world):
    unit = world.unit("复现协会", full=4)
    covered_from(world, unit, D(2025, 4, 1), until=D(2025, 10, 31))
    world.run(TODAY - datetime.timedelta(days=45), [RULE])  # 1 October: covered
    world.run(PAST, [RULE])
    assert finding(unit).status == Finding.Status.PAST
    (today,) = world.run(TODAY, [RULE])  # uncovered again since 1 November
    f = finding(unit)
    assert (today.reopened, f.status, f.first_seen, f.last_seen) == (1, "open", PAST, TODAY)
    (change,) = f.status_changes.all()
    assert (change.from_status, change.to_status, change.actor_name) == ("past", "open", "")


def test_today_is_per_federation_in_the_tree(world, make_world):
    """A run over a federation below evaluates its subtree only: for the others, a day after
    their own latest is still today."""
    child = make_world()
    child.fed.parent = world.fed
    child.fed.save()
    unit_above = world.unit("上级协会", full=4)
    unit_below = child.unit("下级协会", full=4)
    child.run(TODAY, [RULE])
    world.run(PAST, [RULE])
    # The parent's run is the first for its own units: 30 June 2024 is their today.
    assert finding(unit_above).status == Finding.Status.OPEN
    assert finding(unit_below).status == Finding.Status.OPEN
    assert finding(unit_below).last_seen == TODAY


def test_a_day_in_the_future_is_refused(world):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValueError, match="future"):
        world.run(tomorrow, [RULE])


def test_the_timeline_shows_each_evaluation_and_who_changed_what(world, client, django_user_model):
    unit = world.unit("时间线协会", full=4)
    world.run(TODAY, [RULE])
    world.run(PAST, [RULE])
    officer = django_user_model.objects.create_user(
        "timeline-officer", password="Timeline-officer-2026", first_name="敏", last_name="张"
    )
    UserSecurity.objects.update_or_create(user=officer, defaults={"must_change_password": False})
    RoleAssignment.objects.create(
        user=officer, role="federation_officer", federation=world.fed, valid_from=D(2019, 1, 1)
    )
    f = finding(unit)
    services.change_status(
        f, "acknowledged", actor=officer, reason="已约谈该单位负责人", version=f.version
    )
    client.force_login(officer)
    url = reverse("rules:finding_detail", args=[f.pk])
    page = client.get(url).content.decode()
    timeline = page[page.index('id="timeline"') :]
    # Both evaluations with their own text, the replayed day first; then the person's change.
    assert timeline.index("2024年6月30日") < timeline.index("2025年11月15日")
    assert "截至2024年6月30日未被任何党组织覆盖，自2019年1月1日起已持续 65 个月" in timeline
    assert "截至2025年11月15日未被任何党组织覆盖，自2019年1月1日起已持续 82 个月" in timeline
    assert "状态：待处理 → 已确认" in timeline and "已约谈该单位负责人" in timeline
    assert "张" in timeline and "anonymous" not in page and "system" not in timeline
    # "As of" the replayed day: that day's explanation.
    past = client.get(url, {"as_of": PAST.isoformat()}).content.decode()
    lead = past[past.index('id="explanation"') :]
    assert lead.split("</p>")[0].endswith(
        "截至2024年6月30日未被任何党组织覆盖，自2019年1月1日起已持续 65 个月。"
    )
