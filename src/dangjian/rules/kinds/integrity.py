"""Records that cannot be faked quietly (issue 12, point 6): findings with evidence for a person
to judge — never a penalty, never a change to the record.

- ``minutes_copied``: minutes the same or nearly the same as another meeting's, in the branch
  or in another one (character shingles, MinHash and LSH: ``orglife.similarity``), with both
  meetings and the measured similarity;
- ``record_late``: a record written on the pages long after the meeting;
- ``photo_reused``: the same photo (by its perceptual hash) in the records of two meetings.

The impossible attendance is its own module (``attendance``); the meetings of a rule's window
and a finding about one meeting are ``records``'. Each finding here is about one meeting (the
later one of a pair).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dangjian.core.sql import chunks, id_list
from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting, MeetingAttachment, MinuteBand, MinutePair
from dangjian.orglife.services import pairs
from dangjian.rules.kinds import base, records
from dangjian.rules.registry import MEETINGS, MINUTES, Candidate, kind


def _later(rows: dict[int, dict], a: int, b: int) -> tuple[int, int]:
    """(earlier, later) of two meetings: by day, then by record number."""
    key_a, key_b = (rows[a]["held_on"], a), (rows[b]["held_on"], b)
    return (a, b) if key_a <= key_b else (b, a)


# -- near-duplicate minutes -----------------------------------------------------------------------


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
    start, end = records.window(ctx)
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
    compared = (
        records.meetings(ctx).filter(minutes_chars__gte=min_chars).exclude(minutes_signature=b"")
    )
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
    prints = pairs.fingerprints({pk for pair in banded for pk in pair}, k)
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


def _pairs_of(ctx, k: int, min_chars: int, threshold: float) -> list[tuple[int, int, float]]:
    """The pairs of the window's minutes at least ``threshold`` alike with a meeting of the
    branches ``ctx.only``: the same as the whole window's (``similarity.Table.pairs``, then
    measured) that have such a meeting, found from the stored bands (``_indexed``)."""
    assert ctx.only is not None
    banded = _banded_with(ctx.only, k, records.window(ctx))
    kept = _compared(ctx, min_chars, (pk for pair in banded for pk in pair))
    candidates = [(a, b) for a, b in banded if a in kept and b in kept]
    return [(a, b, alike) for a, b, _, alike in pairs.measured(candidates, k, threshold, min_chars)]


def _signatures(ctx, k: int, min_chars: int) -> similarity.Table:
    """The window's signatures (``pairs.table_of``), the minutes stored without one signed
    here from the text."""
    table, unsigned = pairs.table_of(records.meetings(ctx), k, min_chars)
    for chunk in chunks(unsigned, 500):
        for pk, text in pairs.minutes_of(chunk).items():
            words = similarity.plain(text)
            if len(words) >= min_chars:
                table.add(pk, similarity.sign(words, k).tobytes())
    return table


def _window_pairs(ctx, k: int, min_chars: int, threshold: float) -> list[tuple[int, int, float]]:
    """The pairs of the window's minutes at least ``threshold`` alike, sorted: the kept pairs
    (``orglife.services.pairs``) of two of the window's meetings when they are complete for
    the threshold and the bands for the window (``_indexed``), else the window's signatures
    paired and measured here (``similarity.Table``) — the same pairs."""
    if pairs.complete(k, threshold, min_chars) and _indexed(ctx, k):
        # The pairs first, then which of their meetings are the window's, by id: joined in
        # one statement, SQLite walked every meeting of the window to reach the pairs.
        kept = list(
            MinutePair.objects.filter(
                k=k, agreement__gte=similarity.floor_bins(threshold), similarity__gte=threshold
            ).values_list("first_id", "second_id", "similarity")
        )
        window = records.of_window(ctx, (pk for a, b, _ in kept for pk in (a, b)), min_chars)
        return sorted(pair for pair in kept if pair[0] in window and pair[1] in window)
    return list(
        similarity.near_duplicates_signed(
            _signatures(ctx, k, min_chars), k=k, threshold=threshold, reread=pairs.minutes_of
        )
    )


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
        found = _pairs_of(ctx, k, int(p["min_chars"]), float(p["threshold"]))
    else:
        found = _window_pairs(ctx, k, int(p["min_chars"]), float(p["threshold"]))
    if not found:
        return
    rows = records.meeting_rows(pk for a, b, _ in found for pk in (a, b))
    best: dict[int, tuple[float, int]] = {}
    others: dict[int, int] = defaultdict(int)
    for a, b, sim in found:
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
        yield records.candidate(
            rows[later],
            explanation=(
                f"{records.describe(rows, later)}的会议记录与{where}{records.describe(rows, earlier)}的记录"
                f"相似度达 {percent}%（按连续 {p['shingle_chars']} 个字的片段计，"
                f"阈值 {round(float(p['threshold']) * 100)}%）；{more}"
                "请核实记录是否如实反映会议内容（系统只提示，不作认定）。"
            ),
            evidence={
                "meeting": records.describe(rows, later),
                "similar_meeting": records.describe(rows, earlier),
                "similarity": f"{percent}%",
                "similar_count": others[later],
            },
            facts={"similar_meeting": earlier},
        )


# -- late records ---------------------------------------------------------------------------------


@kind("record_late", reads=(MEETINGS,), subject="party_organization")
def record_late(ctx) -> Iterator[Candidate]:
    """Judged per meeting alone, so an incremental run judges the touched branches' meetings
    only (``Context.only``)."""
    max_days = int(ctx.params["max_days"])
    meetings = records.meetings(ctx)
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
    meetings = records.meeting_rows(late)
    for pk, (written, days) in late.items():
        yield records.candidate(
            meetings[pk],
            explanation=(
                f"{records.describe(meetings, pk)}的记录于 {base.fmt(written)} 才在系统中写入，"
                f"距会议已 {days} 天（超过 {max_days} 天）。补记的记录请核实其依据"
                "（签到表、照片等）（系统只提示，不作认定）。"
            ),
            evidence={
                "meeting": records.describe(meetings, pk),
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
    _, end = records.window(ctx)

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
    start, _ = records.window(ctx)
    only = ctx.only
    photos = _photos(ctx)
    alike: dict[tuple[int, int], int] = {}
    for members in _photo_buckets(photos).values():
        if only is not None and not any(photos[i][4] in only for i in members):
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                one, two = photos[i], photos[j]
                if only is not None and one[4] not in only and two[4] not in only:
                    continue
                if one[1] == two[1] or (one[1], two[1]) in alike:
                    continue
                d = similarity.distance(one[2], two[2])
                if d <= max_distance:
                    alike[(one[1], two[1])] = d
    if not alike:
        return
    rows = records.meeting_rows(pk for pair in alike for pk in pair)
    best: dict[int, tuple[int, int]] = {}
    for (a, b), d in alike.items():
        earlier, later = _later(rows, a, b)
        if rows[later]["held_on"] < start:
            continue  # both outside the window: judged in earlier runs
        if only is not None and rows[later]["party_organization_id"] not in only:
            continue  # another branch's
        if later not in best or d < best[later][0]:
            best[later] = (d, earlier)
    for later, (d, earlier) in sorted(best.items()):
        same = "完全相同" if d == 0 else f"几乎相同（64 位感知哈希相差 {d} 位）"
        yield records.candidate(
            rows[later],
            explanation=(
                f"{records.describe(rows, later)}记录所附照片与{records.describe(rows, earlier)}的照片{same}，"
                "可能是同一张照片用于两次会议。请核实（系统只提示，不作认定）。"
            ),
            evidence={
                "meeting": records.describe(rows, later),
                "similar_meeting": records.describe(rows, earlier),
                "photo_distance": d,
            },
            facts={"similar_meeting": earlier, "distance": d},
        )
