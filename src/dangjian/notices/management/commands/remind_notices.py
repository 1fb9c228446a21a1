"""Send the reminders of notices not yet signed and of tasks' feedback not yet given
(LIFECYCLE.md N-3): run it every few minutes (cron, or ``dangjian scheduler`` queues it for the
task worker); each receipt gets each reminder once."""

from django.core.management.base import BaseCommand

from dangjian.core.audit import context
from dangjian.notices.services import send_reminders


class Command(BaseCommand):
    help = "Remind the recipients of notices not signed and tasks without feedback, before the deadlines and at them."
    # A scheduled or batch job: no system checks at start (seconds under load; `dangjian
    # check` runs them, and the deploy does).
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        with context():
            count = send_reminders()
        self.stdout.write(f"reminded {count} receipts")
