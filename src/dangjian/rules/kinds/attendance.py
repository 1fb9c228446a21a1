"""Attendance that cannot have happened (issue 12, point 6; ``attendance_impossible``): more
present than the branch had members that day; a member present at two meetings at overlapping
times in different places; present before joining the party, after leaving the ledger, or
counted in a branch their 组织关系 was not in that day; a QR sign-in outside the meeting's
window. A finding with evidence for a person to judge — never a penalty, never a change to the
record — about one meeting (``records``: the window's meetings, the finding's shape).
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
)
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.core.sql import chunks
from dangjian.orglife import signin
from dangjian.orglife.models import Attendance, PresentPeak
from dangjian.orglife.queries import COUNTED_ROLES
from dangjian.party import queries as party_queries
from dangjian.party.models import RelationPeriod
from dangjian.rules.kinds import base, records
from dangjian.rules.registry import MEETINGS, Candidate, kind

# Up to this many attendance rows ever recorded (read from the last id), the window's
# attendees are found from the attendance rows: few rows, few probes. SQLite, without
# statistics, otherwise lists the window's meetings and probes each one's attendees (2.4 s at
# 100,000 units for the demo's 53 attendance rows); with attendance recorded for most meetings
# the table holds many times the window's meetings, and listing the window is the cheaper side.
FEW_ATTENDANCES = 200_000


def _in_window(attendance, window):
    """Of ``attendance``, the rows of the meetings ``window`` holds: with few attendance rows,
    each one's meeting looked up in the window by its id; with many, the window's meetings
    listed (from their covering index), then their attendees."""
    last = Attendance.objects.order_by("-pk").values_list("pk", flat=True).first()
    if (last or 0) <= FEW_ATTENDANCES:
        return attendance.filter(Exists(window.filter(pk=OuterRef("meeting_id"))))
    return attendance.filter(meeting__in=window)


def _overlaps(ctx, present) -> dict[int, list[str]]:
    """A member present at two meetings of the same day whose times overlap, held in different
    places: {meeting id: [conditions]} for both meetings."""
    other = present.filter(
        member=OuterRef("member"),
        meeting__held_on=OuterRef("meeting__held_on"),
        meeting__starts_at__lt=OuterRef("meeting__ends_at"),
        meeting__ends_at__gt=OuterRef("meeting__starts_at"),
    ).exclude(meeting=OuterRef("meeting"))
    other = other.exclude(meeting__place=OuterRef("meeting__place"))
    # The place is tested on the attendees' meetings: in the window's list, SQLite visited
    # every meeting's row for it (1.8 million at 100,000 units).
    rows = _in_window(present.filter(Exists(other)), records.meetings(ctx)).exclude(
        meeting__place=""
    )
    if ctx.only is not None:
        # Each finding names the places of the member's other meetings found: every one of
        # the window's for the members present at the meetings judged (read first, as ids:
        # in one statement SQLite walked the window's meetings).
        judged = list(records.judged(ctx).exclude(place="").values_list("pk", flat=True))
        members: set[int] = set()
        for chunk in chunks(judged, 500):
            members.update(present.filter(meeting_id__in=chunk).values_list("member_id", flat=True))
        if not members:
            return {}
        rows = rows.filter(member_id__in=sorted(members))
    rows = rows.values_list("member_id", "member__name", "meeting_id", "meeting__place").order_by(
        "member_id", "meeting_id"
    )
    by_member: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for member_id, name, meeting_id, place in rows:
        by_member[member_id].append((name, meeting_id, place))
    found: dict[int, list[str]] = defaultdict(list)
    for items in by_member.values():
        for name, meeting_id, place in items:
            elsewhere = "、".join(
                sorted({p for _, m, p in items if m != meeting_id and p != place})
            )
            found[meeting_id].append(f"{name}同一时间段在另一地点（{elsewhere}）的会议上也记为出席")
    return found


def _per_attendee(ctx, present) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The conditions judged on each attendee present at the meetings judged, in one walk of
    the window's meetings (on SQLite each condition walked them on its own: 2.4 s a walk at
    100,000 units): ({meeting id: [texts]} present outside the ledger — before joining the
    party, after leaving the ledger, or counted as a member of a branch their relation was
    not in that day (guests from other branches are not counted) —, {meeting id: [texts]} a
    QR sign-in outside the meeting's window), each meeting's texts in that order."""
    held_on = F("meeting__held_on")
    before = Q(member__joined_party_on__gt=held_on)
    after = Q(member__left_on__lt=held_on)
    held_here = party_queries.relations_on_ref("meeting__held_on").filter(
        member=OuterRef("member"), party_organization=OuterRef("meeting__party_organization")
    )
    elsewhere = (
        Q(role__in=[r for r in COUNTED_ROLES if r != Attendance.Role.COMMITTEE])
        & Q(member__joined_party_on__lte=held_on)
        & ~after
        & ~Exists(held_here)
    )
    qr = Q(method=Attendance.Method.QR, signed_at__isnull=False)
    flags = {
        name: ExpressionWrapper(cond, output_field=BooleanField())
        for name, cond in (
            ("before", before),
            ("after", after),
            ("elsewhere", elsewhere),
            ("qr", qr),
        )
    }
    rows = (
        _in_window(present, records.judged(ctx))
        .filter(before | after | elsewhere | qr)
        .annotate(**flags)
        .values_list(
            "pk",
            "meeting_id",
            "member__name",
            "member__joined_party_on",
            "member__left_on",
            *flags,
        )
    )
    texts: dict[str, dict[int, list[str]]] = {
        name: defaultdict(list) for name in ("before", "after", "elsewhere")
    }
    signed: list[int] = []
    for pk, meeting_id, name, joined, left, is_before, is_after, is_elsewhere, is_qr in rows:
        if is_before:
            texts["before"][meeting_id].append(
                f"{name}于 {base.fmt(joined)} 才入党，会前尚不是党员"
            )
        if is_after:
            texts["after"][meeting_id].append(f"{name}已于 {base.fmt(left)} 离开党员台账")
        if is_elsewhere:
            texts["elsewhere"][meeting_id].append(
                f"{name}当天的组织关系不在本党组织，却按本支部党员计入出席"
            )
        if is_qr:
            signed.append(pk)
    outside: dict[int, list[str]] = defaultdict(list)
    for by_meeting in texts.values():
        for meeting_id, found in by_meeting.items():
            outside[meeting_id] += found
    return outside, _qr_outside_window(present, sorted(signed))


