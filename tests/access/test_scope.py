"""Each demo persona sees exactly its scope."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.party.models import Coverage, InstructorAssignment, PartyOrganization
from dangjian.registry.models import Federation, Organization

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def user(name):
    return get_user_model().objects.get(username=name)


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_admin_sees_everything(demo_federation):
    assert scope.organizations(user("admin")).count() == Organization.objects.count()
    assert scope.federations(user("admin")).count() == Federation.objects.count()


def test_officer_sees_the_federation_subtree_not_its_parent(demo_federation):
    officer = user("officer")
    assert scope.organizations(officer).count() == Organization.objects.count()
    assert names(scope.federations(officer)) == {"天津市网络社会组织联合会"}
    assert "中国网络社会组织联合会" not in names(scope.federations(officer))


def test_liaison_sees_one_unit_and_its_people(demo_federation):
    liaison = user("liaison")
    assert names(scope.organizations(liaison)) == {"天津市互联网协会"}
    members = scope.members(liaison)
    assert members.count() == 10  # 9 full + 1 probationary employed there
    assert names(scope.party_organizations(liaison)) == {"天津市互联网协会党支部"}


def test_secretary_sees_the_branch_its_units_and_members(demo_federation):
    secretary = user("secretary")
    branch = PartyOrganization.objects.get(name="天津市互联网金融协会党支部")
    covered = set(
        Coverage.objects.filter(party_organization=branch).values_list(
            "organization__name", flat=True
        )
    )
    assert names(scope.organizations(secretary)) == covered
    assert names(scope.party_organizations(secretary)) == {branch.name}
    assert set(scope.members(secretary)) == set(branch.relation_members.all())


def test_instructor_sees_units_assigned_today(demo_federation):
    instructor = user("instructor")
    grant = instructor.role_assignments.get()
    current = InstructorAssignment.objects.valid_on(TODAY).filter(instructor=grant.instructor)
    assert names(scope.organizations(instructor)) == set(
        current.values_list("organization__name", flat=True)
    )
    # The big-data association's assignment ended in 2019: no longer visible.
    assert "天津市大数据协会" not in names(scope.organizations(instructor))


def test_authority_sees_supervised_units_but_no_personal_data(demo_federation):
    authority = user("authority")
    visible = scope.organizations(authority)
    assert visible.count() == Organization.objects.filter(supervising_unit="天津市委网信办").count()
    assert not visible.filter(legal_form="enterprise").exists()
    assert scope.members(authority).count() == 0
    assert not scope.can(authority, Action.VIEW_PERSONAL)


@pytest.mark.parametrize("name", ["outsider", "expert", "auditor"])
def test_personas_without_ledger_scope_see_nothing(demo_federation, name):
    someone = user(name)
    assert scope.organizations(someone).count() == 0
    assert scope.party_organizations(someone).count() == 0
    assert scope.members(someone).count() == 0
    assert scope.federations(someone).count() == 0


def test_expired_assignment_grants_nothing(demo_federation):
    liaison = user("liaison")
    grant = liaison.role_assignments.get()
    grant.valid_to = TODAY - datetime.timedelta(days=1)
    grant.save()
    liaison = user("liaison")  # a fresh object: assignments are cached per user object
    assert scope.organizations(liaison).count() == 0


def test_only_the_auditor_reads_the_audit_trail(demo_federation):
    assert scope.can(user("auditor"), Action.AUDIT)
    for name in ["admin", "officer", "liaison", "outsider"]:
        assert not scope.can(user(name), Action.AUDIT)
