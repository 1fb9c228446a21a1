"""What the integrity rules share (``integrity``: the copied minutes, the late records, the
reused photos; ``attendance``: the impossible attendance): the meetings of a rule's window, and
how a finding about one meeting is made and names the meeting.

Each such finding is about one meeting, its subject the meeting's branch; the meetings read are
those held in the rule's ``lookback_days`` before the "as of" day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import F

from dangjian.core.sql import chunks
from dangjian.orglife.models import Meeting
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate

KIND_ZH = {
    "general_meeting": "支部党员大会",
    "committee_meeting": "支部委员会会议",
    "group_meeting": "党小组会",
    "party_lesson": "党课",
    "theme_day": "主题党日",
    "life_meeting": "组织生活会",
    "democratic_review": "民主评议党员",
    "heart_to_heart": "谈心谈话",
    "study": "党员活动或学习",
    "other": "其他会议",
}


def window(ctx) -> tuple[datetime.date, datetime.date]:
    day = ctx.as_of
    return day - datetime.timedelta(days=int(ctx.params["lookback_days"])), day


def meetings(ctx):
    start, end = window(ctx)
    return Meeting.objects.filter(
        party_organization__federation_id__in=ctx.federation_ids,
        status=Meeting.Status.HELD,
        held_on__gte=start,
        held_on__lte=end,
    )


def of_window(ctx, ids: Iterable[int], min_chars: int = 0) -> set[int]:
    """Of the meetings ``ids``, those ``meetings`` holds (with minutes of at least
    ``min_chars`` characters) — read by id and checked here: given the window's conditions,
    SQLite walks the window's meetings branch by branch to find a few hundred ids."""
    start, end = window(ctx)
    federations = set(ctx.federation_ids)
    found: set[int] = set()
    for chunk in chunks(sorted(set(ids)), 500):
        rows = Meeting.objects.filter(pk__in=chunk).values_list(
            "pk", "status", "held_on", "minutes_chars", "party_organization__federation_id"
        )
        found.update(
            pk
            for pk, status, day, chars, federation in rows
            if status == Meeting.Status.HELD
            and start <= day <= end
            and chars >= min_chars
            and federation in federations
        )
    return found


def judged(ctx):
    """The window's meetings whose findings this evaluation judges: of the branches
    ``ctx.only`` in an incremental run."""
    judged = meetings(ctx)
    if ctx.only is not None:
        judged = judged.filter(party_organization_id__in=sorted(ctx.only))
    return judged


def describe(rows: dict[int, dict], pk: int) -> str:
    """“2026-11-04 主题党日（某某党支部）” — a meeting as the evidence names it."""
    m = rows[pk]
    return f"{base.fmt(m['held_on'])} {KIND_ZH.get(m['kind'], m['kind'])}（{m['po_name']}）"


def meeting_rows(ids: Iterable[int]) -> dict[int, dict]:
    result: dict[int, dict] = {}
    for chunk in chunks(sorted(set(ids)), 500):
        for row in Meeting.objects.filter(pk__in=chunk).values(
            "pk",
            "held_on",
            "kind",
            "party_organization_id",
            "party_organization__federation_id",
            po_name=F("party_organization__name"),
        ):
            result[row["pk"]] = dict(row)
    return result


def candidate(m: dict, explanation: str, evidence: dict, facts: dict) -> Candidate:
    return Candidate(
        federation_id=m["party_organization__federation_id"],
        party_organization_id=m["party_organization_id"],
        period_start=m["held_on"],
        period_end=m["held_on"],
        period_key=f"meeting:{m['pk']}",
        explanation=explanation,
        evidence=evidence,
        facts=facts,
    )
