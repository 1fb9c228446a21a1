"""Boundary tests of party/queries.py and its siblings (party/standards.py,
party/standing_queries.py): for each shared concept the workflows' checks and the rules read
the one definition, so they agree on the same data — at 2 vs 3 full members, a member who left
the day before / on the day / the day after, probationary vs full, coverage ending the day
before / on the day, and an approval with a number but no date."""

import datetime
import itertools
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.applications import checks
from dangjian.applications.models import FormationCase
from dangjian.applications.services import store_file
from dangjian.demo import identity
from dangjian.party import queries, standards, standing_queries
from dangjian.party import services as party
from dangjian.party.models import PartyOrganization
from dangjian.registry import services as registry
from dangjian.registry.models import Federation
from dangjian.rules.engine import Engine

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = D(2025, 11, 15)
ONE = datetime.timedelta(days=1)
_n = itertools.count(1)
RNG = random.Random(10)


@pytest.fixture
def fed():
    n = next(_n)
    return registry.create_federation(
        {"name": f"边界测试联合会{n}", "level": Federation.Level.CITY, "founded_on": D(2018, 1, 1)},
        actor=None,
    )


def unit(fed, name):
    return registry.admit_unit(
        fed,
        {"name": f"{name}{fed.pk}", "legal_form": "social_group", "category": "association"},
        joined_on=D(2019, 1, 1),
        actor=None,
    ).organization


FULL_ON = D(2015, 1, 1)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def member(employer=None, *, full_on=FULL_ON, left_on=None, relation=None):
    birth = D(1980, 1, 1) + datetime.timedelta(days=RNG.randrange(0, 5000))
    m = party.create_member(
        {
            "name": "边界党员",
            "gender": "male",
            "id_number": identity.id_number(RNG, birth, True),
            "joined_party_on": D(2014, 1, 1),
            "full_member_on": full_on,
            "left_on": left_on,
            "relation_party_organization": relation,
        },
        actor=None,
    )
    if employer is not None:
        party.start_employment(m, employer, on=D(2016, 1, 1), actor=None)
    return m


def rule_flags(fed, rule_id, day=DAY) -> set[int]:
    candidates, _ = Engine(fed, day, rule_ids=[rule_id]).evaluate_rule(rule_id)
    return {c.organization_id or c.party_organization_id for c in candidates}


def standards_missing(fed, party_org, day=DAY) -> set[str]:
    """The codes of the four standards the rule lists as not met for ``party_org``."""
    candidates, _ = Engine(fed, day, rule_ids=["standards.incomplete"]).evaluate_rule(
        "standards.incomplete"
    )
    return {
        m["code"]
        for c in candidates
        if c.party_organization_id == party_org.pk
        for m in c.evidence["missing"]
    }


def workflow_qualifies(fed, org, day=DAY) -> bool:
    """What approve_application asks before opening a formation case."""
    return queries.full_member_count([org], day) >= checks.full_members_for_branch(
        fed, day
    ) and not checks.covered_on([org], day)


def agree(fed, org, day=DAY) -> bool:
    flagged = org.pk in rule_flags(fed, "formation.required_not_formed", day)
    assert workflow_qualifies(fed, org, day) == flagged
    return flagged


def test_two_vs_three_full_members(fed):
    org = unit(fed, "两名协会")
    member(org)
    member(org)
    member(org, full_on=None)  # probationary: does not count
    assert not agree(fed, org)
    member(org)
    assert agree(fed, org)


@pytest.mark.parametrize(
    ("left_on", "counted"), [(DAY - ONE, False), (DAY, False), (DAY + ONE, True)]
)
def test_member_who_left_before_on_or_after_the_day(fed, left_on, counted):
    org = unit(fed, "离开协会")
    member(org)
    member(org)
    member(org, left_on=left_on)
    assert agree(fed, org) == counted
    assert queries.full_member_count([org], DAY) == (3 if counted else 2)


