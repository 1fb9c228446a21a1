"""The services of the dated histories: every write keeps a member's relation periods and the
current relation on the member in step; elections and extensions refuse in Chinese; the
migration turns the undated values into the first records."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dangjian.core.models import AuditLog
from dangjian.demo import identity
from dangjian.party import bulk as party_bulk
from dangjian.party import queries
from dangjian.party import services as party
from dangjian.party.models import Election, PartyMember, Position, RelationPeriod
from dangjian.registry import services as registry
from dangjian.registry.models import Federation

pytestmark = pytest.mark.django_db
D = datetime.date
RNG = random.Random(17)


@pytest.fixture
def fed():
    return registry.create_federation(
        {"name": "历史测试联合会", "level": Federation.Level.CITY, "founded_on": D(2018, 1, 1)},
        actor=None,
    )


D2019 = D(2019, 1, 1)


def branch(fed, name, day=D2019, **fields):
    return party.form_party_organization(
        fed, name=name, kind="branch", valid_from=day, actor=None, **fields
    )


def new_member(**extra):
    birth = D(1985, 1, 1) + datetime.timedelta(days=RNG.randrange(0, 3000))
    return party.create_member(
        {
            "name": "历史党员",
            "gender": "male",
            "id_number": identity.id_number(RNG, birth, True),
            "joined_party_on": D(2015, 6, 1),
            "full_member_on": D(2016, 6, 1),
            **extra,
        },
        actor=None,
    )


def in_step(member: PartyMember) -> bool:
    """The current relation on the member is the open period's (or none)."""
    member.refresh_from_db()
    open_period = member.relation_periods.filter(valid_to__isnull=True).first()
    held = (open_period.party_organization_id, open_period.external) if open_period else (None, "")
    return (member.relation_party_organization_id, member.relation_external) == held


def test_every_relation_write_keeps_the_current_value_in_step(fed):
    a, b = branch(fed, "甲支部"), branch(fed, "乙支部", D(2020, 1, 1))
    # Created with a relation of unknown start: from joining, or the founding if later.
    member = new_member(relation_party_organization=a)
    assert in_step(member)
    assert member.relation_periods.get().valid_from == D(2019, 1, 1)
    moved = party.move_relation(member, to=b, on=D(2021, 3, 1), actor=None)
    assert in_step(member) and member.relation_party_organization == b
    party.move_relation(member, to="某街道党工委", on=D(2022, 1, 1), actor=None)
    assert in_step(member) and member.relation_external == "某街道党工委"
    party.move_relation(member, to=None, on=D(2023, 1, 1), actor=None)
    assert in_step(member) and member.relation_party_organization is None
    assert member.relation_external == ""
    party.move_relation(member, to=a, on=D(2024, 1, 1), actor=None)
    assert in_step(member)
    # Removing a mistaken period gives the days back to the one before it.
    party.remove_relation_period(member.relation_periods.get(valid_from=D(2024, 1, 1)), actor=None)
    assert in_step(member) and member.relation_party_organization is None
    party.remove_relation_period(moved, actor=None)
    assert in_step(member)
    assert [
        (p.party_organization_id, p.valid_from, p.valid_to) for p in member.relation_periods.all()
    ] == [
        (a.pk, D(2019, 1, 1), D(2021, 12, 31)),
        (None, D(2022, 1, 1), D(2022, 12, 31)),
    ]
    # Moved on the day a period began: that period is replaced, not ended before it began.
    party.move_relation(member, to=b, on=D(2022, 1, 1), actor=None)
    assert in_step(member)
    assert member.relation_periods.filter(valid_from=D(2022, 1, 1)).get().party_organization == b
    # Each move is in the audit trail with its day.
    days = set(
        AuditLog.objects.filter(
            event_type="member.relation_moved", object_id=str(member.pk)
        ).values_list("changes__on", flat=True)
    )
    assert {"2021-03-01", "2022-01-01", "2023-01-01", "2024-01-01"} <= days


def test_bulk_and_workflow_writes_keep_it_in_step(fed):
    a = branch(fed, "丙支部")
    unit = registry.admit_unit(
        fed,
        {"name": "丙协会", "legal_form": "social_group", "category": "association"},
        joined_on=D(2019, 1, 1),
        actor=None,
    ).organization
    rows = [
        {
            "name": f"批量{i}",
            "gender": "male",
            "id_number": identity.id_number(RNG, D(1990, 1, 1 + i), True),
            "joined_party_on": D(2015, 1, 1),
            "full_member_on": D(2016, 1, 1),
            "relation_external": "外地党委" if i else "",
        }
        for i in range(3)
    ]
    created = party_bulk.create_members_bulk(rows, actor=None)
    assert all(in_step(m) for m in created)
    assert RelationPeriod.objects.filter(member__in=created).count() == 2
    for m in created:
        party.start_employment(m, unit, on=D(2019, 6, 1), actor=None)
    # Forming a branch for the unit moves its employees' relations in (a dated move each).
    moved = party_bulk.move_relations_of_units(a, [unit], on=D(2020, 1, 1), actor=None)
    assert moved == 3 and all(in_step(m) for m in created)
    assert set(queries.voting_members(a, on=D(2020, 1, 1))) == set(created)
    assert queries.voting_members(a, on=D(2019, 12, 31)).count() == 0


