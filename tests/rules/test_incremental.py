"""Findings follow the facts: a meeting written through the services marks its party
organization in the journal (``core.touch``); the next run re-evaluates only the rules that read
meetings, and the organizational-life rule only for the organizations touched. What it leaves
in the findings table is exactly what a full run leaves (hand-checked, then a random replay
compared both ways)."""

from __future__ import annotations

import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dangjian.core import touch
from dangjian.demo import minutes_text
from dangjian.orglife import services as orglife
from dangjian.orglife.models import Attendance, Meeting, MinuteBand
from dangjian.orglife.services import bands
from dangjian.orglife.services.journal import meetings_changed
from dangjian.party.models import Coverage, Position
from dangjian.rules import tasks
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding, FindingObservation, RuleState
from dangjian.rules.registry import KINDS, READS, SUBJECTS, load_kinds
from tests.orglife.test_integrity import picture, upload

D = datetime.date
AS_OF = D(2025, 6, 30)
ORG = "orglife.irregular"
SHELL, DORMANT = "shell.empty_branch", "dormancy.dormant_society"
LATE = "integrity.late_record"
COPIED, IMPOSSIBLE = "integrity.minutes_copied", "integrity.impossible_attendance"
PHOTO, LOST = "integrity.photo_reused", "members.lost_contact"
# Every rule that reads meetings is judged per subject in an incremental run.
PER_SUBJECT = (ORG, SHELL, DORMANT, LATE, COPIED, IMPOSSIBLE, PHOTO, LOST)
# Rules whose kinds read meetings (READS): a meeting change re-evaluates them, the rest not
# (the near-duplicate-minutes rule reads the minutes' bands: a meeting without minutes, in no
# pair, leaves it skipped).
READ_MEETINGS = {
    ORG,
    "shell.empty_branch",
    "dormancy.dormant_society",
    "integrity.impossible_attendance",
    "integrity.late_record",
    "integrity.photo_reused",
    "members.lost_contact",
}
KINDS_ALL = ("general_meeting", "party_lesson", "theme_day", "life_meeting", "democratic_review")


def state_of(world):
    """The findings table as a person sees it, and each finding's runs of observations."""
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
            "until",
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
        "record_late": "party_organization",
        "minutes_copied": "party_organization",
        "attendance_impossible": "party_organization",
        "photo_reused": "party_organization",
        "lost_contact": "party_organization",
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
    assert "最近一次活动记录为2019年1月1日，已 77 个月无活动记录" in dormant.explanation_text
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


def _integrity_records(world, pos, rng):
    """What the integrity and lost-contact rules judge, spread over the replay's branches:
    minutes copied from one branch's meeting into another's; a photo in two branches' records;
    more present than a branch has members; a member of 庚支部 present at a meeting of 甲支部
    and of 庚支部 (the same afternoon in two places once moved onto one day); 庚支部 keeping
    its records, one member present recently, one long ago, two never. Returns the meetings
    the replay edits, moves and aligns, and the minutes it writes."""
    a, b, c = pos[0], pos[1], pos[2]
    day = D(2025, 1, 1)
    texts = [minutes_text.compose(rng, org=po.name, kind="study", day=day) for po in (a, b, c)]
    texts.append(
        minutes_text.copy_with_edits(rng, texts[0], org_from=a.name, org_to=b.name, day=day)
    )
    texts.append(
        minutes_text.copy_with_edits(rng, texts[1], org_from=b.name, org_to=c.name, day=day)
    )
    written = [
        orglife.record_meeting(
            po,
            kind="study",
            held_on=D(2024, 9, 1) + datetime.timedelta(days=20 * i),
            minutes=text,
            actor=None,
        ).pk
        for i, (po, text) in enumerate(zip((a, b, c, b, c), texts, strict=True))
    ]
    keeper = world.party_org("庚支部", units=[world.unit("庚协会", full=3)])
    people = world.members(4, relation=keeper)
    afternoon = {"kind": "study", "starts_at": datetime.time(14), "ends_at": datetime.time(16)}
    away = orglife.record_meeting(
        a, held_on=D(2025, 3, 3), place="甲会议室", actor=None, **afternoon
    )
    home = orglife.record_meeting(
        keeper,
        held_on=D(2025, 3, 10),
        place="庚会议室",
        actor=None,
        **(afternoon | {"starts_at": datetime.time(15), "ends_at": datetime.time(17)}),
    )
    old = orglife.record_meeting(keeper, kind="study", held_on=D(2024, 10, 1), actor=None)
    present = Attendance.Status.PRESENT
    orglife.record_attendance_bulk(
        [
            {"meeting": away, "member_id": people[0].pk, "role": "guest", "status": present},
            {"meeting": home, "member_id": people[0].pk, "role": "voter", "status": present},
            {"meeting": old, "member_id": people[1].pk, "role": "voter", "status": present},
        ],
        actor=None,
    )
    crowded = orglife.record_meeting(
        c, kind="theme_day", held_on=D(2025, 2, 2), expected_count=40, present_count=40, actor=None
    )
    orglife.add_attachment(Meeting.objects.get(pk=written[0]), upload(picture(1)), actor=None)
    again = picture(1).resize((300, 188))
    orglife.add_attachment(Meeting.objects.get(pk=written[3]), upload(again), actor=None)
    orglife.add_attachment(away, upload(picture(2)), actor=None)
    moved = [*written, away.pk, home.pk, old.pk, crowded.pk]
    return moved, [away.pk, home.pk, old.pk], texts, keeper


