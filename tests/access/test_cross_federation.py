"""A user of one federation learns nothing of another federation's rows: the data-subject
export, the member page, the ID-number check of an application review and the grading
settings of a unit."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.applications.models import Application
from dangjian.inspections.views.grading import _federation_for
from dangjian.party.models import Employment, PartyMember, PartyOrganization, Position
from dangjian.registry.models import Federation, Membership, Organization

pytestmark = pytest.mark.django_db

LINKED = "已在党员台账中，批准时关联"


@pytest.fixture
def elsewhere():
    """A federation outside every demo persona's scope, with a unit and a party branch."""
    federation = Federation.objects.create(
        name="外省互联网联合会", short_name="外省网联", level=Federation.Level.PROVINCIAL
    )
    unit = Organization.objects.create(
        name="外省机密数据协会", legal_form="social_group", category="association"
    )
    Membership.objects.create(
        organization=unit, federation=federation, valid_from=datetime.date(2020, 1, 1)
    )
    branch = PartyOrganization.objects.create(
        name="外省机密数据协会党支部",
        kind=PartyOrganization.Kind.BRANCH,
        federation=federation,
        valid_from=datetime.date(2020, 1, 1),
    )
    return unit, branch


def a_member_of(org_name):
    return (
        PartyMember.objects.filter(employments__organization__name=org_name).order_by("pk").first()
    )


def test_subject_export_and_member_page_show_only_rows_in_scope(persona_client, elsewhere):
    unit, branch = elsewhere
    member = a_member_of("天津市互联网协会")
    Employment.objects.create(
        member=member, organization=unit, valid_from=datetime.date(2021, 1, 1)
    )
    Position.objects.create(
        member=member,
        party_organization=branch,
        role=Position.Role.MEMBER,
        valid_from=datetime.date(2021, 1, 1),
    )
    liaison = persona_client("liaison")
    export = liaison.get(reverse("party:member_export", args=[member.pk])).content.decode()
    data = json.loads(export)
    assert "天津市互联网协会" in [row["单位"] for row in data["从业记录"]]
    assert unit.name not in export and branch.name not in export
    page = liaison.get(reverse("party:member_detail", args=[member.pk])).content.decode()
    assert "天津市互联网协会" in page
    assert unit.name not in page and branch.name not in page
    # The system administrator's export is whole.
    export = persona_client("admin").get(reverse("party:member_export", args=[member.pk]))
    assert unit.name in export.content.decode() and branch.name in export.content.decode()


def test_review_does_not_tell_whether_an_id_number_is_in_another_federations_ledger(
    persona_client,
):
    application = Application.objects.get(name="天津市数字内容创作者协会")
    row = application.members.filter(member__isnull=True).first()
    stranger = PartyMember.objects.create(
        name="外省党员",
        gender=PartyMember.Gender.MALE,
        id_number="110101199003074514",
        joined_party_on=datetime.date(2015, 7, 1),
    )
    # The same person (by ID number) is in a ledger no Tianjin officer sees.
    PartyMember.objects.filter(pk=stranger.pk).update(id_number_hash=row.id_number_hash)
    url = reverse("applications:application_detail", args=[application.pk])
    officer = persona_client("officer").get(url).content.decode()
    admin = persona_client("admin").get(url).content.decode()
    assert admin.count(LINKED) == officer.count(LINKED) + 1


def test_grading_settings_never_come_from_a_federation_outside_the_scope(elsewhere):
    unit, _ = elsewhere
    users = get_user_model().objects
    # Before, the federation of any membership was used when none was in the user's scope.
    assert _federation_for(users.get(username="officer"), unit) is None
    assert _federation_for(users.get(username="outsider"), unit) is None
    assert _federation_for(users.get(username="admin"), unit).name == "外省互联网联合会"
