"""Build the demo federation: ``dangjian demo [--scale N] [--seed S] [--if-missing]``."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.demo.extensions import build_app_demo_data
from dangjian.demo.personas import PERSONAS
from dangjian.demo.setup_personas import create_personas
from dangjian.demo.synthetic import generate
from dangjian.demo.tianjin import build
from dangjian.orglife.services import pairs
from dangjian.registry.models import Federation


class Command(BaseCommand):
    help = "Build the demo federation (Tianjin-like, 33 units) and optional synthetic units."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="further synthetic units")
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing if the demo is already there"
        )
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, scale, seed, if_missing, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        existing = Federation.objects.filter(short_name="津网联").first()
        if existing and if_missing:
            self.stdout.write("演示联合会已存在，跳过生成。")
        elif existing and not scale:
            raise CommandError("演示联合会已存在；如需重建，请先删除数据库文件。")
        else:
            started = time.monotonic()
            federation = existing or build(seed=seed, today=timezone.localdate())
            if not existing:
                create_personas(federation)
                build_app_demo_data(federation, timezone.localdate(), seed)
                record_event(None, AuditEvent.DEMO_BUILT, federation, seed=seed)
            if scale:
                generate(federation, scale, seed=seed, progress=self.stdout.isatty())
            if pairs.unpaired():
                # The demo's meetings were recorded through the services, which kept their
                # pairs; marking them complete (as the nightly job would on its first night)
                # lets the copied-minutes rule read them from the first run.
                pairs.rebuild()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            self.stdout.write(f"演示数据已生成，用时 {time.monotonic() - started:.1f} 秒。")
        self.stdout.write("演示账号（仅限演示）：")
        for persona in PERSONAS:
            self.stdout.write(
                f"  {persona['username']:<11} {persona['password']:<26} {persona['title']}"
            )
