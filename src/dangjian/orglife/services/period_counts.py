"""Counted meetings per (party organization, kind, year) — ``MeetingCount``: the months held as
bits and how many — and the most present at one meeting per (party organization, year) —
``PresentPeak`` — kept in step with the meetings: ``recount`` is called for the
organizations a write touched (by ``journal.meetings_changed``, which every meeting writer
calls), ``rebuild`` recomputes every row and reports the drift it repaired
(``dangjian recount_meetings``).

Each table is one grouped statement over the meetings written by the database (``INSERT …
SELECT``): nothing comes back to Python but the rebuild's comparison."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from dangjian.core import latest, touch
from dangjian.orglife.models import Meeting, MeetingCount, PresentPeak
from dangjian.rulebook.periods import sql_month_index

CHUNK = 500


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


def peaks(where: str) -> str:
    """The rows ``PresentPeak`` should hold for the meetings matching ``where``: each year's
    most present at one held meeting of the kinds compared with the branch's members."""
    mt = Meeting._meta.db_table
    year = f"({sql_month_index('held_on')} / 12)"
    excluded = ", ".join(f"'{kind.value}'" for kind in PresentPeak.PEAK_EXCLUDED_KINDS)
    return (
        f"SELECT party_organization_id, {year}, MAX(present_count) FROM {mt} "  # noqa: S608
        f"WHERE status = '{Meeting.Status.HELD.value}' AND kind NOT IN ({excluded}) "
        f"AND present_count > 0 AND {where} GROUP BY party_organization_id, {year}"
    )


# Each maintained table: its model, its key's columns, its values' columns and the statement
# of its rows (in that column order) for a condition.
TABLES = (
    (MeetingCount, ("party_organization_id", "kind", "year"), ("months", "held"), grouped),
    (PresentPeak, ("party_organization_id", "year"), ("most",), peaks),
)


def recount(party_organization_ids: Iterable[int]) -> None:
    """Recompute the rows of these party organizations from their meetings."""
    ids = sorted({int(pk) for pk in party_organization_ids if pk})
    with connection.cursor() as cursor:
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            where = f"party_organization_id IN ({marks})"
            for model, key, values, rows in TABLES:
                table, columns = model._meta.db_table, ", ".join(key + values)
                cursor.execute(f"DELETE FROM {table} WHERE {where}", chunk)  # noqa: S608
                cursor.execute(f"INSERT INTO {table} ({columns}) {rows(where)}", chunk)  # noqa: S608


def fill(cursor) -> None:
    """Every row from the meetings, into empty tables."""
    for model, key, values, rows in TABLES:
        table, columns = model._meta.db_table, ", ".join(key + values)
        cursor.execute(f"INSERT INTO {table} ({columns}) {rows('1 = 1')}")  # noqa: S608


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Every row of both tables recomputed; returns the drift found (rows missing, extra,
    wrong, summed over the tables) — zero when every writer kept them."""
    found = {"missing": 0, "extra": 0, "wrong": 0, "rows": 0}
    for model, key, values, rows in TABLES:
        width = len(key)
        with connection.cursor() as cursor:
            cursor.execute(rows("1 = 1"))
            truth = {tuple(r[:width]): tuple(r[width:]) for r in cursor.fetchall()}
        stored = {
            tuple(r[:width]): tuple(r[width:])
            for r in model.objects.values_list(*key, *values).iterator(chunk_size=10000)
        }
        for name, n in latest.drift(truth, stored).items():
            found[name] += n
    if found["missing"] or found["extra"] or found["wrong"]:
        with connection.cursor() as cursor:
            for model, *_rest in TABLES:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
            fill(cursor)
        touch.everything()  # the rules read these counts: judge everything again
    return found
