"""Findings follow the facts: a meeting written through the services marks its party
organization in the journal (``core.touch``); the next run re-evaluates only the rules that read
meetings, and the organizational-life rule only for the organizations touched. What it leaves
in the findings table is exactly what a full run leaves (hand-checked, then a random replay
compared both ways)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.test import override_settings
from django.utils import timezone

from dangjian.core import touch
from dangjian.orglife import services as orglife
from dangjian.orglife.models import Meeting
from dangjian.orglife.services.journal import meetings_changed
from dangjian.party.models import Coverage, Position
from dangjian.rules import tasks
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding, FindingObservation, RuleState
from dangjian.rules.registry import KINDS, READS, SUBJECTS, load_kinds

D = datetime.date
AS_OF = D(2025, 6, 30)
ORG = "orglife.irregular"
SHELL, DORMANT = "shell.empty_branch", "dormancy.dormant_society"
# Rules whose kinds read meetings (READS): a meeting change re-evaluates them, the rest not.
READ_MEETINGS = {
    ORG,
    "shell.empty_branch",
    "dormancy.dormant_society",
    "integrity.minutes_copied",
    "integrity.impossible_attendance",
    "integrity.late_record",
    "integrity.photo_reused",
    "members.lost_contact",
}
KINDS_ALL = ("general_meeting", "party_lesson", "theme_day", "life_meeting", "democratic_review")


def state_of(world):
    """The findings table as a person sees it, and each finding's observations."""
    rows = sorted(
        Finding.objects.filter(federation=world.fed).values_list(
            "rule_id",
            "subject_key",
            "period_key",
            "status",
            "explanation",
            "fingerprint",
            "first_seen",
            "last_seen",
            "resolved_on",
            "severity",
        )
    )
    seen = sorted(
        FindingObservation.objects.filter(finding__federation=world.fed).values_list(
            "finding__rule_id",
            "finding__subject_key",
            "finding__period_key",
            "as_of",
            "explanation",
        )
    )
    return rows, seen


def branch(world, name, *, gap=None, posts=0):
    """A branch meeting every month since 2019; ``gap``: (kind, first, last) not held."""
    po = world.party_org(name, units=[world.unit(f"{name}协会", full=3)], posts=posts)
    world.meet_regularly(po, D(2019, 1, 1), AS_OF, kinds=KINDS_ALL)
    if gap:
        kind, lo, hi = gap
        Meeting.objects.filter(
            party_organization=po, kind=kind, held_on__gte=lo, held_on__lte=hi
        ).delete()
        meetings_changed([po.pk])
    return po


def org_findings(world):
    return Finding.objects.filter(federation=world.fed, rule_id=ORG)


def test_every_kind_declares_what_journaled_facts_it_reads():
    """A tripwire: a new journaled fact needs every kind's ``reads`` reviewed, and a new kind
    states its reads (by default a kind reads every journaled fact: correct, never fast)."""
    load_kinds()
    assert {"orglife.Meeting"} == touch.JOURNALED
    assert set(READS) == set(KINDS)
    assert SUBJECTS == {
        "orglife_irregular": "party_organization",
        "empty_branch": "party_organization",
        "dormant_society": "organization",
    }


def test_a_recorded_meeting_re_evaluates_its_branch_alone(world):
    a = branch(world, "甲支部")
    b = branch(world, "乙支部", gap=("general_meeting", D(2025, 1, 1), D(2025, 3, 31)))
    first = {r.rule_id: r for r in world.run(AS_OF)}
    assert first[ORG].found == 1
    finding = org_findings(world).get()
    assert finding.subject_key == f"p{b.pk}" and finding.period_key == "2025"
    assert "支部党员大会（每季度至少 1 次）缺 1 个季度：2025年第一季度" in finding.explanation

    # Another branch's meeting: the rule judges that branch alone and changes nothing.
    orglife.record_meeting(a, kind="party_lesson", held_on=D(2025, 5, 5), actor=None)
    results = {r.rule_id: r for r in world.run(AS_OF)}
    assert results[ORG].subjects == {a.pk} and results[ORG].found == 1
    assert (results[ORG].created, results[ORG].resolved, results[ORG].updated) == (0, 0, 0)
    skipped = {rule for rule, r in results.items() if r.skipped}
    assert skipped == set(results) - READ_MEETINGS  # the rules that read no meeting

    # The missing general meeting is recorded: only B is judged, and its finding resolves.
    meeting = orglife.record_meeting(b, kind="general_meeting", held_on=D(2025, 2, 14), actor=None)
    (result,) = world.run(AS_OF, [ORG])
    assert result.subjects == {b.pk}
    assert (result.resolved, result.found) == (1, 0)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED and finding.resolved_on == AS_OF

    # Moved into April (the second quarter): the first quarter is missing again.
    orglife.update_meeting(meeting, {"held_on": D(2025, 4, 2)}, actor=None)
    (result,) = world.run(AS_OF, [ORG])
    assert result.subjects == {b.pk} and result.found == 1
    # The same as a full run: nothing to change.
    (forced,) = Engine(world.fed, AS_OF, rule_ids=[ORG]).run(force=True)
    assert forced.subjects is None and forced.found == 1
    assert (forced.created, forced.resolved, forced.reopened, forced.updated) == (0, 0, 0, 0)

    # Nothing touched since: skipped.
    (result,) = world.run(AS_OF, [ORG])
    assert result.skipped


