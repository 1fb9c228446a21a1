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
