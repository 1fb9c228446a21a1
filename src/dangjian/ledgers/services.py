"""Every write of the ledgers app: archive an upload, check it, commit it, cancel it.

Flow: ``receive_upload`` archives the original file first (sha256, size) → ``analyse`` reads and
validates every row without writing and stores the preview (counts, a sample of field-level
changes, the error workbook) → ``commit`` writes in one transaction (all-or-nothing unless the
user asked for the valid rows only) and records one audit event with the counts, plus one
field-level record per changed object (written by the fact services the handlers call).

The check keeps the cells it parsed (``ledgers.kept``: authenticated, bound to the archived
file, the mapping, the parsing code and the day, ID numbers and phones sealed); the commit uses
them instead of reading the file again when they provably are the same, and checks every row
against the database again either way.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, bulk, sealed
from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.env import envint
from dangjian.ledgers import engine, kept, reader, workbooks
from dangjian.ledgers.handlers import handler_for
from dangjian.ledgers.models import LedgerMapping, LedgerUpload
from dangjian.registry.models import Federation

Status = LedgerUpload.Status
logger = logging.getLogger(__name__)


def _unreadable() -> str:
    return _(
        "The file could not be read. It may be damaged; open it in Excel or WPS, save it again "
        "as .xlsx and re-upload."
    )


# Uploads larger than this are checked and imported in the background (django-tasks).
BACKGROUND_BYTES = envint("DANGJIAN_LEDGER_BACKGROUND_BYTES", 1024 * 1024)
# An import still "importing" after this long is taken to have died (the lock is released).
STALE_AFTER = datetime.timedelta(hours=2)


class ImportBusy(Exception):
    """Another import into the same federation is running; ``str(exc)`` is in Chinese."""


def ledger_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "ledgers"


def archive_path(upload: LedgerUpload) -> Path:
    return Path(settings.MEDIA_ROOT) / upload.stored_path


def _flag(upload: LedgerUpload, suffix: str) -> Path:
    return ledger_dir() / "state" / f"{upload.pk}.{suffix}"


# --------------------------------------------------------------------------------------------
# Receiving
# --------------------------------------------------------------------------------------------


@transaction.atomic
def receive_upload(chunks, filename: str, *, federation: Federation, ledger: str, actor):
    """Archive the uploaded bytes (an iterable of chunks) and record the upload.

    The file is written before anything reads it, so even a refused file is kept as it came:
    sealed (``core.sealed``, encrypted with the field key as it streams in), since a ledger
    holds ID numbers and phones. The SHA-256 and size are of the bytes that came.
    """
    today = timezone.localdate()
    folder = ledger_dir() / f"{today:%Y}" / f"{today:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{uuid.uuid4().hex}.part"
    digest, size = hashlib.sha256(), 0
    limit = reader.MAX_BYTES
    with temp.open("wb") as raw:
        out = sealed.SealedWriter(raw)
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > limit + 1:  # keep only the start of an oversized file
                    continue
                digest.update(chunk)
                out.write(chunk)
        except BaseException:
            out.abandon()
            raw.close()
            temp.unlink(missing_ok=True)
            raise
        out.close()
    suffix = Path(filename).suffix.lower()[:6] if Path(filename).suffix else ""
    sha = digest.hexdigest()
    name = f"{sha}{suffix}"
    final = folder / name
    os.replace(temp, final)
    upload = LedgerUpload.objects.create(
        federation=federation,
        ledger=ledger,
        uploader=actor if getattr(actor, "is_authenticated", False) else None,
        original_name=Path(filename).name[:255],
        stored_path=str(final.relative_to(settings.MEDIA_ROOT)),
        sha256=sha,
        size=size,
    )
    record_event(
        actor,
        AuditEvent.LEDGERS_UPLOADED,
        upload,
        ledger=ledger,
        file=upload.original_name,
        sha256=sha,
        size=size,
    )
    if size > limit:
        upload.status = Status.REFUSED
        upload.message = _(
            "The file is %(size)d MB; the limit is %(limit)d MB. Split it into several files."
        ) % {"size": size // (1024 * 1024), "limit": limit // (1024 * 1024)}
        upload.save(update_fields=["status", "message", "updated_at"])
    return upload


# --------------------------------------------------------------------------------------------
# Progress and cancellation (files, so they cross the import's transaction and processes)
# --------------------------------------------------------------------------------------------


def write_progress(upload: LedgerUpload, done: int, phase: str) -> None:
    path = _flag(upload, "progress")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps({"done": done, "phase": phase}), encoding="utf-8")
    os.replace(temp, path)


def read_progress(upload: LedgerUpload) -> dict:
    try:
        data = json.loads(_flag(upload, "progress").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {"done": 0, "phase": ""}
    total = upload.counts.get("rows") or upload.preview.get("rows") or 0
    data["total"] = total
    data["percent"] = min(100, int(data["done"] * 100 / total)) if total else 0
    return data


def cancel(upload: LedgerUpload, *, actor) -> None:
    """Ask a running check or import to stop; a queued one stops before it starts."""
    path = _flag(upload, "cancel")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    updated = LedgerUpload.objects.filter(
        pk=upload.pk, status__in=[Status.QUEUED, Status.VALIDATED, Status.RECEIVED]
    ).update(status=Status.CANCELLED, finished_at=timezone.now(), message=_("Cancelled."))
    if updated:
        _flag(upload, "cells").unlink(missing_ok=True)  # kept cells of a check: not needed
    record_event(actor, AuditEvent.LEDGERS_CANCELLED, upload, immediate=bool(updated))


def _enqueue(task, upload: LedgerUpload, actor) -> None:
    """Put the task on the queue once the caller's transaction has committed (a worker must
    see the queued state), and note its id."""
    audit.enqueue_on_commit(
        task,
        upload.pk,
        getattr(actor, "pk", None),
        noted=lambda task_id: LedgerUpload.objects.filter(pk=upload.pk).update(task_id=task_id),
    )


@transaction.atomic
def queue_analysis(upload: LedgerUpload, *, actor) -> None:
    """Check the upload in the background (a large file): queued now, started after commit."""
    from dangjian.ledgers.tasks import analyse_upload  # the tasks call this module's functions

    upload.status = Status.QUEUED
    upload.save(update_fields=["status", "updated_at"])
    record_event(actor, AuditEvent.LEDGERS_ANALYSIS_QUEUED, upload, file=upload.original_name)
    _enqueue(analyse_upload, upload, actor)


@transaction.atomic
def queue_commit(upload: LedgerUpload, *, valid_only: bool, actor) -> None:
    """Import the upload in the background (a large file). Only a checked upload is queued,
    once: a second request for the same upload raises ``ImportBusy``."""
    from dangjian.ledgers.tasks import commit_upload  # the tasks call this module's functions

    fresh = LedgerUpload.objects.select_for_update().get(pk=upload.pk)
    if fresh.status != Status.VALIDATED:
        raise ImportBusy(
            _("This upload is already %(status)s.") % {"status": fresh.get_status_display()}
        )
    upload.valid_only = valid_only
    upload.status = Status.QUEUED
    upload.save(update_fields=["valid_only", "status", "updated_at"])
    record_event(
        actor,
        AuditEvent.LEDGERS_COMMIT_QUEUED,
        upload,
        file=upload.original_name,
        valid_only=valid_only,
    )
    _enqueue(commit_upload, upload, actor)


def _cancelled(upload: LedgerUpload):
    path = _flag(upload, "cancel")
    return path.exists


# --------------------------------------------------------------------------------------------
# Checking (no writes to the ledgers)
# --------------------------------------------------------------------------------------------


def remembered_mapping(upload: LedgerUpload) -> dict:
    saved = LedgerMapping.objects.filter(federation=upload.federation, ledger=upload.ledger).first()
    return saved.headers if saved else {}


def open_upload(upload: LedgerUpload) -> reader.Table:
    if upload.files_removed_at is not None:
        raise reader.FileRefused(
            _(
                "The archived file was removed after its retention period (%(days)d days); "
                "upload it again."
            )
            % {"days": settings.UPLOAD_RETENTION_DAYS}
        )
    table = reader.open_table(
        archive_path(upload), upload.original_name, upload.ledger, remembered_mapping(upload)
    )
    if upload.mapping.get("columns"):
        table.header.mapping = {int(k): v for k, v in upload.mapping["columns"].items() if v}
    return table


def _context(upload, actor, *, commit=False, valid_only=False, progress=None) -> engine.Context:
    """``actor`` None (the command line) may import into every unit of the federation."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    phase = "commit" if commit else "check"

    def report(done: int) -> None:
        write_progress(upload, done, phase)
        if progress is not None:
            progress(done)

    return engine.Context(
        federation=upload.federation,
        user=user,
        commit=commit,
        valid_only=valid_only,
        progress=report,
        cancelled=_cancelled(upload),
    )


