"""Input bounds on the joining form (issue 11, problem 7): a party date before the party's founding
(1921-07-01) is refused in Chinese and nothing is written."""

import pytest

from dangjian.applications.models import Application

from .test_joining import apply, invitation, member_rows, unit_data  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_party_date_before_1921_07_01_is_refused(client, invitation):  # noqa: F811
    unit = unit_data()
    members = member_rows([("甲一", True, True), ("乙二", False, True), ("丙三", True, True)])
    members["members-0-joined_party_on"] = "1921-06-30"
    before = Application.objects.count()
    response = apply(client, invitation, unit, members)
    assert response.status_code == 200
    assert "党的日期不能早于 1921-07-01" in response.content.decode()
    assert Application.objects.count() == before


def test_a_three_megabyte_statement_is_refused(client, invitation):  # noqa: F811
    before = Application.objects.count()
    response = apply(client, invitation, unit_data(statement="情" * 1_000_000), member_rows([]))
    assert response.status_code == 200
    assert "最多 5000 个字" in response.content.decode()
    assert Application.objects.count() == before


def test_a_party_organization_cannot_be_founded_before_the_party():
    from django.utils import translation

    from dangjian.applications.forms import FormationCaseForm
    from dangjian.party.models import Instructor, PartyMember, PartyOrganization
    from dangjian.registry.models import Organization

    with translation.override("zh-hans"):
        form = FormationCaseForm(
            {"established_on": "1920-12-31", "approval_date": "1921-07-01"},
            organizations=Organization.objects.none(),
            party_organizations=PartyOrganization.objects.none(),
            members=PartyMember.objects.none(),
            instructors=Instructor.objects.none(),
        )
        assert not form.is_valid()
        assert "1921-07-01" in form.errors["established_on"][0]
        assert "approval_date" not in form.errors


def test_an_instructor_visit_before_the_unit_was_founded_is_refused():
    import datetime

    from dangjian.applications.forms import VisitForm
    from dangjian.registry.models import Organization

    unit = Organization.objects.create(
        name="测试成立日期协会",
        legal_form="social_group",
        category="association",
        founded_on=datetime.date(2015, 6, 1),
    )
    data = {"organization": unit.pk, "visitors": "陈指导", "findings": "正常"}
    units = Organization.objects.filter(pk=unit.pk)
    form = VisitForm({**data, "visited_on": "2015-05-31"}, organizations=units)
    assert not form.is_valid() and "visited_on" in form.errors
    assert VisitForm({**data, "visited_on": "2015-06-01"}, organizations=units).is_valid()
    form = VisitForm({**data, "visited_on": "1800-01-01"}, organizations=units)
    assert not form.is_valid() and "visited_on" in form.errors
