"""Queries per dashboard page: a fixed number, whatever the size of the federation (no query
per unit, branch or member), and few when the nightly snapshot is read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.dashboard.services import take_snapshots

from .conftest import DAY, D

pytestmark = pytest.mark.django_db
# Reading the snapshot: the session (read, and saved: the idle timeout), the user and their
# security row, role assignments, the federation, the snapshots; the page adds the menu's
# capability and the form's federation choices.
SNAPSHOT_BASELINE = {"/dashboard/": 12, "/dashboard/screen/": 9, "/dashboard/data/": 9}


def count(client, url) -> int:
    client.get(url, {"day": DAY.isoformat()})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"day": DAY.isoformat()}).status_code == 200
    return len(queries.captured_queries)


def test_live_queries_do_not_grow_with_the_federation(small):
    client = small.client(small.user())
    before = count(client, "/dashboard/")
    for i in range(4):
        unit = small.unit(f"加会单位{i}")
        po = small.branch(f"加会支部{i}", [unit])
        small.member(unit, born=D(1985, 1, 1), joined=D(2010, 1, 1), full=D(2011, 1, 1))
        small.theme_days(po, [(2025, 5)])
    assert count(client, "/dashboard/") == before


@pytest.mark.parametrize("url", sorted(SNAPSHOT_BASELINE))
def test_snapshot_pages_stay_within_their_baseline(small, url):
    take_snapshots(small.fed, DAY)
    client = small.client(small.user())
    n = count(client, url)
    assert n <= SNAPSHOT_BASELINE[url], n
