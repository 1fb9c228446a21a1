"""Rules evaluated side by side (``rules.parallel``): a run whose rules are evaluated by two
threads, each on its own connection, and written as each is done, leaves exactly the findings,
observations and states a run one rule after the other leaves; a rule that fails stops the run,
every rule written whole or not at all, and the next run completes it; inside a transaction
every rule is evaluated in the caller's thread (other connections would not see its
writes)."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from dangjian.rulebook import loader
from dangjian.rules import coverage_kept, parallel
from dangjian.rules import engine as engine_module
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding, FindingObservation, RuleState
from dangjian.rules.sync import FindingsSync

from .conftest import World, shipped_entries

D = datetime.date
DAY = D(2025, 6, 30)


def _findings(world: World) -> list[tuple]:
    ours = Finding.objects.filter(federation=world.fed)
    return sorted(
        ours.values_list(
            "rule_id", "subject_key", "period_key", "status", "explanation", "fingerprint"
        )
    ) + sorted(
        FindingObservation.objects.filter(finding__federation=world.fed).values_list(
            "finding__rule_id", "finding__subject_key", "as_of", "explanation"
        )
    )


def _states(world: World) -> list[tuple]:
    # (Not the digest of the findings written — their ids differ from one run to the other —
    # nor the journal's position, which the first run's pruning moves.)
    return sorted(
        RuleState.objects.filter(federation=world.fed).values_list(
            "rule_id", "as_of", "inputs", "found"
        )
    )


def _forget(world: World) -> None:
    Finding.objects.filter(federation=world.fed).delete()
    RuleState.objects.filter(federation=world.fed).delete()


def _built() -> World:
    """Units covered and not, branches meeting and silent, a dormant unit: most rules find
    something."""
    world = World()
    a = world.unit("甲协会", full=5)
    b = world.unit("乙商会", full=4, category="chamber")
    c = world.unit("丙研究会", full=1, category="institute")
    world.unit("丁协会", full=3)  # 应建未建
    world.unit("戊协会")
    branch = world.party_org("甲协会党支部", units=[a], valid_from=D(2020, 1, 1))
    world.meet_regularly(branch, D(2024, 1, 1), D(2025, 3, 31))
    quiet = world.party_org("乙商会党支部", units=[b], valid_from=D(2021, 5, 1))
    world.meeting(quiet, "general_meeting", D(2024, 2, 20))
    world.instructor(c)
    return world


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("today", [False, True], ids=["past day", "today"])
def test_side_by_side_leaves_what_one_after_the_other_leaves(today, monkeypatch):
    """Today the formation rules read the day's kept coverage parts (``coverage_kept``),
    counted by the first thread that needs them — on SQLite by the run's own thread before
    the workers start: it writes under the one write lock. Each rule's findings are written by
    the worker that evaluated it on PostgreSQL, by the run's thread on SQLite."""
    world = _built()
    day = timezone.localdate() if today else DAY
    # Which threads counted the day whole (its parts summed: a second worker that waited for
    # the first's count serves it instead, ``coverage_kept._count_whole``).
    counted_in: list[str] = []
    summed = coverage_kept._summed

    def recorded(*args, **kwargs):
        counted_in.append(threading.current_thread().name)
        return summed(*args, **kwargs)

    monkeypatch.setattr(coverage_kept, "_summed", recorded)
    # Which thread writes each rule's findings.
    written_in: list[str] = []
    run_sync = FindingsSync.run

    def written(self, *args, **kwargs):
        written_in.append(threading.current_thread().name)
        return run_sync(self, *args, **kwargs)

    monkeypatch.setattr(FindingsSync, "run", written)
    with override_settings(RULE_WORKERS=2):
        assert parallel.workers_for(len(Engine(world.fed, day).rule_ids)) == 2
        side_by_side = Engine(world.fed, day).run()
    # (On PostgreSQL by the workers that evaluated them; on SQLite, one writer at a time, by
    # the run's thread.)
    if connection.vendor == "postgresql":
        assert written_in and all(name.startswith("rules-") for name in written_in)
        assert len(set(written_in)) == 2
    else:
        assert set(written_in) == {threading.current_thread().name}
    if today:
        assert len(counted_in) == 1
        if connection.vendor == "sqlite":
            assert counted_in == [threading.current_thread().name]
    found, states = _findings(world), _states(world)
    _forget(world)
    with override_settings(RULE_WORKERS=1):
        one_by_one = Engine(world.fed, day).run()
    assert [(r.rule_id, r.found, r.created) for r in side_by_side] == [
        (r.rule_id, r.found, r.created) for r in one_by_one
    ]
    assert sum(r.found for r in one_by_one) > 5  # the scenario finds things
    assert found == _findings(world)
    assert states == _states(world)
    # Run again on the same day: nothing changed, every rule skipped both ways.
    with override_settings(RULE_WORKERS=2):
        again = Engine(world.fed, day).run()
    assert all(r.skipped for r in again)
    assert found == _findings(world)


