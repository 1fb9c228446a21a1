"""``dangjian evaluate [--as-of DATE] [--federation NAME|ID] [--force]`` — run the rulebook in
the foreground, with a progress bar, and print a summary table in Chinese (the rule ids stay in
the last column, for operators). Rules whose inputs did not change since their last run for the
same day are skipped (marked "unchanged") unless ``--force``. A day before the latest one
evaluated records that day's findings without touching today's worklist (``rules.engine``)."""

import datetime
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Run the rulebook over a federation subtree as of a day and record the findings."
    # No system checks before a run (seconds at start-up on a loaded machine; `dangjian check`
    # runs them, and a forbidden override is ignored when read anyway).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--federation",
            action="append",
            help="name, short name or id (repeatable; default: every top-level federation)",
        )
        parser.add_argument("--rule", action="append", help="only these rule ids")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--force", action="store_true", help="re-evaluate rules whose inputs did not change"
        )
        parser.add_argument(
            "--snapshots", action="store_true", help="also take missing monthly coverage snapshots"
        )

    def handle(self, *args, as_of, federation, rule, no_progress, snapshots, force, **options):
        # Imported here, not at the top: ``dangjian evaluate --help`` (and Django's listing of
        # commands) then loads neither the engine and its rule kinds, the rulebook nor tqdm.
        from django.db.models import Q
        from tqdm import tqdm

        from dangjian.core.dates import official_date
        from dangjian.registry.models import Federation
        from dangjian.rulebook import loader as rulebook
        from dangjian.rules.engine import Engine
        from dangjian.rules.models import Finding

        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(
                _("--as-of: %(value)s is not a date (YYYY-MM-DD).") % {"value": as_of}
            ) from exc
        if day > timezone.localdate():
            raise CommandError(_("The rulebook cannot be run as of a day in the future."))
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
        else:
            feds = list(Federation.objects.filter(parent__isnull=True))
        book = rulebook.load()
        rows = []
        for fed in feds:
            engine = Engine(fed, day, rule_ids=rule)
            bar = tqdm(
                total=len(engine.rule_ids),
                disable=no_progress,
                desc=f"{fed.short_name or fed.name}",
                unit="条规则",
            )

            def progress(rule_id, done, total, bar=bar):
                bar.n = done
                bar.set_postfix_str(book.title(rule_id) if rule_id else "")
                bar.refresh()

            results = engine.run(progress, force=force)
            bar.close()
            for r in results:
                open_count = (
                    Finding.objects.filter(rule_id=r.rule_id, federation__path__startswith=fed.path)
                    .open()
                    .count()
                )
                title = book.title(r.rule_id) + (_("(unchanged)") if r.skipped else "")
                rows.append(
                    (
                        fed.short_name or fed.name,
                        title,
                        r.found,
                        r.created,
                        r.resolved,
                        r.reopened,
                        open_count,
                        r.rule_id,
                    )
                )
            if snapshots:
                from dangjian.rules.coverage import take_monthly_snapshots

                take_monthly_snapshots(fed, end=day)
        header = (
            _("federation"),
            _("rule"),
            _("found"),
            _("new"),
            _("resolved"),
            _("reopened"),
            _("open"),
            _("rule id"),
        )
        table = [tuple(map(str, header)), *(tuple(map(str, row)) for row in rows)]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        self.stdout.write(_("As of %(day)s") % {"day": official_date(day)})
        for row in table:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)))
        self.stdout.write(
            _("%(found)d found, %(new)d new, %(resolved)d resolved")
            % {
                "found": sum(r[2] for r in rows),
                "new": sum(r[3] for r in rows),
                "resolved": sum(r[4] for r in rows),
            }
        )


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