def _alive(pks):
    return list(Meeting.objects.filter(pk__in=pks).order_by("pk"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_incremental_equals_full(world, seed):
    """Random meetings recorded, moved, deleted and planned, in a few branches (some founded
    or dissolved inside the checked years), and the integrity and lost-contact records
    (``_integrity_records``) moved, aligned and their minutes rewritten: after each step the
    incremental run — every rule that reads meetings judged per subject or skipped — leaves
    the findings as a forced full run then finds them (it changes nothing)."""
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
    moved, attended, texts, keeper = _integrity_records(world, pos, rng)
    pos.append(keeper)
    world.run(AS_OF)
    kinds = [*KINDS_ALL, "committee_meeting"]
    found: dict[str, int] = {}
    for _step in range(12):
        for _ in range(rng.randint(1, 3)):
            po = rng.choice(pos)
            day = D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 546))
            # A meeting with attendance or files deleted changes a fact outside the journal (a
            # whole run): the replay deletes the others.
            mine = list(
                Meeting.objects.filter(party_organization=po).exclude(pk__in=moved).order_by("pk")
            )
            action = rng.choice(
                ["record", "record", "move", "delete", "plan", "bulk", "minutes", "shift", "align"]
            )
            if action == "minutes":
                meeting = rng.choice(_alive(moved[:5]))
                orglife.update_meeting(meeting, {"minutes": rng.choice(texts)}, actor=None)
            elif action == "shift":
                orglife.update_meeting(rng.choice(_alive(moved)), {"held_on": day}, actor=None)
            elif action == "align":
                one, other = rng.sample(_alive(attended), 2)
                orglife.update_meeting(one, {"held_on": other.held_on}, actor=None)
            elif action == "record" or not mine:
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
        for rule in PER_SUBJECT:  # judged incrementally
            assert incremental[rule].skipped or incremental[rule].subjects is not None, rule
            if incremental[rule].found:
                found[rule] = found.get(rule, 0) + 1
        after = state_of(world)
        forced = Engine(world.fed, AS_OF).run(force=True)
        assert state_of(world) == after
        for r in forced:
            assert (r.created, r.resolved, r.reopened, r.updated) == (0, 0, 0, 0), r.rule_id
            assert r.found == incremental[r.rule_id].found, r.rule_id
    # Each rule judged per subject had findings in the replay (late records: the records
    # are written long after the meetings they record).
    assert set(found) >= {LATE, COPIED, IMPOSSIBLE, PHOTO, LOST}, found
    assert MinuteBand.objects.exists()


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
    # Every rule that reads meetings is judged per subject: each followed at once (a rule to
    # be evaluated whole would wait for the next run, its journal line kept).
    for rule in PER_SUBJECT:
        state = RuleState.objects.get(federation=world.fed, rule_id=rule)
        assert state.journal == touch.latest(), rule
    results = {r.rule_id: r for r in world.run(timezone.localdate())}
    assert all(results[rule].skipped for rule in PER_SUBJECT)


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


def _forced_changes_nothing(world, rule_ids):
    after = state_of(world)
    for r in Engine(world.fed, AS_OF, rule_ids=rule_ids).run(force=True):
        assert (r.created, r.resolved, r.reopened, r.updated) == (0, 0, 0, 0), r.rule_id
    assert state_of(world) == after


