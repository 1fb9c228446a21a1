"""Records that cannot be faked quietly (issue 12, point 6): findings with evidence for a person
to judge — never a penalty, never a change to the record.

- ``minutes_copied``: minutes the same or nearly the same as another meeting's, in the branch
  or in another one (character shingles, MinHash and LSH: ``orglife.similarity``), with both
  meetings and the measured similarity;
- ``attendance_impossible``: more present than the branch had members that day; a member
  present at two meetings at overlapping times in different places; present before joining the
  party, after leaving the ledger, or counted in a branch their 组织关系 was not in that day; a
  QR sign-in outside the meeting's window;
- ``record_late``: a record written on the pages long after the meeting;
- ``photo_reused``: the same photo (by its perceptual hash) in the records of two meetings.

Each finding is about one meeting (the later one of a pair), its subject the meeting's branch;
the meetings read are those held in the rule's ``lookback_days`` before the "as of" day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.core.sql import chunks, chunks_of_rows, id_list
from dangjian.orglife import signin, similarity
from dangjian.orglife.models import Attendance, Meeting, MeetingAttachment, MinuteBand
from dangjian.orglife.queries import COUNTED_ROLES
from dangjian.party import queries as party_queries
from dangjian.rules.kinds import base
from dangjian.rules.registry import MEETINGS, MINUTES, Candidate, kind

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


def _window(ctx) -> tuple[datetime.date, datetime.date]:
    day = ctx.as_of
    return day - datetime.timedelta(days=int(ctx.params["lookback_days"])), day


def _meetings(ctx):
    start, end = _window(ctx)
    return Meeting.objects.filter(
        party_organization__federation_id__in=ctx.federation_ids,
        status=Meeting.Status.HELD,
        held_on__gte=start,
        held_on__lte=end,
    )


def _judged(ctx):
    """The window's meetings whose findings this evaluation judges: of the branches
    ``ctx.only`` in an incremental run."""
    meetings = _meetings(ctx)
    if ctx.only is not None:
        meetings = meetings.filter(party_organization_id__in=sorted(ctx.only))
    return meetings


def _describe(rows: dict[int, dict], pk: int) -> str:
    """“2026-11-04 主题党日（某某党支部）” — a meeting as the evidence names it."""
    m = rows[pk]
    return f"{base.fmt(m['held_on'])} {KIND_ZH.get(m['kind'], m['kind'])}（{m['po_name']}）"


def _meeting_rows(ids: Iterable[int]) -> dict[int, dict]:
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


def _candidate(m: dict, explanation: str, evidence: dict, facts: dict) -> Candidate:
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


def _later(rows: dict[int, dict], a: int, b: int) -> tuple[int, int]:
    """(earlier, later) of two meetings: by day, then by record number."""
    key_a, key_b = (rows[a]["held_on"], a), (rows[b]["held_on"], b)
    return (a, b) if key_a <= key_b else (b, a)


# -- near-duplicate minutes -----------------------------------------------------------------------


def _minutes_of(ids: list[int]) -> dict[int, str]:
    result: dict[int, str] = {}
    for chunk in chunks(ids, 500):
        result.update(Meeting.objects.filter(pk__in=chunk).values_list("pk", "minutes"))
    return result


def _signatures(ctx, k: int, min_chars: int) -> similarity.Table:
    """The signatures of the window's minutes of at least ``min_chars`` characters, in the
    compact form of ``similarity.Table`` (264 bytes a meeting, not the stored 1 KB): those
    stored with the meetings when their minutes were written (orglife's meeting services),
    read and taken a chunk at a time, and the others — none stored yet, or made with another
    shingle length — signed here from the text."""
    rows = (
        _meetings(ctx)
        .exclude(minutes="")
        .filter(Q(minutes_chars__gte=min_chars) | Q(minutes_chars=0))
        .order_by()
        .values_list("pk", "minutes_chars", "minutes_signature")
    )
    table, unsigned = similarity.Table(), []
    for read in chunks_of_rows(rows):
        keys, blobs = [], []
        for pk, chars, blob in read:
            if blob and chars >= min_chars:
                keys.append(pk)
                blobs.append(bytes(blob))
            elif not blob or similarity.unpacked_bytes(blob, k) is None:
                unsigned.append(pk)  # not signed, or otherwise: signed from the text below
        unsigned += table.add_signed(keys, blobs, k)
    for chunk in chunks(unsigned, 500):
        for pk, text in _minutes_of(chunk).items():
            words = similarity.plain(text)
            if len(words) >= min_chars:
                table.add(pk, similarity.sign(words, k).tobytes())
    return table


def _indexed(ctx, k: int) -> bool:
    """Whether the stored bands (``orglife.MinuteBand``) find every pair of the window: no
    minutes in it stored without a signature (the rule signs those from the text), no
    signature made with another shingle length (a parameter changed), and the last signed
    meeting's bands stored — each one indexed lookup. Else the rule is evaluated whole.

    The meeting services write a signature and its bands in one transaction; the demo's raw
    writer and ``dangjian sign_minutes --bands`` write the bands after the signatures, in
    meeting id order (``bands.rebuild``), so while they write, or when one was stopped, the
    signed meetings above some id have none: the last signed meeting shows it — of those of
    at least ``k`` characters, which have a shingle and so a band key (a shorter text's
    signature is empty and has none)."""
    start, end = _window(ctx)
    unsigned = Meeting.objects.filter(
        minutes_chars=0, minutes_signature=b"", held_on__gte=start, held_on__lte=end
    ).exclude(minutes="")
    other_k = MinuteBand.objects.filter(Q(k__lt=k) | Q(k__gt=k))
    if unsigned.exists() or other_k.exists():
        return False
    last_signed = (
        Meeting.objects.filter(minutes_chars__gte=k)
        .exclude(minutes_signature=b"")
        .order_by("-pk")
        .values("pk")[:1]
    )
    return (
        not Meeting.objects.filter(pk__in=last_signed)
        .exclude(Exists(MinuteBand.objects.filter(meeting_id=OuterRef("pk"))))
        .exists()
    )


def _banded_with(
    only: frozenset[int], k: int, window: tuple[datetime.date, datetime.date] | None = None
) -> set[tuple[int, int]]:
    """(meeting of the branches ``only`` — held in ``window`` when given —, another meeting)
    sharing a band of shingle length ``k``: from the branch's index of meetings to the bands,
    no meeting row read."""
    band, meeting = MinuteBand._meta.db_table, Meeting._meta.db_table
    days = " AND t.held_on >= %s AND t.held_on <= %s" if window else ""
    found: set[tuple[int, int]] = set()
    for chunk in chunks(sorted(only), 500):
        ids = id_list(chunk)
        with connection.cursor() as cursor:
            # CROSS JOIN: SQLite joins in the order written — the branches' meetings, their
            # bands (by meeting: ``+b.k`` is no index term), the others with the same key;
            # left to choose, it walked every band of length k for each meeting.
            cursor.execute(
                f"SELECT DISTINCT t.id, o.meeting_id FROM {meeting} t "  # noqa: S608 - ints
                f"CROSS JOIN {band} b CROSS JOIN {band} o "
                "WHERE b.meeting_id = t.id AND +b.k = %s AND o.k = %s AND o.key = b.key "
                f"AND t.party_organization_id IN ({ids}){days} AND o.meeting_id <> t.id",
                [k, k, *(window or ())],
            )
            found.update(cursor.fetchall())
    return found


def _compared(ctx, min_chars: int, ids: Iterable[int]) -> set[int]:
    """Of ``ids``, the window's meetings whose minutes the rule compares (signed:
    ``_indexed``)."""
    compared = _meetings(ctx).filter(minutes_chars__gte=min_chars).exclude(minutes_signature=b"")
    found: set[int] = set()
    for chunk in chunks(sorted(set(ids)), 500):
        found.update(compared.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def minutes_reach(ctx, only: frozenset[int]) -> set[int] | None:
    """The branches whose meetings share a band with a meeting of ``only`` — of any day or
    status (one moved out of the window, or no longer held, ends the pairs it was in) — and
    are held in the window: the later meeting of a pair carries its finding. None when the
    bands cannot say (``_indexed``)."""
    p = ctx.params
    k = int(p["shingle_chars"])
    if not _indexed(ctx, k):
        return None
    banded = _banded_with(only, k)
    others = _compared(ctx, int(p["min_chars"]), (b for _, b in banded))
    prints = _prints({pk for pair in banded for pk in pair}, k)
    floor = similarity.floor_bins(float(p["threshold"]))
    # A pair whose fingerprints disagree is never measured (``similarity.Table.pairs``).
    alike = {
        b
        for a, b in banded
        if b in others
        and a in prints
        and b in prints
        and similarity.agreeing(prints[a], prints[b]) >= floor
    }
    reached: set[int] = set()
    for chunk in chunks(sorted(alike), 500):
        reached.update(
            Meeting.objects.filter(pk__in=chunk).values_list("party_organization_id", flat=True)
        )
    return reached


def _prints(ids: Iterable[int], k: int) -> dict[int, int]:
    """{meeting: its signature's fingerprint} (``similarity.fingerprint``) of those signed with
    shingle length ``k``."""
    prints: dict[int, int] = {}
    for chunk in chunks(sorted(set(ids)), 500):
        for pk, blob in Meeting.objects.filter(pk__in=chunk).values_list("pk", "minutes_signature"):
            raw = similarity.unpacked_bytes(blob, k)
            if raw is not None:
                prints[pk] = int.from_bytes(similarity.fingerprint(raw), "little")
    return prints


def _pairs_of(ctx, k: int, min_chars: int, threshold: float) -> list[tuple[int, int, float]]:
    """The pairs of the window's minutes at least ``threshold`` alike with a meeting of the
    branches ``ctx.only``: the same as the whole window's (``similarity.Table.pairs``, then
    measured) that have such a meeting, found from the stored bands (``_indexed``)."""
    assert ctx.only is not None
    banded = _banded_with(ctx.only, k, _window(ctx))
    kept = _compared(ctx, min_chars, (pk for pair in banded for pk in pair))
    prints = _prints(kept, k)
    floor = similarity.floor_bins(threshold)
    candidates = {
        (a, b) if a < b else (b, a)
        for a, b in banded
        if a in prints and b in prints and similarity.agreeing(prints[a], prints[b]) >= floor
    }
    return list(similarity.measured(candidates, k=k, threshold=threshold, reread=_minutes_of))


@kind(
    "minutes_copied",
    reads=(MINUTES,),
    subject="party_organization",
    reach=minutes_reach,
    heavy=True,
)
def minutes_copied(ctx) -> Iterator[Candidate]:
    """A whole run reads every signature of the window and bands them here (the minutes stored
    without one signed from the text). An incremental run (``ctx.only``: the branches whose
    minutes, or meetings with minutes, changed — ``orglife.services.bands`` marks them — and
    those ``minutes_reach`` found) finds the pairs of those branches' meetings from the stored
    bands (``orglife.MinuteBand``) and judges the later meetings that are theirs.

    (The stored bands were tried for the whole run too: at 20,000 synthetic units, 92,000
    band keys are shared, by 15 million pairs of template-alike minutes; built into a set and
    filtered by fingerprint from the database, 130–190 s against 33 s for the in-memory
    ``similarity.Table``, which filters each bucket as it goes.)"""
    p = ctx.params
    k = int(p["shingle_chars"])
    if ctx.only is not None:
        pairs = _pairs_of(ctx, k, int(p["min_chars"]), float(p["threshold"]))
    else:
        pairs = list(
            similarity.near_duplicates_signed(
                _signatures(ctx, k, int(p["min_chars"])),
                k=k,
                threshold=float(p["threshold"]),
                reread=_minutes_of,
            )
        )
    if not pairs:
        return
    rows = _meeting_rows(pk for a, b, _ in pairs for pk in (a, b))
    best: dict[int, tuple[float, int]] = {}
    others: dict[int, int] = defaultdict(int)
    for a, b, sim in pairs:
        earlier, later = _later(rows, a, b)
        others[later] += 1
        if later not in best or sim > best[later][0]:
            best[later] = (sim, earlier)
    for later, (sim, earlier) in sorted(best.items()):
        if ctx.only is not None and rows[later]["party_organization_id"] not in ctx.only:
            continue  # another branch's, judged whole (or not touched)
        percent = round(sim * 100)
        same = rows[later]["party_organization_id"] == rows[earlier]["party_organization_id"]
        where = "本支部" if same else "另一党组织"
        more = f"另有 {others[later] - 1} 次会议的记录也与之相近；" if others[later] > 1 else ""
        yield _candidate(
            rows[later],
            explanation=(
                f"{_describe(rows, later)}的会议记录与{where}{_describe(rows, earlier)}的记录"
                f"相似度达 {percent}%（按连续 {p['shingle_chars']} 个字的片段计，"
                f"阈值 {round(float(p['threshold']) * 100)}%）；{more}"
                "请核实记录是否如实反映会议内容（系统只提示，不作认定）。"
            ),
            evidence={
                "meeting": _describe(rows, later),
                "similar_meeting": _describe(rows, earlier),
                "similarity": f"{percent}%",
                "similar_count": others[later],
            },
            facts={"similar_meeting": earlier},
        )


# -- impossible attendance ------------------------------------------------------------------------


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
    rows = present.filter(Exists(other), meeting__in=_meetings(ctx).exclude(place=""))
    if ctx.only is not None:
        # Each finding names the places of the member's other meetings found: every one of
        # the window's for the members present at the meetings judged (read first, as ids:
        # in one statement SQLite walked the window's meetings).
        judged = list(_judged(ctx).exclude(place="").values_list("pk", flat=True))
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
        present.filter(meeting__in=_judged(ctx))
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
    members_then = (
        party_queries.relations_on_ref("held_on")
        .filter(
            party_organization=OuterRef("party_organization"),
            member__joined_party_on__lte=OuterRef("held_on"),
        )
        .order_by()
        .values("party_organization")
        .annotate(n=Count("member_id", distinct=True))
        .values("n")
    )
    meetings = (
        _judged(ctx)
        .filter(present_count__gt=0)
        .exclude(kind__in=[Meeting.Kind.HEART_TO_HEART, Meeting.Kind.OTHER])
        .filter(party_organization__kind__in=["branch", "joint_branch", "general_branch"])
    )
    # Counting each meeting's members of the day is one correlated count per meeting (5.3 s
    # for 370,000 meetings at 20,000 units, SQLite). A lower bound serves first: the members whose
    # relation in the branch spans the whole window, having joined before it, count on every
    # day of it; a branch whose meetings never had more present than that is not counted
    # per meeting (the same findings: only branches that can have one are counted exactly).
    start, end = _window(ctx)
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
    most = (
        meetings.order_by()
        .values("party_organization")
        .annotate(most=Max("present_count"))
        .values_list("party_organization", "most")
    )
    maybe = sorted(po for po, present in most if present > always.get(po, 0))
    found: dict[int, list[str]] = {}
    for chunk in chunks(maybe, 500):
        rows = (
            meetings.filter(party_organization_id__in=chunk)
            .annotate(
                members_then=Coalesce(Subquery(members_then, output_field=IntegerField()), Value(0))
            )
            .filter(present_count__gt=F("members_then"))
            .values_list("pk", "present_count", "members_then")
        )
        for pk, present, members in rows:
            found[pk] = [f"记录实到 {present} 人，而当天组织关系在本支部的党员只有 {members} 名"]
    return dict(sorted(found.items()))


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
            _meetings(ctx)
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
    # Judged whole, three statements walk the window's meetings (1.8 million at 100,000
    # units): the attendees' conditions (``_per_attendee``, one walk for four), the
    # overlapping meetings, the most present per branch — 10 s on SQLite (which lists the
    # meetings' ids first; 15 s with a walk per condition), 2.4 s on PostgreSQL.
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
    rows = _meeting_rows(found)
    for pk in sorted(found):
        if ctx.only is not None and rows[pk]["party_organization_id"] not in ctx.only:
            continue  # the other meeting of an overlap, in a branch not judged
        conditions = found[pk]
        yield _candidate(
            rows[pk],
            explanation=(
                f"{_describe(rows, pk)}的出席记录有 {len(conditions)} 处不可能的情形："
                + "；".join(c["text"] for c in conditions)
                + "。请核实出席记录（系统只提示，不作认定）。"
            ),
            evidence={"meeting": _describe(rows, pk), "conditions": conditions},
            facts={"conditions": sorted(c["text"] for c in conditions)},
        )


# -- late records ---------------------------------------------------------------------------------


@kind("record_late", reads=(MEETINGS,), subject="party_organization")
def record_late(ctx) -> Iterator[Candidate]:
    """Judged per meeting alone, so an incremental run judges the touched branches' meetings
    only (``Context.only``)."""
    max_days = int(ctx.params["max_days"])
    meetings = _meetings(ctx)
    if ctx.only is not None:
        meetings = meetings.filter(party_organization_id__in=sorted(ctx.only))
    rows = (
        meetings.filter(recorded_at__isnull=False)
        .values_list("pk", "held_on", "recorded_at")
        .order_by("pk")
    )
    late = {}
    for pk, held_on, recorded_at in rows:
        written = timezone.localtime(recorded_at).date()
        days = (written - held_on).days
        if days > max_days:
            late[pk] = (written, days)
    meetings = _meeting_rows(late)
    for pk, (written, days) in late.items():
        yield _candidate(
            meetings[pk],
            explanation=(
                f"{_describe(meetings, pk)}的记录于 {base.fmt(written)} 才在系统中写入，"
                f"距会议已 {days} 天（超过 {max_days} 天）。补记的记录请核实其依据"
                "（签到表、照片等）（系统只提示，不作认定）。"
            ),
            evidence={
                "meeting": _describe(meetings, pk),
                "recorded_on": base.fmt(written),
                "days_after": days,
                "max_days": max_days,
            },
            facts={"recorded_on": base.fmt(written)},
        )


# -- reused photos --------------------------------------------------------------------------------

SEGMENTS = 8  # 8-bit pieces: two hashes within 7 bits of each other share at least one piece


def _photos(ctx) -> list[tuple[int, int, str, datetime.date, int]]:
    """(photo, meeting, hash, meeting's day, meeting's branch) of every informative photo of
    the federations' meetings held up to the day."""
    _, end = _window(ctx)

    def compute():
        # The photos first, then their meetings by id: joined in one statement, SQLite
        # walked the meetings held up to the day (0.9 s at 20,000 units for a few photos).
        photos = list(
            MeetingAttachment.objects.filter(kind=MeetingAttachment.Kind.PHOTO)
            .exclude(phash="")
            .values_list("pk", "meeting_id", "phash")
            .order_by("pk")
        )
        meetings: dict[int, tuple[datetime.date, int]] = {}
        for chunk in chunks(sorted({p[1] for p in photos}), 500):
            meetings.update(
                (pk, (held_on, po))
                for pk, held_on, po in Meeting.objects.filter(
                    pk__in=chunk,
                    party_organization__federation_id__in=ctx.federation_ids,
                    status=Meeting.Status.HELD,
                    held_on__lte=end,
                ).values_list("pk", "held_on", "party_organization_id")
            )
        return [
            (pk, meeting, value, *meetings[meeting])
            for pk, meeting, value in photos
            if meeting in meetings and similarity.informative(value)
        ]

    return base.cached(ctx, "photos", {"end": end.isoformat()}, compute)


