"""The kept pairs of alike minutes (``orglife.services.pairs``): every writer of minutes keeps
them as the signatures make them — checked against all the signed minutes paired at once after
each step of a random sequence of writes — and the near-duplicate rule judged whole reads them
with the same findings as when it pairs the signatures itself."""

import datetime
import io
import random
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from dangjian.core.models import Touch
from dangjian.demo import minutes_text
from dangjian.orglife import services, similarity
from dangjian.orglife.models import Meeting, MinutePair, MinutePairing
from dangjian.orglife.services import pairs
from dangjian.rulebook.services import set_override
from dangjian.rules.engine import Engine
from dangjian.rules.kinds import integrity

from .conftest import Branch
from .test_integrity import DAY, TODAY, found, held

pytestmark = pytest.mark.django_db
RULE = "integrity.minutes_copied"


def kept():
    return sorted(
        MinutePair.objects.values_list("first_id", "second_id", "k", "agreement", "similarity")
    )


def made_now():
    """The pairs all the signed minutes make, paired at once (what ``rebuild`` writes)."""
    return sorted((a, b, 5, agree, alike) for a, b, agree, alike in pairs.computed(5))


def recorded(world, org, day, minutes):
    return services.record_meeting(
        org, kind=Meeting.Kind.STUDY, held_on=day, minutes=minutes, actor=None
    )


def test_every_writer_keeps_the_pairs_the_signed_minutes_make(world):
    rng = random.Random(31)
    orgs = [world.branch, world.other]
    texts = [minutes_text.compose(rng, org=o.name, kind="study", day=DAY) for o in orgs * 2]
    meetings = []

    def text():
        """A fresh text, or a copy of one already written, edited a little or a lot."""
        if not meetings or rng.random() < 0.3:
            return (
                rng.choice(texts)
                if rng.random() < 0.2
                else minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
            )
        source = Meeting.objects.get(pk=rng.choice(meetings).pk).minutes or rng.choice(texts)
        copy = minutes_text.copy_with_edits(
            rng, source, org_from=world.branch.name, org_to=world.other.name, day=DAY
        )
        if rng.random() < 0.5:  # edited again: nearer the kept floor, above or under it
            copy = minutes_text.copy_with_edits(
                rng, copy, org_from=world.other.name, org_to=world.branch.name, day=DAY
            )
        return copy

    for step in range(40):
        day = DAY - datetime.timedelta(days=rng.randrange(0, 30))
        choice = rng.random()
        if choice < 0.35 or len(meetings) < 3:
            meetings.append(recorded(world, rng.choice(orgs), day, text()))
        elif choice < 0.5:
            made = services.record_meetings_bulk(
                [
                    {
                        "party_organization_id": rng.choice(orgs).pk,
                        "kind": "study",
                        "held_on": day,
                        "minutes": text(),
                    }
                    for _ in range(3)
                ],
                actor=None,
            )
            meetings += made
        elif choice < 0.7:
            meeting = Meeting.objects.get(pk=rng.choice(meetings).pk)
            services.update_meeting(meeting, {"minutes": text()}, actor=None)
        elif choice < 0.8:
            changes = [
                (Meeting.objects.get(pk=m.pk), {"minutes": text()}) for m in rng.sample(meetings, 2)
            ]
            services.update_meetings_bulk(changes, actor=None)
        elif choice < 0.9:
            meeting = Meeting.objects.get(pk=rng.choice(meetings).pk)
            services.update_meeting(meeting, {"minutes": ""}, actor=None)
        else:
            gone = meetings.pop(rng.randrange(len(meetings)))
            services.delete_meeting(Meeting.objects.get(pk=gone.pk), actor=None)
        assert kept() == made_now(), f"step {step}"
    # The sequence made pairs both ways: copies kept, and copies edited under the floor left.
    assert len(kept()) >= 5
    floor = similarity.floor_bins(pairs.KEPT_FLOOR)
    assert all(agree >= floor and alike >= pairs.KEPT_FLOOR for *_, agree, alike in kept())
    # And a rebuild finds nothing to repair.
    drift = pairs.rebuild()
    assert (drift.missing, drift.extra, drift.written) == (0, 0, len(kept()))


def copies(world, seed, count=4):
    """An original and ``count`` copies of it in the two branches, a day apart."""
    rng = random.Random(seed)
    original = minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
    made = [held(world, minutes=original)]
    for i in range(count):
        org = world.other if i % 2 == 0 else world.branch
        copy = minutes_text.copy_with_edits(
            rng, original, org_from=world.branch.name, org_to=org.name, day=DAY
        )
        made.append(held(world, org=org, day=DAY + datetime.timedelta(days=i + 1), minutes=copy))
    return made


def described(candidates):
    return sorted(
        (c.period_key, c.explanation, tuple(sorted(c.evidence.items()))) for c in candidates
    )


