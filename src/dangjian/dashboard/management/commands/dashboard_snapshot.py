"""``dangjian dashboard_snapshot [--day DATE] [--federation NAME|ID]`` — precompute every
dashboard panel of every federation (or the ones named) as of a day (default: today), and the
missing month-end coverage snapshots its trend reads. Run it nightly (cron or a timer, after
``dangjian evaluate``): the dashboard and the big screen then read one row per panel."""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.dashboard.services import take_snapshots
from dangjian.registry.models import Federation
from dangjian.rules.coverage import take_monthly_snapshots


class Command(BaseCommand):
    help = "Precompute the dashboard's panels of each federation as of a day."
    # A scheduled or batch job: no system checks at start (seconds under load; `dangjian
    # check` runs them, and the deploy does).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--federation", action="append", help="name, short name or id (repeatable)"
        )

    def handle(self, *args, day, federation, **options):
        try:
            as_of = datetime.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise CommandError(
                _("--day: %(value)s is not a date (YYYY-MM-DD).") % {"value": day}
            ) from exc
        feds = list(Federation.objects.order_by("path"))
        if federation:
            feds = []
            for ref in federation:
                q = Q(name=ref) | Q(short_name=ref)
                if ref.isdigit():
                    q |= Q(pk=int(ref))
                found = Federation.objects.filter(q).first()
                if not found:
                    raise CommandError(_("No federation “%(ref)s”.") % {"ref": ref})
                feds.append(found)
        # Labels inside the figures (kinds, severities, months) are stored in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            for fed in feds:
                started = time.monotonic()
                take_monthly_snapshots(fed, end=as_of)
                n = take_snapshots(fed, as_of)
                self.stdout.write(
                    _("%(federation)s: %(n)s panels as of %(day)s in %(seconds).1f s")
                    % {
                        "federation": fed,
                        "n": n,
                        "day": as_of.isoformat(),
                        "seconds": time.monotonic() - started,
                    }
                )
