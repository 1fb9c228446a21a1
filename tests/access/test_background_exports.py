"""Exports too large for a request are made in the background and downloaded from 我的导出
(issue 15 point 5: a province's roster export held a request for minutes)."""

import datetime
import io
import os
from urllib.parse import urlencode

import openpyxl
import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dangjian.access import background_exports
from dangjian.access.models import ExportFile, RoleAssignment
from dangjian.core import sealed
from dangjian.core.models import AuditLog
from dangjian.party.models import PartyMember

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ROSTER = reverse("party:member_list")


def _rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _ask(client, url, params, capture, *, run=True, limit=5, **extra):
    """GET the export with a bound of ``limit`` rows; the queued task runs (immediate backend)
    when the request's transaction commits, unless ``run`` is false."""
    with override_settings(EXPORT_IN_REQUEST_ROWS=limit, TASKS=IMMEDIATE), capture(execute=run):
        return client.get(url, params, **extra)


def test_a_large_roster_export_is_made_in_the_background_as_asked(
    persona_client, django_capture_on_commit_callbacks
):
    officer = persona_client("officer")
    params = {"status": "full", "export": "xlsx"}
    # The same export made in the request (the default bound): what the file must hold.
    in_request = officer.get(ROSTER, params)
    assert in_request.status_code == 200
    expected = _rows(in_request.content)
    assert len(expected) - 1 > 5  # more rows than the bound below
    assert not ExportFile.objects.exists()

    response = _ask(officer, ROSTER, params, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("exports")
    page = officer.get(response["Location"]).content.decode()
    assert "超过 5 行" in page and "后台生成" in page
    export = ExportFile.objects.get()
    assert export.status == ExportFile.Status.DONE and export.title == "党员名册"
    assert "status=full" in export.source and not export.unmasked
    assert export.filename.startswith("党员名册") and export.filename.endswith(".xlsx")
    assert f'href="{reverse("export_download", args=[export.pk])}"' in page
    assert "已生成" in page

    # Sealed at rest: no workbook in clear on the disk.
    assert background_exports.file_path(export).read_bytes().startswith(sealed.MAGIC)

    download = officer.get(reverse("export_download", args=[export.pk]))
    assert download.status_code == 200
    got = _rows(b"".join(download.streaming_content))
    # The filter held, the rows and ID masking are those of the export made in the request
    # (the notes sheet carries the time, so only the list is compared).
    assert got == expected
    id_column = next(i for i, h in enumerate(expected[0]) if "身份证" in str(h))
    assert all("*" in str(r[id_column]) for r in got[1:])

    # The trail: queued under the click's request id, the worker's export record under the
    # same id, then the download as a read of its own.
    queued = AuditLog.objects.get(event_type="export.queued")
    made = AuditLog.objects.filter(event_type="ledgers.list_exported").latest("pk")
    assert made.request_id == queued.request_id and made.action == AuditLog.Action.READ
    assert made.ip_address == queued.ip_address == "127.0.0.1"
    assert AuditLog.objects.filter(
        event_type="export.downloaded", object_id=str(export.pk), action=AuditLog.Action.READ
    ).exists()


def test_only_the_owner_sees_and_downloads_an_export(
    persona_client, django_capture_on_commit_callbacks
):
    officer = persona_client("officer")
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks)
    export = ExportFile.objects.get()
    for other in ("liaison", "secretary", "expert", "admin", "auditor"):
        client = persona_client(other)
        assert client.get(reverse("export_download", args=[export.pk])).status_code == 404
        page = client.get(reverse("exports")).content.decode()
        assert export.filename not in page and 'id="no-exports"' in page
    assert not AuditLog.objects.filter(event_type="export.downloaded").exists()


def test_the_bound_is_the_rows_of_the_export(persona_client, django_capture_on_commit_callbacks):
    # The secretary's roster: as many rows as the bound are made at once, one more is not.
    secretary = persona_client("secretary")
    rows = len(_rows(secretary.get(ROSTER, {"export": "xlsx"}).content)) - 1
    assert rows > 1
    capture = django_capture_on_commit_callbacks
    response = _ask(secretary, ROSTER, {"export": "xlsx"}, capture, limit=rows)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportFile.objects.exists()
    response = _ask(secretary, ROSTER, {"export": "xlsx"}, capture, limit=rows - 1)
    assert response.status_code == 302
    assert ExportFile.objects.get().status == ExportFile.Status.DONE