def analyse(upload: LedgerUpload, *, actor, columns: dict | None = None) -> engine.Outcome | None:
    """Read and validate every row; store counts, a sample of changes and the error workbook.

    ``columns`` ({column index: ledger column key or ""}) overrides the detected mapping.
    """
    if columns is not None:
        upload.mapping = {**upload.mapping, "columns": {str(k): v for k, v in columns.items()}}
    upload.status = Status.VALIDATING
    upload.mapping.pop("kept", None)
    upload.save(update_fields=["status", "mapping", "updated_at"])
    keep = None
    try:
        table = open_upload(upload)
        bound = kept.binding(upload, table.header.mapping, upload.sha256)
        keep = kept.Writer(_flag(upload, "cells"), bound, upload.ledger)
        outcome = engine.run(table, handler_for(upload.ledger), _context(upload, actor), keep=keep)
        mac = keep.finish(table)
    except reader.FileRefused as exc:
        _discard(keep)
        _finish(upload, Status.REFUSED, str(exc))
        return None
    except engine.Cancelled:
        _discard(keep)
        _finish(upload, Status.CANCELLED, _("Cancelled."))
        return None
    except Exception:  # a file that breaks a parser is refused, never left "validating"
        _discard(keep)
        logger.exception("ledger upload %s could not be read", upload.pk)
        _finish(upload, Status.REFUSED, _unreadable())
        return None
    upload.mapping = {
        **upload.mapping,
        "kept": mac,
        "columns": {str(k): v for k, v in table.header.mapping.items()},
        "labels": table.header.labels,
        "header_row": table.header.row_index + 1,
        "sheet": table.sheet_name or "",
        "unknown": table.header.unknown,
        "template_version": table.header.template_version,
    }
    _store_outcome(upload, table, outcome)
    upload.status = Status.VALIDATED
    upload.message = ""
    upload.save()
    return outcome


