"""``core.sql.chunks_of_rows``: a values_list read a chunk at a time from a server-side cursor
(on PostgreSQL a named one), every row once, in the query's order — also while another such
read is open on the same connection (each cursor has its own name)."""

import pytest

from dangjian.core.sql import chunks_of_rows
from dangjian.registry.models import Federation

pytestmark = pytest.mark.django_db


def test_two_reads_open_at_once_each_give_every_row_in_order():
    made = [
        Federation.objects.create(
            name=f"第{i}联合会", short_name=f"第{i}网联", letter_prefix="第", level="city"
        ).pk
        for i in range(7)
    ]
    ids = Federation.objects.filter(pk__in=made).order_by("pk").values_list("pk")
    outer, inner = [], []
    for chunk in chunks_of_rows(ids, size=3):
        outer.append([pk for (pk,) in chunk])
        if not inner:
            inner = [[pk for (pk,) in part] for part in chunks_of_rows(ids, size=2)]
    assert outer == [made[0:3], made[3:6], made[6:7]]
    assert inner == [made[0:2], made[2:4], made[4:6], made[6:7]]