@pytest.mark.parametrize(("full_on", "counted"), [(DAY, True), (DAY + ONE, False)])
def test_probationary_until_the_day_of_full_membership(fed, full_on, counted):
    org = unit(fed, "转正协会")
    member(org)
    member(org)
    m = member(org, full_on=full_on)
    assert agree(fed, org) == counted
    assert m.is_full_on(DAY) == counted


@pytest.mark.parametrize(("ends", "covered"), [(DAY - ONE, False), (DAY, True)])
def test_coverage_ending_the_day_before_or_on_the_day(fed, ends, covered):
    org = unit(fed, "覆盖协会")
    for _ in range(3):
        member(org)
    branch = party.form_party_organization(
        fed, name=f"覆盖协会党支部{fed.pk}", kind="branch", valid_from=D(2019, 1, 1), actor=None
    )
    coverage = party.add_coverage(branch, org, valid_from=D(2019, 1, 1), actor=None)
    party.end_coverage(coverage, on=ends, actor=None)
    assert bool(checks.covered_on([org], DAY)) == covered
    assert queries.covered_units(on=DAY, units=[org]).exists() == covered
    assert agree(fed, org) == (not covered)


def test_voting_members_are_full_members_holding_their_relation_there(fed):
    branch = party.form_party_organization(
        fed, name=f"表决支部{fed.pk}", kind="branch", valid_from=D(2019, 1, 1), actor=None
    )
    voters = [member(relation=branch) for _ in range(2)]
    member(relation=branch, full_on=None)  # probationary: no vote
    member(relation=branch, left_on=DAY)  # left that day
    later = member(relation=branch, left_on=DAY + ONE)
    assert set(queries.voting_members(branch, on=DAY)) == {*voters, later}
    # The branch-size rules count the same people.
    assert queries.relation_counts([branch.pk], DAY) == {branch.pk: 3}


def _case_with(fed, org, **fields):
    case = FormationCase.objects.create(
        federation=fed,
        name="案例",
        kind="branch",
        mode="in_member_unit",
        established_on=DAY,
        **fields,
    )
    case.units.set([org])
    return case


@pytest.mark.parametrize(
    ("doc_no", "date", "on_record"),
    [("测批〔2025〕1号", DAY, True), ("测批〔2025〕1号", None, False), ("", DAY, False)],
)
def test_approval_document_needs_number_and_date(fed, doc_no, date, on_record):
    org = unit(fed, "批文协会")
    branch = party.form_party_organization(
        fed,
        name=f"批文协会党支部{fed.pk}",
        kind="branch",
        valid_from=D(2019, 1, 1),
        units=[org],
        approval_doc_no=doc_no,
        approval_date=date,
        actor=None,
    )
    standard = {s.code: s for s in standards.four_standards(branch, on=DAY)}["approval"]
    assert standard.met == on_record
    missing = PartyOrganization.objects.filter(standards.approval_missing_q(), pk=branch.pk)
    assert missing.exists() == (not on_record)
    # The formation workflow asks the same (and, on top, the archived file, given here).
    upload = SimpleUploadedFile("批文.pdf", PDF, content_type="application/pdf")
    case = _case_with(
        fed,
        org,
        approval_doc_no=doc_no,
        approval_date=date,
        approval_file=store_file(upload, fed, actor=None),
    )
    checked = {s.code: s for s in checks.standards(case)}["approval"]
    assert checked.met == on_record


def test_the_standards_rule_agrees_on_an_approval_without_a_date(fed):
    org = unit(fed, "无日期协会")
    branch = party.form_party_organization(
        fed,
        name=f"无日期协会党支部{fed.pk}",
        kind="branch",
        valid_from=D(2019, 1, 1),
        units=[org],
        approval_doc_no="测批〔2025〕2号",
        approval_date=None,
        actor=None,
    )
    assert branch.pk in rule_flags(fed, "standards.incomplete")


