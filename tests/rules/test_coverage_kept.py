"""The kept coverage figures follow the facts unit by unit (``rules.coverage_kept``): after any
sequence of changes, made by any writer (the ORM, a queryset update, raw SQL), the figures
served equal a fresh count, and the uncovered units' full members kept in the parts equal the
formation rules' count from the facts; a change to a few units is counted for those units
alone; a federation or a domain changed, too many units, or a missing trigger count the whole
subtree."""

import datetime
import random
import threading

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.party import queries
from dangjian.party.models import (
    Coverage,
    Employment,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    RelationPeriod,
)
from dangjian.party.services import move_relation
from dangjian.registry.models import Domain, Federation, Membership, Organization
from dangjian.rules import branch_kept, coverage, coverage_kept, coverage_triggers
from dangjian.rules.coverage import Rates, Scope
from dangjian.rules.engine import Engine
from dangjian.rules.kinds import formation
from dangjian.rules.models import CoverageBranch, CoverageChange, CoverageDay, CoverageUnit

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = D(2025, 1, 1)


def _how(queries) -> str:
    """How the figures were had: "kept", "followed" (the changed units counted alone),
    "whole" (every unit's part written again) or "counted" (counted whole, no part kept)."""
    sqls = [q["sql"] for q in queries.captured_queries]
    if any(s.startswith("INSERT INTO rules_coverageunit (figures_id") for s in sqls):
        return "whole"
    if any(s.startswith("SELECT c.uid AS organization_id") for s in sqls):
        return "followed"
    if any(s.startswith("WITH f AS (") for s in sqls):
        return "counted"
    return "kept"


def _view(scope, day=DAY):
    """The figures as the page gets them, how they were had, and checked against a count."""
    with CaptureQueriesContext(connection) as queries:
        got = coverage.figures(scope, day)
    assert got == coverage.all_breakdowns(scope, day)
    return got, _how(queries)


def _uncovered(world, day=DAY):
    """The day's uncovered units as the kept parts give them, checked against the formation
    rules' count from the facts (their path for a day other than today); and the 应建未建
    rows explained from the kept details (since when, where the relations sit) equal to
    those counted from the facts, for every threshold up to the largest count (0 too: every
    uncovered unit), and for one beyond the days kept (counted from the facts for the units
    that reach it)."""
    kept = coverage_kept.uncovered(world.fed, day)
    ctx = Engine(world.fed, day).contexts("formation.required_not_formed")[0]
    assert day != timezone.localdate()  # the count from the facts, not the parts again
    facts = formation.uncovered_units(ctx)
    assert [row[:4] for row in kept] == [row[:4] for row in facts]
    assert all(row.details is None for row in facts)
    assert [row.unit for row in kept if row.details] == [row.unit for row in kept if row.full]
    most = max((row.full for row in kept), default=0)
    for threshold in {*range(most + 1), coverage_kept.DETAIL_DAYS + 1}:
        rows = [[row for row in found if row.full >= threshold] for found in (kept, facts)]
        assert formation.explained(ctx, threshold, rows[0]) == formation.explained(
            ctx, threshold, rows[1]
        )
    return {row.unit: (row.full, row.instructed) for row in kept}


def _branch_counts(world, day=DAY, by=None):
    """The subtree's party organizations' full members as the kept parts give them (the
    rulebook's basis unless ``by``), checked against a count from the facts."""
    by = by or queries.branch_count_basis(world.fed, day)
    orgs = branch_kept.subtree_party_orgs(world.fed, day)
    kept = coverage_kept.branch_counts(world.fed, day, by, list(orgs.values_list("pk", flat=True)))
    assert kept == queries.branch_full_counts(orgs.values("pk"), day, by)
    return kept


@pytest.fixture
def clean_journal(db):
    """A journal no kept figure has read yet, with none of other tests' lines, and no kept
    figures (the demo's rule run keeps its federation's: they would bound the pruning)."""
    CoverageChange.objects.all().delete()
    CoverageDay.objects.all().delete()


