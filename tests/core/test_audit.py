"""core.audit: links in snapshots, notes, bulk records, request context and the client address."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from dangjian.core import audit
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
        assert audit.record_changes(None, pairs, note="ledger import") == 2
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
