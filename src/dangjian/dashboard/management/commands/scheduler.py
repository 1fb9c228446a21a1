"""``dangjian scheduler [--once]`` — a small loop beside ``db_worker`` that queues the periodic
jobs as background tasks: ``nightly`` once a day after ``DANGJIAN_NIGHTLY_AT`` (and at start-up
if that time has passed and the day's jobs are not all done), the notice reminders every
``DANGJIAN_REMIND_EVERY_MINUTES``. django-tasks has no scheduler of its own; the jobs are
idempotent (per day, per receipt), so a second scheduler or a cron line as well does no harm
beyond some wasted queries. ``--once`` checks once and exits (tests, or cron every minute)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.dashboard import tasks
from dangjian.dashboard.scheduled import nightly_due


class Command(BaseCommand):
    help = "Queue the nightly jobs and the notice reminders for the task worker, on time."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between checks")

    def handle(self, *args, once, interval, **options):
        every = max(1, settings.REMIND_EVERY_MINUTES) * 60
        last_remind: float | None = None
        queued_nightly_for = None
        while True:
            now = timezone.now()
            day = timezone.localdate(now)
            # Once per day from here: the worker may take a while, and a job done is skipped.
            if queued_nightly_for != day and nightly_due(now):
                tasks.nightly.enqueue(day.isoformat())
                queued_nightly_for = day
                self.stdout.write(_("queued the nightly jobs of %(day)s") % {"day": day})
            if once or last_remind is None or time.monotonic() - last_remind >= every:
                tasks.remind.enqueue()
                last_remind = time.monotonic()
            if once:
                return
            time.sleep(interval)
