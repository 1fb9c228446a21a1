"""``scope.members_to_list``: the members a list pages through — the same members as
``scope.members`` for every role, whether the scope is few enough to be named by id (read from
the scope's own indexes) or walked row by row; and ``_unit_ids`` (the units of a grant as a
set) is ``_org_q`` (the same reach checked row by row)."""

import datetime
import random

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment, UserSecurity
from dangjian.access.scope import grants as scope_grants
from dangjian.access.scope import party_members as scope_members
from dangjian.access.services import grant_role
from dangjian.demo.identity import id_number
from dangjian.party import services
from dangjian.party.models import Coverage, PartyMember, PartyOrganization
from dangjian.registry.models import Federation, Membership, Organization

pytestmark = pytest.mark.django_db
DAY = datetime.date(2020, 1, 1)
PERSONAS = [
    "admin",
    "national",
    "officer",
    "liaison",
    "secretary",
    "instructor",
    "authority",
    "member",
    "auditor",
    "expert",
    "outsider",
]


def user(name):
    return get_user_model().objects.get(username=name)


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


@pytest.mark.parametrize("action", [Action.VIEW, Action.VIEW_PERSONAL, Action.EDIT])
@pytest.mark.parametrize("name", PERSONAS)
def test_every_persona_lists_the_members_it_may_see_named_or_walked(
    demo_federation, monkeypatch, name, action
):
    someone = user(name)
    expected = ids(scope.members(someone, action))
    assert ids(scope.members_to_list(someone, action)) == expected
    # A list of some members only (the duplicates page's flagged entries): those of them.
    among = Q(full_member_on__isnull=True)
    some = ids(scope.members(someone, action).filter(among))
    assert ids(scope.members_to_list(someone, action, among=among).filter(among)) == some
    # Every scope "large": walked as members().
    monkeypatch.setattr(scope_members, "FEW_MEMBERS", 0)
    if expected and name != "member":  # the bound reached: the list is members() itself
        walked = scope.members_to_list(someone, action)
        assert str(walked.query) == str(scope.members(someone, action).query)
    assert ids(scope.members_to_list(someone, action)) == expected
    assert ids(scope.members_to_list(someone, action, among=among).filter(among)) == some
    # And a federation's units checked row by row.
    monkeypatch.setattr(scope_grants, "MANY_UNITS", 0)
    officer = RoleAssignment.Role.FEDERATION_OFFICER
    assert not any(
        scope._few_units(g) for g in scope.current_assignments(user(name)) if g.role == officer
    )
    assert ids(scope.members_to_list(user(name), action)) == expected
    assert ids(scope.members_to_list(user(name), action, among=among).filter(among)) == some


@pytest.mark.parametrize("name", ["officer", "liaison", "secretary", "instructor", "authority"])
def test_a_grants_units_as_a_set_are_the_units_it_reaches(demo_federation, name):
    for grant in scope.current_assignments(user(name)):
        reached = ids(Organization.objects.filter(scope._org_q(grant)))
        assert ids(Organization.objects.filter(pk__in=scope._unit_ids(grant))) == reached
        assert reached, f"the demo's {name} reaches no unit: the comparison proves nothing"


@pytest.fixture
def small_federation(demo_federation):
    """A federation of one unit beside the demo's, with its officer: a member who once worked
    for the unit (history stays visible), one whose relation is held in its branch, one working
    there now, and the demo's members, none of them its own."""
    admin = user("admin")
    national = Federation.objects.get(level=Federation.Level.NATIONAL)
    small = Federation.objects.create(
        name="小县网络社会组织联合会",
        short_name="小县网联",
        level=Federation.Level.DISTRICT,
        parent=national,
    )
    unit = Organization.objects.create(
        name="小县网络文化协会", legal_form="social_group", category="association"
    )
    Membership.objects.create(organization=unit, federation=small, valid_from=DAY)
    branch = PartyOrganization.objects.create(
        federation=small, name="小县网联党支部", kind="branch", valid_from=DAY
    )

    def member(name, seed, **data):
        return services.create_member(
            {
                "name": name,
                "gender": "female",
                "id_number": id_number(random.Random(seed), datetime.date(1980, 3, 7), False),
                "joined_party_on": datetime.date(2010, 7, 1),
                **data,
            },
            actor=admin,
        )

    past = member("小县甲", 1)
    services.close_employment(
        services.start_employment(past, unit, on=DAY, actor=admin),
        on=datetime.date(2021, 6, 30),
        actor=admin,
    )
    held = member("小县乙", 2, relation_party_organization=branch)
    working = member("小县丙", 3)
    services.start_employment(working, unit, on=DAY, actor=admin)
    officer = get_user_model().objects.create_user("small_officer", password="x-Long-enough-1")
    UserSecurity.objects.filter(user=officer).update(must_change_password=False)
    grant_role(
        officer,
        RoleAssignment.Role.FEDERATION_OFFICER,
        actor=admin,
        valid_from=DAY,
        federation=small,
    )
    return officer, {past.pk, held.pk, working.pk}


def test_a_small_federations_officer_lists_its_members_only(small_federation, monkeypatch):
    officer, own = small_federation
    assert PartyMember.objects.exclude(pk__in=own).exists()
    listed = scope.members_to_list(officer)
    assert ids(listed) == own == ids(scope.members(officer))
    # Named by id: the page sorts these three, it does not walk the ledger checking jobs.
    assert "party_employment" not in str(listed.query)
    monkeypatch.setattr(scope_members, "FEW_MEMBERS", 2)
    walked = scope.members_to_list(officer)
    assert "party_employment" in str(walked.query)
    assert ids(walked) == own


def test_the_roster_of_a_small_federations_officer_shows_its_members(small_federation, client):
    officer, _ = small_federation
    client.force_login(officer)
    response = client.get(reverse("party:member_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert all(name in page for name in ("小县甲", "小县乙", "小县丙"))
    assert "天津" not in page.split("<table", 1)[1]


@pytest.mark.parametrize("name", ["liaison", "instructor", "secretary"])
def test_a_small_scopes_party_organizations_are_those_covering_its_units(demo_federation, name):
    """A liaison's or an instructor's party organizations are those covering a unit in their
    scope (the set form); a secretary's, their own branch and the ones below it."""
    someone = user(name)
    units = scope.organizations(someone)
    if name == "instructor":  # the demo instructs uncovered units: a branch covers one now
        branch = PartyOrganization.objects.filter(kind="branch").order_by("pk").first()
        Coverage.objects.create(
            party_organization=branch, organization=units.order_by("pk").first(), valid_from=DAY
        )
    if name == "secretary":
        grant = scope.current_assignments(someone)[0]
        expected = ids(PartyOrganization.objects.filter(pk=grant.party_organization_id)) | ids(
            PartyOrganization.objects.filter(parent_id=grant.party_organization_id)
        )
    else:
        expected = set(
            Coverage.objects.filter(organization__in=units).values_list(
                "party_organization_id", flat=True
            )
        )
    assert expected
    assert ids(scope.party_organizations(someone)) == expected
