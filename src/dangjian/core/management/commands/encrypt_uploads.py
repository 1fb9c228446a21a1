"""``dangjian encrypt_uploads [--rekey] [--dry-run]``: seal uploaded files kept in clear.

Files written before uploads were sealed at rest (archived ledgers, their error workbooks,
application evidence, case images and attachments under MEDIA_ROOT) are sealed in place with
the field key (``core.sealed``); the application reads both kinds, so this can run while it
serves. ``--rekey`` also re-seals files made with an older key (``rotate_keys`` does that too).
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from dangjian.core import sealed
from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent


def seal_uploads(*, rekey: bool, dry_run: bool = False) -> int:
    pending = list(sealed.uploads_to_seal(Path(settings.MEDIA_ROOT), rekey=rekey))
    if dry_run:
        return len(pending)
    for path in pending:
        sealed.seal_in_place(path)
    if pending:
        record_event(None, AuditEvent.UPLOADS_SEALED, files=len(pending), rekey=rekey)
    return len(pending)


class Command(BaseCommand):
    help = "Encrypt uploaded files still kept in clear (and, with --rekey, re-encrypt old keys)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--rekey", action="store_true")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, rekey: bool, dry_run: bool, **options: Any) -> None:
        count = seal_uploads(rekey=rekey, dry_run=dry_run)
        self.stdout.write(f"{'将加密' if dry_run else '已加密'} {count} 个上传文件。")
