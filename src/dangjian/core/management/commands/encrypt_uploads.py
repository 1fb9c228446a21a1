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


def seal_uploads(*, rekey: bool, dry_run: bool = False) -> tuple[int, list[Path]]:
    """(files sealed, files that could not be read: changed, cut short or made with a key no
    longer configured — left as they are and named, never guessed at)."""
    pending = list(sealed.uploads_to_seal(Path(settings.MEDIA_ROOT), rekey=rekey))
    if dry_run:
        return len(pending), []
    done, unreadable = 0, []
    for path in pending:
        try:
            sealed.seal_in_place(path)
            done += 1
        except sealed.SealedFileError:
            unreadable.append(path)
    if done or unreadable:
        record_event(
            None, AuditEvent.UPLOADS_SEALED, files=done, unreadable=len(unreadable), rekey=rekey
        )
    return done, unreadable


class Command(BaseCommand):
    help = "Encrypt uploaded files still kept in clear (and, with --rekey, re-encrypt old keys)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--rekey", action="store_true")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, rekey: bool, dry_run: bool, **options: Any) -> None:
        count, unreadable = seal_uploads(rekey=rekey, dry_run=dry_run)
        self.stdout.write(f"{'将加密' if dry_run else '已加密'} {count} 个上传文件。")
        for path in unreadable:
            self.stderr.write(f"无法读取（已改动、不完整或密钥已不在配置中）：{path}")