def _store_outcome(upload, table, outcome: engine.Outcome) -> None:
    notices = list(outcome.notices)
    version = table.header.template_version
    if version is not None and version < reader.specs.TEMPLATE_VERSION:
        notices.insert(
            0,
            _(
                "This file was made from an older template (version %(old)d; the current one is "
                "%(new)d). It was read, but please download the new template next time."
            )
            % {"old": version, "new": reader.specs.TEMPLATE_VERSION},
        )
    outcome.notices = notices
    upload.counts = {**outcome.counts, "rows": outcome.rows}
    upload.preview = outcome.as_json()
    if outcome.errors:
        out = ledger_dir() / "errors" / f"{upload.pk}-{uuid.uuid4().hex[:8]}"
        out.parent.mkdir(parents=True, exist_ok=True)
        written = workbooks.error_workbook(table, outcome.errors, upload.ledger, out)
        upload.error_path = str(written.relative_to(settings.MEDIA_ROOT))
    else:
        upload.error_path = ""


def _discard(keep) -> None:
    if keep is not None:
        keep.discard()


def _kept(upload: LedgerUpload):
    """The cells parsed by the check, if they are provably what reading the file gives now."""
    columns = upload.mapping.get("columns") or {}
    bound = kept.binding(upload, columns, upload.sha256)
    try:
        return kept.load(_flag(upload, "cells"), upload.mapping.get("kept"), bound,
                         archive_path(upload))  # fmt: skip
    except Exception:  # anything unexpected: read the file again
        logger.exception("kept cells of ledger upload %s not used", upload.pk)
        return None


def _finish(upload, status, message="") -> None:
    upload.status = status
    upload.message = message
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "message", "finished_at", "updated_at"])


def remember_mapping(upload: LedgerUpload) -> None:
    labels = upload.mapping.get("labels") or []
    columns = upload.mapping.get("columns") or {}
    headers = {
        labels[int(index)]: key
        for index, key in columns.items()
        if int(index) < len(labels) and key
    }
    if not headers:
        return
    saved, _created = LedgerMapping.objects.get_or_create(
        federation=upload.federation, ledger=upload.ledger
    )
    saved.headers = {**saved.headers, **headers}
    saved.save()


# --------------------------------------------------------------------------------------------
# Committing
# --------------------------------------------------------------------------------------------


