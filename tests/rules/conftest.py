"""A small world builder for hand-computed rule scenarios: each test makes its own federation
and asks the engine about it alone."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import random

import pytest

from dangjian.demo import identity
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.orglife.models import Meeting
from dangjian.orglife.services.journal import meetings_changed
from dangjian.party.models import (
    Coverage,
    Election,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.party.services import earliest_start, move_relation
from dangjian.registry.models import Federation, Membership, Organization
from dangjian.rulebook.loader import load as load_rulebook
from dangjian.rules.asof import text_on
from dangjian.rules.engine import Engine

D = datetime.date
_counter = itertools.count(1)
# Default dates of the builder (module constants: dates are immutable).
D2010, D2015, D2016, D2018, D2019 = (D(y, 1, 1) for y in (2010, 2015, 2016, 2018, 2019))


class World:
    def __init__(self, founded=D2018):
        n = next(_counter)
        self.rng = random.Random(n)
        self.fed = Federation.objects.create(
            name=f"测试网络社会组织联合会{n}",
            short_name=f"测{n}",
            level=Federation.Level.CITY,
            founded_on=founded,
        )
        self.committee = None

    # -- units and people ---------------------------------------------------------------
    def unit(
        self,
        name,
        *,
        full=0,
        probationary=0,
        joined=D2019,
        left=None,
        legal_form=Organization.LegalForm.SOCIAL_GROUP,
        category=Organization.Category.ASSOCIATION,
        district="和平区",
        founded_on=D2010,
        full_on=D2015,
        employed_from=D2016,
    ) -> Organization:
        org = Organization.objects.create(
            name=f"{name}{self.fed.pk}",
            legal_form=legal_form,
            category=category,
            district=district,
            founded_on=founded_on,
        )
        Membership.objects.create(
            federation=self.fed, organization=org, valid_from=joined, valid_to=left
        )
        self.members(full, employer=org, full_on=full_on, employed_from=employed_from)
        self.members(probationary, employer=org, full_on=None, employed_from=employed_from)
        return org

    def members(
        self,
        n,
        *,
        employer=None,
        relation=None,
        full_on=D2015,
        employed_from=D2016,
        left_on=None,
        relation_since=None,
    ) -> list[PartyMember]:
        """``n`` members; a ``relation`` (a party organization or outside text) is held from
        ``relation_since`` (by default the earliest day possible, as party.services does)."""
        people = []
        for _ in range(n):
            birth = D(1980, 1, 1) + datetime.timedelta(days=self.rng.randrange(0, 5000))
            m = PartyMember.objects.create(
                name="测试党员",
                gender=PartyMember.Gender.MALE,
                birth_date=birth,
                id_number=identity.id_number(self.rng, birth, True),
                joined_party_on=D(2014, 1, 1),
                full_member_on=full_on,
                left_on=left_on,
            )
            if relation is not None:
                move_relation(
                    m, to=relation, on=relation_since or earliest_start(m, relation), actor=None
                )
            if employer is not None:
                Employment.objects.create(member=m, organization=employer, valid_from=employed_from)
            people.append(m)
        return people

    # -- party organizations ------------------------------------------------------------
    def party_org(
        self,
        name,
        *,
        kind=PartyOrganization.Kind.BRANCH,
        units=(),
        coverage_kind=None,
        valid_from=D2019,
        valid_to=None,
        term_started_on=None,
        approval="测批〔2019〕1号",
        mode=PartyOrganization.FormationMode.IN_MEMBER_UNIT,
        relation_full=0,
        secretary=True,
        posts=0,
    ) -> PartyOrganization:
        po = PartyOrganization.objects.create(
            name=f"{name}{self.fed.pk}",
            kind=kind,
            federation=self.fed,
            valid_from=valid_from,
            valid_to=valid_to,
            approval_doc_no=approval,
            # A 批文 is on record with its number and date (party.standards.four_standards).
            approval_date=valid_from if approval else None,
            formation_mode=mode,
        )
        # The founding election, and a general election when the current term began later.
        years = 5 if kind == PartyOrganization.Kind.COMMITTEE else 3
        self.election(po, valid_from, Election.Kind.FOUNDING, years)
        if term_started_on and term_started_on != valid_from:
            self.election(po, term_started_on, Election.Kind.GENERAL, years)
        for unit in units:
            Coverage.objects.create(
                party_organization=po,
                organization=unit,
                kind=coverage_kind
                or (Coverage.Kind.OWN if len(units) == 1 else Coverage.Kind.JOINT),
                valid_from=valid_from,
            )
        people = self.members(relation_full, relation=po)
        if secretary:
            holder = people[0] if people else self.members(1, relation=po)[0]
            Position.objects.create(
                member=holder,
                party_organization=po,
                role=Position.Role.SECRETARY,
                valid_from=valid_from,
            )
        for i in range(posts):
            Position.objects.create(
                member=self.members(1, relation=po)[0],
                party_organization=po,
                role=[
                    Position.Role.ORGANIZATION,
                    Position.Role.PUBLICITY,
                    Position.Role.DISCIPLINE,
                    Position.Role.MEMBER,
                ][i % 4],
                valid_from=valid_from,
            )
        return po

    def election(self, po, held_on, kind=Election.Kind.GENERAL, years=3):
        return Election.objects.create(
            party_organization=po,
            held_on=held_on,
            kind=kind,
            term_years=None if kind == Election.Kind.BY_ELECTION else years,
        )

    def instructor(self, unit, *, valid_from=D2019, valid_to=None, notice_no="测指〔2019〕1号"):
        inst = Instructor.objects.create(name="指导员", dispatched_by="测试党委", valid_from=D2018)
        return InstructorAssignment.objects.create(
            instructor=inst,
            organization=unit,
            valid_from=valid_from,
            valid_to=valid_to,
            notice_no=notice_no,
            notice_date=valid_from if notice_no else None,
        )

    def meeting(self, po, kind, day, status=Meeting.Status.HELD):
        meeting = Meeting.objects.create(
            party_organization=po, kind=kind, held_on=day, status=status
        )
        meetings_changed([po.pk])  # what every meeting writer calls (journal and counts)
        return meeting

    def meet_regularly(
        self,
        po,
        start,
        end,
        kinds=("general_meeting", "party_lesson", "theme_day", "life_meeting", "democratic_review"),
    ):
        """One meeting of each kind in every month (covers every period)."""
        rows = []
        day = D(start.year, start.month, 1)
        while day <= end:
            held = max(day, start) if max(day, start) <= end else None
            if held:
                rows += [Meeting(party_organization=po, kind=k, held_on=held) for k in kinds]
            day = D(day.year + (day.month == 12), day.month % 12 + 1, 1)
        Meeting.objects.bulk_create(rows)
        meetings_changed([po.pk])

    def charter(self, unit, adopted_on, clause):
        return CharterRevision.objects.create(
            organization=unit, adopted_on=adopted_on, has_party_building_clause=clause
        )

    def decision(self, unit, day, party):
        return MajorDecision.objects.create(
            organization=unit,
            decided_on=day,
            body="board",
            subject="年度预算",
            party_participated=party,
        )

    # -- the engine -----------------------------------------------------------------------
    def evaluate(self, as_of, rule_id=None, book=None):
        """The candidates, each explanation read as of the day (``rules.asof``: the day and
        the days and months counted up to it put in, ISO dates kept)."""
        engine = Engine(self.fed, as_of, book=book, rule_ids=[rule_id] if rule_id else None)
        if rule_id:
            return read_as_of(engine.evaluate_rule(rule_id)[0], as_of)
        return {rule: read_as_of(found, as_of) for rule, found in engine.evaluate().items()}

    def run(self, as_of, rule_ids=None, book=None):
        return Engine(self.fed, as_of, book=book, rule_ids=rule_ids).run()


def read_as_of(candidates, day):
    return [dataclasses.replace(c, explanation=text_on(c.explanation, day)) for c in candidates]


def shipped_entries(parameters: dict | None = None) -> list[dict]:
    """The shipped rulebook as ``Rulebook`` entries — every revision of every rule — with
    ``parameters`` ({rule id: parameters}) instead of those rules' own: for a test that
    changes or breaks a rule."""
    book = load_rulebook()
    return [
        {
            "id": rule_id,
            "kind": r.kind,
            "subject": r.subject,
            "title_zh": r.title_zh,
            "title_en": r.title_en,
            "source": r.source,
            "verified": r.verified,
            "severity": r.severity,
            "effective_from": r.effective_from,
            "parameters": (parameters or {}).get(rule_id, r.parameters),
            "national_parameters": list(r.national),
        }
        for rule_id in book.rule_ids()
        for r in book.revisions[rule_id]
    ]


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def make_world(db):
    """A factory of fresh worlds (for property tests that need one per example)."""
    return World


@pytest.fixture
def five(world):
    """A own branch, B and C a joint branch, D only an instructor, E nothing; F an enterprise
    covered via the board; G left in 2024."""
    a = world.unit("甲协会", full=5, district="和平区")
    b = world.unit("乙商会", full=1, category="chamber", district="河西区")
    c = world.unit("丙商会", full=2, category="chamber", district="河西区")
    d = world.unit("丁研究院", legal_form="private_non_enterprise", category="institute")
    e = world.unit("戊协会")
    f = world.unit("己公司", full=1, legal_form="enterprise", category="enterprise")
    g = world.unit("庚协会", left=D(2024, 6, 30))
    world.party_org("甲协会党支部", units=[a], valid_from=D(2020, 1, 1))
    world.party_org(
        "联合党支部",
        kind=PartyOrganization.Kind.JOINT_BRANCH,
        units=[b, c],
        valid_from=D(2022, 7, 1),
    )
    world.party_org(
        "理事会党支部", units=[f], coverage_kind=Coverage.Kind.BOARD, valid_from=D(2020, 1, 1)
    )
    world.instructor(d, valid_from=D(2021, 3, 1))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}
