"""A small federation for hand-computed notice scenarios: 30 member units (each with a
liaison's sign-in), a party committee with a branch of three members (one signed in), a
federation officer and the branch's secretary."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.contrib.auth import get_user_model

from dangjian.access.models import RoleAssignment
from dangjian.demo import identity
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.services import move_relation
from dangjian.registry import services as registry
from dangjian.registry.models import Federation

D = datetime.date
Role = RoleAssignment.Role
_counter = itertools.count(1)
UNITS = 30


class World:
    def __init__(self):
        n = self.n = next(_counter)
        self.rng = random.Random(n)
        self.fed = registry.create_federation(
            {
                "name": f"通知测试联合会{n}",
                "level": Federation.Level.CITY,
                "founded_on": D(2018, 1, 1),
            },
            actor=None,
        )
        self.units = [
            registry.admit_unit(
                self.fed,
                {
                    "name": f"通知测试单位{n}-{i:02d}",
                    "legal_form": "social_group",
                    "category": "enterprise" if i < 10 else "association",
                },
                joined_on=D(2019, 1, 1),
                actor=None,
            ).organization
            for i in range(UNITS)
        ]
        self.committee = PartyOrganization.objects.create(
            name=f"通知测试党委{n}",
            kind=PartyOrganization.Kind.COMMITTEE,
            federation=self.fed,
            valid_from=D(2018, 1, 1),
        )
        self.branch = PartyOrganization.objects.create(
            name=f"通知测试党支部{n}",
            kind=PartyOrganization.Kind.BRANCH,
            federation=self.fed,
            parent=self.committee,
            valid_from=D(2018, 1, 1),
        )
        self.officer = self.user("officer", Role.FEDERATION_OFFICER, federation=self.fed)
        self.secretary = self.user(
            "secretary", Role.BRANCH_SECRETARY, party_organization=self.branch
        )
        self.liaisons = [
            self.user(f"liaison{i}", Role.UNIT_LIAISON, organization=u)
            for i, u in enumerate(self.units)
        ]
        self.members = [self.member(name) for name in ("张一", "王二", "李三")]
        self.member_user = self.user("member", Role.PARTY_MEMBER, member=self.members[0])

    def user(self, what, role, **scope):
        user = get_user_model().objects.create_user(f"n{self.n}{what}", password="x" * 12)
        RoleAssignment.objects.create(user=user, role=role, valid_from=D(2018, 1, 1), **scope)
        return user

    def member(self, name):
        birth = D(1985, 5, 5)
        member = PartyMember.objects.create(
            name=name,
            gender=PartyMember.Gender.MALE,
            birth_date=birth,
            id_number=identity.id_number(self.rng, birth, True),
            joined_party_on=D(2015, 7, 1),
            full_member_on=D(2016, 7, 1),
        )
        move_relation(member, to=self.branch, on=D(2019, 1, 1), actor=None)
        return member


@pytest.fixture
def world(db):
    return World()
