"""The rules pages: scoped, in Chinese, bulk actions audited, background runs with progress."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from dangjian.core.models import AuditLog
from dangjian.rulebook import loader as rulebook_loader
from dangjian.rules.models import EvaluationRun, Finding
from dangjian.rules.registry import PARAMETERS_ONLY

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_findings_page_lists_the_demo_findings(officer_client):
    response = officer_client.get(reverse("rules:finding_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "应建未建" in text and "天津市网络直播行业协会" in text
    filtered = officer_client.get(reverse("rules:finding_list"), {"rule": "terms.overdue"})
    assert "天津市软件行业协会党支部" in filtered.content.decode()
    assert "天津市网络直播行业协会" not in filtered.content.decode()


def test_outsider_sees_no_findings(persona_client):
    client = persona_client("outsider")
    response = client.get(reverse("rules:finding_list"))
    assert "天津市网络直播行业协会" not in response.content.decode()
    finding = Finding.objects.first()
    assert client.get(reverse("rules:finding_detail", args=[finding.pk])).status_code == 404


def test_bulk_acknowledge_and_dismiss_are_audited(officer_client):
    ids = list(Finding.objects.open().values_list("pk", flat=True)[:2])
    response = officer_client.post(
        reverse("rules:finding_bulk"), {"finding": ids, "action": "acknowledged"}
    )
    assert response.status_code == 302
    assert set(Finding.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "acknowledged"
    }
    assert AuditLog.objects.filter(event_type="finding.acknowledged").count() == 2
    # Dismissing needs a reason.
    officer_client.post(reverse("rules:finding_bulk"), {"finding": ids, "action": "dismissed"})
    assert not Finding.objects.filter(pk__in=ids, status="dismissed").exists()
    officer_client.post(
        reverse("rules:finding_bulk"),
        {"finding": ids, "action": "dismissed", "reason": "已核实为历史数据"},
    )
    assert Finding.objects.filter(pk__in=ids, status="dismissed").count() == 2
    assert AuditLog.objects.filter(event_type="finding.dismissed").count() == 2


def test_finding_detail_and_stale_version(officer_client):
    finding = Finding.objects.open().first()
    url = reverse("rules:finding_detail", args=[finding.pk])
    assert finding.explanation_text in officer_client.get(url).content.decode()
    officer_client.post(url, {"status": "acknowledged", "version": finding.version + 5})
    finding.refresh_from_db()
    assert finding.status == "open"
    officer_client.post(url, {"status": "acknowledged", "version": finding.version})
    finding.refresh_from_db()
    assert finding.status == "acknowledged"


def test_rulebook_page_shows_rules_and_open_counts(officer_client):
    text = officer_client.get(reverse("rules:rulebook")).content.decode()
    assert "应建未建" in text and "中国共产党支部工作条例" in text
    assert "min_full_members" in text


def test_override_saved_by_officer(officer_client, demo_federation):
    from dangjian.rulebook.models import RuleOverride

    officer_client.post(
        reverse("rules:override_save"),
        {
            "federation": demo_federation.pk,
            "rule_id": "dormancy.dormant_society",
            "parameters": '{"inactive_months": 18}',
            "valid_from": "2026-01-01",
        },
    )
    assert RuleOverride.objects.get(rule_id="dormancy.dormant_society").parameters == {
        "inactive_months": 18
    }


@override_settings(TASKS=IMMEDIATE)
def test_background_run_records_progress(
    officer_client, demo_federation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("rules:run_start"),
            {"federation": demo_federation.pk, "as_of": datetime.date.today().isoformat()},
        )
    run = EvaluationRun.objects.get()
    assert response.status_code == 302
    run.refresh_from_db()
    # One step per rule of the rulebook that judges (not the parameter-only entries): 19 with
    # the dues rule and the two of the transfers; each new rule adds one.
    book = rulebook_loader.load()
    judging = [r for r in book.rule_ids() if book.latest(r).kind != PARAMETERS_ONLY]
    assert len(judging) >= 19
    assert run.state == "done" and run.steps_done == run.steps_total == len(judging)
    partial = officer_client.get(
        reverse("rules:run_detail", args=[run.pk]), headers={"HX-Request": "true"}
    )
    assert "run-progress" in partial.content.decode()


def test_coverage_page_and_units_behind_each_figure(officer_client, demo_federation):
    response = officer_client.get(reverse("rules:coverage"), {"federation": demo_federation.pk})
    text = response.content.decode()
    assert response.status_code == 200
    assert "coverage-trend-data" in text and "rules/coverage.js" in text
    units = officer_client.get(
        reverse("rules:coverage_units"),
        {"federation": demo_federation.pk, "measure": "uncovered"},
    ).content.decode()
    assert "天津市网络直播行业协会" in units
    assert "天津市互联网协会" not in units
