"""Counted meetings per (party organization, kind, year) — ``MeetingCount``: the months held as
bits and how many — kept in step with the meetings: ``recount`` is called for the
organizations a write touched (by ``journal.meetings_changed``, which every meeting writer
calls), ``rebuild`` recomputes every row and reports the drift it repaired
(``dangjian recount_meetings``).

Both are one grouped statement over the meetings written by the database (``INSERT …
SELECT``): nothing comes back to Python but the rebuild's comparison."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from dangjian.core import latest, touch
from dangjian.orglife.models import Meeting, MeetingCount
from dangjian.rulebook.periods import sql_month_index

CHUNK = 500
COLUMNS = "party_organization_id, kind, year, months, held"


def grouped(where: str) -> str:
    """The rows ``MeetingCount`` should hold for the counted meetings matching ``where``: the
    meetings grouped by month first, so each month is one bit and the bits' sum is their
    union (SQLite has no ``BIT_OR``)."""
    mt = Meeting._meta.db_table
    month = sql_month_index("held_on")
    return (
        # The month within its year without "%": the statement also runs with parameters.
        "SELECT po, kind, month / 12, CAST(SUM(1 << (month - month / 12 * 12)) AS INTEGER), "  # noqa: S608
        "CAST(SUM(n) AS INTEGER) FROM ("
        f"SELECT party_organization_id AS po, kind, {month} AS month, COUNT(*) AS n FROM {mt} "
        f"WHERE counts AND {where} GROUP BY party_organization_id, kind, month"
        ") g GROUP BY po, kind, month / 12"
    )


def recount(party_organization_ids: Iterable[int]) -> None:
    """Recompute the rows of these party organizations from their meetings."""
    ids = sorted({int(pk) for pk in party_organization_ids if pk})
    ct = MeetingCount._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {ct} WHERE party_organization_id IN ({marks})", chunk)  # noqa: S608
            where = f"party_organization_id IN ({marks})"
            cursor.execute(f"INSERT INTO {ct} ({COLUMNS}) {grouped(where)}", chunk)  # noqa: S608


def fill(cursor) -> None:
    """Every row from the meetings, into an empty table."""
    ct = MeetingCount._meta.db_table
    cursor.execute(f"INSERT INTO {ct} ({COLUMNS}) {grouped('1 = 1')}")  # noqa: S608


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Every row recomputed; returns the drift found (rows missing, extra, wrong) — zero when
    every writer kept them."""
    with connection.cursor() as cursor:
        cursor.execute(grouped("1 = 1"))
        truth = {(po, kind, year): (months, n) for po, kind, year, months, n in cursor.fetchall()}
    stored = {
        (po, kind, year): (months, n)
        for po, kind, year, months, n in MeetingCount.objects.values_list(
            "party_organization_id", "kind", "year", "months", "held"
        ).iterator(chunk_size=10000)
    }
    found = latest.drift(truth, stored)
    if found["missing"] or found["extra"] or found["wrong"]:
        MeetingCount.objects.all().delete()
        with connection.cursor() as cursor:
            fill(cursor)
        touch.everything()  # the rules read these counts: judge everything again
    return found