def test_instructor_notice_is_the_dispatch_notice(fed):
    org = unit(fed, "指导员协会")
    branch = party.form_party_organization(
        fed,
        name=f"指导员协会党支部{fed.pk}",
        kind="branch",
        valid_from=D(2019, 1, 1),
        units=[org],
        formation_mode="instructor_driven",
        approval_doc_no="测批〔2019〕3号",
        approval_date=D(2019, 1, 1),
        actor=None,
    )
    instructor = party.appoint_instructor(
        {
            "name": "指导员",
            "dispatched_by": "测试党委",
            "notice_no": "任〔2018〕1号",
            "notice_date": D(2018, 12, 1),
            "valid_from": D(2018, 12, 1),
        },
        actor=None,
    )

    def met():
        return {s.code: s for s in standards.four_standards(branch, on=DAY)}["instructor"].met

    # An appointment notice alone is not a dispatch notice.
    assert not met()
    assert "instructor_notice" in standards_missing(fed, branch)
    party.assign_instructor(
        instructor,
        org,
        valid_from=D(2018, 12, 10),
        valid_to=D(2019, 6, 30),  # the instructor left once the branch stood: still on record
        notice_no="派〔2018〕9号",
        notice_date=D(2018, 12, 5),
        actor=None,
    )
    assert met()
    # (The branch has no secretary either: that standard stays listed on its own.)
    assert standards_missing(fed, branch) == {"secretary"}
    assert not PartyOrganization.objects.filter(
        standards.notice_missing_q(DAY), pk=branch.pk
    ).exists()


def test_has_instructor_on_the_day(fed):
    org = unit(fed, "派驻协会")
    instructor = party.appoint_instructor(
        {"name": "联络员", "dispatched_by": "测试党委", "valid_from": D(2019, 1, 1)}, actor=None
    )
    party.assign_instructor(instructor, org, valid_from=D(2019, 1, 1), valid_to=DAY, actor=None)
    from dangjian.registry.models import Organization

    def has(day):
        return Organization.objects.filter(pk=org.pk).filter(queries.has_instructor(day)).exists()

    assert has(DAY) and not has(DAY + ONE)


def _branch_full_members_by_testing_every_member(party_orgs, on, by):
    """``branch_full_members`` as it was written before it read the branch's own rows: a
    correlated EXISTS on every member's jobs, OR'ed with the relations."""
    from django.db.models import Exists, OuterRef, Q

    from dangjian.party.models import PartyMember

    employed = Q(
        Exists(
            queries.full_employments(on).filter(
                member=OuterRef("pk"), organization__in=queries.covered_units_of(party_orgs, on)
            )
        )
    )
    held = queries.held_in_q(on, party_orgs)
    which = {
        queries.EMPLOYER: employed,
        queries.RELATION: held,
        queries.EMPLOYER_OR_RELATION: employed | held,
    }[by]
    return PartyMember.objects.filter(queries.full_q(on)).filter(which)


def test_branch_full_members_are_those_of_testing_every_member(demo_federation):
    """The same members, each way of counting, for each of the demo's party organizations, all
    of them together, and on a day years back (other jobs, relations and full members)."""
    orgs = list(PartyOrganization.objects.filter(federation=demo_federation).order_by("pk"))
    assert len(orgs) > 5
    today = datetime.date.today()
    for day in (today, D(2021, 3, 1)):
        for by in (queries.EMPLOYER, queries.RELATION, queries.EMPLOYER_OR_RELATION):
            for chosen in [[o] for o in orgs] + [orgs]:
                new = set(
                    queries.branch_full_members(chosen, on=day, by=by).values_list("pk", flat=True)
                )
                old = set(
                    _branch_full_members_by_testing_every_member(chosen, day, by).values_list(
                        "pk", flat=True
                    )
                )
                assert new == old, (chosen, day, by)
    counted = [queries.branch_full_members([o], on=today).count() for o in orgs]
    assert any(counted)


def _standing_by_latest_decision_only(day, kinds):
    """``standing_q`` as it was written before its first condition: the latest decision only."""
    from django.db.models import Exists, OuterRef, Q, Subquery

    from dangjian.party.models import StandingDecision

    latest = (
        StandingDecision.objects.filter(member=OuterRef(OuterRef("pk")), decided_on__lte=day)
        .order_by("-decided_on", "-id")
        .values("pk")[:1]
    )
    return Q(Exists(StandingDecision.objects.filter(pk=Subquery(latest), kind__in=kinds)))