def _more_than_members(ctx) -> dict[int, list[str]]:
    """实到 more than the members (full and probationary) holding their relation in the
    branch that day — the record counts people the branch did not have."""
    meetings = (
        records.judged(ctx)
        .filter(present_count__gt=0)
        .exclude(kind__in=PresentPeak.PEAK_EXCLUDED_KINDS)
        .filter(party_organization__kind__in=base.BRANCH_KINDS)
    )
    # Bounds serve first: the members whose relation in the branch spans the whole window,
    # having joined before it, count on every day of it; the most present at one meeting of
    # each year the window touches (``PresentPeak``, kept by the meeting writers) is at least
    # the window's most. A branch whose most present is not above its lower bound is not
    # counted per meeting (the same findings: only branches that can have one are counted
    # exactly).
    start, end = records.window(ctx)
    # (Written as an anti-join against the members who joined after the window's start, the
    # same count took as long on PostgreSQL and 25 % longer on SQLite: 2026-12-07.)
    always_rows = party_queries.relations_on(start).filter(
        valid_on_q(end),
        member__joined_party_on__lte=start,
        party_organization__federation_id__in=ctx.federation_ids,
    )
    if ctx.only is not None:
        always_rows = always_rows.filter(party_organization_id__in=sorted(ctx.only))
    always = dict(
        always_rows.order_by()
        .values("party_organization")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("party_organization", "n")
    )
    peaks = PresentPeak.objects.filter(
        year__gte=start.year,
        year__lte=end.year,
        party_organization__federation_id__in=ctx.federation_ids,
        party_organization__kind__in=base.BRANCH_KINDS,
    )
    if ctx.only is not None:
        peaks = peaks.filter(party_organization_id__in=sorted(ctx.only))
    most = (
        peaks.order_by()
        .values("party_organization")
        .annotate(most=Max("most"))
        .values_list("party_organization", "most")
    )
    maybe = sorted(po for po, present in most if present > always.get(po, 0))
    # Those branches' meetings are counted exactly, each on its own day, from the branch's
    # relation periods read once (a correlated count per meeting was 1 s for 45,000 meetings
    # of 1,500 branches at 100,000 units, PostgreSQL, finding none).
    found: dict[int, list[str]] = {}
    for chunk in chunks(maybe, 500):
        spans = _member_days(chunk, start, end)
        rows = (
            meetings.filter(party_organization_id__in=chunk)
            .order_by()
            .values_list("pk", "party_organization_id", "held_on", "present_count")
        )
        for pk, po, day, present in rows:
            members = spans[po].on(day) if po in spans else 0
            if present > members:
                found[pk] = [
                    f"记录实到 {present} 人，而当天组织关系在本支部的党员只有 {members} 名"
                ]
    return dict(sorted(found.items()))


