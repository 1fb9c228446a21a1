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
