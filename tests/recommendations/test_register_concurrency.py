"""The letter register under concurrent drafting: N officers at once get N distinct,
consecutive numbers (no gaps, no duplicates). Threads each use their own database connection."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from dangjian.core import numbering
from dangjian.recommendations import services
from dangjian.recommendations.models import Letter
from dangjian.registry.models import Federation, Organization

N = 8
PROCESSES = 5  # each boots Django: fewer than the threads, on a 2-core machine
DAY = datetime.date(2026, 3, 2)


def _world():
    from dangjian.rules.models import Finding

    federation = Federation.objects.create(
        name="并发测试联合会", short_name="并网联", letter_prefix="并网联", level="city"
    )
    org = Organization.objects.create(
        name="并发测试协会",
        legal_form=Organization.LegalForm.SOCIAL_GROUP,
        category=Organization.Category.ASSOCIATION,
        supervising_unit="并发测试主管单位",
        registration_authority="并发测试民政局",
    )
    finding = Finding.objects.create(
        rule_id="dormancy.dormant_society",
        federation=federation,
        organization=org,
        subject_key=f"o{org.pk}",
        severity="serious",
        explanation="连续两年未报送年度工作报告。",
        first_seen=DAY,
        last_seen=DAY,
    )
    user = get_user_model().objects.create_user("concurrent-officer", password="x-unused-1")
    return federation, finding, user


def _run_concurrently(work):
    barrier = threading.Barrier(N)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results.append(work(i))
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_drafts_get_distinct_consecutive_numbers():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite: see test_concurrent_numbering_on_an_sqlite_file (processes)")
    federation, finding, user = _world()

    def draft_and_number(i):
        letter = services.draft_letter(
            federation, [finding], recipient_kind="supervisor", today=DAY, actor=user
        )
        return services.issue_letter(
            letter, version=letter.version, issued_on=DAY, actor=user
        ).serial

    serials = _run_concurrently(draft_and_number)
    assert sorted(serials) == list(range(1, N + 1))
    numbers = list(
        Letter.objects.filter(federation=federation).values_list("doc_number", flat=True)
    )
    assert len(set(numbers)) == N
    assert "并网联〔2026〕1号" in numbers and f"并网联〔2026〕{N}号" in numbers
    assert numbering.last(services.register_of(federation), 2026) == N


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_of_existing_drafts():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite: see test_concurrent_numbering_on_an_sqlite_file (processes)")
    federation, finding, user = _world()
    drafts = [
        services.draft_letter(
            federation, [finding], recipient_kind="registrar", today=DAY, actor=user
        )
        for _ in range(N)
    ]

    def number(i):
        return services.issue_letter(
            drafts[i], version=drafts[i].version, issued_on=DAY, actor=user
        ).serial

    serials = _run_concurrently(number)
    assert sorted(serials) == list(range(1, N + 1))
    assert Letter.objects.get(pk=drafts[0].pk).recipient == "并发测试民政局"


SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from dangjian.registry.models import Federation, Organization
from dangjian.rules.models import Finding
import datetime
day = datetime.date(2026, 3, 2)
fed = Federation.objects.create(name="并发测试联合会", short_name="并网联", letter_prefix="并网联", level="city")
org = Organization.objects.create(name="并发测试协会", legal_form="social_group", category="association", supervising_unit="主管单位")
Finding.objects.create(rule_id="dormancy.dormant_society", federation=fed, organization=org, subject_key=f"o{org.pk}", severity="serious", explanation="连续两年未报送年度工作报告。", first_seen=day, last_seen=day)
get_user_model().objects.create_user("concurrent-officer", password="x-unused-1")
"""

WORKER = """
import django, datetime, sys, time; django.setup()
from django.contrib.auth import get_user_model
from dangjian.recommendations import services
from dangjian.registry.models import Federation
from dangjian.rules.models import Finding
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.005)
fed = Federation.objects.get(short_name="并网联")
user = get_user_model().objects.get(username="concurrent-officer")
day = datetime.date(2026, 3, 2)
letter = services.draft_letter(fed, list(Finding.objects.all()), recipient_kind="supervisor", today=day, actor=user)
print(services.issue_letter(letter, version=letter.version, issued_on=day, actor=user).serial)
"""


@pytest.mark.django_db
def test_concurrent_numbering_on_an_sqlite_file(tmp_path, real_clock):
    """On SQLite (a file, WAL, IMMEDIATE transactions) N processes number N letters at once."""
    if connection.vendor != "sqlite":
        pytest.skip("the thread tests above cover PostgreSQL")
    import os
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "DANGJIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'register.sqlite3'}",
        "DANGJIAN_VAR_DIR": str(tmp_path),
    }
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=300)
    start = time.time() + 8
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    serials = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        serials.append(int(out.strip().splitlines()[-1]))
    assert sorted(serials) == list(range(1, PROCESSES + 1))
