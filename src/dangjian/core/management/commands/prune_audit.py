"""Delete audit records older than the retention period (at least 6 months, as 等保 asks)."""

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.env import envint

MINIMUM_DAYS = 183


class Command(BaseCommand):
    help = "Prune audit records older than --days (default DANGJIAN_AUDIT_RETENTION_DAYS or 365)."
    # A scheduled or batch job: no system checks at start (seconds under load; `dangjian
    # check` runs them, and the deploy does).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days", type=int, default=envint("DANGJIAN_AUDIT_RETENTION_DAYS", 365)
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, days: int, dry_run: bool, **options: Any) -> None:
        if days < MINIMUM_DAYS:
            raise CommandError(
                f"审计日志至少保留 {MINIMUM_DAYS} 天（6 个月），不能设为 {days} 天。"
            )
        cutoff = timezone.now() - datetime.timedelta(days=days)
        old = AuditLog.objects.filter(at__lt=cutoff)
        count = old.count()
        if not dry_run:
            old._raw_delete(old.db)  # no per-row signals: the trail may be millions of rows
            record_event(
                None, AuditEvent.AUDIT_PRUNED, note=f"{count} records before {cutoff:%Y-%m-%d}"
            )
        self.stdout.write(
            f"{'将删除' if dry_run else '已删除'} {count} 条 {cutoff:%Y-%m-%d} 之前的审计记录。"
        )