def _photo_buckets(photos) -> dict[tuple[int, str], list[int]]:
    """Photos (by position) sharing an 8-bit piece of their hash: every pair within 7 bits."""
    buckets: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, (_, _, value, _, _) in enumerate(photos):
        for s in range(SEGMENTS):
            buckets[(s, value[2 * s : 2 * s + 2])].append(i)
    return buckets


def photo_reach(ctx, only: frozenset[int]) -> set[int]:
    """The branches of the meetings with a photo within the distance of a photo of a meeting
    of ``only`` — of any day or status: one moved or no longer held changes or ends its
    pairs."""
    max_distance = int(ctx.params["max_distance"])
    photos = _photos(ctx)
    buckets = _photo_buckets(photos)
    theirs = (
        MeetingAttachment.objects.filter(
            kind=MeetingAttachment.Kind.PHOTO,
            meeting__party_organization_id__in=sorted(only),
        )
        .exclude(phash="")
        .values_list("phash", flat=True)
    )
    reached: set[int] = set()
    for value in theirs:
        if not similarity.informative(value):
            continue
        for s in range(SEGMENTS):
            for j in buckets.get((s, value[2 * s : 2 * s + 2]), ()):
                if similarity.distance(value, photos[j][2]) <= max_distance:
                    reached.add(photos[j][4])
    return reached