def test_the_current_relation_is_not_edited_as_a_field(fed):
    member = new_member()
    with pytest.raises(ValidationError):
        party.update_member(member, {"relation_external": "别处"}, actor=None)


def test_anonymising_erases_the_outside_holder_in_the_history(fed):
    member = new_member(relation_external="某街道党工委")
    party.anonymise_member(member, actor=None, left_on=D(2025, 1, 1))
    assert member.relation_periods.get().external == ""


def test_record_election_with_its_posts(fed):
    po = branch(fed, "选举支部")
    old, new_secretary, deputy = (new_member(relation_party_organization=po) for _ in range(3))
    party.appoint_position(
        po, old, role=Position.Role.SECRETARY, valid_from=D(2019, 1, 1), actor=None
    )
    election = party.record_election(
        po,
        held_on=D(2022, 1, 10),
        posts=[(new_secretary, Position.Role.SECRETARY), (deputy, Position.Role.DEPUTY_SECRETARY)],
        actor=None,
    )
    # Default kind and length: a general election (not the founding day), 3 years (rulebook).
    assert (election.kind, election.term_years) == (Election.Kind.GENERAL, 3)
    assert po.positions.get(member=old).valid_to == D(2022, 1, 9)
    assert set(po.positions.filter(valid_to__isnull=True).values_list("member", flat=True)) == {
        new_secretary.pk,
        deputy.pk,
    }
    assert AuditLog.objects.filter(event_type="party_organization.election_recorded").exists()


def test_elections_are_refused_in_chinese(fed):
    po = branch(fed, "拒绝支部")
    party.record_election(po, held_on=D(2019, 1, 1), actor=None)
    cases = [
        ({"held_on": D(2018, 12, 31)}, "选举日期不能早于党组织成立日期（2019-01-01）。"),
        ({"held_on": D(2019, 1, 1)}, "该党组织 2019-01-01 的选举已有记录。"),
        (
            {"held_on": D(2020, 1, 1), "kind": Election.Kind.FOUNDING},
            "成立选举应为首次选举，该党组织此前已有选举记录。",
        ),
        ({"held_on": D(2020, 1, 1), "term_years": 11}, "任期应为 1 至 10 的整数年。"),
    ]
    for values, message in cases:
        with pytest.raises(ValidationError) as refused:
            party.record_election(po, actor=None, **values)
        assert refused.value.messages == [message]
    with pytest.raises(ValidationError) as refused:
        party.approve_term_extension(
            branch(fed, "无选举支部"),
            approved_on=D(2020, 1, 1),
            approved_by="上级党委",
            extended_until=D(2023, 6, 1),
            actor=None,
        )
    # No election recorded: the term counted from the founding cannot be extended.
    assert refused.value.messages == ["截至 2020-01-01，该党组织没有选举产生的任期记录。"]


def test_correcting_an_election_checks_its_extensions(fed):
    po = branch(fed, "更正支部")
    election = party.record_election(po, held_on=D(2019, 1, 1), actor=None)
    party.approve_term_extension(
        po,
        approved_on=D(2021, 12, 1),
        approved_by="上级党委",
        extended_until=D(2022, 6, 30),
        actor=None,
    )
    # Five years would end after the extension's end: refused.
    with pytest.raises(ValidationError):
        party.update_election(election, {"term_years": 5}, actor=None)
    party.update_election(election, {"document_no": "测批〔2019〕2号"}, actor=None)
    election.refresh_from_db()
    assert election.document_no == "测批〔2019〕2号" and election.term_years == 3


