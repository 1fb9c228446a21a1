"""``dangjian nightly [--day DATE] [--job KEY]`` — the nightly jobs in order (the rulebook, the
recurring duties' tasks, the notice reminders, the dashboard's snapshots), each once per day:
a job already done that day is skipped (``dashboard.scheduled``). Run it from cron or a
systemd timer (docs/operations.md), or leave it to ``dangjian scheduler``. While another run
is under way it runs nothing, says so and exits with status 1."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import context
from dangjian.dashboard.scheduled import JOBS, NightlyBusy, run_nightly


class Command(BaseCommand):
    help = "Run the nightly jobs in order, each once per day."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--job", action="append", choices=[j.key for j in JOBS], help="only these jobs"
        )

    def handle(self, *args, day, job, **options):
        try:
            as_of = datetime.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise CommandError(
                _("--day: %(value)s is not a date (YYYY-MM-DD).") % {"value": day}
            ) from exc
        if as_of > timezone.localdate():
            raise CommandError(_("The nightly jobs cannot be run for a day in the future."))
        try:
            with context():
                outcomes = run_nightly(as_of, only=tuple(job or ()))
        except NightlyBusy as exc:
            raise CommandError(str(exc)) from exc
        for o in outcomes:
            if o.ran:
                line = _("%(job)s: done (%(result)s)") % {"job": o.job.title, "result": o.result}
            else:
                line = _("%(job)s: already done on %(day)s, skipped") % {
                    "job": o.job.title,
                    "day": as_of.isoformat(),
                }
            self.stdout.write(line)
