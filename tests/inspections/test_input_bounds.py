"""Input bounds (issue 11, problem 7) where the tester hit them: a visit's 3 MB note and a visit
dated 1800-01-01 are refused in Chinese and nothing is written."""

import datetime

import pytest
from django.urls import reverse

from dangjian.inspections.models import Visit
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
UNIT = "天津市网络直播行业协会"


def _post(client, **changes):
    data = {
        "organization": Organization.objects.get(name=UNIT).pk,
        "visited_on": TODAY.isoformat(),
        "visitors": "党建工作部 王强",
        "findings": "登记住所已无人办公。",
        "follow_up": "",
    }
    data.update(changes)
    return client.post(reverse("inspections:visit_create"), data)


def test_a_three_megabyte_note_is_refused_in_chinese(officer_client):
    before = Visit.objects.count()
    response = _post(officer_client, findings="情" * (3 * 1024 * 1024 // 3))
    assert response.status_code == 200
    html = response.content.decode()
    assert "最多 5000 个字" in html
    assert Visit.objects.count() == before


def test_a_visit_dated_1800_is_refused_in_chinese(officer_client):
    before = Visit.objects.count()
    response = _post(officer_client, visited_on="1800-01-01")
    assert response.status_code == 200
    assert "日期不能早于 1900-01-01" in response.content.decode()
    assert Visit.objects.count() == before


def test_a_visit_before_the_unit_was_founded_is_refused(officer_client):
    unit = Organization.objects.get(name=UNIT)
    unit.founded_on = datetime.date(2015, 6, 1)
    unit.save()
    before = Visit.objects.count()
    response = _post(officer_client, visited_on="2015-05-31")
    assert "成立（2015-06-01）之前" in response.content.decode()
    assert Visit.objects.count() == before
    assert _post(officer_client, visited_on="2015-06-01").status_code == 302


def test_free_text_of_the_maximum_length_is_accepted(officer_client):
    assert _post(officer_client, findings="情" * 5000).status_code == 302
