"""The periodic jobs, in one place: what runs every night, in which order, and once per day.

``dangjian nightly`` runs ``JOBS`` in order for a day: the rulebook (findings and month-end
coverage snapshots), the recurring duties' tasks of the cycles begun, the notice reminders, the
dashboard's snapshots (which read what the others wrote), the removal of expired background
exports, and last the signing of stored minutes (within a time budget). Each job done for a day is
recorded as an audit event (``ops.scheduled_job_done`` with the job and the day); a later run on
the same day skips it, so cron, a systemd timer and ``dangjian scheduler`` may all call it
without doing the work twice, and a run that failed half way resumes at the job that failed.

Two runs never overlap: ``run_nightly`` first claims the nightly lock (``nightly_lock``); a
second run started meanwhile (cron and a manual run, two schedulers) finds it held, says so and
runs nothing. A lock left by a crashed run is taken over (see ``claim``).

Reminders also run between nights (every ``REMIND_EVERY_MINUTES``): a notice marked urgent must
be signed within the hour, so a nightly reminder alone would come too late. They are idempotent
per receipt (``notices.services.send_reminders``).

This module sits in the dashboard app because it is the top layer that may call every job.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.dashboard.models import NightlyLock


def _evaluate(day: datetime.date) -> str:
    out = io.StringIO()
    call_command("evaluate", as_of=day.isoformat(), no_progress=True, snapshots=True, stdout=out)
    return out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else ""


def _duty_tasks(day: datetime.date) -> str:
    from dangjian.notices.duties import generate_due

    return str(len(generate_due(day)))


def _remind(day: datetime.date) -> str:
    from dangjian.notices.services import send_reminders

    return str(send_reminders())


def _snapshot(day: datetime.date) -> str:
    out = io.StringIO()
    call_command("dashboard_snapshot", day=day.isoformat(), stdout=out)
    return str(len(out.getvalue().strip().splitlines()))


def _prune_exports(day: datetime.date) -> str:
    from dangjian.access.background_exports import prune

    return str(prune())


# How long a night signs stored minutes at most (the job resumes the next night).
SIGN_MINUTES_SECONDS = 1800


def _sign_minutes(day: datetime.date) -> str:
    out = io.StringIO()
    call_command("sign_minutes", no_progress=True, max_seconds=SIGN_MINUTES_SECONDS, stdout=out)
    # Its lines (signed, digested, paired) as the one line of the job's result.
    return " ".join(line.strip() for line in out.getvalue().splitlines() if line.strip())


@dataclass(frozen=True)
class Job:
    key: str
    title: str | Promise
    run: Callable[[datetime.date], str]


JOBS: tuple[Job, ...] = (
    Job("evaluate", _("run the rulebook"), _evaluate),
    Job("duty_tasks", _("generate the recurring duties' tasks"), _duty_tasks),
    Job("remind_notices", _("send the notice reminders"), _remind),
    Job("dashboard_snapshot", _("take the dashboard's snapshots"), _snapshot),
    Job("prune_exports", _("remove the expired background exports"), _prune_exports),
    # Last, within a time budget, resuming the next night: nothing above waits for it (the
    # near-duplicate rule signs an unsigned text itself).
    Job("sign_minutes", _("sign the stored minutes for the near-duplicate rule"), _sign_minutes),
)


def done_on(day: datetime.date) -> set[str]:
    """The jobs already done for ``day``."""
    rows = AuditLog.objects.filter(
        event_type=AuditEvent.SCHEDULED_JOB_DONE, changes__day=day.isoformat()
    ).values_list("changes", flat=True)
    return {row.get("job", "") for row in rows}


@dataclass(frozen=True)
class Outcome:
    job: Job
    ran: bool
    result: str


# -- one run at a time -------------------------------------------------------------------------
#
# Why a row claimed by a unique insert, and not a lock held by the database:
# - ``select_for_update`` is a no-op on SQLite, and on either database it holds a transaction
#   open for the whole run (an hour at the 100,000-unit size): on SQLite that would block every
#   writer of the site for as long (one writer per database file), and the jobs commit their
#   own work as they go.
# - PostgreSQL's advisory locks do not exist on SQLite, and belong to the connection, which
#   Django may close or reuse between jobs (CONN_MAX_AGE).
# - An insert of the primary key ``"nightly"`` in its own short transaction works the same on
#   both: of two runs, the second insert fails (PostgreSQL makes it wait for the first's commit,
#   then raises the unique violation; SQLite's IMMEDIATE transactions serialise the two inserts),
#   and nothing stays open while the jobs run. The row says who holds it (host, process, since
#   when), which the refused run prints.
# - A crashed run (killed, out of memory, the machine rebooted) cannot delete its row: each job
#   done refreshes ``heartbeat_at``, and a row whose heartbeat is older than ``STALE_AFTER`` — or,
#   on the same host, whose process no longer exists — is a dead run's and is taken over with a
#   conditional UPDATE on its token (of two runs taking over at once, one wins), audited. So a
#   crash blocks at most the next ``STALE_AFTER``, never the next night.

LOCK_NAME = "nightly"
# Longer than the longest single job (the rulebook at 100,000 units takes minutes, bench/
# RESULTS.md), much shorter than the day between two nightly runs.
STALE_AFTER = datetime.timedelta(hours=2)


class NightlyBusy(Exception):
    """Another nightly run holds the lock."""

    def __init__(self, held: NightlyLock) -> None:
        self.held = held
        super().__init__(
            gettext(
                "Another nightly run holds the lock (host %(host)s, process %(pid)s, started "
                "%(since)s, last job done %(beat)s): this run did nothing. If that run crashed, "
                "its lock expires %(stale)s minutes after its last job."
            )
            % {
                "host": held.host,
                "pid": held.pid,
                "since": timezone.localtime(held.started_at).strftime("%Y-%m-%d %H:%M:%S"),
                "beat": timezone.localtime(held.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S"),
                "stale": int(STALE_AFTER.total_seconds() // 60),
            }
        )


class NightlyLockLost(Exception):
    """This run's lock was taken over (it was silent for longer than ``STALE_AFTER``)."""


