"""Visit and grade registers read newest first, page by page, with nothing lost between pages."""

import datetime

import pytest
from django.urls import reverse

from dangjian.core.pagination import keyset_page
from dangjian.inspections.models import Visit
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_newest_first_pages_cover_every_row_once(demo_federation):
    unit = Organization.objects.get(name="天津市大数据协会")
    day = datetime.date(2021, 1, 1)
    for i in range(7):  # two visits on some days: the id breaks the tie
        Visit.objects.create(
            organization=unit, visited_on=day + datetime.timedelta(days=i // 2), visitors="甲"
        )
    qs = Visit.objects.filter(organization=unit, visited_on__gte=day)
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, cursor, size=3, key="visited_on", newest_first=True)
        seen += [v.pk for v in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = list(qs.order_by("-visited_on", "-pk").values_list("pk", flat=True))
    assert seen == expected and len(set(seen)) == qs.count() >= 7


def test_the_visit_register_has_a_next_page(officer_client, demo_federation):
    unit = Organization.objects.get(name="天津市大数据协会")
    for i in range(55):
        Visit.objects.create(
            organization=unit,
            visited_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
            visitors="翻页测试",
        )
    first = officer_client.get(reverse("inspections:visit_list")).content.decode()
    assert "下一页" in first and "after=" in first
    cursor = first.split("after=")[1].split('"')[0].replace("&amp;", "&")
    second = officer_client.get(reverse("inspections:visit_list") + "?after=" + cursor)
    assert "2020-01-01" in second.content.decode()  # the oldest is on the second page
    assert "2020-01-01" not in first