def _two_branches_and_a_copy(world, rng):
    """甲支部 and 乙支部, a day, minutes for 甲 and a copy of them edited for 乙 (not recorded)."""
    a = world.party_org("甲支部", units=[world.unit("甲协会", full=3)])
    b = world.party_org("乙支部", units=[world.unit("乙协会", full=3)])
    day = D(2025, 3, 1)
    original = minutes_text.compose(rng, org=a.name, kind="study", day=day)
    copy = minutes_text.copy_with_edits(rng, original, org_from=a.name, org_to=b.name, day=day)
    return a, b, day, original, copy


def test_copied_minutes_follow_either_meeting_of_a_pair(world):
    """甲支部's minutes of 1 March copied into 乙支部's record of 5 March: the later meeting, 乙's,
    carries the finding. Each change to 甲's meeting alone touches 甲 in the journal; 乙 is
    judged too — as the old partner of a rewritten or deleted signature (marked by the
    signature's bands), as a partner by the bands stored now otherwise."""
    rng = random.Random(11)
    a, b, day, original, copy = _two_branches_and_a_copy(world, rng)
    honest = minutes_text.compose(rng, org=a.name, kind="study", day=day)
    first = orglife.record_meeting(a, kind="study", held_on=day, minutes=original, actor=None)
    second = orglife.record_meeting(
        b, kind="study", held_on=D(2025, 3, 5), minutes=copy, actor=None
    )
    world.run(AS_OF)
    finding = Finding.objects.get(federation=world.fed, rule_id=COPIED)
    assert finding.period_key == f"meeting:{second.pk}" and finding.subject_key == f"p{b.pk}"
    assert "另一党组织" in finding.explanation

    def run():
        (result,) = world.run(AS_OF, [COPIED])
        _forced_changes_nothing(world, [COPIED])
        return result

    def found_today():
        """The meetings found on the day (a finding resolved and found again the same day
        stays resolved until a later day's run: the engine's rule)."""
        return set(
            FindingObservation.objects.filter(
                finding__federation=world.fed, finding__rule_id=COPIED, as_of=AS_OF
            ).values_list("finding__period_key", flat=True)
        )

    def edit(values):
        orglife.update_meeting(Meeting.objects.get(pk=first.pk), values, actor=None)

    # 甲's minutes rewritten: 乙 was its partner by the old bands.
    edit({"minutes": honest})
    result = run()
    assert result.subjects == {a.pk, b.pk} and (result.resolved, result.found) == (1, 0)
    assert found_today() == set()
    # Copied again: 乙 is its partner by the new bands.
    edit({"minutes": original})
    result = run()
    assert result.subjects == {a.pk, b.pk} and found_today() == {f"meeting:{second.pk}"}
    # 甲's meeting moved after 乙's: the finding moves to 甲's meeting.
    edit({"held_on": D(2025, 3, 9)})
    result = run()
    assert result.subjects == {a.pk, b.pk} and result.created == 1
    assert found_today() == {f"meeting:{first.pk}"}
    moved = Finding.objects.get(federation=world.fed, rule_id=COPIED, status=Finding.Status.OPEN)
    assert moved.period_key == f"meeting:{first.pk}" and moved.subject_key == f"p{a.pk}"
    assert "与另一党组织2025-03-05" in moved.explanation
    # Moved out of the window (more than 365 days before 30 June 2025): no pair left.
    edit({"held_on": D(2024, 6, 1)})
    result = run()
    assert result.subjects == {a.pk, b.pk} and result.resolved == 1 and found_today() == set()
    # On the window's first day (30 June 2024) it is compared again; then deleted: 乙 is
    # judged as the deleted signature's partner.
    edit({"held_on": D(2024, 6, 30)})
    assert run().found == 1 and found_today() == {f"meeting:{second.pk}"}
    orglife.delete_meeting(Meeting.objects.get(pk=first.pk), actor=None)
    result = run()
    assert result.subjects == {a.pk, b.pk} and found_today() == set()
    assert not MinuteBand.objects.filter(meeting_id=first.pk).exists()
    # Minutes in the window stored without a signature: the bands cannot say, evaluated whole.
    # (A raw write marks what it changed, as a writer of minutes does.)
    Meeting.objects.filter(pk=second.pk).update(minutes_chars=0, minutes_signature=b"")
    touch.mark(bands.MINUTES, party_organization=b.pk)
    result = run()
    assert result.subjects is None and not result.skipped


