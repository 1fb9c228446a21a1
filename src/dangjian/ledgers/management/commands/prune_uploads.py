"""Delete an import's working files once they can no longer serve.

An upload's state folder holds its progress, a cancel flag and the parsed cells kept from the
check for the commit (ID numbers and phones sealed, but personal data still). The commit and a
cancel delete the kept cells; a check nobody confirmed leaves them behind. They are bound to the
day of the check (the commit re-reads the file on any other day), so a day later they are
useless: this command removes them, and the progress and cancel files of finished imports.
The archived original files are kept (they are the record of what was imported).
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.ledgers.models import LedgerUpload
from dangjian.ledgers.services import ledger_dir

FINISHED = {
    LedgerUpload.Status.COMMITTED,
    LedgerUpload.Status.FAILED,
    LedgerUpload.Status.CANCELLED,
    LedgerUpload.Status.REFUSED,
}


class Command(BaseCommand):
    help = "Remove kept cells older than a day and working files of finished imports."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run, **options):
        folder = ledger_dir() / "state"
        cutoff = (timezone.now() - datetime.timedelta(days=1)).timestamp()
        files = [p for p in folder.glob("*.*") if p.is_file()] if folder.exists() else []
        ids = {int(p.name.split(".")[0]) for p in files if p.name.split(".")[0].isdigit()}
        status = dict(LedgerUpload.objects.filter(pk__in=ids).values_list("pk", "status"))
        doomed = []
        for path in files:
            if path.stat().st_mtime >= cutoff:
                continue  # an import of today may still need it
            head = path.name.split(".")[0]
            upload_status = status.get(int(head)) if head.isdigit() else None
            if path.suffix == ".cells" or upload_status in FINISHED or upload_status is None:
                doomed.append(path)
        if not dry_run:
            for path in doomed:
                path.unlink(missing_ok=True)
            if doomed:
                record_event(None, AuditEvent.LEDGERS_WORKING_FILES_PRUNED, files=len(doomed))
        self.stdout.write(f"{'将删除' if dry_run else '已删除'} {len(doomed)} 个导入工作文件。")
