"""Send the reminders of notices not yet signed (LIFECYCLE.md N-3): run it every few minutes
(cron or the task worker's schedule); each receipt gets each reminder once."""

from django.core.management.base import BaseCommand

from dangjian.core.audit import context
from dangjian.notices.services import send_reminders


class Command(BaseCommand):
    help = "Remind the recipients of notices not yet signed, before the deadline and at it."
    # A scheduled or batch job: no system checks at start (seconds under load; `dangjian
    # check` runs them, and the deploy does).
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        with context():
            count = send_reminders()
        self.stdout.write(f"reminded {count} receipts")
