"""``dangjian import FILE --ledger members [--federation NAME] [--valid-only]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dangjian.ledgers import services, specs
from dangjian.ledgers.models import LedgerUpload
from dangjian.registry.models import Federation


class Command(BaseCommand):
    help = "Import an Excel/CSV ledger (archived, validated, then written in one transaction)."
    # A scheduled or batch job: no system checks at start (seconds under load; `dangjian
    # check` runs them, and the deploy does).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--ledger", required=True, choices=sorted(specs.LEDGERS))
        parser.add_argument("--federation", help="name or short name (default: the only one)")
        parser.add_argument("--valid-only", action="store_true", help="skip invalid rows")

    def handle(self, *args, file, ledger, federation, valid_only, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        fed = self._federation(federation)
        bar = tqdm(desc=path.name, unit="行", disable=options.get("verbosity", 1) == 0)
        last = [0]

        def progress(done):
            bar.update(done - last[0])
            last[0] = done

        upload, outcome = services.import_file(
            path, ledger=ledger, federation=fed, valid_only=valid_only, progress=progress
        )
        bar.close()
        self.stdout.write(upload.message or upload.get_status_display())
        if outcome is not None:
            counts = outcome.counts
            self.stdout.write(
                f"新增 {counts['new']}，变更 {counts['changed']}，未变 {counts['unchanged']}，"
                f"有误 {counts['invalid']}"
            )
            for number, errors in outcome.errors[:20]:
                self.stdout.write(f"  第 {number} 行：" + "；".join(errors.values()))
        if upload.error_path:
            self.stdout.write(f"标注错误的工作簿：{services.archive_path_of(upload.error_path)}")
        if upload.status != LedgerUpload.Status.COMMITTED:
            raise CommandError(upload.message or upload.get_status_display())

    def _federation(self, name):
        if name:
            fed = (
                Federation.objects.filter(name=name).first()
                or Federation.objects.filter(short_name=name).first()
            )
            if fed is None:
                raise CommandError(f"找不到联合会：{name}")
            return fed
        top = list(Federation.objects.filter(parent__isnull=True)[:2])
        if len(top) != 1:
            raise CommandError("请用 --federation 指定联合会")
        return top[0]