def test_each_kind_of_change_is_followed_by_hand(world, five, clean_journal):
    """By hand: on 2025-01-01, 6 member units (G left), covered A B C F, own A, work + D."""
    scope = Scope(world.fed)
    figures, how = _view(scope)
    assert (figures.rates, how) == (Rates(6, 4, 1, 5), "whole")
    assert _view(scope)[1] == "kept"
    # E gets an instructor (an insert): work coverage 5 → 6, counted for E alone.
    world.instructor(five["e"], valid_from=D(2024, 1, 1))
    figures, how = _view(scope)
    assert (figures.rates, how) == (Rates(6, 4, 1, 6), "followed")
    # A's own branch ends before the day (a queryset update): organizational 4 → 3, own 1 → 0.
    Coverage.objects.filter(organization=five["a"]).update(valid_to=D(2024, 12, 31))
    figures, how = _view(scope)
    assert (figures.rates, how) == (Rates(6, 3, 0, 5), "followed")
    # E becomes a chamber beside B and C (a unit's own row): the category breakdown moves E.
    Organization.objects.filter(pk=five["e"].pk).update(category="chamber")
    figures, how = _view(scope)
    assert how == "followed"
    assert dict(figures.by["category"])["chamber"] == Rates(3, 2, 0, 3)
    # D gets a domain, then a second one (links): counted under each.
    culture, games = Domain.objects.create(name="网络文化"), Domain.objects.create(name="网络游戏")
    five["d"].domains.add(culture, games)
    figures, how = _view(scope)
    assert how == "followed"
    assert dict(figures.by["domain"])["网络文化"] == Rates(1, 0, 0, 1)
    assert dict(figures.by["domain"])["网络游戏"] == Rates(1, 0, 0, 1)
    # C leaves the federation before the day (a membership deleted): 6 → 5 units.
    Membership.objects.filter(organization=five["c"]).delete()
    figures, how = _view(scope)
    assert (figures.rates, how) == (Rates(5, 2, 0, 4), "followed")
    # A domain renamed: any unit may have moved, counted whole.
    Domain.objects.filter(pk=culture.pk).update(name="网络文艺")
    figures, how = _view(scope)
    assert how == "whole"
    assert "网络文艺" in dict(figures.by["domain"])
    # Raw SQL, as a maintenance script would write it: still followed.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Organization._meta.db_table} SET district = %s WHERE id = %s",  # noqa: S608
            ["河东区", five["e"].pk],
        )
    figures, how = _view(scope)
    assert how == "followed"
    assert dict(figures.by["district"])["河东区"] == Rates(1, 0, 0, 1)


def test_full_members_of_uncovered_units_followed_by_hand(world, five, clean_journal):
    """By hand, on 2025-01-01: the uncovered member units are D (an instructor, no member) and
    E (nothing); each employment or standing change moves the full members of its units."""
    scope, d, e = Scope(world.fed), five["d"].pk, five["e"].pk
    assert _uncovered(world) == {d: (0, True), e: (0, False)}
    # Three full members hired by E from 2024 (inserts): 3.
    hired = world.members(3, employer=five["e"], employed_from=D(2024, 1, 1))
    assert _view(scope)[1] == "followed"
    assert _uncovered(world) == {d: (0, True), e: (3, False)}
    # A probationary member at E, made full on the day itself (counted that day): 4.
    [newcomer] = world.members(1, employer=five["e"], full_on=None)
    assert _uncovered(world)[e] == (3, False)
    PartyMember.objects.filter(pk=newcomer.pk).update(full_member_on=DAY)
    assert _view(scope)[1] == "followed"
    assert _uncovered(world)[e] == (4, False)
    # One leaves the ledger on the day (no longer counted that day): 3.
    PartyMember.objects.filter(pk=hired[0].pk).update(left_on=DAY)
    assert _uncovered(world)[e] == (3, False)
    # A change of a member that leaves their standing alone journals nothing.
    PartyMember.objects.filter(pk=hired[1].pk).update(name="改名的党员")
    assert _view(scope)[1] == "kept"
    # Their 组织关系 recorded outside the system, then ended: the places the rule explains
    # move with it (their employer journaled), and the part says so.
    ctx = Engine(world.fed, DAY).contexts("formation.required_not_formed")[0]

    def places():
        [row] = [r for r in coverage_kept.uncovered(world.fed, DAY) if r.unit == e]
        return formation.explained(ctx, 1, [row])[0]["relations"]

    assert places() == {"unrecorded": 3}
    move_relation(hired[1], to="某区委组织部", on=D(2024, 5, 1), actor=None)
    assert _view(scope)[1] == "followed"
    assert places() == {"outside": 1, "unrecorded": 2}
    RelationPeriod.objects.filter(member=hired[1]).update(valid_to=D(2024, 12, 31))
    assert places() == {"unrecorded": 3}
    RelationPeriod.objects.filter(member=hired[1]).delete()
    assert _view(scope)[1] == "followed"
    # One job moves to D: E 2, D 1.
    Employment.objects.filter(member=hired[1]).update(organization=five["d"])
    assert _uncovered(world) == {d: (1, True), e: (2, False)}
    # One job begins the day after: not counted on the day: E 1.
    Employment.objects.filter(member=hired[2]).update(valid_from=D(2025, 1, 2))
    assert _uncovered(world)[e] == (1, False)
    # A member deleted, and their job with them: E 0.
    newcomer.delete()
    assert _uncovered(world)[e] == (0, False)
    # Hired by A, which a branch covers: never among the uncovered.
    world.members(4, employer=five["a"])
    assert set(_uncovered(world)) == {d, e}


