"""No two ``dangjian nightly`` runs at once: the second finds the lock held, says so and runs
nothing (exit status 1); a crashed run's lock is taken over. Real concurrent callers — threads
with their own database connections, and the command in another process — on the test
database (committed: transactional tests)."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from dangjian.core.models import AuditLog
from dangjian.dashboard import scheduled
from dangjian.dashboard.models import NightlyLock

ROUNDS = 5


def _race(n: int):
    """``n`` threads claim the lock at the same moment; returns their outcomes."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait(timeout=30)
            try:
                outcomes.append(scheduled.claim())
            except scheduled.NightlyBusy as exc:
                outcomes.append(f"busy: {exc}")
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_of_two_runs_claiming_at_once_exactly_one_gets_the_lock():
    for _ in range(ROUNDS):
        outcomes = _race(2)
        won = [o for o in outcomes if not o.startswith("busy")]
        busy = [o for o in outcomes if o.startswith("busy")]
        assert len(won) == 1 and len(busy) == 1, outcomes
        assert "另一个夜间任务运行正持有锁" in busy[0] and f"进程 {os.getpid()}" in busy[0]
        assert NightlyLock.objects.get().token == won[0]
        scheduled.release(won[0])
        assert not NightlyLock.objects.exists()


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{os.path.abspath(s['NAME'])}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_second_nightly_command_says_the_lock_is_held_and_runs_nothing(tmp_path, real_clock):
    # A run under way in another thread (its own connection) holds the lock.
    holding, finish = threading.Event(), threading.Event()

    def first_run():
        try:
            with scheduled.nightly_lock():
                holding.set()
                finish.wait(timeout=300)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_run)
    first.start()
    try:
        assert holding.wait(timeout=60)
        # The second run: ``dangjian nightly`` in its own process, on the same database.
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dangjian.settings",
            "DANGJIAN_DATABASE_URL": _database_url(),
            "DANGJIAN_VAR_DIR": str(tmp_path),
        }
        second = subprocess.run(
            [sys.executable, "-m", "django", "nightly"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        finish.set()
        first.join(timeout=60)
    assert second.returncode == 1, second.stderr[-2000:]
    assert "另一个夜间任务运行正持有锁" in second.stderr
    assert "本次未运行任何任务" in second.stderr
    assert second.stdout == ""  # no job reported as done or skipped
    assert not AuditLog.objects.filter(event_type="ops.scheduled_job_done").exists()
    # The first run ended: its lock is gone, and the next run is not blocked.
    assert not NightlyLock.objects.exists()
    call_command("nightly", "--job", "remind_notices", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert AuditLog.objects.filter(event_type="ops.scheduled_job_done").count() == 1
    assert not NightlyLock.objects.exists()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.django_db
def test_a_crashed_runs_lock_is_taken_over():
    now = timezone.now()
    # Another host's run, silent for longer than STALE_AFTER: dead.
    NightlyLock.objects.create(
        name=scheduled.LOCK_NAME,
        token="a" * 32,
        host="other-host",
        pid=4242,
        started_at=now - datetime.timedelta(hours=5),
        heartbeat_at=now - scheduled.STALE_AFTER - datetime.timedelta(minutes=1),
    )
    token = scheduled.claim(now)
    assert NightlyLock.objects.get().token == token
    taken = AuditLog.objects.get(event_type="ops.nightly_lock_taken_over")
    assert taken.changes["host"] == "other-host"
    # The dead run cannot release or refresh what is no longer its lock.
    scheduled.release("a" * 32)
    assert NightlyLock.objects.get().token == token
    with pytest.raises(scheduled.NightlyLockLost):
        scheduled.heartbeat("a" * 32)
    scheduled.release(token)

    # Another host's run that did a job 5 minutes ago: alive, the claim is refused.
    NightlyLock.objects.create(
        name=scheduled.LOCK_NAME,
        token="b" * 32,
        host="other-host",
        pid=4242,
        started_at=now - datetime.timedelta(minutes=30),
        heartbeat_at=now - datetime.timedelta(minutes=5),
    )
    with pytest.raises(scheduled.NightlyBusy, match="other-host"):
        scheduled.claim(now)
    NightlyLock.objects.all().delete()

    # A run of this host whose process is gone: taken over at once, however fresh.
    NightlyLock.objects.create(
        name=scheduled.LOCK_NAME,
        token="c" * 32,
        host=scheduled._host(),
        pid=_dead_pid(),
        started_at=now,
        heartbeat_at=now,
    )
    token = scheduled.claim(now)
    assert NightlyLock.objects.get().token == token
    assert AuditLog.objects.filter(event_type="ops.nightly_lock_taken_over").count() == 2
