"""A new day's run over findings found the day before (the nightly job), computed by hand:
a finding found again with the same text extends its run of observations to the day (no row a
day); its text reads the day as ``core.dates.AS_OF``, so it stays the same while the facts do.
Findings given the same values — every finding moved to the day, or many resolved at once — are
written together (``sync.SAME_VALUES``), with the same result as one by one.

The world: 22 branches of one unit each, created in 2019, with no meeting recorded. The
organizational-life rule finds each branch's 2024 (a closed year: its text says "截至
2024-12-31" on every later day) and 2025 (its text reads "截至" the day it is shown for)."""

import datetime

import pytest
from django.urls import reverse

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.orglife.models import Meeting
from dangjian.orglife.services.journal import meetings_changed
from dangjian.rules import sync
from dangjian.rules.models import Finding, FindingObservation, FindingStatusChange

D = datetime.date
pytestmark = pytest.mark.django_db
ORG = "orglife.irregular"
DAY, NEXT = D(2025, 6, 30), D(2025, 7, 1)
BRANCHES = 22


@pytest.fixture
def branches(world):
    assert sync.SAME_VALUES <= BRANCHES  # every finding moved to the day is written together
    return [
        world.party_org(f"第{i}支部", units=[world.unit(f"第{i}协会", full=3)])
        for i in range(BRANCHES)
    ]


@pytest.fixture
def officer(world, django_user_model):
    user = django_user_model.objects.create_user("runs-officer", password="Runs-officer-2026")
    UserSecurity.objects.update_or_create(user=user, defaults={"must_change_password": False})
    RoleAssignment.objects.create(
        user=user, role="federation_officer", federation=world.fed, valid_from=D(2019, 1, 1)
    )
    return user


def by_year(world, year):
    return Finding.objects.filter(federation=world.fed, rule_id=ORG, period_key=str(year))


def mine(world):
    return Finding.objects.filter(federation=world.fed, rule_id=ORG)


def runs(f):
    return list(f.observations.order_by("as_of").values_list("as_of", "until", "explanation"))


def rows(world):
    return FindingObservation.objects.filter(finding__federation=world.fed).count()


def test_a_new_days_run_extends_every_run_to_the_day(world, branches):
    (first,) = world.run(DAY, [ORG])
    assert first.created == 2 * BRANCHES
    before = {f.pk: (f.explanation, f.updated_at) for f in mine(world)}
    assert all("2024 年（截至 2024-12-31）" in f.explanation for f in by_year(world, 2024))
    assert all("2025 年（截至 {as_of}）" in f.explanation for f in by_year(world, 2025))

    (result,) = world.run(NEXT, [ORG])

    assert (result.found, result.created, result.updated) == (2 * BRANCHES, 0, 2 * BRANCHES)
    for f in mine(world):  # the text as it was; the day moved
        text, updated_at = before[f.pk]
        assert (f.first_seen, f.last_seen, f.version) == (DAY, NEXT, 2)
        assert f.explanation == text and f.updated_at > updated_at
        assert runs(f) == [(DAY, NEXT, text)]
    assert rows(world) == 2 * BRANCHES  # not a row more
    # Read as of its last day, and each day of its run as of that day.
    current = by_year(world, 2025).first()
    assert "2025 年（截至2025年7月1日）" in current.explanation_text
    (run,) = current.observations.all()
    assert "2025 年（截至2025年6月30日）" in run.explanation_on(DAY)

    # The same day again: nothing to write.
    (again,) = world.run(NEXT, [ORG])
    assert (again.created, again.updated, again.resolved) == (0, 0, 0)
    assert rows(world) == 2 * BRANCHES


def test_a_weekly_run_extends_the_runs_over_the_days_between(world, branches):
    world.run(DAY, [ORG])
    week = DAY + datetime.timedelta(days=7)
    world.run(week, [ORG])
    assert {tuple(runs(f)[0][:2]) for f in mine(world)} == {(DAY, week)}
    assert rows(world) == 2 * BRANCHES


