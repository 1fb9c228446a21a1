"""Who sees which finding: the rule written on the finding's own columns (``scope.subject_q``)
gives exactly the rows of its definition — the finding's unit, party organization or
federation is in the user's scope for the action — for every persona and action, on the
demo's findings and on planted ones whose subjects sit in different scopes."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.demo.personas import PERSONAS
from dangjian.party.models import Coverage, PartyOrganization
from dangjian.registry.models import Federation, Organization
from dangjian.rules.models import Finding

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 30)
ACTIONS = [Action.VIEW, Action.EDIT, Action.APPROVE]


def by_definition(user, action):
    """The rule as first written: three sets of subjects in scope, united."""
    return Finding.objects.filter(
        Q(organization__in=scope.organizations(user, action).values("pk"))
        | Q(party_organization__in=scope.party_organizations(user, action).values("pk"))
        | Q(federation__in=scope.federations(user, action).values("pk"))
    )


def plant(federation, *, organization=None, party_organization=None, rule="test.scope"):
    if organization:
        subject = f"o{organization.pk}"
    elif party_organization:
        subject = f"p{party_organization.pk}"
    else:
        subject = f"f{federation.pk}"
    return Finding.objects.create(
        rule_id=rule,
        federation=federation,
        organization=organization,
        party_organization=party_organization,
        subject_key=subject,
        severity="notice",
        explanation="测试。",
        first_seen=DAY,
        last_seen=DAY,
    )


@pytest.fixture
def planted(demo_federation):
    """Findings on: the liaison's unit; the secretary's branch alone; a branch below it; a
    federation with no subject; a unit of another federation tree (seen by the admin only)."""
    tianjin = Federation.objects.get(name="天津市网络社会组织联合会")
    secretary = RoleAssignment.objects.get(user__username="secretary")
    branch = secretary.party_organization
    below = PartyOrganization.objects.create(
        name="范围测试下级党小组",
        kind=PartyOrganization.Kind.BRANCH,
        federation=tianjin,
        parent=branch,
        valid_from=DAY,
    )
    liaison_unit = RoleAssignment.objects.get(user__username="liaison").organization
    stranger = Federation.objects.create(
        name="范围测试联合会", short_name="范测联", letter_prefix="范测联", level="city"
    )
    outside = Organization.objects.create(
        name="范围测试外部协会",
        legal_form=Organization.LegalForm.SOCIAL_GROUP,
        category=Organization.Category.ASSOCIATION,
        supervising_unit="范围测试主管单位",
        registration_authority="范围测试民政局",
    )
    return {
        "unit": plant(tianjin, organization=liaison_unit),
        "branch": plant(tianjin, party_organization=branch),
        "below": plant(tianjin, party_organization=below),
        "federation": plant(tianjin),
        "outside": plant(stranger, organization=outside),
    }


@pytest.mark.parametrize("username", [p["username"] for p in PERSONAS])
def test_same_rows_as_the_definition_for_every_persona_and_action(planted, username):
    user = get_user_model().objects.get(username=username)
    for action in ACTIONS:
        rule = set(scope.visible(Finding, user, action).values_list("pk", flat=True))
        assert rule == set(by_definition(user, action).values_list("pk", flat=True)), action


def test_each_role_sees_its_planted_findings(planted):
    def seen(username):
        user = get_user_model().objects.get(username=username)
        ids = set(scope.visible(Finding, user).values_list("pk", flat=True))
        return {key for key, finding in planted.items() if finding.pk in ids}

    assert seen("admin") == {"unit", "branch", "below", "federation", "outside"}
    assert seen("officer") == {"unit", "branch", "below", "federation"}
    assert seen("liaison") == {"unit"}
    assert seen("secretary") == {"branch", "below"} | (
        {"unit"}
        if Coverage.objects.filter(
            party_organization=planted["branch"].party_organization,
            organization=planted["unit"].organization,
        ).exists()
        else set()
    )
    assert "outside" not in seen("authority") and "federation" not in seen("authority")
    assert seen("outsider") == set()


def test_same_rows_after_an_evaluation(demo_federation):
    """The demo's own findings (every rule's kinds of subject), after a run."""
    call_command("evaluate", "--as-of", "2026-06-30", verbosity=0)
    assert Finding.objects.exists()
    for persona in PERSONAS:
        user = get_user_model().objects.get(username=persona["username"])
        rule = set(scope.visible(Finding, user).values_list("pk", flat=True))
        assert rule == set(by_definition(user, Action.VIEW).values_list("pk", flat=True))
