"""N-8: recurring duties generate a task per cycle, idempotently, and are compared with what
was done. Cycles and deadlines counted by hand (2026's holiday schedule is built in)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.notices import duties, services
from dangjian.notices.models import Duty, Notice, Receipt

from .conftest import World

pytestmark = pytest.mark.django_db
D = datetime.date


def at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def duty(world, cycle, year=2026, **more):
    return Duty.objects.create(
        federation=world.fed,
        title=more.pop("title", f"三会一课（{cycle}）"),
        audience=more.pop("audience", Notice.Audience.ALL_UNITS),
        expected_count=more.pop("expected_count", 1),
        cycle=cycle,
        year=year,
        **more,
    )


def test_cycles_of_a_year():
    quarters = duties.cycles(Duty.Cycle.QUARTER, 2026)
    assert [(c.key, c.first, c.last) for c in quarters] == [
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30)),
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
    ]
    months = duties.cycles(Duty.Cycle.MONTH, 2024)
    assert len(months) == 12 and months[1].key == "2024-02"
    assert months[1].last == D(2024, 2, 29)  # a leap year
    assert [(c.key, c.last) for c in duties.cycles(Duty.Cycle.YEAR, 2026)] == [
        ("2026", D(2026, 12, 31))
    ]


def test_tasks_per_cycle_idempotent_and_expected_against_actual(world):
    quarterly = duty(world, Duty.Cycle.QUARTER, title="党课", expected_count=1)
    duty(world, Duty.Cycle.MONTH, title="党小组会", expected_count=1)
    duty(world, Duty.Cycle.MONTH, year=2027, title="明年的")
    duty(world, Duty.Cycle.MONTH, title="停用的", active=False)
    other = World()
    duty(other, Duty.Cycle.MONTH, title="别的联合会的")

    # Wednesday 20 May 2026: the second quarter's and May's tasks.
    made = duties.generate_due(D(2026, 5, 20), now=at(2026, 5, 20, 9, 0))
    mine = [n for n in made if n.federation_id == world.fed.pk]
    assert sorted(n.title for n in mine) == ["党小组会（2026-05）", "党课（2026-Q2）"]
    q2 = Notice.objects.get(duty=quarterly, period="2026-Q2")
    assert q2.kind == Notice.Kind.TASK and q2.status == Notice.Status.PUBLISHED
    assert q2.receipts.count() == 30
    assert timezone.localtime(q2.sign_deadline) == at(2026, 5, 22, 9, 0)  # 2 working days
    assert timezone.localtime(q2.feedback_deadline) == at(2026, 6, 30, 23, 59)  # cycle's end
    assert "每个周期应完成1次" in q2.body
    # Twice the same day, or later in the same cycles: nothing new.
    assert duties.generate_due(D(2026, 5, 20), now=at(2026, 5, 20, 10, 0)) == []
    assert duties.generate_due(D(2026, 5, 31), now=at(2026, 5, 31, 9, 0)) == []
    # Monday 1 June: June's task only.
    june = duties.generate_due(D(2026, 6, 1), now=at(2026, 6, 1, 9, 0))
    assert [n.title for n in june if n.federation_id == world.fed.pk] == ["党小组会（2026-06）"]
    assert Notice.objects.filter(duty__federation=world.fed).count() == 3

    # One unit's feedback on the quarter's task is accepted, another's is waiting.
    first, second = q2.receipts.order_by("pk")[:2]
    services.submit_feedback(first, "已上党课", actor=world.liaisons[0])
    services.review(Receipt.objects.get(pk=first.pk), accept=True, actor=world.officer)
    services.submit_feedback(second, "已上党课", actor=world.liaisons[1])
    # progress() counts as of its day, by the receipts' timestamps: given on 25 May, the first
    # accepted on the 26th (the services stamp the real time, after the scenario's days).
    Receipt.objects.filter(pk__in=[first.pk, second.pk]).update(feedback_at=at(2026, 5, 25, 10, 0))
    Receipt.objects.filter(pk=first.pk).update(reviewed_at=at(2026, 5, 26, 10, 0))

    rows = {
        p.duty.title: p
        for p in duties.progress(Duty.objects.filter(federation=world.fed), D(2026, 6, 1))
    }
    # The quarterly duty: Q1 and Q2 begun, Q1 ended before it was set up (no task): missing.
    assert (rows["党课"].cycles_begun, rows["党课"].tasks) == (2, 1)
    assert (rows["党课"].feedback_expected, rows["党课"].feedback_submitted) == (30, 2)
    assert rows["党课"].feedback_accepted == 1
    assert (rows["党小组会"].cycles_begun, rows["党小组会"].tasks) == (6, 2)
    assert rows["党小组会"].feedback_expected == 60
    assert rows["明年的"].cycles_begun == 0 and rows["停用的"].tasks == 0


def test_a_new_version_keeps_its_cycle_and_is_not_generated_again(world):
    monthly = duty(world, Duty.Cycle.MONTH, title="党小组会")
    (task,) = [
        n for n in duties.generate_due(D(2026, 5, 20), now=timezone.now()) if n.duty == monthly
    ]
    new = services.republish(
        task, {"title": "党小组会（2026-05，更正）"}, "更正", actor=world.officer
    )
    assert (new.duty, new.period, new.version_no) == (monthly, "2026-05", 2)
    assert duties.generate_due(D(2026, 5, 20), now=timezone.now()) == []
