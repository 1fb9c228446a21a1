"""``dangjian evaluate [--as-of DATE] [--federation NAME|ID] [--force]`` — run the rulebook in
the foreground, with a progress bar, and print a summary table. Rules whose inputs did not change
since their last run for the same day are skipped (marked "unchanged") unless ``--force``."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from dangjian.registry.models import Federation
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding


class Command(BaseCommand):
    help = "Run the rulebook over a federation subtree as of a day and record the findings."

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
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from exc
        if federation:
            feds = []
            for ref in federation:
                q = Q(name=ref) | Q(short_name=ref)
                if ref.isdigit():
                    q |= Q(pk=int(ref))
                found = Federation.objects.filter(q).first()
                if not found:
                    raise CommandError(f"no federation {ref!r}")
                feds.append(found)
        else:
            feds = list(Federation.objects.filter(parent__isnull=True))
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
                bar.set_postfix_str(rule_id)
                bar.refresh()

            results = engine.run(progress, force=force)
            bar.close()
            for r in results:
                open_count = (
                    Finding.objects.filter(rule_id=r.rule_id, federation__path__startswith=fed.path)
                    .open()
                    .count()
                )
                rows.append(
                    (
                        fed.short_name or fed.name,
                        r.rule_id + (" (unchanged)" if r.skipped else ""),
                        r.found,
                        r.created,
                        r.resolved,
                        r.reopened,
                        open_count,
                    )
                )
            if snapshots:
                from dangjian.rules.coverage import take_monthly_snapshots

                take_monthly_snapshots(fed, end=day)
        header = ("federation", "rule", "found", "new", "resolved", "reopened", "open")
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
        line = "  ".join(f"{{:{w}}}" for w in widths)
        self.stdout.write(f"as of {day.isoformat()}")
        self.stdout.write(line.format(*header))
        for row in rows:
            self.stdout.write(line.format(*map(str, row)))
        self.stdout.write(
            f"{sum(r[2] for r in rows)} found, {sum(r[3] for r in rows)} new, {sum(r[4] for r in rows)} resolved"
        )
