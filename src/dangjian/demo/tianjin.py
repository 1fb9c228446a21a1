"""The demo federation: a Tianjin-like city federation founded 2018-10-30 with 33 member units.

Unit names follow the kinds the 2019 case lists; every person is synthetic (Faker zh_CN) and
every code carries a valid check digit. A few problems are built in on purpose (``tianjin_data.PROBLEMS``) so
that the rules have something true to find; everything else is kept in order, so a rule that
flags more than PROBLEMS is wrong.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from faker import Faker

from dangjian.governance import services as governance
from dangjian.governance.models import MajorDecision, UnitLeader
from dangjian.orglife.services import record_meetings_bulk
from dangjian.party import services as party
from dangjian.party.models import Coverage, Designation, Election, PartyMember, PartyOrganization
from dangjian.registry import services as registry
from dangjian.registry.models import Federation, Organization
from dangjian.rulebook.periods import add_years

from . import identity
from .meetings import full_regime, meetings_for
from .people import PeopleFactory
from .tianjin_data import (
    BRANCHES,
    COMMITTEE_NAME,
    CONTENT,
    FOUNDED,
    REGISTRAR,
    SECURITY,
    SMART,
    SUPERVISOR,
    UNITS,
    L,
    UnitSpec,
)


def build(seed: int = 2019, today: datetime.date | None = None) -> Federation:
    today = today or datetime.date.today()
    with transaction.atomic():
        return _Builder(seed, today).run()


class _Builder:
    def __init__(self, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.people = PeopleFactory(Faker("zh_CN"), self.rng, seed)
        self.today = today
        self.units: dict[str, Organization] = {}
        self.branches: dict[str, PartyOrganization] = {}
        self.members_by_branch: dict[str, list[PartyMember]] = {k: [] for k in BRANCHES}

    def run(self) -> Federation:
        national = registry.create_federation(
            {
                "name": "中国网络社会组织联合会",
                "short_name": "中网联",
                "letter_prefix": "中网联",
                "level": Federation.Level.NATIONAL,
                "founded_on": datetime.date(2018, 6, 28),
            },
            actor=None,
        )
        self.federation = registry.create_federation(
            {
                "name": "天津市网络社会组织联合会",
                "short_name": "津网联",
                "letter_prefix": "津网联",
                "level": Federation.Level.PROVINCIAL,
                "parent": national,
                "region": "天津市",
                "supervising_unit": SUPERVISOR,
                "founded_on": FOUNDED,
                "uscc": identity.social_credit_code(self.rng, "51"),
            },
            actor=None,
        )
        self.domains = {n: registry.domain(n, actor=None) for n in (CONTENT, SECURITY, SMART)}
        self._party_organizations()
        for spec in UNITS:
            self._unit(spec)
        self._positions()
        self._meetings()
        self._instructors()
        self._designations()
        return self.federation

    # -- party organizations -------------------------------------------------------------
    def _party_organizations(self):
        self.committee = party.form_party_organization(
            self.federation,
            name=COMMITTEE_NAME,
            kind=PartyOrganization.Kind.COMMITTEE,
            valid_from=FOUNDED,
            actor=None,
            approval_doc_no="津党组〔2018〕58号",
            approval_date=FOUNDED,
        )
        self._record_terms(self.committee, datetime.date(2023, 10, 27), 5)
        for key, (name, kind, mode, established, term_start, years) in BRANCHES.items():
            self.branches[key] = party.form_party_organization(
                self.federation,
                name=name,
                kind=kind,
                formation_mode=mode,
                parent=self.committee,
                actor=None,
                valid_from=established,
                approval_doc_no=f"津网党〔{established.year}〕{len(self.branches) + 3}号",
                approval_date=established,
            )
            # A healthy branch was re-elected within each term; "software" was not.
            self._record_terms(
                self.branches[key], term_start or self._last_election(established, years), years
            )

    def _last_election(self, established: datetime.date, years: int) -> datetime.date:
        start = established
        while add_years(start, years) <= self.today:
            start = add_years(start, years)
        return start

    def _record_terms(self, party_org: PartyOrganization, last: datetime.date, years: int):
        """The founding election, then a general election at the end of each term up to the
        last one (the term history the 换届 rule reads)."""
        party.record_election(
            party_org,
            held_on=party_org.valid_from,
            kind=Election.Kind.FOUNDING,
            term_years=years,
            actor=None,
        )
        start = party_org.valid_from
        while start < last:
            start = min(add_years(start, years), last)
            party.record_election(
                party_org, held_on=start, kind=Election.Kind.GENERAL, term_years=years, actor=None
            )

    # -- units and their people ----------------------------------------------------------
    def _unit(self, spec: UnitSpec):
        dept = {L.SOCIAL_GROUP: "51", L.PRIVATE_NON_ENTERPRISE: "52", L.ENTERPRISE: "91"}[
            spec.legal_form
        ]
        founded = spec.joined - datetime.timedelta(days=self.rng.randrange(400, 4000))
        unit = {
            "name": spec.name,
            "uscc": identity.social_credit_code(self.rng, dept),
            "legal_form": spec.legal_form,
            "category": spec.category,
            "district": spec.district,
            "supervising_unit": SUPERVISOR if spec.legal_form != L.ENTERPRISE else "",
            "registration_authority": REGISTRAR
            if spec.legal_form != L.ENTERPRISE
            else "天津市市场监督管理委员会",
            "founded_on": founded,
            "registered_address": f"天津市{spec.district}{self.people.street()}",
            "contact_name": self.people.name(),
            "contact_phone": identity.phone(self.rng),
            "status": Organization.Status.DEREGISTERED if spec.left else Organization.Status.ACTIVE,
        }
        org = registry.admit_unit(
            self.federation,
            unit,
            role=spec.role,
            joined_on=spec.joined,
            valid_to=spec.left,
            actor=None,
        ).organization
        registry.set_domains(org, [self.domains[d] for d in spec.domains], actor=None)
        self.units[spec.name] = org
        key = spec.branch
        branch = self.branches.get(key) if key else None
        if key and branch:
            # A unit's own branch covers it as OWN; further units it covers count as joint.
            first = not branch.coverages.exists()
            kind = {
                "board": Coverage.Kind.BOARD,
                "joint1": Coverage.Kind.JOINT,
                "joint2": Coverage.Kind.JOINT,
            }.get(key, Coverage.Kind.OWN if first else Coverage.Kind.JOINT)
            party.add_coverage(
                branch, org, kind=kind, valid_from=max(branch.valid_from, spec.joined), actor=None
            )
        members = []
        for i in range(spec.full + spec.probationary):
            probationary = i >= spec.full
            member = self.people.member(
                probationary=probationary,
                today=self.today,
                relation=branch,
                external="" if branch else "天津市非公有制经济组织综合党委",
            )
            party.start_employment(
                member,
                org,
                on=max(spec.joined - datetime.timedelta(days=200), member.joined_party_on),
                actor=None,
            )
            members.append(member)
        if spec.branch:
            self.members_by_branch[spec.branch].extend(members)
        self._governance(org, spec, members)

    def _governance(self, org, spec: UnitSpec, members: list[PartyMember]):
        full = [m for m in members if m.full_member_on]
        president_member = full[0] if full and spec.branch else None
        governance.appoint_unit_leader(
            org,
            actor=None,
            role=UnitLeader.Role.PRESIDENT,
            name=president_member.name if president_member else self.people.name(),
            member=president_member,
            valid_from=spec.joined,
        )
        if len(full) > 1 and spec.branch in ("internet", "finance"):
            governance.appoint_unit_leader(
                org,
                actor=None,
                role=UnitLeader.Role.VICE_PRESIDENT,
                name=full[1].name,
                member=full[1],
                valid_from=spec.joined,
            )
        governance.appoint_unit_leader(
            org,
            actor=None,
            role=UnitLeader.Role.SECRETARY_GENERAL,
            name=self.people.name(),
            valid_from=spec.joined,
        )
        governance.record_charter_revision(
            org,
            adopted_on=spec.joined,
            has_party_building_clause=spec.charter_clause,
            note_text="" if spec.charter_clause else "章程尚未写入党建工作内容",
            actor=None,
        )
        if spec.left:
            return
        covered_from = self.branches[spec.branch].valid_from if spec.branch else None
        for year in range(max(spec.joined.year + 1, 2019), self.today.year + 1):
            day = min(datetime.date(year, 3, 16), self.today)
            participated = bool(covered_from and covered_from <= day)
            if not spec.decisions_with_party and year == self.today.year:
                participated = False
            governance.record_major_decision(
                org,
                actor=None,
                decided_on=day,
                body=MajorDecision.Body.BOARD,
                subject=f"{year}年度工作计划和财务预算",
                party_participated=participated,
            )

    # -- posts -----------------------------------------------------------------------------
    def _positions(self):
        from .positions import assign_posts

        assign_posts(self, self.committee, self.branches, self.members_by_branch)

    # -- organizational life -------------------------------------------------------------
    def _meetings(self):
        rows = []
        stop_ecommerce = self.today - datetime.timedelta(days=240)
        # The secretary's branch has nothing yet in the running month: the demo shows what is
        # due and lets the newcomer plan and record it (the running period is never a finding).
        last_month_end = self.today.replace(day=1) - datetime.timedelta(days=1)
        for key, branch in self.branches.items():
            size = len([m for m in self.members_by_branch[key] if m.full_member_on])
            end = {"ecommerce": stop_ecommerce, "finance": last_month_end}.get(key, self.today)
            rows += meetings_for(
                branch, branch.valid_from, end, full_regime(size >= 7 and key != "ai"), size
            )
        rows += meetings_for(self.committee, FOUNDED, self.today, full_regime(True), 9)
        record_meetings_bulk(rows, actor=None, note="demo")

    # -- instructors and designations ----------------------------------------------------
    def _instructors(self):
        wang = party.appoint_instructor(
            {
                "name": self.people.name(),
                "dispatched_by": COMMITTEE_NAME,
                "notice_no": "津网党〔2019〕3号",
                "notice_date": datetime.date(2019, 2, 25),
                "valid_from": datetime.date(2019, 3, 1),
                "phone": identity.phone(self.rng),
            },
            actor=None,
        )
        li = party.appoint_instructor(
            {
                "name": self.people.name(),
                "dispatched_by": "天津市滨海新区委网信办",
                "notice_no": "滨网信〔2020〕11号",
                "notice_date": datetime.date(2020, 4, 1),
                "valid_from": datetime.date(2020, 4, 7),
                "phone": identity.phone(self.rng),
            },
            actor=None,
        )
        self.instructors = {"wang": wang, "li": li}
        # The instructor who drove the big-data association's branch, until it was formed.
        party.assign_instructor(
            wang,
            self.units["天津市大数据协会"],
            actor=None,
            notice_no="津网党〔2019〕7号",
            notice_date=datetime.date(2019, 4, 20),
            valid_from=datetime.date(2019, 4, 22),
            valid_to=datetime.date(2019, 12, 31),
        )
        for spec in UNITS:
            key = spec.extra.get("instructor")
            if key:
                inst = self.instructors[key]
                party.assign_instructor(
                    inst,
                    self.units[spec.name],
                    actor=None,
                    notice_no=inst.notice_no,
                    notice_date=inst.notice_date,
                    valid_from=max(inst.valid_from, spec.joined),
                )

    def _designations(self):
        for key in ("finance", "media"):
            party.designate(
                Designation.Kind.DEMONSTRATION_POINT,
                actor=None,
                party_organization=self.branches[key],
                organization=self.branches[key].coverages.first().organization,
                year=2019,
                granted_by=COMMITTEE_NAME,
            )
        for name in ("天津市互联网协会", "天津市大数据协会"):
            party.designate(
                Designation.Kind.LIAISON_POINT,
                actor=None,
                organization=self.units[name],
                year=2020,
                granted_by=COMMITTEE_NAME,
            )
