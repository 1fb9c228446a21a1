"""A small branch for hand-computed recruitment scenarios: its own federation, a party
committee and a general branch above a branch, full and probationary members whose relation is
held in the branch from a given day (party.services), and sign-ins for its secretary and the
federation's officer."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.contrib.auth import get_user_model

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.demo import identity
from dangjian.party import services as party_services
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.registry.models import Federation

D = datetime.date
_counter = itertools.count(1)
FOUNDED = D(2015, 1, 1)
# Default dates (module constants: dates are immutable).
APPLIED, BORN, JOINED, FULL = D(2023, 3, 10), D(2000, 1, 1), D(2016, 7, 1), D(2017, 7, 1)
ACTIVIST, CANDIDATE, MEETING = D(2023, 5, 10), D(2024, 5, 10), D(2024, 9, 10)
TODAY = D(2026, 12, 1)


class Branch:
    def __init__(self, full_members: int = 9):
        n = self.n = next(_counter)
        self.rng = random.Random(f"recruit{n}")
        self.fed = Federation.objects.create(
            name=f"发展党员测试联合会{n}", short_name=f"发{n}", level=Federation.Level.CITY
        )
        self.committee = PartyOrganization.objects.create(
            name=f"发展测试党委{n}",
            kind=PartyOrganization.Kind.COMMITTEE,
            federation=self.fed,
            valid_from=FOUNDED,
        )
        self.general = PartyOrganization.objects.create(
            name=f"发展测试党总支{n}",
            kind=PartyOrganization.Kind.GENERAL_BRANCH,
            federation=self.fed,
            parent=self.committee,
            valid_from=FOUNDED,
        )
        self.po = PartyOrganization.objects.create(
            name=f"发展测试党支部{n}",
            kind=PartyOrganization.Kind.BRANCH,
            federation=self.fed,
            parent=self.general,
            valid_from=FOUNDED,
        )
        self.full = [self.member(f"党员{i}") for i in range(full_members)]
        self.secretary = self.user("secretary", RoleAssignment.Role.BRANCH_SECRETARY, self.po)
        self.officer = self.user("officer", RoleAssignment.Role.FEDERATION_OFFICER)

    def user(self, what, role, po=None):
        user = get_user_model().objects.create_user(f"r{what}{self.n}", password="x" * 12)
        RoleAssignment.objects.create(
            user=user,
            role=role,
            party_organization=po,
            federation=self.fed if role == RoleAssignment.Role.FEDERATION_OFFICER else None,
            valid_from=FOUNDED,
        )
        UserSecurity.objects.filter(user=user).update(must_change_password=False)
        return user

    def member(self, name, *, joined=JOINED, full_on=FULL) -> PartyMember:
        birth = D(1985, 5, 5)
        return party_services.create_member(
            {
                "name": name,
                "gender": "male",
                "birth_date": birth,
                "id_number": identity.id_number(self.rng, birth, True),
                "joined_party_on": joined,
                "full_member_on": full_on,
                "relation_party_organization": self.po,
                "relation_since": joined,
            },
            actor=None,
        )

    def id_number(self, birth: datetime.date) -> str:
        return identity.id_number(self.rng, birth, False)

    def apply(self, applied_on=APPLIED, birth=BORN, name="李申请") -> Applicant:
        return services.register_applicant(
            {"name": name, "id_number": self.id_number(birth), "applied_on": applied_on},
            branch=self.po,
            actor=None,
            today=TODAY,
        )

    def step(self, applicant, code, day, **values) -> None:
        applicant.refresh_from_db()
        services.record_step(
            applicant,
            code,
            {"done_on": day, **values},
            version=applicant.version,
            actor=None,
            today=TODAY,
        )
        applicant.refresh_from_db()

    def to_candidate_steps(self, a, activist_on=ACTIVIST, candidate_on=CANDIDATE):
        self.step(a, "talk", D(2023, 3, 20))
        self.step(a, "activist", activist_on, decided_by="branch_committee", method="party_members")
        self.step(a, "activist_filed", activist_on)
        self.step(a, "contacts", activist_on, members=self.full[:2])
        self.step(a, "assessment", D(2023, 11, 10))
        self.step(a, "candidate", candidate_on)

    def to_meeting(self, a, meeting_on=MEETING):
        self.to_candidate_steps(a)
        self.step(a, "candidate_filed", D(2024, 5, 12))
        self.step(a, "sponsors", D(2024, 5, 20), members=self.full[:2])
        self.step(a, "political_review", D(2024, 6, 20), passed=True)
        self.step(a, "training", D(2024, 7, 5), days=3, hours=0)
        self.step(a, "committee_review", D(2024, 7, 20))
        self.step(a, "pre_review", D(2024, 8, 1), approver=self.committee)
        self.step(a, "application_form", D(2024, 8, 10))
        self.step(a, "admission_meeting", meeting_on, present=5, yes_present=5, yes_written=0)
        self.step(a, "committee_talk", meeting_on)


@pytest.fixture
def branch(db):
    return Branch()
