"""A small federation for hand-computed dashboard figures, and a second one that must never
show in the first one's figures."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.demo import identity
from dangjian.orglife.models import Meeting
from dangjian.party.models import (
    Coverage,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
)
from dangjian.registry.models import Federation, Membership, Organization
from dangjian.rules.models import Finding

D = datetime.date
D2019 = D(2019, 1, 1)
DAY = D(2025, 6, 15)  # the "as of" day of the scenarios: months shown 2024-06 … 2025-05
_counter = itertools.count(1)
Role = RoleAssignment.Role


class Small:
    def __init__(self):
        n = next(_counter)
        self.n = n
        self.rng = random.Random(n)
        self.fed = Federation.objects.create(
            name=f"看板测试联合会{n}",
            short_name=f"看{n}",
            level=Federation.Level.CITY,
            founded_on=D(2018, 1, 1),
        )

    def unit(self, name, joined=D2019, left=None):
        org = Organization.objects.create(
            name=f"{name}{self.n}",
            legal_form=Organization.LegalForm.SOCIAL_GROUP,
            category=Organization.Category.ASSOCIATION,
            district="和平区",
            founded_on=D(2010, 1, 1),
        )
        Membership.objects.create(
            federation=self.fed, organization=org, valid_from=joined, valid_to=left
        )
        return org

    def branch(self, name, units, *, kind=PartyOrganization.Kind.BRANCH, valid_from=D2019):
        po = PartyOrganization.objects.create(
            name=f"{name}{self.n}", kind=kind, federation=self.fed, valid_from=valid_from
        )
        for unit in units:
            Coverage.objects.create(
                party_organization=po,
                organization=unit,
                kind=Coverage.Kind.OWN if len(units) == 1 else Coverage.Kind.JOINT,
                valid_from=valid_from,
            )
        return po

    def instructor(self, unit):
        person = Instructor.objects.create(name=f"指导员{self.n}", valid_from=D(2019, 1, 1))
        InstructorAssignment.objects.create(
            instructor=person, organization=unit, valid_from=D(2019, 1, 1)
        )

    def member(self, unit, *, born, gender="male", education="bachelor", joined, full, left=None):
        m = PartyMember.objects.create(
            name="看板党员",
            gender=gender,
            education=education,
            birth_date=born,
            id_number=identity.id_number(self.rng, born or D(1980, 1, 1), gender == "male"),
            joined_party_on=joined,
            full_member_on=full,
            left_on=left,
        )
        Employment.objects.create(member=m, organization=unit, valid_from=D(2016, 1, 1))
        return m

    def finding(self, rule_id, severity, first_seen, status="open", resolved_on=None, unit=None):
        return Finding.objects.create(
            rule_id=rule_id,
            federation=self.fed,
            organization=unit,
            subject_key=f"o{unit.pk}" if unit else f"f{self.fed.pk}",
            # Unique per finding and within the field's 24 characters (PostgreSQL enforces it).
            period_key=f"{first_seen.isoformat()}-{self.rng.randrange(10**9)}",
            severity=severity,
            explanation="测试",
            first_seen=first_seen,
            last_seen=resolved_on or DAY,
            status=status,
            resolved_on=resolved_on,
        )

    def theme_days(self, po, months):
        Meeting.objects.bulk_create(
            [
                Meeting(party_organization=po, kind="theme_day", held_on=D(y, m, 10))
                for y, m in months
            ]
        )

    def user(self, role=Role.FEDERATION_OFFICER, **scope):
        n = get_user_model().objects.count()
        user = get_user_model().objects.create_user(f"dash-{role}-{self.n}-{n}", password="x")
        UserSecurity.objects.filter(user=user).update(must_change_password=False)
        if role == Role.FEDERATION_OFFICER:
            scope.setdefault("federation", self.fed)
        RoleAssignment.objects.create(user=user, role=role, valid_from=D(2018, 1, 1), **scope)
        return user

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture
def small(db):
    """Five units on DAY: A (own branch, four members), B and C (a joint branch formed
    2025-02-10), D (an instructor only), E (nothing); F left in 2024. Findings and meetings
    as the tests' comments count them."""
    s = Small()
    a, b, c, d, e = (s.unit(x) for x in ("甲协会", "乙商会", "丙商会", "丁研究院", "戊协会"))
    s.unit("己协会", left=D(2024, 6, 30))
    s.pa = s.branch("甲协会党支部", [a])
    s.pj = s.branch(
        "联合党支部", [b, c], kind=PartyOrganization.Kind.JOINT_BRANCH, valid_from=D(2025, 2, 10)
    )
    s.instructor(d)
    # Members on DAY (ages, years in the party, status are counted on DAY):
    s.member(a, born=D(1990, 6, 16), joined=D(2010, 1, 1), full=D(2011, 1, 1))  # 34, 15 y
    s.member(
        a,
        born=D(1995, 6, 15),
        gender="female",
        education="master",
        joined=D(2020, 6, 15),
        full=D(2021, 6, 15),
    )  # 30 today, 5 y today
    s.member(
        a, born=D(1995, 6, 16), gender="female", joined=D(2020, 6, 16), full=D(2021, 6, 16)
    )  # 29, 4 y
    s.member(a, born=D(2000, 1, 1), education="college", joined=D(2025, 1, 1), full=None)  # 预备
    s.member(b, born=None, education="doctor", joined=D(1990, 1, 1), full=D(1991, 1, 1))  # 35 y
    s.member(a, born=D(1980, 1, 1), joined=D(2000, 1, 1), full=D(2001, 1, 1), left=DAY)  # left
    s.member(a, born=D(1980, 1, 1), joined=D(2025, 6, 16), full=None)  # joins after DAY
    # Findings: open on DAY are the first, second and fourth.
    s.finding("orglife.irregular", "warning", D(2025, 3, 10))
    s.finding("shell.empty_branch", "serious", D(2025, 5, 2))
    s.finding("shell.empty_branch", "serious", D(2025, 1, 5), "resolved", D(2025, 4, 20))
    s.finding("dormancy.dormant_society", "serious", D(2024, 12, 1), "resolved", D(2025, 6, 20))
    s.finding("dormancy.dormant_society", "serious", D(2025, 2, 1), "past")
    # Theme days: A every month but April 2025 (a planned one does not count); the joint
    # branch (owing from March 2025) in March only.
    s.theme_days(s.pa, [m for m in months((2024, 6), (2025, 5)) if m != (2025, 4)])
    Meeting.objects.create(
        party_organization=s.pa,
        kind="theme_day",
        held_on=D(2025, 4, 20),
        status=Meeting.Status.PLANNED,
        counts=False,
    )
    s.theme_days(s.pj, [(2025, 3)])
    return s


@pytest.fixture
def other(db):
    """Another federation: one unit, its member and a finding, that ``small`` must never show."""
    s = Small()
    u = s.unit("外会单位")
    s.branch("外会党支部", [u])
    s.member(u, born=D(1970, 1, 1), joined=D(1995, 1, 1), full=D(1996, 1, 1))
    s.finding("shell.empty_branch", "serious", D(2025, 5, 1), unit=u)
    return s
