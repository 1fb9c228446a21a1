"""Hand-computed scenarios of the dated histories (issue 17, points 1, 2 and 6): terms read from
the elections and approved extensions in force on the day, 组织关系 read from its moves, and a
branch's members counted as DOMAIN.md §1 and §3.1 say (employed in a unit it covers, or holding
the relation in it, each once).

Every figure below is computed by hand from the dates written here; the dates in the
explanations are written by the rules' one formatter (``base.fmt``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.party import queries, term_queries
from dangjian.party import services as party
from dangjian.party.models import Election, PartyOrganization, Position
from dangjian.rulebook.loader import Rulebook
from dangjian.rules import coverage
from dangjian.rules.kinds.base import fmt

from .conftest import shipped_entries

D = datetime.date
K = PartyOrganization.Kind
pytestmark = pytest.mark.django_db
HIGHER = "中共测试市社会组织综合委员会"


def about(candidates, po) -> list:
    return [c for c in candidates if c.party_organization_id == po.pk]


# -- terms -----------------------------------------------------------------------------------


def test_the_term_in_force_changes_on_the_day_of_the_election(world):
    """Founded and first elected on 1 Jan 2019 (3 years: ends 1 Jan 2022); the next election
    came late, on 30 Jun 2022; then on time on 20 Jun 2025."""
    branch = world.party_org("迟换届支部", valid_from=D(2019, 1, 1))
    party.record_election(branch, held_on=D(2022, 6, 30), actor=None)
    party.record_election(branch, held_on=D(2025, 6, 20), actor=None)
    assert [e.kind for e in branch.elections.order_by("held_on")] == [
        Election.Kind.FOUNDING,
        Election.Kind.GENERAL,
        Election.Kind.GENERAL,
    ]

    # The last day of the first term: not overdue; the day after: 1 day overdue.
    assert world.evaluate(D(2022, 1, 1), "terms.overdue") == []
    (c,) = world.evaluate(D(2022, 1, 2), "terms.overdue")
    assert "已逾期 1 天（0 个月）" in c.explanation
    # The day before the election: 2022-01-01 → 2022-06-29 is 179 days, 5 whole months.
    (c,) = world.evaluate(D(2022, 6, 29), "terms.overdue")
    assert c.explanation == (
        f"本届任期自 {fmt(D(2019, 1, 1))}（成立时选举）起，每届 3 年，应于 {fmt(D(2022, 1, 1))} "
        f"届满；没有经上级党组织批准的延期，截至 {fmt(D(2022, 6, 29))} 仍未换届，"
        "已逾期 179 天（5 个月）。"
    )
    assert c.period_key == "term:2019-01-01"
    # The day of the election: the new term is in force.
    assert world.evaluate(D(2022, 6, 30), "terms.overdue") == []
    term = term_queries.term_in_force(branch, D(2022, 6, 30))
    assert (term.started_on, term.ends_on, term.election_id is not None) == (
        D(2022, 6, 30),
        D(2025, 6, 30),
        True,
    )
    assert term_queries.term_in_force(branch, D(2022, 6, 29)).started_on == D(2019, 1, 1)
    # A by-election fills a post; it starts no term.
    party.record_election(branch, held_on=D(2023, 3, 1), kind=Election.Kind.BY_ELECTION, actor=None)
    assert term_queries.term_in_force(branch, D(2024, 1, 1)).started_on == D(2022, 6, 30)
    # Replaying two years back reads the history, not today's term: as of 1 Jul 2025 the
    # term elected on 20 Jun 2025 runs; as of 29 Jun 2022 the first one was overdue.
    assert world.evaluate(D(2025, 7, 1), "terms.overdue") == []
    assert about(world.evaluate(D(2022, 6, 29), "terms.overdue"), branch)


def test_an_expired_term_with_and_without_an_approved_extension(world):
    """Elected on 1 Mar 2022 for 3 years: the term ends on 1 Mar 2025."""
    plain = world.party_org("未批延期支部", valid_from=D(2019, 1, 1), term_started_on=D(2022, 3, 1))
    extended = world.party_org(
        "已批延期支部", valid_from=D(2019, 1, 1), term_started_on=D(2022, 3, 1)
    )
    late = world.party_org(
        "事后批延期支部", valid_from=D(2019, 1, 1), term_started_on=D(2022, 3, 1)
    )
    party.approve_term_extension(
        extended,
        approved_on=D(2025, 2, 15),
        approved_by=HIGHER,
        extended_until=D(2026, 3, 1),
        document_no="测组〔2025〕3号",
        actor=None,
    )
    party.approve_term_extension(
        late,
        approved_on=D(2026, 1, 15),
        approved_by=HIGHER,
        extended_until=D(2026, 3, 1),
        actor=None,
    )
    # Eleven months after the end (1 Feb 2026): 337 days, 11 months. With no extension
    # approved: overdue (the old rule added a year to every term and reported nothing).
    found = world.evaluate(D(2026, 2, 1), "terms.overdue")
    assert {c.party_organization_id for c in found} == {plain.pk}
    (c,) = found
    assert c.explanation == (
        f"本届任期自 {fmt(D(2022, 3, 1))}（换届选举）起，每届 3 年，应于 {fmt(D(2025, 3, 1))} "
        f"届满；没有经上级党组织批准的延期，截至 {fmt(D(2026, 2, 1))} 仍未换届，"
        "已逾期 337 天（11 个月）。"
    )
    assert c.evidence["extended_until"] == "" and c.evidence["deadline"] == fmt(D(2025, 3, 1))
    # The extension approved after the end counts from its approval: the day before it, the
    # branch is overdue (320 days); from that day on, it is not.
    assert {c.party_organization_id for c in world.evaluate(D(2026, 1, 14), "terms.overdue")} == {
        plain.pk,
        late.pk,
    }
    # Until its end (1 Mar 2026) the extension is in force; the next day both are overdue by 1.
    assert {c.party_organization_id for c in world.evaluate(D(2026, 3, 1), "terms.overdue")} == {
        plain.pk
    }
    after = {c.party_organization_id: c for c in world.evaluate(D(2026, 3, 2), "terms.overdue")}
    assert set(after) == {plain.pk, extended.pk, late.pk}
    assert after[extended.pk].explanation == (
        f"本届任期自 {fmt(D(2022, 3, 1))}（换届选举）起，每届 3 年，应于 {fmt(D(2025, 3, 1))} "
        f"届满；经上级党组织批准延期至 {fmt(D(2026, 3, 1))}，延期也已届满，"
        f"截至 {fmt(D(2026, 3, 2))} 仍未换届，已逾期 1 天（0 个月）。"
    )
    term = term_queries.term_in_force(extended, D(2026, 2, 1))
    assert (term.ends_on, term.extended_until, term.deadline) == (
        D(2025, 3, 1),
        D(2026, 3, 1),
        D(2026, 3, 1),
    )


def test_an_extension_past_one_year_is_refused_in_chinese(world):
    branch = world.party_org(
        "超期延期支部", valid_from=D(2019, 1, 1), term_started_on=D(2022, 3, 1)
    )
    with pytest.raises(ValidationError) as refused:
        party.approve_term_extension(
            branch,
            approved_on=D(2025, 2, 15),
            approved_by=HIGHER,
            extended_until=D(2026, 3, 2),
            actor=None,
        )
    assert refused.value.messages == [
        "延期换届一般不超过 1 年：本届任期于 2025-03-01 届满，最迟延期至 2026-03-01。"
    ]
    with pytest.raises(ValidationError) as refused:
        party.approve_term_extension(
            branch,
            approved_on=D(2025, 2, 15),
            approved_by=HIGHER,
            extended_until=D(2025, 3, 1),
            actor=None,
        )
    assert refused.value.messages == ["延期至的日期应晚于本届任期届满日期（2025-03-01）。"]
    assert not branch.elections.filter(extensions__isnull=False).exists()


# -- 组织关系 --------------------------------------------------------------------------------


def test_a_relation_move_as_of_the_day_before_and_after(world):
    """Three full members hold their relation in A (a single-unit branch whose unit employs
    none of them) from its founding; one moves to B on 1 Jul 2024."""
    a = world.party_org("甲支部", units=[world.unit("甲协会")], relation_full=3)
    b = world.party_org("乙支部", units=[world.unit("乙协会")], relation_full=3)
    for po in (a, b):
        world.meet_regularly(po, D(2019, 1, 1), D(2025, 12, 31))
    mover = next(
        m for m in queries.voting_members(a, on=D(2024, 6, 30)) if not m.positions.exists()
    )
    party.move_relation(mover, to=b, on=D(2024, 7, 1), actor=None)

    before, after = D(2024, 6, 30), D(2024, 7, 1)
    assert mover in queries.voting_members(a, on=before)
    assert mover not in queries.voting_members(a, on=after)
    assert mover in queries.voting_members(b, on=after)
    assert queries.relation_counts([a.pk, b.pk], before) == {a.pk: 3, b.pk: 3}
    assert queries.relation_counts([a.pk, b.pk], after) == {a.pk: 2, b.pk: 4}
    # The current relation (the cache on the member) follows the last move.
    mover.refresh_from_db()
    assert mover.relation_party_organization == b
    # The empty-shell condition reads the day: not the day before the move, the day of it.
    assert about(world.evaluate(before, "shell.empty_branch"), a) == []
    (c,) = about(world.evaluate(after, "shell.empty_branch"), a)
    assert c.evidence["conditions"] == [
        {
            "code": "too_few_members",
            "full_members": 2,
            "text": "单独组建的党支部只有正式党员 2 名（按在所覆盖单位工作或组织关系在本支部计，不足 3 名）",
        }
    ]
    # Two years on, a replay of 30 Jun 2024 still reads the relation held then.
    assert about(world.evaluate(D(2026, 7, 1), "shell.empty_branch"), a)
    assert about(world.evaluate(before, "shell.empty_branch"), a) == []


def test_a_move_entered_after_the_fact_keeps_one_line_of_periods(world):
    """Moves recorded out of order: A from 2019, B from 2023-01-01, then (recorded later) an
    outside organization between 2021-05-01 and the move to B."""
    a = world.party_org("甲支部", units=[world.unit("甲协会")])
    b = world.party_org("乙支部", units=[world.unit("乙协会")])
    (member,) = world.members(1, relation=a)
    party.move_relation(member, to=b, on=D(2023, 1, 1), actor=None)
    party.move_relation(member, to="某街道党工委", on=D(2021, 5, 1), actor=None)
    periods = [
        (p.holder_name, p.valid_from, p.valid_to)
        for p in member.relation_periods.select_related("party_organization")
    ]
    assert periods == [
        (a.name, D(2019, 1, 1), D(2021, 4, 30)),
        ("某街道党工委", D(2021, 5, 1), D(2022, 12, 31)),
        (b.name, D(2023, 1, 1), None),
    ]
    # Moving to where the relation already is changes nothing (a re-import).
    party.move_relation(member, to=b, on=D(2024, 1, 1), actor=None)
    assert member.relation_periods.count() == 3
    assert queries.relation_on(member, D(2022, 1, 1)).external == "某街道党工委"
    assert queries.relation_on(member, D(2018, 12, 31)) is None


# -- counting a branch's members ---------------------------------------------------------------


@pytest.fixture
def elsewhere(world):
    """Two single-unit branches whose units employ full members holding their relation
    elsewhere: 三人协会 employs 3 (2 in branch X, 1 outside); 七人协会 employs 7 (4 in X, 2
    outside, 1 not recorded). Each branch's secretary is one of its unit's employees."""
    x = world.party_org("外部门党支部", units=[world.unit("外部门协会")], relation_full=3)
    three_unit, seven_unit = world.unit("三人协会"), world.unit("七人协会")
    s3 = world.party_org("三人协会党支部", units=[three_unit], secretary=False)
    s7 = world.party_org("七人协会党支部", units=[seven_unit], secretary=False)
    three = world.members(2, employer=three_unit, relation=x) + world.members(
        1, employer=three_unit, relation="某区人才中心党委"
    )
    seven = (
        world.members(4, employer=seven_unit, relation=x)
        + world.members(2, employer=seven_unit, relation="某街道党工委")
        + world.members(1, employer=seven_unit)
    )
    for po, people in ((s3, three), (s7, seven)):
        Position.objects.create(
            member=people[0],
            party_organization=po,
            role=Position.Role.SECRETARY,
            valid_from=D(2019, 1, 1),
        )
        world.meet_regularly(po, D(2019, 1, 1), D(2025, 12, 31))
    world.meet_regularly(x, D(2019, 1, 1), D(2025, 12, 31))
    return {"x": x, "s3": s3, "s7": s7, "three_unit": three_unit, "seven_unit": seven_unit}


DAY = D(2025, 11, 15)


def test_members_working_there_with_relations_elsewhere_count(world, elsewhere):
    s3, s7, x = elsewhere["s3"], elsewhere["s7"], elsewhere["x"]
    # Counted by employer or relation, each once: 3 and 7 (X: its own 3, by relation).
    assert queries.branch_full_counts([s3.pk, s7.pk, x.pk], DAY) == {s3.pk: 3, s7.pk: 7, x.pk: 9}
    assert queries.branch_full_counts([s3.pk, s7.pk], DAY, queries.RELATION) == {}
    assert queries.branch_full_members([s7], on=DAY).count() == 7
    # Not an empty shell: 3 full members work in its one unit.
    assert about(world.evaluate(DAY, "shell.empty_branch"), s3) == []
    # The committee rule sees 7 (it saw none while counting by relation only).
    (c,) = about(world.evaluate(DAY, "formation.needs_committee"), s7)
    assert c.explanation == (
        f"该党支部截至 {fmt(DAY)} 有正式党员 7 名（按在所覆盖单位工作或组织关系在本支部计；"
        "7 名以上应设支部委员会），但只有 1 名支部委员会成员在任，未设立由 3 至 5 人组成的支部委员会。"
    )
    assert about(world.evaluate(DAY, "formation.needs_committee"), s3) == []
    # Listed instead in the new finding, without names (authority viewers see findings).
    found = {
        c.party_organization_id: c for c in world.evaluate(DAY, "formation.relation_elsewhere")
    }
    assert set(found) == {s3.pk, s7.pk}
    assert found[s7.pk].explanation == (
        f"截至 {fmt(DAY)}，该党支部所覆盖单位中有 7 名党员（其中正式党员 7 名）的组织关系不在本支部"
        f"（{elsewhere['seven_unit'].name} 7 名）：组织关系在本系统其他党组织 4 名、在系统外党组织 2 名、"
        "未登记 1 名。应将其组织关系转入本支部，或登记为流动党员。"
    )
    assert found[s3.pk].evidence["relations"] == {"system": 2, "outside": 1}
    assert len(found[s3.pk].evidence["member_ids"]) == 3
    # Coverage figures: three member units, all three covered by a branch of their own.
    rates = coverage.compute(coverage.Scope(world.fed), DAY)
    assert (rates.total, rates.organizational, rates.single, rates.work) == (3, 3, 3, 3)


def test_the_basis_is_a_rulebook_parameter(world, elsewhere):
    """Counted by relation only (a federation's choice), the 3-member branch is an empty shell
    with 0 full members."""
    entries = shipped_entries({"counting.branch_members": {"count_by": "relation"}})
    (c,) = about(world.evaluate(DAY, "shell.empty_branch", book=Rulebook(entries)), elsewhere["s3"])
    assert c.evidence["conditions"][0]["text"] == (
        "单独组建的党支部只有正式党员 0 名（按组织关系在本支部计，不足 3 名）"
    )


def test_a_move_into_the_branch_ends_the_listing(world, elsewhere):
    """The members of 三人协会 transfer in on 1 Dec 2025: listed the day before, not after."""
    s3 = elsewhere["s3"]
    for member in queries.employed_members([elsewhere["three_unit"]], D(2025, 11, 30)):
        party.move_relation(member, to=s3, on=D(2025, 12, 1), actor=None)
    assert about(world.evaluate(D(2025, 11, 30), "formation.relation_elsewhere"), s3)
    assert about(world.evaluate(D(2025, 12, 1), "formation.relation_elsewhere"), s3) == []
    # Still 3 on either day: employed there, and now also holding the relation (once each).
    assert queries.branch_full_counts([s3.pk], D(2025, 12, 1)) == {s3.pk: 3}
    assert queries.voting_members(s3, on=D(2025, 12, 1)).count() == 3


def test_a_unit_covered_by_two_branches_lists_each_branch_its_own_outsiders(world):
    """双联协会 is covered by its own branch and by a joint branch. Of its three employees, one
    holds the relation in its own branch, one in the joint branch, one outside the system:
    each branch lists the two whose relation it does not hold (their relation read in the
    statement, not after it)."""
    unit = world.unit("双联协会")
    own = world.party_org("双联协会党支部", units=[unit], secretary=False)
    joint = world.party_org(
        "联合党支部", units=[unit, world.unit("邻近协会")], kind=PartyOrganization.Kind.JOINT_BRANCH
    )
    (in_own,) = world.members(1, employer=unit, relation=own)
    (in_joint,) = world.members(1, employer=unit, relation=joint)
    (outside,) = world.members(1, employer=unit, relation="某街道党工委")
    found = {
        c.party_organization_id: c for c in world.evaluate(DAY, "formation.relation_elsewhere")
    }
    assert found[own.pk].evidence["member_ids"] == sorted([in_joint.pk, outside.pk])
    assert found[own.pk].evidence["relations"] == {"system": 1, "outside": 1}
    assert found[joint.pk].evidence["member_ids"] == sorted([in_own.pk, outside.pk])
    assert found[own.pk].explanation == (
        f"截至 {fmt(DAY)}，该党支部所覆盖单位中有 2 名党员（其中正式党员 2 名）的组织关系不在本支部"
        f"（{unit.name} 2 名）：组织关系在本系统其他党组织 1 名、在系统外党组织 1 名。"
        "应将其组织关系转入本支部，或登记为流动党员。"
    )


def test_formation_counts_by_employer_and_shows_the_relations(world):
    """应建未建: 4 full members employed, 1 holding the relation in a system branch, 2 outside,
    1 not recorded."""
    x = world.party_org("别处党支部", units=[world.unit("别处协会")])
    unit = world.unit("未建协会")
    world.members(1, employer=unit, relation=x)
    world.members(2, employer=unit, relation="某街道党工委")
    world.members(1, employer=unit)
    (c,) = [
        c
        for c in world.evaluate(DAY, "formation.required_not_formed")
        if c.organization_id == unit.pk
    ]
    assert c.explanation.startswith(
        "该单位有正式党员 4 名（达到 3 名应建标准；组织关系在本系统党组织 1 名、在系统外党组织 2 名、"
        "未登记 1 名），"
    )
    assert c.evidence["relations"] == {"system": 1, "outside": 2, "unrecorded": 1}
