"""The periodic jobs as background tasks (django-tasks; ``db_worker`` runs them): what
``dangjian scheduler`` queues. Each does what its command does (``dashboard.scheduled``)."""

from __future__ import annotations

import datetime
import logging

from django_tasks import task

from dangjian.core.audit import context


@task()
def nightly(day: str) -> list[str]:
    """``dangjian nightly`` for ``day`` (ISO): the jobs not yet done that day; nothing while
    another run holds the nightly lock (that run does them)."""
    from dangjian.dashboard.scheduled import NightlyBusy, run_nightly

    try:
        with context():
            outcomes = run_nightly(datetime.date.fromisoformat(day))
    except NightlyBusy as exc:
        logging.getLogger(__name__).warning("%s", exc)
        return []
    return [o.job.key for o in outcomes if o.ran]


@task()
def remind() -> int:
    """``dangjian remind_notices``: reminders due now."""
    from dangjian.notices.services import send_reminders

    with context():
        return send_reminders()