def test_another_text_starts_a_run_and_a_day_not_found_is_not_bridged(world, branches):
    """On 1 July the first branch's 2025 general meetings are recorded (its 2025 text changes:
    a new run) and the second's whole 2024 (resolved: its run ends on 30 June); on 2 July the
    second's 2024 meetings are deleted again — found with the very text of 30 June, but 1 July
    did not find it: a run of its own, not one from 30 June."""
    world.run(DAY, [ORG])
    one, two = branches[0], branches[1]
    world.meet_regularly(one, D(2025, 1, 1), D(2025, 6, 30), kinds=("general_meeting",))
    world.meet_regularly(two, D(2024, 1, 1), D(2024, 12, 31))
    world.run(NEXT, [ORG])

    f = by_year(world, 2025).get(party_organization=one)
    (old, new) = runs(f)
    assert old[:2] == (DAY, DAY) and new[:2] == (NEXT, NEXT)
    assert "支部党员大会" in old[2] and "支部党员大会" not in new[2]
    closed = by_year(world, 2024).get(party_organization=two)
    assert (closed.status, closed.last_seen) == (Finding.Status.RESOLVED, DAY)
    assert [r[:2] for r in runs(closed)] == [(DAY, DAY)]

    Meeting.objects.filter(party_organization=two, held_on__year=2024).delete()
    meetings_changed([two.pk])
    after = NEXT + datetime.timedelta(days=1)
    world.run(after, [ORG])
    closed.refresh_from_db()
    assert (closed.status, closed.last_seen) == (Finding.Status.OPEN, after)
    (first_run, second_run) = runs(closed)
    assert first_run[:2] == (DAY, DAY) and second_run[:2] == (after, after)
    assert first_run[2] == second_run[2]


def test_a_replay_inside_a_run_splits_it_around_its_day(world, branches, client, officer):
    """Runs from 30 June to 7 July; the second branch's 2024 meetings recorded since. A replay
    of 3 July no longer finds its 2024 finding: the run keeps 30 June–2 July and 4–7 July, the
    status stays as today's evaluation left it, and the finding's page lists both runs."""
    world.run(DAY, [ORG])
    week = DAY + datetime.timedelta(days=7)
    world.run(week, [ORG])
    two = branches[1]
    world.meet_regularly(two, D(2024, 1, 1), D(2024, 12, 31))
    replayed = D(2025, 7, 3)
    world.run(replayed, [ORG])

    f = by_year(world, 2024).get(party_organization=two)
    assert f.status == Finding.Status.OPEN and f.last_seen == week
    (before_day, after_day) = runs(f)
    assert before_day[:2] == (DAY, D(2025, 7, 2)) and after_day[:2] == (D(2025, 7, 4), week)
    assert before_day[2] == after_day[2]
    others = by_year(world, 2024).exclude(pk=f.pk)
    assert {tuple(runs(o)[0][:2]) for o in others} == {(DAY, week)}

    client.force_login(officer)
    page = client.get(reverse("rules:finding_detail", args=[f.pk])).content.decode()
    assert "自此日至2025年7月2日的各次评估均发现" in page
    assert "自此日至2025年7月7日的各次评估均发现" in page
    on = client.get(reverse("rules:finding_detail", args=[f.pk]), {"as_of": "2025-07-03"})
    assert "截至2025年7月3日的评估未发现此问题" in on.content.decode()
    on = client.get(reverse("rules:finding_detail", args=[f.pk]), {"as_of": "2025-07-05"})
    assert "2024 年（截至2024年12月31日）" in on.content.decode()
    assert "评估未发现此问题" not in on.content.decode()
    # The worklist as of a day inside a run lists its findings, their texts as of that day.
    listed = client.get(reverse("rules:finding_list"), {"as_of": "2025-07-05"}).content.decode()
    assert listed.count("2025 年（截至2025年7月5日）") == BRANCHES
    assert listed.count("2024 年（截至2024年12月31日）") == BRANCHES
    replay = client.get(reverse("rules:finding_list"), {"as_of": "2025-07-03"}).content.decode()
    assert replay.count("2024 年（截至2024年12月31日）") == BRANCHES - 1