def test_required_not_formed_today_follows_a_hire(world, five, clean_journal):
    """Today the 应建未建 rule reads the kept parts: a third full member hired by an uncovered
    unit is judged at once, with the count from the facts."""
    rule = "formation.required_not_formed"
    today = timezone.localdate()
    world.members(2, employer=five["e"])
    assert world.evaluate(today, rule) == []
    assert CoverageDay.objects.filter(federation=world.fed, day=today, scope_key="").exists()
    world.members(1, employer=five["e"])
    [finding] = world.evaluate(today, rule)
    assert (finding.organization_id, finding.facts["full_members"]) == (five["e"].pk, 3)
    assert "该单位有正式党员 3 名" in finding.explanation
    # Without the triggers (a table rebuilt on SQLite) the rule counts from the facts.
    coverage_triggers.drop_triggers(connection)
    try:
        world.members(1, employer=five["e"])
        [finding] = world.evaluate(today, rule)
        assert finding.facts["full_members"] == 4
    finally:
        coverage_triggers.install_triggers()
    # The hire went unjournaled, and employments are not in the figures' digest: putting the
    # triggers back has the next reader count whole, so the parts say 4, not the 3 they held.
    [finding] = world.evaluate(today, rule)
    assert finding.facts["full_members"] == 4


def test_a_day_ahead_leaves_todays_parts_the_newest(world, five, clean_journal):
    """The coverage page opened for a day not yet come counts that day without keeping its
    parts: today's stay the ones kept, and the formation rules go on reading them."""
    today = timezone.localdate()
    scope = Scope(world.fed)
    assert _view(scope, today)[1] == "whole"
    ahead, how = _view(scope, today + datetime.timedelta(days=40))
    assert how == "counted"
    assert ahead.rates.total == 6  # G left in 2024
    assert coverage_kept.uncovered(world.fed, today) is not None
    with CaptureQueriesContext(connection) as queries:
        coverage_kept.uncovered(world.fed, today)
    assert _how(queries) == "kept"
    # A day ahead kept with its parts (as before this was so): today's count gives way to
    # neither; it keeps today's parts and the day ahead's go.
    ahead_day = today + datetime.timedelta(days=3)
    CoverageDay.objects.filter(federation=world.fed).delete()
    coverage_kept._count_whole(scope, ahead_day, "")
    assert _view(scope, today)[1] == "whole"
    assert coverage_kept.uncovered(world.fed, today) is not None
    assert not CoverageUnit.objects.filter(figures__day=ahead_day).exists()


