"""The import's fast paths give exactly what the plain code gives: column-by-column parsing with
memoised cells, the C-speed blank/text tests. (The bulk encryption and blind index are
``core.crypto``'s: tests/core/test_crypto_many.py.)"""

import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.core import bulk
from dangjian.ledgers import cells, engine, specs

from .conftest import make_id, make_uscc

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
messy_text = st.text(
    alphabet=st.sampled_from(list("张三 a1\t\n\r\u3000\u00a0\u200b\ufeff\u2028\x85-ｘＸ")),
    max_size=8,
)


@given(st.one_of(messy_text, st.text(max_size=6)))
@settings(max_examples=300)
def test_text_fast_paths_equal_the_regular_expression(value):
    assert cells.is_blank(value) == (not _SPACES.sub("", value))
    assert cells.text(value) == _SPACES.sub(" ", value).strip()
    assert cells.compact(value) == _SPACES.sub("", _SPACES.sub(" ", value).strip())


def test_blank_cells():
    for value in ["", " ", "\u3000", "\u200b", "\ufeff\n", None]:
        assert cells.is_blank(value)
    for value in ["a", " a", "\u200bx", 0, 0.0, False, datetime.date(2020, 1, 1)]:
        assert not cells.is_blank(value)


def messy_rows():
    """Raw rows as calamine and csv give them: strings, floats, ints, bools, dates, short rows."""
    good = make_id(11)
    return [
        ["张三", "男", good, "13800138000", "2015-07-01", make_uscc(1), 1, "是", 3],
        [" 李 四\n", "女", good.lower(), 13800138000.0, 42186.0, make_uscc(1), True, 1.0, 3.0],
        ["", "M", "110105199003072", "", "2015年7月1日", "bad", 1.0, True, True],
        ["王五", "男", 1.10105e17, "+86 138", datetime.datetime(2015, 7, 1), "", "", "否", "3人"],
        ["赵六", "未知", "11010519900307001Y"],  # a short row (csv)
        ["钱七", "", make_id(22), "", "", make_uscc(2), "", "√", ""],
        ["孙八", "男", make_id(33), "", "2099-01-01", make_uscc(2), 0, 0, 0.5],
    ]


LEDGER = specs.Ledger(
    "t",
    "测试",
    (
        specs.Column("name", "姓名", "name", True),
        specs.LEDGERS["members"].column("gender"),
        specs.Column("id_number", "公民身份号码", "id_number", True),
        specs.Column("phone", "联系电话", "phone"),
        specs.Column("joined", "入党日期", "date", True),
        specs.Column("uscc", "统一社会信用代码", "uscc"),
        specs.Column("flag", "是否", "bool"),
        specs.Column("flag2", "是否2", "bool"),
        specs.Column("count", "人数", "int"),
    ),
)


@pytest.mark.parametrize("chunk", [1, 3, 100])
def test_parse_chunk_equals_parse_row(chunk):
    plan = engine.parsers_for(LEDGER, dict(enumerate(c.key for c in LEDGER.columns)))
    rows = [(n, v) for n, v in enumerate(messy_rows() * 3, start=2)]
    expected = [engine.parse_row(plan, v) for _n, v in rows]
    got = []
    for start in range(0, len(rows), chunk):
        got += engine.parse_chunk(plan, rows[start : start + chunk])
    assert [(r.record, r.errors) for r in got] == expected
    assert [r.number for r in got] == [n for n, _v in rows]
    # numbers are memoised with their type: True is a yes, but not a whole number
    by_number = {r.number: r for r in got}
    assert by_number[3].record["flag"] is True and by_number[3].record["count"] == 3
    assert by_number[4].errors["count"] and by_number[4].record["flag2"] is True
    assert "id_number" in by_number[5].errors and "joined" in by_number[4].record


def test_parse_row_reports_cells_like_before():
    plan = engine.parsers_for(LEDGER, {0: "name", 2: "id_number", 4: "joined"})
    record, errors = engine.parse_row(plan, ["", "", "11010519491231002x", "", "去年"])
    assert record == {"id_number": "11010519491231002X"}
    assert set(errors) == {"name", "joined"} and "必填" in errors["name"]


@pytest.mark.django_db
def test_roomy_cache_is_sqlite_only_and_restored():
    from django.db import connection

    if connection.vendor != "sqlite":
        with bulk.roomy_cache():
            pass
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        with bulk.roomy_cache(8):
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -8 * 1024
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before


def test_fewer_collections_restores_the_thresholds_also_when_nested():
    import gc

    before = gc.get_threshold()
    with engine.fewer_collections(60_000):
        assert gc.get_threshold()[0] == max(60_000, before[0])
        with engine.fewer_collections(60_000):
            assert gc.get_threshold()[0] == max(60_000, before[0])
        assert gc.get_threshold()[0] == max(60_000, before[0])  # the outer import still runs
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), engine.fewer_collections():
        raise RuntimeError
    assert gc.get_threshold() == before


def test_bulk_writes_name_a_column_that_is_not_one():
    # Only concrete fields have a column; a reverse relation is refused by name.
    from dangjian.party.models import PartyMember

    fields, columns = bulk._fields(PartyMember, ["name"])
    assert columns == ["name"] and fields[0].name == "name"
    with pytest.raises(ValueError, match="employments"):
        bulk._fields(PartyMember, ["employments"])
