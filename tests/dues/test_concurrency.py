"""Two people record the same payment at the same moment: the database's constraint lets one
win and the other is told who recorded it (PostgreSQL, two connections)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import translation

from dangjian.core.errors import Conflict
from dangjian.dues import services
from dangjian.dues.models import DuesPayment

from .conftest import Branch

D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_two_people_record_the_same_payment_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    branch = Branch()
    member = branch.member()
    branch.declare(member, 4000.00)
    branch.assess()
    barrier = threading.Barrier(2)
    outcomes = []

    def record(user):
        from django.db import connection as thread_connection

        try:
            with translation.override("zh-hans"):
                barrier.wait()
                services.record_payment(
                    member,
                    months=[D(2026, 1, 1)],
                    amount_fen=4000,
                    paid_on=D(2026, 1, 5),
                    method="cash",
                    actor=user,
                    today=D(2026, 1, 5),
                )
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(str(exc))
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=record, args=(u,)) for u in (branch.secretary, branch.officer)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "ok" in outcomes and len(outcomes) == 2
    [told] = [o for o in outcomes if o != "ok"]
    assert "已记录为已交（40.00 元，2026-01-05" in told and "未重复记录" in told
    assert DuesPayment.objects.filter(member=member).count() == 1