@kind("photo_reused", reads=(MEETINGS,), subject="party_organization", reach=photo_reach)
def photo_reused(ctx) -> Iterator[Candidate]:
    """An incremental run measures only the pairs with a photo of the branches ``ctx.only``
    (in the order a whole run meets them: the first pair of photos found within the distance
    gives a pair of meetings its distance)."""
    max_distance = int(ctx.params["max_distance"])
    start, _ = _window(ctx)
    only = ctx.only
    photos = _photos(ctx)
    pairs: dict[tuple[int, int], int] = {}
    for members in _photo_buckets(photos).values():
        if only is not None and not any(photos[i][4] in only for i in members):
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                one, two = photos[i], photos[j]
                if only is not None and one[4] not in only and two[4] not in only:
                    continue
                if one[1] == two[1] or (one[1], two[1]) in pairs:
                    continue
                d = similarity.distance(one[2], two[2])
                if d <= max_distance:
                    pairs[(one[1], two[1])] = d
    if not pairs:
        return
    rows = _meeting_rows(pk for pair in pairs for pk in pair)
    best: dict[int, tuple[int, int]] = {}
    for (a, b), d in pairs.items():
        earlier, later = _later(rows, a, b)
        if rows[later]["held_on"] < start:
            continue  # both outside the window: judged in earlier runs
        if only is not None and rows[later]["party_organization_id"] not in only:
            continue  # another branch's
        if later not in best or d < best[later][0]:
            best[later] = (d, earlier)
    for later, (d, earlier) in sorted(best.items()):
        same = "完全相同" if d == 0 else f"几乎相同（64 位感知哈希相差 {d} 位）"
        yield _candidate(
            rows[later],
            explanation=(
                f"{_describe(rows, later)}记录所附照片与{_describe(rows, earlier)}的照片{same}，"
                "可能是同一张照片用于两次会议。请核实（系统只提示，不作认定）。"
            ),
            evidence={
                "meeting": _describe(rows, later),
                "similar_meeting": _describe(rows, earlier),
                "photo_distance": d,
            },
            facts={"similar_meeting": earlier, "distance": d},
        )
