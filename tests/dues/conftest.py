"""A small branch for hand-computed dues scenarios: its own federation, a party committee above
a branch, members joined when the test says, and a secretary's sign-in for each."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.contrib.auth import get_user_model

from dangjian.access.models import RoleAssignment
from dangjian.demo import identity
from dangjian.dues import services
from dangjian.dues.models import Category
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.registry.models import Federation

D = datetime.date
_counter = itertools.count(1)
# Default dates (module constants: dates are immutable).
JOINED, FROM, LATER, NEW_YEAR = D(2015, 7, 1), D(2025, 1, 1), D(2026, 6, 30), D(2026, 1, 2)


class Branch:
    def __init__(self):
        n = next(_counter)
        self.n = n
        self.rng = random.Random(n)
        self.fed = Federation.objects.create(
            name=f"党费测试联合会{n}", short_name=f"费{n}", level=Federation.Level.CITY
        )
        self.committee = PartyOrganization.objects.create(
            name=f"党费测试党委{n}",
            kind=PartyOrganization.Kind.COMMITTEE,
            federation=self.fed,
            valid_from=D(2018, 1, 1),
        )
        self.po = PartyOrganization.objects.create(
            name=f"党费测试党支部{n}",
            kind=PartyOrganization.Kind.BRANCH,
            federation=self.fed,
            parent=self.committee,
            valid_from=D(2018, 1, 1),
        )
        self.secretary = self.user("secretary", RoleAssignment.Role.BRANCH_SECRETARY, self.po)
        self.higher = self.user("higher", RoleAssignment.Role.BRANCH_SECRETARY, self.committee)
        self.officer = self.user("officer", RoleAssignment.Role.FEDERATION_OFFICER)

    def user(self, what, role, po=None):
        user = get_user_model().objects.create_user(f"{what}{self.n}", password="x" * 12)
        RoleAssignment.objects.create(
            user=user,
            role=role,
            party_organization=po,
            federation=self.fed if role == RoleAssignment.Role.FEDERATION_OFFICER else None,
            valid_from=D(2018, 1, 1),
        )
        return user

    def member(self, name="张三", *, joined=JOINED, full=True, po=None) -> PartyMember:
        birth = D(1985, 5, 5)
        return PartyMember.objects.create(
            name=name,
            gender=PartyMember.Gender.MALE,
            birth_date=birth,
            id_number=identity.id_number(self.rng, birth, True),
            joined_party_on=joined,
            full_member_on=joined.replace(year=joined.year + 1) if full else None,
            relation_party_organization=po or self.po,
        )

    def declare(
        self,
        member,
        base_yuan=None,
        *,
        category=Category.EMPLOYED,
        fixed_fen=None,
        from_month=FROM,
        today=None,
    ):
        today = today or max(LATER, from_month)
        return services.declare_base(
            member,
            from_month=from_month,
            category=category,
            base_fen=None if base_yuan is None else round(base_yuan * 100),
            fixed_fen=fixed_fen,
            declared_on=from_month,
            actor=self.secretary,
            today=today,
        )

    def assess(self, year=2026, today=NEW_YEAR):
        return services.assess_year(self.po, year, actor=self.secretary, today=today)


@pytest.fixture
def branch(db):
    return Branch()