def test_replays_at_a_runs_edges_and_with_another_text(world, branches):
    """Runs from 30 June to 7 July. Since then the second branch's 2024 meetings were all
    recorded (no longer found) and the third's 2024 general meetings (found, with a shorter
    text). A replay of 3 July: the second's run is split around the day, the third's in three
    (its own text on 3 July). Then a replay of 30 June, the first day of those runs: the
    second's first run starts on 1 July; the third's 30 June becomes a run of its own text and
    its 1–2 July keep the old one."""
    world.run(DAY, [ORG])
    week = DAY + datetime.timedelta(days=7)
    world.run(week, [ORG])
    two, three = branches[1], branches[2]
    world.meet_regularly(two, D(2024, 1, 1), D(2024, 12, 31))
    world.meet_regularly(three, D(2024, 1, 1), D(2024, 12, 31), kinds=("general_meeting",))
    f2 = by_year(world, 2024).get(party_organization=two)
    f3 = by_year(world, 2024).get(party_organization=three)
    ((_, _, old),) = runs(f3)

    world.run(D(2025, 7, 3), [ORG])
    assert [r[:2] for r in runs(f2)] == [(DAY, D(2025, 7, 2)), (D(2025, 7, 4), week)]
    (a, b, c) = runs(f3)
    assert [a[:2], b[:2], c[:2]] == [
        (DAY, D(2025, 7, 2)),
        (D(2025, 7, 3), D(2025, 7, 3)),
        (D(2025, 7, 4), week),
    ]
    assert a[2] == c[2] == old and "支部党员大会" in old and "支部党员大会" not in b[2]

    world.run(DAY, [ORG])
    assert [r[:2] for r in runs(f2)] == [(D(2025, 7, 1), D(2025, 7, 2)), (D(2025, 7, 4), week)]
    assert [(r[0], r[1], r[2] == old) for r in runs(f3)] == [
        (DAY, DAY, False),
        (D(2025, 7, 1), D(2025, 7, 2), True),
        (D(2025, 7, 3), D(2025, 7, 3), False),
        (D(2025, 7, 4), week, True),
    ]
    # Today's worklist as today's evaluation left it: replays move no status.
    for f in (f2, f3):
        f.refresh_from_db()
        assert (f.status, f.last_seen, f.explanation) == (Finding.Status.OPEN, week, old)


def test_findings_resolved_together_each_have_their_history(world, branches):
    world.run(DAY, [ORG])
    for po in branches:  # every 2024 meeting recorded after the fact
        world.meet_regularly(po, D(2024, 1, 1), D(2024, 12, 31))

    (result,) = world.run(NEXT, [ORG])

    assert (result.resolved, result.found) == (BRANCHES, BRANCHES)
    closed = by_year(world, 2024)
    assert {(f.status, f.resolved_on, f.version, f.last_seen) for f in closed} == {
        (Finding.Status.RESOLVED, NEXT, 2, DAY)
    }
    changes = FindingStatusChange.objects.filter(finding__in=closed)
    assert (
        sorted(changes.values_list("from_status", "to_status", "as_of"))
        == [("open", "resolved", NEXT)] * BRANCHES
    )
    assert {f.status for f in by_year(world, 2025)} == {Finding.Status.OPEN}


def test_the_admins_finding_form_reads_the_text_as_of_its_last_day(
    world, branches, client, django_user_model
):
    world.run(DAY, [ORG])
    world.run(NEXT, [ORG])
    admin = django_user_model.objects.create_superuser("runs-admin", password="Runs-admin-2026!")
    UserSecurity.objects.update_or_create(user=admin, defaults={"must_change_password": False})
    client.force_login(admin)
    finding = by_year(world, 2025).first()
    page = client.get(reverse("admin:rules_finding_change", args=[finding.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "2025 年（截至2025年7月1日）组织生活记录不全" in text and "{as_of}" not in text
    assert 'name="explanation"' not in text  # the engine's text, not a field to edit


def test_a_findings_runs_go_with_it(world, branches):
    """The runs of observations have no constraint of their own in the database (the engine
    writes them from their findings): the ORM's cascade deletes them with their finding."""
    world.run(DAY, [ORG])
    world.run(NEXT, [ORG])
    assert rows(world) == 2 * BRANCHES
    Finding.objects.filter(federation=world.fed, party_organization=branches[0]).delete()
    assert rows(world) == 2 * (BRANCHES - 1)
    assert not FindingObservation.objects.exclude(
        finding_id__in=Finding.objects.values("pk")
    ).exists()
