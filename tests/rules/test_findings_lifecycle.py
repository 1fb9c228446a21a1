"""Findings are idempotent: re-runs update, close, reopen on a new fact, never duplicate."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.party.models import Coverage, Employment
from dangjian.rules import services
from dangjian.rules.models import Finding
from dangjian.rules.registry import KINDS

D = datetime.date
pytestmark = pytest.mark.django_db
RULE = "formation.required_not_formed"


def findings(world):
    return Finding.objects.filter(federation=world.fed, rule_id=RULE)


def test_run_twice_creates_no_new_rows(world):
    world.unit("应建协会", full=4)
    world.party_org("无覆盖支部", secretary=False)
    first = world.run(D(2025, 6, 30))
    count = Finding.objects.filter(federation=world.fed).count()
    assert count == sum(r.created for r in first) > 0
    second = world.run(D(2025, 6, 30))
    assert sum(r.created for r in second) == 0
    assert sum(r.updated for r in second) == 0
    assert Finding.objects.filter(federation=world.fed).count() == count


def test_last_seen_moves_and_condition_end_resolves(world):
    unit = world.unit("应建协会", full=4)
    world.run(D(2025, 6, 30), [RULE])
    world.run(D(2025, 7, 31), [RULE])
    f = findings(world).get()
    assert (f.first_seen, f.last_seen, f.status) == (D(2025, 6, 30), D(2025, 7, 31), "open")
    po = world.party_org("应建协会党支部")
    Coverage.objects.create(party_organization=po, organization=unit, valid_from=D(2025, 8, 10))
    result = world.run(D(2025, 8, 31), [RULE])
    f.refresh_from_db()
    assert (f.status, f.resolved_on, result[0].resolved) == ("resolved", D(2025, 8, 31), 1)
    # Re-running an earlier day does not disturb it, nor duplicate it.
    world.run(D(2025, 7, 15), [RULE])
    f.refresh_from_db()
    assert f.status == "resolved" and findings(world).count() == 1
    # The condition comes back later: the same row reopens.
    Coverage.objects.filter(organization=unit).update(valid_to=D(2025, 9, 30))
    world.run(D(2025, 10, 31), [RULE])
    f.refresh_from_db()
    assert f.status == "open" and f.resolved_on is None and findings(world).count() == 1


def test_dismissed_stays_dismissed_until_a_new_fact(world, django_user_model):
    unit = world.unit("应建协会", full=4)
    officer = django_user_model.objects.create(username="rules-officer")
    world.run(D(2025, 6, 30), [RULE])
    f = findings(world).get()
    with pytest.raises(ValidationError):
        services.dismiss(f, "", actor=officer, version=f.version)
    services.dismiss(
        f, "该单位党员组织关系均在原单位，已报上级党委备案", actor=officer, version=f.version
    )
    world.run(D(2025, 7, 31), [RULE])
    f.refresh_from_db()
    assert f.status == "dismissed" and f.last_seen == D(2025, 7, 31)
    # A fifth full member is a new fact: the finding reopens.
    world.members(1, employer=unit, employed_from=D(2025, 8, 1))
    world.run(D(2025, 8, 31), [RULE])
    f.refresh_from_db()
    assert f.status == "open" and "正式党员 5 名" in f.explanation


def test_optimistic_locking_and_transitions(world, django_user_model):
    world.unit("应建协会", full=4)
    officer = django_user_model.objects.create(username="rules-officer2")
    world.run(D(2025, 6, 30), [RULE])
    f = findings(world).get()
    services.acknowledge(f, actor=officer, version=f.version)
    with pytest.raises(services.EditConflict):
        services.acknowledge(f, actor=officer, version=f.version - 1)
    services.change_status(f, "rectifying", actor=officer, version=f.version)
    with pytest.raises(ValidationError):
        services.change_status(f, "acknowledged", actor=officer, version=f.version)
    assert Finding.objects.get(pk=f.pk).status == "rectifying"


def test_as_of_past_days_after_later_corrections(world):
    """Facts are dated: a correction entered later (an employment that in fact ended) changes
    what the past looked like only from the date it states."""
    unit = world.unit("更正协会", full=3)
    assert len(world.evaluate(D(2024, 12, 31), RULE)) == 1
    # Correction recorded today: one member actually left the unit on 30 June 2024.
    e = Employment.objects.filter(organization=unit).first()
    e.valid_to = D(2024, 6, 30)
    e.save()
    assert world.evaluate(D(2024, 12, 31), RULE) == []
    assert len(world.evaluate(D(2024, 6, 30), RULE)) == 1


def test_new_findings_are_written_in_subject_order_whatever_order_the_rule_found_them(
    world, monkeypatch
):
    """The worklist breaks ties by id, so a rule's new findings get their ids in subject order
    — not in the order its (unordered) reads happened to return them."""
    units = [world.unit(f"应建协会{i}", full=4) for i in range(4)]
    kind = "required_not_formed"
    found = KINDS[kind]
    monkeypatch.setitem(KINDS, kind, lambda ctx: list(reversed(list(found(ctx)))))
    world.run(D(2025, 6, 30), [RULE])
    written = list(findings(world).order_by("id").values_list("organization_id", flat=True))
    assert written == sorted(u.pk for u in units)
