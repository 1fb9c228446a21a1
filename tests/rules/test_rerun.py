"""Re-running with nothing changed skips every rule; any change of an input re-evaluates."""

from __future__ import annotations

import datetime

from dangjian.core.audit import record_change, snapshot
from dangjian.party.models import Coverage
from dangjian.rulebook.models import RuleOverride
from dangjian.rules import freshness, services
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding, InputChange, RuleState

D = datetime.date
AS_OF = D(2025, 6, 30)
RULE = "formation.required_not_formed"


def findings(world):
    return Finding.objects.filter(federation=world.fed, rule_id=RULE)


def skipped(results):
    return {r.rule_id for r in results if r.skipped}


def covered_unit(world, name="覆盖协会", full=4):
    unit = world.unit(name, full=full)
    world.party_org(f"{name}党支部", units=[unit], relation_full=full)
    return unit


def test_unchanged_rerun_skips_every_rule_and_writes_nothing(world):
    world.unit("应建协会", full=4)
    first = world.run(AS_OF)
    assert not skipped(first)
    assert RuleState.objects.filter(federation=world.fed).count() == len(first)
    before = list(Finding.objects.filter(federation=world.fed).values_list("id", "updated_at"))
    second = world.run(AS_OF)
    assert skipped(second) == {r.rule_id for r in second}
    assert {r.rule_id: r.found for r in second} == {r.rule_id: r.found for r in first}
    after = list(Finding.objects.filter(federation=world.fed).values_list("id", "updated_at"))
    assert after == before
    # Another day, or forced: evaluated again.
    assert not skipped(world.run(D(2025, 7, 31), [RULE]))
    assert not skipped(Engine(world.fed, D(2025, 7, 31), rule_ids=[RULE]).run(force=True))


def test_a_new_row_re_evaluates(world):
    unit = world.unit("三人协会", full=2)
    world.run(AS_OF, [RULE])
    assert not findings(world).exists()
    world.members(1, employer=unit)  # inserted: the third full member
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 1
    assert "正式党员 3 名" in findings(world).get().explanation


def test_a_saved_change_re_evaluates(world):
    unit = covered_unit(world)
    world.run(AS_OF, [RULE])
    assert not findings(world).exists()
    coverage = Coverage.objects.get(organization=unit)
    coverage.valid_to = D(2024, 12, 31)  # a correction: the branch stopped covering it
    coverage.save()
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 1


def test_a_deleted_row_re_evaluates(world):
    unit = covered_unit(world)
    world.run(AS_OF, [RULE])
    Coverage.objects.filter(organization=unit).delete()
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 1


def changes_of(table):
    """A table's change count: the sum of its buckets (one per writing connection's bucket)."""
    return sum(InputChange.objects.filter(table_name=table).values_list("changes", flat=True))


def test_an_unaudited_queryset_update_re_evaluates(world):
    """A write that leaves ``updated_at`` alone and records nothing (a queryset ``update()``,
    raw SQL) is still seen: the database's own triggers count every update and deletion of an
    input table in the writing transaction."""
    unit = covered_unit(world)
    world.run(AS_OF, [RULE])
    table = Coverage._meta.db_table
    before = changes_of(table)
    Coverage.objects.filter(organization=unit).update(valid_to=D(2024, 12, 31))
    assert changes_of(table) > before
    # A statement that changes no row counts nothing (PostgreSQL's fire per statement).
    changes = changes_of(table)
    Coverage.objects.filter(pk=-1).update(valid_to=D(2024, 12, 31))
    Coverage.objects.filter(pk=-1).delete()
    assert changes_of(table) == changes
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 1


def test_every_input_table_has_its_change_count_and_a_missing_trigger_falls_back(world):
    """Every input table is counted by triggers (installed after migrate); a table whose
    triggers are gone — a migration that rebuilt it on SQLite — is read by its latest
    ``updated_at`` instead, so a saved change is still seen."""
    from django.db import connection

    tables = {m._meta.db_table for m in freshness.input_models()}
    assert freshness.counted_tables() >= tables
    unit = covered_unit(world)
    world.run(AS_OF, [RULE])
    table = Coverage._meta.db_table
    with connection.cursor() as cursor:
        on = "" if connection.vendor == "sqlite" else f' ON "{table}"'
        cursor.execute(f'DROP TRIGGER "{freshness._trigger(table, "UPDATE")}"{on}')
    assert table not in freshness.counted_tables()
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped  # the digest changed form for that table: evaluated again
    coverage = Coverage.objects.get(organization=unit)
    coverage.valid_to = D(2024, 12, 31)
    coverage.save()  # no trigger counts it: its updated_at does
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 1
    freshness.install_triggers()  # what the next migrate does
    assert freshness.counted_tables() >= tables


def test_an_audited_queryset_update_re_evaluates(world, django_user_model):
    """A service that writes with ``update()`` (``updated_at`` untouched) records the change in
    the audit log, which is an input too."""
    unit = covered_unit(world)
    actor = django_user_model.objects.create(username="rerun-officer")
    world.run(AS_OF, [RULE])
    coverage = Coverage.objects.get(organization=unit)
    before = snapshot(coverage)
    Coverage.objects.filter(pk=coverage.pk).update(valid_to=D(2024, 12, 31))
    coverage.refresh_from_db()
    record_change(actor, coverage, before)
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 1


def test_a_resolved_condition_closes_on_the_same_day(world):
    unit = world.unit("应建协会", full=4)
    world.run(AS_OF, [RULE])
    world.party_org("新建党支部", units=[unit], relation_full=4, valid_from=D(2025, 6, 1))
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.resolved == 1
    assert findings(world).get().status == "resolved"


def test_a_parameter_override_re_evaluates(world):
    world.unit("四人协会", full=4)
    world.run(AS_OF, [RULE])
    assert findings(world).count() == 1
    RuleOverride.objects.create(
        federation=world.fed, rule_id=RULE, parameters={"min_full_members": 5}, valid_from=D2019
    )
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.resolved == 1


def test_a_changed_rulebook_re_evaluates(world):
    from dangjian.rulebook import loader as rulebook

    world.unit("四人协会", full=4)
    world.run(AS_OF, [RULE])
    text = rulebook.PATH.read_text(encoding="utf-8").replace(
        "min_full_members: 3", "min_full_members: 5", 1
    )
    book = rulebook.Rulebook.from_yaml(text)
    (result,) = world.run(AS_OF, [RULE], book=book)
    assert not result.skipped


def test_a_persons_status_change_or_deleted_finding_re_evaluates(world, django_user_model):
    world.unit("应建协会", full=4)
    officer = django_user_model.objects.create(username="rerun-dismisser")
    world.run(AS_OF, [RULE])
    finding = findings(world).get()
    services.dismiss(finding, "组织关系在原单位", actor=officer, version=finding.version)
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped
    assert findings(world).get().status == "dismissed"  # no new fact: stays dismissed
    (result,) = world.run(AS_OF, [RULE])
    assert result.skipped
    findings(world).delete()
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 1


def test_a_run_over_another_federation_does_not_skip_this_one(world, make_world):
    world.unit("应建协会", full=4)
    other = make_world()
    other.unit("另一应建协会", full=4)
    world.run(AS_OF, [RULE])
    other.run(AS_OF, [RULE])  # writes findings of the same rule
    (result,) = world.run(AS_OF, [RULE])
    assert not result.skipped and result.created == 0 and result.unchanged == 1


D2019 = D(2019, 1, 1)
