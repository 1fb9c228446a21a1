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


def test_pages_with_joined_units_keep_order_filters_and_related_rows(demo_federation):
    """A page with ``select_related`` reads its ids, then its rows by id (core.pagination):
    the same rows in the same order, sorted by a joined field, each with its unit loaded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    units = list(Organization.objects.order_by("pk")[:3])
    for i, unit in enumerate(units):
        for j in range(3):
            Visit.objects.create(
                organization=unit, visited_on=datetime.date(2022, 1, 1 + i + j), visitors="乙"
            )
    # Filtered on the joined unit, ordered by the unit's name then the date: another unit's
    # visits of the same days never come in, whatever the ids pick.
    qs = Visit.objects.filter(visitors="乙", organization__in=units[:2]).select_related(
        "organization"
    )
    seen, cursor = [], None
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = keyset_page(qs, cursor, size=4, key=("organization__name", "visited_on"))
            names = [v.organization.name for v in page.rows]  # loaded with the page
        assert len(queries.captured_queries) == 2 and len(names) == len(page.rows)
        seen += [v.pk for v in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = list(
        qs.order_by("organization__name", "visited_on", "pk").values_list("pk", flat=True)
    )
    assert seen == expected and len(expected) == 6