@pytest.mark.django_db(transaction=True)
def test_a_rule_that_fails_stops_the_run_and_the_next_run_completes_it():
    """A broken rulebook entry raises; each rule is then written whole or not at all (its
    findings and its state together), and a run with the entry mended leaves what a run one
    rule after the other leaves."""
    world = _built()
    order = ["formation.required_not_formed", "orglife.irregular", "dormancy.dormant_society"]
    mended = _book(order)
    # The organizational-life rule without its requirements.
    broken = _book(order, {"orglife.irregular": {}})
    with override_settings(RULE_WORKERS=2), pytest.raises(KeyError, match="requirements"):
        Engine(world.fed, DAY, book=broken, rule_ids=order).run()
    assert not [t for t in threading.enumerate() if t.name.startswith("rules-")]
    written = set(RuleState.objects.filter(federation=world.fed).values_list("rule_id", flat=True))
    found = set(Finding.objects.filter(federation=world.fed).values_list("rule_id", flat=True))
    assert "orglife.irregular" not in written | found
    assert found <= written
    with override_settings(RULE_WORKERS=2):
        Engine(world.fed, DAY, book=mended, rule_ids=order).run()
    after_failure = _findings(world)
    _forget(world)
    with override_settings(RULE_WORKERS=1):
        Engine(world.fed, DAY, book=mended, rule_ids=order).run()
    assert after_failure == _findings(world)
    assert {rule for rule, *_ in after_failure} == set(order)


def _book(order: list[str], parameters: dict | None = None) -> loader.Rulebook:
    """The shipped rulebook's rules of ``order``, with ``parameters`` instead of some rules'."""
    return loader.Rulebook([e for e in shipped_entries(parameters) if e["id"] in order])


@pytest.mark.django_db
def test_inside_a_transaction_the_rules_are_evaluated_in_the_callers_thread():
    with override_settings(RULE_WORKERS=4):
        assert transaction.get_connection().in_atomic_block  # the test's own transaction
        assert parallel.workers_for(20) == 1


def test_each_result_once_as_done_with_at_most_the_workers_ahead():
    started: list[int] = []
    consumed: list[int] = []
    ahead: list[int] = []

    def task(i: int):
        def run() -> int:
            started.append(i)
            ahead.append(len(started) - len(consumed))
            time.sleep(0.01 * (5 - i % 5))  # the later ones finish first
            return i * i

        return run

    results = {}
    for i, value in parallel.as_done([task(i) for i in range(12)], workers=3):
        consumed.append(i)
        results[i] = value
    assert results == {i: i * i for i in range(12)}
    assert sorted(consumed) == list(range(12))
    assert consumed != list(range(12))  # a shorter task's result came first
    # Three evaluated beside the one being consumed: a slot is given back before the result
    # is handed over, so that no thread idles while it is written.
    assert max(ahead) <= 3 + 1
    # One worker: in order, in the caller's thread.
    assert list(parallel.as_done([task(i) for i in range(3)], workers=1)) == [
        (0, 0),
        (1, 1),
        (2, 4),
    ]


def test_an_error_is_raised_when_consumed_and_the_rest_is_not_started():
    started: list[int] = []

    def task(i: int):
        def run() -> int:
            started.append(i)
            if i == 2:
                raise ValueError("第 3 条规则出错")
            time.sleep(0.05)
            return i

        return run

    with pytest.raises(ValueError, match="第 3 条规则出错"):
        for _ in parallel.as_done([task(i) for i in range(10)], workers=2):
            pass
    assert max(started) <= 4  # two started and not consumed at most
    assert not [t for t in threading.enumerate() if t.name.startswith("rules-")]


def test_the_readers_of_a_shared_computation_start_after_the_one_computing_it():
    """One reader of each shared computation starts early (it computes it), the others once
    everything else has started; heavy kinds first; the rulebook's order within each group."""
    shares = {
        "a.counts": frozenset({"counts"}),
        "b.both": frozenset({"counts", "dormant"}),
        "d.dormant": frozenset({"dormant"}),
        "f.counts_again": frozenset({"counts"}),
    }
    order = engine_module.start_order(
        ["a.counts", "b.both", "c.alone", "d.dormant", "e.judged", "f.counts_again", "g.alone"],
        whole={"a.counts", "b.both", "c.alone", "d.dormant", "f.counts_again", "g.alone"},
        heavy=lambda rule_id: rule_id == "g.alone",
        shares=lambda rule_id: shares.get(rule_id, frozenset()),
    )
    assert order == [
        "g.alone",  # heavy
        "a.counts",  # computes the counts
        "d.dormant",  # computes the dormant units (b.both reads the counts too: it would wait)
        "c.alone",
        "e.judged",  # per subject: not evaluated whole
        "b.both",
        "f.counts_again",
    ]
    # A heavy reader computes what it reads: the other readers come last.
    order = engine_module.start_order(
        ["a.counts", "b.both", "d.dormant"],
        whole={"a.counts", "b.both", "d.dormant"},
        heavy=lambda rule_id: rule_id == "d.dormant",
        shares=lambda rule_id: shares[rule_id],
    )
    assert order == ["d.dormant", "a.counts", "b.both"]
