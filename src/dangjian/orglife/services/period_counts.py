"""Counted meetings per (party organization, kind, month) — ``MeetingCount`` — kept in step
with the meetings: ``recount`` is called for the organizations a write touched (by
``journal.meetings_changed``, which every meeting writer calls), ``rebuild`` recomputes every
row and reports the drift it repaired (``dangjian recount_meetings``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from dangjian.core import touch
from dangjian.orglife.models import Meeting, MeetingCount
from dangjian.rulebook.periods import sql_month_index

CHUNK = 500


def _grouped(where: str) -> str:
    mt = Meeting._meta.db_table
    month = sql_month_index("held_on")
    return (
        f"SELECT party_organization_id, kind, {month} AS month, COUNT(*) FROM {mt} "  # noqa: S608
        f"WHERE counts AND {where} GROUP BY party_organization_id, kind, month"
    )


def recount(party_organization_ids: Iterable[int]) -> None:
    """Recompute the rows of these party organizations from their meetings."""
    ids = sorted({int(pk) for pk in party_organization_ids if pk})
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        MeetingCount.objects.filter(party_organization_id__in=chunk).delete()
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(_grouped(f"party_organization_id IN ({marks})"), chunk)
            rows = cursor.fetchall()
        MeetingCount.objects.bulk_create(
            (
                MeetingCount(party_organization_id=po, kind=kind, month=month, held=n)
                for po, kind, month, n in rows
            ),
            batch_size=2000,
        )


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Every row recomputed; returns the drift found (rows missing, extra, wrong) — zero when
    every writer kept them."""
    with connection.cursor() as cursor:
        cursor.execute(_grouped("1 = 1"))
        truth = {(po, kind, month): n for po, kind, month, n in cursor.fetchall()}
    stored = {
        (po, kind, month): n
        for po, kind, month, n in MeetingCount.objects.values_list(
            "party_organization_id", "kind", "month", "held"
        )
    }
    drift = {
        "missing": sum(1 for k in truth if k not in stored),
        "extra": sum(1 for k in stored if k not in truth),
        "wrong": sum(1 for k, n in truth.items() if k in stored and stored[k] != n),
        "rows": len(truth),
    }
    if drift["missing"] or drift["extra"] or drift["wrong"]:
        MeetingCount.objects.all().delete()
        MeetingCount.objects.bulk_create(
            (
                MeetingCount(party_organization_id=po, kind=kind, month=month, held=n)
                for (po, kind, month), n in truth.items()
            ),
            batch_size=5000,
        )
        touch.everything()  # the rules read these counts: judge everything again
    return drift
