"""A small branch of one's own for hand-computed organizational-life scenarios: its members
(full and probationary), its committee, a secretary's and members' sign-ins."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.demo import identity
from dangjian.party.models import (
    Coverage,
    Employment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.party.services import earliest_start, move_relation
from dangjian.registry.models import Federation, Membership, Organization

D = datetime.date
_counter = itertools.count(1)
Role = RoleAssignment.Role
FOUNDED = D(2020, 1, 1)


class Branch:
    """A federation with one branch covering one unit: ``full`` full members and
    ``probationary`` probationary members holding their relation there, ``committee`` of them
    holding posts (the first is the secretary), and a flowing member of another branch working
    in the unit."""

    def __init__(self, *, full=6, probationary=2, committee=3, founded=FOUNDED):
        n = next(_counter)
        self.rng = random.Random(1000 + n)
        self.federation = Federation.objects.create(
            name=f"组织生活测试联合会{n}",
            short_name=f"组{n}",
            level=Federation.Level.CITY,
            founded_on=D(2018, 1, 1),
        )
        self.unit = Organization.objects.create(
            name=f"组织生活测试协会{n}",
            legal_form=Organization.LegalForm.SOCIAL_GROUP,
            category=Organization.Category.ASSOCIATION,
            district="和平区",
            founded_on=D(2010, 1, 1),
        )
        Membership.objects.create(
            federation=self.federation, organization=self.unit, valid_from=founded
        )
        self.branch = PartyOrganization.objects.create(
            name=f"组织生活测试协会{n}党支部",
            kind=PartyOrganization.Kind.BRANCH,
            federation=self.federation,
            valid_from=founded,
        )
        Coverage.objects.create(
            party_organization=self.branch, organization=self.unit, valid_from=founded
        )
        self.other = PartyOrganization.objects.create(
            name=f"组织生活测试另一党支部{n}",
            kind=PartyOrganization.Kind.BRANCH,
            federation=self.federation,
            valid_from=founded,
        )
        self.full = [self.member(f"正式{i}") for i in range(full)]
        self.probationary = [self.member(f"预备{i}", full=False) for i in range(probationary)]
        self.guest = self.member("流动党员", relation=self.other)
        self.committee = self.full[:committee]
        for i, m in enumerate(self.committee):
            Position.objects.create(
                member=m,
                party_organization=self.branch,
                role=Position.Role.SECRETARY if i == 0 else Position.Role.MEMBER,
                valid_from=founded,
            )
        self.secretary_user = self.user(Role.BRANCH_SECRETARY, party_organization=self.branch)

    def member(self, name, *, full=True, relation=None) -> PartyMember:
        birth = D(1980, 1, 1) + datetime.timedelta(days=self.rng.randrange(0, 5000))
        m = PartyMember.objects.create(
            name=f"{name}{self.federation.pk}",
            gender=PartyMember.Gender.MALE,
            birth_date=birth,
            id_number=identity.id_number(self.rng, birth, True),
            joined_party_on=D(2015, 1, 1) if full else D(2025, 6, 1),
            full_member_on=D(2016, 1, 1) if full else None,
        )
        # The 组织关系 through its one service, dated from joining (voting members read it).
        to = relation or self.branch
        move_relation(m, to=to, on=earliest_start(m, to), actor=None)
        Employment.objects.create(member=m, organization=self.unit, valid_from=D(2019, 1, 1))
        return m

    def user(self, role, **scope):
        n = get_user_model().objects.count()
        user = get_user_model().objects.create_user(f"orglife-{role}-{n}", password="x")
        UserSecurity.objects.filter(user=user).update(must_change_password=False)
        RoleAssignment.objects.create(user=user, role=role, valid_from=D(2018, 1, 1), **scope)
        return user

    def member_user(self, member: PartyMember):
        return self.user(Role.PARTY_MEMBER, member=member)

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def world(db):
    return Branch()