def test_a_change_outside_the_journal_evaluates_the_rule_whole(world):
    b = branch(world, "乙支部")
    world.run(AS_OF, [ORG])
    # Committee posts are read by the rule (committee meetings owed) and are not journaled.
    for role in (Position.Role.ORGANIZATION, Position.Role.PUBLICITY):
        Position.objects.create(
            member=world.members(1, relation=b)[0],
            party_organization=b,
            role=role,
            valid_from=D(2019, 1, 1),
        )
    (result,) = world.run(AS_OF, [ORG])
    assert not result.skipped and result.subjects is None
    # Three posts: the branch owes a committee meeting every month and held none.
    assert result.found == 2 and result.created == 2


def test_everything_marked_evaluates_whole(world):
    branch(world, "乙支部")
    world.run(AS_OF, [ORG])
    touch.everything()
    (result,) = world.run(AS_OF, [ORG])
    assert not result.skipped and result.subjects is None


def test_a_meeting_of_a_former_branch_moves_its_units_and_their_branches(world):
    """A unit covered by 旧支部 until it was dissolved (30 September 2024), then by 新支部, which
    never met: the unit looks dormant (no activity since it joined in 2019) and 新支部 an empty shell
    whose every unit is dormant. A meeting 旧支部 held on 1 August 2024, recorded late, makes
    the unit active: the dormancy rule judges the units 旧支部 ever covered, the empty-shell
    rule 旧支部 and every branch covering those units — 新支部 among them."""
    unit = world.unit("庚协会", full=3)
    old = world.party_org("旧支部", units=[unit], valid_to=D(2024, 9, 30))
    Coverage.objects.filter(party_organization=old).update(valid_to=D(2024, 9, 30))
    new = world.party_org("新支部", valid_from=D(2024, 10, 1))
    Coverage.objects.create(
        party_organization=new, organization=unit, kind=Coverage.Kind.OWN, valid_from=D(2024, 10, 1)
    )
    world.run(AS_OF)
    dormant = Finding.objects.get(federation=world.fed, rule_id=DORMANT)
    assert dormant.subject_key == f"o{unit.pk}"
    assert "最近一次活动记录为 2019-01-01，已 77 个月无活动记录" in dormant.explanation
    shell = Finding.objects.get(federation=world.fed, rule_id=SHELL)
    assert shell.subject_key == f"p{new.pk}"
    assert "所覆盖的单位均已退出联合会或处于休眠状态" in shell.explanation

    orglife.record_meeting(old, kind="general_meeting", held_on=D(2024, 8, 1), actor=None)
    results = {r.rule_id: r for r in world.run(AS_OF)}
    assert results[DORMANT].subjects == {unit.pk}
    assert results[SHELL].subjects == {old.pk, new.pk}
    dormant.refresh_from_db()
    assert dormant.status == Finding.Status.RESOLVED
    shell.refresh_from_db()
    assert shell.status == Finding.Status.OPEN  # still no organizational life of its own
    assert "所覆盖的单位均已退出联合会或处于休眠状态" not in shell.explanation
    assert "没有任何组织生活记录" in shell.explanation
    after = state_of(world)
    for r in Engine(world.fed, AS_OF).run(force=True):
        assert (r.created, r.resolved, r.reopened, r.updated) == (0, 0, 0, 0), r.rule_id
    assert state_of(world) == after


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_incremental_equals_full(world, seed):
    """Random meetings recorded, moved, deleted and planned, in a few branches (some founded
    or dissolved inside the checked years): after each step the incremental run leaves the
    findings as a forced full run then finds them (it changes nothing)."""
    rng = random.Random(seed)
    pos = [
        branch(world, "甲支部"),
        branch(world, "乙支部", gap=("general_meeting", D(2024, 4, 1), D(2024, 9, 30))),
        branch(world, "丙支部", gap=("theme_day", D(2025, 1, 1), D(2025, 5, 31)), posts=3),
        world.party_org("丁支部", units=[world.unit("丁协会", full=3)], valid_from=D(2024, 3, 20)),
        world.party_org(
            "戊支部", units=[world.unit("戊协会", full=3)], valid_to=D(2025, 2, 10), secretary=False
        ),
        # Never met: an empty shell whose unit looks dormant, until a meeting is recorded.
        world.party_org("己支部", units=[world.unit("己协会", full=3)]),
    ]
    world.meet_regularly(pos[3], D(2024, 5, 1), D(2024, 12, 31), kinds=KINDS_ALL)
    world.run(AS_OF)
    kinds = [*KINDS_ALL, "committee_meeting"]
    for _step in range(12):
        for _ in range(rng.randint(1, 3)):
            po = rng.choice(pos)
            day = D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 546))
            mine = list(Meeting.objects.filter(party_organization=po).order_by("pk"))
            action = rng.choice(["record", "record", "move", "delete", "plan", "bulk"])
            if action == "record" or not mine:
                orglife.record_meeting(po, kind=rng.choice(kinds), held_on=day, actor=None)
            elif action == "move":
                orglife.update_meeting(rng.choice(mine), {"held_on": day}, actor=None)
            elif action == "delete":
                orglife.delete_meeting(rng.choice(mine), actor=None)
            elif action == "plan":
                orglife.plan_meeting(po, {"kind": rng.choice(kinds), "held_on": day}, actor=None)
            else:
                orglife.record_meetings_bulk(
                    [
                        {"party_organization_id": p.pk, "kind": rng.choice(kinds), "held_on": day}
                        for p in rng.sample(pos, 2)
                    ],
                    actor=None,
                )
        incremental = {r.rule_id: r for r in world.run(AS_OF)}
        for rule in (ORG, SHELL, DORMANT):  # judged incrementally
            assert incremental[rule].skipped or incremental[rule].subjects is not None, rule
        after = state_of(world)
        forced = Engine(world.fed, AS_OF).run(force=True)
        assert state_of(world) == after
        for r in forced:
            assert (r.created, r.resolved, r.reopened, r.updated) == (0, 0, 0, 0), r.rule_id
            assert r.found == incremental[r.rule_id].found, r.rule_id