def test_standing_is_the_latest_decisions_filtered_and_excluded(demo_federation):
    """Declared lost, suspended after it, restored, or removed, on days before, on and after
    each decision: the members found (and those left out by an exclude) are those the latest
    decision alone gives."""
    from dangjian.party.models import PartyMember, StandingDecision

    Kind = StandingDecision.Kind
    members = [member() for _ in range(5)]
    histories = [
        [(Kind.LOST_CONTACT, D(2024, 3, 1))],
        [(Kind.LOST_CONTACT, D(2024, 3, 1)), (Kind.SUSPENDED, D(2024, 9, 1))],
        [(Kind.LOST_CONTACT, D(2024, 3, 1)), (Kind.CONTACT_RESTORED, D(2024, 6, 1))],
        [(Kind.SUSPENDED, D(2024, 3, 1)), (Kind.RESTORED, D(2024, 3, 1))],
        [(Kind.SUSPENDED, D(2024, 3, 1)), (Kind.REMOVED, D(2025, 1, 1))],
    ]
    for one, history in zip(members, histories, strict=True):
        for kind, day in history:
            StandingDecision.objects.create(
                member=one, kind=kind, decided_on=day, decided_by="党委"
            )
    mine = PartyMember.objects.filter(pk__in=[m.pk for m in members])
    days = [D(2024, 2, 29), D(2024, 3, 1), D(2024, 6, 1), D(2024, 9, 1), D(2025, 1, 1), DAY]
    kinds_tried = [
        [Kind.LOST_CONTACT, Kind.SUSPENDED],
        [Kind.SUSPENDED],
        [Kind.LOST_CONTACT, Kind.SUSPENDED, Kind.REMOVED],
    ]
    found_any = False
    for day in days:
        for kinds in kinds_tried:
            old = _standing_by_latest_decision_only(day, kinds)
            new = standing_queries.standing_q(day, kinds)
            assert set(mine.filter(new)) == set(mine.filter(old)), (day, kinds)
            assert set(mine.exclude(new)) == set(mine.exclude(old)), (day, kinds)
            found_any |= mine.filter(new).exists()
    assert found_any
    # Declared lost; suspended after it; suspended (removed only later) — not restored ones.
    assert set(mine.filter(standing_queries.lost_q(D(2024, 9, 1)))) == {
        members[0],
        members[1],
        members[4],
    }
    assert set(mine.filter(standing_queries.lost_q(D(2025, 1, 1)))) == {members[0], members[1]}


def test_held_in_checked_per_member_is_the_same_as_from_the_relations(demo_federation):
    """``held_in_q(..., few=True)`` (each member checked on its relation) names the same members
    as the IN over the relations, for each of the demo's party organizations and all together,
    today and years back; and the transfers page's figures count the same."""
    from dangjian.party.models import PartyMember
    from dangjian.transfers import queries as transfer_queries

    orgs = list(PartyOrganization.objects.filter(federation=demo_federation).order_by("pk"))
    today = datetime.date.today()
    held_somewhere = 0
    for day in (today, D(2021, 3, 1)):
        for chosen in [[o] for o in orgs] + [orgs]:
            few = set(
                PartyMember.objects.filter(queries.held_in_q(day, chosen, few=True)).values_list(
                    "pk", flat=True
                )
            )
            many = set(
                PartyMember.objects.filter(queries.held_in_q(day, chosen)).values_list(
                    "pk", flat=True
                )
            )
            assert few == many, (chosen, day)
            held_somewhere += bool(few)
    assert held_somewhere
    figures = transfer_queries.figures([o.pk for o in orgs], today)
    members = PartyMember.objects.filter(
        queries.member_in_ledger_q(today), queries.held_in_q(today, orgs)
    )
    assert (
        figures.flowing
        == members.filter(pk__in=standing_queries.flowing_on(today).values("member")).count()
    )
    assert figures.lost_contact == members.filter(standing_queries.lost_q(today)).count()