def test_copied_minutes_are_judged_whole_until_a_stopped_band_rebuild_goes_on(world):
    """The demo's raw writer and ``sign_minutes --bands`` write the band keys after the
    signatures, in meeting order; stopped midway, the last signed meetings have none, and a
    copy among them would be missed by the bands. The rule then judges every branch whole —
    and finds it — until ``sign_minutes --bands`` has gone on from where the rebuild stopped."""
    a, b, day, original, copy = _two_branches_and_a_copy(world, random.Random(12))
    first = orglife.record_meeting(a, kind="study", held_on=day, minutes=original, actor=None)
    world.run(AS_OF)
    assert not Finding.objects.filter(federation=world.fed, rule_id=COPIED).exists()
    second = orglife.record_meeting(
        b, kind="study", held_on=D(2025, 3, 5), minutes=copy, actor=None
    )
    keys = sorted(MinuteBand.objects.filter(meeting_id=second.pk).values_list("k", "key"))
    assert len(keys) > 1 and bands.last_banded() == second.pk
    # A rebuild stopped after 甲's meeting: 乙's copy, the last signed, has no bands.
    MinuteBand.objects.filter(meeting_id=second.pk).delete()
    assert bands.last_banded() == first.pk
    (result,) = world.run(AS_OF, [COPIED])
    assert result.subjects is None and result.found == 1
    finding = Finding.objects.get(federation=world.fed, rule_id=COPIED)
    assert finding.subject_key == f"p{b.pk}" and finding.period_key == f"meeting:{second.pk}"
    out = io.StringIO()
    call_command("sign_minutes", "--bands", "--no-progress", stdout=out)
    assert f"已为第 {first.pk} 号之后的会议写入 {len(keys)} 个查重分段键" in out.getvalue()
    rebuilt = MinuteBand.objects.filter(meeting_id=second.pk).values_list("k", "key")
    assert sorted(rebuilt) == keys
    # Complete again: a change to 乙's meeting is judged for the branches it touches.
    orglife.update_meeting(Meeting.objects.get(pk=second.pk), {"minutes": original}, actor=None)
    (result,) = world.run(AS_OF, [COPIED])
    assert result.subjects == {a.pk, b.pk} and result.found == 1


def test_a_member_s_contact_at_another_branch_s_meeting(world):
    """庚支部 keeps its records (a meeting with attendance on 1 May 2025); its member 甲 was
    present only as a guest at 乙支部's meeting of 1 March 2025, the other never. Limit: six
    months before 30 June 2025, 30 December 2024. 乙's meeting moved to 1 December 2024 — only
    乙 touched — puts 甲 out of contact: 庚 is judged too (the branch of a member present)."""
    keeper = world.party_org("庚支部", units=[world.unit("庚协会", full=3)], secretary=False)
    other = world.party_org("乙支部", units=[world.unit("乙协会", full=3)], secretary=False)
    guest, silent = world.members(2, relation=keeper)
    present = Attendance.Status.PRESENT
    home = orglife.record_meeting(keeper, kind="study", held_on=D(2025, 5, 1), actor=None)
    away = orglife.record_meeting(other, kind="study", held_on=D(2025, 3, 1), actor=None)
    orglife.record_attendance_bulk(
        [
            {"meeting": away, "member_id": guest.pk, "role": "guest", "status": present},
            {
                "meeting": home,
                "member_id": silent.pk,
                "role": "voter",
                "status": "absent",
                "reason": "sick",
            },
        ],
        actor=None,
    )
    world.run(AS_OF)
    lost = Finding.objects.filter(federation=world.fed, rule_id=LOST, status="open")
    assert [f.period_key for f in lost] == [f"m{silent.pk}"]
    orglife.update_meeting(Meeting.objects.get(pk=away.pk), {"held_on": D(2024, 12, 1)}, actor=None)
    (result,) = world.run(AS_OF, [LOST])
    assert result.subjects == {other.pk, keeper.pk} and (result.created, result.found) == (1, 2)
    finding = lost.get(period_key=f"m{guest.pk}")
    assert "最近一次联系（参加组织生活、交纳党费或联系上本人）为 2024-12-01" in finding.explanation
    # On 30 December 2024 it is still out of contact; one day later it is not.
    orglife.update_meeting(
        Meeting.objects.get(pk=away.pk), {"held_on": D(2024, 12, 30)}, actor=None
    )
    (result,) = world.run(AS_OF, [LOST])
    assert (result.updated, result.found) == (1, 2)
    orglife.update_meeting(
        Meeting.objects.get(pk=away.pk), {"held_on": D(2024, 12, 31)}, actor=None
    )
    (result,) = world.run(AS_OF, [LOST])
    assert result.subjects == {other.pk, keeper.pk} and (result.resolved, result.found) == (1, 1)
    _forced_changes_nothing(world, [LOST])
