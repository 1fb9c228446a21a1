"""core.audit: links in snapshots, notes, bulk records, request context and the client address."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from dangjian.core import audit, audit_bulk
from dangjian.core.http import client_ip
from dangjian.core.middleware import RequestIdMiddleware
from dangjian.core.models import AuditLog
from dangjian.registry.models import Domain, Organization

pytestmark = pytest.mark.django_db


def _org():
    return Organization.objects.order_by("pk").first()


def test_snapshot_holds_many_to_many_primary_keys():
    org = _org()
    snap = audit.snapshot(org)
    assert snap["domains"] == sorted(org.domains.values_list("pk", flat=True))
    assert "domains" not in audit.snapshot(org, m2m=False)


def test_a_link_only_change_leaves_a_row():
    org = _org()
    before = audit.snapshot(org)
    new = Domain.objects.exclude(pk__in=before["domains"]).first()
    org.domains.add(new)
    log = audit.record_change(None, org, before)
    assert log is not None and log.action == AuditLog.Action.UPDATE
    old, after = log.changes["fields"]["domains"]
    assert new.pk in after and new.pk not in old


def test_a_note_without_a_change_is_recorded_and_silence_is_not():
    org = _org()
    assert audit.record_change(None, org, audit.snapshot(org)) is None
    log = audit.record_change(None, org, audit.snapshot(org), note="checked, kept")
    assert log.note == "checked, kept" and log.changes == {"fields": {}}


def test_record_changes_writes_one_row_per_changed_object():
    orgs = list(Organization.objects.order_by("pk")[:3])
    pairs = [(o, audit.snapshot(o, m2m=False)) for o in orgs]
    orgs[0].district = "和平区" if orgs[0].district != "和平区" else "河西区"
    orgs[2].district = "红桥区" if orgs[2].district != "红桥区" else "河北区"
    with audit.context(request_id="bulk-1"):
        assert audit_bulk.record_changes(None, pairs, note="ledger import") == 2
    rows = AuditLog.objects.filter(request_id="bulk-1")
    assert {r.object_id for r in rows} == {str(orgs[0].pk), str(orgs[2].pk)}
    assert all(r.note == "ledger import" and r.actor_name == "system" for r in rows)
    assert all(set(r.changes["fields"]) == {"district"} for r in rows)


def test_context_sets_and_restores_the_request_id():
    assert audit.current_request_id() == ""
    with audit.context(ip="10.0.0.9") as outer:
        assert len(outer) == 36 and audit.current_request_id() == outer
        with audit.context(request_id="inner"):
            log = audit.record_event(None, "keys.rotated")
        assert audit.current_request_id() == outer
    assert audit.current_request_id() == ""
    assert log.request_id == "inner" and log.ip_address is None


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta)


def _audited_view(request):
    audit.record_event(None, "keys.rotated", note="probe")
    return HttpResponse()


@override_settings(BEHIND_PROXY=True)
def test_behind_a_proxy_the_audit_keeps_the_client_address_not_the_proxys():
    request = _request(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    response = RequestIdMiddleware(_audited_view)(request)
    log = AuditLog.objects.get(note="probe")
    assert log.ip_address == "203.0.113.7"
    assert log.request_id == response["X-Request-ID"]


@override_settings(BEHIND_PROXY=False)
def test_without_a_proxy_forwarded_for_is_not_trusted():
    request = _request(HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.1"
    RequestIdMiddleware(_audited_view)(request)
    assert AuditLog.objects.get(note="probe").ip_address == "10.0.0.1"


def test_a_queued_rule_run_keeps_the_request_id_of_the_click(monkeypatch, demo_federation):
    import datetime

    from dangjian.rules import tasks
    from dangjian.rules.models import EvaluationRun

    run = EvaluationRun.objects.create(federation=demo_federation, as_of=datetime.date.today())

    def fake_execute(run):
        audit.record_event(None, "keys.rotated", note="from the task")
        return run

    monkeypatch.setattr(tasks, "execute", fake_execute)
    tasks.evaluate_rulebook.call(run.pk, "req-of-the-click")
    assert AuditLog.objects.get(note="from the task").request_id == "req-of-the-click"


def test_request_run_passes_its_request_id_to_the_task(monkeypatch, demo_federation):
    import datetime

    from dangjian.rules import services, tasks

    sent = []

    class FakeTask:
        @staticmethod
        def enqueue(*args):
            sent.append(args)

    monkeypatch.setattr(tasks, "evaluate_rulebook", FakeTask)
    with audit.context(request_id="req-42"), pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        run = services.request_run(demo_federation, datetime.date.today(), actor=None)
    assert sent == [(run.pk, "req-42")]


@pytest.mark.parametrize("name", ["analyse_upload", "commit_upload"])
def test_queued_imports_keep_the_request_id_of_the_click(monkeypatch, demo_federation, name):
    from dangjian.ledgers import tasks
    from dangjian.ledgers.models import LedgerUpload

    upload = LedgerUpload.objects.create(
        federation=demo_federation,
        ledger="members",
        status=LedgerUpload.Status.VALIDATED,
        original_name="t.xlsx",
        stored_path="ledgers/t.xlsx",
        sha256="0" * 64,
        size=1,
    )

    def fake(upload, *, actor):
        audit.record_event(actor, "ledgers.imported", upload, note=f"{name} in the task")

    monkeypatch.setattr(tasks.services, name.split("_")[0], fake)
    getattr(tasks, name).call(upload.pk, None, "req-of-the-upload")
    log = AuditLog.objects.get(note=f"{name} in the task")
    assert log.request_id == "req-of-the-upload"


def test_actor_in_words():
    """Who changed a record, as a conflict message says it: never "system" or "anonymous"."""
    assert audit.actor_words(AuditLog(actor_name="officer")) == "officer"
    assert audit.actor_words(AuditLog(actor_name="system")) == "系统"
    assert audit.actor_words(AuditLog(actor_name="anonymous")) == "访客"


def test_bulk_creations_store_the_json_dumps_would_write():
    """record_creations builds each row's JSON column by column; the stored text is the one
    ``json.dumps`` gives for the masked ``after`` (keys in order, the same escapes), whatever
    the values: repeated and unique text, dates, None, booleans beside integers, a nested
    record, a row with other fields, an empty one."""
    import datetime
    import decimal
    import json

    from django.db import connection

    day = datetime.date(1985, 3, 2)
    created = [
        (
            1,
            "王伟",
            {
                "name": "王伟",
                "birth_date": day,
                "id_number": "11010519850302001X",
                "phone": "13812345678",
                "is_flowing": True,
                "relation_party_organization": 1,
                "left_on": None,
                "employment": {"organization": 7, "job_title": "干事", "valid_to": None},
            },
        ),
        (
            2,
            '李"娜\\',
            {
                "name": '李"娜\\',
                "birth_date": None,
                "id_number": "",
                "phone": "",
                "is_flowing": False,
                "relation_party_organization": None,
                "left_on": datetime.date(2024, 1, 1),
                "employment": {"organization": 8, "job_title": "", "valid_to": "2024-01-01"},
            },
        ),
        (3, "张敏", {"name": "张敏", "dues": decimal.Decimal("12.50"), "note": "x\ny"}),
        (4, "空", {}),
    ]
    assert audit_bulk.record_creations(None, "party.partymember", created, note="导入 test") == 4
    expected = {
        "1": {
            "name": "王伟",
            "birth_date": "1985-03-02",
            "id_number": "110105********001X",
            "phone": "138****5678",
            "is_flowing": True,
            "relation_party_organization": 1,
            "left_on": None,
            "employment": {"organization": 7, "job_title": "干事", "valid_to": None},
        },
        "2": {
            "name": '李"娜\\',
            "birth_date": None,
            "id_number": "",
            "phone": "",
            "is_flowing": False,
            "relation_party_organization": None,
            "left_on": "2024-01-01",
            "employment": {"organization": 8, "job_title": "", "valid_to": "2024-01-01"},
        },
        "3": {"name": "张敏", "dues": "12.50", "note": "x\ny"},
        "4": {},
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT object_id, object_repr, note, action, changes FROM core_auditlog "
            "WHERE object_type = 'party.partymember' AND note = %s ORDER BY id",
            ["导入 test"],
        )
        stored = cursor.fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in stored] == [
        ("1", "王伟", "导入 test", "create"),
        ("2", '李"娜\\', "导入 test", "create"),
        ("3", "张敏", "导入 test", "create"),
        ("4", "空", "导入 test", "create"),
    ]
    for object_id, _repr, _note, _action, text in stored:
        after = {"after": expected[object_id]}
        if connection.vendor == "sqlite":  # the text itself; PostgreSQL keeps jsonb
            assert text == json.dumps(after)
        log = AuditLog.objects.get(note="导入 test", object_id=object_id)
        assert log.changes == after


def test_bulk_creations_column_by_column_store_the_same_rows():
    """The column form (the ledger import's) writes what the row form writes; a field marked
    ABSENT is left out of that row's ``after``."""
    import datetime

    from django.db import connection

    rows = [
        (10, "王伟", {"name": "王伟", "birth_date": datetime.date(1985, 3, 2), "phone": "13812345678",
                     "job": {"organization": 7}}),
        (11, "李娜", {"name": "李娜", "birth_date": None, "phone": ""}),
        (12, "张敏", {"name": "张敏", "birth_date": datetime.date(1990, 1, 1), "phone": "139",
                     "job": {"organization": 8}}),
    ]  # fmt: skip
    columns = audit_bulk.Creations(
        [10, 11, 12],
        ["王伟", "李娜", "张敏"],
        {
            "name": ["王伟", "李娜", "张敏"],
            "birth_date": [datetime.date(1985, 3, 2), None, datetime.date(1990, 1, 1)],
            "phone": ["13812345678", "", "139"],
            "job": [{"organization": 7}, audit_bulk.ABSENT, {"organization": 8}],
        },
    )
    assert audit_bulk.record_creations(None, "party.partymember", rows, note="rows") == 3
    assert audit_bulk.record_creations(None, "party.partymember", columns, note="columns") == 3

    def stored(note):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT object_id, object_repr, changes FROM core_auditlog WHERE note = %s "
                "ORDER BY id",
                [note],
            )
            return cursor.fetchall()

    assert stored("columns") == stored("rows")
    assert AuditLog.objects.get(note="columns", object_id="11").changes == {
        "after": {"name": "李娜", "birth_date": None, "phone": ""}
    }
    assert AuditLog.objects.get(note="columns", object_id="12").changes["after"]["phone"] == "***"
