"""``core.bulk.writes_behind``: the inserts run in a second thread (SQLite and PostgreSQL),
yet every query after them sees their rows, a failed insert raises (and nothing after it is
written), and the transaction stays one."""

import pytest
from django.contrib.auth.models import Group  # any table: an id and a name
from django.db import transaction

from dangjian.core import bulk

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = ["id", "name"]


def rows(first: int, count: int) -> list[tuple]:
    return [(pk, f"单位{pk}") for pk in range(first, first + count)]


def test_queries_after_the_inserts_see_their_rows():
    with transaction.atomic(), bulk.writes_behind():
        bulk.insert(Group, COLUMNS, rows(1, 3000))
        assert Group.objects.count() == 3000  # waits for the insert
        bulk.insert(Group, COLUMNS, rows(3001, 500))
        bulk.insert(Group, COLUMNS, rows(3501, 500))
        assert Group.objects.filter(pk__gt=3000).count() == 1000
        bulk.insert(Group, COLUMNS, rows(4001, 10))
    # Leaving the block waits too; the commit comes after the last insert.
    assert Group.objects.count() == 4010
    assert Group.objects.get(pk=4010).name == "单位4010"


def test_a_failed_insert_raises_and_nothing_after_it_is_written():
    with (
        pytest.raises(Exception, match="UNIQUE|unique|duplicate"),
        transaction.atomic(),
        bulk.writes_behind(),
    ):
        bulk.insert(Group, COLUMNS, rows(1, 10))
        bulk.insert(Group, COLUMNS, rows(5, 10))  # ids 5–10 twice
        bulk.insert(Group, COLUMNS, rows(100, 10))
        Group.objects.count()  # the first statement through Django raises
    assert Group.objects.count() == 0  # rolled back, all of it


def test_a_failed_insert_raises_on_leaving_the_block():
    with (
        pytest.raises(Exception, match="UNIQUE|unique|duplicate"),
        transaction.atomic(),
        bulk.writes_behind(),
    ):
        bulk.insert(Group, COLUMNS, rows(1, 10))
        bulk.insert(Group, COLUMNS, rows(1, 10))
    assert Group.objects.count() == 0


def test_an_error_of_the_caller_leaves_nothing_written():
    with pytest.raises(ZeroDivisionError), transaction.atomic(), bulk.writes_behind():
        bulk.insert(Group, COLUMNS, rows(1, 2000))
        1 / 0  # noqa: B018
    assert Group.objects.count() == 0


def test_nested_it_changes_nothing():
    with transaction.atomic(), bulk.writes_behind():
        writers = dict(bulk._writers)
        assert len(writers) == 1  # SQLite and PostgreSQL alike
        with bulk.writes_behind():
            assert bulk._writers == writers  # the outer one's writer, not a second
            bulk.insert(Group, COLUMNS, rows(1, 5))
        assert Group.objects.count() == 5
    assert bulk._writers == {}


def test_threads_take_turns_more_often_while_a_writer_runs_and_as_before_after():
    import sys
    import threading

    before = sys.getswitchinterval()
    inside = bulk.WRITER_SWITCH_INTERVAL
    with transaction.atomic(), bulk.writes_behind():
        assert sys.getswitchinterval() == pytest.approx(inside)
        # Another thread's writer on its own connection: the last one out restores it.
        entered, leave = threading.Event(), threading.Event()

        def other():
            from django.db import connections

            try:
                with bulk.writes_behind():
                    entered.set()
                    leave.wait(5)
            finally:
                connections.close_all()

        thread = threading.Thread(target=other)
        thread.start()
        assert entered.wait(5)
        bulk.insert(Group, COLUMNS, rows(1, 5))
    assert sys.getswitchinterval() == pytest.approx(inside)  # the other one still runs
    leave.set()
    thread.join(5)
    assert sys.getswitchinterval() == pytest.approx(before)
    assert Group.objects.count() == 5
