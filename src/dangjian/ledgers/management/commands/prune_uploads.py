"""Delete an import's files once they can no longer serve, or once their retention has passed.

1. Working files. An upload's state folder holds its progress, a cancel flag and the parsed
   cells kept from the check for the commit (ID numbers and phones sealed, but personal data
   still). The commit and a cancel delete the kept cells; a check nobody confirmed leaves them
   behind. They are bound to the day of the check (the commit re-reads the file on any other
   day), so a day later they are useless: removed, with the progress and cancel files of
   finished imports.
2. Archived uploads. The original file (sealed at rest) and its error workbook are kept
   ``settings.UPLOAD_RETENTION_DAYS`` days (``DANGJIAN_UPLOAD_RETENTION_DAYS``, 180 by default)
   after the upload, as the record of what was imported; then they are removed and the upload
   marked (``files_removed_at``). Its row, counts, checksum and audit records stay. An import
   still running is never touched; an archive shared with a younger upload of the same file
   (same checksum, same name) stays until that one's retention has passed too.

``--dry-run`` says what would go; every real removal is one audit event.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.ledgers.models import LedgerUpload
from dangjian.ledgers.services import archive_path_of, ledger_dir

FINISHED = {
    LedgerUpload.Status.COMMITTED,
    LedgerUpload.Status.FAILED,
    LedgerUpload.Status.CANCELLED,
    LedgerUpload.Status.REFUSED,
}


def working_files() -> list[Path]:
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
    return doomed


def expired_uploads(days: int) -> tuple[list[LedgerUpload], list[Path]]:
    """The uploads past their retention and the files of theirs that may go."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    expired = list(
        LedgerUpload.objects.filter(created_at__lt=cutoff, files_removed_at__isnull=True)
        .exclude(status__in=LedgerUpload.ACTIVE)
        .order_by("pk")
    )
    kept = set(
        LedgerUpload.objects.filter(files_removed_at__isnull=True)
        .exclude(pk__in=[u.pk for u in expired])
        .values_list("stored_path", flat=True)
    )
    files = []
    for upload in expired:
        if upload.stored_path and upload.stored_path not in kept:
            files.append(archive_path_of(upload.stored_path))
        if upload.error_path:
            files.append(archive_path_of(upload.error_path))
        files += sorted((ledger_dir() / "state").glob(f"{upload.pk}.*"))
    unique = list(dict.fromkeys(p for p in files if p.is_file()))
    return expired, unique


class Command(BaseCommand):
    help = (
        "Remove working files of finished imports, and archived uploads older than "
        "DANGJIAN_UPLOAD_RETENTION_DAYS."
    )
    # A scheduled or batch job: no system checks at start (seconds under load; `dangjian
    # check` runs them, and the deploy does).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run, **options):
        days = settings.UPLOAD_RETENTION_DAYS
        doomed = working_files()
        expired, archived = expired_uploads(days)
        archived = [p for p in archived if p not in set(doomed)]
        verb = "将删除" if dry_run else "已删除"
        if not dry_run:
            for path in doomed:
                path.unlink(missing_ok=True)
            if doomed:
                record_event(None, AuditEvent.LEDGERS_WORKING_FILES_PRUNED, files=len(doomed))
            for path in archived:
                path.unlink(missing_ok=True)
            if expired:
                LedgerUpload.objects.filter(pk__in=[u.pk for u in expired]).update(
                    files_removed_at=timezone.now(), error_path=""
                )
                record_event(
                    None,
                    AuditEvent.LEDGERS_UPLOADS_PRUNED,
                    uploads=len(expired),
                    files=len(archived),
                    retention_days=days,
                    first=expired[0].pk,
                    last=expired[-1].pk,
                )
        self.stdout.write(f"{verb} {len(doomed)} 个导入工作文件。")
        self.stdout.write(
            f"{verb}超过保存期（{days} 天）的 {len(expired)} 次上传的 {len(archived)} 个文件。"
        )