def test_random_changes_followed_equal_a_fresh_count(make_world, clean_journal):
    """A random sequence of every kind of change, checked after each one against a fresh count
    (``_view``); every unit-level change is followed, not counted whole."""
    rng = random.Random(20261205)
    world = make_world()
    other = make_world()  # another federation's writes must not move these figures
    domains = [Domain.objects.create(name=f"领域{i}") for i in range(3)]
    units = [world.unit(f"单位{i}", full=rng.randrange(0, 4)) for i in range(8)]
    outsider = other.unit("外单位", full=3)
    branches = [world.party_org(f"支部{i}", units=[units[i]]) for i in range(3)]
    scope = Scope(world.fed)
    assert _view(scope)[1] == "whole"

    def pick(queryset):
        # From the seeded generator, not the database's ORDER BY RANDOM(): the same sequence
        # of changes on every backend and every run.
        rows = list(queryset.order_by("pk").distinct())
        return rng.choice(rows) if rows else None

    def employed():
        return pick(PartyMember.objects.filter(employments__organization__in=units))

    def cover():
        Coverage.objects.create(
            party_organization=rng.choice(branches),
            organization=rng.choice(units),
            kind=rng.choice([Coverage.Kind.JOINT, Coverage.Kind.BOARD]),
            valid_from=D(2020, 1, 1),
        )

    def uncover():
        row = pick(Coverage.objects.filter(organization__in=units))
        if row:
            Coverage.objects.filter(pk=row.pk).update(valid_to=D(2024, 6, 30))

    def delete_coverage():
        Coverage.objects.filter(organization=rng.choice(units)).delete()

    def instruct():
        world.instructor(rng.choice(units), valid_from=D(2023, 1, 1))

    def end_instructor():
        InstructorAssignment.objects.filter(organization=rng.choice(units)).update(
            valid_to=D(2024, 1, 1)
        )

    def leave():
        Membership.objects.filter(organization=rng.choice(units)).update(valid_to=D(2024, 12, 31))

    def join():
        units.append(world.unit(f"新单位{len(units)}", joined=D(2024, 3, 1)))

    def regroup():
        Organization.objects.filter(pk=rng.choice(units).pk).update(
            category=rng.choice(["association", "chamber", "institute"]),
            legal_form=rng.choice(["social_group", "enterprise"]),
            district=rng.choice(["和平区", "河西区", ""]),
        )

    def link():
        rng.choice(units).domains.add(rng.choice(domains))

    def unlink():
        rng.choice(units).domains.remove(rng.choice(domains))

    def elsewhere():
        Coverage.objects.create(
            party_organization=other.party_org("外支部"),
            organization=outsider,
            kind=Coverage.Kind.OWN,
            valid_from=D(2020, 1, 1),
        )

    def hire():
        world.members(
            rng.randrange(1, 3),
            employer=rng.choice(units),
            full_on=rng.choice([D(2015, 1, 1), None, D(2025, 6, 1)]),
            employed_from=rng.choice([D(2016, 1, 1), D(2025, 1, 1), D(2025, 1, 2)]),
        )

    def promote():  # a probationary member becomes full, on or after the day
        member = PartyMember.objects.filter(
            employments__organization__in=units, full_member_on__isnull=True
        ).first()
        if member:
            PartyMember.objects.filter(pk=member.pk).update(
                full_member_on=rng.choice([D(2024, 12, 1), DAY, D(2025, 1, 2)])
            )

    def member_leaves():
        member = employed()
        if member:
            member.left_on = rng.choice([D(2024, 12, 31), DAY, D(2025, 1, 2), None])
            member.save()

    def job_ends():
        Employment.objects.filter(organization=rng.choice(units)).update(
            valid_to=rng.choice([D(2024, 12, 31), DAY])
        )

    def job_moves():
        job = pick(Employment.objects.filter(organization__in=units))
        if job:
            Employment.objects.filter(pk=job.pk).update(organization=rng.choice(units))

    def member_deleted():
        member = employed()
        if member:
            member.delete()

    def relation_moves():
        member = employed()
        if member:
            move_relation(
                member,
                to=rng.choice([*branches, "外系统党委", None]),
                on=rng.choice([D(2020, 1, 1), D(2024, 6, 1), DAY, D(2025, 3, 1)]),
                actor=None,
            )

    def relation_ends():  # as a maintenance script would write it
        period = pick(RelationPeriod.objects.all())
        if period:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {RelationPeriod._meta.db_table} SET valid_to = %s "  # noqa: S608
                    "WHERE id = %s",
                    [rng.choice([D(2024, 12, 31), DAY, None]), period.pk],
                )

    def relation_reassigned():  # a period moved to another member, as a script would
        period = pick(RelationPeriod.objects.all())
        member = employed()
        if period and member:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {RelationPeriod._meta.db_table} SET member_id = %s "  # noqa: S608
                    "WHERE id = %s",
                    [member.pk, period.pk],
                )

    def relation_deleted():
        period = pick(RelationPeriod.objects.all())
        if period:
            period.delete()

    def raw_standing():  # as a maintenance script would write it
        member = employed()
        if member:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {PartyMember._meta.db_table} SET full_member_on = %s "  # noqa: S608
                    "WHERE id = %s",
                    [rng.choice([D(2030, 1, 1), D(2016, 1, 1)]), member.pk],
                )

    def jobless():  # members holding their relation in a branch, employed nowhere
        world.members(
            rng.randrange(1, 3),
            relation=rng.choice(branches),
            full_on=rng.choice([D(2015, 1, 1), None, D(2025, 6, 1)]),
        )

    def new_branch():  # a party organization the kept counts have no part for yet
        branches.append(world.party_org(f"新支部{len(branches)}", units=[rng.choice(units)]))

    def branch_moves_in():  # from another federation (party organizations are not journaled)
        moved = pick(PartyOrganization.objects.filter(federation=other.fed))
        if moved:
            PartyOrganization.objects.filter(pk=moved.pk).update(federation=world.fed)
            branches.append(moved)

    changes = [
        jobless,
        new_branch,
        branch_moves_in,
        cover,
        uncover,
        delete_coverage,
        instruct,
        end_instructor,
        leave,
        join,
        regroup,
        link,
        unlink,
        elsewhere,
        hire,
        promote,
        member_leaves,
        job_ends,
        job_moves,
        member_deleted,
        raw_standing,
        relation_moves,
        relation_ends,
        relation_reassigned,
        relation_deleted,
    ]
    seen = []
    fulls, sizes = set(), set()
    for _ in range(60):
        for _ in range(rng.randrange(1, 3)):
            rng.choice(changes)()
        seen.append(_view(scope)[1])
        fulls |= {full for full, _ in _uncovered(world).values()}
        sizes |= set(_branch_counts(world).values())
    assert "whole" not in seen
    assert seen.count("followed") >= 45
    assert len(fulls) >= 4  # the counts moved through several values, not just 0
    assert len(sizes) >= 4
    # The parts kept are those a whole count writes (a unit's domains in any order).
    kept = CoverageDay.objects.get(federation=world.fed, scope_key="")

    def parts():
        rows = CoverageUnit.objects.filter(figures=kept).values_list(
            *coverage_kept.PART_COLUMNS, *coverage_kept.DETAILS
        )
        return {(*row[:4], tuple(sorted(row[4].split("\n"))), *row[5:]) for row in rows}

    def branch_parts():
        return dict(
            CoverageBranch.objects.filter(figures=kept).values_list(
                "party_organization_id", "full_members"
            )
        )

    followed, followed_branches = parts(), branch_parts()
    assert len(followed_branches) == len(branches)
    coverage_kept._count_whole(scope, DAY, "recounted")
    assert parts() == followed
    assert branch_parts() == followed_branches


