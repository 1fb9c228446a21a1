"""Optimistic locking under real concurrency: two officers decide the same application at the
same moment; exactly one wins, the other gets the conflict (PostgreSQL, two connections)."""

import datetime
import threading

import pytest
from django.db import connection

from dangjian.applications import services
from dangjian.applications.models import Application
from dangjian.registry.models import Federation


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    federation = Federation.objects.create(name="并发测试联合会", level="city")
    invitation = services.create_invitation(
        federation, expires_on=datetime.date.today() + datetime.timedelta(days=1), actor=None
    )
    unit = {
        "name": "并发测试协会",
        "uscc": "91350100M000100Y43",
        "legal_form": "social_group",
        "category": "association",
        "district": "和平区",
        "contact_name": "甲",
        "contact_phone": "13800000000",
    }
    application, _token = services.start_application(invitation, unit, [], actor=None)
    application = services.submit_application(application, version=application.version, actor=None)
    version = application.version
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(reason):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.return_application(application, version=version, reason=reason, actor=None)
            outcomes.append("ok")
        except services.Conflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=decide, args=(r,)) for r in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    application = Application.objects.get(pk=application.pk)
    assert application.version == version + 1
    assert application.history.filter(to_status="returned").count() == 1
