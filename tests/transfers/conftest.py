"""Two federations of the system, each with branches, for hand-computed transfer scenarios."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.demo import identity
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.services import earliest_start, move_relation
from dangjian.registry.models import Federation

D = datetime.date
Role = RoleAssignment.Role
_n = itertools.count(1)


class World:
    def __init__(self):
        n = next(_n)
        self.rng = random.Random(500 + n)
        self.fed_a = Federation.objects.create(
            name=f"转接甲联合会{n}",
            short_name=f"甲{n}",
            letter_prefix=f"甲网联{n}",
            level=Federation.Level.CITY,
            founded_on=D(2018, 1, 1),
        )
        self.fed_b = Federation.objects.create(
            name=f"转接乙联合会{n}",
            short_name=f"乙{n}",
            letter_prefix=f"乙网联{n}",
            level=Federation.Level.CITY,
            founded_on=D(2018, 1, 1),
        )
        self.committee_a = self.org(f"甲{n}行业党委", self.fed_a, PartyOrganization.Kind.COMMITTEE)
        self.a1 = self.org(f"甲{n}第一党支部", self.fed_a, parent=self.committee_a)
        self.a2 = self.org(f"甲{n}第二党支部", self.fed_a, parent=self.committee_a)
        self.b1 = self.org(f"乙{n}第一党支部", self.fed_b)
        self.member = self.new_member("转接党员", self.a1)
        self.officer_a = self.user(Role.FEDERATION_OFFICER, federation=self.fed_a)
        self.officer_b = self.user(Role.FEDERATION_OFFICER, federation=self.fed_b)
        self.secretary_a1 = self.user(Role.BRANCH_SECRETARY, party_organization=self.a1)
        self.secretary_a2 = self.user(Role.BRANCH_SECRETARY, party_organization=self.a2)

    def org(self, name, federation, kind=PartyOrganization.Kind.BRANCH, parent=None):
        return PartyOrganization.objects.create(
            name=name, kind=kind, federation=federation, parent=parent, valid_from=D(2019, 1, 1)
        )

    def new_member(self, name, branch, *, full=True):
        birth = D(1990, 3, 15)
        m = PartyMember.objects.create(
            name=name,
            gender=PartyMember.Gender.FEMALE,
            birth_date=birth,
            id_number=identity.id_number(self.rng, birth, False),
            joined_party_on=D(2015, 1, 1),
            full_member_on=D(2016, 1, 1) if full else None,
        )
        move_relation(m, to=branch, on=earliest_start(m, branch), actor=None)
        return m

    def user(self, role, **scope):
        n = get_user_model().objects.count()
        user = get_user_model().objects.create_user(f"transfers-{role}-{n}", password="x")
        UserSecurity.objects.filter(user=user).update(must_change_password=False)
        RoleAssignment.objects.create(user=user, role=role, valid_from=D(2018, 1, 1), **scope)
        return user

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def world(db):
    return World()