def test_a_federation_moved_too_many_units_or_a_missing_trigger_count_whole(
    world, five, clean_journal
):
    scope = Scope(world.fed)
    assert _view(scope)[1] == "whole"
    # A federation's row changed (its subtree may have moved).
    Federation.objects.filter(pk=world.fed.pk).update(name="改名的联合会")
    assert _view(scope)[1] == "whole"
    # More units changed than following them alone would save.
    limit = coverage_kept.FOLLOW_LIMIT
    coverage_kept.FOLLOW_LIMIT = 2
    try:
        Organization.objects.filter(pk__in=[five["a"].pk, five["b"].pk, five["c"].pk]).update(
            district="河北区"
        )
        figures, how = _view(scope)
        assert how == "whole"
        assert dict(figures.by["district"])["河北区"].total == 3
    finally:
        coverage_kept.FOLLOW_LIMIT = limit
    # A trigger missing (a migration rebuilt the table on SQLite): changes there would go
    # unseen, so the figures are counted whole until ``migrate`` puts it back.
    coverage_triggers.drop_triggers(connection)
    try:
        assert not coverage_triggers.triggers_in_place()
        Coverage.objects.filter(organization=five["f"]).delete()
        figures, how = _view(scope)
        assert how == "whole"
        assert figures.rates.organizational == 3
    finally:
        coverage_triggers.install_triggers()
    assert coverage_triggers.triggers_in_place()