def _today_world(world):
    """A branch that missed last year's first-quarter general meeting, run as of today."""
    today = timezone.localdate()
    year = today.year - 1
    po = world.party_org("今支部", units=[world.unit("今协会", full=3)])
    world.meet_regularly(po, D(2019, 1, 1), today, kinds=KINDS_ALL)
    Meeting.objects.filter(
        party_organization=po,
        kind="general_meeting",
        held_on__gte=D(year, 1, 1),
        held_on__lte=D(year, 3, 31),
    ).delete()
    meetings_changed([po.pk])
    world.run(today)
    assert org_findings(world).open().count() == 1
    return po, year


@override_settings(DANGJIAN_FOLLOW_FACTS="request")
def test_a_meeting_recorded_in_a_request_resolves_its_finding_at_once(
    world, django_capture_on_commit_callbacks
):
    po, year = _today_world(world)
    with django_capture_on_commit_callbacks(execute=True):
        orglife.record_meeting(po, kind="general_meeting", held_on=D(year, 2, 1), actor=None)
    assert not org_findings(world).open().exists()
    # The rules that would be evaluated whole wait for the next run: their journal line stays.
    lost = RuleState.objects.get(federation=world.fed, rule_id="members.lost_contact")
    assert lost.journal is not None and lost.journal < touch.latest()
    # Those judged per subject followed at once.
    empty = RuleState.objects.get(federation=world.fed, rule_id="shell.empty_branch")
    assert empty.journal == touch.latest()
    results = {r.rule_id: r for r in world.run(timezone.localdate())}
    assert not results["members.lost_contact"].skipped
    assert results[ORG].skipped and results["shell.empty_branch"].skipped


@override_settings(DANGJIAN_FOLLOW_FACTS="task")
def test_the_task_worker_follows_the_facts(world, django_capture_on_commit_callbacks):
    po, year = _today_world(world)
    with django_capture_on_commit_callbacks(execute=True):
        orglife.record_meeting(po, kind="general_meeting", held_on=D(year, 2, 1), actor=None)
    assert org_findings(world).open().count() == 1  # queued, not yet run
    summary = tasks.follow()
    assert summary[world.fed.pk][ORG]["resolved"] == 1
    assert not org_findings(world).open().exists()


def test_lines_every_state_has_read_are_pruned(world):
    from dangjian.core.models import Touch

    RuleState.objects.exclude(federation=world.fed).delete()  # this world's states alone
    po = branch(world, "乙支部")
    world.run(AS_OF)
    orglife.record_meeting(po, kind="party_lesson", held_on=D(2025, 5, 5), actor=None)
    line = touch.latest()
    world.run(AS_OF, [ORG])  # one rule has read it: kept for the others
    assert Touch.objects.filter(pk=line).exists()
    world.run(AS_OF)  # every rule has: gone
    assert not Touch.objects.filter(pk__lte=line).exists()
    assert set(RuleState.objects.values_list("journal", flat=True)) == {line}