def test_the_unmasked_member_ledger_in_the_background(
    persona_client, django_capture_on_commit_callbacks
):
    officer = persona_client("officer")
    url = reverse("ledgers:export_members")
    expected = _rows(officer.get(url, {"personal": "1"}).content)
    response = _ask(officer, url, {"personal": "1"}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    export = ExportFile.objects.get()
    assert export.status == ExportFile.Status.DONE and export.unmasked
    page = officer.get(reverse("exports")).content.decode()
    assert "未脱敏" in page
    rows = _rows(
        b"".join(officer.get(reverse("export_download", args=[export.pk])).streaming_content)
    )
    id_column = rows[0].index("公民身份号码")
    # Unmasked as asked: a full 18-character number on every row, and one row per member.
    assert all(len(str(r[id_column])) == 18 and "*" not in str(r[id_column]) for r in rows[1:])
    assert rows == expected and len(rows) > 6
    # The worker's own record of the unmasked export, under the click's request id.
    queued = AuditLog.objects.get(event_type="export.queued")
    assert queued.changes["unmasked"] is True
    assert AuditLog.objects.filter(
        event_type="ledgers.export_members",
        action=AuditLog.Action.READ,
        request_id=queued.request_id,
    ).exists()


def test_rights_withdrawn_before_the_worker_runs_are_withdrawn_from_the_file(
    persona_client, django_capture_on_commit_callbacks
):
    officer = persona_client("officer")
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks, run=False)
    export = ExportFile.objects.get()
    assert export.status == ExportFile.Status.QUEUED
    page = officer.get(reverse("exports")).content.decode()
    assert "排队中" in page and 'http-equiv="refresh"' in page
    # The officer's role ends before a worker takes the task.
    RoleAssignment.objects.filter(user=export.user).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    background_exports.make(export.pk)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED
    assert export.message == "你已无权导出此内容。"
    assert not background_exports.file_path(export).exists()
    assert officer.get(reverse("export_download", args=[export.pk])).status_code == 404
    assert AuditLog.objects.filter(event_type="export.failed", object_id=str(export.pk)).exists()
    # A second worker taking the same task finds it no longer queued and does nothing.
    background_exports.make(export.pk)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED
    assert AuditLog.objects.filter(event_type="export.failed").count() == 1


def test_a_deactivated_account_gets_no_file(persona_client, django_capture_on_commit_callbacks):
    officer = persona_client("officer")
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks, run=False)
    export = ExportFile.objects.get()
    type(export.user).objects.filter(pk=export.user_id).update(is_active=False)
    background_exports.make(export.pk)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED
    assert export.message == "申请此导出的账号已停用。"


def test_expired_and_stuck_exports_are_pruned(persona_client, django_capture_on_commit_callbacks):
    officer = persona_client("officer")
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks)
    _ask(
        officer,
        ROSTER,
        {"export": "xlsx", "q": "张"},
        django_capture_on_commit_callbacks,
        run=False,
    )
    done, stuck = ExportFile.objects.order_by("pk")
    path = background_exports.file_path(done)
    assert path.exists()
    now = timezone.now()
    # Six days on: nothing expires yet, the queued one is stuck and failed.
    ExportFile.objects.update(created_at=now - datetime.timedelta(days=6))
    assert background_exports.prune(now) == 0
    stuck.refresh_from_db()
    assert (
        stuck.status == ExportFile.Status.FAILED and stuck.message == "导出未能完成，请重新申请。"
    )
    assert path.exists()
    # Past the seven days' retention: both files go, the records stay, marked removed.
    ExportFile.objects.update(created_at=now - datetime.timedelta(days=7, seconds=1))
    assert background_exports.prune(now) == 2
    assert not path.exists()
    assert set(ExportFile.objects.values_list("status", flat=True)) == {"expired"}
    assert officer.get(reverse("export_download", args=[done.pk])).status_code == 404
    assert "已删除" in officer.get(reverse("exports")).content.decode()
    assert AuditLog.objects.filter(event_type="export.pruned").exists()


def test_every_export_of_a_large_scope_goes_to_the_background(
    persona_client, django_capture_on_commit_callbacks
):
    """The ledgers' exports and the lists exported outside ``ListSpec.export``."""
    officer = persona_client("officer")
    year = timezone.localdate().year
    urls = [
        (reverse("ledgers:export_organizations"), {}),
        (reverse("ledgers:export_lifecycle", args=["transfers"]), {}),
        (reverse("inspections:inspection_list"), {"export": "xlsx", "year": year}),
        (reverse("party:party_organization_list"), {"export": "xlsx"}),
        (reverse("applications:instructor_list"), {"export": "xlsx"}),
    ]
    capture = django_capture_on_commit_callbacks
    for url, params in urls:
        expected = _rows(officer.get(url, params).content)
        rows = len(expected) - 1
        assert rows > 1, url
        # As many rows as the bound: made at once; one fewer: made in the background.
        assert _ask(officer, url, params, capture, limit=rows).status_code == 200, url
        response = _ask(officer, url, params, capture, limit=rows - 1)
        assert response.status_code == 302, (url, urlencode(params))
        export = ExportFile.objects.latest("pk")
        assert export.status == "done", (url, export.message)
        download = officer.get(reverse("export_download", args=[export.pk]))
        assert _rows(b"".join(download.streaming_content)) == expected, url