def _claim(upload: LedgerUpload) -> None:
    """One import per federation at a time: a row lock on the federation, then a status check."""
    with transaction.atomic():
        Federation.objects.select_for_update().get(pk=upload.federation_id)
        busy = (
            LedgerUpload.objects.filter(
                federation_id=upload.federation_id,
                status=Status.COMMITTING,
                updated_at__gte=timezone.now() - STALE_AFTER,
            )
            .exclude(pk=upload.pk)
            .first()
        )
        if busy is not None:
            raise ImportBusy(
                _(
                    "Another import into this federation (%(file)s) is running; this one was not "
                    "started. Try again when it has finished."
                )
                % {"file": busy.original_name}
            )
        fresh = LedgerUpload.objects.select_for_update().get(pk=upload.pk)
        if fresh.status in (Status.COMMITTING, Status.COMMITTED, Status.CANCELLED):
            raise ImportBusy(
                _("This upload is already %(status)s.") % {"status": fresh.get_status_display()}
            )
        upload.status = Status.COMMITTING
        upload.save(update_fields=["status", "updated_at"])


def commit(
    upload: LedgerUpload, *, actor, valid_only: bool | None = None, progress=None
) -> engine.Outcome | None:
    """Import the upload. All-or-nothing unless ``valid_only``; the database is unchanged when
    anything fails or the user cancels."""
    if valid_only is not None:
        upload.valid_only = valid_only
        upload.save(update_fields=["valid_only", "updated_at"])
    _claim(upload)
    ctx = _context(upload, actor, commit=True, valid_only=upload.valid_only, progress=progress)
    outcome = None
    try:
        reuse = _kept(upload)
        table = reuse.table if reuse is not None else open_upload(upload)
        with bulk.roomy_cache(), transaction.atomic():
            # Inserts run beside the parsing of the next chunk, inside the transaction.
            with bulk.writes_behind():
                outcome = engine.run(
                    table,
                    handler_for(upload.ledger),
                    ctx,
                    kept=reuse.chunks() if reuse is not None else None,
                )
            if outcome.errors and not upload.valid_only:
                raise engine.Rollback
            record_event(
                actor,
                AuditEvent.LEDGERS_IMPORTED,
                upload,
                ledger=upload.ledger,
                file=upload.original_name,
                sha256=upload.sha256,
                counts=outcome.counts,
                valid_only=upload.valid_only,
                error_rows=len(outcome.errors),
            )
    except reader.FileRefused as exc:
        _finish(upload, Status.REFUSED, str(exc))
        return None
    except engine.Cancelled:
        _finish(upload, Status.CANCELLED, _("Cancelled; nothing was imported."))
        return None
    except engine.Rollback:
        assert outcome is not None  # raised above, once the run has its outcome
        _store_outcome(upload, table, outcome)
        upload.save()
        _finish(
            upload,
            Status.FAILED,
            _(
                "%(n)d rows have errors, so nothing was imported. Fix them in the marked "
                "workbook and upload it again, or import the valid rows only."
            )
            % {"n": len(outcome.errors)},
        )
        return outcome
    except Exception:
        _finish(upload, Status.FAILED, _("The import failed unexpectedly; nothing was imported."))
        raise
    _store_outcome(upload, table, outcome)
    upload.save()
    remember_mapping(upload)
    if outcome.nothing_to_do:
        message = _("No changes: the ledger already holds exactly this data.")
    else:
        message = _("Imported: %(new)d new, %(changed)d changed, %(unchanged)d unchanged.") % {
            "new": outcome.counts[engine.NEW],
            "changed": outcome.counts[engine.CHANGED],
            "unchanged": outcome.counts[engine.UNCHANGED],
        }
        if outcome.errors:
            message += " " + _("%(n)d rows with errors were skipped.") % {"n": len(outcome.errors)}
    _flag(upload, "cells").unlink(missing_ok=True)  # the kept cells served their purpose
    _finish(upload, Status.COMMITTED, message)
    return outcome


def import_file(
    path: Path, *, ledger: str, federation: Federation, actor=None, valid_only=False, progress=None
) -> tuple[LedgerUpload, engine.Outcome | None]:
    """The command line's import: archive, then check and write in one pass."""

    def chunks():
        with Path(path).open("rb") as fh:
            while block := fh.read(1024 * 1024):
                yield block

    upload = receive_upload(
        chunks(), Path(path).name, federation=federation, ledger=ledger, actor=actor
    )
    if upload.status == Status.REFUSED:
        return upload, None
    upload.valid_only = valid_only
    upload.status = Status.VALIDATED
    upload.save(update_fields=["valid_only", "status", "updated_at"])
    outcome = commit(upload, actor=actor, progress=progress)
    upload.refresh_from_db()
    return upload, outcome


def archive_path_of(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative
