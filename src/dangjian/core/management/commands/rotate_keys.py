"""Re-encrypt personal data with the current key, in batches; optionally rebuild blind indexes.

Rotation: put the new key first in DANGJIAN_FIELD_KEYS (keep the old ones after it), run this
command, then drop the old keys. Which columns are encrypted and which keep a keyed hash beside
them is core.personal's registry (a test checks it against the models); ``--blind-index``
recomputes the hashes after DANGJIAN_BLIND_INDEX_KEY changed.
"""

from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from dangjian.core import bulk, crypto, personal
from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent

BATCH = 2000


def encrypted_columns() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    for label, entry in personal.encrypted_fields():
        model = apps.get_model(label)
        yield model, model._meta.get_field(entry.name)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the current key (and rebuild blind indexes)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--blind-index", action="store_true")

    def handle(self, *args: Any, blind_index: bool, **options: Any) -> None:
        current, _ = crypto.keyring()
        total = 0
        for model, field in encrypted_columns():
            total += self._rotate(model, field, current)
        if blind_index:
            for label, hash_field, clear_field in personal.blind_indexes():
                digest = personal.index_function(label, hash_field)
                self._rehash(apps.get_model(label), hash_field, clear_field, digest)
        # Sealed uploads (core.sealed) name the field key their own key comes from: re-sealed.
        from dangjian.core.management.commands.encrypt_uploads import seal_uploads

        files, unreadable = seal_uploads(rekey=True)
        record_event(
            None, AuditEvent.KEYS_ROTATED, note=f"{total} values and {files} files re-encrypted"
        )
        self.stdout.write(f"已用当前密钥重新加密 {total} 个字段值、{files} 个上传文件。")
        for path in unreadable:
            self.stderr.write(f"无法读取的上传文件（密钥已不在配置中？）：{path}")

    def _rotate(
        self, model: type[models.Model], field: models.Field[Any, Any], current: str
    ) -> int:
        table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
        # An encrypted field and a primary key are concrete: they always have a column.
        assert column is not None and pk is not None
        qn = connection.ops.quote_name
        changed, last = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"{qn(column)} <> '' AND {qn(column)} NOT LIKE %s"
                params = [f"{crypto.PREFIX}:{current}:%"]
                if last is not None:
                    where += f" AND {qn(pk)} > %s"
                    params.append(last)
                cursor.execute(
                    f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} WHERE {where} "  # noqa: S608
                    f"ORDER BY {qn(pk)} LIMIT {BATCH}",
                    params,
                )
                rows = cursor.fetchall()
                if not rows:
                    return changed
                cursor.executemany(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s",  # noqa: S608
                    [(crypto.encrypt(crypto.decrypt(value)), key) for key, value in rows],
                )
                changed += len(rows)
                last = rows[-1][0]

    def _rehash(
        self,
        model: type[models.Model],
        hash_field: str,
        clear_field: str,
        digest: Callable[[str], str],
    ) -> None:
        # By primary key (``core.bulk.update``), not ``bulk_update``: its CASE grows with the
        # batch, and a rotation rewrites every member's hashes.
        qs = model._default_manager.only("pk", clear_field).order_by("pk")
        batch: list[tuple[int, list[str]]] = []
        for obj in qs.iterator(chunk_size=BATCH):
            clear = getattr(obj, clear_field)
            batch.append((obj.pk, [digest(clear) if clear else ""]))
            if len(batch) >= BATCH:
                bulk.update(model, [hash_field], batch)
                batch = []
        bulk.update(model, [hash_field], batch)