def test_the_journal_names_each_changed_unit_and_is_pruned(world, five, clean_journal, real_clock):
    a, b = five["a"], five["b"]
    link = Coverage.objects.filter(organization=a).first()
    # A coverage moved from one unit to another names both, and the party organization
    # covering them (whose members' count may move).
    Coverage.objects.filter(pk=link.pk).update(organization=b)
    assert _named() == ({a.pk, b.pk}, {link.party_organization_id})
    CoverageChange.objects.all().delete()
    Membership.objects.filter(organization=a).delete()
    a.domains.add(Domain.objects.create(name="网络安全"))
    assert _named() == ({a.pk}, set())
    # Lines every kept figure has read, older than an hour, go when figures are counted whole.
    coverage.figures(Scope(world.fed), DAY)
    CoverageChange.objects.update(at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    Federation.objects.filter(pk=world.fed.pk).update(name="再次改名")  # counted whole next
    coverage.figures(Scope(world.fed), DAY)
    assert list(CoverageChange.objects.values_list("organization_id", "party_organization_id")) == [
        (None, None)
    ]


def _named() -> tuple[set[int], set[int]]:
    """(the units, the party organizations) the journal's lines name; none names neither
    (that is "anything")."""
    lines = list(CoverageChange.objects.values_list("organization_id", "party_organization_id"))
    assert (None, None) not in lines
    return {o for o, _ in lines if o is not None}, {p for _, p in lines if p is not None}


def test_parts_of_other_days_are_not_kept(world, five, clean_journal):
    """Parts are kept for a subtree's newest day only; an older day's figures (a month end
    looked up) follow their digest and are counted whole when it moves, without taking the
    newest day's parts."""
    scope = Scope(world.fed)
    assert _view(scope, D(2024, 1, 1))[1] == "whole"
    assert _view(scope, DAY)[1] == "whole"
    older = CoverageDay.objects.get(federation=world.fed, day=D(2024, 1, 1))
    assert older.position is None
    assert not CoverageUnit.objects.filter(figures=older).exists()
    world.instructor(five["e"], valid_from=D(2020, 1, 1))
    assert _view(scope, D(2024, 1, 1))[1] == "counted"
    assert _view(scope, D(2024, 1, 1))[1] == "kept"
    assert not CoverageUnit.objects.filter(figures=older).exists()
    assert _view(scope, DAY)[1] == "followed"  # looking back left the newest day's parts
    world.instructor(five["d"], valid_from=D(2020, 1, 1))
    assert _view(scope, DAY)[1] == "followed"


def test_filtered_scopes_are_counted_whole_and_kept(world, five, clean_journal):
    social = Scope(world.fed, sector="social")
    with CaptureQueriesContext(connection) as queries:
        first = coverage.figures(social, DAY)
    assert first.rates == Rates(5, 3, 1, 4)
    assert any(q["sql"].startswith("WITH f AS (") for q in queries.captured_queries)
    assert coverage.figures(social, DAY) == first
    world.party_org("戊协会党支部", units=[five["e"]], kind=PartyOrganization.Kind.BRANCH)
    assert coverage.figures(social, DAY).rates == Rates(5, 4, 2, 5)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_after_a_later_one_was_read_is_followed(make_world):
    """PostgreSQL takes a line's id when it is written, not when it commits: a transaction that
    wrote a line, then committed after a later line had been read, is read again next time
    (``CoverageDay.running``)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    world = make_world()
    slow, quick = world.unit("慢单位"), world.unit("快单位")
    scope = Scope(world.fed)
    assert _view(scope)[1] == "whole"
    written, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        from django.db import connection as thread_connection
        from django.db import transaction

        try:
            with transaction.atomic():
                Organization.objects.filter(pk=slow.pk).update(district="河东区")
                written.set()
                release.wait(10)
        finally:
            thread_connection.close()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(10)
    Organization.objects.filter(pk=quick.pk).update(district="南开区")  # a higher id, committed
    figures, how = _view(scope)
    assert how == "followed"
    assert "南开区" in dict(figures.by["district"]) and "河东区" not in dict(figures.by["district"])
    release.set()
    thread.join()
    assert done.is_set()
    figures, how = _view(scope)
    assert how == "followed"
    assert dict(figures.by["district"])["河东区"] == Rates(1, 0, 0, 0)


def test_branch_counts_kept_for_the_basis_read(world, five, clean_journal):
    """Kept for the rulebook's basis when counted whole; a read by another basis counts them
    whole for it, and they are followed from there."""
    assert _branch_counts(world)
    kept = CoverageDay.objects.get(federation=world.fed, scope_key="")
    assert kept.count_by == queries.branch_count_basis(world.fed, DAY)
    joint = PartyOrganization.objects.get(name=f"联合党支部{world.fed.pk}")
    before = _branch_counts(world, by=queries.RELATION)
    kept.refresh_from_db()
    assert kept.count_by == queries.RELATION
    # Two members employed nowhere take their relations into the joint branch.
    world.members(2, relation=joint)
    assert _branch_counts(world, by=queries.RELATION)[joint.pk] == before.get(joint.pk, 0) + 2


def test_the_rules_read_todays_kept_branch_counts(world, clean_journal):
    """Today, the rules judging a branch's size read the day's kept counts (their findings as
    from the facts), followed after a change without counting the subtree again."""
    today = timezone.localdate()
    seven = world.party_org("七人支部", relation_full=7)
    world.party_org("五十一人支部", relation_full=51)
    rules = ["formation.needs_committee", "formation.branch_too_large"]

    def found():
        return {
            rule: sorted(
                (c.party_organization_id, c.explanation) for c in world.evaluate(today, rule)
            )
            for rule in rules
        }

    first = found()
    assert "正式党员 7 名" in dict(first["formation.needs_committee"])[seven.pk]
    kept = CoverageDay.objects.get(federation=world.fed, day=today, scope_key="")
    part = CoverageBranch.objects.filter(figures=kept, party_organization_id=seven.pk)
    assert part.get().full_members == 7
    # One of the seven's relations moves out: the branch's part is counted again alone.
    member = PartyMember.objects.filter(relation_periods__party_organization=seven).last()
    move_relation(member, to="外系统党委", on=today, actor=None)
    with CaptureQueriesContext(connection) as queries_run:
        second = found()
    assert not any(
        q["sql"].startswith("INSERT INTO rules_coverageunit (figures_id") for q in queries_run
    )
    assert seven.pk not in dict(second["formation.needs_committee"])
    assert part.get().full_members == 6
    assert second["formation.branch_too_large"] == first["formation.branch_too_large"]
    # The same findings when counted from the facts (no trigger: nothing kept is read).
    coverage_triggers.drop_triggers(connection)
    try:
        assert found() == second
    finally:
        coverage_triggers.install_triggers()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite cannot alter tables inside the test's transaction; run on PostgreSQL",
)
def test_the_upgrade_forgets_kept_figures_and_renews_the_triggers(world, five, clean_journal):
    """0016 on a database keeping a day's figures with their parts (as every running
    installation does): they are forgotten, and ``migrate`` installs the triggers that name
    party organizations. (It once failed there: deleting the parts left deferred checks that
    forbade altering the table after.)"""
    coverage.figures(Scope(world.fed), DAY)
    assert CoverageUnit.objects.exists()
    executor = MigrationExecutor(connection)
    before, after = [("rules", "0015_coverage_unit_details")], [("rules", "0016_coverage_branch")]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor.migrate(before)
    executor.loader.build_graph()
    with connection.cursor() as cursor:  # as ``migrate`` runs: the checks deferred
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    executor.migrate(after)
    assert not CoverageDay.objects.exists()
    coverage_triggers.install_triggers()  # as ``migrate`` does after its last migration
    assert coverage_triggers.triggers_in_place()
    CoverageChange.objects.all().delete()
    joint = PartyOrganization.objects.get(name=f"联合党支部{world.fed.pk}")
    world.members(1, relation=joint)
    assert _named() == (set(), {joint.pk})
