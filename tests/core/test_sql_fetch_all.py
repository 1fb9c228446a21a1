"""``core.sql.fetch_all``: planner settings hold for its statement alone, even inside a
caller's transaction (``set_config(…, true)`` would otherwise last until that one ends)."""

import pytest
from django.db import connection, transaction

from dangjian.core.sql import fetch_all

pytestmark = pytest.mark.django_db
PLANNER = {"random_page_cost": "1.1", "work_mem": "64MB"}


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('random_page_cost'), current_setting('work_mem')")
        return cursor.fetchone()


def test_the_settings_hold_for_the_statement_alone():
    if connection.vendor != "postgresql":
        # SQLite has no planner settings: the statement runs as it is.
        assert fetch_all("SELECT 1 + %s", [1], PLANNER) == [(2,)]
        return
    with transaction.atomic():
        before = _settings()
        assert before != ("1.1", "64MB")
        sql = "SELECT current_setting('random_page_cost'), current_setting('work_mem'), %s"
        assert fetch_all(sql, [7], PLANNER) == [("1.1", "64MB", 7)]
        assert _settings() == before  # the rest of the caller's transaction plans as before
    assert _settings() == before
