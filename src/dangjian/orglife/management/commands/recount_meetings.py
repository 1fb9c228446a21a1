"""``dangjian recount_meetings`` — rebuild the yearly meeting counts (``MeetingCount``) from
the meetings and report any drift (rows missing, extra or wrong: zero when every writer kept
them; non-zero means a meeting was written outside ``orglife.services``)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangjian.orglife.services.period_counts import rebuild


class Command(BaseCommand):
    help = "Rebuild the yearly meeting counts and report any drift."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        drift = rebuild()
        self.stdout.write(
            _("%(rows)d counts; drift: %(missing)d missing, %(extra)d extra, %(wrong)d wrong.")
            % drift
        )
        if drift["missing"] or drift["extra"] or drift["wrong"]:
            self.stdout.write(_("Repaired; the next rule run evaluates everything again."))