class _Days:
    """The days each member of a branch counted as one — from the later of their relation
    period's start and their joining the party to the period's end — as two sorted lists:
    on a day, the spans begun by then less those ended before it."""

    def __init__(self, spans: list[tuple[datetime.date, datetime.date]]):
        self.firsts = sorted(first for first, _ in spans)
        self.lasts = sorted(last for _, last in spans)

    def on(self, day: datetime.date) -> int:
        return bisect_right(self.firsts, day) - bisect_left(self.lasts, day)


def _member_days(
    party_orgs: list[int], start: datetime.date, end: datetime.date
) -> dict[int, _Days]:
    """{party organization: its members' days} over the window [start, end], from the
    relation periods held there (full and probationary members, from the day they joined).
    A member's periods that overlap (the ledger never records them so, but a day must count
    a member once) are merged into one span."""
    rows = (
        RelationPeriod.objects.filter(party_organization_id__in=party_orgs, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("party_organization_id", "member_id", "valid_from")
        .values_list(
            "party_organization_id",
            "member_id",
            "valid_from",
            "valid_to",
            "member__joined_party_on",
        )
    )
    spans: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    last_key = None
    for po, member, valid_from, valid_to, joined in rows:
        first, last = max(valid_from, joined), valid_to or datetime.date.max
        if first > last:
            continue  # joined after the period ended: never a member here
        mine = spans[po]
        if (po, member) == last_key and mine[-1][1] >= first:
            mine[-1] = (mine[-1][0], max(mine[-1][1], last))  # overlapping: one span
            continue
        mine.append((first, last))
        last_key = (po, member)
    return {po: _Days(s) for po, s in spans.items()}


def _qr_outside_window(present, ids: list[int]) -> dict[int, list[str]]:
    """Of the QR sign-ins ``ids`` (``_per_attendee``), those outside the meeting's window."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        present.filter(pk__in=chunk)
        .select_related("meeting__party_organization__federation", "member")
        .order_by("meeting_id", "id")
        for chunk in chunks(ids, 500)
    )
    windows: dict[int, tuple | None] = {}
    for row in (row for part in rows for row in part):
        meeting = row.meeting
        if meeting.pk not in windows:
            windows[meeting.pk] = signin.window(meeting)
        window = windows[meeting.pk]
        if window is None:
            continue
        opens, closes = window
        if not opens <= row.signed_at <= closes:
            at = timezone.localtime(row.signed_at)
            found[meeting.pk].append(
                f"{row.member.name}扫码签到时间为 {at:%Y-%m-%d %H:%M}，"
                f"不在会议签到时段（{timezone.localtime(opens):%H:%M}—"
                f"{timezone.localtime(closes):%H:%M}）内"
            )
    return found


def attendance_reach(ctx, only: frozenset[int]) -> set[int]:
    """A member present at two meetings at overlapping times names both: the branches of the
    window's meetings (held, with a place) where a member present at a meeting of ``only`` —
    of any day or status: one moved or cancelled ends the overlaps it had — was present too.
    (A change of attendance is not journaled: it evaluates the rule whole.)"""
    present = Attendance.objects.filter(status=Attendance.Status.PRESENT)
    theirs = set(
        present.filter(meeting__party_organization_id__in=sorted(only)).values_list(
            "member_id", flat=True
        )
    )
    # As ids, step by step: in one statement SQLite walked the window's meetings.
    meetings: set[int] = set()
    for chunk in chunks(sorted(theirs), 500):
        meetings.update(present.filter(member_id__in=chunk).values_list("meeting_id", flat=True))
    reached: set[int] = set()
    for chunk in chunks(sorted(meetings), 500):
        reached.update(
            records.meetings(ctx)
            .exclude(place="")
            .filter(pk__in=chunk)
            .values_list("party_organization_id", flat=True)
        )
    return reached


@kind(
    "attendance_impossible",
    reads=(MEETINGS,),
    subject="party_organization",
    reach=attendance_reach,
    # Judged whole, the lower bound reads every relation period spanning the window (900,000
    # at 100,000 units) joined to its member: 0.8 s on PostgreSQL, 1.1–1.2 s on SQLite (Intel
    # Xeon, 2 vCPU, 2026-12-07); the most present per branch is read from the yearly peaks
    # (0.13 s on PostgreSQL, against 0.45 s for the window's 1.8 million meetings from their
    # covering index, which it replaced; ~0.02 s either way on SQLite). The rule in all:
    # 1.2 s on PostgreSQL (1.6 s before the peaks), 1.8 s on SQLite (10 s and 2.2–3 s while
    # the attendees' conditions and the overlaps walked the window's meetings too).
    heavy=True,
)
def attendance_impossible(ctx) -> Iterator[Candidate]:
    """Each condition is a meeting's own (its branch's members that day, its attendees'
    records, its sign-in window) but for overlapping meetings, which name another branch's
    meeting: ``attendance_reach`` judges that branch too."""
    present = Attendance.objects.filter(status=Attendance.Status.PRESENT)
    outside_ledger, qr_outside_window = _per_attendee(ctx, present)
    found: dict[int, list[dict]] = defaultdict(list)
    for code, part in (
        ("more_than_members", _more_than_members(ctx)),
        ("overlapping", _overlaps(ctx, present)),
        ("outside_ledger", outside_ledger),
        ("qr_outside_window", qr_outside_window),
    ):
        for meeting_id, texts in part.items():
            found[meeting_id] += [{"code": code, "text": t} for t in texts]
    if not found:
        return
    rows = records.meeting_rows(found)
    for pk in sorted(found):
        if ctx.only is not None and rows[pk]["party_organization_id"] not in ctx.only:
            continue  # the other meeting of an overlap, in a branch not judged
        conditions = found[pk]
        yield records.candidate(
            rows[pk],
            explanation=(
                f"{records.describe(rows, pk)}的出席记录有 {len(conditions)} 处不可能的情形："
                + "；".join(c["text"] for c in conditions)
                + "。请核实出席记录（系统只提示，不作认定）。"
            ),
            evidence={"meeting": records.describe(rows, pk), "conditions": conditions},
            facts={"conditions": sorted(c["text"] for c in conditions)},
        )
