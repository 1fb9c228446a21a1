"""The periodic jobs, in one place: what runs every night, in which order, and once per day.

``dangjian nightly`` runs ``JOBS`` in order for a day: the rulebook (findings and month-end
coverage snapshots), the recurring duties' tasks of the cycles begun, the notice reminders, and
last the dashboard's snapshots (which read what the others wrote). Each job done for a day is
recorded as an audit event (``ops.scheduled_job_done`` with the job and the day); a later run on
the same day skips it, so cron, a systemd timer and ``dangjian scheduler`` may all call it
without doing the work twice, and a run that failed half way resumes at the job that failed.

Reminders also run between nights (every ``REMIND_EVERY_MINUTES``): a notice marked urgent must
be signed within the hour, so a nightly reminder alone would come too late. They are idempotent
per receipt (``notices.services.send_reminders``).

This module sits in the dashboard app because it is the top layer that may call every job.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog


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


def run_nightly(day: datetime.date, *, only: tuple[str, ...] = ()) -> list[Outcome]:
    """Run each job not yet done for ``day``, in order; the first that fails stops the run (its
    exception goes up) and the jobs after it wait for the next run."""
    done = done_on(day)
    outcomes = []
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
    return outcomes


def nightly_due(now: datetime.datetime, at: str | None = None) -> bool:
    """Whether the nightly run of ``now``'s day is due: past the configured time of day
    (``NIGHTLY_AT``, local time) and not every job done yet."""
    hour, minute = (int(x) for x in (at or settings.NIGHTLY_AT).split(":"))
    local = timezone.localtime(now)
    if (local.hour, local.minute) < (hour, minute):
        return False
    return done_on(local.date()) != {job.key for job in JOBS}