def test_the_rule_judged_whole_reads_the_kept_pairs_with_the_same_findings(world, monkeypatch):
    made = copies(world, 41)
    # One copy held before the window: in a kept pair, but not the window's.
    old = made[1]
    Meeting.objects.filter(pk=old.pk).update(held_on=TODAY - datetime.timedelta(days=400))
    MinutePairing.objects.all().delete()
    paired_here = described(found(world, RULE))
    assert len(paired_here) == 3
    pairs.rebuild()
    assert pairs.complete(5, 0.8, 120) and any(old.pk in pair[:2] for pair in kept())

    def not_paired_here(*args):
        raise AssertionError("the whole run paired the signatures instead of reading the pairs")

    monkeypatch.setattr(integrity, "_signatures", not_paired_here)
    assert described(found(world, RULE)) == paired_here
    # A threshold under the kept floor: the rule pairs the signatures itself.
    set_override(
        world.federation, RULE, {"threshold": 0.6}, DAY.replace(month=1, day=1), actor=None
    )
    assert not pairs.complete(5, 0.6, 120)
    with pytest.raises(AssertionError, match="paired the signatures"):
        found(world, RULE)
    monkeypatch.undo()
    assert len(found(world, RULE)) == 3
    # So does a length under the kept one (shorter minutes have no kept pairs).
    set_override(
        world.federation, RULE, {"threshold": 0.8, "min_chars": 60}, DAY.replace(day=1), actor=None
    )
    assert not pairs.complete(5, 0.8, 60)
    monkeypatch.setattr(integrity, "_signatures", not_paired_here)
    with pytest.raises(AssertionError, match="paired the signatures"):
        found(world, RULE)


def test_the_whole_run_and_the_incremental_one_agree_with_kept_pairs(world):
    copies(world, 43, count=3)
    pairs.rebuild()
    Engine(world.federation, TODAY, rule_ids=[RULE]).run()
    later = copies(world, 44, count=2)
    services.update_meeting(Meeting.objects.get(pk=later[1].pk), {"minutes": ""}, actor=None)
    followed = Engine(world.federation, TODAY, rule_ids=[RULE]).run()
    assert followed[0].created == 1  # the one copy left of the second original
    forced = Engine(world.federation, TODAY, rule_ids=[RULE]).run(force=True)
    assert sum(r.created + r.updated + r.resolved + r.reopened for r in forced) == 0


def sign(*args):
    out = io.StringIO()
    call_command("sign_minutes", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_a_drift_is_reported_and_repaired_and_the_nightly_job_builds_missing_pairs(world):
    copies(world, 47, count=2)
    assert MinutePairing.objects.count() == 0
    # After the upgrade: no pairs complete; the nightly job builds them once.
    expected = made_now()
    assert len(expected) >= 3  # the three of the copies, besides any of the world's own
    out = sign()
    assert f"已保存 {len(expected)} 对相似会议记录；偏差：缺 0 对，多 0 对" in out
    assert kept() == expected and pairs.complete(5, 0.8, 120)
    assert "相似会议记录" not in sign()
    # A pair lost outside the services: the check finds it, puts it back, and has every rule
    # evaluated again.
    lost = MinutePair.objects.order_by("pk").first()
    lost.delete()
    journal = Touch.objects.count()
    out = sign("--pairs")
    assert "偏差：缺 1 对，多 0 对" in out and "下次规则运行将全部重新评估" in out
    assert kept() == expected
    assert Touch.objects.filter(fact=Touch.EVERYTHING).count() > 0
    assert Touch.objects.count() > journal


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_recording_copies_at_once_keep_their_pair(monkeypatch):
    """Each writer's transaction sees the other's bands only once committed: the second waits
    for the first (PostgreSQL's advisory lock) and pairs its minutes with the first's."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    world = Branch()
    rng = random.Random(53)
    original = minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
    copy = minutes_text.copy_with_edits(
        rng, original, org_from=world.branch.name, org_to=world.other.name, day=DAY
    )
    first_kept, written = threading.Event(), []
    real_keep = pairs.keep

    def keep_and_wait(ids, partners):
        real_keep(ids, partners)
        if threading.current_thread().name == "first":
            first_kept.set()
            time.sleep(1)  # the second writer has its bands written and waits for the lock

    def record(org, minutes):
        from django.db import connection as thread_connection

        try:
            written.append(recorded(world, org, DAY, minutes).pk)
        finally:
            thread_connection.close()

    monkeypatch.setattr(pairs, "keep", keep_and_wait)
    one = threading.Thread(target=record, args=(world.branch, original), name="first")
    one.start()
    first_kept.wait(30)
    two = threading.Thread(target=record, args=(world.other, copy), name="second")
    two.start()
    one.join()
    two.join()
    assert len(written) == 2
    mine = [(a, b) for a, b, *_ in kept() if a in written or b in written]
    assert mine == [tuple(sorted(written))]
    assert kept() == made_now()