def _host() -> str:
    return socket.gethostname()[:255]


def _gone(held: NightlyLock) -> bool:
    """Whether the holder is a process of this host that no longer exists."""
    if held.host != _host():
        return False
    try:
        os.kill(held.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _stale(held: NightlyLock, now: datetime.datetime) -> bool:
    return held.heartbeat_at < now - STALE_AFTER or _gone(held)


def claim(now: datetime.datetime | None = None) -> str:
    """Take the nightly lock; returns this claim's token. Raises ``NightlyBusy`` when a live run
    holds it. A dead run's lock is taken over (and the takeover audited)."""
    now = now or timezone.now()
    mine = {
        "token": uuid.uuid4().hex,
        "host": _host(),
        "pid": os.getpid(),
        "started_at": now,
        "heartbeat_at": now,
    }
    for _attempt in range(3):
        try:
            with transaction.atomic():
                NightlyLock.objects.create(name=LOCK_NAME, **mine)
            return str(mine["token"])
        except IntegrityError:
            pass
        except OperationalError:
            # SQLite: a job of the other run held the database's write lock longer than the busy
            # timeout. The lock row is readable (WAL): if it is there, that run is alive.
            if not NightlyLock.objects.filter(name=LOCK_NAME).exists():
                raise
        held = NightlyLock.objects.filter(name=LOCK_NAME).first()
        if held is None:
            continue  # released in between: insert again
        if not _stale(held, now):
            raise NightlyBusy(held)
        with transaction.atomic():
            taken = NightlyLock.objects.filter(name=LOCK_NAME, token=held.token).update(**mine)
            if taken:
                record_event(
                    None,
                    AuditEvent.SCHEDULED_LOCK_TAKEN_OVER,
                    None,
                    host=held.host,
                    pid=held.pid,
                    started_at=held.started_at.isoformat(),
                    heartbeat_at=held.heartbeat_at.isoformat(),
                )
                return str(mine["token"])
    held = NightlyLock.objects.filter(name=LOCK_NAME).first()
    if held is None:
        raise OperationalError("the nightly lock could not be claimed")
    raise NightlyBusy(held)


def heartbeat(token: str) -> None:
    """Say the run holding ``token`` is alive (after each job); ``NightlyLockLost`` if another
    run took the lock over meanwhile (then this one must stop: the other is running the jobs)."""
    if not NightlyLock.objects.filter(name=LOCK_NAME, token=token).update(
        heartbeat_at=timezone.now()
    ):
        raise NightlyLockLost(token)


def release(token: str) -> None:
    NightlyLock.objects.filter(name=LOCK_NAME, token=token).delete()


@contextlib.contextmanager
def nightly_lock() -> Iterator[str]:
    """Hold the nightly lock for the block (``NightlyBusy`` when another run holds it)."""
    token = claim()
    try:
        yield token
    finally:
        release(token)


def run_nightly(day: datetime.date, *, only: tuple[str, ...] = ()) -> list[Outcome]:
    """Run each job not yet done for ``day``, in order; the first that fails stops the run (its
    exception goes up) and the jobs after it wait for the next run. Raises ``NightlyBusy``
    without running anything when another run is under way."""
    outcomes = []
    with nightly_lock() as token:
        done = done_on(day)
        # Labels inside what the jobs store (kinds, months) are in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            for job in JOBS:
                if only and job.key not in only:
                    continue
                if job.key in done:
                    outcomes.append(Outcome(job, False, ""))
                    continue
                result = job.run(day)
                record_event(
                    None, AuditEvent.SCHEDULED_JOB_DONE, None, job=job.key, day=day.isoformat()
                )
                outcomes.append(Outcome(job, True, result))
                heartbeat(token)
    return outcomes


def nightly_due(now: datetime.datetime, at: str | None = None) -> bool:
    """Whether the nightly run of ``now``'s day is due: past the configured time of day
    (``NIGHTLY_AT``, local time) and not every job done yet."""
    hour, minute = (int(x) for x in (at or settings.NIGHTLY_AT).split(":"))
    local = timezone.localtime(now)
    if (local.hour, local.minute) < (hour, minute):
        return False
    return done_on(local.date()) != {job.key for job in JOBS}
