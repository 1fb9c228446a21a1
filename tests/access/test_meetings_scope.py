"""``scope.meetings`` for a federation officer: a federation whose branches hold few meetings
lists them through its branches (``FEW_MEETINGS``), a larger one walks every meeting keeping
its own — the same meetings either way, and nothing of another federation."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.access import scope
from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.access.scope import activities as scope_activities
from dangjian.orglife import services
from dangjian.orglife.models import Meeting
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Federation

pytestmark = pytest.mark.django_db
DAY = datetime.date(2020, 1, 1)


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def officer_of(federation):
    user = get_user_model().objects.create_user(f"officer-{federation.pk}", password="x")
    UserSecurity.objects.filter(user=user).update(must_change_password=False)
    RoleAssignment.objects.create(
        user=user,
        role=RoleAssignment.Role.FEDERATION_OFFICER,
        federation=federation,
        valid_from=DAY,
    )
    return user


@pytest.fixture
def city(demo_federation):
    """A city federation below the demo's, with one branch and one planned meeting."""
    city = Federation.objects.create(
        name="测试市网络社会组织联合会",
        short_name="测市网联",
        level=Federation.Level.CITY,
        parent=demo_federation,
    )
    branch = PartyOrganization.objects.create(
        federation=city, name="测试市网联机关党支部", kind="branch", valid_from=DAY
    )
    meeting = services.plan_meeting(
        branch,
        {
            "kind": Meeting.Kind.THEME_DAY,
            "held_on": DAY + datetime.timedelta(days=30),
            "starts_at": datetime.time(14, 0),
            "ends_at": datetime.time(16, 0),
            "place": "会议室",
            "topic": "测市主题党日",
        },
        actor=None,
    )
    return city, meeting


@pytest.mark.parametrize("few", [0, 10**6])
def test_an_officer_sees_the_same_meetings_walked_or_through_the_branches(
    demo_federation, city, monkeypatch, few
):
    monkeypatch.setattr(scope_activities, "FEW_MEETINGS", few)
    province, small = officer_of(demo_federation), officer_of(city[0])
    branches = PartyOrganization.objects.filter(federation__path__startswith=demo_federation.path)
    assert ids(scope.meetings(province)) == ids(
        Meeting.objects.filter(party_organization__in=branches)
    )
    assert ids(scope.meetings(small)) == {city[1].pk}
    # The bound reached: with none, both walk every meeting; with a million, both go by branch.
    for officer in (province, small):
        assert all(
            scope_activities._few_meetings(g) == bool(few)
            for g in scope.current_assignments(officer)
        )


def test_a_city_officers_meeting_list_shows_its_own_meeting_only(city, client):
    client.force_login(officer_of(city[0]))
    response = client.get(reverse("orglife:meeting_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "测市主题党日" in page
    newest_elsewhere = Meeting.objects.exclude(pk=city[1].pk).order_by("-held_on").first()
    assert newest_elsewhere is not None and newest_elsewhere.topic
    assert newest_elsewhere.topic not in page
