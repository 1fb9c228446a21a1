"""Working files of imports are removed once useless; today's and unfinished ones stay."""

import io
import os
import time

import pytest
from django.core.management import call_command

from dangjian.ledgers.models import LedgerUpload
from dangjian.ledgers.services import ledger_dir

pytestmark = pytest.mark.django_db


def _file(name: str, age_days: float):
    path = ledger_dir() / "state" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    past = time.time() - age_days * 86400
    os.utime(path, (past, past))
    return path


def _upload(status, federation, user):
    return LedgerUpload.objects.create(
        federation=federation,
        ledger="members",
        status=status,
        original_name="t.xlsx",
        stored_path="ledgers/t.xlsx",
        sha256="0" * 64,
        size=1,
        uploader=user,
    )


def test_prune_keeps_what_may_still_serve(settings, tmp_path, demo_federation):
    from django.contrib.auth import get_user_model

    settings.MEDIA_ROOT = tmp_path
    user = get_user_model().objects.get(username="officer")
    done = _upload(LedgerUpload.Status.COMMITTED, demo_federation, user)
    waiting = _upload(LedgerUpload.Status.VALIDATED, demo_federation, user)
    old_cells = _file(f"{waiting.pk}.cells", 2)  # a check nobody confirmed, two days ago
    old_progress_waiting = _file(f"{waiting.pk}.progress", 2)  # its page still shows it
    old_progress_done = _file(f"{done.pk}.progress", 2)
    fresh_cells = _file(f"{done.pk}.cells", 0.1)  # today: a commit may still use it
    out = io.StringIO()
    call_command("prune_uploads", stdout=out)
    assert "已删除 2 个导入工作文件" in out.getvalue()
    assert not old_cells.exists() and not old_progress_done.exists()
    assert old_progress_waiting.exists() and fresh_cells.exists()


def _archived(world, tmp_path, name, age_days, *, bad=False):
    """A real upload (archive sealed, error workbook when ``bad``), made ``age_days`` ago."""
    import datetime

    from django.utils import timezone

    from .conftest import make_id
    from .helpers import MEMBER_HEADERS, upload, write_xlsx

    rows = [["张三", "男", make_id(len(name)), "13800138000", "", "2015-07-01", "", "", "", "", ""]]
    rows[0][7] = world.units[0].uscc
    if bad:
        rows[0][5] = "去年"
    path = tmp_path / name
    # The same name is the same file: written once (a workbook written again a second later
    # carries another timestamp, so other bytes).
    if not path.exists():
        write_xlsx(path, [MEMBER_HEADERS, *rows])
    item = upload(world, path)
    created = timezone.now() - datetime.timedelta(days=age_days)
    LedgerUpload.objects.filter(pk=item.pk).update(created_at=created)
    item.refresh_from_db()
    return item


def test_archived_uploads_go_after_their_retention(world, tmp_path, settings):
    from dangjian.core.models import AuditLog
    from dangjian.ledgers import services

    settings.UPLOAD_RETENTION_DAYS = 180
    old = _archived(world, tmp_path, "old.xlsx", 181, bad=True)
    young = _archived(world, tmp_path, "young.xlsx", 179)
    old_files = [services.archive_path(old), services.archive_path_of(old.error_path)]
    assert all(p.exists() for p in old_files)
    out = io.StringIO()
    call_command("prune_uploads", "--dry-run", stdout=out)
    assert "将删除超过保存期（180 天）的 1 次上传的 4 个文件" in out.getvalue()  # + progress, cells
    assert all(p.exists() for p in old_files)
    call_command("prune_uploads", stdout=io.StringIO())
    assert not any(p.exists() for p in old_files)
    assert services.archive_path(young).exists()
    old.refresh_from_db()
    assert old.files_removed_at is not None and old.error_path == "" and old.sha256  # record stays
    event = AuditLog.objects.filter(event_type="ledgers.uploads_pruned").latest("id")
    assert event.changes["uploads"] == 1 and event.changes["retention_days"] == 180
    # Checking it again says why in Chinese, instead of failing on a missing file.
    services.analyse(old, actor=world.user)
    old.refresh_from_db()
    assert old.status == "refused" and "保存期" in old.message
    page = world.client.get(f"/ledgers/uploads/{old.pk}/").content.decode()
    assert "归档文件已于" in page


def test_a_running_import_and_a_shared_archive_are_kept(world, tmp_path, settings):
    from dangjian.ledgers import services

    settings.UPLOAD_RETENTION_DAYS = 30
    running = _archived(world, tmp_path, "running.xlsx", 40)
    LedgerUpload.objects.filter(pk=running.pk).update(status=LedgerUpload.Status.COMMITTING)
    first = _archived(world, tmp_path, "same.xlsx", 40)
    again = _archived(world, tmp_path, "same.xlsx", 1)  # the same file uploaded again
    assert first.stored_path == again.stored_path
    call_command("prune_uploads", stdout=io.StringIO())
    assert services.archive_path(running).exists()
    assert services.archive_path(again).exists()  # still within the younger one's retention
    first.refresh_from_db()
    assert first.files_removed_at is not None