def immediate():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite cannot alter tables inside the test's transaction; run on PostgreSQL",
)
def test_the_migration_turns_current_values_into_history(fed):
    """0005 on the state before it: the current term becomes an election, the undated relation
    an open period from the earliest day it can have been held."""
    executor = MigrationExecutor(connection)
    before = [("party", "0004_election_termextension_relationperiod")]
    after = [("party", "0006_remove_partyorganization_term_fields")]
    immediate()  # PostgreSQL alters no table with deferred checks pending in the transaction
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Fed = old.get_model("registry", "Federation")
    Org = old.get_model("party", "PartyOrganization")
    Member = old.get_model("party", "PartyMember")
    federation = Fed.objects.get(pk=fed.pk)
    founded = Org.objects.create(
        name="迁移成立支部", kind="branch", federation=federation, valid_from=D(2019, 3, 1),
        term_started_on=D(2019, 3, 1), term_years=3,
    )  # fmt: skip
    reelected = Org.objects.create(
        name="迁移换届党委", kind="committee", federation=federation, valid_from=D(2015, 1, 1),
        term_started_on=D(2022, 5, 1),
    )  # fmt: skip
    none = Org.objects.create(
        name="迁移无届支部", kind="branch", federation=federation, valid_from=D(2020, 1, 1)
    )
    inside = Member.objects.create(
        name="迁移甲", gender="male", id_number="", joined_party_on=D(2010, 1, 1),
        relation_party_organization=founded,
    )  # fmt: skip
    outside = Member.objects.create(
        name="迁移乙", gender="male", id_number="", joined_party_on=D(2021, 7, 1),
        relation_external="某街道党工委",
    )  # fmt: skip
    executor.loader.build_graph()
    immediate()
    executor.migrate(after)
    elections = {
        (e.party_organization_id, e.held_on, e.kind, e.term_years) for e in Election.objects.filter(
            party_organization_id__in=[founded.pk, reelected.pk, none.pk]
        )
    }  # fmt: skip
    assert elections == {
        (founded.pk, D(2019, 3, 1), "founding", 3),
        (reelected.pk, D(2022, 5, 1), "general", 5),  # the committee's length, not recorded
    }
    periods = {
        (p.member_id, p.party_organization_id, p.external, p.valid_from, p.valid_to)
        for p in RelationPeriod.objects.filter(member_id__in=[inside.pk, outside.pk])
    }
    assert periods == {
        (inside.pk, founded.pk, "", D(2019, 3, 1), None),  # joined 2010, branch founded 2019
        (outside.pk, None, "某街道党工委", D(2021, 7, 1), None),
    }


def _trail(member: PartyMember) -> list[tuple]:
    """The member's relation records of the compared move (note 比对) as the audit page reads
    them, with the member's name and the periods' own ids left out."""
    out = []
    for row in AuditLog.objects.filter(note="比对").order_by("pk"):
        named = row.object_repr == member.name or row.object_repr.startswith(member.name + " ")
        if not named:
            continue
        changes = dict(row.changes)
        for key in ("after", "before"):
            if isinstance(changes.get(key), dict):
                changes[key] = {f: v for f, v in changes[key].items() if f not in ("id", "member")}
        shown = row.object_repr.removeprefix(member.name)
        out.append((row.action, row.event_type, row.object_type, shown, str(changes)))
    return sorted(out)


def test_moves_in_bulk_are_the_moves_one_by_one(fed):
    """Every case of ``move_relation`` — a period ended, one begun that day replaced, a later
    one with the same holder started earlier, a move inside the history (the new period ends
    where the next begins), a move to where the relation already is (nothing), a relation
    cleared — gives the same periods, current relation, trail records and events when done by
    ``move_relations_bulk`` for many members at once."""
    a, b = branch(fed, "比对甲支部"), branch(fed, "比对乙支部", D(2020, 1, 1))
    histories = [
        # (the member's moves before, the move compared)
        ([], (b, D(2021, 3, 1))),  # ends the open period
        ([(b, D(2021, 3, 1))], (None, D(2021, 3, 1))),  # begun that day: replaced (cleared)
        ([(b, D(2022, 1, 1))], (b, D(2021, 6, 1))),  # later period, same holder: starts earlier
        ([(b, D(2022, 1, 1))], ("某街道党工委", D(2020, 6, 1))),  # inside: ends before the next
        ([(b, D(2021, 3, 1))], (b, D(2021, 5, 1))),  # already there: nothing
        ([], ("某街道党工委", D(2023, 2, 1))),  # to a holder outside the system
    ]
    pairs = []
    for i, (before, _move) in enumerate(histories):
        twins = []
        for who in ("单", "批"):
            member = new_member(name=f"比对{who}{i}", relation_party_organization=a)
            for to, on in before:
                party.move_relation(member, to=to, on=on, actor=None)
            twins.append(member)
        pairs.append(twins)
    for (one, _many), (_before, (to, on)) in zip(pairs, histories, strict=True):
        party.move_relation(one, to=to, on=on, actor=None, note="比对")
    moved = party.move_relations_bulk(
        [(many, to, on) for (_one, many), (_b, (to, on)) in zip(pairs, histories, strict=True)],
        actor=None,
        note="比对",
    )
    assert moved == len(histories) - 1  # the one already there did not move
    for one, many in pairs:
        assert in_step(one) and in_step(many)
        assert [
            (p.party_organization_id, p.external, p.valid_from, p.valid_to)
            for p in one.relation_periods.order_by("valid_from")
        ] == [
            (p.party_organization_id, p.external, p.valid_from, p.valid_to)
            for p in many.relation_periods.order_by("valid_from")
        ]
        assert (one.relation_party_organization_id, one.relation_external) == (
            many.relation_party_organization_id,
            many.relation_external,
        )
        assert _trail(one) == _trail(many)
        assert _trail(one) != [] or one.name.endswith("4")  # already there: no record
    with pytest.raises(ValueError):
        party.move_relations_bulk([(pairs[0][1], a, D(2024, 1, 1))] * 2, actor=None)