def test_the_owner_removes_the_file_before_its_time(
    persona_client, django_capture_on_commit_callbacks
):
    officer = persona_client("officer")
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks)
    export = ExportFile.objects.get()
    path = background_exports.file_path(export)
    assert path.exists()
    remove = reverse("export_remove", args=[export.pk])
    assert officer.get(remove).status_code == 405  # a change is a POST
    # Nobody else can remove it (the same 404 as for a missing export).
    assert persona_client("liaison").post(remove).status_code == 404
    assert path.exists()
    page = officer.get(officer.post(remove)["Location"]).content.decode()
    assert "党员名册的文件已删除" in page and "已删除" in page
    assert not path.exists()
    export.refresh_from_db()
    assert export.status == ExportFile.Status.EXPIRED
    assert officer.get(reverse("export_download", args=[export.pk])).status_code == 404
    assert AuditLog.objects.filter(event_type="export.removed", object_id=str(export.pk)).exists()


def test_a_second_click_does_not_queue_the_same_export_again(
    persona_client, django_capture_on_commit_callbacks
):
    officer = persona_client("officer")
    capture = django_capture_on_commit_callbacks
    _ask(officer, ROSTER, {"export": "xlsx"}, capture, run=False)
    response = _ask(officer, ROSTER, {"export": "xlsx"}, capture, run=False)
    assert ExportFile.objects.count() == 1
    assert "正在生成" in officer.get(response["Location"]).content.decode()
    # Another filter is another export.
    _ask(officer, ROSTER, {"export": "xlsx", "status": "full"}, capture, run=False)
    assert ExportFile.objects.count() == 2


def test_the_file_is_written_in_the_language_of_the_click(
    persona_client, django_capture_on_commit_callbacks
):
    officer = persona_client("officer")
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    expected = _rows(officer.get(ROSTER, {"export": "xlsx"}, **english).content)
    assert expected[0][0] == "full name"
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks, **english)
    export = ExportFile.objects.get()
    assert export.language == "en" and export.title == "Member roster"
    download = officer.get(reverse("export_download", args=[export.pk]))
    assert _rows(b"".join(download.streaming_content)) == expected


def test_the_address_is_kept_encrypted_and_cleared_with_the_file(
    persona_client, django_capture_on_commit_callbacks
):
    # A search by a whole ID number is personal data in the export's address.
    officer = persona_client("officer")
    number = PartyMember.objects.exclude(id_number="").order_by("pk").first().id_number
    params = {"export": "xlsx", "q": number}
    _ask(officer, ROSTER, params, django_capture_on_commit_callbacks, limit=0)
    export = ExportFile.objects.get()
    assert export.status == "done" and number in export.source
    with connection.cursor() as cursor:
        cursor.execute("SELECT source FROM access_exportfile")
        (stored,) = cursor.fetchone()
    assert number not in stored and "q=" not in stored
    officer.post(reverse("export_remove", args=[export.pk]))
    export.refresh_from_db()
    assert export.status == "expired" and export.source == ""


def test_an_export_failed_while_being_made_stays_failed(
    persona_client, django_capture_on_commit_callbacks, monkeypatch
):
    # The nightly run fails it (stuck) while the worker is still writing its file.
    officer = persona_client("officer")
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks, run=False)
    export = ExportFile.objects.get()
    replay = background_exports._replay

    def slow_replay(e):
        response = replay(e)
        ExportFile.objects.filter(pk=e.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=2)
        )
        background_exports.prune()
        return response

    monkeypatch.setattr(background_exports, "_replay", slow_replay)
    background_exports.make(export.pk)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED
    assert export.message == "导出未能完成，请重新申请。"
    assert not background_exports.file_path(export).exists()
    failed = AuditLog.objects.get(event_type="export.failed")
    assert failed.actor_id is None  # the system's finding, not the owner's act


def test_files_no_made_export_owns_are_removed(persona_client, django_capture_on_commit_callbacks):
    officer = persona_client("officer")
    _ask(officer, ROSTER, {"export": "xlsx"}, django_capture_on_commit_callbacks)
    made = background_exports.file_path(ExportFile.objects.get())
    folder = made.parent
    stray = [folder / ".7.xlsx.0a1b2c3d.part", folder / "999.xlsx"]
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    for path in [*stray, made]:
        path.touch() if path != made else None
        os.utime(path, (two_days_ago, two_days_ago))
    fresh = folder / "1000.xlsx"
    fresh.touch()  # being written now, perhaps: kept until it is a day old
    background_exports.prune()
    assert made.exists() and fresh.exists()
    assert not any(p.exists() for p in stray)
